"""The pages of the two microdata chapters (``movers_stayers``, ``ls_deprived``): checked tables and prose.

Why a module above the analyses: a chapter cell should be a call, a glue or a render. What used to
fill the cells (loops over outcomes, disclosure control by hand, ``if source == ...``, prose assembled
from unchecked tables) lives here, once for both chapters. Every output passes through the chapter's
``movers.sdc.checker.Checker`` before it is rendered, every number glued into prose is read from what the
checker released, and the page ends with what was withheld (``output_checking``). The models
themselves are ``movers.strands.micro.common``'s; the data preparation is ``movers.strands.micro.movers_stayers``' and ``movers.strands.micro.ls_deprived``'.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from movers.core import source as data_source
from movers.core.errors import InputError
from movers.core.parameters import ChapterParams
from movers.data import published as reference
from movers.estimators import agreement, multiplicity
from movers.estimators.results import Estimates
from movers.pages import compare, report, tables, words
from movers.sdc import checker, record as sdc_record, suppression
from movers.sdc.rules import SUPPRESSED
from movers.strands.micro import common as micro, ls_deprived as ls, movers_stayers as O

NOTE_CLUSTER = (
    "Standard errors clustered at the local authority level in parentheses; marginal effects reported for the probits; "
)
NOTE_BHPS = NOTE_CLUSTER + tables.STAR_NOTE + "."
NOTE_LS = "Average marginal effects after probit regressions; standard errors in parentheses; "
CONTROLS3 = ("Year and region fixed effects", "Macroeconomic variables", "Demographic characteristics")


@dataclass
class Study:
    """One chapter run: its models (``strand``), analysis file, checker, data source and the facts its prose quotes."""

    chapter: str
    strand: micro.Strand
    sample: pd.DataFrame
    outcomes: list
    characteristics: list
    chk: checker.Checker
    src: data_source.DataSource
    price_factor: float = 1.0
    facts: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    @property
    def synthetic(self) -> bool:
        return self.src.synthetic

    @property
    def truth(self) -> Mapping:
        return self.src.truth

    def models_truth(self) -> Mapping[str, Mapping]:
        return self.truth.get("models", {})


CHAPTER_NUMBERS = {"movers_stayers": "6", "ls_deprived": "7"}  # the book's own tables: Table 6.A, 6.B...
WITHHELD_CAPTION = "Withheld by the output checker ([c] above), with the rule that withheld each"
# each chapter's own tables in page order (``tables.own_number``), by keys that do not change with the parameters:
# the label of a models table, the caption of the others (a comparison whose caption changes: its own key)
OWN_TABLES = {
    "movers_stayers": (
        "table-models",
        "Model 3 beside the effects that generated the synthetic data",
        "Reproduced, published and (synthetic) true values of Table 27",
        "Reproduced, published and (synthetic) true values of Table 24",
        "table-motivation-models",
        "Reproduced, published and (synthetic) true values of Table 28",
        WITHHELD_CAPTION,
    ),
    "ls_deprived": (
        "Regions at each child census, from the lowest share of high-skilled jobs, with their population-weighted quintile",
        "table-ls-models",
        "Model 3 beside the effects that generated the synthetic data",
        "comparison of Table 31",
        "comparison of Table 32",
        "table-ls-differences",
        "Differences between groups: reproduced and (synthetic) true values",
        WITHHELD_CAPTION,
    ),
}


def own_caption(study: Study, caption: str, always: bool = False, key: str | None = None) -> str:
    """``caption`` with the book's own number (``tables.own_number`` of ``key``, default the caption, among the
    chapter's ``OWN_TABLES``) unless it carries a report table's number; ``always``: a table of the book's (a
    comparison) even if its words name a report table."""
    if caption.startswith("Table ") and not always:
        return caption
    number = tables.own_number(
        CHAPTER_NUMBERS.get(study.chapter, study.chapter), key or caption, OWN_TABLES.get(study.chapter, ())
    )
    return f"Table {number}: {caption}"


def glue_all(values: Mapping[str, Any]) -> None:
    """Glue every ``name: value`` of a mapping for ``{glue:text}`` use."""
    for k, v in values.items():
        report.glue(k, v)


def _smaller(n_with: int, n: int) -> int:
    return int(min(n_with, n - n_with))


def checked_facts(chk: checker.Checker, name: str, facts: dict, counts: Mapping[str, int], formats: Mapping[str, str]) -> dict:
    """The sample facts the prose quotes, through the checker: each with the people behind it (the smaller
    category for a share or a count out of the sample), formatted as text, ``[c]`` if withheld."""
    keys = list(counts)
    values = pd.DataFrame({"value": [facts[k] for k in keys]}, index=keys)
    shown = chk.table(name, values, pd.DataFrame({"value": [counts[k] for k in keys]}, index=keys), kind="prose")
    out = dict(facts)
    for k in keys:
        v = shown.loc[k, "value"]
        out[k] = v if isinstance(v, str) else formats.get(k, "{}").format(facts[k])
    return out


CHARACTERISTIC_WORDS = {
    "gender": "gender",
    "ethnicity": "ethnicity",
    "education": "degree",
    "parent_nssec": "parental NS-SEC",
    "parent_class": "parental class",
}


def characteristics_text(characteristics: Sequence[str], words: Mapping[str, str] | None = None) -> str:
    """The characteristics this run interacts with mover status, in words for the prose (``characteristics``
    parameter): the page never speaks of four characteristics above tables that hold none."""
    if not characteristics:
        return "none on this run: the parameter characteristics is empty, so the tables of this section have no rows"
    words = {**CHARACTERISTIC_WORDS, **(words or {})}
    return ", ".join(words.get(c, c) for c in characteristics)


def register_sample(chk: checker.Checker, sample: pd.DataFrame, groups: Mapping[str, pd.Index] | None = None) -> None:
    """The page's counts of people (``movers.sdc.checker.Checker.population``): the sample behind the prose's ``n_sample``,
    and each group a prose fact counts, printed or withheld as the fact was, so that no regression's
    number of observations can later give a withheld group away by subtraction."""
    chk.population("Sample (prose): n_sample", sample.index)
    for key, units in (groups or {}).items():
        chk.population(f"Sample (prose): {key}", units, release=chk.is_released("Sample (prose)", key, "value"))


def bhps_fact_counts(sample: pd.DataFrame) -> dict[str, int]:
    """The people behind each sample fact of ``outcomes.sample_facts``."""
    n, movers = len(sample), int(sample["mover"].sum())
    return {
        "n_sample": n,
        "n_movers": _smaller(movers, n),
        "pct_movers": _smaller(movers, n),
        "n_returners": _smaller(int(sample["returner"].sum()), n),
        "pct_age30": _smaller(int((sample["age"] == 30).sum()), n),
        "pct_older": _smaller(int((sample["age"] > 30).sum()), n),
        "pct_younger": _smaller(int((sample["age"] < 30).sum()), n),
        "median_distance": movers,
        "n_motivation": _smaller(int(sample["reason2"].notna().sum()) if "reason2" in sample else 0, n),
        "pct_two_parents": _smaller(int((sample["n_parents"] >= 2).sum()), n),
    }


BHPS_FORMATS = {
    "n_sample": "{:,.0f}",
    "n_movers": "{:,.0f}",
    "pct_movers": "{:.1f}",
    "n_returners": "{:,.0f}",
    "pct_age30": "{:.1f}",
    "pct_older": "{:.1f}",
    "pct_younger": "{:.1f}",
    "median_distance": "{:.0f}",
    "n_motivation": "{:,.0f}",
    "pct_two_parents": "{:.0f}",
}


def ls_fact_counts(drawn: ls.Sample) -> dict[str, int]:
    """The people behind each sample fact of ``ls.sample_facts``."""
    sample = drawn.frame
    n, movers = len(sample), int(sample["mover"].sum())
    return {
        "n_children": drawn.flow.children,
        "n_linked": drawn.flow.linked_adults,
        "n_sample": n,
        "n_stayers": _smaller(movers, n),
        "n_movers": _smaller(movers, n),
        "pct_movers": _smaller(movers, n),
        "pct_two_parent_class": _smaller(int((sample["n_parents_with_class"] >= 2).sum()), n),
        "pct_no_parent_class": _smaller(int(sample["parent_class"].isna().sum()), n),
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


def _checked_models(study: Study, table: str, models: Mapping[str, Mapping[str, Estimates]]) -> dict[str, dict[str, Estimates]]:
    """Every model's mover effect through the checker (residual df, movers and stayers behind it); a model
    that could not be estimated is recorded as withheld with its reason."""
    out: dict[str, dict[str, Estimates]] = {}
    for o, per in models.items():
        out[o] = {}
        for m, e in per.items():
            name = f"{table}: {study.strand.outcomes[o]}, {m}"
            if e.not_estimable:
                study.chk.withhold(name, ["Mover"], "not estimable", e.not_estimable)
                out[o][m] = e
            else:
                out[o][m] = study.chk.estimates(name, e, dof=e.df_resid)
    return out


def _mark_models(study: Study, table: tables.Table, name: str, models: Mapping[str, Mapping[str, Estimates]]) -> tables.Table:
    for o in models:
        for m in models[o]:
            study.chk.mark(
                table, f"{name}: {study.strand.outcomes[o]}, {m}", column=m, rows_map={"Mover": study.strand.outcomes[o]}
            )
    return table


def models_table(
    study: Study,
    models: Mapping[str, Mapping[str, Estimates]],
    *,
    caption: str,
    notes: str,
    label: str,
    controls: Mapping[str, Sequence[bool]],
    name: str = "Models 1-3",
) -> tables.Table:
    """Models 1-3 (or any set of models) for several outcomes as one report-style table: a row per outcome,
    control rows and one row of observations per outcome (the outcomes rest on different people)."""
    names = list(next(iter(models.values())))
    # one result per model column, its rows the outcomes; no single nobs (an observations row per outcome follows)
    frames = {
        m: Estimates(
            pd.concat([tables.coefficients(models[o][m]).rename(index={"Mover": study.strand.outcomes[o]}) for o in models])
        )
        for m in names
    }
    table = tables.regression_table(
        frames, controls=controls, caption=own_caption(study, caption, key=label), notes=notes, label=label
    )
    for o in models:
        table.frame.loc[f"Observations: {study.strand.outcomes[o].lower()}"] = [
            tables.fmt_number(tables.observations(models[o][m]), 0) for m in names
        ]
    return _mark_models(study, table, name, models)


def selection_text(study: Study) -> str:
    """The run's selection in words (no counts: safe in an error message of a restricted run)."""
    f = study.facts
    if study.chapter == "ls_deprived":
        return (
            f"children aged {f['child_lo']}-{f['child_hi']} at the {f['censuses_text']} censuses in regions of quintile {f['quintile']}, "
            f"adults aged {f['adult_lo']}-{f['adult_hi']}"
        )
    return (
        f"teenagers aged {f['teen_lo']}-{f['teen_hi']} with a parent, adult observations {f['year_lo']}-{f['year_hi']} "
        f"at ages {f['adult_lo']}-{f['adult_hi']}"
    )


