"""The pages of the gravity chapters (hot and cold spots, ONS supergroups, IMD quintiles): sections, captions,
table numbers and the sentences of their prose.

The analysis (``movers.strands.flows.models``) prepares the data and fits the models; each function here turns
its results into what one chapter section shows, a ``Section`` of tables, facts to glue and the frames behind
them, so that each chapter cell is a call, a glue and a render. Captions carry the selection in words; tables
take the report's number or the book's own ("3.A"), and the published column stands only where the estimate is
comparable; the prose follows the typology's own words and the report's 5 % convention.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from movers.core.errors import InputError
from movers.core.parameters import ChapterParams
from movers.data import published as reference
from movers.estimators import agreement
from movers.estimators.results import Estimates
from movers.pages import compare, tables, words
from movers.pages.section import Section
from movers.strands.flows import calibration, models as flow_models
from movers.strands.flows.models import (
    CENSUS_FILES,
    RATE_PER,
    SIGNIFICANCE,
    TYPOLOGIES,
    FlowSetup,
    Selection,
    census_flows,
    census_net,
    control_flags,
    dictionary,
    gva_files,
    levels,
    rates_by,
    receiving_models,
    row_map,
    sending_models,
    supergroup_descriptives,
    table6_comparison,
    type_label,
    type_rates,
    variable_labels,
    variable_table,
    zero_flow_bias,
)


def years_text(years: Sequence[int]) -> str:
    """``2011-2018`` for a run of years, ``2011, 2015`` otherwise."""
    ys = sorted(years)
    if len(ys) > 1 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}-{ys[-1]}"
    return ", ".join(map(str, ys))


CENSUS_UNIVERSE = (
    "Movers: the census table by NS-SEC covers residents aged 16 to 74 (the ages NS-SEC classifies), the table by "
    "ethnic group residents of all ages, so the two count different numbers of movers for the same flow."
)


def selection_text(sel: Selection) -> str:
    """The selection in words, for every caption."""
    sex = {None: "men and women", "M": "men", "F": "women"}[sel.sex]
    sample = "all pairs of authorities (zero flows included)" if sel.include_zero else "pairs with at least one move"
    return f"{sel.area}, {years_text(sel.years)}, {sex}, all ages, {sample}, {dictionary()['exposures'][sel.exposure]}"


def withdrawn(sel: Selection) -> str | None:
    """Why the report's figures are not comparable with a selection (``None`` when they are)."""
    spec = dictionary()["typologies"][sel.typology]["report"]
    if list(sel.years) != list(spec["years"]):
        return f"the report covers {years_text(spec['years'])}, this selection {years_text(sel.years)}"
    if sel.sex is not None:
        return "the report models the moves of men and women together"
    if sel.include_zero:
        return "the report fitted the non-zero flows only"
    if sel.exposure == "none":
        return "the report models flow rates, not raw counts"
    return None


# each flows chapter's own tables in page order (``FlowChapter.own_tables``); "sending", "receiving": its model
# tables of that kind when the report has none for them (a typology of the book's); None: a chapter not listed
OWN_TABLES = {
    "flows_hotcold": ("rates", "rates by year and sex", "sending", "receiving", "bias"),
    "flows_ons": ("london gva", "rates", "rates by year and sex", "sending", "receiving", "bias"),
    "flows_imd": ("rates", "rates by year and sex", "receiving", "census nssec", "census ethnicity"),
    None: ("london gva", "rates", "rates by year and sex", "sending", "receiving", "census nssec", "census ethnicity", "bias"),
}


