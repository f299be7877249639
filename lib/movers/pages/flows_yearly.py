"""The words and tables of the yearly sending chapter (``chapters/flows_yearly.md``) around ``movers.strands.flows.yearly``.

Every section returns a ``Section`` (tables, prose facts, frames). When a
public run lacks open inputs, ``setup`` returns a page without inputs and every
section says what is missing and how to fetch it, so the page never shows a
number it did not compute from the files it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from IPython.display import Markdown

from movers.core import paths
from movers.estimators import agreement
from movers.pages import compare
from movers.pages.flows import years_text
from movers.pages.section import Section
from movers.pages.tables import render
from movers.pages.words import count
from movers.strands.flows import models as flows, yearly as ys

CONTROL_ROWS = {
    "Year and country effects": ["Model 1", "Model 3", "Model 4"],
    "Demographic structure of sending": ["Model 3", "Model 4"],
    "Economic conditions of sending": ["Model 4"],
}
OMITTED_WORDS = {
    "non_uk_born": "the share of residents born outside the UK (no open APS figure by authority and year)",
    "unemployment_rate": "the sending area's unemployment rate (no open APS figure by authority for these years)",
}


@dataclass
class Page:
    """What a run has: its inputs (``None`` when open files are missing), the years, and what is missing."""

    source: str
    years: list[int]
    inputs: ys.SendingInputs | None
    missing: list[str] = field(default_factory=list)


def setup(source: str, data_path: str = "", years="2011-2018") -> Page:
    """The page's inputs. A public run whose open files are absent gets ``inputs=None`` and the list of
    missing datasets with their ``fetch`` commands, rather than an error or a fallback."""
    yrs = flows.parse_years(years)
    missing = ys.missing_public(data_path) if source == "public" else []
    if missing:
        return Page(source, yrs, None, missing)
    return Page(source, yrs, ys.inputs_for(source, data_path, yrs))  # a file present but wrong stays a loud InputError


def _not_here(page: Page) -> str:
    return (
        "**Not computed: the open inputs of this analysis are not all on this machine.** "
        + "; ".join(page.missing)
        + ". Nothing on this page falls back to other data: once the files are fetched, the same run fills it in."
    )


def inputs_section(page: Page) -> Section:
    """What the page read (``inputs_text``), which controls had no figure (``omitted_text``), and the years."""
    facts = {"years_text": years_text(page.years)}
    if page.inputs is None:
        return Section([Markdown(_not_here(page))], facts | {"inputs_text": _not_here(page), "omitted_text": ""})
    inp = page.inputs
    if page.source == "synthetic":
        where = (
            "These inputs are the synthetic world's: moves out of each authority summed from its own detailed estimates, "
            "its populations, controls and area types, read through the real-format loaders. The comparison with the report "
            "below tests the machinery only; the scenario public (or the parameter source=public) runs the same analysis on ONS's files."
        )
    else:
        # plain text: a glued text is shown as it is, so Markdown marks would print as characters
        shared = " (the workplace copy, because data/public has not been fetched)" if inp.folder == paths.SHARED_PUBLIC else ""
        where = (
            f"These inputs are real open data, read from {inp.folder}{shared}, each file named in data/datasets.yml: "
            + "; ".join(inp.notes)
            + "."
        )
    left = [OMITTED_WORDS.get(c, c) for c in inp.omitted if c in OMITTED_WORDS]
    omitted = (
        "Left out, not replaced, because no open file gives them: " + "; ".join(left) + "."
        if left
        else "Every sending-side control of the report has a figure in these files."
    )
    return Section([], facts | {"inputs_text": where, "omitted_text": omitted})


DATA = {"public": "ONS MYEB3", "synthetic": "synthetic world"}


def _caption(typology: str, table: int | None, source: str) -> str:
    who = {"supergroup": "ONS supergroup", "imd": "IMD 2010 quintile"}[typology]
    ref = flows.levels(typology)[0]
    pub = f"beside the report's Table {table}" if table else "no published counterpart"
    return (
        f"Internal moves out of each authority by {who} of the authority, reference group {ref}, {ys.AREA[typology]}, "
        f"{DATA[source]} ({pub})"
    )


def _model_years(result: ys.SendingResult) -> str:
    return "; ".join(f"{m}: {years_text(y)}" for m, y in result.years.items())


def sending_section(page: Page, typology: str) -> Section:
    """One typology's sending models (``yearly_sending.sending_analysis``) as a report-style table with the
    published coefficient under each row (Table 7 for supergroups; none for IMD quintiles), and its facts
    (``<typology>_text``)."""
    key = f"{typology}_text"
    if page.inputs is None:
        return Section([], {key: _not_here(page)})
    res = ys.sending_analysis(page.inputs, typology, page.years)
    controls = {block: [m in models for m in res.fits] for block, models in CONTROL_ROWS.items()}
    notes = (
        f"NB2 regressions of internal moves out of each authority in the year to mid-year ({DATA[page.source]}), one row per authority "
        "and year, log population a year earlier as offset, year effects"
        + (" and a Wales dummy" if typology == "supergroup" else "")
        + "; robust (HC1) SEs in parentheses; *** p<0.01, ** p<0.05, * p<0.1. Years fitted: "
        + _model_years(res)
        + " (the years whose lagged controls every authority has). Model 2 (border and distance) has no authority-level form."
    )
    table, _ = compare.model_comparison(
        res.fits,
        res.table,
        row_map=flows.row_map(res.table, list(res.long["row"].unique())) if res.table else None,
        controls=controls,
        caption=_caption(typology, res.table, page.source),
        notes=notes,
    )
    m1 = res.fits.get("Model 1")
    text = (
        f"Model 1 is fitted on {m1.nobs:,} authority-years ({years_text(res.years['Model 1'])}); "
        if m1 is not None
        else "Model 1 could not be fitted; "
    )
    text += "; ".join(f"{m} on {res.fits[m].nobs:,} ({years_text(y)})" for m, y in res.years.items() if m != "Model 1") + "."
    short = [m for m, y in res.years.items() if len(y) < len(res.years.get("Model 1", []))]
    if short:
        text += (
            f" {' and '.join(short)} cover fewer years than Model 1: they are fitted only on the years whose lagged controls "
            "every authority has in these files (the list of inputs above says which years each file gives)."
        )
    if res.skipped:
        text += " Not fitted: " + "; ".join(f"{m} ({why})" for m, why in res.skipped.items()) + "."
    if res.table is None:
        text += (
            " The report publishes no sending table for IMD quintiles: its Table 16 models flows *from* the most deprived "
            "fifth of authorities by the deprivation of the *receiving* authority, which moves out summed over all "
            "destinations cannot give, so these estimates stand without a published column."
        )
    else:
        a = res.agreement
        text += " " + agreement_words(a, res.table)
    return Section([table], {key: text}, {"result": res})


def agreement_words(a: pd.DataFrame, table: int) -> str:
    """One sentence per model of ``agreement.agreement_by`` output, in the order of its rows."""
    parts = []
    for model, r in a.drop(index="All", errors="ignore").iterrows():
        parts.append(
            f"{model}: mean absolute gap {r['Mean absolute gap']:.3f}, correlation {r['Correlation']:.3f}, same sign "
            f"{r['Same sign (share)']:.0%}, within two combined SEs {r['Within 2 combined SEs (share)']:.0%} "
            f"(within two published SEs alone {r['Within 2 published SEs (share)']:.0%})"
        )
    return (
        f"Against the {count(len(a) - 1, 'model')} of the report's Table {table}, over its sending-type coefficients: "
        + "; ".join(parts)
        + "."
    )


def agreement_table(results: Sequence[ys.SendingResult]) -> pd.DataFrame:
    """``agreement.agreement`` per published table and model (rows "Table 7, Model 1", ... and "Table 7, all
    models"), over the sending-type coefficients, for the results that have a published table."""
    parts = {f"Table {r.table}": r.agreement for r in results if r.table is not None}
    if not parts:
        return pd.DataFrame(columns=list(agreement.AGREEMENT_LABELS.values()))
    out = pd.concat(parts, names=["table", "model"])
    out.index = [f"{t}, {m}" if m != "All" else f"{t}, all models" for t, m in out.index]
    out.index.name = "Table, model"
    return out


def agreement_section(page: Page, sections: Sequence[Section]) -> Section:
    """``agreement.agreement`` per published table and model (one table), and the headline facts: Model 1's gap,
    correlation and shares for Table 7 (``headline_text``)."""
    if page.inputs is None:
        return Section([], {"headline_text": _not_here(page)})
    results = [s.frames["result"] for s in sections if "result" in s.frames]
    frame = agreement_table(results)
    what = "synthetic world" if page.source == "synthetic" else "ONS's MYEB3 estimates"
    table = render(
        frame,
        digits=agreement.AGREEMENT_DIGITS,
        caption=f"Agreement of the authority-level sending models ({what}) with the report's published coefficients, per table and model",
        notes="Over the published sending-type coefficients: mean absolute gap; correlation; shares with the same sign, within two "
        "combined standard errors (the root of the sum of both squared SEs) and within two published SEs alone. "
        "The report publishes no sending table for IMD quintiles (Table 16 is a receiving table).",
        label="table-yearly-agreement",
    )
    sg = next((r for r in results if r.table == 7 and "Model 1" in r.fits), None)
    if sg is None:
        return Section([table], {"headline_text": "No Model 1 of Table 7 was fitted, so there is no headline figure."})
    m1 = sg.agreement.loc["Model 1"]
    data = (
        "the synthetic world (a test of the machinery, not a finding)"
        if page.source == "synthetic"
        else "ONS's own MYEB3 estimates"
    )
    text = (
        f"On {data}, {years_text(sg.years['Model 1'])}, the authority-level Model 1 of the report's Table 7 (which areas do people "
        f"leave?) gives sending coefficients a mean absolute gap of {m1['Mean absolute gap']:.3f} log points to the published ones, "
        f"with correlation {m1['Correlation']:.3f}; {m1['Same sign (share)']:.0%} share the published sign and "
        f"{m1['Within 2 combined SEs (share)']:.0%} lie within two combined standard errors "
        f"({m1['Within 2 published SEs (share)']:.0%} within two published SEs alone)."
    )
    rest = [f"{m} {sg.agreement.loc[m, 'Mean absolute gap']:.3f} ({years_text(sg.years[m])})" for m in sg.years if m != "Model 1"]
    if rest:
        text += (
            " Models 3 and 4, which at the authority level lack the report's distance, border and pull factors, are further off "
            "(mean absolute gap " + "; ".join(rest) + ")."
        )
    return Section([table], {"headline_text": text}, {"agreement": frame})
