"""Synthetic BHPS-UKHLS household panel in UK Data Service layout, with known mover effects.

Why: the movers-and-stayers chapter (report Tables 23-28) needs a panel that
the real Special Licence loader reads unchanged, and whose outcomes were
generated from known probit/linear models, so that every estimate in the
chapter can be set beside the value that generated it.

What is simulated:

- families enter the BHPS in 1991 or the UKHLS in 2009, with one or two parents
  (each with an NS-SEC code of current or last job, or none) and children;
  households leave the panel by attrition; BHPS households rejoin the UKHLS at
  its second wave (2010), as in the real harmonised release;
- children live with their parents until a leaving age, then form their own
  households: they stay in the home local authority or move (gravity choice of
  destination); some movers return later (the report counts them as stayers),
  some stayers move in their late twenties or thirties;
- the propensity to move depends on degree, parental class, gender and the
  motivation answers of the youth questionnaire (Table 22), which do not
  affect outcomes: motivation is a selection variable here, not a confounder;
- at every adult interview, employment and higher managerial/professional
  occupation are drawn from probit models and real gross monthly labour income
  from a linear model, each with a mover effect, interactions of mover with
  gender, ethnicity, degree and parental NS-SEC, region and year effects, LA
  unemployment and share of professionals (from the ``nomis`` dataset), the
  distance moved, and a random local-authority shock.

Files are written per wave with the names of ``data/dictionaries/ukhls.yml``
(``bhps/ba_indresp.tab`` ... ``ukhls/k_indresp.tab``, ``ukhls/xwavedat.tab``,
``special_licence/{w}_oslaua_protect.tab``), tab-delimited, missing values as the
UKDS negative codes. ``truth.json`` holds every generating coefficient in the
analysis's variable names (``movers.strands.micro.movers_stayers.true_effects`` turns them into
the average effects the estimators should recover).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

from movers.core.truth import linear_index as shared_index
from movers.data.geography import METRES_PER_MILE, load_geography
from movers.data.nomis import la_indicators
from movers.data.ukhls import file_stem, load_dictionary, wave_variables, waves
from movers.synth import rng_for, write_truth

NAME = "ukhls"
REQUIRES: tuple[str, ...] = ("geography", "nomis")

FAMILIES = 5200  # at scale 1: calibrated so the analysis sample is close to Table 23's 2,842 people
BHPS_SHARE = 0.68  # families entering the BHPS in 1991 (the rest enter the UKHLS in 2009)
ATTRITION = 0.045  # yearly probability that a household (or a split-off adult) leaves the panel
REJOIN_UKHLS = 0.75  # BHPS households that continue into UKHLS wave b
PRICE_YEAR = 2019  # income coefficients are in pounds of this year
RESPONSE = 0.75  # full-interview response of young adults in a wave (intermittent non-response)
MISSING = -9  # UKDS "missing" code
INAPPLICABLE = -8


# Generating models in the analysis's variable names. unemployment_rate and prop_professional are
# given per standard deviation here and converted to per-unit coefficients at generation.
#
# The mover terms are set so that the world's true average effects are NOT the report's: every true
# group effect of Table 27 lies more than two published standard errors from the published one, and
# every effect the report found significant keeps its sign. Movers gain more than the report found
# (about 0.12-0.16 in the probability of employment, 0.17-0.32 in that of a higher managerial
# occupation), and the income gain falls on white British movers and men (about 300 pounds a month
# for women, 1,000 for men, next to nothing for other ethnic groups, where the report has 626), so
# six of Table 24's fifteen differences lie more than two SEs from the report's too. Before, the truth
# was within 0.01-2.4 published SEs of the report (0.01-0.2 for income), so a chapter that printed the
# published column would have passed its recovery check. ``tests/synth/test_micro_truth.py`` holds
# the distances.
MODELS = {
    "employed": {
        "kind": "probit",
        "target_mean": 0.85,
        "la_sd": 0.15,
        "region_sd": 0.08,
        "year_sd": 0.05,
        "coef": {
            "mover": 0.47,
            "mover:male": 0.18,
            "mover:white": 0.10,
            "mover:degree": 0.50,
            "mover:parent_intermediate": -0.08,
            "mover:parent_higher": 0.25,
            "male": 0.25,
            "age": 0.012,
            "white": 0.15,
            "married": 0.15,
            "has_children": -0.25,
            "n_children": -0.08,
            "degree": 0.45,
            "owner": 0.40,
            "intl_migrant": -0.15,
            "parent_intermediate": 0.05,
            "parent_higher": 0.10,
            "distance": 0.0004,
        },
        "per_sd": {"unemployment_rate": -0.10, "prop_professional": 0.05},
    },
    "higher": {
        "kind": "probit",
        "target_mean": 0.42,
        "la_sd": 0.15,
        "region_sd": 0.10,
        "year_sd": 0.05,
        "coef": {
            "mover": 0.85,
            "mover:male": 0.45,
            "mover:white": -0.25,
            "mover:degree": -0.06,
            "mover:parent_intermediate": -0.22,
            "mover:parent_higher": -0.06,
            "male": 0.10,
            "age": 0.015,
            "white": 0.05,
            "married": 0.10,
            "has_children": -0.05,
            "n_children": -0.05,
            "degree": 1.00,
            "owner": 0.30,
            "intl_migrant": 0.0,
            "parent_intermediate": 0.15,
            "parent_higher": 0.40,
            "distance": 0.0006,
        },
        "per_sd": {"unemployment_rate": -0.10, "prop_professional": 0.15},
    },
    "income": {
        "kind": "linear",
        "target_mean": 2100.0,
        "la_sd": 150.0,
        "region_sd": 120.0,
        "year_sd": 40.0,
        "error_sd": 600.0,
        "coef": {
            "mover": -500.0,
            "mover:male": 700.0,
            "mover:white": 765.0,
            "mover:degree": 320.0,
            "mover:parent_intermediate": -80.0,
            "mover:parent_higher": 65.0,
            "male": 550.0,
            "age": 25.0,
            "white": 60.0,
            "married": 120.0,
            "has_children": -200.0,
            "n_children": -60.0,
            "degree": 650.0,
            "owner": 250.0,
            "intl_migrant": -50.0,
            "parent_intermediate": 60.0,
            "parent_higher": 180.0,
            "distance": 0.8,
        },
        "per_sd": {"unemployment_rate": -60.0, "prop_professional": 120.0},
    },
}

# Table 22 answers: base shares (close to Tables 25-26) and shifts of the log-odds of moving
REASON2 = {"p": [0.052, 0.112, 0.211, 0.204, 0.075, 0.160, 0.175, 0.011], "move_shift": [-0.2, -0.1, 0, 0, 0.75, 0.15, -0.55, 0]}
ASPECT2 = {"p": [0.085, 0.243, 0.155, 0.163, 0.094, 0.162, 0.076, 0.022], "move_shift": [-0.1, 0.15, 0, 0, -0.1, 0, 0.1, 0]}
REASON1 = [0.10, 0.30, 0.15, 0.15, 0.03, 0.12, 0.14, 0.01]
ASPECT1 = [0.10, 0.30, 0.08, 0.20, 0.07, 0.15, 0.08, 0.02]
MOVER_MODEL = {
    "Intercept": -0.45,
    "degree": 0.9,
    "parent_higher": 0.35,
    "parent_intermediate": 0.15,
    "male": 0.1,
    "returner_share_degree": 0.3,
    "returner_share_no_degree": 0.15,
    "late_move": 0.12,
    "distance_decay_miles": 60.0,
}

PARENT_CLASS = {"higher": 0.45, "intermediate": 0.23, "routine": 0.32}
CLASS_CODES = {
    "higher": ([1, 2, 3], [0.15, 0.25, 0.60]),
    "intermediate": ([4, 5], [0.6, 0.4]),
    "routine": ([6, 7, 8], [0.3, 0.35, 0.35]),
}
CLASS_RANK = {"higher": 0, "intermediate": 1, "routine": 2}
OTHER_ETHNIC = [2, 4, 5, 9, 10, 11, 14, 15, 17, 97]


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def _waves(dictionary: dict):
    return waves(dictionary)


def _families(rng, las: pd.DataFrame, n: int) -> pd.DataFrame:
    """Family-level draws: entry survey, home LA, parents present, parental classes, ethnicity, tenure."""
    weight = rng.lognormal(0, 0.5, len(las))
    fam = pd.DataFrame({"family": np.arange(n)})
    fam["bhps"] = rng.random(n) < BHPS_SHARE
    fam["home_la"] = rng.choice(las["la_code"].to_numpy(), size=n, p=weight / weight.sum())
    fam["father"] = rng.random(n) < 0.78
    fam["mother"] = ~fam["father"] | (rng.random(n) < 0.95)
    coded = rng.random(n) > 0.10
    top = rng.choice(list(PARENT_CLASS), size=n, p=list(PARENT_CLASS.values()))
    fam["parent_class"] = np.where(coded, top, "none")
    fam["white"] = rng.random(n) < 0.88
    fam["ethnicity"] = np.where(fam["white"], 1, rng.choice(OTHER_ETHNIC, size=n))
    own_p = fam["parent_class"].map({"higher": 0.85, "intermediate": 0.7, "routine": 0.5, "none": 0.3}).to_numpy()
    fam["owner"] = rng.random(n) < own_p
    fam["offset"] = rng.integers(0, 2, n)  # UKHLS waves span two calendar years
    return fam


def _parent_codes(rng, fam: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """NS-SEC 8-class file codes of father and mother (0 = none): one present parent holds the family's top class."""
    n = len(fam)
    codes = np.zeros((n, 2), dtype=int)
    classes = list(CLASS_RANK)
    for i, (cls, fa, mo) in enumerate(zip(fam["parent_class"], fam["father"], fam["mother"])):
        if cls == "none":
            continue
        present = [j for j, here in enumerate((fa, mo)) if here]
        lead = present[rng.integers(len(present))]
        c, p = CLASS_CODES[cls]
        codes[i, lead] = rng.choice(c, p=p)
        for j in present:
            if j != lead and rng.random() > 0.25:
                other = classes[rng.integers(CLASS_RANK[cls], 3)]
                c2, p2 = CLASS_CODES[other]
                codes[i, j] = rng.choice(c2, p=p2)
    return codes[:, 0], codes[:, 1]


