"""The influence rule fails closed (issue 22): a result that reaches the checker without the one-person
shifts of its rows is refused, and the shifts travel in the result, not in ``DataFrame.attrs``.

Why: ``margins`` used to hand the shifts on in ``DataFrame.attrs['influence']``. pandas 3 drops ``attrs``
on ``merge`` and on a ``concat`` of frames whose ``attrs`` differ, and the checker read a missing entry
as "nothing to check": an effect resting on one person's extreme income was then released.
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from movers.estimators import margins
from movers.estimators.results import Estimates
from movers.sdc.checker import Checker
from movers.sdc.rules import REASONS
from movers.strands.micro import common as micro


def _world(n=400, seed=1):
    """Income of movers and stayers, 12 % non-white; one non-white mover's income set to 999,999."""
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"mover": rng.integers(0, 2, n), "nonwhite": (rng.random(n) < 0.12).astype(int)})
    d["income"] = 20000 + 1000 * d["mover"] + rng.normal(0, 8000, n)
    d.loc[d.index[(d["nonwhite"] == 1) & (d["mover"] == 1)][0], "income"] = 999_999
    return d


def _fit(d):
    return smf.ols("income ~ mover * C(nonwhite)", d).fit()


def _effects():
    d = _world()
    return margins.mover_effects(_fit(d), d, "mover", by="nonwhite").with_(cells={0: 300, 1: 20})


def _rule(chk, name, row):
    return next(c["rule"] for c in chk.outputs[name].cells if c["row"] == str(row))


def test_stacking_effects_with_a_filler_row_keeps_the_influence_rule():
    """As ``micro._stack`` does for a group too small to estimate: a NaN row is added by ``concat``."""
    stacked = micro._stack([_effects()], {"gender": ["(not estimable)"]})
    chk = Checker("t", {})
    out = chk.estimates("T", stacked, dof=300)
    assert np.isnan(out.coefs.loc[1, "estimate"]) and _rule(chk, "T", 1) == "influence"  # one person's income
    assert out.coefs.loc[0, "estimate"] == stacked.coefs.loc[0, "estimate"]
    assert _rule(chk, "T", "(not estimable)") != "influence unknown"  # an empty row releases nothing to refuse


def test_relabelling_effects_keeps_the_influence_rule():
    """Rows renamed for the page carry their influence with them (the relabelling that used to go through
    ``DataFrame.attrs``, and that a ``merge`` on the frame would lose)."""
    shown = _effects().relabel({0: "White", 1: "Non-white"})
    assert set(shown.influence) == {"White", "Non-white"} and shown.cells == {"White": 300, "Non-white": 20}
    chk = Checker("t", {})
    out = chk.estimates("T", shown, dof=300)
    assert np.isnan(out.coefs.loc["Non-white", "estimate"]) and _rule(chk, "T", "Non-white") == "influence"
    assert not np.isnan(out.coefs.loc["White", "estimate"])


def test_a_result_without_its_influence_is_refused_not_released():
    coefs = pd.DataFrame({"estimate": [0.1], "se": [0.01], "pvalue": [0.01]}, index=["Mover"])
    chk = Checker("t", {})
    out = chk.estimates("T", Estimates(coefs, nobs=1000, cells={"Mover": 500}), dof=900)
    assert out.coefs["estimate"].isna().all()
    assert _rule(chk, "T", "Mover") == "influence unknown"
    assert REASONS["influence unknown"] in set(chk.withheld()["rule"])


def test_a_row_added_without_its_influence_is_refused():
    """A row appended to the frame after the shifts were computed has none: withheld, the others released."""
    eff = _effects()
    extra = pd.DataFrame({"estimate": [5.0], "se": [1.0], "pvalue": [0.0]}, index=["Added"])
    chk = Checker("t", {})
    out = chk.estimates("T", eff.with_(coefs=pd.concat([eff.coefs, extra]), cells={**eff.cells, "Added": 300}), dof=300)
    assert np.isnan(out.coefs.loc["Added", "estimate"]) and _rule(chk, "T", "Added") == "influence unknown"
    assert not np.isnan(out.coefs.loc[0, "estimate"])


def test_a_coefficient_frame_is_not_accepted():
    with pytest.raises(TypeError, match="Estimates"):
        Checker("t", {}).estimates("T", _effects().coefs, dof=300)


def test_on_open_data_the_checker_passes_results_through():
    eff = _effects().with_(influence=None)
    assert Checker("t", {}, active=False).estimates("T", eff) is eff
