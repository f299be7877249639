import numpy as np
import pandas as pd
import pytest

from movers.data import published as reference
from movers.estimators import agreement


def _frame(terms, estimate, se, pvalue):
    return pd.DataFrame({"estimate": estimate, "se": se, "pvalue": pvalue}, index=pd.Index(terms, name="term"))


def test_side_by_side_joins_published_and_truth():
    est = {"Model 4": _frame(["Sending: medium spot", "Made up"], [0.05, 1.0], [0.01, 0.1], [0.0, 0.0])}
    long = agreement.side_by_side(est, 2, truth={"Sending: medium spot": 0.03})
    a = long.set_index("row").loc["Sending: medium spot"]
    assert a["published"] == 0.038 and a["published_se"] == 0.016 and a["published_stars"] == "**"
    assert a["z_truth"] == pytest.approx(2.0)
    b = long.set_index("row").loc["Made up"]
    assert np.isnan(b["published"]) and np.isnan(b["truth"])
    assert agreement.coverage(long) == 1
    nums = agreement.numbers(long, {"Model 4": 100}, 2).set_index("row").loc["Sending: medium spot"]
    assert (nums["stars"], nums["nobs"], nums["published_nobs"]) == ("***", 100, 94863)


def test_stars_at_the_report_levels():
    assert [agreement.stars(p) for p in (0.001, 0.02, 0.07, 0.2, None, np.nan)] == ["***", "**", "*", "", "", ""]


def test_the_table_6_outlier():
    flagged = agreement.outliers(reference.published_descriptives(6)[["Average GVA per capita (£)"]])
    assert flagged["row"].tolist() == ["London Cosmopolitan"]
    assert flagged["ratio"].iloc[0] > 20


def test_agreement_by_hand_combined_beside_published_se():
    """Row 1: gap 0.05 within 2 published SEs (0.04)? no; within 2 combined (2*sqrt(0.02²+0.03²)=0.072)? yes.
    Row 2: opposite signs, gap 0.3, outside both. Row 3: exact. Row 4: no published value, left out."""
    long = pd.DataFrame(
        {
            "estimate": [0.5, -0.2, 0.1, 0.3],
            "se": [0.03, 0.05, 0.01, 0.1],
            "published": [0.45, 0.1, 0.1, np.nan],
            "published_se": [0.02, 0.1, 0.01, np.nan],
        }
    )
    a = agreement.agreement(long)
    assert a["n"] == 3 and a["sign"] == pytest.approx(2 / 3)
    assert a["within_published"] == pytest.approx(1 / 3) and a["within_combined"] == pytest.approx(2 / 3)
    assert a["mae"] == pytest.approx((0.05 + 0.3 + 0.0) / 3)
    assert a["corr"] == pytest.approx(np.corrcoef([0.5, -0.2, 0.1], [0.45, 0.1, 0.1])[0, 1])
    assert agreement.agreement(long.iloc[3:])["n"] == 0


def test_agreement_by_model_and_overall():
    long = pd.DataFrame(
        {
            "model": ["Model 1", "Model 1", "Model 4", "Model 4"],
            "estimate": [0.1, 0.2, -0.1, 0.5],
            "se": [0.01] * 4,
            "published": [0.1, 0.2, 0.1, 0.5],
            "published_se": [0.01] * 4,
        }
    )
    t = agreement.agreement_by(long, "model")
    assert list(t.index) == ["Model 1", "Model 4", "All"]
    assert t.loc["Model 1", "Mean absolute gap"] == 0 and t.loc["Model 4", "Same sign (share)"] == 0.5
    assert t.loc["All", "Published coefficients"] == 4 and t.loc["All", "Within 2 combined SEs (share)"] == 0.75
