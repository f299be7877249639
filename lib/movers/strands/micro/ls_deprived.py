"""Movers from and stayers in the most deprived regions: the ONS Longitudinal Study strand (report Tables 30-32).

Why a module: the chapter must read like the report (a sample, a table, three
models, two subgroup tables), so the rules that decide who is in the sample and
who is a mover live here, small and tested:

- regions are ranked by their share of high-skilled (professional and
  technical) jobs at the census where a member was observed as a child and cut
  into population-weighted quintiles (footnotes 23 and 25 of the report);
- a mover lives, as an adult (30-36), in a different government office region
  from the one where they lived as a child (10-16);
- parental class is the higher of the two parents' classes (Table 29);
- outcomes are probits with region and year effects; average marginal effects
  of being a mover, overall (Models 1-3) and within subgroups from separate
  interacted regressions (Tables 31-32), come from ``movers.estimators.margins``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from movers.core.errors import InputError, require_nonempty
from movers.core.source import DataSource
from movers.data import ons_ls
from movers.data.classifications import load as load_classification
from movers.data.ons_ls import (  # region_quintiles re-exported: the grouping lives with the region file
    load_extract,
    region_quintiles,
)
from movers.strands.micro import common as micro
from movers.strands.micro.common import Characteristic, check_band, flag, z_scores  # noqa: F401 (z_scores re-exported)

THREE_GROUPS = {
    "Professional and technical occupations": "prof",
    "Skilled occupations": "skilled",
    "Semi-skilled/unskilled occupations": "semi",
}
CLASS_RANK = {"prof": 0, "skilled": 1, "semi": 2}
OUTCOMES = {"employed": "Employed", "professional": "Professional or technical occupation"}
MACRO = ["unemployment_rate", "prop_professional"]
DEMOGRAPHICS = list(ons_ls.DEMOGRAPHICS)
# the report's subgroups (Tables 31-32), with their reference group and the controls each replaces (Demo')
CHARACTERISTICS = {
    "gender": Characteristic("male", {0: "Female", 1: "Male"}, 0),
    "ethnicity": Characteristic("white", {0: "Non-white", 1: "White"}, 0),
    "education": Characteristic("degree", {0: "No degree", 1: "Has degree"}, 0),
    "parent_class": Characteristic(
        "parent_class",
        {
            "prof": "Parent: professional and technical occ.",
            "skilled": "Parent: skilled occ.",
            "semi": "Parent: semi-skilled/unskilled occ.",
        },
        "semi",
        term="(parent_prof + parent_semi)",
        replaces=("parent_prof", "parent_semi"),
    ),
}
# the report's numbers of stayers and movers behind Table 30 (its notes)
PUBLISHED_N = {"Stayers": 24969, "Movers": 6859}
# our row labels -> the report's where its two tables spell them differently
PUBLISHED_ROWS = {
    31: {},
    32: {
        "Parent: professional and technical occ.": "Parent: professional and technical occupation",
        "Parent: skilled occ.": "Parent: skilled occupation",
        "Parent: semi-skilled/unskilled occ.": "Parent: semi-skilled/unskilled occupation",
    },
}
TABLE30_ROWS = {
    "disabled": "Disabled",
    "degree": "Degree holder",
    "parent_prof": "Parent: professional and technical occupations",
    "parent_skilled": "Parent: skilled occupations",
    "parent_semi": "Parent: semi-skilled/unskilled occupations",
    "occ_prof": "Professional and technical occupations",
    "occ_skilled": "Skilled occupations",
    "occ_semi": "Semi-skilled/unskilled occupations",
    "employed": "Employed",
}


# ----------------------------------------------------------------------------- people


def _class_of_codes(codes: pd.Series, dictionary: dict) -> pd.Series:
    """Six-group census social class codes -> 'prof' / 'skilled' / 'semi' (Annex Table 0.3); missing stays missing."""
    table = load_classification("social_class")
    three_of_six = dict(zip(table["six_group"], table["three_group"].replace("", pd.NA).ffill()))
    six = {int(k): v for k, v in dictionary["codes"]["social_class"].items()}
    unknown = set(codes.dropna().astype(int)) - set(six)
    if unknown:
        raise InputError(dictionary.get("_path"), f"social class code(s) {sorted(unknown)[:5]} not in codes.social_class")
    labels = {k: three_of_six.get(v) for k, v in six.items()}
    bad = [six[k] for k, v in labels.items() if v not in THREE_GROUPS]
    if bad:
        raise InputError(dictionary.get("_path"), f"social class group(s) {bad} not in data/classifications/social_class.csv")
    return codes.map(lambda c: THREE_GROUPS[labels[int(c)]] if pd.notna(c) else None)


def parental_class(parents: pd.DataFrame, dictionary: dict) -> pd.DataFrame:
    """The higher of the father's and mother's class per (lsnum, census), and how many parents had one.

    Table 29: "when both are available, we use the higher of the two"; when
    only one parent has a class, theirs is used; with none, the class is missing.
    """
    p = parents.copy()
    p["cls"] = _class_of_codes(p["social_class"], dictionary)
    p = p.dropna(subset=["cls"])
    p["rank"] = p["cls"].map(CLASS_RANK)
    g = p.groupby(["lsnum", "census"])
    out = pd.DataFrame({"parent_rank": g["rank"].min(), "n_parents_with_class": g["rank"].size()})
    inv = {v: k for k, v in CLASS_RANK.items()}
    out["parent_class"] = out["parent_rank"].map(inv)
    return out.drop(columns=["parent_rank"]).reset_index()


@dataclass(frozen=True)
class SampleFlow:
    """The people at each step of drawing the analysis sample, for the chapter's prose: members at a
    child census in the age band (``children``) and those traced to a later census in the adult age band
    (``linked_adults``)."""

    children: int = 0
    linked_adults: int = 0


@dataclass(frozen=True)
class Sample:
    """The analysis file (``frame``, one row per member) and how it was drawn (``flow``). The counts
    travel beside the frame, not in the frame's ``attrs``, which a ``merge`` drops."""

    frame: pd.DataFrame
    flow: SampleFlow


