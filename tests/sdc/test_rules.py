"""One test per output-checking rule of movers.sdc, on small hand-made tables whose answer is known.

The cases are the leaks found when the book was tried as a secure-lab output checker would
(issue 16): LS Table 30 recovered by subtraction (1 - 0.45 - 0.42 = 0.13, nine people), a
Mover column recovered from 100 per cent (100 - 96.8 = 3.2), a share of 0.00 of 2,824 people
releasing seven, prose glued from a withheld cell.
"""

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from movers import sdc
from movers.core import paths, source
from movers.core.errors import InputError
from movers.estimators.results import Estimates

ROWS = ["Professional", "Skilled", "Semi-skilled"]


def checker(**rules):
    return sdc.Checker("test", rules)


def withheld_cells(chk, name):
    return {(c["row"], c["column"]): c["rule"] for c in chk.outputs[name].cells if c["outcome"] == "withheld"}


# ----------------------------------------------------------------------------- rules come from the YAML


def test_a_checker_without_rules_reads_the_yaml(monkeypatch, tmp_path):
    monkeypatch.setattr(sdc, "load_rules", lambda: {"threshold": 20, "safe_dof": 30})
    assert sdc.Rules.of(None).threshold == 20
    assert sdc.start_run("t", "restricted", build=tmp_path).rules.safe_dof == 30
    out = sdc.Checker("t").table("T", pd.DataFrame({"n": [15]}), pd.DataFrame({"n": [15]}))
    assert out.loc[0, "n"] == sdc.SUPPRESSED


def test_rules_file_holds_acro_defaults_and_bad_rules_are_refused(tmp_path):
    assert sdc.Rules.of(source.load_rules()) == sdc.Rules() == sdc.Rules(10, 10, 2, 0.9, 0.1, True, True)
    assert sdc.Rules.of(None) == sdc.Rules()  # no rules given: the YAML
    stricter = tmp_path / "lab.yml"
    stricter.write_text(yaml.safe_dump({"threshold": 20}))
    src = source.DataSource("restricted", tmp_path, rules=source.load_rules(stricter))
    assert sdc.Rules.of(src).threshold == 20 and sdc.Rules.of(src).safe_dof == 10  # a missing key keeps ACRO's default
    assert sdc.start_run("t", src, build=tmp_path).rules.threshold == 20
    with pytest.raises(InputError, match="unknown rule"):
        sdc.Rules.of({"treshold": 5})
    with pytest.raises(InputError, match="threshold must be a non-negative number"):
        sdc.Rules.of({"threshold": "ten"})
    with pytest.raises(InputError, match="zeros_are_disclosive must be true or false"):
        sdc.Rules.of({"zeros_are_disclosive": 1})


# ----------------------------------------------------------------------------- primary suppression


def test_threshold_withholds_fewer_than_ten_and_releases_ten():
    counts = pd.DataFrame({"Stayers": [120, 10], "Movers": [9, 40]}, index=["a", "b"])
    chk = checker(secondary=False)
    out = chk.table("T", counts, counts)
    assert withheld_cells(chk, "T") == {("a", "Movers"): "threshold"}
    assert out.loc["a", "Movers"] == sdc.SUPPRESSED and out.loc["b", "Stayers"] == 10
    out = checker(threshold=20, secondary=False).table("T", counts, counts)  # the threshold is the YAML's, not a constant
    assert out.loc["b", "Stayers"] == sdc.SUPPRESSED


def test_zero_cells_are_disclosive_unless_the_rules_say_otherwise():
    counts = pd.DataFrame({"Stayers": [120, 0], "Movers": [50, 40]}, index=["a", "b"])
    chk = checker(secondary=False)
    out = chk.table("T", counts, counts)
    assert out.loc["b", "Stayers"] == sdc.SUPPRESSED and withheld_cells(chk, "T") == {("b", "Stayers"): "zero"}
    out = checker(secondary=False, zeros_are_disclosive=False).table("T", counts, counts)
    assert out.loc["b", "Stayers"] == 0


