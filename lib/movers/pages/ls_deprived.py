"""The pages of ``ls_deprived`` (ONS Longitudinal Study): its parameters, study, regions, Table 30, the
models and subgroup tables; what both microdata chapters share is ``movers.pages.micro``. The data
preparation is ``movers.strands.micro.ls_deprived``'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd
from IPython.display import display

from movers.core import source as data_source
from movers.core.parameters import ChapterParams
from movers.data import published as reference
from movers.pages import compare, tables
from movers.pages.micro import (
    Study,
    ages_in_order,
    characteristics_text,
    checked_facts,
    comparison,
    effects_table,
    interactions,
    model_controls,
    models_table,
    own_caption,
    register_sample,
    smaller_of,
    truth,
)
from movers.sdc import record as sdc_record, suppression
from movers.sdc.rules import SUPPRESSED
from movers.strands.micro import common as micro, ls_deprived as ls

NOTE_LS = "Average marginal effects after probit regressions; standard errors in parentheses; "


def ls_fact_counts(drawn: ls.Sample) -> dict[str, int]:
    """The people behind each sample fact of ``ls.sample_facts``."""
    sample = drawn.frame
    n, movers = len(sample), int(sample["mover"].sum())
    return {
        "n_children": drawn.flow.children,
        "n_linked": drawn.flow.linked_adults,
        "n_sample": n,
        "n_stayers": smaller_of(movers, n),
        "n_movers": smaller_of(movers, n),
        "pct_movers": smaller_of(movers, n),
        "pct_two_parent_class": smaller_of(int((sample["n_parents_with_class"] >= 2).sum()), n),
        "pct_no_parent_class": smaller_of(int(sample["parent_class"].isna().sum()), n),
    }


LS_FORMATS = {
    "n_children": "{:,.0f}",
    "n_linked": "{:,.0f}",
    "n_sample": "{:,.0f}",
    "n_stayers": "{:,.0f}",
    "n_movers": "{:,.0f}",
    "pct_movers": "{:.1f}",
    "pct_two_parent_class": "{:.0f}",
    "pct_no_parent_class": "{:.1f}",
}


@dataclass(frozen=True, kw_only=True)
class LsParams(ChapterParams):
    """The parameters of ``ls_deprived``: names and types here, defaults in ``params/ls_deprived.yml`` only."""

    chapter: ClassVar[str] = "ls_deprived"

    source: str
    data_path: str
    dictionary: str
    sdc_rules: str
    quintile: int
    child_ages: tuple[int, int]
    adult_ages: tuple[int, int]
    child_censuses: tuple[int, ...]
    region_effects: str
    cov_type: str
    outcomes: tuple[str, ...]
    characteristics: tuple[str, ...]

    def __post_init__(self) -> None:
        super().__post_init__()
        ages_in_order(self, "child_ages", "adult_ages")


def ls_study(*, params: LsParams) -> Study:
    """Open the data source, start the checker, load the extract and build the analysis file of ``ls_deprived``."""
    ls.check_source(params.source)
    strand = ls.strand(params.region_effects, params.cov_type)
    strand.check(params.outcomes, params.characteristics)
    src = data_source.open(params.source, params.data_path, truth_of="ons_ls", rules=params.sdc_rules or None)
    chk = sdc_record.start_run("ls_deprived", src)
    extract = ls.load(src, params.dictionary)
    drawn = ls.build_sample(
        extract,
        quintile=params.quintile,
        child_ages=params.child_ages,
        adult_ages=params.adult_ages,
        child_censuses=params.child_censuses,
    )
    sample = drawn.frame
    regions = ls.region_quintiles(extract.regions)
    regions["region_name"] = regions["region"].map(extract.dictionary["regions"])
    facts = checked_facts(
        chk,
        "Sample (prose)",
        ls.sample_facts(drawn, regions, params.quintile, params.child_censuses),
        ls_fact_counts(drawn),
        LS_FORMATS,
    )
    register_sample(chk, sample, {"pct_no_parent_class": sample.index[sample["parent_class"].isna()]})
    facts |= {
        "child_lo": params.child_ages[0],
        "child_hi": params.child_ages[1],
        "adult_lo": params.adult_ages[0],
        "adult_hi": params.adult_ages[1],
        "quintile": params.quintile,
        "quintile_words": quintile_words(params.quintile),
        "censuses_text": ", ".join(map(str, params.child_censuses)),
        "threshold": chk.rules.threshold,
        "characteristics_text": characteristics_text(params.characteristics, {"gender": "sex"}),  # the LS records sex
        "region_effects_text": "the region where they grew up"
        if params.region_effects == "child"
        else "the region where they live as adults",
    }
    return Study(
        "ls_deprived",
        strand,
        sample,
        list(params.outcomes),
        list(params.characteristics),
        chk,
        src,
        1.0,
        facts,
        {"regions": regions, "child_censuses": list(params.child_censuses)},
    )


def quintile_words(quintile: int, n: int = 5) -> str:
    """The study group in words: the report studies the first quintile, "the most deprived"."""
    if quintile == 1:
        return "the most deprived quintile (the lowest share of high-skilled jobs)"
    if quintile == n:
        return "the least deprived quintile (the highest share of high-skilled jobs)"
    return f"quintile {quintile} of {n} (ranked from the lowest share of high-skilled jobs)"


def regions_table(study: Study) -> tables.Table:
    """The regions of each child census with their share of high-skilled jobs and quintile (census aggregates)."""
    r = study.extra["regions"]
    shown = r[r["census"].isin(study.extra["child_censuses"])].copy()
    shown.index = [f"{c} {n}" for c, n in zip(shown["census"], shown["region_name"])]
    shown = shown[["prop_professional", "population", "quintile"]].rename(
        columns={
            "prop_professional": "Share of professional and technical jobs",
            "population": "Population",
            "quintile": "Quintile",
        }
    )
    return tables.render(
        shown,
        digits={"Share of professional and technical jobs": 3, "Population": 0, "Quintile": 0},
        caption=own_caption(
            study,
            "Regions at each child census, from the lowest share of high-skilled jobs, with their population-weighted quintile",
        ),
        notes="Region-level census aggregates; the quintile of a region holds the middle of its population.",
    )


PUBLISHED_QUINTILE = 1  # the report's LS tables are of the most deprived quintile only


def ls_published(study: Study) -> bool:
    """Whether the report published this selection's LS tables: only for quintile 1, so the published
    columns never stand beside results for another quintile."""
    return study.facts["quintile"] == PUBLISHED_QUINTILE


def table30(study: Study) -> tables.Table:
    """Table 30, checked: each share on the smaller category, and the three class shares of a column adding up to one."""
    d = ls.describe(study.sample)
    cols = ["Stayers", "Movers"]
    shown = study.chk.shares(
        "Table 30",
        d.values,
        n=d.n,
        n_with=d.n_with,
        relations=suppression.columns_add_up(ls.PARENT_ROWS, cols) + suppression.columns_add_up(ls.OCC_ROWS, cols),
    )
    study.extra["table30"] = d
    # the note's counts of people are checked with every other count of the page (a count or a difference
    # of counts under the threshold is [c]), as the table's cells are
    note_counts = {
        col: study.chk.count_text(f"Table 30 (note): {col.lower()}", study.sample.index[study.sample["mover"] == flag])
        for col, flag in (("Stayers", 0), ("Movers", 1))
    }
    cc = study.extra["child_censuses"]
    published = (
        f"Columns marked (published) are the report's figures ({ls.PUBLISHED_N['Stayers']:,} stayers and "
        f"{ls.PUBLISHED_N['Movers']:,} movers). "
        if ls_published(study)
        else f"The report publishes this table for quintile {PUBLISHED_QUINTILE} only, so no published column is shown. "
    )
    return tables.render(
        compare.descriptive_comparison(shown, 30) if ls_published(study) else shown,
        digits=2,
        label="table-30",
        caption=f"Table 30: Descriptive statistics, stayers in and movers from {quintile_words(study.facts['quintile'])}",
        notes=f"Source: {'synthetic LS extract' if study.synthetic else 'ONS LS'}, {min(cc)} to {max(cc) + 20}. "
        f"Number of observations: {note_counts['Stayers']} stayers and {note_counts['Movers']} movers; proportions. "
        + published
        + "Parents' and own classes are shares of those with a class.",
    )


def table30_text(study: Study) -> dict:
    """Table 30's shares quoted in the prose, each ``[c]`` if its cell was withheld."""
    chk, out = study.chk, {}
    for key, row in (("deg", "Degree holder"), ("prof", "Professional and technical occupations"), ("emp", "Employed")):
        for who, col in (("stayers", "Stayers"), ("movers", "Movers")):
            v = chk.released("Table 30").loc[row, col]
            out[f"{key}_{who}"] = chk.glue_text("Table 30", row, col, "{:.0f}", value=None if isinstance(v, str) else 100 * v)
    for who, col in (("stayers", "Stayers"), ("movers", "Movers")):
        out[f"dis_{who}"] = chk.glue_text("Table 30", "Disabled", col, "{:.2f}")
    if all(chk.is_released("Table 30", "Disabled", c) for c in ("Stayers", "Movers")):
        dis = chk.released("Table 30").loc["Disabled"]
        out["dis_lower"] = "that of the " + ("movers" if dis["Movers"] < dis["Stayers"] else "stayers")
    else:
        out["dis_lower"] = "cannot be said without revealing a withheld cell"
    pub = reference.published_descriptives(30)
    out["pub_dis_stayers"] = float(pub.loc["Disabled", "Stayers"])
    out["pub_dis_movers"] = float(pub.loc["Disabled", "Movers"])
    return out


