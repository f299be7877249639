"""No hidden state on a page (issue 22): the data source that decides what leaves a page is the page's own,
held by the ``report.Page`` that ``report.setup`` installs on the notebook's shell, never a module global;
the warnings raised while a cell computes are shown under it and in the run log, never silenced."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import nbformat
import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from IPython.core.events import EventManager, available_events
from IPython.core.formatters import DisplayFormatter
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from movers.estimators.results import Estimates
from movers.pages import compare, downloads, flows, flows_public as public, micro, report, tables


class Shell:
    """The two parts of an IPython shell a page uses: its display formatter and its events."""

    def __init__(self):
        self.display_formatter = DisplayFormatter()
        self.events = EventManager(self, available_events)

    def record(self, obj) -> dict:
        return self.display_formatter.format(obj)[1].get("text/markdown", {}).get(downloads.META, {})


def demo_table():
    df = pd.DataFrame({"rate": [0.12345, 0.5]}, index=pd.Index(["Hot", "Cold"], name="Spot"))
    return tables.render(df, caption="Table 2: Sending rates")


def test_setting_up_a_page_leaves_tables_outside_it_alone():
    report.setup("public")  # outside a kernel: no shell to show tables on
    assert isinstance(demo_table()._repr_markdown_(), str)  # no record leaks to a table shown elsewhere


def test_two_pages_in_one_process_keep_their_sources_apart():
    public, restricted = Shell(), Shell()
    report.setup("public", shell=public)
    report.setup("restricted", shell=restricted)
    table = demo_table()
    assert public.record(table)["source"] == "public" and "0.12345" in public.record(table)["values_csv"]
    assert restricted.record(table)["source"] == "restricted" and "values_csv" not in restricted.record(table)
    assert "0.123" in restricted.record(table)["csv"]
    report.setup("synthetic", shell=restricted)  # a setup cell run again replaces its page's source
    assert restricted.record(table)["source"] == "synthetic" and public.record(table)["source"] == "public"
    assert restricted.movers_page.source == "synthetic" and Shell().record(table) == {}


def movers_frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    x = rng.normal(size=200)
    return pd.DataFrame({"moved": (x + rng.normal(size=200) > 0).astype(int), "age": x})


def non_converged_probit():
    """A probit stopped after one iteration: statsmodels warns that it did not converge."""
    return smf.probit("moved ~ age", movers_frame()).fit(maxiter=1, disp=0)


def test_setup_silences_no_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report.setup("synthetic")
        non_converged_probit()
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught)


def test_a_warning_raised_while_a_cell_computes_is_shown_under_it_with_its_model(capsys):
    shell = Shell()
    report.setup("synthetic", shell=shell)
    page = shell.movers_page
    shell.events.trigger("pre_run_cell", None)
    non_converged_probit()
    non_converged_probit()  # the same warning again: listed once, with its count
    note = page.end_cell()
    assert "ConvergenceWarning (Probit: moved ~ age)" in note and "(2 times)" in note
    assert note.count("ConvergenceWarning") == 1 and note.startswith(":::{admonition} Warnings")
    assert "Warning" not in capsys.readouterr().err  # routed to the page, not printed to stderr
    shell.events.trigger("pre_run_cell", None)
    assert page.end_cell() == ""  # a quiet cell gets no box
    assert [c.category for c in page.caught] == ["ConvergenceWarning"] * 2
    assert warnings.showwarning is not page._collect  # the cell over, nothing of the page is left behind


def test_the_run_log_lists_each_warning_of_a_page_once():
    box = nbformat.v4.new_output("display_data", data={"text/markdown": "box"}, metadata={report.WARNINGS_META: ["A: x"]})
    cells = [nbformat.v4.new_code_cell("fit()"), nbformat.v4.new_code_cell("fit()")]
    cells[0].outputs, cells[1].outputs = [box], [box]
    assert report.logged_warnings(nbformat.v4.new_notebook(cells=cells)) == ["A: x"]


def estimates_of(result) -> Estimates:
    """The ``Estimates`` of a statsmodels fit, its convergence read from the fit (as the strands do)."""
    coefs = pd.DataFrame({"estimate": result.params, "se": result.bse, "pvalue": result.pvalues}).loc[["age"]]
    return Estimates(coefs, nobs=int(result.nobs), converged=bool(result.mle_retvals["converged"]))


def test_a_model_that_did_not_converge_is_marked_in_its_column_and_notes():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        stopped = estimates_of(non_converged_probit())
    assert not stopped.converged
    done = estimates_of(smf.probit("moved ~ age", movers_frame()).fit(disp=0))
    models = {"Model 1": done, "Model 2": stopped}
    for table in (tables.regression_table(models), compare.model_comparison(models, None)[0]):
        assert table.frame.loc["Converged"].tolist() == ["YES", "NO"]
        assert "Model 2 did not converge" in table.notes and "Model 1" not in table.notes
        assert "| Converged | YES | NO |" in table.to_markdown()
    quiet = tables.regression_table({"Model 1": done})  # all converged: the table as before
    assert "Converged" not in quiet.frame.index and "converge" not in quiet.notes


def test_own_numbers_are_a_pure_function_of_the_key_whatever_ran_before():
    keys = ("table-a", "table-b", "table-c")
    assert [tables.own_number("t8", k, keys) for k in ("table-c", "table-a", "table-c")] == ["t8.C", "t8.A", "t8.C"]
    with pytest.raises(ValueError, match="not among the own tables"):
        tables.own_number("t8", "table-d", keys)  # never a next letter that depends on history


def test_a_micro_table_keeps_its_number_when_cells_run_in_another_order():
    study = SimpleNamespace(chapter="movers_stayers")
    caption = "Reproduced, published and (synthetic) true values of Table 24"
    assert micro.own_caption(study, caption, always=True) == f"Table 6.D: {caption}"  # run first, still 6.D
    assert micro.own_caption(study, "Models", key="table-models") == "Table 6.A: Models"
    assert micro.own_caption(study, caption, always=True) == f"Table 6.D: {caption}"
    ls = SimpleNamespace(chapter="ls_deprived")
    assert micro.own_caption(ls, "Reproduced and true values of Table 32", always=True, key="comparison of Table 32") == (
        "Table 7.E: Reproduced and true values of Table 32"
    )


def test_flows_tables_are_numbered_by_their_key_alone():
    ons = SimpleNamespace(name="flows_ons", number=3, words={"report": {"sending": 7, "receiving": 8}}, order=["a", "b"])
    ons.own_tables = flows.FlowChapter.own_tables.fget(ons)
    assert [flows.FlowChapter.table_number(ons, None, k) for k in ("bias", "london gva", "bias")] == ["3.D", "3.A", "3.D"]
    assert flows.FlowChapter.table_number(ons, 7, "sending") == "7"
    # flows_imd shows no sending table though the report has none for IMD: its census tables stay 4.C and 4.D
    imd = SimpleNamespace(name="flows_imd", number=4, words={"report": {"sending": None, "receiving": 16}}, order=["a"])
    imd.own_tables = flows.FlowChapter.own_tables.fget(imd)
    assert [flows.FlowChapter.table_number(imd, None, k) for k in ("census nssec", "census ethnicity")] == ["4.C", "4.D"]
    assert [public.number(k) for k in ("table-public-myeb3-country", "table-public-supergroup-non-zero-sending")] == [
        "5.AL",
        "5.F",
    ]