def build_sample(
    extract,
    quintile: int | None = 1,
    child_ages: Sequence[int] = (10, 16),
    adult_ages: Sequence[int] = (30, 36),
    child_censuses: Sequence[int] = (1971, 1981, 1991),
    n_groups: int = 5,
) -> Sample:
    """One row per LS member observed as a child and again as an adult, in the chosen quintile of child regions.

    Child observation: the record at one of ``child_censuses`` at ages
    ``child_ages`` (it gives the region of upbringing and the parents). Adult
    observation: the most recent later census record at ages ``adult_ages``
    (the report: "aged between 30 and 36 in the most recent census in which
    they were enumerated"). Quintiles are those of the child region at the
    child census. ``quintile=None`` keeps every quintile. The ``flow`` of the
    result counts the people lost at each step, for the chapter's prose.
    """
    lo_c, hi_c = check_band("child_ages", child_ages)
    lo_a, hi_a = check_band("adult_ages", adult_ages)
    if quintile is not None and not 1 <= int(quintile) <= n_groups:
        raise InputError("parameter 'quintile'", f"must be between 1 and {n_groups}, not {quintile}")
    known = {int(c) for c in extract.dictionary["censuses"]}
    bad = [c for c in child_censuses if int(c) not in known]
    if bad or not child_censuses:
        raise InputError(
            "parameter 'child_censuses'",
            f"must be a non-empty list of census years among {sorted(known)}, not {list(child_censuses)}",
        )
    d = extract.dictionary
    rec = extract.records
    child = rec[rec["census"].isin([int(c) for c in child_censuses]) & rec["age"].between(lo_c, hi_c) & rec["region"].notna()]
    child = child.sort_values(["lsnum", "census"]).drop_duplicates("lsnum", keep="first")
    require_nonempty(child, extract.files[0], f"set of members aged {lo_c}-{hi_c} at the censuses {list(child_censuses)}")
    child = child[["lsnum", "census", "age", "region"]].rename(
        columns={"census": "child_census", "age": "child_age", "region": "child_region"}
    )
    n_children = int(len(child))
    later = rec.merge(child[["lsnum", "child_census"]], on="lsnum")
    adult = later[(later["census"] > later["child_census"]) & later["age"].between(lo_a, hi_a) & later["region"].notna()]
    adult = adult.sort_values(["lsnum", "census"]).drop_duplicates("lsnum", keep="last")
    s = child.merge(adult.drop(columns=["child_census"]), on="lsnum", how="inner")
    n_linked = int(len(s))
    require_nonempty(s, extract.files[0], f"set of members traced to ages {lo_a}-{hi_a}")
    q = region_quintiles(extract.regions, n=n_groups)
    s = s.merge(
        q[["census", "region", "quintile"]].rename(columns={"census": "child_census", "region": "child_region"}),
        on=["child_census", "child_region"],
        how="left",
    )
    if quintile is not None:
        s = s[s["quintile"] == int(quintile)]
    require_nonempty(s, extract.files[0], f"sample of quintile {quintile}")
    s = s.rename(columns={"census": "year", "region": "adult_region"})
    s["mover"] = (s["adult_region"] != s["child_region"]).astype(int)
    c = d["codes"]
    s["male"] = flag(s["sex"], c["male"])
    s["white"] = flag(s["ethnic_group"], c["white"])
    s["born_abroad"] = flag(s["country_of_birth"], c["born_abroad"])
    s["disabled"] = flag(s["llti"], c["disabled"])
    s["married"] = flag(s["marital_status"], c["married"])
    s["degree"] = flag(s["highest_qual"], c["degree"])
    s["owner"] = flag(s["tenure"], c["owner"])
    s["employed"] = flag(s["econ_activity"], c["employed"])
    s["occ_class"] = _class_of_codes(s["social_class"], d)
    s["professional"] = (s["occ_class"] == "prof").astype(float).where(s["occ_class"].notna())
    pc = parental_class(extract.parents, d).rename(columns={"census": "child_census"})
    s = s.merge(pc, on=["lsnum", "child_census"], how="left")
    s["n_parents_with_class"] = s["n_parents_with_class"].fillna(0).astype(int)
    s["parent_prof"] = (s["parent_class"] == "prof").astype(float).where(s["parent_class"].notna())
    s["parent_semi"] = (s["parent_class"] == "semi").astype(float).where(s["parent_class"].notna())
    macro = extract.regions.set_index(["census", "region"])[MACRO]
    m = macro.reindex(pd.MultiIndex.from_arrays([s["year"], s["adult_region"]]))
    for v in MACRO:
        s[v] = m[v].to_numpy()
    keep = [
        "lsnum",
        "child_census",
        "child_age",
        "child_region",
        "quintile",
        "year",
        "age",
        "adult_region",
        "mover",
        "employed",
        "professional",
        "occ_class",
        "male",
        "white",
        "disabled",
        "married",
        "degree",
        "owner",
        "born_abroad",
        "parent_class",
        "parent_prof",
        "parent_semi",
        "n_parents_with_class",
    ] + MACRO
    return Sample(s[keep].reset_index(drop=True), SampleFlow(n_children, n_linked))