@dataclass
class FlowChapter(FlowSetup):
    """A flows chapter's prepared data (``models.FlowSetup``) with what its page adds: the typology's words and
    the book's own table numbers (``own_tables``), and the chapter's parameters."""

    params: FlowParams | None = None

    @property
    def words(self) -> dict:
        return dictionary()["typologies"][self.typology]

    def plural(self, level: str) -> str:
        return self.words["plural"].get(level, level)

    @property
    def own_tables(self) -> list[str]:
        """The keys of the chapter's own tables (those without a report number) in page order: the chapter's
        ``OWN_TABLES``, "sending" and "receiving" kept (as one table, or one per sending type) only where the
        report has no table for them."""
        spec = self.words["report"]
        models = {
            "sending": ["sending"] if spec["sending"] is None else [],
            "receiving": [f"receiving {k}" for k in self.order] if spec["receiving"] is None else [],
        }
        return [k for key in OWN_TABLES.get(self.name, OWN_TABLES[None]) for k in models.get(key, [key])]

    def table_number(self, report_table: int | None, key: str = "") -> str:
        """The report's number of a table, or the book's own when the report has none: chapter number and a
        letter ("3.A", "3.B"...), which no report table has. The letter is the place of ``key`` among
        ``own_tables`` (``tables.own_number``), so a cell run again, or cells run in another order, give a
        table the same number."""
        if report_table is not None:
            return str(report_table)
        return tables.own_number(str(self.number), key, self.own_tables)

    def caption(self, number: str, title: str) -> str:
        return f"Table {number}: {title} ({selection_text(self.selection)})"


@dataclass(frozen=True, kw_only=True)
class FlowParams(ChapterParams):
    """The parameters every gravity chapter has: names and types here, defaults in ``params/<chapter>.yml``
    only (one subclass per chapter names its file)."""

    source: str
    data_path: str
    years: str
    typology: str
    age_band_width: int
    sex: str
    models: tuple[str, ...]
    exposure: str
    include_zero_flows: bool


@dataclass(frozen=True, kw_only=True)
class HotColdParams(FlowParams):
    """The parameters of ``flows_hotcold``."""

    chapter: ClassVar[str] = "flows_hotcold"


@dataclass(frozen=True, kw_only=True)
class ImdParams(FlowParams):
    """The parameters of ``flows_imd``."""

    chapter: ClassVar[str] = "flows_imd"


@dataclass(frozen=True, kw_only=True)
class OnsParams(FlowParams):
    """The parameters of ``flows_ons``: Table 6's outlier rule and area besides the common ones."""

    chapter: ClassVar[str] = "flows_ons"

    outlier_factor: float
    table6_england_only: bool


# each gravity chapter's parameters object, by chapter name
PARAMS = {c.chapter: c for c in (HotColdParams, ImdParams, OnsParams)}


def chapter_setup(*, params: FlowParams) -> FlowChapter:
    """A flows chapter's data, prepared once (``models.prepare``: parameters checked, source opened, regression
    frame built), ready for its sections, which read their own parameters from ``params``."""
    setup = flow_models.prepare(
        params.chapter,
        params.source,
        params.data_path,
        params.years,
        params.typology,
        params.sex,
        list(params.models),
        params.exposure,
        params.include_zero_flows,
    )
    return FlowChapter(**vars(setup), params=params)


# why the two census tables count different movers for one flow
def inputs_text(ctx: FlowChapter) -> str:
    """Where the data came from, in a sentence or two: open files (each input and what was left out) or the synthetic world."""
    if ctx.inputs is None:
        return (
            "The data are the synthetic world, generated from a seed: no figure on this page is a finding about England and Wales."
            if ctx.source.synthetic
            else f"The data are the {ctx.source.kind} files of {ctx.source.root.name}/."
        )
    words = {"unemployment_rate": "the unemployment rate", "non_uk_born": "the share of residents born outside the UK"}
    left = [words[c] for c in ctx.inputs.omitted if c in words]
    text = "The data are open files: " + "; ".join(ctx.inputs.notes) + "."
    if left:
        text += (
            f" No open file here gives {' or '.join(left)} for these years, so Model 4 is fitted without "
            f"{'it' if len(left) == 1 else 'them'} (never with a substitute); its coefficients are not the report's specification."
        )
    return text


