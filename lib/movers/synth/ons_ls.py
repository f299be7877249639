"""Synthetic ONS Longitudinal Study extract (census-linked records 1971-2011), with known mover effects.

Why: the LS chapter (report Tables 30-32) can only be run on the real LS
inside the ONS secure lab. This generator writes an extract in the layout the
secure-lab loader (``movers.data.ons_ls``) reads, so every line of the
chapter runs outside the lab too, and its outcomes come from known probit
models, so each estimate can be set beside the value that generated it.

What is simulated (sizes at ``scale=1`` follow Table 30: about 25,000 stayers
in and 6,900 movers from the most deprived quintile of regions):

- the 9 English government office regions and Wales, with a population, a
  share of professional and technical jobs (social class I and II) and an
  unemployment rate at each census 1971-2011; the shares drift by census so
  the regions in the bottom population-weighted quintile change over time;
- LS members observed as children (10-16) in 1971, 1981 or 1991, with the
  social class of the father and mother living with them (linked non-member
  household records); their records at the next census (aged 20-26) and as
  adults (30-36) twenty years later, when traced (linkage is incomplete);
- distractor members aged 7-9 or 17-19 at the child census, whom the
  chapter's age rules must leave out;
- moving between regions depends on degree, parental class, disability,
  ethnicity and sex (selection on observables), with destinations drawn
  towards large, high-skilled regions; some stayers are away at the middle
  census and back by the adult one (they count as stayers);
- employment and professional/technical occupation as adults from probit
  models with a mover effect and interactions of mover with sex, ethnicity,
  degree and parental class (so the subgroup effects of Tables 31-32 differ),
  region-of-upbringing and year effects, and the adult region's unemployment
  rate and share of professionals. The occupation is recorded for the
  employed and for part of those not in work (last job).

Files (names and codes in ``data/dictionaries/ons_ls.yml``):
``ls_census_records.csv`` (one row per LS member per census),
``ls_household_parents.csv`` (parents of LS members in the same household at a
census) and ``region_census_indicators.csv``; missing values are the negative
codes -9 (not stated) and -8 (not applicable). ``truth.json`` holds the
generating coefficients (``movers.strands.micro.ls_deprived.true_effects`` turns them into the average
effects the estimators should recover).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

from movers.core.truth import linear_index as shared_index
from movers.data.ons_ls import load_dictionary, region_quintiles
from movers.synth import rng_for, write_truth

NAME = "ons_ls"
REQUIRES: tuple[str, ...] = ()

MISSING = -9
INAPPLICABLE = -8
CHILD_CENSUSES = (1971, 1981, 1991)
CENSUSES = (1971, 1981, 1991, 2001, 2011)
GAP = 20  # years between the child and the adult observation
TARGET_Q1 = 24969 + 6859  # Table 30's stayers and movers
LINKED = 0.82  # share of child members traced to the adult census
DISTRACTORS = 0.10  # extra members just outside the child age band

# Regions: ONS code, name, population 2011 (millions), base share of professional and technical jobs
# (relative ordering as in the censuses), unemployment level relative to the national rate.
REGIONS = [
    ("E12000001", "North East", 2.60, -0.045, 1.30),
    ("E12000002", "North West", 7.05, -0.010, 1.10),
    ("E12000003", "Yorkshire and The Humber", 5.28, -0.030, 1.10),
    ("E12000004", "East Midlands", 4.53, -0.022, 0.95),
    ("E12000005", "West Midlands", 5.60, -0.020, 1.15),
    ("E12000006", "East of England", 5.85, 0.015, 0.80),
    ("E12000007", "London", 8.17, 0.060, 1.15),
    ("E12000008", "South East", 8.63, 0.040, 0.75),
    ("E12000009", "South West", 5.29, 0.005, 0.80),
    ("W92000004", "Wales", 3.06, -0.035, 1.10),
]
NATIONAL_PROF = {1971: 0.17, 1981: 0.22, 1991: 0.29, 2001: 0.33, 2011: 0.37}
NATIONAL_UNEMP = {1971: 4.5, 1981: 10.0, 1991: 9.0, 2001: 5.0, 2011: 7.5}
POP_TREND = {1971: 0.88, 1981: 0.89, 1991: 0.91, 2001: 0.94, 2011: 1.0}

# Three groups -> the six-group social class codes of Table 0.3 (1 I professional ... 6 V unskilled) and their shares
SIX_OF_THREE = {"prof": ([1, 2], [0.25, 0.75]), "skilled": ([3, 4], [0.4, 0.6]), "semi": ([5, 6], [0.7, 0.3])}
RANK = {"prof": 0, "skilled": 1, "semi": 2}
FAMILY_CLASS = {"prof": 0.31, "skilled": 0.49, "semi": 0.20}  # the higher parent's class

# Degree by cohort (log-odds intercept per adult census) and parental class; mover propensity.
DEGREE_MODEL = {"intercept": {1991: -2.3, 2001: -1.6, 2011: -1.0}, "parent_prof": 1.1, "parent_semi": -0.5, "male": -0.05}
MOVER_MODEL = {
    "degree": 1.35,
    "parent_prof": 0.55,
    "parent_semi": -0.30,
    "disabled": -0.55,
    "white": 0.20,
    "male": 0.10,
    "born_abroad": 0.15,
    "target_share": 0.215,
}


# Generating probit models in the analysis's variable names (``a:b`` is a product); intercepts are
# calibrated at generation so that the mean outcome hits ``target_mean``.
#
# The mover terms make the world's true subgroup effects differ from the report's Tables 31-32 by more
# than two published standard errors each, away from the report's significant signs: movers from the
# most deprived regions are less often employed than the report found (about -0.04 to -0.11 rather
# than -0.05 to +0.01) and more often in professional or technical jobs (0.15-0.23 rather than
# 0.06-0.14). Before, the truth was within 0.04-1.3 published SEs of every published subgroup effect.
# A degree raises employment more than before (1.0, was 0.35), so that movers, who hold more degrees,
# are still more often employed than stayers, as in Table 30, despite the larger penalty of moving.
# ``tests/synth/test_micro_truth.py`` holds the distances.
MODELS = {
    "employed": {
        "kind": "probit",
        "target_mean": 0.81,
        "region_sd": 0.08,
        "year_sd": 0.06,
        "coef": {
            "mover": -0.29,
            "mover:male": 0.19,
            "mover:white": -0.07,
            "mover:degree": -0.20,
            "mover:parent_prof": -0.07,
            "mover:parent_semi": 0.12,
            "male": 0.35,
            "age": 0.01,
            "white": 0.20,
            "disabled": -0.90,
            "married": 0.25,
            "degree": 1.0,
            "owner": 0.45,
            "born_abroad": -0.15,
            "parent_prof": 0.08,
            "parent_semi": -0.08,
            "unemployment_rate": -0.03,
            "prop_professional": 0.80,
        },
    },
    "professional": {
        "kind": "probit",
        "target_mean": 0.37,
        "region_sd": 0.08,
        "year_sd": 0.06,
        "coef": {
            "mover": 0.50,
            "mover:male": 0.17,
            "mover:white": 0.07,
            "mover:degree": -0.05,
            "mover:parent_prof": -0.09,
            "mover:parent_semi": 0.05,
            "male": 0.05,
            "age": 0.01,
            "white": 0.05,
            "disabled": -0.20,
            "married": 0.15,
            "degree": 1.30,
            "owner": 0.35,
            "born_abroad": 0.0,
            "parent_prof": 0.35,
            "parent_semi": -0.20,
            "unemployment_rate": -0.02,
            "prop_professional": 1.50,
        },
    },
}


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def region_table(rng: np.random.Generator) -> pd.DataFrame:
    """Region x census indicators: population, share of professional/technical jobs, unemployment rate.

    Region shares get a persistent offset plus a census-specific shock, so the
    population-weighted bottom quintile is not the same set of regions in
    every census (the chapter's quintiles are computed per census wave).
    """
    rows = []
    for code, name, pop, prof, unemp in REGIONS:
        for c in CENSUSES:
            share = NATIONAL_PROF[c] * (1 + 2.2 * prof) + rng.normal(0, 0.006)
            u = NATIONAL_UNEMP[c] * unemp * np.exp(rng.normal(0, 0.06))
            rows.append(
                (
                    c,
                    code,
                    name,
                    int(round(pop * POP_TREND[c] * 1e6 * np.exp(rng.normal(0, 0.01)))),
                    round(float(share), 4),
                    round(float(u), 2),
                )
            )
    return pd.DataFrame(rows, columns=["census", "region", "region_name", "population", "prop_professional", "unemployment_rate"])


def _bottom_share(regions: pd.DataFrame, quintile: int = 1) -> dict[int, float]:
    """Population share of the regions in ``quintile`` per child census (to size the cohorts)."""
    q = region_quintiles(regions)
    out = {}
    for c in CHILD_CENSUSES:
        sub = q[q["census"] == c]
        out[c] = float(sub.loc[sub["quintile"] == quintile, "population"].sum() / sub["population"].sum())
    return out


def _parents(rng, n: int, fam_class: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which parents live with the child and their six-group class codes (0 = none recorded).

    One present parent holds the family's (higher) class; the other has the
    same or a lower class, or none (not working, not coded): the analysis
    must take the higher of the two to recover ``fam_class``.
    """
    kind = rng.choice(3, size=n, p=[0.80, 0.15, 0.05])  # both, mother only, father only
    father = kind != 1
    mother = kind != 2
    lead_is_father = np.where(father & mother, rng.random(n) < 0.75, father)
    codes = np.zeros((n, 2), dtype=int)
    classes = list(RANK)
    for cls in classes:
        m = fam_class == cls
        c, p = SIX_OF_THREE[cls]
        codes[m, 0] = np.where(lead_is_father[m], rng.choice(c, size=m.sum(), p=p), 0)
        codes[m, 1] = np.where(~lead_is_father[m], rng.choice(c, size=m.sum(), p=p), 0)
        # the other parent, when present: lower or equal class, or none
        other = rng.integers(RANK[cls], 3, size=m.sum())
        k = int(m.sum())
        oc = np.select(
            [other == j for j in range(3)], [rng.choice(SIX_OF_THREE[cl][0], size=k, p=SIX_OF_THREE[cl][1]) for cl in classes]
        )
        works = rng.random(m.sum()) < 0.55
        fill_f = father[m] & ~lead_is_father[m] & works
        fill_m = mother[m] & lead_is_father[m] & works
        codes[np.flatnonzero(m)[fill_f], 0] = oc[fill_f]
        codes[np.flatnonzero(m)[fill_m], 1] = oc[fill_m]
    none = fam_class == "none"
    codes[none] = 0
    return father, mother, codes[:, 0], codes[:, 1]


def linear_index(x: pd.DataFrame, model: dict) -> np.ndarray:
    """Index of a generating model for rows ``x``, with child_region effects (``movers.core.truth.linear_index``, the one sum data and truth share)."""
    return shared_index(x, model, "child_region")


def simulate(rng: np.random.Generator, scale: float = 1.0) -> dict:
    """Simulate the extract; returns the three tables (records, parents, regions) and the truth."""
    regions = region_table(rng)
    reg_codes = [r[0] for r in REGIONS]
    q1 = _bottom_share(regions)
    people = []
    next_id = 100001
    for c in CHILD_CENSUSES:
        n_core = int(round(TARGET_Q1 / len(CHILD_CENSUSES) / q1[c] / LINKED * scale))
        n = n_core + int(round(n_core * DISTRACTORS))
        pop = regions[regions["census"] == c].set_index("region").loc[reg_codes, "population"].to_numpy(float)
        age = np.where(np.arange(n) < n_core, rng.integers(10, 17, n), rng.choice([7, 8, 9, 17, 18, 19], n))
        people.append(
            pd.DataFrame(
                {
                    "lsnum": next_id + np.arange(n),
                    "child_census": c,
                    "child_age": age,
                    "child_region": rng.choice(reg_codes, size=n, p=pop / pop.sum()),
                }
            )
        )
        next_id += n + 1000
    p = pd.concat(people, ignore_index=True)
    n = len(p)
    p["year"] = p["child_census"] + GAP
    p["age"] = p["child_age"] + GAP
    p["male"] = (rng.random(n) < 0.49).astype(int)
    reg_prof = regions.set_index(["census", "region"])["prop_professional"]
    local = reg_prof.reindex(pd.MultiIndex.from_arrays([p["child_census"], p["child_region"]])).to_numpy()
    rel = local / p["child_census"].map(NATIONAL_PROF).to_numpy()
    # family class: more professional parents in high-skilled regions
    u = rng.random(n)
    p_prof = np.clip(FAMILY_CLASS["prof"] * rel, 0.05, 0.6)
    p_semi = FAMILY_CLASS["semi"] * np.ones(n)
    fam = np.where(u < p_prof, "prof", np.where(u < p_prof + p_semi, "semi", "skilled"))
    fam = np.where(rng.random(n) < 0.012, "none", fam)
    p["family_class"] = fam
    father, mother, fcode, mcode = _parents(rng, n, fam)
    p["father"], p["mother"], p["father_class"], p["mother_class"] = father, mother, fcode, mcode
    p["parent_prof"] = (fam == "prof").astype(int)
    p["parent_semi"] = (fam == "semi").astype(int)
    nonwhite_p = np.where(p["year"] == 1991, 0.035, np.where(p["year"] == 2001, 0.05, 0.07))
    p["white"] = (rng.random(n) >= nonwhite_p).astype(int)
    p["born_abroad"] = (rng.random(n) < np.where(p["white"] == 1, 0.02, 0.35)).astype(int)
    p["ethnic_code"] = np.where(p["white"] == 1, 1, rng.choice([2, 3, 4, 5, 6, 7, 8, 9], size=n))
    dm = DEGREE_MODEL
    p["degree"] = (
        rng.random(n)
        < _logistic(
            p["year"].map(dm["intercept"]).to_numpy()
            + dm["parent_prof"] * p["parent_prof"]
            + dm["parent_semi"] * p["parent_semi"]
            + dm["male"] * p["male"]
        )
    ).astype(int)
    p["disabled"] = (rng.random(n) < 0.07 + 0.03 * p["parent_semi"] - 0.02 * p["degree"]).astype(int)
    mm = MOVER_MODEL
    lin = (
        mm["degree"] * p["degree"]
        + mm["parent_prof"] * p["parent_prof"]
        + mm["parent_semi"] * p["parent_semi"]
        + mm["disabled"] * p["disabled"]
        + mm["white"] * p["white"]
        + mm["male"] * p["male"]
        + mm["born_abroad"] * p["born_abroad"]
    ).to_numpy(float)
    lo, hi = -8.0, 4.0
    for _ in range(50):  # intercept so the share of movers hits the target
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _logistic(lin + mid).mean() < mm["target_share"] else (lo, mid)
    mover_intercept = (lo + hi) / 2
    p["mover"] = (rng.random(n) < _logistic(lin + mover_intercept)).astype(int)
    # destination: other regions, weighted by population x (share of professionals)^2 at the adult census
    dest = p["child_region"].to_numpy().copy()
    for c in CHILD_CENSUSES:
        r = regions[regions["census"] == c + GAP].set_index("region").loc[reg_codes]
        w0 = r["population"].to_numpy(float) * r["prop_professional"].to_numpy(float) ** 2
        for i, code in enumerate(reg_codes):
            m = ((p["child_census"] == c) & (p["child_region"] == code) & (p["mover"] == 1)).to_numpy()
            if m.any():
                w = w0.copy()
                w[i] = 0
                dest[m] = rng.choice(reg_codes, size=int(m.sum()), p=w / w.sum())
    p["adult_region"] = dest
    # middle census: movers already gone (60%) or still at home; some stayers away and back again
    away = rng.random(n)
    mid_region = np.where(p["mover"] == 1, np.where(away < 0.6, dest, p["child_region"]), p["child_region"])
    returners = (p["mover"] == 0).to_numpy() & (away < 0.08)
    mid_region[returners] = rng.choice(reg_codes, size=int(returners.sum()))
    p["mid_region"] = mid_region
    p["linked"] = rng.random(n) < LINKED
    p["linked_mid"] = rng.random(n) < 0.9

    # adult circumstances
    yr = p["year"].to_numpy()
    p["married"] = (rng.random(n) < np.select([yr == 1991, yr == 2001], [0.72, 0.56], 0.48) + 0.04 * p["degree"]).astype(int)
    p["owner"] = (
        rng.random(n)
        < _logistic(
            0.6 + 0.8 * p["married"] + 0.6 * p["degree"] + 0.3 * p["parent_prof"] - 0.5 * p["disabled"] - 0.1 * (yr == 2011)
        )
    ).astype(int)
    macro = regions.set_index(["census", "region"])[["unemployment_rate", "prop_professional"]]
    mac = macro.reindex(pd.MultiIndex.from_arrays([p["year"], p["adult_region"]]))
    p["unemployment_rate"] = mac["unemployment_rate"].to_numpy()
    p["prop_professional"] = mac["prop_professional"].to_numpy()

    models = {k: {**v, "coef": dict(v["coef"])} for k, v in MODELS.items()}
    draws = {}
    core = (p["child_age"].between(10, 16)).to_numpy()
    for name, m in models.items():
        m["region"] = {code: float(rng.normal(0, m["region_sd"])) for code in reg_codes}
        m["year"] = {str(c + GAP): float(rng.normal(0, m["year_sd"])) for c in CHILD_CENSUSES}
        m["coef"]["Intercept"] = 0.0
        idx = linear_index(p, m)
        lo, hi = -10.0, 10.0
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if norm.cdf(idx[core] + mid).mean() < m["target_mean"] else (lo, mid)
        m["coef"]["Intercept"] = (lo + hi) / 2
        draws[name] = (idx + m["coef"]["Intercept"] + rng.normal(size=n)) > 0
    p["employed"] = draws["employed"].astype(int)
    p["professional"] = draws["professional"].astype(int)
    p["has_class"] = (p["employed"] == 1) | (rng.random(n) < 0.68)
    skilled = rng.random(n) < 0.68
    six = np.where(
        p["professional"] == 1,
        rng.choice([1, 2], size=n, p=[0.22, 0.78]),
        np.where(skilled, rng.choice([3, 4], size=n, p=[0.45, 0.55]), rng.choice([5, 6], size=n, p=[0.72, 0.28])),
    )
    p["social_class"] = np.where(p["has_class"], six, INAPPLICABLE)
    truth = {
        "models": models,
        "mover_model": {**MOVER_MODEL, "intercept": float(mover_intercept)},
        "degree_model": DEGREE_MODEL,
        "region_effects": "child region (where the member grew up); macro variables are those of the adult region",
        "linked": LINKED,
        "bottom_quintile_population_share": q1,
        "members": int(n),
        "note": "Probits without random effects: the average effect of mover within a group is the mean over its rows of "
        "Phi(index with mover=1) - Phi(index with mover=0), computed by movers.strands.micro.ls_deprived.true_effects.",
    }
    return {"people": p, "regions": regions, "truth": truth}


def _census_rows(p: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One record per LS member per census at which they were enumerated (child, middle, adult)."""
    n = len(p)
    child = pd.DataFrame(
        {
            "lsnum": p["lsnum"],
            "census": p["child_census"],
            "age": p["child_age"],
            "sex": np.where(p["male"] == 1, 1, 2),
            "region": p["child_region"],
            "ethnic_group": np.where(p["child_census"] >= 1991, p["ethnic_code"], INAPPLICABLE),
            "country_of_birth": np.where(p["born_abroad"] == 1, 2, 1),
            "llti": np.where(p["child_census"] >= 1991, 2, INAPPLICABLE),
            "marital_status": 1,
            "highest_qual": INAPPLICABLE,
            "tenure": rng.choice([1, 2, 4, 5], size=n, p=[0.1, 0.5, 0.3, 0.1]),
            "econ_activity": INAPPLICABLE,
            "social_class": INAPPLICABLE,
        }
    )
    mid = p[p["linked_mid"]]
    middle = pd.DataFrame(
        {
            "lsnum": mid["lsnum"],
            "census": mid["child_census"] + 10,
            "age": mid["child_age"] + 10,
            "sex": np.where(mid["male"] == 1, 1, 2),
            "region": mid["mid_region"],
            "ethnic_group": np.where(mid["child_census"] + 10 >= 1991, mid["ethnic_code"], INAPPLICABLE),
            "country_of_birth": np.where(mid["born_abroad"] == 1, 2, 1),
            "llti": np.where(mid["child_census"] + 10 >= 1991, 2, INAPPLICABLE),
            "marital_status": rng.choice([1, 2], size=len(mid), p=[0.7, 0.3]),
            "highest_qual": rng.choice([1, 2, 3], size=len(mid)),
            "tenure": rng.choice([2, 4, 5], size=len(mid)),
            "econ_activity": rng.choice([1, 3, 4], size=len(mid), p=[0.6, 0.1, 0.3]),
            "social_class": rng.choice([3, 4, 5], size=len(mid)),
        }
    )
    a = p[p["linked"]]
    m = len(a)
    econ = np.where(
        a["employed"] == 1,
        np.where(rng.random(m) < 0.87, 1, 2),
        rng.choice([3, 4, 6, 7, 8], size=m, p=[0.4, 0.05, 0.2, 0.3, 0.05]),
    )
    adult = pd.DataFrame(
        {
            "lsnum": a["lsnum"],
            "census": a["year"],
            "age": a["age"],
            "sex": np.where(a["male"] == 1, 1, 2),
            "region": a["adult_region"],
            "ethnic_group": a["ethnic_code"],
            "country_of_birth": np.where(a["born_abroad"] == 1, 2, 1),
            "llti": np.where(a["disabled"] == 1, 1, 2),
            "marital_status": np.where(
                a["married"] == 1,
                np.where((a["year"] == 2011) & (rng.random(m) < 0.01), 6, rng.choice([2, 3], size=m, p=[0.92, 0.08])),
                rng.choice([1, 4, 5], size=m, p=[0.8, 0.18, 0.02]),
            ),
            "highest_qual": np.where(a["degree"] == 1, 4, rng.choice([0, 1, 2, 3], size=m, p=[0.25, 0.35, 0.25, 0.15])),
            "tenure": np.where(
                a["owner"] == 1,
                rng.choice([1, 2, 3], size=m, p=[0.08, 0.9, 0.02]),
                rng.choice([4, 5, 6], size=m, p=[0.5, 0.45, 0.05]),
            ),
            "econ_activity": econ,
            "social_class": a["social_class"],
        }
    )
    # item non-response on the adult record (census imputation leaves little)
    for col, share in (("llti", 0.003), ("highest_qual", 0.002), ("tenure", 0.002)):
        adult.loc[rng.random(m) < share, col] = MISSING
    rows = pd.concat([child, middle, adult], ignore_index=True).sort_values(["lsnum", "census"]).reset_index(drop=True)
    return rows


def _parent_rows(p: pd.DataFrame) -> pd.DataFrame:
    """Linked records of parents living with the child member at the child census (relation 1 father, 2 mother)."""
    f = p[p["father"]]
    mo = p[p["mother"]]
    out = pd.concat(
        [
            pd.DataFrame(
                {
                    "lsnum": f["lsnum"],
                    "census": f["child_census"],
                    "relation": 1,
                    "social_class": np.where(f["father_class"] > 0, f["father_class"], INAPPLICABLE),
                }
            ),
            pd.DataFrame(
                {
                    "lsnum": mo["lsnum"],
                    "census": mo["child_census"],
                    "relation": 2,
                    "social_class": np.where(mo["mother_class"] > 0, mo["mother_class"], INAPPLICABLE),
                }
            ),
        ],
        ignore_index=True,
    )
    return out.sort_values(["lsnum", "relation"]).reset_index(drop=True)


def write_files(sim: dict, folder: Path, dictionary: dict, rng: np.random.Generator) -> list[Path]:
    """Write the extract with the file and variable names of the dictionary (CSV, negative missing codes)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "records": _census_rows(sim["people"], rng),
        "parents": _parent_rows(sim["people"]),
        "regions": sim["regions"].drop(columns=["region_name"]),
    }
    written = []
    for kind, df in tables.items():
        spec = dictionary["files"][kind]
        out = pd.DataFrame({str(var): df[name].to_numpy() for name, var in spec["variables"].items()})
        path = folder / spec["name"]
        out.to_csv(path, index=False)
        written.append(path)
    return written


def generate(root: Path, seed: int, scale: float) -> None:
    """Write the extract into ``root/ons_ls`` and its truth.json."""
    folder = Path(root) / NAME
    folder.mkdir(parents=True, exist_ok=True)
    rng = rng_for(seed, NAME)
    sim = simulate(rng, scale)
    write_files(sim, folder, load_dictionary(), rng)
    write_truth(folder, dict(sim["truth"], seed=int(seed), scale=float(scale)))