@dataclass(frozen=True)
class Shares:
    """Table 30: proportions among stayers and movers (``values``), the people each is a share of (``n``)
    and the people with the attribute (``n_with``): disclosure control counts the smaller category."""

    values: pd.DataFrame
    n: pd.DataFrame
    n_with: pd.DataFrame
    groups: Mapping[str, int]


PARENT_ROWS = [TABLE30_ROWS[k] for k in ("parent_prof", "parent_skilled", "parent_semi")]
OCC_ROWS = [TABLE30_ROWS[k] for k in ("occ_prof", "occ_skilled", "occ_semi")]


def describe(sample: pd.DataFrame) -> Shares:
    """Table 30: proportions among stayers and movers, with the counts behind them (for disclosure control).

    Parental and own classes are shares of those with a class, as in the report, whose three shares
    sum to one (so one withheld share follows from the other two: the checker knows it)."""
    s = sample.copy()
    for k in ("prof", "skilled", "semi"):
        s[f"parent_{k}"] = (s["parent_class"] == k).astype(float).where(s["parent_class"].notna())
        s[f"occ_{k}"] = (s["occ_class"] == k).astype(float).where(s["occ_class"].notna())
    values, n, n_with = {}, {}, {}
    for label, grp in (("Stayers", s[s["mover"] == 0]), ("Movers", s[s["mover"] == 1])):
        x = {row: grp[col].dropna() for col, row in TABLE30_ROWS.items()}
        values[label] = {row: float(v.mean()) if len(v) else np.nan for row, v in x.items()}
        n[label] = {row: int(len(v)) for row, v in x.items()}
        n_with[label] = {row: int(v.sum()) for row, v in x.items()}
    rows = list(TABLE30_ROWS.values())
    groups = {"Stayers": int((s["mover"] == 0).sum()), "Movers": int((s["mover"] == 1).sum())}
    return Shares(pd.DataFrame(values).loc[rows], pd.DataFrame(n).loc[rows], pd.DataFrame(n_with).loc[rows], groups)


# ----------------------------------------------------------------------------- models


