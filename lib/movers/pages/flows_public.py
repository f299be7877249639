"""The words and tables of the 2011 Census chapter (``chapters/flows_public.md``) around ``movers.strands.flows.public``.

The analysis (the inputs, the rates, the one pair frame and the fits) is ``movers.strands.flows.public``'s;
this module turns it into what the chapter shows: the chapter's own table numbers (``number``), the
paragraphs on the inputs, the report-style comparison tables, the agreement tables, and every section
(``rate_section``, ``gravity_section``, ``yearly_section``) as a ``Section`` (``movers.pages.section``) of tables, prose facts
and frames, so each chapter cell is a call, a glue and a render.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from IPython.display import Markdown

from movers.core import paths
from movers.core.errors import InputError
from movers.data import public, published as reference
from movers.estimators import agreement
from movers.pages import compare, words
from movers.pages.section import Section
from movers.pages.tables import Table, coef_cell, fmt_number, own_number, render
from movers.strands.flows import models as flows, public as census

CHAPTER_NUMBER = "5"  # the book's number of the flows_public chapter: its own tables are Table 5.A, 5.B...


def numbered(shown: list) -> list:
    """Give every table of ``shown`` that has a label and no number the chapter's own number (other items as they are)."""
    for t in shown:
        if isinstance(t, Table) and t.label and not t.caption.startswith("Table "):
            t.caption = f"Table {number(t.label)}: {t.caption}"
    return shown


def own_tables() -> list[str]:
    """The labels of the chapter's own tables in page order, the same whatever ran before (``number``)."""
    models = [
        f"table-public-{typology}-{sample}-{slug}"
        for sample in census.SAMPLES
        for typology in ("supergroup", "imd")
        for slug in ("sending", *range(len(flows.levels(typology))))
    ]
    myeb3 = ["table-public-myeb3-sg", "table-public-myeb3-imd", "table-public-myeb3-country"]
    return [
        "table-public-harmonisation",
        "table-public-rates-sg",
        "table-public-rates-imd",
        "table-public-agreement",
        "table-public-agreement-models",
        *models,
        *myeb3,
        "table-public-myeb3-beside-sg",
        "table-public-myeb3-beside-country",
    ]


def number(label: str) -> str:
    """The book's own number of the table ``label`` of this chapter (``tables.own_number``, a function of the
    label alone): the census analogues of the report's Tables 7-20 are not those tables, so they never carry
    their numbers."""
    return own_number(CHAPTER_NUMBER, label, own_tables())


def imd_text(inputs: census.CensusInputs) -> str:
    """One paragraph on how the IMD summary weights the small areas and which authorities changed quintile for it."""
    n = inputs.notes
    if "imd_weighted" not in n:
        return "The synthetic world's IMD summary is generated at authority level, so no small areas are averaged."
    if not n["imd_weighted"]:
        return (
            f"Each authority's IMD score is the unweighted average of its small areas' scores ({n['imd_unweighted']} authorities): "
            "the re-aggregated file that gives population weights (dataset imd2010_ltla21_reaggregated) is not in the data folder."
        )
    names = inputs.geography.las.set_index("la_code")["la_name"]
    changed = [names.get(inputs.units.get(c, c), c) for c in n["imd_changed"]]
    return (
        f"Each authority's IMD score averages its small areas' (LSOA) scores weighted by their mid-2008 population, "
        f"as DCLG's own summary does, for {n['imd_weighted']} of the {n['imd_weighted'] + n['imd_unweighted']} authorities "
        "(from a re-aggregation of the official LSOA scores to 2021 authorities, which is that weighted average wherever a 2021 "
        f"authority is one of 2011); the {n['imd_unweighted']} authorities merged by 2021 keep the unweighted average. "
        f"Against the unweighted average of every authority, {len(changed)} authorities change quintile: {'; '.join(sorted(changed))}."
    )