def setup_facts(ctx: FlowChapter) -> dict:
    """The prose facts of a chapter's opening: the typology in its own words, the selection, the sample."""
    return {
        "typology_about": ctx.words["about"].strip(),
        "typology_name": ctx.words["name"],
        "typology_caveat": ctx.words["caveat"].strip(),
        "years_text": years_text(ctx.selection.years),
        "area_text": ctx.selection.area,
        "selection_text": selection_text(ctx.selection),
        "n_pairs": len(ctx.frame),
        "n_las": int(ctx.data.types[ctx.typology].notna().sum()),
        "exposure_text": dictionary()["exposures"][ctx.selection.exposure],
        "rate_per": RATE_PER,
        "significance_pct": 100 * SIGNIFICANCE,
        "young_ages": re.search(r"\d+-\d+", dictionary()["variables"]["log_young"]["values"]).group(0),
        "inputs_text": inputs_text(ctx),
        "truth_text": (
            "Beside Model 4 stands the true value: the coefficient that generated the synthetic flows, in the generating "
            "model (every typology's dummies on both sides, over every ordered pair of authorities). A one-typology model fitted "
            "on the pairs with at least one move (the report's sample) misses it by the bias of dropping zero flows, "
            + (
                "which the last section measures,"
                if dictionary()["chapters"][ctx.name].get("bias_section")
                else "which the chapters on hot and cold spots and on ONS supergroups measure in their last sections,"
            )
            + " and by the area types it leaves out."
            if ctx.truth
            else "No true values are known for these data."
        ),
    }


def descriptives(ctx: FlowChapter) -> Section:
    """Type-to-type rates over the selection's years, rendered, with sentences on the first and last types."""
    rates = type_rates(ctx.data, ctx.typology, ctx.selection.years, sex=ctx.selection.sex)
    first, last = ctx.order[0], ctx.order[-1]
    diag = pd.Series({k: rates.loc[k, k] for k in ctx.order})
    facts = {
        "rate_first_first": rates.loc[first, first],
        "rate_last_first": rates.loc[last, first],
        "rate_last_last": rates.loc[last, last],
        "first_plural": ctx.plural(first),
        "last_plural": ctx.plural(last),
        "group_word": ctx.words["group"],
        "most_internal": ctx.plural(diag.idxmax()),
        "most_internal_rate": diag.max(),
    }
    table = tables.render(
        rates,
        digits=2,
        index_header="Sending \\ receiving",
        caption=ctx.caption(
            ctx.table_number(None, "rates"),
            f"Internal migration rates between {ctx.words['group']}s, moves per 100 residents of the sending {ctx.words['group']}",
        ),
    )
    return Section([table], facts, {"rates": rates})


def breakdowns(ctx: FlowChapter) -> Section:
    """Rates by year and by sex (one table) and by age band (a long frame for the figure), as the report
    gives them for hot and cold spots and says it repeats for the other typologies."""
    age_band_width = ctx.params.age_band_width
    if age_band_width < 1:
        raise InputError("parameter 'age_band_width'", "must be a positive number of years")
    yrs = list(ctx.selection.years)
    by_year, by_sex = rates_by(ctx.data, ctx.typology, yrs, "year"), rates_by(ctx.data, ctx.typology, yrs, "sex")
    bands = [(a, min(a + age_band_width - 1, 90)) for a in range(0, 91, age_band_width)]
    by_age = rates_by(ctx.data, ctx.typology, yrs, "age", bands=bands)
    wide = pd.concat([_wide(by_year, "year"), _wide(by_sex, "sex")], axis=1)
    sums = by_sex.groupby("sex")["rate"].sum()
    facts = {
        **words.directed("female_male", sums["Female"] - sums["Male"], "exceed", "fall short of", "equal"),
        "peak_band": by_age.groupby("age", sort=False)["rate"].sum().idxmax(),
    }
    both = Selection(ctx.typology, ctx.selection.years, ctx.selection.area)
    table = tables.render(
        wide,
        digits=2,
        index_header="Sending → receiving",
        caption=(
            f"Table {ctx.table_number(None, 'rates by year and sex')}: Rates between {ctx.words['group']}s by year and by sex, moves per 100 residents of the sending "
            f"{ctx.words['group']} and sex ({both.area}, {years_text(both.years)}, all ages)"
        ),
    )
    return Section([table], facts, {"by_age": by_age, "by_year": by_year, "by_sex": by_sex})