def test_shares_are_counted_on_the_smaller_category():
    # Table 23's leak: International migrant 0.00 of Obs 2,824 releases the ~7 who are migrants
    chk = checker()
    sh = pd.DataFrame({"Mean": [7 / 2824, 2817 / 2824, 0.5]}, index=["International migrant", "UK born", "Female"])
    out = chk.shares("Table 23", sh, n=2824)
    assert out.loc["International migrant", "Mean"] == sdc.SUPPRESSED  # 7 with the attribute
    assert out.loc["UK born", "Mean"] == sdc.SUPPRESSED  # 7 without it
    assert out.loc["Female", "Mean"] == 0.5
    counts = {(c["row"]): c["count"] for c in chk.outputs["Table 23"].cells}
    assert counts == {"International migrant": 7, "UK born": 7, "Female": 1412}
    # n_with given explicitly wins over share x n
    out = checker().shares(
        "T", pd.DataFrame({"Mean": [0.5]}, index=["x"]), n=100, n_with=pd.DataFrame({"Mean": [9]}, index=["x"])
    )
    assert out.loc["x", "Mean"] == sdc.SUPPRESSED


# ----------------------------------------------------------------------------- secondary suppression


def test_ls_table30_withheld_share_cannot_be_recovered_from_its_column():
    # parent class shares of movers add up to 1: with 0.45 and 0.42 shown, 1 - 0.45 - 0.42 = 0.13 (nine people)
    sh = pd.DataFrame({"Stayers": [0.40, 0.35, 0.25], "Movers": [0.45, 0.42, 0.13]}, index=ROWS)
    nw = pd.DataFrame({"Stayers": [400, 350, 250], "Movers": [31, 29, 9]}, index=ROWS)
    rel = sdc.columns_add_up(ROWS, ["Stayers", "Movers"])
    chk = checker()
    out = chk.shares("Table 30", sh, n={"Stayers": 1000, "Movers": 69}, n_with=nw, relations=rel)
    assert withheld_cells(chk, "Table 30") == {("Semi-skilled", "Movers"): "threshold", ("Skilled", "Movers"): "secondary"}
    shown = [v for v in out["Movers"] if v != sdc.SUPPRESSED]
    assert shown == [0.45]  # 1 - 0.45 leaves the sum of two withheld cells, not either of them
    hidden = [(r, c) for r in out.index for c in out.columns if out.loc[r, c] == sdc.SUPPRESSED]
    assert sdc.recoverable(hidden, rel) == set()
    # primary suppression alone leaves the subtraction open
    primary = checker(secondary=False).shares("Table 30", sh, n={"Stayers": 1000, "Movers": 69}, n_with=nw, relations=rel)
    assert sdc.recoverable([("Semi-skilled", "Movers")], rel) == {("Semi-skilled", "Movers")}
    assert (primary["Movers"] == sdc.SUPPRESSED).sum() == 1


def test_a_percentage_column_cannot_be_recovered_from_100():
    # movers_stayers Table 26: Mover column 96.8 / 3.2 per cent of 250 movers; 100 - 96.8 = 3.2 is eight people
    t = pd.DataFrame({"Stayer": [90.0, 10.0], "Mover": [96.8, 3.2]}, index=["No", "Yes"])
    chk = checker()
    out = chk.shares(
        "Table 26",
        t,
        n={"Stayer": 500, "Mover": 250},
        scale=100,
        relations=sdc.columns_add_up(["No", "Yes"], ["Stayer", "Mover"]),
    )
    assert list(out["Mover"]) == [sdc.SUPPRESSED, sdc.SUPPRESSED] and list(out["Stayer"]) == [90.0, 10.0]
    # the same column with the bigger cell safe by itself: secondary suppression withholds it
    t2 = pd.DataFrame({"Mover": [8.0, 92.0]}, index=["Yes", "No"])
    cnt = pd.DataFrame({"Mover": [8, 92]}, index=["Yes", "No"])
    chk = checker()
    out = chk.table("T", t2, cnt, relations=sdc.columns_add_up(["Yes", "No"], ["Mover"]))
    assert withheld_cells(chk, "T") == {("Yes", "Mover"): "threshold", ("No", "Mover"): "secondary"}


