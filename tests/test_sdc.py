import pandas as pd
import pytest

from movers import sdc


def test_cells_under_ten_are_suppressed_and_logged():
    values = pd.DataFrame({"Stayer": [0.5, 0.1], "Mover": [0.4, 0.2]}, index=["a", "b"])
    counts = pd.DataFrame({"Stayer": [120, 9], "Mover": [0, 10]}, index=["a", "b"])
    out, log = sdc.suppress(values, counts)
    assert out.loc["b", "Stayer"] == sdc.SUPPRESSED
    assert out.loc["a", "Mover"] == sdc.SUPPRESSED  # zeros are disclosive (ACRO): nobody among them has it
    assert out.loc["b", "Mover"] == 0.2 and out.loc["a", "Stayer"] == 0.5
    assert log.to_dict("records") == [{"row": "a", "column": "Mover", "count": 0}, {"row": "b", "column": "Stayer", "count": 9}]


def test_shape_mismatch_and_min_count():
    with pytest.raises(ValueError, match="same shape"):
        sdc.suppress(pd.DataFrame([[1]]), pd.DataFrame([[1, 2]]))
    with pytest.raises(ValueError, match="fewer than 10 people") as err:
        sdc.check_min_count([50, 3, 0], "Table 30")
    assert "3" not in str(err.value).replace("Table 30", "")  # the small count is the disclosive figure
    sdc.check_min_count([50, 10, 0], "Table 30")


def test_only_restricted_data_are_suppressed():
    vals = pd.DataFrame({"Stayer": [5.0, 20.0]}, index=["a", "b"])
    counts = pd.DataFrame({"Stayer": [3, 40]}, index=["a", "b"])
    same, log = sdc.suppress_restricted(vals, counts, "synthetic")
    assert same.equals(vals) and log.empty
    out, log = sdc.suppress_restricted(vals, counts, "restricted")
    assert out.loc["a", "Stayer"] == "[c]" and out.loc["b", "Stayer"] == 20.0 and len(log) == 1


def test_effects_of_small_groups_are_blanked():
    eff = pd.DataFrame({"estimate": [0.1, 0.2], "se": [0.01, 0.02], "pvalue": [0.0, 0.0]}, index=["Female", "Non-white"])
    cells = {"Female": 400, "Non-white": 7}
    same, log = sdc.suppress_effects(eff, cells, "synthetic")
    assert log == [] and same.equals(eff)
    out, log = sdc.suppress_effects(eff, cells, "restricted")
    assert out.loc["Female", "estimate"] == 0.1 and pd.isna(out.loc["Non-white", ["estimate", "se", "pvalue"]]).all()
    assert log == [{"row": "Non-white", "count": 7}]


def test_released_log_names_cells_but_not_their_counts():
    log = [{"row": "Non-white", "count": 7, "table": 27, "column": "Employed"}]
    shown = sdc.releasable(log)
    assert "count" not in shown.columns and shown.loc[0, "row"] == "Non-white"
    assert sdc.releasable([]).empty