def _children(rng, fam: pd.DataFrame) -> pd.DataFrame:
    """Children of each family with their life-course timings (leaving home, moves, marriage, births, house purchase)."""
    k = rng.choice([1, 2, 3], size=len(fam), p=[0.5, 0.35, 0.15])
    rows = []
    for f, bhps, kk in zip(fam["family"], fam["bhps"], k):
        first = rng.integers(1972, 1994) if bhps else rng.integers(1988, 1997)
        b = first
        for _ in range(kk):
            rows.append((f, b))
            b += int(rng.integers(2, 5))
    ch = pd.DataFrame(rows, columns=["family", "birth_year"])
    n = len(ch)
    f = fam.set_index("family").loc[ch["family"]].reset_index()
    ch["male"] = rng.random(n) < 0.49
    hi = (f["parent_class"] == "higher").to_numpy()
    mid = (f["parent_class"] == "intermediate").to_numpy()
    ch["parent_higher"], ch["parent_intermediate"] = hi, mid
    ch["degree"] = rng.random(n) < _logistic(-0.75 + 1.0 * hi + 0.4 * mid - 0.1 * ch["male"])
    ch["leave_age"] = np.where(ch["degree"], 18 + rng.gamma(1.5, 1.0, n), 18 + rng.gamma(2.0, 2.8, n))
    ch["reason1"] = rng.choice(np.arange(1, 9), size=n, p=REASON1)
    ch["reason2"] = rng.choice(np.arange(1, 9), size=n, p=REASON2["p"])
    ch["aspect1"] = rng.choice(np.arange(1, 9), size=n, p=ASPECT1)
    ch["aspect2"] = rng.choice(np.arange(1, 9), size=n, p=ASPECT2["p"])
    m = MOVER_MODEL
    logit = (
        m["Intercept"]
        + m["degree"] * ch["degree"]
        + m["parent_higher"] * hi
        + m["parent_intermediate"] * mid
        + m["male"] * ch["male"]
        + np.take(REASON2["move_shift"], ch["reason2"] - 1)
        + np.take(ASPECT2["move_shift"], ch["aspect2"] - 1)
    )
    ch["moves"] = rng.random(n) < _logistic(logit)
    ret_p = np.where(ch["degree"], m["returner_share_degree"], m["returner_share_no_degree"])
    ch["return_age"] = np.where(ch["moves"] & (rng.random(n) < ret_p), ch["leave_age"] + rng.uniform(3, 6, n), np.inf)
    ch["late_move_age"] = np.where(rng.random(n) < m["late_move"], rng.uniform(26, 38, n), np.inf)
    ch["marriage_age"] = np.where(rng.random(n) < 0.82, 24 + rng.gamma(2.0, 4.0, n), np.inf)
    first_birth = np.where(rng.random(n) < 0.74, 21 + rng.gamma(2.0, 4.6, n), np.inf)
    births = [first_birth]
    for p in (0.75, 0.4, 0.2):
        nxt = births[-1] + rng.uniform(2, 4, n)
        births.append(np.where(rng.random(n) < p, nxt, np.inf))
    for j, b in enumerate(births):
        ch[f"birth{j}"] = b
    ch["own_age"] = np.where(rng.random(n) < 0.85, 21 + rng.gamma(2.0, 2.8, n), np.inf)
    ch["intl_migrant"] = rng.random(n) < np.where(f["white"], 0.018, 0.2)
    ch["birth_month"] = rng.integers(1, 13, n)
    ch["youth_panel"] = rng.random(n) < 0.5  # takes part in the youth questionnaire at all
    return ch