def test_secondary_suppression_across_rows_columns_and_known_totals():
    counts = pd.DataFrame({"A": [50, 5, 60], "B": [40, 30, 70], "C": [35, 45, 80]}, index=["x", "y", "z"])
    counts["Total"] = counts.sum(axis=1)
    counts.loc["Total"] = counts.sum()
    rel = sdc.table_totals(counts, "Total", "Total")
    chk = checker()
    out = chk.table("T", counts, counts, relations=rel)
    hidden = [(r, c) for r in out.index for c in out.columns if out.loc[r, c] == sdc.SUPPRESSED]
    assert ("y", "A") in hidden and len(hidden) >= 4  # a cell inside a table with margins needs a rectangle
    assert sdc.recoverable(hidden, rel) == set()
    assert all(out.loc[r, c] == counts.loc[r, c] for r in out.index for c in out.columns if (r, c) not in hidden)


def test_recoverable_is_exact_where_counting_withheld_cells_per_relation_is_not():
    # a + b + c = K and a + b = K': every relation holds two withheld cells, yet c = K - K'
    rel = [sdc.adds_up([("a", "v"), ("b", "v"), ("c", "v")]), sdc.adds_up([("a", "v"), ("b", "v")])]
    assert sdc.recoverable([("a", "v"), ("b", "v"), ("c", "v")], rel) == {("c", "v")}
    # a + b + c + d = K and a + b = K' with a, b, c withheld and d shown: c = K - K' - d, though no
    # relation holds a single withheld cell; protect withholds d
    why = pd.DataFrame({"v": ["threshold", "threshold", "threshold", "", ""]}, index=["a", "b", "c", "d", "e"])
    cnt = pd.DataFrame({"v": [5, 5, 5, 50, 40]}, index=why.index)
    rel2 = [sdc.adds_up([("a", "v"), ("b", "v"), ("c", "v"), ("d", "v")]), sdc.adds_up([("a", "v"), ("b", "v")])]
    assert sdc.recoverable([("a", "v"), ("b", "v"), ("c", "v")], rel2) == {("c", "v")}
    out = sdc.protect(why, cnt, rel2)
    assert out["v"].tolist() == ["threshold", "threshold", "threshold", "secondary", ""]
    assert sdc.recoverable([(r, "v") for r in out.index if out.loc[r, "v"]], rel2) == set()
    # and a pattern with no exact solution is left alone
    assert sdc.recoverable([("a", "v"), ("b", "v")], [sdc.adds_up([("a", "v"), ("b", "v")])]) == set()


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


def test_dominance_n2_k09():
    r = sdc.Rules()
    assert sdc.dominance([500, 420] + [10] * 8, r) == "dominance"  # the top two hold 920 of 1,000
    assert sdc.dominance([450, 450, 100], r) == ""  # exactly 0.9 is allowed
    assert sdc.dominance([400, 380] + [30] * 8, r) == ""
    assert sdc.dominance([-500, 420] + [10] * 8, r) == "dominance"  # a loss identifies as much as an income
    assert sdc.dominance([500, 420] + [10] * 8, sdc.Rules(dominance_k=0.95)) == ""


def test_p_ratio_01():
    # at ACRO's n=2, k=0.9 the n-k rule implies the p-ratio (T - x1 - x2 >= 0.1 T >= 0.1 x1); with n=1 it bites alone
    r = sdc.Rules(dominance_n=1)
    assert sdc.dominance([50, 45, 4], r) == "p-ratio"  # 99 - 50 - 45 = 4 < 0.1 x 50
    assert sdc.dominance([50, 40, 10], r) == ""  # 10 >= 5
    assert sdc.dominance([50, 45, 4], sdc.Rules(dominance_n=1, p_ratio=0.05)) == ""
    rng = np.random.default_rng(1)
    for _ in range(200):
        x = rng.pareto(1.0, size=int(rng.integers(3, 30)))
        assert sdc.dominance(x, sdc.Rules()) != "p-ratio"


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
    assert out.loc["migrant", "Mean"] == sdc.SUPPRESSED and out.loc["migrant", "Obs."] == n
    assert out.loc["female", "Mean"] != sdc.SUPPRESSED and out.loc["income", "Mean"] != sdc.SUPPRESSED
    assert out.loc["income", "Min."] == sdc.SUPPRESSED and out.loc["income", "Max."] == sdc.SUPPRESSED
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
    assert out.loc["income", "Mean"] == sdc.SUPPRESSED


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
    assert chk.glue_text("Table 27 Employed", "Non-white x mover", "estimate", "{:.2f}") == sdc.SUPPRESSED
    assert chk.glue_text("Table 27 Employed", "Mover", "estimate", "{:.2f}") == "0.10"


