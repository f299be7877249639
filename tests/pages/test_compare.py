import numpy as np
import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.estimators import results
from movers.pages import compare, tables


def test_published_table_2_has_the_report_figures():
    pub = compare.published(2)
    row = pub[(pub["row"] == "Sending: medium spot") & (pub["column"] == "Model 4")].iloc[0]
    assert (row["estimate"], row["se"], row["stars"], row["n_obs"]) == (0.038, 0.016, "**", 94863)


def test_unknown_table_is_a_clear_error():
    with pytest.raises(InputError, match="no published coefficients for table 99"):
        compare.published(99)


def test_side_by_side_joins_published_and_truth():
    est = {"Model 4": results.coef_frame(["Sending: medium spot", "Made up"], [0.05, 1.0], [0.01, 0.1], [0.0, 0.0])}
    long = compare.side_by_side(est, 2, truth={"Sending: medium spot": 0.03})
    a = long.set_index("row").loc["Sending: medium spot"]
    assert a["published"] == 0.038 and a["published_se"] == 0.016
    assert a["z_truth"] == pytest.approx(2.0)
    b = long.set_index("row").loc["Made up"]
    assert np.isnan(b["published"]) and np.isnan(b["truth"])
    t = compare.comparison_table(long, "Model 4")
    assert t.frame.loc["Sending: medium spot", "Published"] == "0.038** (0.016)"  # the report's stars, as printed
    assert t.frame.loc["Made up", "Published"] == "–"
    assert "True value" in t.frame.columns


def test_published_figures_keep_their_stars_precision_and_n():
    """Issue 23: "415.3 (124.4)" was padded to "415.300 (124.400)" and shown without its stars; the CSV held strings."""
    pub = compare.published(24)
    income = pub[(pub["row"] == "Male versus female") & (pub["column"] == "Income")].iloc[0]
    assert compare.published_cell(income["estimate"], income["se"], income["stars"], income["digits"], income["se_digits"]) == (
        "415.3*** (124.4)"
    )
    est = {"Income": results.estimates(["Male versus female"], [400.0], [100.0], [0.001], nobs=70865)}
    shown, long = compare.model_comparison(est, 24)
    assert shown.frame["Income"].tolist() == ["400.000*** (100.000)", "415.3*** (124.4)", "70,865", "1,938"]
    assert list(shown.frame.index) == ["Male versus female", "– published", "Observations", "– published"]
    nums = shown.values.set_index("row").loc["Male versus female"]
    assert (nums["estimate"], nums["stars"], nums["published"], nums["published_stars"]) == (400.0, "***", 415.3, "***")
    assert (nums["nobs"], nums["published_nobs"]) == (70865, 1938)


def test_descriptives_and_the_table_6_outlier():
    t6 = compare.published_descriptives(6)
    assert t6.loc["London Cosmopolitan", "Average GVA per capita (£)"] == 726621
    flagged = compare.outliers(t6[["Average GVA per capita (£)"]])
    assert flagged["row"].tolist() == ["London Cosmopolitan"]
    assert flagged["ratio"].iloc[0] > 20


def _models():
    from movers.estimators.results import Estimates

    f = lambda e: Estimates(results.coef_frame(["Sending: medium spot", "Share border"], e, [0.01, 0.02], [0.001, 0.5]), nobs=100)  # noqa: E731
    return {
        "Model 1": Estimates(results.coef_frame(["Sending: medium spot"], [0.1], [0.01], [0.001]), nobs=90),
        "Model 4": f([0.05, 1.9]),
    }


def test_model_comparison_puts_published_and_truth_under_each_row():
    table, long = compare.model_comparison(
        _models(), 2, truth={("Share border", "Model 4"): 1.984}, controls={"Distance and border": [False, True]}
    )
    idx = list(table.frame.index)
    assert idx[:3] == ["Sending: medium spot", "– published", "Share border"]
    assert table.frame.iloc[1].tolist() == ["-0.332*** (0.029)", "0.038** (0.016)"]
    assert table.frame.loc["Share border", "Model 4"] == "1.900 (0.020)"
    truth_row = table.frame[table.frame.index == "– true value"].iloc[0]
    assert truth_row.tolist() == ["", "1.984"]
    assert table.frame.loc["Distance and border"].tolist() == ["NO", "YES"]
    assert table.frame.iloc[-1].tolist() == ["94,863", "94,863"] and table.frame.index[-2] == "Observations"
    assert compare.coverage(long) == 3  # medium spot in both models, border in Model 4


def test_model_comparison_withdraws_the_published_column_with_a_reason():
    table, long = compare.model_comparison(_models(), 2, withdrawn="the report covers 2017-2018")
    assert "– published" not in table.frame.index
    assert "Published figures withdrawn: the report covers 2017-2018." in table.notes
    assert compare.coverage(long) == 0


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
    a = compare.agreement(long)
    assert a["n"] == 3 and a["sign"] == pytest.approx(2 / 3)
    assert a["within_published"] == pytest.approx(1 / 3) and a["within_combined"] == pytest.approx(2 / 3)
    assert a["mae"] == pytest.approx((0.05 + 0.3 + 0.0) / 3)
    assert a["corr"] == pytest.approx(np.corrcoef([0.5, -0.2, 0.1], [0.45, 0.1, 0.1])[0, 1])
    assert compare.agreement(long.iloc[3:])["n"] == 0


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
    t = compare.agreement_by(long, "model")
    assert list(t.index) == ["Model 1", "Model 4", "All"]
    assert t.loc["Model 1", "Mean absolute gap"] == 0 and t.loc["Model 4", "Same sign (share)"] == 0.5
    assert t.loc["All", "Published coefficients"] == 4 and t.loc["All", "Within 2 combined SEs (share)"] == 0.75


def test_published_descriptives_are_shown_as_printed():
    """Table 6's unemployment rate was printed 3.8 and shown 3.80; now at the report's own decimals, with its stars."""
    ours = pd.DataFrame({"Average unemployment rate": [3.812]}, index=["Affluent England"])
    both = compare.descriptive_comparison(ours, 6)
    assert both.loc["Affluent England", "Average unemployment rate (published)"] == "3.8"
    shown = tables.render(both, digits=2)
    assert shown.frame.iloc[0].tolist() == ["3.81", "3.8"] and shown.align == "lrr"


def test_descriptive_comparison_takes_no_digits():
    """It leaves our figures unrounded (the table that shows them rounds): a ``digits=`` it ignored is refused."""
    ours = pd.DataFrame({"Average unemployment rate": [3.812]}, index=["Affluent England"])
    with pytest.raises(TypeError):
        compare.descriptive_comparison(ours, 6, digits=1)