def _destinations(rng, las: pd.DataFrame, origin: np.ndarray, decay: float) -> np.ndarray:
    """Gravity choice of a destination LA (never the origin): weight exp(-distance / decay)."""
    codes = las["la_code"].to_numpy()
    pos = las.set_index("la_code")[["x", "y"]]
    xy = pos.to_numpy()
    idx = pd.Index(codes)
    out = np.empty(len(origin), dtype=object)
    for i, o in enumerate(origin):
        d = np.hypot(*(xy - pos.loc[o].to_numpy()).T) / METRES_PER_MILE
        w = np.exp(-d / decay)
        w[idx.get_loc(o)] = 0
        out[i] = codes[rng.choice(len(codes), p=w / w.sum())]
    return out


def simulate(rng, las: pd.DataFrame, indicators: pd.DataFrame, dictionary: dict, scale: float = 1.0) -> dict:
    """Simulate the panel; returns long tables (people, person_waves, households, youth) and the truth.

    The stages below draw from ``rng`` in a fixed order (a world is reproduced from its seed): families and
    children, panel membership, parents, the generating models, the interviews wave by wave, the children's
    outcomes, the parents' interview variables, then the people file."""
    n_fam = max(60, int(round(FAMILIES * scale)))
    fam = _families(rng, las, n_fam)
    fa_code, mo_code = _parent_codes(rng, fam)
    ch = _children(rng, fam)
    fam_i = fam.set_index("family")
    ch["home_la"] = fam_i.loc[ch["family"], "home_la"].to_numpy()
    ch["white"] = fam_i.loc[ch["family"], "white"].to_numpy()
    ch["dest1"] = np.where(
        ch["moves"], _destinations(rng, las, ch["home_la"].to_numpy(), MOVER_MODEL["distance_decay_miles"]), ch["home_la"]
    )
    ch["late_dest"] = _destinations(rng, las, ch["home_la"].to_numpy(), 2 * MOVER_MODEL["distance_decay_miles"])
    waves = _waves(dictionary)
    ukhls_start = next(w.index for w in waves if w.survey == "ukhls")
    _membership(rng, fam, ch, ukhls_start)
    parents = _parents(rng, fam, fam_i, ch, fa_code, mo_code)
    macro = _macro(indicators)
    models = _generating_models(rng, las, macro["sd"])
    pw, hh, youth = _interviews(rng, waves, ukhls_start, fam, fam_i, ch, parents)
    kids = pw["kind"] == "child"
    cw, x = _child_waves(pw[kids], ch, las, macro)
    _child_outcomes(rng, cw, x, models, dictionary)
    pv = _parent_variables(rng, pw[~kids].copy())
    keep = list(WAVE_COLUMNS)
    allw = pd.concat([pv[keep], cw[keep]], ignore_index=True)
    people = _people(rng, parents, ch, fam_i)
    people = people[people["pidp"].isin(allw["pidp"])].reset_index(drop=True)
    truth = {
        "price_year": PRICE_YEAR,
        "models": {k: {kk: vv for kk, vv in m.items() if kk != "la_shock"} for k, m in models.items()},
        "mover_model": MOVER_MODEL,
        "motivation": {"reason2": REASON2, "aspect2": ASPECT2, "affects_outcomes": False},
        "macro_sd": macro["sd"],
        "families": int(n_fam),
        "children": int(len(ch)),
        "note": "Probit models include a random LA shock with sd la_sd: average effects use coefficients scaled by 1/sqrt(1+la_sd^2).",
    }
    return {"people": people, "person_waves": allw, "households": hh, "youth": youth, "truth": truth}


