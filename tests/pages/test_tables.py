import numpy as np
import pandas as pd
import pytest

from movers.estimators import results
from movers.pages import tables


@pytest.mark.parametrize(
    "p,mark", [(0.009, "***"), (0.01, "**"), (0.049, "**"), (0.05, "*"), (0.099, "*"), (0.1, ""), (np.nan, ""), (None, "")]
)
def test_stars_thresholds(p, mark):
    assert tables.stars(p) == mark


def test_coef_cell_matches_report_style():
    assert tables.coef_cell(0.0381, 0.0162, 0.02) == "0.038** (0.016)"
    assert tables.coef_cell(-1114.25, 49.0, 0.0001, digits=1) == "-1,114.2*** (49.0)"
    assert tables.coef_cell(np.nan, 1.0, 0.5) == ""


def test_coef_frame_default_pvalues_are_two_sided_normal():
    f = results.coef_frame(["a", "b"], [1.96, 0.0], [1.0, 1.0])
    assert f.loc["a", "pvalue"] == pytest.approx(0.05, abs=1e-3)
    assert f.loc["b", "pvalue"] == pytest.approx(1.0)
    e = results.estimates(["a", "b"], [1.96, 0.0], [1.0, 1.0], nobs=10)
    assert e.nobs == 10 and e.coefs.equals(f) and tables.observations(e) == 10


def _models():
    m1 = results.estimates(["Sending: cold spot"], [-0.423], [0.040], [0.001], nobs=94863)
    m2 = results.estimates(["Sending: cold spot", "Share border"], [-0.235, 1.793], [0.015, 0.025], [0.001, 0.001], nobs=94863)
    return {"Model 1": m1, "Model 2": m2}


def test_regression_table_layout():
    t = tables.regression_table(_models(), controls={"Distance and border": [False, True]}, caption="Table 2: test")
    f = t.frame
    assert list(f.columns) == ["Model 1", "Model 2"]
    assert list(f.index) == ["Sending: cold spot", "Share border", "Distance and border", "Observations"]
    assert f.loc["Share border", "Model 1"] == ""
    assert f.loc["Sending: cold spot", "Model 1"] == "-0.423*** (0.040)"
    assert f.loc["Distance and border"].tolist() == ["NO", "YES"]
    assert f.loc["Observations"].tolist() == ["94,863", "94,863"]


def test_regression_table_honours_digits():
    """``digits=`` was accepted and ignored: every cell had three decimals."""
    f = tables.regression_table(_models(), digits=1).frame
    assert f.loc["Sending: cold spot", "Model 1"] == "-0.4*** (0.0)"
    assert f.loc["Share border", "Model 2"] == "1.8*** (0.0)"


def test_regression_table_control_flags_must_match_models():
    with pytest.raises(ValueError, match="1 flags for 2 models"):
        tables.regression_table(_models(), controls={"Economic conditions": [True]})


def test_markdown_escapes_stars_and_pipes_and_has_caption():
    md = tables.regression_table(_models(), caption="Table 2: a|b", label="t2").to_markdown()
    assert md.startswith(":::{table} Table 2: a\\|b\n:name: t2")
    assert "-0.423\\*\\*\\* (0.040)" in md
    assert md.rstrip().endswith("p<0.1.")
    rows = [line for line in md.split("\n") if line.startswith("|")]
    header, rule = rows[:2]
    assert header.count("|") == 4 and rule == "|:--|--:|--:|"
    assert ":class: longtable" in md  # breaks across PDF pages with its caption


def test_column_widths_follow_content_and_are_bounded():
    frame = pd.DataFrame(
        {"Model 1": ["-0.423*** (0.040)", "1"], "N": ["12", "3"]},
        index=["Distance between sending and receiving areas in miles, logged", "x"],
    )
    t = tables.Table(frame, caption="c")
    # label capped; a coefficient as wide as the longer of its two printed lines ("-0.423***" over
    # "(0.040)"), a header as its longest word; minimum 4; +2 spacing
    assert t.column_widths() == [30, 11, 6]
    assert ":widths: 30 11 6" in t.to_markdown()
    assert tables.Table(frame).to_markdown().startswith(":::{table}\n")  # no caption: still a table directive


def test_render_formats_numbers_and_aligns_text_left():
    df = pd.DataFrame({"name": ["x", "y"], "value": [1234.5678, 2.0], "n": [3, 4000]}, index=["a", "b"])
    t = tables.render(df, digits={"value": 1, "n": 0})
    assert t.frame.loc["a"].tolist() == ["x", "1,234.6", "3"]
    assert t.frame.loc["b", "n"] == "4,000"
    assert t.align == "llrr"


def test_render_transposed_keeps_each_variables_digits():
    df = pd.DataFrame({"rate": [1.234, 5.0], "price (£)": [123456.7, 2.0]}, index=["A", "B"])
    t = tables.render(df, digits={"rate": 2, "price (£)": 0}, transpose=True)
    assert list(t.frame.columns) == ["A", "B"] and list(t.frame.index) == ["rate", "price (£)"]
    assert t.frame.loc["rate"].tolist() == ["1.23", "5.00"] and t.frame.loc["price (£)", "A"] == "123,457"
    assert t.align == "lrr"


def test_the_books_own_numbers_are_letters_and_stay_on_a_rerun():
    """Issue 23: the book's Tables 2.1-2.3 read as parts of the report's Table 2; a letter cannot, and a cell run
    again (the same key) keeps its number."""
    assert [tables.letters(k) for k in (0, 25, 26, 27)] == ["A", "Z", "AA", "AB"]
    keys = ("table-a", "table-b")
    first = tables.own_number("t9", "table-a", keys)
    assert (first, tables.own_number("t9", "table-b", keys), tables.own_number("t9", "table-a", keys)) == ("t9.A", "t9.B", "t9.A")