def _fitted(study: Study, table: str, fit, *args, **kwargs) -> Estimates:
    """``fit(*args, **kwargs)``; a model that cannot be estimated on this selection (a small world, a small
    restricted selection: ``micro.NotEstimable``) does not stop the page: it comes back as an empty result
    carrying the reason (``not_estimable``), which ``_checked_models`` records as withheld and the
    page lists with the selection, never as silent blanks."""
    try:
        return fit(*args, **kwargs)
    except micro.NotEstimable as err:
        study.extra.setdefault("not_estimable", []).append(f"{table}: {err.what}: {err.reason}")
        coefs = pd.DataFrame({"estimate": [np.nan], "se": [np.nan], "pvalue": [np.nan]}, index=["Mover"])
        return Estimates(coefs, df_resid=np.nan, not_estimable=err.reason)


def mover_models(study: Study, name: str = "Models 1-3") -> dict[str, dict[str, Estimates]]:
    """Models 1-3 of every outcome (``micro.mover_models``), checked."""
    fitted = {
        o: {m: _fitted(study, name, micro.mover_model, study.strand, study.sample, o, k) for k, m in enumerate(micro.MODELS, 1)}
        for o in study.outcomes
    }
    return _checked_models(study, name, fitted)


def model3_truth(study: Study, models: Mapping[str, Mapping[str, Estimates]]):
    """Model 3 beside the effects that generated the synthetic data (nothing on real data)."""
    if not study.synthetic:
        return None
    true3 = micro.true_model3(study.strand, study.sample, list(models), study.models_truth(), study.price_factor)
    est = pd.concat([models[o]["Model 3"].coefs.rename(index={"Mover": study.strand.outcomes[o]}) for o in models])
    long3 = agreement.side_by_side({"Model 3": est}, table=None, truth=true3)
    caption = own_caption(study, "Model 3 beside the effects that generated the synthetic data")
    return compare.comparison_table(long3, "Model 3", caption=caption)