# the columns of the long person-wave table, parents' and children's rows alike
WAVE_COLUMNS = (
    "kind",
    "wave",
    "pidp",
    "hidp",
    "year",
    "age",
    "father",
    "mother",
    "sex",
    "jbstat",
    "nssec_current",
    "nssec_last",
    "income",
    "marstat",
    "hiqual",
    "n_children",
)


def _membership(rng, fam: pd.DataFrame, ch: pd.DataFrame, ukhls_start: int) -> None:
    """Panel membership (in place): each family's entry and exit wave; children who leave home continue
    on their own (``rejoin``, ``own_life``)."""
    n_fam = len(fam)
    fam["entry"] = np.where(fam["bhps"], 0, ukhls_start)
    life = rng.geometric(ATTRITION, n_fam)
    fam["exit"] = fam["entry"] + life - 1
    bhps_end = ukhls_start - 1
    rejoin = rng.random(n_fam) < REJOIN_UKHLS
    fam.loc[fam["bhps"] & ~rejoin, "exit"] = np.minimum(fam.loc[fam["bhps"] & ~rejoin, "exit"], bhps_end)
    ch["rejoin"] = rng.random(len(ch)) < REJOIN_UKHLS
    ch["own_life"] = rng.geometric(ATTRITION, len(ch))


def _parents(rng, fam: pd.DataFrame, fam_i: pd.DataFrame, ch: pd.DataFrame, fa_code, mo_code) -> pd.DataFrame:
    """The parents present in each family, with ids (children's ids are set on ``ch`` in place), birth
    years a generation before their first child, employment and ethnicity."""
    n_fam = len(fam)
    n_par = 2 * n_fam
    parent_pidp = 68_000_002 + 4 * np.arange(n_par)
    ch["pidp"] = 68_000_003 + 4 * np.arange(len(ch)) + 4 * n_par
    fathers = pd.DataFrame(
        {"pidp": parent_pidp[0::2], "family": fam["family"], "present": fam["father"], "sex": 1, "code": fa_code}
    )
    mothers = pd.DataFrame(
        {"pidp": parent_pidp[1::2], "family": fam["family"], "present": fam["mother"], "sex": 2, "code": mo_code}
    )
    parents = pd.concat([fathers, mothers], ignore_index=True)
    parents = parents[parents["present"]].reset_index(drop=True)
    first_child = ch.groupby("family")["birth_year"].min()
    parents["birth_year"] = (
        first_child.loc[parents["family"]].to_numpy()
        - rng.integers(22, 35, len(parents))
        - np.where(parents["sex"] == 1, rng.integers(0, 4, len(parents)), 0)
    )
    parents["employed"] = (parents["code"] > 0) & (rng.random(len(parents)) < 0.85)
    parents["birth_month"] = rng.integers(1, 13, len(parents))
    parents["ethnicity"] = fam_i.loc[parents["family"], "ethnicity"].to_numpy()
    return parents


