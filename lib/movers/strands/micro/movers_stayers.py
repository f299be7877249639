"""Movers and stayers in BHPS-UKHLS: sample construction, models 1-3, interactions, motivation (report Tables 23-28).

Why these functions: the report states its sample rules in words (a teenage
observation at 15-19 living with parents, the highest parental NS-SEC of the
parents present, an adult observation at 30 or else 31-41 or else the nearest
age going down to 25, movers = a different LA as an adult, returners count as
stayers, years 2000-2019, CPI-deflated income). Each rule is one small
function here, tested on hand-built panels, so a reader can check the rule and
an analyst can change it through the chapter's parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from movers.core import paths
from movers.core.errors import InputError
from movers.core.source import DataSource
from movers.data import codes as lacodes, ukhls
from movers.data.geography import load_geography
from movers.data.nomis import la_indicators
from movers.data.ukhls import Panel, codes, load_dictionary, load_panel, nssec_three_class
from movers.strands.micro import common as micro
from movers.strands.micro.common import Characteristic, check_band, drop_perfect_predictors, flag, model_columns  # noqa: F401 (re-exported)

PARENT_LEVELS = ["routine", "intermediate", "higher"]
OUTCOMES = {"employed": "Employment", "income": "Income", "higher": "Higher managerial occ."}
DEMOGRAPHICS = [*ukhls.DEMOGRAPHICS, "C(parent_nssec)"]
MACRO = ["unemployment_rate", "prop_professional"]
BASE = ["mover", "distance", "C(region_code)", "C(year)"]

# Interaction models (Tables 24, 27, 28): one characteristic at a time
CHARACTERISTICS = {
    "gender": Characteristic("male", {0: "Female", 1: "Male"}, 0, difference_labels={1: "Male versus female"}),
    "ethnicity": Characteristic(
        "white", {0: "White non-British/non-white", 1: "White British"}, 0, difference_labels={1: "White versus non-white"}
    ),
    "education": Characteristic(
        "degree", {0: "No degree", 1: "Degree"}, 0, difference_labels={1: "Degree holder versus no degree"}
    ),
    "parent_nssec": Characteristic(
        "parent_nssec",
        {
            "routine": "Parent: routine/manual occ.",
            "intermediate": "Parent: intermediate occ.",
            "higher": "Parent: higher managerial occ.",
        },
        "routine",
        term="C(parent_nssec)",
        replaces=("C(parent_nssec)",),
        difference_labels={
            "intermediate": "Parent: intermediate occ. vs routine/manual occ.",
            "higher": "Parent: higher managerial occ. vs routine/manual occ.",
        },
    ),
}
MOTIVATION = ["reason1", "reason2", "aspect1", "aspect2"]


# ----------------------------------------------------------------------------- sample construction


def _check_range(name: str, lo: int, hi: int) -> None:
    check_band(name, (lo, hi))


def parental_class(panel: Panel) -> pd.DataFrame:
    """Three-class NS-SEC of every adult in every wave: current job, else last job (Table 21's definition)."""
    pw = panel.person_waves
    cur = nssec_three_class(pw["nssec_current"], panel.dictionary)
    last = nssec_three_class(pw["nssec_last"], panel.dictionary)
    return pd.DataFrame({"pidp": pw["pidp"], "wave_index": pw["wave_index"], "hidp": pw["hidp"], "nssec": cur.fillna(last)})


def _with_units(pw: pd.DataFrame) -> pd.DataFrame:
    """Person-waves with ``la_unit`` (the LA code itself when the loader harmonised nothing)."""
    return pw if "la_unit" in pw.columns else pw.assign(la_unit=pw["la_code"])


def teen_observations(panel: Panel, ages: Sequence[int] = (15, 19)) -> pd.DataFrame:
    """The earliest observation of each person aged ``ages`` living with at least one parent.

    A parent counts as present when their pidp is the person's father or mother
    identifier and they are enumerated in the same household in that wave.
    Parental class is the highest (1 = higher managerial...) of the classes of
    the parents present; the LA is the household's LA at that observation.
    """
    lo, hi = ages
    _check_range("teen_ages", lo, hi)
    pw = panel.person_waves
    pw = _with_units(pw)
    cand = pw[pw["age"].between(lo, hi)][["pidp", "wave_index", "year", "age", "hidp", "la_code", "la_unit", "father", "mother"]]
    cls = parental_class(panel)
    rank = {"higher": 0, "intermediate": 1, "routine": 2}
    present = []
    for role in ("father", "mother"):
        link = cand[["pidp", "wave_index", "hidp", role]].dropna(subset=[role]).rename(columns={role: "parent"})
        link["parent"] = link["parent"].astype("int64")
        link = link.merge(cls.rename(columns={"pidp": "parent", "hidp": "parent_hidp"}), on=["parent", "wave_index"], how="inner")
        link = link[link["parent_hidp"] == link["hidp"]]
        present.append(link[["pidp", "wave_index", "nssec"]])
    par = pd.concat(present, ignore_index=True)
    par["rank"] = par["nssec"].map(rank)
    best = par.groupby(["pidp", "wave_index"]).agg(n_parents=("nssec", "size"), rank=("rank", "min")).reset_index()
    inv = {v: k for k, v in rank.items()}
    best["parent_nssec"] = best["rank"].map(inv)
    teen = cand.merge(best[["pidp", "wave_index", "n_parents", "parent_nssec"]], on=["pidp", "wave_index"], how="inner")
    teen = teen.sort_values(["pidp", "wave_index"]).drop_duplicates("pidp")
    return teen.rename(
        columns={"wave_index": "teen_wave", "year": "teen_year", "age": "teen_age", "la_code": "teen_la", "la_unit": "teen_unit"}
    )[["pidp", "teen_wave", "teen_year", "teen_age", "teen_la", "teen_unit", "n_parents", "parent_nssec"]].reset_index(drop=True)


def choose_adult_observation(obs: pd.DataFrame, target: int = 30, upper: int = 41, lower: int = 25) -> pd.DataFrame:
    """One adult observation per person by the report's rule.

    The observation at ``target`` (30) if any; else the youngest age in
    ``target+1..upper`` (31-41); else the oldest age in ``lower..target-1``
    (the observation closest to 30, working backwards to 25). Among several
    interviews at the chosen age, the earliest. ``obs`` needs pidp, age, wave_index.
    """
    _check_range("adult_ages", lower, upper)
    if not lower <= target <= upper:
        raise InputError("parameter 'adult_target_age'", f"must lie within adult_ages [{lower}, {upper}], not {target}")
    o = obs[obs["age"].between(lower, upper)].copy()
    o["priority"] = np.where(o["age"] == target, 0, np.where(o["age"] > target, 1, 2))
    o["order"] = np.where(o["priority"] == 2, -o["age"], o["age"])
    o = o.sort_values(["pidp", "priority", "order", "wave_index"])
    return o.drop_duplicates("pidp").drop(columns=["priority", "order"])


def returners(panel: Panel, teen: pd.DataFrame, adult: pd.DataFrame) -> pd.Series:
    """True for people who lived in another LA between the teen and adult observations but are back in
    their teenage LA as adults: the report counts them as stayers; the chapter reports how many."""
    pw = _with_units(panel.person_waves)[["pidp", "wave_index", "la_code", "la_unit"]]
    m = pw.merge(teen[["pidp", "teen_wave", "teen_unit"]], on="pidp").merge(
        adult[["pidp", "wave_index"]].rename(columns={"wave_index": "adult_wave"}), on="pidp"
    )
    between = m[(m["wave_index"] > m["teen_wave"]) & (m["wave_index"] < m["adult_wave"]) & m["la_code"].notna()]
    away = between.groupby("pidp").apply(lambda g: bool((g["la_unit"] != g["teen_unit"]).any()), include_groups=False)
    return away.reindex(adult["pidp"]).fillna(False).astype(bool).to_numpy()


def build_sample(
    panel: Panel,
    geography,
    indicators: pd.DataFrame | None,
    years: Sequence[int] = (2000, 2019),
    teen_ages: Sequence[int] = (15, 19),
    adult_ages: Sequence[int] = (25, 41),
    adult_target_age: int = 30,
    price_year: int = 2019,
    macro_area: str = "adult",
) -> pd.DataFrame:
    """The analysis file: one row per person with the variables of Table 21.

    Adult candidates are full interviews (the outcomes come from the adult
    questionnaire) at ages ``adult_ages`` in ``years``, with a known LA. Movers
    live in a different LA from their teenage one at the adult observation;
    distance is between the two LAs' centroids in miles (0 for stayers). Macro
    variables are those of the adult LA (``macro_area="adult"``, as the
    report's model text says) or of the teenage LA (``"teen"``, as its Table 21
    labels them), in the adult observation's year. Income is deflated with the
    CPI to ``price_year`` pounds.
    """
    _check_range("years", *years)
    if macro_area not in ("adult", "teen"):
        raise InputError("parameter 'macro_area'", f"must be 'adult' or 'teen', not {macro_area!r}")
    d = panel.dictionary
    cpi = panel.cpi
    if price_year not in cpi.index:
        raise InputError(
            "parameter 'price_year'", f"no CPI for {price_year}; the dictionary covers {cpi.index.min()}-{cpi.index.max()}"
        )
    teen = teen_observations(panel, teen_ages)
    pw = panel.person_waves
    pw = _with_units(pw)
    cand = pw[pw["responded"] & pw["year"].between(*years) & pw["la_code"].notna()]
    cand = cand.merge(teen[teen["teen_la"].notna()], on="pidp", how="inner")
    cand = cand[cand["wave_index"] > cand["teen_wave"]]
    adult = choose_adult_observation(cand, adult_target_age, adult_ages[1], adult_ages[0])
    if adult.empty:
        raise InputError(
            panel.folder,
            f"no person has both a teenage observation at {teen_ages[0]}-{teen_ages[1]} and an adult one in {years[0]}-{years[1]}",
        )
    adult["returner"] = returners(panel, teen, adult)
    people = panel.people.set_index("pidp")
    ppl = people.reindex(adult["pidp"])
    out = pd.DataFrame({"pidp": adult["pidp"].to_numpy()})
    out["year"] = adult["year"].to_numpy().astype(int)
    out["age"] = adult["age"].to_numpy().astype(int)
    out["teen_year"] = adult["teen_year"].to_numpy().astype(int)
    out["teen_age"] = adult["teen_age"].to_numpy().astype(int)
    out["teen_la"] = adult["teen_la"].to_numpy()
    out["adult_la"] = adult["la_code"].to_numpy()
    # movers live in another LA unit: codes harmonised over 1991-2019 (movers.data.codes), so a boundary
    # change is no move
    out["mover"] = (adult["la_unit"].to_numpy() != adult["teen_unit"].to_numpy()).astype(int)
    out["returner"] = adult["returner"].to_numpy() & (out["mover"] == 0)
    known = set(geography.las["la_code"])
    unknown = sorted((set(out["teen_la"]) | set(out["adult_la"])) - known)
    if unknown:
        raise InputError(panel.folder, f"LA code(s) not in the geography: {', '.join(unknown[:5])}")
    out["distance"] = np.where(out["mover"] == 1, geography.distance_miles(out["teen_la"], out["adult_la"]), 0.0)
    region = geography.las.set_index("la_code")["region_code"]
    out["region_code"] = region.reindex(out["adult_la"]).to_numpy()
    sex = ppl["sex"].to_numpy()
    out["male"] = np.where(np.isin(sex, codes(d, "male")), 1.0, np.where(np.isin(sex, codes(d, "female")), 0.0, np.nan))
    out["white"] = np.where(ppl["ethnicity"].isna(), np.nan, np.isin(ppl["ethnicity"], codes(d, "white_british")).astype(float))
    born = ppl["born_uk"].to_numpy()
    out["intl_migrant"] = np.where(
        np.isin(born, codes(d, "born_abroad")), 1.0, np.where(np.isin(born, codes(d, "born_uk")), 0.0, np.nan)
    )
    a = adult.reset_index(drop=True)
    out["married"] = flag(a["marstat"], codes(d, "married"))
    out["n_children"] = a["n_children"].to_numpy(dtype=float)
    out["has_children"] = np.where(out["n_children"].isna(), np.nan, (out["n_children"] > 0).astype(float))
    out["degree"] = flag(a["hiqual"], codes(d, "degree"))
    out["owner"] = flag(a["tenure"], codes(d, "owner"))
    out["parent_nssec"] = pd.Categorical(a["parent_nssec"], categories=PARENT_LEVELS)
    out["n_parents"] = a["n_parents"].to_numpy()
    out["employed"] = np.where(a["jbstat"].isna(), np.nan, np.isin(a["jbstat"], codes(d, "employed")).astype(float))
    own = nssec_three_class(a["nssec_current"], d).where(out["employed"].to_numpy() == 1)
    own = own.fillna(nssec_three_class(a["nssec_last"], d))
    out["higher"] = np.where(own.isna(), np.nan, (own == "higher").astype(float))
    deflate = cpi.loc[price_year] / out["year"].map(cpi).to_numpy()
    if np.isnan(deflate).any():
        raise InputError(d.get("_path"), f"no CPI for year(s) {sorted(set(out.loc[np.isnan(deflate), 'year']))}")
    inc = a["income"].to_numpy(dtype=float) * deflate
    out["income"] = np.where((out["employed"] == 1) & (inc > 0), inc, np.nan)
    if indicators is not None:
        la_col = "adult_la" if macro_area == "adult" else "teen_la"
        key = pd.MultiIndex.from_arrays([out[la_col], out["year"]])
        mac = indicators.assign(year=indicators["year"].astype(int)).set_index(["la_code", "year"])[MACRO].reindex(key)
        for v in MACRO:
            out[v] = mac[v].to_numpy()
    youth = latest_youth(panel)
    out = out.merge(youth, on="pidp", how="left")
    return out


def latest_youth(panel: Panel) -> pd.DataFrame:
    """Each person's last youth-questionnaire answers to the motivation questions (Table 22), as labels."""
    y = panel.youth
    cols = ["reason1", "reason2", "aspect1", "aspect2"]
    if y.empty:
        return pd.DataFrame(columns=["pidp"] + cols)
    y = (
        y.dropna(subset=["reason2", "aspect2"], how="all")
        .sort_values(["pidp", "wave_index"])
        .drop_duplicates("pidp", keep="last")
    )
    labels = panel.dictionary.get("labels", {})
    out = pd.DataFrame({"pidp": y["pidp"].astype("int64").to_numpy()})
    for c in cols:
        lab = {int(k): v for k, v in labels.get(c[:-1], {}).items()}
        out[c] = y[c].map(lambda v, lab=lab: lab.get(int(v), str(int(v))) if pd.notna(v) else None).to_numpy()
    return out


# ----------------------------------------------------------------------------- descriptives (Table 23)

# Table 23 row -> column of ``table23_data``
TABLE23_ROWS = {
    "Male": "male",
    "Age": "age",
    "White": "white",
    "International migrant": "intl_migrant",
    "Married": "married",
    "Has children": "has_children",
    "Number of children": "n_children",
    "Has a degree": "degree",
    "House owner": "owner",
    "Parent: routine and manual occ.": "parent_routine",
    "Parent: intermediate occ.": "parent_intermediate",
    "Parent: higher managerial, admin and professional occ.": "parent_higher",
}
PARENT_DUMMIES = ["parent_routine", "parent_intermediate", "parent_higher"]


def table23_data(sample: pd.DataFrame) -> pd.DataFrame:
    """The numeric columns Table 23 describes, parental class as three dummies (missing where the class is)."""
    out = sample[[c for c in TABLE23_ROWS.values() if c in sample.columns]].apply(pd.to_numeric, errors="coerce")
    for level in PARENT_LEVELS:
        out[f"parent_{level}"] = (sample["parent_nssec"] == level).astype(float).where(sample["parent_nssec"].notna())
    return out


def describe(sample: pd.DataFrame) -> pd.DataFrame:
    """Table 23 unchecked: mean, standard deviation, min, max and number of non-missing observations."""
    data = table23_data(sample)
    recs = {}
    for label, col in TABLE23_ROWS.items():
        v = data[col].dropna()
        recs[label] = {"Mean": v.mean(), "Std. dev.": v.std(), "Min.": v.min(), "Max.": v.max(), "Obs.": int(len(v))}
    return pd.DataFrame.from_dict(recs, orient="index")


# ----------------------------------------------------------------------------- models


def formula(outcome: str, model: int = 3, interact: str | Characteristic | None = None, extra: Sequence[str] = ()) -> str:
    """Model 1: mover, distance, region and year effects; 2: + LA macro variables; 3: + demographics.
    ``interact`` (a ``Characteristic`` or a column) multiplies mover by that characteristic, which then
    leaves the controls (the report's Demo'); ``extra`` terms (the motivation answers) are added last."""
    if model not in (1, 2, 3):
        raise InputError("parameter 'model'", f"must be 1, 2 or 3, not {model}")
    terms = list(BASE)
    if model >= 2:
        terms += MACRO
    if model >= 3:
        terms += DEMOGRAPHICS
    if interact is not None:
        if not isinstance(interact, Characteristic):
            interact = next((c for c in CHARACTERISTICS.values() if c.column == interact), Characteristic(interact, {}, None))
        terms = [t for t in terms if t not in interact.dropped_controls and t != interact.column]
        terms[0] = f"mover * {interact.interaction_term}"
    return f"{outcome} ~ " + " + ".join(terms + list(extra))


def _truth_columns(x: pd.DataFrame) -> pd.DataFrame:
    """The generating model's parental dummies from ``parent_nssec``."""
    return x.assign(
        parent_intermediate=(x["parent_nssec"] == "intermediate").astype(float),
        parent_higher=(x["parent_nssec"] == "higher").astype(float),
    )


STRAND = micro.Strand(
    name="BHPS-UKHLS",
    outcomes=OUTCOMES,
    characteristics=CHARACTERISTICS,
    formula=formula,
    linear=("income",),
    cluster="adult_la",
    keep_levels=("parent_nssec",),
    text_columns=("region_code",),
    region_column="region_code",
    truth_columns=_truth_columns,
)


def strand(cluster: str = "adult_la") -> micro.Strand:
    """The strand's models with standard errors clustered by ``cluster`` (the adult or the teenage LA)."""
    if cluster not in ("adult_la", "teen_la"):
        raise InputError("parameter 'cluster'", f"must be 'adult_la' or 'teen_la', not {cluster!r}")
    return STRAND.with_(cluster=cluster)


def true_effects(sample: pd.DataFrame, model: Mapping, by: str | None = None, price_factor: float = 1.0) -> pd.Series:
    """Average effect of mover implied by a generating model on ``sample`` (``micro.true_effects``)."""
    return micro.true_effects(STRAND, sample, model, by, price_factor)


def motivation_sample(sample: pd.DataFrame) -> pd.DataFrame:
    """People who gave all four motivation answers (the rows of Table 28 and of Model 3 with motivation)."""
    return sample.dropna(subset=MOTIVATION)


MOTIVATION_TERMS = [f"C({c})" for c in MOTIVATION]


# ----------------------------------------------------------------------------- motivation (Tables 25, 26)


def motivation_table(
    sample: pd.DataFrame, question: str = "reason2", min_share: float = 0.02, order: Sequence[str] | None = None
) -> pd.DataFrame:
    """Percentages of stayers and movers giving each answer, their difference (stayer - mover) and a
    two-proportion z-test; answers given by fewer than ``min_share`` of respondents are dropped, as in the report.
    ``n_stayer`` / ``n_mover`` are the people giving the answer, ``N_stayer`` / ``N_mover`` those answering."""
    s = sample.dropna(subset=[question, "mover"])
    if s.empty:
        raise InputError("sample", f"nobody answered the motivation question {question!r}")
    n = s.groupby("mover").size()
    counts = s.groupby([question, "mover"]).size().unstack(fill_value=0).reindex(columns=[0, 1], fill_value=0)
    share = counts.sum(axis=1) / len(s)
    counts = counts[share >= min_share]
    if counts.empty:
        raise InputError(
            "parameter 'motivation_min_share'",
            f"no answer to {question!r} is given by {min_share:.0%} of respondents or more, so Tables 25-26 would be "
            "empty; lower it (the report's 0.02 leaves out only the rarest answers)",
        )
    p0, p1 = counts[0] / n.get(0, np.nan), counts[1] / n.get(1, np.nan)
    pooled = (counts[0] + counts[1]) / (n.get(0, 0) + n.get(1, 0))
    se = np.sqrt(pooled * (1 - pooled) * (1 / n.get(0, np.nan) + 1 / n.get(1, np.nan)))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p0 - p1) / se
    out = pd.DataFrame(
        {
            "Stayer": 100 * p0,
            "Mover": 100 * p1,
            "Difference": 100 * (p0 - p1),
            "pvalue": 2 * stats.norm.sf(np.abs(z)),
            "n_stayer": counts[0].astype(int),
            "n_mover": counts[1].astype(int),
            "N_stayer": int(n.get(0, 0)),
            "N_mover": int(n.get(1, 0)),
        }
    )
    if order is not None:
        out = out.reindex([o for o in order if o in out.index] + [i for i in out.index if i not in order])
    out.index.name = None  # everyone answering: N_stayer + N_mover (a column, not the frame's attrs)
    return out


