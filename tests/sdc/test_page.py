"""Disclosure across a whole page and in regression results (issue 25, cases 2 and 3).

Case 2: ``ls_deprived`` withheld "[c] per cent have no parental class and drop out of Model 3" (nine
people) while its models table printed Observations 376 | 376 | 367: 376 - 367 = 9. Counts of people
are now checked against every other count on the page whose group holds them.

Case 3: one income set to 999,999 moved the released non-white income effect from 544.9 to 11,419.4
and the page said it passed the checks. A released coefficient may now not move by more than
``influence`` standard errors when one person is left out.
"""

import json

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from movers import sdc
from movers.estimators import margins
from movers.estimators.results import Estimates
from movers.pages import micro as micro_pages, tables


def _effect(units, nobs=None):
    coefs = pd.DataFrame({"estimate": [0.1], "se": [0.01], "pvalue": [0.01]}, index=["Mover"])
    return Estimates(
        coefs, nobs=nobs or len(units), cells={"Mover": 100}, df_resid=300, units=pd.Index(units), influence={"Mover": 0.2}
    )


def _ls_like_sample():
    """376 people, nine of them without a parental class (the LS case)."""
    sample = pd.DataFrame({"parent_class": [1.0] * 367 + [np.nan] * 9, "mover": [0, 1] * 188})
    return sample


def _checker_with_facts(sample, threshold=10):
    chk = sdc.Checker("ls_deprived", {"threshold": threshold})
    n_no = int(sample["parent_class"].isna().sum())
    micro_pages.checked_facts(
        chk,
        "Sample (prose)",
        {"n_sample": len(sample), "pct_no_parent_class": 100 * n_no / len(sample)},
        {"n_sample": len(sample), "pct_no_parent_class": n_no},
        micro_pages.LS_FORMATS,
    )
    micro_pages.register_sample(chk, sample, {"pct_no_parent_class": sample.index[sample["parent_class"].isna()]})
    return chk


def test_a_model_count_that_gives_away_a_withheld_group_is_withheld():
    sample = _ls_like_sample()
    chk = _checker_with_facts(sample)
    assert chk.glue_text("Sample (prose)", "pct_no_parent_class", "value") == sdc.SUPPRESSED
    m1 = chk.estimates("Models 1-3: Employed, Model 1", _effect(sample.index))
    m3 = chk.estimates("Models 1-3: Employed, Model 3", _effect(sample.index[sample["parent_class"].notna()]))
    assert m1.nobs == 376 and tables.observations(m1) == 376
    assert m3.nobs is None and tables.observations(m3) == sdc.SUPPRESSED  # 376 - 367 = 9 is not on the page
    assert m3.coefs.loc["Mover", "estimate"] == 0.1  # the effect itself is safe; only the count goes
    rules = {r for r in chk.withheld()["rule"]}
    assert sdc.REASONS["differencing"] in rules
    # a table built from them shows [c], not 367
    shown = tables.regression_table({"Model 1": m1, "Model 3": m3})
    assert list(shown.frame.loc["Observations"]) == ["376", sdc.SUPPRESSED]


def test_nested_counts_a_threshold_apart_are_both_released_and_unrelated_counts_are_not_compared():
    sample = pd.DataFrame({"parent_class": [1.0] * 366 + [np.nan] * 10, "mover": [0, 1] * 188})
    chk = _checker_with_facts(sample)
    m3 = chk.estimates("M3", _effect(sample.index[sample["parent_class"].notna()]))
    assert m3.nobs == 366
    other = chk.estimates("Other", _effect(range(1000, 1370)))  # 370 people, none of them in the sample
    assert other.nobs == 370


def test_the_page_auditor_finds_a_group_recoverable_from_two_printed_counts():
    """The auditor, independent of the checker: a record whose counts were both released (as before the
    fix, here with a threshold of 5) fails the audit under a threshold of 10."""
    sample = _ls_like_sample()
    lax = _checker_with_facts(sample, threshold=5)
    lax.estimates("M1", _effect(sample.index))
    lax.estimates("M3", _effect(sample.index[sample["parent_class"].notna()]))
    record = lax.record()
    record["rules"]["threshold"] = 10
    problems = sdc.audit_page("Observations | 376 | 367", record)
    assert any("recoverable by subtraction" in p and "less" in p for p in problems), problems
    strict = _checker_with_facts(sample)
    strict.estimates("M1", _effect(sample.index))
    strict.estimates("M3", _effect(sample.index[sample["parent_class"].notna()]))
    assert sdc.audit_page("Observations | 376 | [c]", strict) == []


# ----------------------------------------------------------------------------- case 3: influence