def _wide(long: pd.DataFrame, by: str) -> pd.DataFrame:
    w = long.pivot_table(index=["Sending", "Receiving"], columns=by, values="rate", sort=False)
    w.index = [f"{k} → {m}" for k, m in w.index]
    return w


def significant(est: Estimates, row: str, level: float = SIGNIFICANCE) -> bool:
    """The report discusses only coefficients significant at 5 %."""
    return row in est and float(est.row(row)["pvalue"]) < level


def contrast(est: Estimates, row: str, subject: str, reference: str, verb: str) -> str:
    """A sentence on one area-type coefficient that follows the 5 % convention: ``"{subject} {verb} more/less
    often than {reference}"`` with the estimate when significant, "neither more nor less often" otherwise."""
    if row not in est:
        return f"the row {row!r} cannot be estimated in this sample"
    b = float(est.row(row)["estimate"])
    if not significant(est, row):
        return (
            f"{subject} {verb} neither more nor less often than {reference} at the {100 * SIGNIFICANCE:g} % level of significance"
        )
    return f"{subject} {verb} {'more' if b > 0 else 'less'} often than {reference} ({abs(b):.3f} log points, significant at {100 * SIGNIFICANCE:g} %)"


def _model_tables(
    ctx: FlowChapter, fits: Mapping[str, Estimates], report_table: int | None, title: str, key: str
) -> tuple[tables.Table, pd.DataFrame]:
    """One comparison table of a report table (or of the book's own when ``report_table`` is None, numbered by
    ``key`` among the chapter's own tables)."""
    number = ctx.table_number(report_table, key)
    reason = withdrawn(ctx.selection) if report_table is not None else None
    rows = list(dict.fromkeys(r for e in fits.values() for r in e.index))
    notes = (
        f"Negative binomial regressions, robust (HC1) standard errors in parentheses; {tables.STAR_NOTE}. Year effects"
        + (" and country effects" if ctx.selection.area != "England" else "")
        + " in every model."
    )
    return compare.model_comparison(
        fits,
        report_table,
        truth=ctx.truth or None,
        withdrawn=reason,
        row_map=row_map(report_table, rows) if report_table else None,
        controls=control_flags(list(fits)),
        caption=ctx.caption(number, title),
        notes=notes,
    )


def sending(ctx: FlowChapter) -> Section:
    """Which areas do people leave? The models with sending-type dummies, one comparison table."""
    fits = sending_models(ctx.frame, ctx.typology, ctx.specs, ctx.selection.exposure)
    spec = ctx.words["report"]
    table, long = _model_tables(
        ctx,
        fits,
        spec["sending"],
        f"Migration outflow rates by sending {ctx.words['group']}, reference group {ctx.order[0]}",
        "sending",
    )
    first, last = fits[ctx.models[0]], fits[ctx.models[-1]]
    row = type_label("Sending", ctx.order[-1], ctx.typology)
    ref = ctx.plural(ctx.order[0])
    facts = {
        "send_first_text": f"In {ctx.models[0]}, " + contrast(first, row, "people", ref, f"leave {ctx.plural(ctx.order[-1])}"),
        "send_last_text": f"in {ctx.models[-1]}, " + contrast(last, row, "they", ref, f"leave {ctx.plural(ctx.order[-1])}"),
        "send_seconds": sum(e.seconds for e in fits.values()),
        "send_published": agreement.coverage(long),
    }
    return Section([table], facts, {"fits": fits, "long": long})