def _macro(indicators: pd.DataFrame) -> dict:
    """The LA-by-year macro indicators (clipped to the years NOMIS covers), with their means and SDs."""
    ind = indicators.copy()
    ind["year"] = ind["year"].astype(int)
    names = ("unemployment_rate", "prop_professional")
    return {
        "by_la_year": ind.set_index(["la_code", "year"])[list(names)],
        "years": (int(ind["year"].min()), int(ind["year"].max())),
        "sd": {v: float(ind[v].std()) for v in names},
        "mean": {v: float(ind[v].mean()) for v in names},
    }


def _generating_models(rng, las: pd.DataFrame, sds: dict) -> dict:
    """Each outcome's generating model: coefficients (macro effects per SD), region and year effects and
    an LA shock, drawn once per world."""
    regions = sorted(las["region_code"].unique())
    years = list(range(1991, 2022))
    models = {}
    for name, spec in MODELS.items():
        coef = dict(spec["coef"])
        for v, eff in spec["per_sd"].items():
            coef[v] = eff / sds[v]
        models[name] = {
            "kind": spec["kind"],
            "coef": coef,
            "la_sd": spec["la_sd"],
            "region": dict(zip(regions, rng.normal(0, spec["region_sd"], len(regions)))),
            "year": {
                str(y): (15.0 * (y - 2010) if name == "income" else 0.0) + float(rng.normal(0, spec["year_sd"])) for y in years
            },
            "la_shock": dict(zip(las["la_code"], rng.normal(0, spec["la_sd"], len(las)))),
        }
        if spec["kind"] == "linear":
            models[name]["error_sd"] = spec["error_sd"]
    return models