# ----------------------------------------------------------------------------- interactions


def interactions(
    study: Study,
    table: str = "Table 27",
    diff_table: str = "Table 24",
    sample: pd.DataFrame | None = None,
    outcomes: Sequence[str] | None = None,
    extra: Sequence[str] = (),
) -> micro.InteractionTables:
    """The interacted Model 3 of every outcome and characteristic (``micro.interaction_tables``), checked:
    group effects and differences rest on the smaller of movers and stayers in their groups; a group
    too small to estimate is withheld with its reason."""
    tabs = micro.interaction_tables(
        study.strand, study.sample if sample is None else sample, list(outcomes or study.outcomes), study.characteristics, extra
    )
    chk = study.chk
    for (o, c), reason in tabs.not_estimable().items():
        ch, label = study.strand.characteristics[c], study.strand.outcomes[o]
        chk.withhold(f"{table}: {label} ({c})", list(ch.labels.values()), "not estimable", reason)
        chk.withhold(f"{diff_table}: {label} ({c})", [ch.difference_label(g) for g in ch.others], "not estimable", reason)
        study.extra.setdefault("not_estimable", []).append(
            f"{table} and {diff_table}: Model 3 of {label} interacted with {c}: {reason}"
        )
    effects = {k: chk.estimates(f"{table}: {k}", e, dof=e.df_resid) for k, e in tabs.effects.items()}
    diffs = {k: chk.estimates(f"{diff_table}: {k}", e, dof=e.df_resid) for k, e in tabs.differences.items()}
    return micro.InteractionTables(effects, diffs, tabs.models)