def motivation_categories(dictionary: Mapping) -> pd.DataFrame:
    """Table 22: the answer categories of the two youth-questionnaire questions, from the dictionary's labels."""
    labels = dictionary.get("labels") or {}
    cols = {"Reason for wanting a job": labels.get("reason", {}), "Aspect of a job that matters": labels.get("aspect", {})}
    codes = sorted({int(k) for v in cols.values() for k in v})
    out = pd.DataFrame(
        {c: [v.get(k, v.get(str(k), "")) for k in codes] for c, v in cols.items()}, index=pd.Index(codes, name="Code")
    )
    return out


# ----------------------------------------------------------------------------- inputs and facts


def check_source(kind: str) -> None:
    """BHPS-UKHLS microdata are not public: ``source=public`` is refused with a message saying what to use instead."""
    if kind == "public":
        raise InputError(
            "parameter 'source'", "BHPS-UKHLS microdata are not public: use source=synthetic, or source=restricted with data_path"
        )


def load(src: DataSource, aux_path: str = "", dictionary: str = "", years: Sequence[int] = (2000, 2019)) -> dict:
    """Everything the chapter reads: the panel, LA geography and LA indicators.

    ``src.root`` is the synthetic world (its ``ukhls`` folder is used) or the folder of a Special
    Licence download; ``aux_path`` holds ``geography/`` and ``nomis/`` (default: the synthetic world,
    or the public download for real data)."""
    check_source(src.kind)
    # a synthetic world holds the panel in its ukhls/ dataset folder; a UKDS download (which has a ukhls/ folder
    # of its own) is read as it is
    in_world = (src.root / "world.json").exists() or (src.root / "ukhls" / "truth.json").exists()
    folder = src.root / "ukhls" if in_world else src.root
    aux = paths.data_dir("public", aux_path) if aux_path else (src.root if src.synthetic else paths.data_dir("public"))
    d = load_dictionary(dictionary or None)
    # a generated panel (it carries its truth.json) never changes its LA codes, even when run as restricted
    generated = (folder / "truth.json").exists()
    d["la_harmonisation"] = lacodes.resolve(
        d.get("la_harmonisation"),
        "synthetic" if generated else src.kind,
        dictionary or "the BHPS-UKHLS dictionary (data/dictionaries/ukhls.yml)",
    )
    panel = load_panel(folder, d, years=(1991, int(years[1]) + 1))
    return {"panel": panel, "geography": load_geography(aux / "geography"), "indicators": la_indicators(aux / "nomis")}


