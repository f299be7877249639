import pandas as pd
import pytest

from movers import sdc


def test_cells_under_ten_are_suppressed_and_logged():
    values = pd.DataFrame({"Stayer": [0.5, 0.1], "Mover": [0.4, 0.2]}, index=["a", "b"])
    counts = pd.DataFrame({"Stayer": [120, 9], "Mover": [0, 10]}, index=["a", "b"])
    out, log = sdc.suppress(values, counts)
    assert out.loc["b", "Stayer"] == sdc.SUPPRESSED
    assert out.loc["a", "Mover"] == 0.4  # a zero count reveals nobody
    assert out.loc["b", "Mover"] == 0.2
    assert log.to_dict("records") == [{"row": "b", "column": "Stayer", "count": 9}]


def test_shape_mismatch_and_min_count():
    with pytest.raises(ValueError, match="same shape"):
        sdc.suppress(pd.DataFrame([[1]]), pd.DataFrame([[1, 2]]))
    with pytest.raises(ValueError, match="cell of 3 people"):
        sdc.check_min_count([50, 3, 0], "Table 30")
    sdc.check_min_count([50, 10, 0], "Table 30")