def _mark(
    study: Study, table: tables.Table, name: str, outcome_label: str, column: str | None = None, rows_map=None
) -> tables.Table:
    """``[c]`` in the rows of ``name`` withheld for one outcome (the checked output and its not-estimable groups)."""
    names = [n for n in study.chk.outputs if n == f"{name}: {outcome_label}" or n.startswith(f"{name}: {outcome_label} (")]
    for n in names:
        study.chk.mark(table, n, column=column, rows_map=rows_map)
    return table


def effects_table(
    study: Study,
    results: Mapping[str, Estimates],
    *,
    name: str,
    caption: str,
    notes: str,
    label: str,
    controls: Sequence[str] = CONTROLS3,
    columns: Mapping[str, str] | None = None,
) -> tables.Table:
    """A report-style table of stacked group effects or differences, one column per outcome, ``[c]`` where withheld."""
    columns = dict(columns or {})
    frames = {columns.get(k, k): v for k, v in results.items()}  # Estimates: tables reads coefs and nobs from them
    flags = {c: [True] * len(frames) for c in controls}
    table = tables.regression_table(
        frames, controls=flags, caption=own_caption(study, caption, key=label), notes=notes, label=label
    )
    for k in results:
        _mark(study, table, name, k, column=columns.get(k, k))
    return table


def comparison(
    study: Study,
    results: Mapping[str, Estimates],
    *,
    name: str,
    table_no: int | None,
    caption: str,
    truth: Mapping | None = None,
    columns: Mapping[str, str] | None = None,
    row_map: Mapping | None = None,
    key: str | None = None,
) -> tables.Table:
    """Reproduced beside published (and, on synthetic data, true) values of a stacked table, ``[c]`` where withheld
    (``key``: the table's key among the chapter's own tables when its caption changes with the parameters)."""
    columns = dict(columns or {})
    truth = {(k[0], columns.get(k[1], k[1])) if isinstance(k, tuple) else k: v for k, v in (truth or {}).items()}
    long = agreement.side_by_side(
        {columns.get(k, k): v.coefs for k, v in results.items()},
        table=table_no,
        truth=truth if study.synthetic else None,
        row_map=row_map,
    )
    single = len(results) == 1
    caption = own_caption(
        study, caption, always=True, key=key
    )  # the book's table, beside the report's: never the report's number
    out = compare.comparison_table(long, next(iter(columns.get(k, k) for k in results)) if single else None, caption=caption)
    for k, v in results.items():
        rows_map = None if single else {r: f"{r} ({columns.get(k, k)})" for r in v.index}
        _mark(study, out, name, k, column="Reproduced", rows_map=rows_map)
    return out


def _long(results: Mapping[str, Estimates]) -> pd.DataFrame:
    return pd.concat([v.coefs.assign(outcome=k).rename_axis("row").reset_index() for k, v in results.items()], ignore_index=True)