def price_factor(panel: Panel, truth: Mapping, price_year: int) -> float:
    """Prices of the chapter's ``price_year`` over those of the generating income model (1 without truth)."""
    if not truth:
        return 1.0
    return float(panel.cpi.loc[price_year] / panel.cpi.loc[truth["price_year"]])


def sample_facts(sample: pd.DataFrame) -> dict:
    """Numbers the chapter's prose quotes about the sample (glued, never typed)."""
    n = len(sample)
    return {
        "n_sample": n,
        "n_movers": int(sample["mover"].sum()),
        "pct_movers": 100.0 * float(sample["mover"].mean()),
        "n_returners": int(sample["returner"].sum()),
        "pct_age30": 100.0 * float((sample["age"] == 30).mean()),
        "pct_older": 100.0 * float((sample["age"] > 30).mean()),
        "pct_younger": 100.0 * float((sample["age"] < 30).mean()),
        "median_distance": float(sample.loc[sample["mover"] == 1, "distance"].median()),
        "n_motivation": int(sample["reason2"].notna().sum()) if "reason2" in sample else 0,
        "first_year": int(sample["year"].min()),
        "last_year": int(sample["year"].max()),
        "pct_two_parents": 100.0 * float((sample["n_parents"] >= 2).mean()),
    }


__all__ = [
    "teen_observations",
    "choose_adult_observation",
    "build_sample",
    "describe",
    "table23_data",
    "formula",
    "strand",
    "STRAND",
    "true_effects",
    "motivation_table",
    "motivation_sample",
    "load",
    "price_factor",
    "sample_facts",
    "CHARACTERISTICS",
    "OUTCOMES",
]