def harmonisation_summary(inputs: census.CensusInputs) -> pd.DataFrame:
    """One row per input file: authorities kept, census pairs merged, older codes recoded,
    merged (2019+) codes spread to their former districts, and Scotland / Northern Ireland codes dropped."""
    names = {
        "population": "Population by single year of age, mid-2011",
        "tfr": "Total fertility rate, 2011 (2021 codes)",
        "house_price": public.house_price_text(),
        "gva": "GVA (income approach) and MYEB3 population",
        "supergroup": "2011 area classification",
        "imd": "IMD 2010 LA summary (approximation)",
    }
    rows = {
        names[k]: {
            "Authorities kept": h.kept,
            "Census pairs merged": len(h.merged),
            "Older codes recoded": len(h.recoded),
            "Merged codes spread": len(h.spread),
            "Scotland / NI dropped": len(h.dropped),
        }
        for k, h in inputs.harmonised.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def describe_inputs(source: str, data_path: str = "") -> str:
    """One paragraph (Markdown) saying which files a 2011 Census chapter read and from where."""

    if source == "synthetic":
        return (
            "The inputs are the **synthetic world's** equivalents of the open files, read through the same "
            "real-format loaders: its 2011 Census origin-destination table (the all-persons column of the Nomis "
            "table by ethnic group), its mid-year populations by age, fertility, house prices, GVA per head, "
            "supergroups and IMD 2010 summary. Run the chapter with `--scenario public` (or `-p source=public`) "
            "for the real open data."
        )
    folder = paths.open_data_root(data_path)
    where = (
        "the folder given as `data_path`"
        if data_path
        else "the workplace copy of the open files, because `data/public` has not been fetched"
        if folder == paths.SHARED_PUBLIC
        else "the download cache of `python -m movers fetch`"
    )
    return (
        f"The inputs are **real open data**, read from `{folder}` ({where}): the 2011 Census origin-destination "
        "matrix between local authorities (all ages, both sexes); the December 2014 authority boundaries; the ONS "
        "2011 area classification for local authorities; an IMD 2010 authority summary approximated from the "
        "official small-area (LSOA) scores by their population-weighted average (the official summary is not among "
        "the open files); mid-year population by single year of age and sex; births by age of mother, from which the total "
        "fertility rate is derived; HPSSA median house prices; GVA by authority and MYEB3 populations. "
        "`data/datasets.yml` names each file, its publisher and its checksum."
    )


def describe_components(source: str) -> str:
    """Where the yearly in/out totals come from (Markdown)."""
    if source == "public":
        return (
            "Yearly totals come from ONS's MYEB3 series (population estimates, summary components of change, mid-2018 "
            "edition), read in its official layout: internal moves into and out of each authority and its mid-year population."
        )
    return (
        "Yearly totals are the synthetic world's: moves out of and into each authority from its detailed estimates "
        "(England and Wales only, so moves to and from Scotland and Northern Ireland are not counted, unlike MYEB3) "
        "and its mid-year populations."
    )


OMITTED = {
    "unemp_o": "no model-based unemployment rate by authority for 2010 or 2011 is among the open files, whose ONS series starts with the year to March 2015",
    "unemp_d": "as for the sending area",
    "non_uk_born": "no APS share born outside the UK by authority is among the open files",
}


# the words of the covariates left out, in the labels of the control rows
SHORT_NAMES = {"unemployment_rate": "unemployment", "non_uk_born": "non-UK born"}


def control_blocks() -> dict[str, list[str]]:
    """The report's control blocks (``flows.BLOCKS``) less the variables of ``census.OMITTED_COVARIATES``, each
    labelled with what it is without ("Economic conditions (without unemployment)")."""
    gone = {v: c for c in census.OMITTED_COVARIATES for v in flows.OMITTED_VARIABLES.get(c, ())}
    out = {}
    for block, variables in flows.BLOCKS.items():
        left_out = list(dict.fromkeys(gone[v] for v in variables if v in gone))
        label = block + (f" (without {' or '.join(SHORT_NAMES[c] for c in left_out)})" if left_out else "")
        out[label] = [v for v in variables if v not in gone]
    return out


def agreement_table(results: Mapping[str, dict]) -> pd.DataFrame:
    """One row per published table and sample, from ``census.run_all`` output: ``agreement.agreement``'s figures."""
    recs = []
    for sample, by_type in results.items():
        for res in by_type.values():
            for key, r in res.items():
                if r["table"] is None:
                    continue
                a = agreement.agreement(r["long"])
                recs.append(
                    {
                        "Table": f"Table {r['table']}",
                        "Model set": "Sending" if key == "Sending" else f"From {key}",
                        "Sample": census.SAMPLES.get(sample, sample),
                    }
                    | {agreement.AGREEMENT_LABELS[k]: a[k] for k in agreement.AGREEMENT_KEYS}
                )
    return pd.DataFrame(recs)


def pooled_long(results: Mapping[str, dict]) -> pd.DataFrame:
    """Every ``side_by_side`` row of ``census.run_all`` output in one frame, with its sample, typology and table."""
    return pd.concat(
        [
            e["long"].assign(sample=census.SAMPLES.get(s, s), typology=t, table=e["table"])
            for s, by_type in results.items()
            for t, res in by_type.items()
            for e in res.values()
        ],
        ignore_index=True,
    )


def model_agreement_table(results: Mapping[str, dict]) -> pd.DataFrame:
    """``agreement.agreement`` per sample and model, pooled over the published tables (rows "Sample, Model k")."""
    long = pooled_long(results)
    parts = {s: agreement.agreement_by(g, "model") for s, g in long.groupby("sample", sort=False)}
    out = pd.concat(parts, names=["Sample", "Model"])
    out.index = [f"{s}, {m}" if m != "All" else f"{s}, all models" for s, m in out.index]
    out.index.name = "Sample, model"
    return out


def overall_agreement(results: Mapping[str, dict]) -> dict:
    """``agreement.agreement`` pooled over every published table, per sample."""
    return {
        s: agreement.agreement(pd.concat([e["long"] for res in by_type.values() for e in res.values()], ignore_index=True))
        for s, by_type in results.items()
    }


def omitted_text() -> str:
    """The report's controls left out, and why, as one sentence fragment."""
    return f"the unemployment rate of both ends, because {OMITTED['unemp_o']}; and the sending area's share of residents born outside the UK, because {OMITTED['non_uk_born']}"


def exposure_text(exposure: str) -> str:
    """What the exposure choice means, and its alternative one parameter away."""
    if exposure == "offset":
        return (
            "Here the count of moves is modelled with the log population of the sending authority as an offset "
            "(a model of the rate that keeps the count likelihood), as in the book's other flows chapters; "
            "`-p exposure=none` fits the counts without an offset."
        )
    if exposure == "none":
        return (
            "Here the count of moves is modelled without an offset (population enters only through the controls); "
            "`-p exposure=offset` uses the log population of the sending authority as an offset, as the book's other flows chapters do."
        )
    raise InputError("parameter 'exposure'", f"must be offset or none, not {exposure!r}")


def control_flags() -> dict[str, list[bool]]:
    """YES/NO rows of the report's tables for Models 1-4 of ``census.MODELS``."""
    models = census.census_models()
    return {block: [all(v in models[m] for v in vs) for m in models] for block, vs in control_blocks().items()}


def comparison_table(entry: dict, typology: str, sample: str, label: str) -> Table:
    """One model set as a report-style table: for Models 1-4, the 2011 estimate (``coef*** (se)``) and,
    beside it, the published coefficient of the same row and model (``–`` where the report has none)."""
    models, long = entry["models"], entry["long"].set_index(["row", "model"])
    rows = list(dict.fromkeys(r for m in models.values() for r in m.index))
    out = pd.DataFrame(index=rows)
    for m, est in models.items():
        out[f"{m} (2011)"] = [coef_cell(*est.coefs.loc[r, ["estimate", "se", "pvalue"]]) if r in est.index else "" for r in rows]
        if entry["table"] is not None:
            pub = [long.loc[(r, m)] if (r, m) in long.index else None for r in rows]
            out[f"{m} (published)"] = [
                compare.published_of(p) if p is not None and np.isfinite(p["published"]) else "–" for p in pub
            ]
    for block, flags in control_flags().items():
        out.loc[block] = [("YES" if f else "NO") for f in flags for _ in range(2 if entry["table"] is not None else 1)]
    observations = []  # the 2011 fit's own N, and beside it the report's N of that model (never a copy of ours)
    for m in models:
        observations.append(fmt_number(models[m].nobs, 0))
        if entry["table"] is not None:
            published_n = reference.published(entry["table"]).groupby("column")["n_obs"].first()
            observations.append(fmt_number(int(published_n[m]), 0) if m in published_n else "")
    out.loc["Observations"] = observations
    what = "Sending" if label.endswith("sending") else None
    who = {"supergroup": "ONS supergroup", "imd": "IMD 2010 quintile"}[typology]
    key = entry.get("key", "")
    title = (
        f"Outflows by {who} of the sending authority"
        if what
        else f"Flows from {key} authorities by {who} of the receiving authority"
    )
    ref = flows.levels(typology)[0]
    pub = f"beside the report's Table {entry['table']}" if entry["table"] is not None else "no published counterpart"
    a = agreement.agreement(entry["long"])
    notes = (
        f"NB2 regressions of 2011 Census moves between authorities, {census.SAMPLES[sample].lower()}; reference group {ref}; robust SEs in parentheses; "
        "*** p<0.01, ** p<0.05, * p<0.1. Published: the report's pooled 2011-2018 coefficient, its stars and SE, and "
        "its observations (authority pairs of 2011-2018), as printed."
    )
    if a["n"]:
        notes += (
            f" Of {a['n']} published coefficients, {a['sign']:.0%} share the sign of the 2011 estimate and {a['within_combined']:.0%} "
            f"lie within two combined SEs of it ({a['within_published']:.0%} within two published SEs alone)."
        )
    caption = f"Table {number(label)}: {title}, 2011 Census, {census.SAMPLES[sample].lower()} ({pub})"
    values = agreement.numbers(entry["long"], {m: models[m].nobs for m in models}, entry["table"])
    return Table(out, caption=caption, notes=notes, label=label, values=values)


def comparison_tables(results: Mapping[str, dict], typology: str, sample: str) -> list:
    """``comparison_table`` for every model set of one typology and sample, sending first."""
    out = []
    for key, entry in results.items():
        slug = "sending" if key == "Sending" else flows.levels(typology).index(key)
        out.append(comparison_table({**entry, "key": key}, typology, sample, f"table-public-{typology}-{sample}-{slug}"))
    return out


def myeb3_beside(source: str, rates: pd.DataFrame, groups: pd.Series) -> list:
    """What the chapter shows beside its yearly rates: on a public run, one sentence saying the series is the
    real MYEB3; on a synthetic run, the synthetic series beside the real one by supergroup and by country
    (or one sentence with the ``fetch`` command when the open files are not on this machine)."""
    if source == "public":
        return [
            Markdown(
                "The yearly rates above are the **real** MYEB3 series for the authorities of England and Wales; "
                "a run on the synthetic world (`-p source=synthetic`) shows the world's equivalents beside them."
            )
        ]
    try:
        real, real_groups = census.real_rates("")
    except InputError as exc:
        return [
            Markdown(
                f"The real MYEB3 series is not on this machine ({exc}); "
                "`python -m movers fetch myeb3 la_classification_2011` brings it, and this section then shows it beside the synthetic world's."
            )
        ]
    order = flows.levels("supergroup")
    caption = "Gross internal out-migration rate by ONS supergroup and year: the synthetic world beside the real MYEB3 series (per cent)"
    notes = (
        "Real: ONS MYEB3 (mid-2018 edition), moves out of the supergroup's authorities over their population a year earlier, "
        "including moves to Scotland and Northern Ireland; supergroups from the ONS 2011 area classification. "
        "Synthetic: the world's own detailed estimates and populations, England and Wales only."
    )
    return [
        Markdown(
            "These rates are the **synthetic world's**. Beside them, the same rates from the real MYEB3 series show how far the world's migration levels are from England and Wales's."
        ),
        render(
            census.rates_beside(rates, groups, real, real_groups, order),
            digits=2,
            caption=caption,
            notes=notes,
            label="table-public-myeb3-beside-sg",
        ),
        render(
            census.country_beside(rates, real),
            digits=2,
            caption="Gross internal out- and in-migration rates by country and year: the synthetic world beside MYEB3 (per cent)",
            label="table-public-myeb3-beside-country",
        ),
    ]


def harmonisation_note(inputs):
    """What happened to the codes of each open file (a table), or a sentence for the synthetic world."""
    if not inputs.harmonised:
        return Markdown(
            "The synthetic world's files are all on the authorities of its own geography; no code needed harmonising."
        )
    return numbered(
        [
            render(
                harmonisation_summary(inputs),
                digits=0,
                label="table-public-harmonisation",
                caption="How each open file was put on the 2011 Census areas of England and Wales (number of LA codes)",
                notes="Census pairs merged: City of London into Westminster and Isles of Scilly into Cornwall, as the census published its flows. "
                "Older codes recoded: 2009-2013 codes renamed to the 2014 ones. Merged codes spread: a 2019-2021 authority's value given to each of its former districts. "
                "Scotland / NI dropped: authorities outside England and Wales, left out as the report does.",
            )
        ]
    )[0]


def input_facts(inputs: census.CensusInputs) -> dict:
    """What the chapter's prose cites about the matrix: its areas, its moves, the years of the controls
    and the controls left out."""
    n = inputs.notes
    return {
        "n_units": n["n_units"],
        "n_england": n["n_england"],
        "moves_between": n["moves_between"],
        "moves_dropped": n["moves_dropped"],
        "lag_year": str(n["lag_year"]),
        "census_year": str(n["census_year"]),
        "omitted": omitted_text(),
    }


def out_rate_facts(inputs: census.CensusInputs, rates: pd.Series) -> dict:
    """The median authority's out-migration rate and the authority (by name) with the highest one."""
    names = inputs.geography.las.set_index("la_code")["la_name"]
    return {"rate_median": rates.median(), "rate_max_la": names.loc[rates.idxmax()], "rate_max": rates.max()}


def rate_section(inputs: census.CensusInputs) -> Section:
    """Moves between supergroups and between IMD quintiles, per cent of the sending group's residents
    (two tables), and the most deprived fifth's rates to itself and to the least deprived fifth."""
    pop = inputs.covariates["population"]
    sg = census.typology_rates(inputs.od, pop, inputs.types["supergroup"], flows.levels("supergroup"))
    iq = census.typology_rates(inputs.od, pop, inputs.types["imd"], public.IMD_GROUPS)
    shown = [
        render(
            sg.rename_axis("Sending \\ receiving"),
            digits=3,
            caption="Moves between ONS supergroups, 2011 Census, per cent of the sending supergroup's residents",
            label="table-public-rates-sg",
        ),
        render(
            iq.rename_axis("Sending \\ receiving"),
            digits=3,
            caption="Moves between IMD 2010 quintiles, England, 2011 Census, per cent of the sending quintile's residents",
            label="table-public-rates-imd",
        ),
    ]
    facts = {"rate_hh": iq.loc["High deprivation", "High deprivation"], "rate_hl": iq.loc["High deprivation", "Low deprivation"]}
    return Section(numbered(shown), facts, {"supergroup": sg, "imd": iq})


def gravity_section(inputs: census.CensusInputs, exposure: str = "offset") -> Section:
    """Every model of ``census.run_all``, the agreement table per published table and sample, and the pooled
    agreement shares (per cent) the prose cites; ``frames['results']`` holds the fits for the comparison tables.
    An exposure this chapter does not offer is refused before any model is fitted."""
    text = exposure_text(exposure)
    results = census.run_all(inputs, exposure)
    overall = overall_agreement(results)
    facts = {"n_published": overall["non-zero"]["n"], "exposure_text": text}
    for sample, a in overall.items():
        key = "nonzero" if sample == "non-zero" else sample
        facts |= {
            f"sign_{key}": 100 * a["sign"],
            f"within_{key}": 100 * a["within_combined"],
            f"within_pub_{key}": 100 * a["within_published"],
            f"mae_{key}": a["mae"],
        }
    what = (
        "the 2011 estimate has the same sign; its gap to the published value is at most two combined standard errors "
        "(the root of the sum of both squared SEs); at most two published SEs alone (the report's SEs pool eight years and "
        "are far smaller than one census year's, so this share understates agreement)."
    )
    table = render(
        agreement_table(results).set_index("Table"),
        digits=agreement.AGREEMENT_DIGITS,
        caption="Agreement of the 2011 Census estimates with the report's coefficients, per published table and sample",
        notes="Over the published area-type coefficients (Models 1-4) of each table: mean absolute gap, correlation; shares where "
        + what,
        label="table-public-agreement",
    )
    by_model = render(
        model_agreement_table(results),
        digits=agreement.AGREEMENT_DIGITS,
        caption="Agreement of the 2011 Census estimates with the report's coefficients, per sample and model (Tables 7-20 pooled)",
        notes="As the table above, pooled over the published tables, per model.",
        label="table-public-agreement-models",
    )
    return Section(numbered([table, by_model]), facts, {"results": results})


def yearly_section(source: str, inputs: census.CensusInputs, data_path: str = "") -> Section:
    """Gross out-migration rates by year from MYEB3 (by supergroup, IMD quintile and country; beside the
    real series when the source is synthetic), and the change of England's rate into 2017 with the year
    of the largest rise (ONS changed its estimate of student moves from mid-2017)."""
    rates = census.myeb3_rates(census.components_for(source, data_path), units=inputs.units)
    by_country = census.country_rates(rates)
    shown = [
        Markdown(describe_components(source)),
        render(
            census.rates_by_group(rates, inputs.types["supergroup"], flows.levels("supergroup")).T.rename_axis("Supergroup"),
            digits=2,
            label="table-public-myeb3-sg",
            caption="Gross internal out-migration rate by ONS supergroup and year (moves out of the group's authorities, per cent of their population a year earlier)",
        ),
        render(
            census.rates_by_group(rates, inputs.types["imd"], public.IMD_GROUPS).T.rename_axis("IMD 2010 quintile"),
            digits=2,
            label="table-public-myeb3-imd",
            caption="Gross internal out-migration rate by IMD 2010 quintile and year, England (per cent)",
        ),
        render(
            by_country,
            digits=2,
            caption="Gross internal out- and in-migration rates by country and year (per cent)",
            label="table-public-myeb3-country",
        ),
        *myeb3_beside(source, rates, inputs.types["supergroup"]),
    ]
    rise = by_country.diff(axis=1).loc["Out-migration, England"]
    facts = {
        **words.directed("jump_2017", float(rise[2017]), "rose", "fell", "did not change"),
        "max_rise_year": str(rise.idxmax()),
    }
    return Section(numbered(shown), facts, {"rates": rates})


def border_facts(source: str, inputs: census.CensusInputs, bounds) -> dict:
    """How the shared-border control is defined and what estuaries do to it, as text for the prose.

    On the real boundaries (``public``): for each pair of ``census.ESTUARY_PAIRS``, whether it gets a border and
    how far apart its two authorities are (``census.estuary_borders``). The synthetic world's shapes are
    invented, so it gets one sentence.
    """
    n_pairs = census.border_pairs(inputs)
    if source != "public":
        return {
            "n_border_pairs": n_pairs,
            "estuary_text": "The synthetic world's boundaries are invented, so it has no estuaries; a run on the open files "
            "(`-p source=public`) names the real pairs that face each other across one.",
        }
    names = inputs.geography.las.set_index("la_code")["la_name"]
    est = census.estuary_borders(inputs, bounds)
    parts = [
        f"{names[r.a]} and {names[r.b]} across {r.water} ("
        + ("a shared border" if r.border else f"no shared border: {r.gap_km:.1f} km apart at the closest")
        + ")"
        for r in est.itertuples()
    ]
    return {
        "n_border_pairs": n_pairs,
        "estuary_text": f"Of the three pairs of authorities that face each other across an estuary, {int((~est['border']).sum())} get no shared border: "
        + "; ".join(parts)
        + ". Their flows enter the models as flows between non-neighbours.",
    }