def significant_text(results: Mapping[str, Estimates], fmt: str = "{row} ({outcome}: {estimate:,.3f})") -> dict:
    """How many differences were tested, how many are significant at 5 per cent and which (released rows only:
    a withheld row has no p-value)."""
    long = _long(results)
    sig = long[long["pvalue"] < 0.05]
    holm = multiplicity.holm(long["pvalue"])
    return {
        "n_tests": int(long["estimate"].notna().sum()),
        "n_sig": int(len(sig)),
        "n_sig_holm": int((holm < 0.05).sum()),
        "sig_holm_text": "; ".join(
            fmt.format(**r, outcome_lower=r["outcome"].lower()) for r in long[holm < 0.05].to_dict("records")
        )
        or "none",
        "sig_text": "; ".join(fmt.format(**r, outcome_lower=r["outcome"].lower()) for r in sig.to_dict("records")) or "none",
    }


def holm_table(results: Mapping[str, Estimates], caption: str, label: str) -> tables.Table:
    """Each test of a group-difference table with its p-value and, beside it, the Holm-adjusted p-value over
    all the table's tests (``multiplicity.holm``); withheld rows have no p-value and are not in the family."""
    long = _long(results).dropna(subset=["pvalue"])
    out = pd.DataFrame(
        {
            "Outcome": long["outcome"].to_numpy(),
            "Difference": long["estimate"].to_numpy(),
            "p-value": long["pvalue"].to_numpy(),
            "Holm-adjusted p-value": multiplicity.holm(long["pvalue"]),
        },
        index=pd.Index(long["row"].to_numpy(), name="Groups compared"),
    )
    return tables.render(
        out,
        digits={"Difference": 3, "p-value": 3, "Holm-adjusted p-value": 3},
        caption=caption,
        notes=f"Holm's step-down adjustment over the {len(out)} tests of the table: a difference is significant at 5 per cent "
        "for the family when its adjusted p-value is below 0.05, whatever the dependence between the tests.",
        label=label,
    )


def model_notes(synthetic: bool) -> dict[str, str]:
    """The notes under the models (``note_models``) and under Table 28 (``note_28``) of ``movers_stayers``: on the
    synthetic world, what its generating process implies for them; on real data, what they estimate."""
    if synthetic:
        return {
            "note_models": "In the synthetic world the mover propensity depends on degree and parental class, which also raise the "
            "outcomes, so Models 1 and 2, which omit them, are expected to overstate the generating effect; only Model 3 is set "
            "beside the truth.",
            "note_28": "In the synthetic world motivation changes who moves but not the outcomes, so Table 28 should estimate the "
            "same differences as Table 24, less precisely.",
        }
    return {
        "note_models": "Models 1 and 2 leave out degree and parental class; where these make both moving and the outcomes more "
        "likely, those two models overstate the mover effect, which is why the text reads Model 3.",
        "note_28": "Table 28 estimates the differences of Table 24 again, with the motivation answers as controls, on those "
        "who gave all four answers.",
    }


def recovery_text(study: Study, *, results: Sequence[Mapping[str, Estimates]], truths: Sequence[Mapping], what: str) -> str:
    """On synthetic data, the largest ``|estimate - truth| / SE`` over the cells of ``results`` (``truths``: the true
    values of each, in the same order; by name, so the two lists cannot swap); on real data, that there is no
    generating value to compare with (a sentence, never an empty glue)."""
    if not study.synthetic:
        return f"On real data the values that generated the data are unknown, so the {what} stand alone, with no generating value beside them."
    z = []
    for res, tru in zip(results, truths):
        for k, v in res.items():
            z.append(micro.z_scores(v.coefs, {r: tru.get((r, k), tru.get(r)) for r in v.index if (r, k) in tru or r in tru}))
    z = pd.concat(z).abs().dropna()
    return (
        f"In the synthetic world, across the {len(z)} {what}, the largest distance between an estimate and the value "
        f"that generated the data is {float(z.max()):.1f} standard errors."
    )


# ----------------------------------------------------------------------------- output checking


def output_checking(study: Study) -> Markdown:
    """The page's last section: what the checker did (``movers.sdc.record.banner_text``) and, on restricted data, what was
    withheld and by which rule, without counts. Writes the checker's record outside the book."""
    chk = study.chk
    sdc_record.write(chk)
    if not chk.active:
        text = (
            "On restricted data every table, share and sentence of this page passes through the output checker "
            "of `movers.sdc` before it is shown; this section then lists what was withheld and why."
        )
        if study.extra.get("not_estimable"):  # said on the page, with the selection, never left as silent blanks
            text += (
                f"\n\nModels that cannot be estimated on this selection ({selection_text(study)}), shown blank above:\n\n"
                + "\n".join(f"- {m}" for m in study.extra["not_estimable"])
            )
        return Markdown(text)
    w = chk.withheld()
    text = sdc_record.banner_text(chk)
    report.update_banner("restricted", text)  # the banner at the top of the page says what this run's checker did
    if len(w):
        t = tables.render(
            w.set_index("output"),
            caption=own_caption(study, WITHHELD_CAPTION),
        )
        text += "\n\n" + t.to_markdown()
    return Markdown(text)


