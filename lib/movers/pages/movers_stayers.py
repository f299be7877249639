"""The pages of ``movers_stayers`` (BHPS-UKHLS): its parameters, study, Table 23, the models and their prose,
and the motivation tables; what both microdata chapters share is ``movers.pages.micro``. The data
preparation is ``movers.strands.micro.movers_stayers``'.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from movers.core import source as data_source
from movers.core.parameters import ChapterParams
from movers.pages import compare, tables, words
from movers.pages.micro import (
    NOTE_CLUSTER,
    Study,
    ages_in_order,
    characteristics_text,
    checked_facts,
    checked_models,
    fitted_or_withheld,
    interactions,
    model_controls,
    models_table,
    register_sample,
    smaller_of,
)
from movers.sdc import record as sdc_record, suppression
from movers.sdc.rules import SUPPRESSED
from movers.strands.micro import common as micro, movers_stayers as O

NOTE_BHPS = NOTE_CLUSTER + tables.STAR_NOTE + "."


def bhps_fact_counts(sample: pd.DataFrame) -> dict[str, int]:
    """The people behind each sample fact of ``outcomes.sample_facts``."""
    n, movers = len(sample), int(sample["mover"].sum())
    return {
        "n_sample": n,
        "n_movers": smaller_of(movers, n),
        "pct_movers": smaller_of(movers, n),
        "n_returners": smaller_of(int(sample["returner"].sum()), n),
        "pct_age30": smaller_of(int((sample["age"] == 30).sum()), n),
        "pct_older": smaller_of(int((sample["age"] > 30).sum()), n),
        "pct_younger": smaller_of(int((sample["age"] < 30).sum()), n),
        "median_distance": movers,
        "n_motivation": smaller_of(int(sample["reason2"].notna().sum()) if "reason2" in sample else 0, n),
        "pct_two_parents": smaller_of(int((sample["n_parents"] >= 2).sum()), n),
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
        ages_in_order(self, "teen_ages", "adult_ages")


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


def bhps_models_table(study: Study, models) -> tables.Table:
    return models_table(
        study,
        models,
        caption="Difference between movers and stayers in each outcome, Models 1-3",
        notes=NOTE_BHPS,
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
        without = fitted_or_withheld(study, "Motivation models", micro.mover_model, study.strand, mot, o, 3)
        with_ = fitted_or_withheld(study, "Motivation models", micro.mover_model, study.strand, mot, o, 3, O.MOTIVATION_TERMS)
        models[o] = {"Model 3": without, "Model 3 + motivation": with_}
    models = checked_models(study, "Motivation", models)
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
        study.chk, "Motivation sample (prose)", {"n28": n}, {"n28": smaller_of(n, len(study.sample))}, {"n28": "{:,.0f}"}
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
        notes=NOTE_BHPS,
        label="table-motivation-models",
        controls={
            "Distance, region and year effects": [True, True],
            "Macroeconomic variables": [True, True],
            "Demographic characteristics": [True, True],
            "Motivation variables": [False, True],
        },
        name="Motivation",
    )