LS_NOUNS = {"employed": "employment", "professional": "a professional or technical occupation"}


def ls_models_table(study: Study, models) -> tables.Table:
    return models_table(
        study,
        models,
        caption=f"Difference between movers from and stayers in {quintile_words(study.facts['quintile'])}, Models 1-3",
        notes=NOTE_LS + tables.STAR_NOTE + ".",
        label="table-ls-models",
        controls=model_controls("Region and year effects"),
    )


def ls_models_text(study: Study, models) -> dict:
    """Models 1 and 3 in words, and whether the controls shrink the gap, from released results only."""
    est = {m: {o: models[o][m].coefs.loc["Mover", "estimate"] for o in models} for m in ("Model 1", "Model 3")}
    text = {
        m: " and ".join(f"{SUPPRESSED if pd.isna(v) else f'{v:.3f}'} for {LS_NOUNS[o]}" for o, v in est[m].items()) for m in est
    }
    m1, m3 = est["Model 1"], est["Model 3"]
    known = [o for o in models if pd.notna(m1[o]) and pd.notna(m3[o])]
    shrink = " and ".join(LS_NOUNS[o] for o in known if abs(m3[o]) < abs(m1[o])) or "neither outcome"
    flips = [LS_NOUNS[o] for o in known if m3[o] * m1[o] <= 0]
    return {
        "m1_text": text["Model 1"],
        "m3_text": text["Model 3"],
        "shrink_text": "the controls shrink the gap for "
        + shrink
        + (", and change its sign for " + " and ".join(flips) if flips else ""),
    }