# ----------------------------------------------------------------------------- BHPS-UKHLS (movers_stayers)


@dataclass(frozen=True, kw_only=True)
class BhpsParams(ChapterParams):
    """The parameters of ``movers_stayers``: names and types here, defaults in ``params/movers_stayers.yml`` only."""

    chapter: ClassVar[str] = "movers_stayers"

    source: str
    data_path: str
    aux_path: str
    dictionary: str
    sdc_rules: str
    years: tuple[int, int]
    teen_ages: tuple[int, int]
    adult_ages: tuple[int, int]
    adult_target_age: int
    price_year: int
    macro_area: str
    cluster: str
    outcomes: tuple[str, ...]
    characteristics: tuple[str, ...]
    motivation_min_share: float

    def __post_init__(self) -> None:
        super().__post_init__()
        _before(self, "teen_ages", "adult_ages")


def _before(prm: ChapterParams, first: str, then: str) -> None:
    """The ages of the earlier observation end before those of the later one begin (the two pairs swapped,
    or overlapping, would build a sample of the wrong people without an error)."""
    a, b = getattr(prm, first), getattr(prm, then)
    if not a[1] < b[0]:
        raise InputError(
            prm.origin(), f"parameter {first!r} {list(a)} must end before parameter {then!r} {list(b)} begins (swapped?)"
        )


def bhps_study(*, params: BhpsParams) -> Study:
    """Open the data source, start the checker, load the panel and build the analysis file of ``movers_stayers``."""
    O.check_source(params.source)
    strand = O.strand(params.cluster)
    strand.check(params.outcomes, params.characteristics)
    src = data_source.open(params.source, params.data_path, truth_of="ukhls", rules=params.sdc_rules or None)
    chk = sdc_record.start_run("movers_stayers", src)
    inputs = O.load(src, params.aux_path, params.dictionary, params.years)
    sample = O.build_sample(
        inputs["panel"],
        inputs["geography"],
        inputs["indicators"],
        years=tuple(params.years),
        teen_ages=tuple(params.teen_ages),
        adult_ages=tuple(params.adult_ages),
        adult_target_age=params.adult_target_age,
        price_year=params.price_year,
        macro_area=params.macro_area,
    )
    facts = checked_facts(chk, "Sample (prose)", O.sample_facts(sample), bhps_fact_counts(sample), BHPS_FORMATS)
    register_sample(chk, sample)
    facts |= {
        "teen_lo": params.teen_ages[0],
        "teen_hi": params.teen_ages[1],
        "adult_lo": params.adult_ages[0],
        "adult_hi": params.adult_ages[1],
        "adult_target": params.adult_target_age,
        "year_lo": params.years[0],
        "year_hi": params.years[1],
        "price_year": params.price_year,
        "min_share_pct": 100 * params.motivation_min_share,
        "threshold": chk.rules.threshold,
        "characteristics_text": characteristics_text(params.characteristics),
        "macro_area_text": "the local authority where they live as adults"
        if params.macro_area == "adult"
        else "the local authority where they grew up",
        **model_notes(src.synthetic),
    }
    labels = inputs["panel"].dictionary.get("labels", {})
    return Study(
        "movers_stayers",
        strand,
        sample,
        list(params.outcomes),
        list(params.characteristics),
        chk,
        src,
        O.price_factor(inputs["panel"], src.truth, params.price_year),
        facts,
        {"labels": labels, "min_share": params.motivation_min_share, "years": list(params.years)},
    )


def table23(study: Study) -> tables.Table:
    """Table 23, checked (shares on the smaller category, magnitudes by dominance, no single person's minimum or maximum)."""
    t = study.chk.describe(
        "Table 23", O.table23_data(study.sample), labels={c: r for r, c in O.TABLE23_ROWS.items()}, groups=[O.PARENT_DUMMIES]
    )
    digits = {c: (2 if c.startswith(("Mean", "Std")) else 0) for c in ("Mean", "Std. dev.", "Min.", "Max.", "Obs.")}
    digits |= {f"{c} (published)": d for c, d in digits.items()}
    y = study.extra["years"]
    return tables.render(
        compare.descriptive_comparison(t.loc[list(O.TABLE23_ROWS)], 23),
        digits=digits,
        caption="Table 23: Individual characteristics description",
        label="table-23",
        notes=f"Source: {'synthetic panel' if study.synthetic else 'BHPS and Understanding Society'}, {y[0]} to {y[1]}. "
        "Columns marked (published) are the report's figures.",
    )


