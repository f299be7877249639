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
  interacted regressions (Tables 31-32), come from ``movers.margins``.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from movers import sdc
from movers.errors import InputError, require_nonempty
from movers.margins import effect_differences, group_key, mover_effects

THREE_GROUPS = {
    "Professional and technical occupations": "prof",
    "Skilled occupations": "skilled",
    "Semi-skilled/unskilled occupations": "semi",
}
CLASS_RANK = {"prof": 0, "skilled": 1, "semi": 2}
OUTCOMES = {"employed": "Employed", "professional": "Professional or technical occupation"}
MACRO = ["unemployment_rate", "prop_professional"]
DEMOGRAPHICS = ["male", "age", "white", "disabled", "married", "degree", "owner", "born_abroad", "parent_prof", "parent_semi"]
# characteristic -> (group column, {value: row label}, reference value, columns it replaces in Demo', interaction term)
CHARACTERISTICS = {
    "gender": ("male", {0: "Female", 1: "Male"}, 0, ["male"], "male"),
    "ethnicity": ("white", {0: "Non-white", 1: "White"}, 0, ["white"], "white"),
    "education": ("degree", {0: "No degree", 1: "Has degree"}, 0, ["degree"], "degree"),
    "parent_class": ("parent_class", {"prof": "Parent: professional and technical occ.", "skilled": "Parent: skilled occ.",
                                      "semi": "Parent: semi-skilled/unskilled occ."}, "semi", ["parent_prof", "parent_semi"],
                     "(parent_prof + parent_semi)"),
}
# our row labels -> the report's where its two tables spell them differently
PUBLISHED_ROWS = {
    31: {},
    32: {"Parent: professional and technical occ.": "Parent: professional and technical occupation",
         "Parent: skilled occ.": "Parent: skilled occupation",
         "Parent: semi-skilled/unskilled occ.": "Parent: semi-skilled/unskilled occupation"},
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


# ----------------------------------------------------------------------------- regions


def region_quintiles(regions: pd.DataFrame, n: int = 5, value: str = "prop_professional", weight: str = "population") -> pd.DataFrame:
    """Population-weighted quantile groups (1 = lowest share of high-skilled jobs) of regions, per census.

    Regions are sorted by ``value``; each takes the group in which the midpoint
    of its population falls on the cumulative population scale, so a group
    holds about 1/n of the population rather than 1/n of the regions. Regions
    with exactly the same value form one block that shares one group (the
    group of the block's midpoint): the answer then depends neither on the
    order of the rows nor on an arbitrary tie-breaker.
    """
    for col in ("census", "region", value, weight):
        if col not in regions.columns:
            raise InputError("region indicators", f"missing column {col!r}")
    if (regions[weight] <= 0).any() or regions[[value, weight]].isna().any().any():
        raise InputError("region indicators", f"{value} and {weight} must be known, and {weight} positive, for every region")
    out = []
    for census, grp in regions.groupby("census", sort=True):
        blocks = grp.groupby(value, sort=True)[weight].sum()
        total = float(blocks.sum())
        upper = blocks.cumsum()
        mid = (upper - blocks / 2.0) / total
        group = np.minimum(np.floor(mid.to_numpy() * n).astype(int) + 1, n)
        g = grp.copy()
        g["quintile"] = g[value].map(dict(zip(blocks.index, group))).astype(int)
        out.append(g)
    return pd.concat(out).sort_values(["census", "quintile", value, "region"]).reset_index(drop=True)


# ----------------------------------------------------------------------------- people


def _class_of_codes(codes: pd.Series, dictionary: dict) -> pd.Series:
    """Six-group census social class codes -> 'prof' / 'skilled' / 'semi' (Annex Table 0.3); missing stays missing."""
    from movers.classifications import load

    table = load("social_class")
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


def _flag(values: pd.Series, codes: Sequence) -> pd.Series:
    """1 when the code is one of ``codes``, 0 otherwise, missing when the value is missing."""
    return values.isin(list(codes)).astype(float).where(values.notna())


def _check_band(name: str, band: Sequence[int]) -> tuple[int, int]:
    if len(band) != 2 or band[0] > band[1]:
        raise InputError(f"parameter {name!r}", f"must be [lowest, highest], not {list(band)}")
    return int(band[0]), int(band[1])


def build_sample(extract, quintile: int | None = 1, child_ages: Sequence[int] = (10, 16), adult_ages: Sequence[int] = (30, 36),
                 child_censuses: Sequence[int] = (1971, 1981, 1991), n_groups: int = 5) -> pd.DataFrame:
    """One row per LS member observed as a child and again as an adult, in the chosen quintile of child regions.

    Child observation: the record at one of ``child_censuses`` at ages
    ``child_ages`` (it gives the region of upbringing and the parents). Adult
    observation: the most recent later census record at ages ``adult_ages``
    (the report: "aged between 30 and 36 in the most recent census in which
    they were enumerated"). Quintiles are those of the child region at the
    child census. ``quintile=None`` keeps every quintile. ``attrs['flow']``
    counts the people lost at each step, for the chapter's prose.
    """
    lo_c, hi_c = _check_band("child_ages", child_ages)
    lo_a, hi_a = _check_band("adult_ages", adult_ages)
    if quintile is not None and not 1 <= int(quintile) <= n_groups:
        raise InputError("parameter 'quintile'", f"must be between 1 and {n_groups}, not {quintile}")
    known = {int(c) for c in extract.dictionary["censuses"]}
    bad = [c for c in child_censuses if int(c) not in known]
    if bad or not child_censuses:
        raise InputError("parameter 'child_censuses'", f"must be a non-empty list of census years among {sorted(known)}, not {list(child_censuses)}")
    d = extract.dictionary
    rec = extract.records
    child = rec[rec["census"].isin([int(c) for c in child_censuses]) & rec["age"].between(lo_c, hi_c) & rec["region"].notna()]
    child = child.sort_values(["lsnum", "census"]).drop_duplicates("lsnum", keep="first")
    require_nonempty(child, extract.files[0], f"set of members aged {lo_c}-{hi_c} at the censuses {list(child_censuses)}")
    child = child[["lsnum", "census", "age", "region"]].rename(columns={"census": "child_census", "age": "child_age", "region": "child_region"})
    flow = {"children": int(len(child))}
    later = rec.merge(child[["lsnum", "child_census"]], on="lsnum")
    adult = later[(later["census"] > later["child_census"]) & later["age"].between(lo_a, hi_a) & later["region"].notna()]
    adult = adult.sort_values(["lsnum", "census"]).drop_duplicates("lsnum", keep="last")
    s = child.merge(adult.drop(columns=["child_census"]), on="lsnum", how="inner")
    flow["linked_adults"] = int(len(s))
    require_nonempty(s, extract.files[0], f"set of members traced to ages {lo_a}-{hi_a}")
    q = region_quintiles(extract.regions, n=n_groups)
    s = s.merge(q[["census", "region", "quintile"]].rename(columns={"census": "child_census", "region": "child_region"}),
                on=["child_census", "child_region"], how="left")
    if quintile is not None:
        s = s[s["quintile"] == int(quintile)]
    flow["in_quintile"] = int(len(s))
    require_nonempty(s, extract.files[0], f"sample of quintile {quintile}")
    s = s.rename(columns={"census": "year", "region": "adult_region"})
    s["mover"] = (s["adult_region"] != s["child_region"]).astype(int)
    c = d["codes"]
    s["male"] = _flag(s["sex"], c["male"])
    s["white"] = _flag(s["ethnic_group"], c["white"])
    s["born_abroad"] = _flag(s["country_of_birth"], c["born_abroad"])
    s["disabled"] = _flag(s["llti"], c["disabled"])
    s["married"] = _flag(s["marital_status"], c["married"])
    s["degree"] = _flag(s["highest_qual"], c["degree"])
    s["owner"] = _flag(s["tenure"], c["owner"])
    s["employed"] = _flag(s["econ_activity"], c["employed"])
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
    keep = ["lsnum", "child_census", "child_age", "child_region", "quintile", "year", "age", "adult_region", "mover", "employed",
            "professional", "occ_class", "male", "white", "disabled", "married", "degree", "owner", "born_abroad", "parent_class",
            "parent_prof", "parent_semi", "n_parents_with_class"] + MACRO
    out = s[keep].reset_index(drop=True)
    out.attrs["flow"] = flow
    return out


def describe(sample: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Table 30: proportions among stayers and movers, and the counts behind them (for disclosure control).

    Parental and own classes are shares of those with a class, as in the
    report, whose three shares sum to one. The count behind a share is the
    smaller of those with and without the attribute: either could identify people.
    """
    s = sample.copy()
    for k in ("prof", "skilled", "semi"):
        s[f"parent_{k}"] = (s["parent_class"] == k).astype(float).where(s["parent_class"].notna())
        s[f"occ_{k}"] = (s["occ_class"] == k).astype(float).where(s["occ_class"].notna())
    values, counts = {}, {}
    for label, grp in (("Stayers", s[s["mover"] == 0]), ("Movers", s[s["mover"] == 1])):
        v, n = {}, {}
        for col, row in TABLE30_ROWS.items():
            x = grp[col].dropna()
            v[row] = float(x.mean()) if len(x) else np.nan
            n[row] = int(min(x.sum(), len(x) - x.sum()))
        values[label], counts[label] = v, n
    vals = pd.DataFrame(values).loc[list(TABLE30_ROWS.values())]
    cnts = pd.DataFrame(counts).loc[list(TABLE30_ROWS.values())]
    vals.attrs["n"] = {"Stayers": int((s["mover"] == 0).sum()), "Movers": int((s["mover"] == 1).sum())}
    return vals, cnts


# ----------------------------------------------------------------------------- models


def formula(outcome: str, model: int = 3, interact: str | None = None, region_effects: str = "child") -> str:
    """Model 1: mover, region and year effects; 2: + the adult region's unemployment and share of professionals;
    3: + demographics. ``interact`` (a key of ``CHARACTERISTICS``) multiplies mover by that characteristic and
    drops it from the other controls (Demo' of the report)."""
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
    if interact:
        if interact not in CHARACTERISTICS:
            raise InputError("parameter 'characteristics'", f"unknown characteristic {interact!r}; choose from {', '.join(CHARACTERISTICS)}")
        _, _, _, replaced, term = CHARACTERISTICS[interact]
        terms = [t for t in terms if t not in replaced]
        terms[0] = f"mover * {term}"
    return f"{outcome} ~ " + " + ".join(terms)


def _columns(f: str) -> list[str]:
    return sorted(set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", f)) - {"C"})


def fit(sample: pd.DataFrame, f: str, cov_type: str = "nonrobust"):
    """Probit of ``f`` on the complete cases of its columns; the rows used are kept as ``estimation_data``.

    Standard errors: plain (inverse information, Stata's default ``probit``) as in the report; ``HC1``
    is statsmodels' robust sandwich with N/(N-K), ``HC0`` without (Stata's ``vce(robust)`` would be N/(N-1)).

    Levels of a fixed effect in which the outcome never (or always) occurs
    predict it perfectly and have no finite estimate: their rows are dropped
    first, as Stata does, and counted in ``dropped_perfect``.
    """
    import statsmodels.formula.api as smf

    if cov_type not in ("nonrobust", "HC0", "HC1"):
        raise InputError("parameter 'cov_type'", f"must be nonrobust, HC0 or HC1, not {cov_type!r}")
    cols = [c for c in _columns(f) if c in sample.columns]
    data = sample.dropna(subset=cols).copy()
    require_nonempty(data, "sample", f"set of complete observations for {f}")
    outcome = f.split("~")[0].strip()
    dropped = {}
    for var in re.findall(r"C\(([A-Za-z_][A-Za-z_0-9]*)\)", f):
        m = data.groupby(var)[outcome].agg(["min", "max", "size"])
        bad = m[m["min"] == m["max"]]
        dropped.update({f"{var}={k}": int(r["size"]) for k, r in bad.iterrows()})
        data = data[~data[var].isin(bad.index)]
    res = smf.probit(f, data).fit(disp=0, maxiter=200, cov_type=cov_type)
    res.estimation_data = data
    res.dropped_perfect = dropped
    return res


def mover_effect_models(sample: pd.DataFrame, outcome: str, region_effects: str = "child", cov_type: str = "nonrobust") -> dict[str, pd.DataFrame]:
    """Models 1-3 for one outcome: average marginal effect of being a mover (``movers.margins``)."""
    out = {}
    for m in (1, 2, 3):
        res = fit(sample, formula(outcome, m, region_effects=region_effects), cov_type)
        out[f"Model {m}"] = mover_effects(res, res.estimation_data, "mover").rename(index={"All": "Mover"})
    return out


def subgroup_effects(sample: pd.DataFrame, outcome: str, characteristic: str, region_effects: str = "child", cov_type: str = "nonrobust"):
    """One separate interacted regression: the mover effect within each group, and each group's difference
    from the reference group (the report's test of whether the groups' differences differ)."""
    col, labels, ref, _, _ = CHARACTERISTICS[characteristic]
    res = fit(sample, formula(outcome, 3, interact=characteristic, region_effects=region_effects), cov_type)
    data = res.estimation_data
    eff = mover_effects(res, data, "mover", by=col)
    group_nobs = eff.attrs.get("group_nobs", {})
    eff.index = [labels[group_key(g)] for g in eff.index]
    order = [lab for lab in labels.values() if lab in eff.index]  # the report's order, not alphabetical
    eff = eff.loc[order].copy()
    eff.attrs = {"nobs": int(res.nobs), "group_nobs": group_nobs}
    ref_value = next(v for v in data[col].dropna().unique() if group_key(v) == ref)
    diff = effect_differences(res, data, "mover", col, reference=ref_value)
    diff.index = [f"{labels[group_key(str(i).split(' versus ')[0])]} versus {labels[ref]}" for i in diff.index]
    cells = data.groupby([col, "mover"]).size()
    eff.attrs["cells"] = {labels[group_key(g)]: int(cells.xs(g, level=0).reindex([0, 1], fill_value=0).min()) for g in group_nobs}
    diff.attrs["cells"] = {f"{labels[g]} versus {labels[ref]}": min(eff.attrs["cells"].get(labels[g], 0), eff.attrs["cells"].get(labels[ref], 0))
                           for g in labels if g != ref}
    return eff, diff, res


def subgroup_table(sample: pd.DataFrame, outcome: str, characteristics: Sequence[str] = tuple(CHARACTERISTICS),
                   region_effects: str = "child", cov_type: str = "nonrobust") -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Table 31 (employed) or 32 (professional): stacked group effects of the separate regressions, their
    differences, and each regression's estimation rows ({characteristic: DataFrame}) for ``truth_table``.
    ``attrs['nobs']`` is the largest number of observations of the regressions (the report prints one)."""
    effs, diffs, rows, nobs = [], [], {}, []
    cells, dcells = {}, {}
    for ch in characteristics:
        if ch not in CHARACTERISTICS:
            raise InputError("parameter 'characteristics'", f"unknown characteristic {ch!r}; choose from {', '.join(CHARACTERISTICS)}")
        e, dff, res = subgroup_effects(sample, outcome, ch, region_effects, cov_type)
        effs.append(e)
        diffs.append(dff)
        rows[ch] = res.estimation_data
        nobs.append(int(res.nobs))
        cells.update(e.attrs["cells"])
        dcells.update(dff.attrs["cells"])
    e, dff = pd.concat(effs), pd.concat(diffs)
    e.attrs = {"nobs": max(nobs), "nobs_by_model": nobs, "cells": cells}
    dff.attrs = {"nobs": max(nobs), "nobs_by_model": nobs, "cells": dcells}
    return e, dff, rows


# ----------------------------------------------------------------------------- truth (synthetic data)


def true_effects(rows: pd.DataFrame, model: Mapping, by: str | None = None) -> pd.Series:
    """Average effect of mover (0 -> 1) that the generating probit implies on ``rows``, overall or by group.

    This is the estimand of ``movers.margins.mover_effects`` evaluated with the
    true coefficients, on the same rows, so estimate minus truth is sampling
    error (plus the small misspecification of leaving the other interactions
    out of a separate regression).
    """
    from scipy.stats import norm

    from movers.synth.ons_ls import linear_index

    x = rows.copy()
    i1 = linear_index(x.assign(mover=1), model)
    i0 = linear_index(x.assign(mover=0), model)
    d = pd.Series(norm.cdf(i1) - norm.cdf(i0), index=rows.index)
    if by is None:
        return pd.Series({"All": float(d.mean())})
    return d.groupby(rows[by]).mean()


def truth_table(rows: Mapping[str, pd.DataFrame], model: Mapping) -> tuple[dict, dict]:
    """True group effects {row label: value} and differences {"A versus B": value} on each regression's rows."""
    eff, diff = {}, {}
    for ch, r in rows.items():
        col, labels, ref, _, _ = CHARACTERISTICS[ch]
        t = true_effects(r, model, by=col)
        t.index = [group_key(g) for g in t.index]
        for g, v in t.items():
            eff[labels[g]] = float(v)
        for g in labels:
            if g != ref and g in t.index and ref in t.index:
                diff[f"{labels[g]} versus {labels[ref]}"] = float(t[g] - t[ref])
    return eff, diff


def z_scores(estimates: pd.DataFrame, truth: Mapping[str, float]) -> pd.Series:
    """(estimate - truth) / SE per row: the recovery check (|z| > 3 flags a broken estimator or generator)."""
    t = pd.Series({k: truth.get(k, np.nan) for k in estimates.index}, dtype=float)
    return (estimates["estimate"] - t) / estimates["se"]


# ----------------------------------------------------------------------------- disclosure control


def mark_suppressed(table, rows: Sequence[str], column: str | None = None):
    """Show ``[c]`` (the ONS mark for a confidential cell) in suppressed rows of a rendered table (in
    ``column``, or in every column), so a reader sees a deliberate gap rather than a missing estimate."""
    for row in rows:
        if row in table.frame.index:
            if column is None:
                table.frame.loc[row] = sdc.SUPPRESSED
            else:
                table.frame.loc[row, column] = sdc.SUPPRESSED
    return table


def checking_counts(counts30: pd.DataFrame, cells: Mapping[str, Mapping[str, int]]) -> pd.DataFrame:
    """Every count an output checker needs, in one long table: the people behind each Table 30 share and
    the smaller of movers and stayers in each group of Tables 31-32. It is written to a file for the
    checkers, not shown in the book: the small counts it holds are what suppression hides."""
    recs = [{"table": "30", "row": r, "column": c, "count": int(counts30.loc[r, c])} for r in counts30.index for c in counts30.columns]
    for outcome, per_group in cells.items():
        for row, n in per_group.items():
            recs.append({"table": outcome, "row": row, "column": "smaller of movers and stayers", "count": int(n)})
    out = pd.DataFrame.from_records(recs, columns=["table", "row", "column", "count"])
    out["below_threshold"] = (out["count"] > 0) & (out["count"] < sdc.THRESHOLD)
    return out


# ----------------------------------------------------------------------------- chapter helpers


def load_inputs(source: str, data_path: str = "", dictionary: str = "") -> dict:
    """The extract (and, for synthetic data, its truth) for the chapter.

    ``data_path`` is a synthetic world (its ``ons_ls`` folder is used) or the
    folder of an extract; the LS is not public, so ``source=public`` is refused.
    """
    from movers import paths
    from movers.data.ons_ls import load_extract
    from movers.synth import read_truth

    if source == "public":
        raise InputError("parameter 'source'", "the ONS LS is not public: use source=synthetic, or source=restricted with data_path in the secure lab")
    root = paths.data_dir(source, data_path or None)
    folder = root / "ons_ls" if (root / "ons_ls").is_dir() else root
    extract = load_extract(folder, dictionary or None)
    truth = read_truth(folder) if source == "synthetic" else {}
    return {"extract": extract, "truth": truth, "folder": folder}


def sample_facts(sample: pd.DataFrame, quintiles: pd.DataFrame, quintile: int, child_censuses: Sequence[int]) -> dict:
    """Numbers and words the chapter's prose quotes (glued, never typed)."""
    flow = sample.attrs.get("flow", {})
    names = []
    for c in child_censuses:
        sub = quintiles[(quintiles["census"] == int(c)) & (quintiles["quintile"] == int(quintile))]
        names.append(f"{c}: {', '.join(sub['region_name'] if 'region_name' in sub else sub['region'])}")
    return {
        "n_children": int(flow.get("children", 0)),
        "n_linked": int(flow.get("linked_adults", 0)),
        "n_sample": int(len(sample)),
        "n_stayers": int((sample["mover"] == 0).sum()),
        "n_movers": int((sample["mover"] == 1).sum()),
        "pct_movers": 100.0 * float(sample["mover"].mean()),
        "pct_two_parent_class": 100.0 * float((sample["n_parents_with_class"] >= 2).mean()),
        "pct_no_parent_class": 100.0 * float(sample["parent_class"].isna().mean()),
        "quintile_regions": "; ".join(names),
    }


__all__ = [
    "region_quintiles", "parental_class", "build_sample", "describe", "formula", "fit", "mover_effect_models", "subgroup_effects",
    "subgroup_table", "true_effects", "truth_table", "z_scores", "mark_suppressed",
    "checking_counts", "load_inputs",
    "sample_facts", "CHARACTERISTICS", "OUTCOMES", "PUBLISHED_ROWS", "TABLE30_ROWS",
]