LS_TABLES = {"employed": 31, "professional": 32}


LS_CAPTIONS = {
    "employed": "Table 31: Differences in probability of employment between movers from and stayers in {q}",
    "professional": "Table 32: Differences in the probability of being employed in a professional or technical occupation between movers from and stayers in {q}",
}


LS_NOTE = (
    "Separate regressions for each interaction; "
    + NOTE_LS
    + tables.STAR_NOTE
    + ". Observations: the largest of the separate regressions."
)


def ls_subgroups(study: Study) -> micro.InteractionTables:
    return interactions(study, "Tables 31-32", "Tables 31-32 differences")


def ls_subgroup_tables(study: Study, tabs: micro.InteractionTables, outcome: str) -> None:
    """Display Table 31 or 32 (if ``outcome`` was modelled) and its comparison with the report and the truth."""
    if outcome not in study.outcomes:
        return
    label, n = study.strand.outcomes[outcome], LS_TABLES[outcome]
    pub_col = {31: "coefficient", 32: "Coefficient"}[n]
    short = {"employed": "Employed", "professional": "Professional or technical occ."}[outcome]
    res = {label: tabs.effects[label]}
    eff_truth = truth(study, tabs)[0]
    caption = LS_CAPTIONS[outcome].format(q=quintile_words(study.facts["quintile"]))
    t = effects_table(study, res, name="Tables 31-32", caption=caption, notes=LS_NOTE, label=f"table-{n}", columns={label: short})
    c = comparison(
        study,
        res,
        name="Tables 31-32",
        table_no=n if ls_published(study) else None,
        caption=f"Reproduced, published and (synthetic) true values of Table {n}"
        if ls_published(study)
        else f"Reproduced and (synthetic) true values of Table {n} (the report publishes quintile {PUBLISHED_QUINTILE} only)",
        truth=eff_truth,
        columns={label: pub_col},
        row_map=ls.PUBLISHED_ROWS[n],
        key=f"comparison of Table {n}",
    )
    display(t, c)  # displayed as tables: each gets its Source line and download (movers.book.publish)