# Model 3's mover effect of each outcome in words: the direction from the sign, the size without it
BHPS_PHRASES = {
    "employed": "movers' probability of being employed is {size} {word}",
    "income": "their real labour income is {size} a month {word}",
    "higher": "their probability of working in a higher managerial or professional occupation is {size} {word}",
}
BHPS_UNITS = {"employed": (3, ""), "income": (0, "£"), "higher": (3, "")}


def model_controls(effects: str) -> dict[str, list[bool]]:
    """The YES/NO rows of a microdata models table: Model 1 has the ``effects`` only, Model 2 adds the
    macroeconomic variables, Model 3 the demographic characteristics."""
    return {
        effects: [True] * 3,
        "Macroeconomic variables": [False, True, True],
        "Demographic characteristics": [False, False, True],
    }


def bhps_models_table(study: Study, models) -> tables.Table:
    return models_table(
        study,
        models,
        caption="Difference between movers and stayers in each outcome, Models 1-3",
        notes=NOTE_CLUSTER + tables.STAR_NOTE + ".",
        label="table-models",
        controls=model_controls("Distance, region and year effects"),
    )


def bhps_models_text(study: Study, models) -> dict:
    """Model 3's mover effects in words, from the released results only."""
    parts = []
    for o, per in models.items():
        r = per["Model 3"].coefs.loc["Mover"]
        if pd.isna(r["estimate"]):
            parts.append(f"{SUPPRESSED} for {study.strand.outcomes[o].lower()} (withheld)")
        else:
            sig = "significant" if r["pvalue"] < 0.05 else "not significant"
            digits, unit = BHPS_UNITS[o]
            said = {
                "size": words.size(r["estimate"], digits, unit),
                "word": words.direction(r["estimate"], "higher", "lower", ""),
            }
            parts.append(BHPS_PHRASES[o].format(**said).rstrip() + f" ({sig} at 5 per cent)")
    return {"m3_text": "; ".join(parts)}


PUB27 = {"Higher managerial occ.": "Higher managerial socio economic status"}


def truth(study: Study, tabs: micro.InteractionTables) -> tuple[dict, dict]:
    """True group effects and differences {(row, outcome label): value} (synthetic only)."""
    if not study.synthetic:
        return {}, {}
    return micro.truth_tables(study.strand, tabs, study.models_truth(), study.price_factor)


def motivation(study: Study, question: str, table: str) -> tuple[pd.DataFrame, tables.Table]:
    """Table 25 or 26: shares of stayers and movers giving each answer (checked on the smaller category of
    each, with the columns adding up to 100 and the difference and test derived from both)."""
    labels = study.extra["labels"].get(question[:-1], {})
    t = O.motivation_table(study.sample, question, study.extra["min_share"], order=list(labels.values()))
    rows = list(t.index)
    shown = study.chk.shares(
        table,
        t[["Stayer", "Mover", "Difference", "pvalue"]],
        n={"Stayer": t["N_stayer"].iloc[0], "Mover": t["N_mover"].iloc[0]},
        n_with=t[["n_stayer", "n_mover"]].set_axis(["Stayer", "Mover"], axis=1),
        scale=100,
        relations=suppression.columns_add_up(rows, ["Stayer", "Mover"]),
        derived={"Difference": ["Stayer", "Mover"], "pvalue": ["Stayer", "Mover"]},
    )
    out = compare.descriptive_comparison(shown[["Stayer", "Mover", "Difference"]], int(table.split()[-1]))
    out["Sig."] = [tables.stars(p) if not isinstance(p, str) else "" for p in shown["pvalue"]]
    caption = {
        "reason2": "What is the second most important reason for wanting a job?",
        "aspect2": "What is the second most important aspect of a job?",
    }
    answered = study.sample.index[study.sample[question].notna() & study.sample["mover"].notna()]  # N_stayer + N_mover
    total = study.chk.count_text(f"{table} (note): total observations", answered)  # checked with the page's other counts
    rendered = tables.render(
        out,
        digits=1,
        caption=f"{table}: {caption.get(question, question)}",
        label=f"table-{table.split()[-1]}",
        notes=f"Total observations {total}; difference = stayers minus movers; significance of the difference: "
        + tables.STAR_NOTE
        + ". Columns marked (published) are the report's figures.",
    )
    return t, rendered


