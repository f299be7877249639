"""A restricted run's record: written beside the book with the counts, cleared when a run starts, and in
ACRO's results layout for the SACRO viewer."""

import importlib.util
import json

import pandas as pd
import pytest
import statsmodels.formula.api as smf

from movers.core import paths, source
from movers.estimators import margins
from movers.estimators.results import Estimates
from movers.sdc.checker import Checker
from movers.sdc.record import banner_text, checking_folder, start_run, write as write_record
from movers.sdc.rules import REASONS, SUPPRESSED


def test_record_is_written_outside_the_book_with_the_counts(tmp_path):
    src = source.DataSource("restricted", tmp_path / "secure", rules=source.load_rules())
    chk = start_run("ls_deprived", src, build=tmp_path)
    chk.shares("Table 23", pd.DataFrame({"Mean": [7 / 2824, 0.5]}, index=["International migrant", "Female"]), n=2824)
    path = write_record(chk)
    assert path == tmp_path / "output_checking" / "ls_deprived" / "record.json"
    assert not path.is_relative_to(tmp_path / "html") and not path.is_relative_to(tmp_path / "src")
    assert checking_folder("x") == paths.BUILD / "output_checking" / "x"
    rec = json.loads(path.read_text())
    out = rec["outputs"][0]
    assert out["output"] == "Table 23" and out["outcome"] == "released with 1 cell(s) withheld"
    cell = out["cells"][0]
    assert (cell["outcome"], cell["rule"], cell["count"]) == ("withheld", "threshold", 7) and "with=7" in cell["detail"]
    assert rec["rules"]["threshold"] == 10 and any("smaller category" in r for r in out["rules_applied"])
    assert (path.parent / "cells.csv").read_text().count("\n") == 3
    # synthetic and public runs write nothing
    off = start_run("ls_deprived", "synthetic", build=tmp_path)
    assert write_record(off) is None and not (tmp_path / "output_checking" / "ls_deprived").exists()


def test_start_run_clears_stale_checking_files(tmp_path):
    folder = tmp_path / "output_checking" / "movers_stayers"
    folder.mkdir(parents=True)
    (folder / "record.json").write_text("{}")
    old = tmp_path / "output_checking" / "movers_stayers_counts.csv"
    old.write_text("table,row,column,count\n")
    other = tmp_path / "output_checking" / "ls_deprived"
    other.mkdir()
    start_run("movers_stayers", "restricted", build=tmp_path)
    assert not folder.exists() and not old.exists() and other.exists()
    assert [p.name for p in (tmp_path / "output_checking").iterdir()] == ["ls_deprived"]


def test_the_run_record_is_written_in_acros_results_format(tmp_path, acro_layout, income_world):
    sample, _validate_acro = acro_layout
    assert _validate_acro(sample, sample, tmp_path) != []  # the validator bites: the sample's files are not here
    chk = Checker("movers_stayers", {}, folder=tmp_path / "ms")
    shares = pd.DataFrame({"Stayers": [0.5, 0.02], "Movers": [0.4, 0.3]}, index=["Degree", "Disabled"])
    chk.shares("Table 25", shares, n={"Stayers": 300, "Movers": 200})
    d = income_world(outlier=True)
    fit = smf.ols("income ~ mover * C(nonwhite) + age", d).fit()
    est = margins.mover_effects(fit, d, "mover", by="nonwhite").with_(nobs=None, cells={0: 100, 1: 20})
    chk.estimates("Table 27 Income", est, dof=float(fit.df_resid))
    write_record(chk)
    folder = tmp_path / "ms" / "acro"
    results = json.loads((folder / "results.json").read_text())
    assert _validate_acro(results, sample, folder) == []
    by_name = {r["properties"]["output"]: r for r in results["results"].values()}
    table = by_name["Table 25"]
    assert table["status"] == "review" and table["files"][0]["sdc"]["cells"]["threshold"] == [[1, 0]]
    assert table["outcome"]["Stayers"]["Disabled"].startswith("threshold")
    reg = by_name["Table 27 Income"]
    assert reg["type"] == "regression" and reg["status"] == "review" and "influence" in reg["summary"]
    assert any(REASONS["influence"] in c for c in reg["comments"])
    released = (folder / reg["files"][0]["name"]).read_text()
    assert SUPPRESSED in released and "44633" not in released  # the outlier's effect is not in the file
    assert "300" not in json.dumps(table) and "n=" not in json.dumps(results)  # no counts of people


def _prose_checker():
    """``tools/check_prose.py``, the prose checker that ends ``make book``, loaded as a module."""
    spec = importlib.util.spec_from_file_location("check_prose", paths.ROOT / "tools" / "check_prose.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("withheld, influence", [(0, 1.0), (1, 1.0), (2, 2.5)])
def test_the_restricted_banner_passes_the_books_prose_checker(withheld, influence):
    """Issue 25 (13), the page auditor flagging restricted pages wrongly: ``tools/check_prose.py`` found a
    "placeholder plural" in the banner of every restricted page, written by the checker ("moves a released
    coefficient by more than 1 standard error(s)", "0 cell(s) were withheld"), though it found none on the
    synthetic pages. The banner now counts its nouns."""
    chk = Checker("ls_deprived", {"influence": influence})
    shares = pd.DataFrame({"Stayers": [0.5, 0.4, 0.3], "Movers": [0.4, 0.3, 0.2]}, index=["a", "b", "c"])
    n_with = pd.DataFrame({"Stayers": [150, 120, 90], "Movers": [80, 60, 40]}, index=shares.index)
    n_with.iloc[:withheld, 1] = 5  # the first ``withheld`` movers' cells rest on five people
    chk.shares("Table 30", shares, n={"Stayers": 300, "Movers": 200}, n_with=n_with)
    est = Estimates(pd.DataFrame({"estimate": [0.1], "se": [0.01], "pvalue": [0.01]}, index=["Mover"]), cells={"Mover": 50})
    chk.estimates("Models", est.with_(influence={"Mover": 0.2}), dof=300)
    text = banner_text(chk)
    assert f"{withheld} cell{'' if withheld == 1 else 's'} {'was' if withheld == 1 else 'were'} withheld" in text
    assert "(1 share table, 1 regression)" in text and "Its 2 checked outputs" in text
    assert _prose_checker().findings(text) == []