def _interviews(rng, waves, ukhls_start: int, fam: pd.DataFrame, fam_i: pd.DataFrame, ch: pd.DataFrame, parents: pd.DataFrame):
    """The interviews wave by wave: who is in the panel, in which household and where; returns the
    person-wave rows, the households and the youth-panel answers."""
    bhps_end = ukhls_start - 1
    parent_ids = {(f, sx): p for f, sx, p in zip(parents["family"], parents["sex"], parents["pidp"])}
    rows, hh_rows, youth_rows = [], [], []
    hid_counter = 0
    fam_hid = {}
    for w in waves:
        year_nom = w.year
        # --- family households present this wave
        fam_here = (
            (fam["entry"] <= w.index) & (fam["exit"] >= w.index) & ~((fam["entry"] < ukhls_start) & (w.index == ukhls_start))
        )
        fam_ids = fam.loc[fam_here, "family"].to_numpy()
        fam_hid = {f: 10_000_000 * (w.index + 1) + hid_counter + i for i, f in enumerate(fam_ids)}
        hid_counter += len(fam_ids)
        int_year_fam = {
            f: year_nom + (int(o) if w.survey == "ukhls" else int(rng.random() < 0.15))
            for f, o in zip(fam_ids, fam.loc[fam_here, "offset"])
        }
        for f in fam_ids:
            hh_rows.append((w.prefix, fam_hid[f], int(fam_i.at[f, "owner"]), fam_i.at[f, "home_la"]))
        # --- parents
        par = parents[parents["family"].isin(fam_ids)]
        for p in par.itertuples(index=False):
            yr = int_year_fam[p.family]
            month = int(rng.integers(1, 13))
            rows.append(
                {
                    "wave": w.prefix,
                    "pidp": p.pidp,
                    "hidp": fam_hid[p.family],
                    "year": yr,
                    "age": yr - p.birth_year - (month < p.birth_month),
                    "father": INAPPLICABLE,
                    "mother": INAPPLICABLE,
                    "kind": "parent",
                    "code": p.code,
                    "employed_parent": p.employed,
                    "sex": p.sex,
                }
            )
        # --- children: at home, or on their own
        at_home = (year_nom + 0.5 - ch["birth_year"]) < ch["leave_age"]  # age at mid-year
        fam_present = ch["family"].map(dict(zip(fam["family"], fam_here))).to_numpy()
        fam_exit = ch["family"].map(dict(zip(fam["family"], fam["exit"]))).to_numpy()
        fam_entry = ch["family"].map(dict(zip(fam["family"], fam["entry"]))).to_numpy()
        # wave indices map one-to-one to nominal years 1991..2019
        wave_of_leaving = ch["birth_year"].to_numpy() + ch["leave_age"].to_numpy() - 1991
        left_while_in = wave_of_leaving <= fam_exit
        own_exit = np.floor(wave_of_leaving) + ch["own_life"].to_numpy()
        own_exit = np.where(
            (~ch["rejoin"].to_numpy()) & (np.floor(wave_of_leaving) < ukhls_start), np.minimum(own_exit, bhps_end), own_exit
        )
        born = ch["birth_year"].to_numpy() <= year_nom
        home_here = born & at_home.to_numpy() & fam_present
        # children who were at home when the family entered (no earlier leavers are sampled)
        was_home_at_entry = (ch["birth_year"].to_numpy() + ch["leave_age"].to_numpy()) > (np.where(fam_entry == 0, 1991, 2009))
        away_here = (~at_home.to_numpy()) & left_while_in & was_home_at_entry & (w.index >= fam_entry) & (w.index <= own_exit)
        away_here &= ~((np.floor(wave_of_leaving) < ukhls_start) & (w.index == ukhls_start))
        here = home_here | away_here
        sel = ch[here]
        at = at_home.to_numpy()[here]
        for c, home in zip(sel.itertuples(index=False), at):
            if home:
                hidp = fam_hid[c.family]
                yr = int_year_fam[c.family]
                la = c.home_la
                fa, mo = parent_ids.get((c.family, 1), INAPPLICABLE), parent_ids.get((c.family, 2), INAPPLICABLE)
                owner = int(fam_i.at[c.family, "owner"])
            else:
                hidp = 10_000_000 * (w.index + 1) + hid_counter
                hid_counter += 1
                yr = year_nom + (int(fam_i.at[c.family, "offset"]) if w.survey == "ukhls" else int(rng.random() < 0.15))
                a = yr + 0.5 - c.birth_year
                if a >= c.late_move_age and c.dest1 == c.home_la:
                    la = c.late_dest
                elif c.leave_age <= a < c.return_age:
                    la = c.dest1
                else:
                    la = c.home_la
                fa = mo = INAPPLICABLE
                owner = int(a >= c.own_age)
                hh_rows.append((w.prefix, hidp, owner, la))
            month = int(rng.integers(1, 13))
            rows.append(
                {
                    "wave": w.prefix,
                    "pidp": c.pidp,
                    "hidp": hidp,
                    "year": yr,
                    "age": yr - c.birth_year - (month < c.birth_month),
                    "father": fa,
                    "mother": mo,
                    "kind": "child",
                    "la": la,
                    "owner": owner,
                    "sex": 1 if c.male else 2,
                }
            )
            if w.survey == "bhps" and w.year >= 1994 and 11 <= yr - c.birth_year <= 15 and c.youth_panel and rng.random() < 0.9:
                youth_rows.append((w.prefix, c.pidp, hidp, c.reason1, c.reason2, c.aspect1, c.aspect2))
    pw = pd.DataFrame(rows)
    hh = pd.DataFrame(hh_rows, columns=["wave", "hidp", "owner", "la_code"]).drop_duplicates("hidp")
    youth = pd.DataFrame(youth_rows, columns=["wave", "pidp", "hidp", "reason1", "reason2", "aspect1", "aspect2"])

    return pw, hh, youth