def test_rendered_regression_tables_show_c_not_blanks():
    from movers.pages.tables import Table

    chk = checker()
    chk.estimates("Table 27 Employed", _est(1000, {"Mover": 500, "Non-white x mover": 7}, df_resid=900))
    t = Table(pd.DataFrame({"Employed": ["0.10*", ""], "Other": ["x", "y"]}, index=["Mover", "Non-white x mover"]))
    chk.mark(t, "Table 27 Employed", column="Employed")
    assert t.frame.loc["Non-white x mover", "Employed"] == sdc.SUPPRESSED and t.frame.loc["Mover", "Employed"] == "0.10*"
    assert t.frame.loc["Non-white x mover", "Other"] == "y"


def test_a_group_too_small_to_estimate_is_withheld_not_a_crash():
    import statsmodels.api as sm

    def singular():
        raise np.linalg.LinAlgError("Singular matrix")

    chk = checker()
    assert chk.estimable("Table 27 Non-white", singular, rows=["Non-white"]) is None
    assert withheld_cells(chk, "Table 27 Non-white") == {("Non-white", "estimate"): "not estimable"}
    assert chk.glue_text("Table 27 Non-white", "Non-white", "estimate") == sdc.SUPPRESSED
    y = np.array([0, 0, 0, 1, 1, 1.0])
    x = sm.add_constant(np.array([1, 2, 3, 4, 5, 6.0]))
    assert sdc.estimable(lambda: sm.Probit(y, x).fit(disp=0)).reason.startswith("perfect separation")
    assert chk.estimable("ok", lambda: 42) == 42
    one_cluster = sm.OLS(y, x).fit
    assert "single cluster" in sdc.estimable(one_cluster, cov_type="cluster", cov_kwds={"groups": np.zeros(6, int)}).reason
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
        "Table 30", sh, n={"Stayers": 1000, "Movers": 69}, n_with=nw, relations=sdc.columns_add_up(ROWS, ["Stayers", "Movers"])
    )
    assert chk.glue_text("Table 30", "Semi-skilled", "Movers", "{:.2f}") == sdc.SUPPRESSED
    assert chk.glue_text("Table 30", "Skilled", "Movers", "{:.2f}") == sdc.SUPPRESSED  # the secondary cell too
    assert chk.glue_text("Table 30", "Professional", "Movers", "{:.2f}") == "0.45"
    assert chk.glue_text("Table 30", "Professional", "Movers", "{:.0%}", value=0.45) == "45%"
    # a number never checked is not released either, and the record says so
    assert chk.glue_text("Table 99", "x", "y") == sdc.SUPPRESSED
    assert chk.outputs["Table 99 (prose)"].cells[0]["rule"] == "unchecked"
    # on synthetic data the checker is inactive: everything passes, prose helpers work the same
    off = sdc.Checker("t", None, active=False)
    off.shares("Table 30", sh, n=69)
    assert off.glue_text("Table 30", "Semi-skilled", "Movers", "{:.2f}") == "0.13"


def test_the_page_lists_what_was_withheld_and_why_but_no_counts():
    chk = checker()
    chk.shares("Table 23", pd.DataFrame({"Mean": [7 / 2824]}, index=["International migrant"]), n=2824)
    shown = chk.withheld()
    assert shown.to_dict("records") == [
        {"output": "Table 23", "row": "International migrant", "column": "Mean", "rule": sdc.REASONS["threshold"]}
    ]
    assert "7" not in shown.to_string() and "2824" not in shown.to_string()
    text = sdc.banner_text(chk)
    assert (
        "1 cell(s) were withheld" in text and "at least 10 people" in text and "dominance" not in text
    )  # no claim of a check not made
    assert "No output of this page was checked" in sdc.banner_text(checker())


# ----------------------------------------------------------------------------- the record and the run


