import pandas as pd
import pytest

from movers.data import published as reference
from movers.estimators import agreement, results
from movers.pages import compare, tables


def test_comparison_table_shows_published_and_truth():
    est = {"Model 4": results.coef_frame(["Sending: medium spot", "Made up"], [0.05, 1.0], [0.01, 0.1], [0.0, 0.0])}
    long = agreement.side_by_side(est, 2, truth={"Sending: medium spot": 0.03})
    t = compare.comparison_table(long, "Model 4")
    assert t.frame.loc["Sending: medium spot", "Published"] == "0.038** (0.016)"  # the report's stars, as printed
    assert t.frame.loc["Made up", "Published"] == "–"
    assert "True value" in t.frame.columns


def test_published_figures_keep_their_stars_precision_and_n():
    """Issue 23: "415.3 (124.4)" was padded to "415.300 (124.400)" and shown without its stars; the CSV held strings."""
    pub = reference.published(24)
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
    assert agreement.coverage(long) == 3  # medium spot in both models, border in Model 4


def test_model_comparison_withdraws_the_published_column_with_a_reason():
    table, long = compare.model_comparison(_models(), 2, withdrawn="the report covers 2017-2018")
    assert "– published" not in table.frame.index
    assert "Published figures withdrawn: the report covers 2017-2018." in table.notes
    assert agreement.coverage(long) == 0


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