def receiving(ctx: FlowChapter) -> Section:
    """Where do people go? For each sending type, the models with receiving-type dummies, one table each."""
    fits = receiving_models(ctx.frame, ctx.typology, ctx.specs, ctx.selection.exposure)
    spec = ctx.words["report"]
    out = Section()
    longs = []
    for k, f in fits.items():
        number = None if spec["receiving"] is None else spec["receiving"] + ctx.order.index(k)
        table, long = _model_tables(
            ctx,
            f,
            number,
            f"Flow rates by receiving {ctx.words['group']}, sending {k}, reference group {ctx.order[0]}",
            f"receiving {k}",
        )
        out.tables.append(table)
        longs.append(long.assign(sending=k))
    long = pd.concat(longs, ignore_index=True)
    first, last = ctx.order[0], ctx.order[-1]
    row = type_label("Receiving", last, ctx.typology)
    m = ctx.models[-1]
    out.facts = {
        "rec_first_text": contrast(
            fits[first][m], row, f"movers from {ctx.plural(first)}", f"to {ctx.plural(first)}", f"go to {ctx.plural(last)}"
        )
        if first in fits
        else "",
        "rec_last_text": contrast(
            fits[last][m], row, f"movers from {ctx.plural(last)}", f"to {ctx.plural(first)}", f"go to {ctx.plural(last)}"
        )
        if last in fits
        else "",
        "n_rec_fits": sum(len(f) for f in fits.values()),
        "rec_published": agreement.coverage(long),
    }
    out.facts.update(recovery_facts(long[long["model"] == m]))
    out.frames = {"fits": fits, "long": long}
    return out


def recovery_facts(long: pd.DataFrame) -> dict:
    """The share of estimates within 3 SE of the truth, and what it means on the selection's sample."""
    z = long["z_truth"].dropna().abs()
    share = float((z <= 3).mean()) if len(z) else float("nan")
    if not len(z):
        note = "no truth is known for these data"
    elif share < 0.95:
        note = (
            "with about 99.7 per cent expected from sampling noise alone, the shortfall measures what the model leaves out: "
            "the zero flows (the non-zero sample is truncated) and the other typologies' effects of the generating model"
        )
    else:
        note = "in line with sampling noise"
    return {"share_within3": share, "within3_note": note}


BIAS_KEYS = {"Non-zero flows only": "nonzero", "Non-zero flows, zero-truncated NB2": "ztnb", "Full matrix": "full"}


def bias_facts(b: pd.DataFrame) -> dict:
    """Per fit of ``zero_flow_bias`` (suffixes ``nonzero``, ``ztnb``, ``full``): the distance elasticity, the
    largest distance from the truth in SEs, the share of rows within 3 SE of the truth, and the sample size;
    ``bias_text`` compares the fits with the truth where one is known, and says that none is otherwise."""
    dist = variable_labels()["log_distance"]
    facts = {}
    for smp, g in b.groupby("sample", sort=False):
        k, g = BIAS_KEYS[smp], g.set_index("row")
        z = g["z"].dropna().abs()
        facts |= {
            f"dist_{k}": float(g.loc[dist, "estimate"]),
            f"max_z_{k}": float(z.max()) if len(z) else float("nan"),
            f"within3_{k}": float((z <= 3).mean()) if len(z) else float("nan"),
            f"nobs_{k}": int(g["nobs"].iloc[0]),
        }
        facts["dist_true"] = float(g.loc[dist, "truth"])
    f = facts
    known = b["truth"].notna().any()
    # the sentence of the three elasticities is the chapter's own prose (its numbers glued); only what follows
    # the data, the comparison with a truth that exists on synthetic data alone, is said here
    if known:
        text = (
            f"The true value is {f['dist_true']:.3f}. The shares of coefficients within three standard errors of the truth are "
            f"{f['within3_nonzero']:.2f}, {f['within3_ztnb']:.2f} and {f['within3_full']:.2f}, and the largest gaps "
            f"{f['max_z_nonzero']:.1f}, {f['max_z_ztnb']:.1f} and {f['max_z_full']:.1f} standard errors."
        )
    else:
        text = (
            "No true values are known for these data, so the three fits can only be compared with one another: where the "
            "naive fit departs from the other two, dropping the zero flows moves it."
        )
    facts["bias_text"] = text
    facts["bias_caption"] = (
        "Each Model 4 coefficient's distance from its true value in standard errors; dashed lines at ±3."
        if known
        else "Each Model 4 coefficient as estimated by each fit, with two standard errors either side (no truth is known for these data)."
    )
    return facts