def _income_world(outlier=False, n=400, seed=1):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame(
        {"mover": rng.integers(0, 2, n), "nonwhite": (rng.random(n) < 0.12).astype(int), "age": rng.integers(25, 40, n)}
    )
    d["income"] = 20000 + 1000 * d["mover"] + 500 * d["nonwhite"] * d["mover"] + 100 * d["age"] + rng.normal(0, 8000, n)
    d["employed"] = (rng.random(n) < 0.7 + 0.05 * d["mover"]).astype(int)
    if outlier:
        d.loc[d.index[(d["nonwhite"] == 1) & (d["mover"] == 1)][0], "income"] = 999_999
    return d


def _checked_income(d):
    fit = smf.ols("income ~ mover * C(nonwhite) + age", d).fit()
    est = margins.mover_effects(fit, d, "mover", by="nonwhite").with_(nobs=len(d), cells={0: 100, 1: 20})
    chk = sdc.Checker("movers_stayers", {})
    return chk, chk.estimates("Table 27 Income", est, dof=float(fit.df_resid))


def test_one_income_of_999999_cannot_carry_a_released_effect():
    chk, out = _checked_income(_income_world(outlier=True))
    assert np.isnan(out.coefs.loc[1, "estimate"])  # the non-white effect rests on one person
    cell = next(c for c in chk.outputs["Table 27 Income"].cells if c["row"] == "1")
    assert cell["rule"] == "influence" and "largest one-person change" in cell["detail"]
    assert sdc.REASONS["influence"] in set(chk.withheld()["rule"])
    chk, out = _checked_income(_income_world(outlier=False))
    assert out.coefs["estimate"].notna().all()  # without the outlier every effect is released


def test_leave_one_out_matches_refitting_without_each_row():
    """The cheap measure (exact for OLS, one Newton step for a probit) against real refits on 40 rows."""
    d = _income_world(n=40, seed=3)
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


def test_influence_rule_is_in_the_yaml_and_can_be_changed():
    assert sdc.Rules.of(None).influence == 1.0
    chk = sdc.Checker("t", {"influence": 20})
    d = _income_world(outlier=True)
    fit = smf.ols("income ~ mover * C(nonwhite) + age", d).fit()
    eff = margins.mover_effects(fit, d, "mover", by="nonwhite")
    assert eff.influence[1] > 10 > eff.influence[0]
    out = chk.estimates("T", eff, dof=300)
    assert out.coefs["estimate"].notna().all()


# ----------------------------------------------------------------------------- the output checker's files: ACRO's layout


def test_the_run_record_is_written_in_acros_results_format(tmp_path, acro_layout):
    sample, _validate_acro = acro_layout
    assert _validate_acro(sample, sample, tmp_path) != []  # the validator bites: the sample's files are not here
    chk = sdc.Checker("movers_stayers", {}, folder=tmp_path / "ms")
    shares = pd.DataFrame({"Stayers": [0.5, 0.02], "Movers": [0.4, 0.3]}, index=["Degree", "Disabled"])
    chk.shares("Table 25", shares, n={"Stayers": 300, "Movers": 200})
    d = _income_world(outlier=True)
    fit = smf.ols("income ~ mover * C(nonwhite) + age", d).fit()
    est = margins.mover_effects(fit, d, "mover", by="nonwhite").with_(nobs=None, cells={0: 100, 1: 20})
    chk.estimates("Table 27 Income", est, dof=float(fit.df_resid))
    chk.write()
    folder = tmp_path / "ms" / "acro"
    results = json.loads((folder / "results.json").read_text())
    assert _validate_acro(results, sample, folder) == []
    by_name = {r["properties"]["output"]: r for r in results["results"].values()}
    table = by_name["Table 25"]
    assert table["status"] == "review" and table["files"][0]["sdc"]["cells"]["threshold"] == [[1, 0]]
    assert table["outcome"]["Stayers"]["Disabled"].startswith("threshold")
    reg = by_name["Table 27 Income"]
    assert reg["type"] == "regression" and reg["status"] == "review" and "influence" in reg["summary"]
    assert any(sdc.REASONS["influence"] in c for c in reg["comments"])
    released = (folder / reg["files"][0]["name"]).read_text()
    assert sdc.SUPPRESSED in released and "44633" not in released  # the outlier's effect is not in the file
    assert "300" not in json.dumps(table) and "n=" not in json.dumps(results)  # no counts of people


def test_a_withheld_group_is_not_listed_twice_on_the_page():
    sample = _ls_like_sample()
    chk = _checker_with_facts(sample)
    chk.estimates("M3", _effect(sample.index[sample["parent_class"].notna()]))
    listed = chk.withheld()
    assert list(listed["row"]).count("pct_no_parent_class") == 1  # as the prose fact, not again as a page count
    assert "M3: observations" in set(listed["row"])