def _child_waves(child_rows: pd.DataFrame, ch: pd.DataFrame, las: pd.DataFrame, macro: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The children's interviews with what the outcome models use: mover status, distance from home,
    family formation, and the macro indicators of the LA and year (means where NOMIS has no figure); and the
    covariates of the generating models for those rows."""
    region_of = dict(zip(las["la_code"], las["region_code"]))
    xy = las.set_index("la_code")[["x", "y"]]
    cw = child_rows.merge(ch.drop(columns=["male", "white", "home_la"]), on="pidp", how="left")
    cw["home_la"] = ch.set_index("pidp").loc[cw["pidp"], "home_la"].to_numpy()
    cw["white"] = ch.set_index("pidp").loc[cw["pidp"], "white"].to_numpy().astype(int)
    cw["male"] = (cw["sex"] == 1).astype(int)
    cw["mover"] = (cw["la"] != cw["home_la"]).astype(int)
    o = xy.loc[cw["home_la"]].to_numpy()
    dd = xy.loc[cw["la"]].to_numpy()
    cw["distance"] = np.hypot(*(o - dd).T) / METRES_PER_MILE
    cw["degree_now"] = (cw["degree"] & (cw["age"] >= 22)).astype(int)
    cw["married"] = (cw["age"] >= cw["marriage_age"]).astype(int)
    nk = np.zeros(len(cw))
    for j in range(4):
        since = cw["age"].to_numpy() - cw[f"birth{j}"].to_numpy()
        nk += (since >= 0) & (since < 16)
    cw["n_children"] = nk.astype(int)
    cw["has_children"] = (cw["n_children"] > 0).astype(int)
    cw["region_code"] = cw["la"].map(region_of)
    yc = cw["year"].clip(*macro["years"])
    mac = macro["by_la_year"].reindex(pd.MultiIndex.from_arrays([cw["la"], yc]))
    for v in ("unemployment_rate", "prop_professional"):
        vals = mac[v].to_numpy()
        cw[v] = np.where(np.isnan(vals), macro["mean"][v], vals)
    return cw, pd.DataFrame(
        {
            "mover": cw["mover"],
            "male": cw["male"],
            "age": cw["age"],
            "white": cw["white"],
            "married": cw["married"],
            "has_children": cw["has_children"],
            "n_children": cw["n_children"],
            "degree": cw["degree_now"],
            "owner": cw["owner"],
            "intl_migrant": cw["intl_migrant"].astype(int),
            "parent_intermediate": cw["parent_intermediate"].astype(int),
            "parent_higher": cw["parent_higher"].astype(int),
            "unemployment_rate": cw["unemployment_rate"],
            "prop_professional": cw["prop_professional"],
            "distance": cw["distance"],
            "region_code": cw["region_code"],
            "year": cw["year"],
        }
    )


def _child_outcomes(rng, cw: pd.DataFrame, x: pd.DataFrame, models: dict, dictionary: dict) -> None:
    """The children's adult outcomes drawn from the generating models (in place on ``cw``; each model's
    intercept is calibrated to its target mean and stored in ``models``), then the interview variables
    that code them: activity, class, income in the survey year's prices, marital status, qualification."""
    adult = (cw["age"] >= 16).to_numpy()
    calib = (cw["age"].between(25, 41) & cw["year"].between(2000, 2019)).to_numpy()
    draws = {}
    for name, m in models.items():
        lin = linear_index(x, {**m, "coef": {**m["coef"], "Intercept": 0.0}})
        shock = cw["la"].map(m["la_shock"]).to_numpy()
        if m["kind"] == "probit":
            s = 1.0 / np.sqrt(1.0 + m["la_sd"] ** 2)
            lo, hi = -10.0, 10.0
            for _ in range(60):  # intercept so the sample mean probability hits the target
                mid = (lo + hi) / 2
                if norm.cdf(s * (lin[calib] + mid)).mean() < MODELS[name]["target_mean"]:
                    lo = mid
                else:
                    hi = mid
            m["coef"]["Intercept"] = (lo + hi) / 2
            draws[name] = (lin + m["coef"]["Intercept"] + shock + rng.normal(size=len(cw))) > 0
        else:
            m["coef"]["Intercept"] = MODELS[name]["target_mean"] - float(lin[calib].mean())
            k = 4.0
            err = (rng.gamma(k, 1.0, len(cw)) - k) / np.sqrt(k) * m["error_sd"]
            draws[name] = np.maximum(lin + m["coef"]["Intercept"] + shock + err, 50.0)
            m["floored_share"] = float(((lin + m["coef"]["Intercept"] + shock + err) < 50)[calib].mean())
    emp = draws["employed"] & adult
    cls_higher = draws["higher"]
    code_hi = rng.choice(CLASS_CODES["higher"][0], size=len(cw), p=CLASS_CODES["higher"][1])
    low_cls = rng.choice([4, 5, 6, 7, 8], size=len(cw), p=[0.3, 0.15, 0.15, 0.2, 0.2])
    code = np.where(cls_higher, code_hi, low_cls)
    has_past = rng.random(len(cw)) < 0.8
    cw["jbstat"] = np.where(
        emp, np.where(rng.random(len(cw)) < 0.12, 1, 2), rng.choice([3, 6, 7, 8], size=len(cw), p=[0.45, 0.3, 0.1, 0.15])
    )
    cw.loc[~adult, "jbstat"] = 7
    cw["nssec_current"] = np.where(emp, code, INAPPLICABLE)
    cw["nssec_last"] = np.where(~emp & adult & has_past, code, INAPPLICABLE)
    cpi = {int(k): float(v) for k, v in dictionary["cpi"].items()}
    deflator = cw["year"].map(lambda y: cpi.get(int(y), cpi[max(cpi)]) / cpi[PRICE_YEAR]).to_numpy()
    cw["income"] = np.where(emp, np.round(draws["income"] * deflator, 2), 0.0)
    cw.loc[emp & (rng.random(len(cw)) < 0.03), "income"] = MISSING
    cw["marstat"] = np.where(
        cw["married"] == 1,
        rng.choice([2, 3], size=len(cw), p=[0.97, 0.03]),
        rng.choice([1, 5, 4], size=len(cw), p=[0.9, 0.06, 0.04]),
    )
    cw["hiqual"] = np.where(
        cw["degree_now"] == 1,
        rng.choice([1, 2], size=len(cw), p=[0.8, 0.2]),
        rng.choice([3, 4, 5, 9], size=len(cw), p=[0.4, 0.35, 0.1, 0.15]),
    )


