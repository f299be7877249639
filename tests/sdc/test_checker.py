"""The checker: one test per output-checking rule, on small hand-made tables whose answer is known.

The cases are the leaks found when the book was tried as a secure-lab output checker would
(issue 16): LS Table 30 recovered by subtraction (1 - 0.45 - 0.42 = 0.13, nine people), a
Mover column recovered from 100 per cent (100 - 96.8 = 3.2), a share of 0.00 of 2,824 people
releasing seven, prose glued from a withheld cell. Then the page as a whole (issue 25):

Case 2: ``ls_deprived`` withheld "[c] per cent have no parental class and drop out of Model 3" (nine
people) while its models table printed Observations 376 | 376 | 367: 376 - 367 = 9. Counts of people
are now checked against every other count on the page whose group holds them.

Case 3: one income set to 999,999 moved the released non-white income effect from 544.9 to 11,419.4
and the page said it passed the checks. A released coefficient may now not move by more than
``influence`` standard errors when one person is left out.
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from movers.estimators import margins
from movers.estimators.results import Estimates
from movers.pages import tables
from movers.pages.tables import Table
from movers.sdc.checker import Checker
from movers.sdc.record import banner_text
from movers.sdc.redact import estimable
from movers.sdc.rules import REASONS, SUPPRESSED, Rules
from movers.sdc.suppression import columns_add_up, recoverable, table_totals

ROWS = ["Professional", "Skilled", "Semi-skilled"]


def checker(**rules):
    return Checker("test", rules)


def withheld_cells(chk, name):
    return {(c["row"], c["column"]): c["rule"] for c in chk.outputs[name].cells if c["outcome"] == "withheld"}


# ----------------------------------------------------------------------------- primary suppression


def test_threshold_withholds_fewer_than_ten_and_releases_ten():
    counts = pd.DataFrame({"Stayers": [120, 10], "Movers": [9, 40]}, index=["a", "b"])
    chk = checker(secondary=False)
    out = chk.table("T", counts, counts)
    assert withheld_cells(chk, "T") == {("a", "Movers"): "threshold"}
    assert out.loc["a", "Movers"] == SUPPRESSED and out.loc["b", "Stayers"] == 10
    out = checker(threshold=20, secondary=False).table("T", counts, counts)  # the threshold is the YAML's, not a constant
    assert out.loc["b", "Stayers"] == SUPPRESSED


def test_zero_cells_are_disclosive_unless_the_rules_say_otherwise():
    counts = pd.DataFrame({"Stayers": [120, 0], "Movers": [50, 40]}, index=["a", "b"])
    chk = checker(secondary=False)
    out = chk.table("T", counts, counts)
    assert out.loc["b", "Stayers"] == SUPPRESSED and withheld_cells(chk, "T") == {("b", "Stayers"): "zero"}
    out = checker(secondary=False, zeros_are_disclosive=False).table("T", counts, counts)
    assert out.loc["b", "Stayers"] == 0


def test_shares_are_counted_on_the_smaller_category():
    # Table 23's leak: International migrant 0.00 of Obs 2,824 releases the ~7 who are migrants
    chk = checker()
    sh = pd.DataFrame({"Mean": [7 / 2824, 2817 / 2824, 0.5]}, index=["International migrant", "UK born", "Female"])
    out = chk.shares("Table 23", sh, n=2824)
    assert out.loc["International migrant", "Mean"] == SUPPRESSED  # 7 with the attribute
    assert out.loc["UK born", "Mean"] == SUPPRESSED  # 7 without it
    assert out.loc["Female", "Mean"] == 0.5
    counts = {(c["row"]): c["count"] for c in chk.outputs["Table 23"].cells}
    assert counts == {"International migrant": 7, "UK born": 7, "Female": 1412}
    # n_with given explicitly wins over share x n
    out = checker().shares(
        "T", pd.DataFrame({"Mean": [0.5]}, index=["x"]), n=100, n_with=pd.DataFrame({"Mean": [9]}, index=["x"])
    )
    assert out.loc["x", "Mean"] == SUPPRESSED


# ----------------------------------------------------------------------------- secondary suppression


def test_ls_table30_withheld_share_cannot_be_recovered_from_its_column():
    # parent class shares of movers add up to 1: with 0.45 and 0.42 shown, 1 - 0.45 - 0.42 = 0.13 (nine people)
    sh = pd.DataFrame({"Stayers": [0.40, 0.35, 0.25], "Movers": [0.45, 0.42, 0.13]}, index=ROWS)
    nw = pd.DataFrame({"Stayers": [400, 350, 250], "Movers": [31, 29, 9]}, index=ROWS)
    rel = columns_add_up(ROWS, ["Stayers", "Movers"])
    chk = checker()
    out = chk.shares("Table 30", sh, n={"Stayers": 1000, "Movers": 69}, n_with=nw, relations=rel)
    assert withheld_cells(chk, "Table 30") == {("Semi-skilled", "Movers"): "threshold", ("Skilled", "Movers"): "secondary"}
    shown = [v for v in out["Movers"] if v != SUPPRESSED]
    assert shown == [0.45]  # 1 - 0.45 leaves the sum of two withheld cells, not either of them
    hidden = [(r, c) for r in out.index for c in out.columns if out.loc[r, c] == SUPPRESSED]
    assert recoverable(hidden, rel) == set()
    # primary suppression alone leaves the subtraction open
    primary = checker(secondary=False).shares("Table 30", sh, n={"Stayers": 1000, "Movers": 69}, n_with=nw, relations=rel)
    assert recoverable([("Semi-skilled", "Movers")], rel) == {("Semi-skilled", "Movers")}
    assert (primary["Movers"] == SUPPRESSED).sum() == 1


def test_a_percentage_column_cannot_be_recovered_from_100():
    # movers_stayers Table 26: Mover column 96.8 / 3.2 per cent of 250 movers; 100 - 96.8 = 3.2 is eight people
    t = pd.DataFrame({"Stayer": [90.0, 10.0], "Mover": [96.8, 3.2]}, index=["No", "Yes"])
    chk = checker()
    out = chk.shares(
        "Table 26",
        t,
        n={"Stayer": 500, "Mover": 250},
        scale=100,
        relations=columns_add_up(["No", "Yes"], ["Stayer", "Mover"]),
    )
    assert list(out["Mover"]) == [SUPPRESSED, SUPPRESSED] and list(out["Stayer"]) == [90.0, 10.0]
    # the same column with the bigger cell safe by itself: secondary suppression withholds it
    t2 = pd.DataFrame({"Mover": [8.0, 92.0]}, index=["Yes", "No"])
    cnt = pd.DataFrame({"Mover": [8, 92]}, index=["Yes", "No"])
    chk = checker()
    out = chk.table("T", t2, cnt, relations=columns_add_up(["Yes", "No"], ["Mover"]))
    assert withheld_cells(chk, "T") == {("Yes", "Mover"): "threshold", ("No", "Mover"): "secondary"}


def test_secondary_suppression_across_rows_columns_and_known_totals():
    counts = pd.DataFrame({"A": [50, 5, 60], "B": [40, 30, 70], "C": [35, 45, 80]}, index=["x", "y", "z"])
    counts["Total"] = counts.sum(axis=1)
    counts.loc["Total"] = counts.sum()
    rel = table_totals(counts, "Total", "Total")
    chk = checker()
    out = chk.table("T", counts, counts, relations=rel)
    hidden = [(r, c) for r in out.index for c in out.columns if out.loc[r, c] == SUPPRESSED]
    assert ("y", "A") in hidden and len(hidden) >= 4  # a cell inside a table with margins needs a rectangle
    assert recoverable(hidden, rel) == set()
    assert all(out.loc[r, c] == counts.loc[r, c] for r in out.index for c in out.columns if (r, c) not in hidden)


def test_derived_columns_follow_the_cells_they_are_computed_from():
    # Table 25: Difference = Mover - Stayer; a withheld Mover share withholds the Difference and its p-value
    t = pd.DataFrame(
        {"Stayer": [2.9, 40.0], "Mover": [37.9, 44.0], "Difference": [35.0, 4.0], "pvalue": [0.001, 0.2]},
        index=["Follow my career", "Be near family"],
    )
    nw = pd.DataFrame({"Stayer": [30, 400], "Mover": [9, 110]}, index=t.index)
    chk = checker()
    chk.shares(
        "Table 25",
        t,
        n={"Stayer": 1000, "Mover": 250},
        n_with=nw,
        scale=100,
        derived={"Difference": ["Stayer", "Mover"], "pvalue": ["Stayer", "Mover"]},
    )
    w = withheld_cells(chk, "Table 25")
    assert w == {
        ("Follow my career", "Mover"): "threshold",
        ("Follow my career", "Difference"): "derived",
        ("Follow my career", "pvalue"): "derived",
    }
    assert chk.released_rows("Table 25", ["Difference", "pvalue"]) == ["Be near family"]


# ----------------------------------------------------------------------------- magnitudes


def test_means_are_checked_as_magnitudes():
    data = pd.DataFrame(
        {
            "group": ["a"] * 12 + ["b"] * 5 + ["c"] * 20,
            "income": [1_000_000] + [100] * 11 + [200] * 5 + list(range(100, 120)),
        }
    )
    chk = checker()
    out = chk.means("Income", data, "income", rows="group")
    assert withheld_cells(chk, "Income") == {("a", "income"): "dominance", ("b", "income"): "threshold"}
    assert out.loc["c", "income"] == pytest.approx(109.5)


def test_descriptives_withhold_rare_dummies_extremes_and_dominated_means():
    rng = np.random.default_rng(0)
    n = 2824
    data = pd.DataFrame(
        {"migrant": np.r_[np.ones(7), np.zeros(n - 7)], "female": rng.integers(0, 2, n), "income": rng.gamma(2.0, 10_000, n)}
    )
    chk = checker()
    out = chk.describe("Table 23", data)
    assert out.loc["migrant", "Mean"] == SUPPRESSED and out.loc["migrant", "Obs."] == n
    assert out.loc["female", "Mean"] != SUPPRESSED and out.loc["income", "Mean"] != SUPPRESSED
    assert out.loc["income", "Min."] == SUPPRESSED and out.loc["income", "Max."] == SUPPRESSED
    # the dummies of one categorical variable add up to 1: a withheld share takes another with it, and a
    # 0/1 variable's standard deviation, which gives its mean back, goes with its mean
    cls = np.repeat(["routine", "intermediate", "higher"], [7, 1400, n - 1407])
    dummies = pd.DataFrame({k: (cls == k).astype(float) for k in ("routine", "intermediate", "higher")})
    chk = checker()
    out = chk.describe("Table 23", dummies, groups=[["routine", "intermediate", "higher"]])
    assert withheld_cells(chk, "Table 23") == {
        ("routine", "Mean"): "threshold",
        ("routine", "Std. dev."): "derived",
        ("intermediate", "Mean"): "secondary",
        ("intermediate", "Std. dev."): "derived",
        ("routine", "Min."): "threshold",
        ("routine", "Max."): "threshold",
    }
    assert out.loc["higher", "Mean"] == pytest.approx((n - 1407) / n)
    data.loc[0, "income"] = 1e12  # one person's income dominates the mean
    out = checker().describe("Table 23", data)
    assert out.loc["income", "Mean"] == SUPPRESSED


# ----------------------------------------------------------------------------- regressions


def _est(nobs, cells, df_resid=None):
    coefs = pd.DataFrame(
        {"estimate": [0.1, 0.2], "se": [0.01, 0.02], "pvalue": [0.01, 0.02]}, index=["Mover", "Non-white x mover"]
    )
    return Estimates(coefs, nobs=nobs, cells=cells, df_resid=df_resid, influence=dict.fromkeys(coefs.index, 0.0))


def test_regression_needs_ten_residual_degrees_of_freedom():
    cells = {"Mover": 500, "Non-white x mover": 500}
    out = checker().estimates("M", _est(1000, cells, df_resid=9))
    assert out.coefs[["estimate", "se", "pvalue"]].isna().all().all()
    out = checker().estimates("M", _est(1000, cells, df_resid=10))
    assert not out.coefs["estimate"].isna().any()
    out = checker().estimates("M", _est(11, cells))  # no df_resid: nobs - parameters shown, an upper bound
    assert out.coefs["estimate"].isna().all()  # 11 - 2 = 9 < 10
    assert isinstance(out, Estimates) and out.nobs == 11


def test_regression_rows_resting_on_a_small_group_are_withheld():
    chk = checker()
    out = chk.estimates("Table 27 Employed", _est(1000, {"Mover": 500, "Non-white x mover": 7}, df_resid=900))
    assert out.coefs.loc["Mover", "estimate"] == 0.1
    assert out.coefs.loc["Non-white x mover", ["estimate", "se", "pvalue"]].isna().all()
    assert chk.glue_text("Table 27 Employed", "Non-white x mover", "estimate", "{:.2f}") == SUPPRESSED
    assert chk.glue_text("Table 27 Employed", "Mover", "estimate", "{:.2f}") == "0.10"


def test_rendered_regression_tables_show_c_not_blanks():

    chk = checker()
    chk.estimates("Table 27 Employed", _est(1000, {"Mover": 500, "Non-white x mover": 7}, df_resid=900))
    t = Table(pd.DataFrame({"Employed": ["0.10*", ""], "Other": ["x", "y"]}, index=["Mover", "Non-white x mover"]))
    chk.mark(t, "Table 27 Employed", column="Employed")
    assert t.frame.loc["Non-white x mover", "Employed"] == SUPPRESSED and t.frame.loc["Mover", "Employed"] == "0.10*"
    assert t.frame.loc["Non-white x mover", "Other"] == "y"


def test_a_group_too_small_to_estimate_is_withheld_not_a_crash():
    def singular():
        raise np.linalg.LinAlgError("Singular matrix")

    chk = checker()
    assert chk.estimable("Table 27 Non-white", singular, rows=["Non-white"]) is None
    assert withheld_cells(chk, "Table 27 Non-white") == {("Non-white", "estimate"): "not estimable"}
    assert chk.glue_text("Table 27 Non-white", "Non-white", "estimate") == SUPPRESSED
    y = np.array([0, 0, 0, 1, 1, 1.0])
    x = sm.add_constant(np.array([1, 2, 3, 4, 5, 6.0]))
    assert estimable(lambda: sm.Probit(y, x).fit(disp=0)).reason.startswith("perfect separation")
    assert chk.estimable("ok", lambda: 42) == 42
    one_cluster = sm.OLS(y, x).fit
    assert "single cluster" in estimable(one_cluster, cov_type="cluster", cov_kwds={"groups": np.zeros(6, int)}).reason
    with pytest.raises(ZeroDivisionError):  # other errors are real bugs: not hidden
        chk.estimable("bug", lambda: 1 / 0)


# ----------------------------------------------------------------------------- figures and prose


def test_figure_points_on_few_people_are_dropped_or_gapped():
    data = pd.DataFrame({"age": [20, 21, 22], "rate": [0.1, 0.2, 0.3], "n": [50, 4, 0]})
    chk = checker()
    assert list(chk.figure("Fig 1", data, "n")["age"]) == [20]
    gapped = checker().figure("Fig 1", data, "n", value="rate")
    assert gapped["rate"].isna().tolist() == [False, True, True]


def test_prose_uses_only_released_cells():
    sh = pd.DataFrame({"Stayers": [0.40, 0.35, 0.25], "Movers": [0.45, 0.42, 0.13]}, index=ROWS)
    nw = pd.DataFrame({"Stayers": [400, 350, 250], "Movers": [31, 29, 9]}, index=ROWS)
    chk = checker()
    chk.shares(
        "Table 30", sh, n={"Stayers": 1000, "Movers": 69}, n_with=nw, relations=columns_add_up(ROWS, ["Stayers", "Movers"])
    )
    assert chk.glue_text("Table 30", "Semi-skilled", "Movers", "{:.2f}") == SUPPRESSED
    assert chk.glue_text("Table 30", "Skilled", "Movers", "{:.2f}") == SUPPRESSED  # the secondary cell too
    assert chk.glue_text("Table 30", "Professional", "Movers", "{:.2f}") == "0.45"
    assert chk.glue_text("Table 30", "Professional", "Movers", "{:.0%}", value=0.45) == "45%"
    # a number never checked is not released either, and the record says so
    assert chk.glue_text("Table 99", "x", "y") == SUPPRESSED
    assert chk.outputs["Table 99 (prose)"].cells[0]["rule"] == "unchecked"
    # on synthetic data the checker is inactive: everything passes, prose helpers work the same
    off = Checker("t", None, active=False)
    off.shares("Table 30", sh, n=69)
    assert off.glue_text("Table 30", "Semi-skilled", "Movers", "{:.2f}") == "0.13"


def test_the_page_lists_what_was_withheld_and_why_but_no_counts():
    chk = checker()
    chk.shares("Table 23", pd.DataFrame({"Mean": [7 / 2824]}, index=["International migrant"]), n=2824)
    shown = chk.withheld()
    assert shown.to_dict("records") == [
        {"output": "Table 23", "row": "International migrant", "column": "Mean", "rule": REASONS["threshold"]}
    ]
    assert "7" not in shown.to_string() and "2824" not in shown.to_string()
    text = banner_text(chk)
    assert (
        "1 cell was withheld" in text and "at least 10 people" in text and "dominance" not in text
    )  # no claim of a check not made
    assert "No output of this page was checked" in banner_text(checker())


# ----------------------------------------------------------------------------- a whole page: counts of people (issue 25 case 2)


def test_a_model_count_that_gives_away_a_withheld_group_is_withheld(effect, ls_like_sample, checker_with_facts):
    sample = ls_like_sample()
    chk = checker_with_facts(sample)
    assert chk.glue_text("Sample (prose)", "pct_no_parent_class", "value") == SUPPRESSED
    m1 = chk.estimates("Models 1-3: Employed, Model 1", effect(sample.index))
    m3 = chk.estimates("Models 1-3: Employed, Model 3", effect(sample.index[sample["parent_class"].notna()]))
    assert m1.nobs == 376 and tables.observations(m1) == 376
    assert m3.nobs is None and tables.observations(m3) == SUPPRESSED  # 376 - 367 = 9 is not on the page
    assert m3.coefs.loc["Mover", "estimate"] == 0.1  # the effect itself is safe; only the count goes
    rules = {r for r in chk.withheld()["rule"]}
    assert REASONS["differencing"] in rules
    # a table built from them shows [c], not 367
    shown = tables.regression_table({"Model 1": m1, "Model 3": m3})
    assert list(shown.frame.loc["Observations"]) == ["376", SUPPRESSED]


def test_nested_counts_a_threshold_apart_are_both_released_and_unrelated_counts_are_not_compared(effect, checker_with_facts):
    sample = pd.DataFrame({"parent_class": [1.0] * 366 + [np.nan] * 10, "mover": [0, 1] * 188})
    chk = checker_with_facts(sample)
    m3 = chk.estimates("M3", effect(sample.index[sample["parent_class"].notna()]))
    assert m3.nobs == 366
    other = chk.estimates("Other", effect(range(1000, 1370)))  # 370 people, none of them in the sample
    assert other.nobs == 370


# ----------------------------------------------------------------------------- case 3: influence


def _checked_income(d):
    fit = smf.ols("income ~ mover * C(nonwhite) + age", d).fit()
    est = margins.mover_effects(fit, d, "mover", by="nonwhite").with_(nobs=len(d), cells={0: 100, 1: 20})
    chk = Checker("movers_stayers", {})
    return chk, chk.estimates("Table 27 Income", est, dof=float(fit.df_resid))


def test_one_income_of_999999_cannot_carry_a_released_effect(income_world):
    chk, out = _checked_income(income_world(outlier=True))
    assert np.isnan(out.coefs.loc[1, "estimate"])  # the non-white effect rests on one person
    cell = next(c for c in chk.outputs["Table 27 Income"].cells if c["row"] == "1")
    assert cell["rule"] == "influence" and "largest one-person change" in cell["detail"]
    assert REASONS["influence"] in set(chk.withheld()["rule"])
    chk, out = _checked_income(income_world(outlier=False))
    assert out.coefs["estimate"].notna().all()  # without the outlier every effect is released


def test_leave_one_out_matches_refitting_without_each_row(income_world):
    """The cheap measure (exact for OLS, one Newton step for a probit) against real refits on 40 rows."""
    d = income_world(n=40, seed=3)
    x = sm.add_constant(d[["mover", "age"]].to_numpy(dtype=float))
    for model, y, tol in ((sm.OLS, d["income"], 1e-6), (sm.Probit, d["employed"], 0.2)):
        y = y.to_numpy(dtype=float)
        opts = {"disp": 0} if model is sm.Probit else {}
        full = model(y, x).fit(**opts)
        step, _ = margins.leave_one_out(full)
        exact = np.vstack(
            [model(np.delete(y, i), np.delete(x, i, axis=0)).fit(**opts).params - full.params for i in range(len(y))]
        )
        assert np.abs(step - exact).max() <= tol * np.abs(exact).max(), model.__name__


def test_influence_rule_is_in_the_yaml_and_can_be_changed(income_world):
    assert Rules.of(None).influence == 1.0
    chk = Checker("t", {"influence": 20})
    d = income_world(outlier=True)
    fit = smf.ols("income ~ mover * C(nonwhite) + age", d).fit()
    eff = margins.mover_effects(fit, d, "mover", by="nonwhite")
    assert eff.influence[1] > 10 > eff.influence[0]
    out = chk.estimates("T", eff, dof=300)
    assert out.coefs["estimate"].notna().all()


# ----------------------------------------------------------------------------- a withheld group listed once


def test_a_withheld_group_is_not_listed_twice_on_the_page(effect, ls_like_sample, checker_with_facts):
    sample = ls_like_sample()
    chk = checker_with_facts(sample)
    chk.estimates("M3", effect(sample.index[sample["parent_class"].notna()]))
    listed = chk.withheld()
    assert list(listed["row"]).count("pct_no_parent_class") == 1  # as the prose fact, not again as a page count
    assert "M3: observations" in set(listed["row"])


def test_a_count_in_a_figure_caption_is_checked_with_the_page_counts(ls_like_sample, checker_with_facts):
    """A figure's caption or annotation ("N = 367") is a count of people on the page like any other: it may not
    differ from another by a small group (here the nine without a parental class), nor be a small group itself."""
    sample = ls_like_sample()
    chk = checker_with_facts(sample)  # the prose prints 376 and withholds the nine
    chk.figure("Figure 1", pd.DataFrame({"n": [200, 167]}, index=["Stayers", "Movers"]), count="n")
    with_class = sample.index[sample["parent_class"].notna()]
    assert f"N = {chk.count_text('Figure 1 (caption): N', with_class)}" == "N = [c]"  # 376 - 367 = 9
    assert chk.count_text("Figure 2 (caption): N", sample.index, "{:,} people") == "376 people"
    assert chk.count_text("Figure 3 (annotation): movers", sample.index[:6]) == SUPPRESSED  # six people in themselves
    listed = chk.withheld().set_index("row")["rule"]
    assert listed["Figure 1 (caption): N"] == REASONS["differencing"]
    assert listed["Figure 3 (annotation): movers"] == REASONS["threshold"]
    assert Checker("t", {}, active=False).count_text("N", range(6)) == "6"
