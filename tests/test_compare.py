import numpy as np
import pytest

from movers import compare, tables
from movers.errors import InputError


def test_published_table_2_has_the_report_figures():
    pub = compare.published(2)
    row = pub[(pub["row"] == "Sending: medium spot") & (pub["column"] == "Model 4")].iloc[0]
    assert (row["estimate"], row["se"], row["stars"], row["n_obs"]) == (0.038, 0.016, "**", 94863)


def test_unknown_table_is_a_clear_error():
    with pytest.raises(InputError, match="no published coefficients for table 99"):
        compare.published(99)


def test_side_by_side_joins_published_and_truth():
    est = {"Model 4": tables.coef_frame(["Sending: medium spot", "Made up"], [0.05, 1.0], [0.01, 0.1], [0.0, 0.0])}
    long = compare.side_by_side(est, 2, truth={"Sending: medium spot": 0.03})
    a = long.set_index("row").loc["Sending: medium spot"]
    assert a["published"] == 0.038 and a["published_se"] == 0.016
    assert a["z_truth"] == pytest.approx(2.0)
    b = long.set_index("row").loc["Made up"]
    assert np.isnan(b["published"]) and np.isnan(b["truth"])
    t = compare.comparison_table(long, "Model 4")
    assert t.frame.loc["Sending: medium spot", "Published"] == "0.038 (0.016)"
    assert t.frame.loc["Made up", "Published"] == "–"
    assert "True value" in t.frame.columns


def test_descriptives_and_the_table_6_outlier():
    t6 = compare.published_descriptives(6)
    assert t6.loc["London Cosmopolitan", "Average GVA per capita (£)"] == 726621
    flagged = compare.outliers(t6[["Average GVA per capita (£)"]])
    assert flagged["row"].tolist() == ["London Cosmopolitan"]
    assert flagged["ratio"].iloc[0] > 20