def test_record_is_written_outside_the_book_with_the_counts(tmp_path):
    src = source.DataSource("restricted", tmp_path / "secure", rules=source.load_rules())
    chk = sdc.start_run("ls_deprived", src, build=tmp_path)
    chk.shares("Table 23", pd.DataFrame({"Mean": [7 / 2824, 0.5]}, index=["International migrant", "Female"]), n=2824)
    path = chk.write()
    assert path == tmp_path / "output_checking" / "ls_deprived" / "record.json"
    assert not path.is_relative_to(tmp_path / "html") and not path.is_relative_to(tmp_path / "src")
    assert sdc.checking_folder("x") == paths.BUILD / "output_checking" / "x"
    rec = json.loads(path.read_text())
    out = rec["outputs"][0]
    assert out["output"] == "Table 23" and out["outcome"] == "released with 1 cell(s) withheld"
    cell = out["cells"][0]
    assert (cell["outcome"], cell["rule"], cell["count"]) == ("withheld", "threshold", 7) and "with=7" in cell["detail"]
    assert rec["rules"]["threshold"] == 10 and any("smaller category" in r for r in out["rules_applied"])
    assert (path.parent / "cells.csv").read_text().count("\n") == 3
    # synthetic and public runs write nothing
    off = sdc.start_run("ls_deprived", "synthetic", build=tmp_path)
    assert off.write() is None and not (tmp_path / "output_checking" / "ls_deprived").exists()


def test_start_run_clears_stale_checking_files(tmp_path):
    folder = tmp_path / "output_checking" / "movers_stayers"
    folder.mkdir(parents=True)
    (folder / "record.json").write_text("{}")
    old = tmp_path / "output_checking" / "movers_stayers_counts.csv"
    old.write_text("table,row,column,count\n")
    other = tmp_path / "output_checking" / "ls_deprived"
    other.mkdir()
    sdc.start_run("movers_stayers", "restricted", build=tmp_path)
    assert not folder.exists() and not old.exists() and other.exists()
    assert [p.name for p in (tmp_path / "output_checking").iterdir()] == ["ls_deprived"]


# ----------------------------------------------------------------------------- hygiene


def test_scrub_removes_paths_identifiers_and_raw_values(tmp_path):
    secure = tmp_path / "SecureLab" / "ukhls"
    msg = (
        f"InputError: {secure}/a_indresp.tab: bad value in row of pidp 68001367 (pidp=68001367); "
        f"file /mnt/other/xwavedat.dta; income 1234567"
    )
    out = sdc.scrub(msg, [secure])
    assert str(secure) not in out and str(tmp_path) not in out and "68001367" not in out and "1234567" not in out
    assert "xwavedat.dta" not in out and "<restricted data>" in out and "pidp <id>" in out
    assert "InputError" in out and "bad value" in out  # the variable and the rule stay
    assert sdc.scrub("Table 30: 0.45 of 2,824 people") == "Table 30: 0.45 of 2,824 people"  # ordinary numbers stay


def test_failed_notebooks_keep_only_the_scrubbed_error(tmp_path):
    secure = "/secure/ls_extract"
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "source": [f"data_path = '{secure}'"],
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": ["lsnum 123456789 income 45210\n"]},
                    {"output_type": "display_data", "data": {"text/plain": ["0.13"]}, "metadata": {}},
                ],
            },
            {
                "cell_type": "code",
                "source": ["fit()"],
                "outputs": [
                    {
                        "output_type": "error",
                        "ename": "LinAlgError",
                        "evalue": f"singular in {secure}/ls.csv for lsnum 123456789",
                        "traceback": [f"File {secure}/ls.csv, pidp 77"],
                    }
                ],
            },
        ],
        "metadata": {"papermill": {"parameters": {"data_path": secure}}},
    }
    src = tmp_path / "failed_in.ipynb"
    src.write_text(json.dumps(nb))
    dst = sdc.scrub_notebook_file(src, tmp_path / "failed" / "ls_deprived.ipynb", [secure])
    text = dst.read_text()
    assert secure not in text and "123456789" not in text and "45210" not in text and "pidp 77" not in text
    cells = json.loads(text)["cells"]
    assert cells[0]["outputs"] == [] and cells[1]["outputs"][0]["ename"] == "LinAlgError"