def _parent_variables(rng, pv: pd.DataFrame) -> pd.DataFrame:
    """The parents' interview variables: activity, class, income, marital status, qualification."""
    pv["jbstat"] = np.where(
        pv["employed_parent"].astype(bool), 2, rng.choice([3, 4, 6, 8], size=len(pv), p=[0.3, 0.2, 0.35, 0.15])
    )
    pv["nssec_current"] = np.where(pv["employed_parent"].astype(bool), pv["code"], INAPPLICABLE)
    pv["nssec_last"] = np.where(~pv["employed_parent"].astype(bool) & (pv["code"] > 0), pv["code"], INAPPLICABLE)
    pv["income"] = np.where(pv["employed_parent"].astype(bool), np.round(rng.gamma(4, 600, len(pv)), 2), 0.0)
    pv["marstat"] = 2
    pv["hiqual"] = rng.choice([1, 3, 4, 9], size=len(pv), p=[0.25, 0.3, 0.3, 0.15])
    pv["n_children"] = 1
    return pv


def _people(rng, parents: pd.DataFrame, ch: pd.DataFrame, fam_i: pd.DataFrame) -> pd.DataFrame:
    """One row per person ever generated: sex, birth year, ethnicity, country of birth."""
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "pidp": parents["pidp"],
                    "sex": parents["sex"],
                    "birth_year": parents["birth_year"],
                    "ethnicity": parents["ethnicity"],
                    "born_uk": np.where(rng.random(len(parents)) < 0.93, 1, 5),
                }
            ),
            pd.DataFrame(
                {
                    "pidp": ch["pidp"],
                    "sex": np.where(ch["male"], 1, 2),
                    "birth_year": ch["birth_year"],
                    "ethnicity": fam_i.loc[ch["family"], "ethnicity"].to_numpy(),
                    "born_uk": np.where(
                        ch["intl_migrant"], 5, rng.choice([1, 2, 3, 4], size=len(ch), p=[0.84, 0.03, 0.12, 0.01])
                    ),
                }
            ),
        ],
        ignore_index=True,
    )


def linear_index(x: pd.DataFrame, model: dict) -> np.ndarray:
    """Index of a generating model for rows ``x``, with region_code effects (``movers.core.truth.linear_index``, the one sum data and truth share)."""
    return shared_index(x, model, "region_code")


def write_files(sim: dict, folder: Path, dictionary: dict, rng: np.random.Generator) -> list[Path]:
    """Write the simulated panel in UKDS tab layout, variable names from the dictionary.

    Item non-response (sex, country of birth, marital status, qualification,
    tenure) and unit non-response of young adults are imposed here, completely
    at random, so the loader and the sample construction meet missing codes.
    Parents always give a full interview, so the parental class the analysis
    derives is the one that generated the outcomes.
    """
    folder = Path(folder)
    written = []
    sub = {"bhps": folder / "bhps", "ukhls": folder / "ukhls", "la": folder / "special_licence"}
    for p in sub.values():
        p.mkdir(parents=True, exist_ok=True)

    def put(df: pd.DataFrame, kind: str, wave, where: Path):
        names = wave_variables(dictionary, kind, wave)
        out = pd.DataFrame({names[k]: df[k].to_numpy() for k in names})
        path = where / f"{file_stem(dictionary, kind, wave)}.tab"
        out.to_csv(path, sep="\t", index=False)
        written.append(path)

    people = sim["people"].copy()
    people.loc[rng.random(len(people)) < 0.015, "sex"] = MISSING
    people.loc[rng.random(len(people)) < 0.033, "born_uk"] = MISSING
    put(people, "xwave", None, sub["ukhls"])
    pw, hh, youth = sim["person_waves"], sim["households"], sim["youth"]
    for w in waves(dictionary):
        where = sub[w.survey]
        rows = pw[pw["wave"] == w.prefix].sort_values(["hidp", "pidp"])
        if rows.empty:
            continue
        put(rows, "indall", w, where)
        resp = rows[(rows["age"] >= 16) & ((rows["kind"] == "parent") | (rng.random(len(rows)) < RESPONSE))].copy()
        for col, share in (("marstat", 0.003), ("hiqual", 0.02)):
            resp.loc[rng.random(len(resp)) < share, col] = MISSING
        put(resp, "indresp", w, where)
        h = hh[hh["wave"] == w.prefix].copy()
        h["tenure"] = np.where(
            h["owner"] == 1, rng.choice([1, 2], size=len(h), p=[0.3, 0.7]), rng.choice([3, 4, 6, 7], size=len(h))
        )
        h.loc[rng.random(len(h)) < 0.018, "tenure"] = MISSING
        put(h, "hhresp", w, where)
        put(h, "la", w, sub["la"])
        y = youth[youth["wave"] == w.prefix]
        if len(y):
            put(y, "youth", w, where)
    return written


def generate(root: Path, seed: int, scale: float) -> None:
    """Write the panel into ``root/ukhls`` (reads ``root/geography`` and ``root/nomis``) and its truth.json."""
    folder = Path(root) / NAME
    folder.mkdir(parents=True, exist_ok=True)
    rng = rng_for(seed, NAME)
    geo = load_geography(Path(root) / "geography")
    indicators = la_indicators(Path(root) / "nomis")
    dictionary = load_dictionary()
    sim = simulate(rng, geo.las, indicators, dictionary, scale)
    write_files(sim, folder, dictionary, rng)
    truth = dict(sim["truth"], seed=int(seed), scale=float(scale))
    write_truth(folder, truth)