def bias(ctx: FlowChapter) -> Section:
    """Model 4 fitted three ways (naive NB2 of the non-zero flows, zero-truncated NB2 of the same flows, NB2 of
    the full matrix), one estimate column each beside the truth (synthetic data only). Every typology's dummies
    enter when the data type every authority three ways; otherwise (open data without the Social Mobility
    Index) the chapter's own typology only."""
    every = all(ctx.data.types[t].notna().any() for t in TYPOLOGIES if t in ctx.data.types)
    b = zero_flow_bias(ctx.data, ctx.typology, list(ctx.selection.years), exposure="offset", all_types=every)
    show = b.pivot_table(index="row", columns="sample", values="estimate", sort=False)[list(BIAS_KEYS)]
    show.columns = ["Non-zero, NB2", "Non-zero, zero-truncated NB2", "Full matrix, NB2"]
    show.insert(0, "True value", b.groupby("row", sort=False)["truth"].first())
    show.columns.name = None
    sel = Selection(ctx.typology, ctx.selection.years, ctx.selection.area, None, "offset", True)
    dummies = "every typology's" if every else f"the {ctx.words['name']}'s"
    table = tables.render(
        show,
        digits=3,
        caption=f"Table {ctx.table_number(None, 'bias')}: Model 4 with {dummies} area-type dummies, fitted three ways, "
        f"beside the true values ({selection_text(sel).replace(', all pairs of authorities (zero flows included)', '')})",
    )
    return Section([table], bias_facts(b), {"bias": b})


def table6(ctx: FlowChapter) -> Section:
    """Table 6 (push and pull factors by supergroup) beside the published one, with the report's outliers flagged
    (``outlier_factor``, ``table6_england_only`` of the chapter's ``OnsParams``)."""
    outlier_factor, england_only = ctx.params.outlier_factor, ctx.params.table6_england_only
    t6 = supergroup_descriptives(ctx.data, ctx.selection.years, england_only)
    both = table6_comparison(t6)
    flags = agreement.outliers(reference.published_descriptives(6), factor=outlier_factor)
    area = "England" if england_only else "England and Wales"
    facts = {
        "lc_gva": t6.loc["London Cosmopolitan", "Average GVA per capita (£)"],
        "n_flags": len(flags),
        "n_flags_text": words.count(len(flags), "cell"),
        "flag_text": "; ".join(
            f"{r['row']}, {r['column']}: {r['value']:,.0f} ({r['ratio']:.0f} times the column median)"
            for _, r in flags.iterrows()
        )
        or "none",
        "top_house": t6["Average house prices (£)"].idxmax(),
        "t6_area": area,
    }
    withdrawn = list(ctx.selection.years) != list(range(2011, 2019)) or not england_only
    show = both[[c for c in both.columns if not (withdrawn and c.endswith("(published)"))]]
    caption = (
        f"Table 6: Push and pull factors by ONS supergroup, authority-year means ({area}, {years_text(ctx.selection.years)})"
        + ("" if withdrawn else ", beside the published figures")
        + "; the report's rows are the columns here"
    )
    notes = "Published figures withdrawn: the report's Table 6 covers England, 2011-2018." if withdrawn else ""
    printed = reference.published_decimals(6)  # the report's figures at the decimals it printed, never padded
    digits = {
        c: printed.get(c.removesuffix(" (published)"), 2) if c.endswith("(published)") else (0 if "£" in c else 2)
        for c in show.columns
    }
    table = tables.render(show, digits=digits, transpose=True, caption=caption, notes=notes)
    readings, lc_facts = london_gva_readings(gva_files(), ctx.selection.years)
    facts |= lc_facts
    shown = [table]
    if readings is not None:
        shown.append(
            tables.render(
                readings,
                digits=0,
                index_header="London Cosmopolitan",
                caption=(
                    f"Table {ctx.table_number(None, 'london gva')}: The report's London Cosmopolitan GVA per head under two readings, "
                    f"from the open ONS GVA, population and classification files (England, {lc_facts['lc_gva_years']})"
                ),
            )
        )
    return Section(shown, facts, {"t6": t6, "lc_gva": readings})


