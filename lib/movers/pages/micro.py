"""What the pages of the two microdata chapters (``movers_stayers``, ``ls_deprived``) share: the study, checked
facts and samples, the models, interaction and comparison tables, and the output-checking summary.

Why a module above the analyses: a chapter cell should be a call, a glue or a render. What used to
fill the cells (loops over outcomes, disclosure control by hand, ``if source == ...``, prose assembled
from unchecked tables) lives here, once for both chapters; each chapter's own pages are
``movers.pages.movers_stayers`` and ``movers.pages.ls_deprived``. Every output passes through the chapter's
``movers.sdc.checker.Checker`` before it is rendered, every number glued into prose is read from what the
checker released, and the page ends with what was withheld (``output_checking``). The models
themselves are ``movers.strands.micro.common``'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import Markdown

from movers.core import source as data_source
from movers.core.errors import InputError
from movers.core.parameters import ChapterParams
from movers.estimators import agreement, multiplicity
from movers.estimators.results import Estimates
from movers.pages import compare, report, tables
from movers.sdc import checker, record as sdc_record
from movers.strands.micro import common as micro

NOTE_CLUSTER = (
    "Standard errors clustered at the local authority level in parentheses; marginal effects reported for the probits; "
)


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


def smaller_of(n_with: int, n: int) -> int:
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


def checked_models(study: Study, table: str, models: Mapping[str, Mapping[str, Estimates]]) -> dict[str, dict[str, Estimates]]:
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


def fitted_or_withheld(study: Study, table: str, fit, *args, **kwargs) -> Estimates:
    """``fit(*args, **kwargs)``; a model that cannot be estimated on this selection (a small world, a small
    restricted selection: ``micro.NotEstimable``) does not stop the page: it comes back as an empty result
    carrying the reason (``not_estimable``), which ``checked_models`` records as withheld and the
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
        o: {
            m: fitted_or_withheld(study, name, micro.mover_model, study.strand, study.sample, o, k)
            for k, m in enumerate(micro.MODELS, 1)
        }
        for o in study.outcomes
    }
    return checked_models(study, name, fitted)


def model3_truth(study: Study, models: Mapping[str, Mapping[str, Estimates]]):
    """Model 3 beside the effects that generated the synthetic data (nothing on real data)."""
    if not study.synthetic:
        return None
    true3 = micro.true_model3(study.strand, study.sample, list(models), study.models_truth(), study.price_factor)
    est = pd.concat([models[o]["Model 3"].coefs.rename(index={"Mover": study.strand.outcomes[o]}) for o in models])
    long3 = agreement.side_by_side({"Model 3": est}, table=None, truth=true3)
    caption = own_caption(study, "Model 3 beside the effects that generated the synthetic data")
    return compare.comparison_table(long3, "Model 3", caption=caption)


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


def ages_in_order(prm: ChapterParams, first: str, then: str) -> None:
    """The ages of the earlier observation end before those of the later one begin (the two pairs swapped,
    or overlapping, would build a sample of the wrong people without an error)."""
    a, b = getattr(prm, first), getattr(prm, then)
    if not a[1] < b[0]:
        raise InputError(
            prm.origin(), f"parameter {first!r} {list(a)} must end before parameter {then!r} {list(b)} begins (swapped?)"
        )


def model_controls(effects: str) -> dict[str, list[bool]]:
    """The YES/NO rows of a microdata models table: Model 1 has the ``effects`` only, Model 2 adds the
    macroeconomic variables, Model 3 the demographic characteristics."""
    return {
        effects: [True] * 3,
        "Macroeconomic variables": [False, True, True],
        "Demographic characteristics": [False, False, True],
    }


def truth(study: Study, tabs: micro.InteractionTables) -> tuple[dict, dict]:
    """True group effects and differences {(row, outcome label): value} (synthetic only)."""
    if not study.synthetic:
        return {}, {}
    return micro.truth_tables(study.strand, tabs, study.models_truth(), study.price_factor)


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
]