def motivation_text(study: Study, tables_: Mapping[str, pd.DataFrame]) -> dict:
    """Answers whose share differs significantly between stayers and movers, from released rows only."""
    parts = []
    for name, t in tables_.items():
        for r in study.chk.released_rows(name, ["Stayer", "Mover", "Difference", "pvalue"]):
            if t.loc[r, "pvalue"] < 0.05:
                d = t.loc[r, "Difference"]  # stayers minus movers: the word from the sign, the size without it
                parts.append(f"{r} ({words.size(d, 1)} points {words.direction(d, 'more', 'fewer', 'as many')} among stayers)")
    return {"motivation_sig": "; ".join(parts) or "none"}


def motivation_models(study: Study) -> tuple[dict, micro.InteractionTables, pd.DataFrame]:
    """Model 3 with and without the motivation answers on those who gave all four (the report: "use the third
    model ... and control for motivation"), checked, and Table 28 (the interacted models with motivation)."""
    mot = O.motivation_sample(study.sample)
    models = {}
    for o in study.outcomes:
        without = _fitted(study, "Motivation models", micro.mover_model, study.strand, mot, o, 3)
        with_ = _fitted(study, "Motivation models", micro.mover_model, study.strand, mot, o, 3, O.MOTIVATION_TERMS)
        models[o] = {"Model 3": without, "Model 3 + motivation": with_}
    models = _checked_models(study, "Motivation", models)
    tabs = interactions(
        study,
        "Table 28 group effects (not shown)",
        "Table 28",
        sample=mot,
        outcomes=["higher"] if "higher" in study.outcomes else study.outcomes[:1],
        extra=O.MOTIVATION_TERMS,
    )
    return models, tabs, mot


def motivation_facts(study: Study, mot: pd.DataFrame, models: Mapping | None = None) -> dict:
    """How many people gave all four motivation answers (checked like the other sample facts) and, from the
    released ``models`` themselves, the observations of each outcome's model (``n28_models``): the counts the
    table beside the prose shows."""
    n = len(mot)
    facts = checked_facts(
        study.chk, "Motivation sample (prose)", {"n28": n}, {"n28": _smaller(n, len(study.sample))}, {"n28": "{:,.0f}"}
    )
    # a count of people like the page's others: not a small group apart from one that holds it or that it holds
    # (those who answered Table 25's question, in its note)
    if not study.chk.population("Motivation sample (prose): n28", mot.index, release=facts["n28"] != SUPPRESSED):
        facts["n28"] = SUPPRESSED
    if models:
        nobs = {o: tables.observations(per["Model 3"]) for o, per in models.items()}
        parts = [
            f"{tables.fmt_number(v, 0) if v is not None else SUPPRESSED} for {study.strand.outcomes[o].lower()}"
            for o, v in nobs.items()
        ]
        facts["n28_models"] = " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)
    return facts


def motivation_models_table(study: Study, models) -> tables.Table:
    return models_table(
        study,
        models,
        caption="Model 3 with and without the motivation controls, on those who answered the youth questionnaire",
        notes=NOTE_CLUSTER + tables.STAR_NOTE + ".",
        label="table-motivation-models",
        controls={
            "Distance, region and year effects": [True, True],
            "Macroeconomic variables": [True, True],
            "Demographic characteristics": [True, True],
            "Motivation variables": [False, True],
        },
        name="Motivation",
    )


# ----------------------------------------------------------------------------- ONS LS (ls_deprived)


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
        _before(self, "child_ages", "adult_ages")


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


__all__ = [
    "Study",
    "glue_all",
    "models_table",
    "mover_models",
    "model3_truth",
    "interactions",
    "effects_table",
    "comparison",
    "significant_text",
    "holm_table",
    "recovery_text",
    "output_checking",
    "BhpsParams",
    "bhps_study",
    "table23",
    "bhps_models_table",
    "bhps_models_text",
    "truth",
    "motivation",
    "motivation_text",
    "motivation_facts",
    "motivation_models",
    "motivation_models_table",
    "LsParams",
    "ls_study",
    "quintile_words",
    "regions_table",
    "table30",
    "table30_text",
    "ls_models_table",
    "ls_models_text",
    "ls_subgroups",
    "ls_subgroup_tables",
]