def census(ctx: FlowChapter) -> Section:
    """2011 Census moves out of and into each deprivation quintile by NS-SEC and by ethnicity, with the facts
    of the most deprived quintile the report is about."""
    root = ctx.inputs.folder if ctx.inputs is not None else ctx.source.root
    if ctx.inputs is not None and not all((root / "flows" / f).exists() for f, _ in CENSUS_FILES.values()):
        return Section(
            facts={
                "census_text": "The census tables by group are not among the open files here (dataset census2011_groups of "
                "data/datasets.yml, served by the UK Data Service's WICID interface, no download link pinned), so this "
                "section is left out of this run."
            }
        )
    ns = census_flows(root, ctx.data, "nssec")
    eth = census_flows(root, ctx.data, "ethnicity")
    most = levels("imd")[0]
    prof, routine, white, other = ns.columns[0], ns.columns[2], eth.columns[0], eth.columns[1]
    net_ns, net_eth = census_net(ns, most), census_net(eth, most)
    facts = {
        "census_most": ctx.plural(most),
        "census_prof": prof.split(" (")[0].lower(),
        "census_routine": routine.split(" (")[0].lower(),
        "prof_out": ns.loc[f"{most}: out of", prof],
        "prof_in": ns.loc[f"{most}: into", prof],
        "routine_out": ns.loc[f"{most}: out of", routine],
        "routine_in": ns.loc[f"{most}: into", routine],
        "nonwhite_out": eth.loc[f"{most}: out of", other],
        "nonwhite_in": eth.loc[f"{most}: into", other],
        "net_prof": float(net_ns[prof]),
        "net_routine": float(net_ns[routine]),
        "net_white": float(net_eth[white]),
        "net_nonwhite": float(net_eth[other]),
    }

    def net(v):  # the word from the sign, the number without it
        return f"{words.direction(v, 'gained', 'lost', 'neither gained nor lost')} {words.size(v, 0)}".rstrip()

    facts["census_text"] = (
        f"Of the movers out of {facts['census_most']}, {facts['prof_out']:.1f} per cent worked in {facts['census_prof']}, "
        f"against {facts['prof_in']:.1f} per cent of those moving in; for {facts['census_routine']} the shares are "
        f"{facts['routine_out']:.1f} and {facts['routine_in']:.1f} per cent. Non-white movers were {facts['nonwhite_out']:.1f} "
        f"per cent of the outflow and {facts['nonwhite_in']:.1f} per cent of the inflow. In net terms these areas {net(facts['net_prof'])} "
        f"movers of the first group and {net(facts['net_routine'])} of the second; they {net(facts['net_white'])} white and "
        f"{net(facts['net_nonwhite'])} non-white movers."
    )
    digits = {c: (0 if c in ("Movers", "Net gain") else 1) for c in [*ns.columns, *eth.columns]}
    title = "2011 Census moves between English authorities out of and into the authorities of each IMD quintile"
    return Section(
        [
            tables.render(
                ns,
                digits=digits,
                index_header="Quintile: flow",
                caption=f"Table {ctx.table_number(None, 'census nssec')}: {title}, by NS-SEC (per cent of each flow's movers)",
                notes=CENSUS_UNIVERSE,
            ),
            tables.render(
                eth,
                digits=digits,
                index_header="Quintile: flow",
                caption=f"Table {ctx.table_number(None, 'census ethnicity')}: {title}, by ethnic group (per cent of each flow's movers)",
                notes=CENSUS_UNIVERSE,
            ),
        ],
        facts,
        {"nssec": ns, "ethnicity": eth},
    )


