"""The one results type (issue 22): named fields in the manner of linearmodels, rows renamed or selected
together with everything keyed by row, and no result carried in ``DataFrame.attrs`` anywhere in the
package (pandas drops ``attrs`` on ``merge`` and on a ``concat`` of frames whose ``attrs`` differ)."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from movers.estimators.results import Estimates, coef_frame, estimates

PACKAGE = Path(__file__).resolve().parents[2] / "lib" / "movers"


def _est():
    return estimates(
        ["a", "b", "c"],
        [1.0, 2.0, 3.0],
        [0.5, 1.0, 1.0],
        nobs=100,
        cells={"a": 40, "b": 30, "c": 30},
        group_nobs={"a": 40, "b": 30, "c": 30},
        influence={"a": 0.1, "b": 0.2, "c": 0.3},
    )


def test_fields_are_named_as_in_linearmodels():
    e = _est()
    assert list(e.params) == [1.0, 2.0, 3.0] and list(e.std_errors) == [0.5, 1.0, 1.0]
    assert e.pvalues["a"] == pytest.approx(0.0455, abs=1e-4)  # two-sided normal test of 1.0 / 0.5
    assert e.nobs == 100 and e.converged and e.influence["c"] == 0.3 and not e.nobs_withheld
    with pytest.raises(ValueError, match="lacks column"):
        Estimates(pd.DataFrame({"estimate": [1.0]}))


def test_relabel_and_select_carry_every_field_keyed_by_row():
    e = _est().relabel({"a": "A", "c": "C"}).select(["C", "A"])
    assert list(e.index) == ["C", "A"]
    assert e.cells == {"A": 40, "C": 30} and e.group_nobs == {"A": 40, "C": 30}
    assert e.influence == {"A": 0.1, "C": 0.3}
    assert _est().with_(influence=None).select(["a"]).influence is None  # never computed stays unknown


def test_coef_frame_has_the_three_columns_and_no_attrs():
    f = coef_frame(["x"], [1.96], [1.0])
    assert list(f.columns) == ["estimate", "se", "pvalue"] and f.index.name == "term" and not f.attrs
    assert f.loc["x", "pvalue"] == pytest.approx(0.05, abs=1e-3)
    assert np.isnan(coef_frame(["x"], [0.0], [0.0]).loc["x", "pvalue"])


def test_no_result_travels_in_dataframe_attrs():
    uses = [
        f"{p.relative_to(PACKAGE)}:{i}"
        for p in sorted(PACKAGE.rglob("*.py"))
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.attrs\b", line)
    ]
    assert uses == []