def formula(
    outcome: str,
    model: int = 3,
    interact: str | Characteristic | None = None,
    extra: Sequence[str] = (),
    region_effects: str = "child",
) -> str:
    """Model 1: mover, region and year effects; 2: + the adult region's unemployment and share of professionals;
    3: + demographics. ``interact`` (a key of ``CHARACTERISTICS`` or a ``Characteristic``) multiplies mover by
    that characteristic and drops it from the other controls (Demo' of the report)."""
    if outcome not in OUTCOMES:
        raise InputError("parameter 'outcomes'", f"unknown outcome {outcome!r}; choose from {', '.join(OUTCOMES)}")
    if model not in (1, 2, 3):
        raise InputError("parameter 'model'", f"must be 1, 2 or 3, not {model}")
    if region_effects not in ("child", "adult"):
        raise InputError("parameter 'region_effects'", f"must be 'child' or 'adult', not {region_effects!r}")
    terms = ["mover", f"C({region_effects}_region)", "C(year)"]
    if model >= 2:
        terms += MACRO
    if model >= 3:
        terms += DEMOGRAPHICS
    if interact is not None:
        if not isinstance(interact, Characteristic):
            if interact not in CHARACTERISTICS:
                raise InputError(
                    "parameter 'characteristics'",
                    f"unknown characteristic {interact!r}; choose from {', '.join(CHARACTERISTICS)}",
                )
            interact = CHARACTERISTICS[interact]
        terms = [t for t in terms if t not in interact.dropped_controls]
        terms[0] = f"mover * {interact.interaction_term}"
    return f"{outcome} ~ " + " + ".join(terms + list(extra))


STRAND = micro.Strand(
    name="ONS LS", outcomes=OUTCOMES, characteristics=CHARACTERISTICS, formula=formula, region_column="child_region"
)


def strand(region_effects: str = "child", cov_type: str = "nonrobust") -> micro.Strand:
    """The LS models with region effects of the child or adult region and probit standard errors
    ``cov_type``: plain (inverse information, Stata's default ``probit``) as in the report, ``HC1``
    (statsmodels' robust sandwich with N/(N-K)) or ``HC0``."""
    formula(next(iter(OUTCOMES)), 1, region_effects=region_effects)  # checks region_effects
    if cov_type not in micro.COV_TYPES:
        raise InputError("parameter 'cov_type'", f"must be one of {', '.join(micro.COV_TYPES)}, not {cov_type!r}")

    def f(outcome, model=3, interact=None, extra=()):
        return formula(outcome, model, interact, extra, region_effects)

    return STRAND.with_(formula=f, cov_type=cov_type)


def true_effects(rows: pd.DataFrame, model: Mapping, by: str | None = None) -> pd.Series:
    """Average effect of mover (0 -> 1) that the generating probit implies on ``rows`` (``micro.true_effects``)."""
    return micro.true_effects(STRAND, rows, model, by)


# ----------------------------------------------------------------------------- chapter helpers


def check_source(kind: str) -> None:
    """The LS is not public: ``source=public`` is refused with a message saying what to use instead."""
    if kind == "public":
        raise InputError(
            "parameter 'source'",
            "the ONS LS is not public: use source=synthetic, or source=restricted with data_path in the secure lab",
        )


def load(src: DataSource, dictionary: str = ""):
    """The extract of the chapter: ``src.root`` is a synthetic world (its ``ons_ls`` folder is used) or the
    folder of an extract."""
    check_source(src.kind)
    return load_extract(src.folder("ons_ls"), dictionary or None)


def sample_facts(drawn: Sample, quintiles: pd.DataFrame, quintile: int, child_censuses: Sequence[int]) -> dict:
    """Numbers and words the chapter's prose quotes (glued, never typed)."""
    sample, flow = drawn.frame, drawn.flow
    names = []
    for c in child_censuses:
        sub = quintiles[(quintiles["census"] == int(c)) & (quintiles["quintile"] == int(quintile))]
        names.append(f"{c}: {', '.join(sub['region_name'] if 'region_name' in sub else sub['region'])}")
    return {
        "n_children": flow.children,
        "n_linked": flow.linked_adults,
        "n_sample": int(len(sample)),
        "n_stayers": int((sample["mover"] == 0).sum()),
        "n_movers": int((sample["mover"] == 1).sum()),
        "pct_movers": 100.0 * float(sample["mover"].mean()),
        "pct_two_parent_class": 100.0 * float((sample["n_parents_with_class"] >= 2).mean()),
        "pct_no_parent_class": 100.0 * float(sample["parent_class"].isna().mean()),
        "quintile_regions": "; ".join(names),
    }


__all__ = [
    "region_quintiles",
    "parental_class",
    "build_sample",
    "Sample",
    "SampleFlow",
    "describe",
    "Shares",
    "formula",
    "strand",
    "STRAND",
    "true_effects",
    "z_scores",
    "load",
    "sample_facts",
    "CHARACTERISTICS",
    "OUTCOMES",
    "PUBLISHED_ROWS",
    "TABLE30_ROWS",
]