def variables(ctx: FlowChapter) -> Section:
    """Table 1: the control variables, from the dictionary."""
    return Section(
        [tables.render(variable_table(), caption="Table 1: Description of control variables for the aggregate data analysis")]
    )


def london_gva_readings(files: Mapping | None, years: Sequence[int]) -> tuple[pd.DataFrame | None, dict]:
    """``models.london_gva_readings`` for a page: the years in words (``lc_gva_years``) and ``lc_gva_text``,
    a sentence either way (the two readings, or why they cannot be computed here)."""
    table, facts = flow_models.london_gva_readings(files, years)
    span = facts.pop("lc_gva_file_years", None)
    if table is None and span is None:
        return None, facts | {
            "lc_gva_text": "The open GVA, population and area-classification files are not present here, so the two readings of "
            "the report's London Cosmopolitan figure cannot be computed from real data."
        }
    if table is None:
        return None, facts | {
            "lc_gva_text": f"The open GVA file covers {span[0]}-{span[1]}, none of the years "
            f"{years_text(years)}, so the two readings cannot be computed from real data."
        }
    facts["lc_gva_years"] = years_text(facts["lc_gva_years"])
    published = facts["lc_published"]
    facts["lc_gva_text"] = (
        f"Computed from the real files ({facts['lc_gva_years']}, the years the open GVA file shares with this selection), the City of "
        f"London's GVA per head is £{facts['city_gva']:,.0f}; the mean of the {facts['lc_n_las']} London Cosmopolitan authorities is "
        f"£{facts['lc_with_city']:,.0f} with the City and £{facts['lc_without_city']:,.0f} without it. The published £{published:,.0f} is "
        f"{published / facts['lc_with_city']:.2f} times the first; a tenth of it, £{facts['lc_digit']:,.0f}, is "
        f"{facts['lc_digit'] / facts['lc_without_city']:.2f} times the second. Both readings fit, so the figure is shown, not corrected."
    )
    return table, facts


def observation_counts(census_profile: Mapping | None = None) -> dict:
    """``calibration.observation_counts`` with ``text``: what the report's N mean, in a paragraph."""
    out = calibration.observation_counts(census_profile)
    samples = calibration.REPORT_SAMPLES
    text = (
        f"The report's observation counts are the pair-years that entered its regressions, and it does not say how "
        f"they were chosen. Table 7's {out['n_table7']:,} are {out['share_table7']:.0f} per cent of the "
        f"{out['pairs_table7']:,} ordered pair-years of {samples[7][0]} authorities over {samples[7][1]} years, "
        f"and Table 2's {out['n_table2']:,} are {out['share_table2']:.0f} per cent of the {out['pairs_table2']:,} of the "
        f"{samples[2][0]} English authorities the Social Mobility Index ranks, over {samples[2][1]} years."
    )
    if census_profile:
        text += (
            f" In the 2011 Census matrix, the one open full matrix, {out['census_nonzero']:.0f} per cent of ordered pairs "
            f"of authorities have at least one move ({out['census_nonzero_london']:.0f} per cent of pairs of London "
            "boroughs), for a similar number of moves between authorities in a year. The report's N are pair-years "
            "with a non-zero flow (the ONS files list no others), but far from all of the pairs with a move, and the "
            "report does not say which it left out; the N cannot be read as the number of pairs with a move, and the "
            "synthetic world takes its share of empty pairs from the census instead."
        )
    return out | {"text": text}
