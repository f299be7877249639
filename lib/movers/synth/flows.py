"""Synthetic internal migration between local authorities, 2011-2018, in the ONS file layouts.

The generating model, stated in ``truth.json``::

    Moves_ij,t ~ NB2(mu_ij,t, alpha),
    log mu_ij,t = log Pop_i,t + const + year_t + Wales_i + Wales_j
                  + b_border * border_ij + b_dist * log(miles_ij)
                  + demographic controls of i at t-1 (log young share, dependency ratio, non-UK-born share, TFR)
                  + push/pull of i and j at t-1 (unemployment %, log real GVA per head, log mean house price)
                  + sending-type effects of i and receiving-type effects of j, for each
                    of the three typologies (SMI spot, ONS supergroup, IMD quintile)

The control coefficients are near the report's Model 4 estimates of Table 2
but deliberately not equal to them, so a table's Published and True columns
are different numbers. Every typology has non-zero sending and receiving
effects (0 for the report's reference level), distinct across levels and
between the two sides, so a swapped label or a wrong reference category shows
up in a recovery test. The three typologies act additively: a model with one
typology's dummies (as each report table has) omits the other two and the
other side, so its coefficients target a projection of this model; the
generating values are recovered by the full model, with the sending and
receiving dummies of all three typologies (``tests/synth/test_flows_truth.py``).

The constant is set so about 2.85 million people a year move between
authorities (scale 1), and alpha so that the share of ordered pairs with at
least one move is the one of the real 2011 Census matrix (``CALIBRATION``): 82.4%
of the 119,370 ordered pairs of the 346 census units of England and Wales, every
pair of London boroughs. The world used to read the report's observation counts
(Table 7: 560,504 of 966,048 pair-years, 58%) as its non-zero pairs, which needed
alpha = 3.6 and left 41% of pairs empty; the census contradicts that, so the
report's N are not the pairs with a flow (``movers.strands.flows.models.observation_counts``).
With alpha near 1.1, the census's Model 4 fitted to the world's 2011 matrix (the
chapter ``flows_public``'s fit) has a dispersion close to the real matrix's: 1.14
against 1.20, with 83.3% of pairs non-zero against 82.4% (seed 2020, scale 1;
``python tools/synthetic_calibration.py flows``; the real figures are in
``CALIBRATION``). A consequence the real data share: NB2 fits of the rate per
1,000 residents (``exposure=rate``) can reach the Poisson limit and fail to converge.

Files (``root/flows``):

* ``Detailed_Estimates_YYYY_Dataset_1.csv`` and ``..._Dataset_2.csv``: ONS internal
  migration detailed estimates layout ``OutLA, InLA, Age, Sex, Moves`` (Sex M/F,
  Age 0-90), only non-zero rows, each year in two parts as ONS publishes it. Each pair-year total is split by sex and single year of age
  with a Rogers-Castro model migration schedule (a bigger student peak for moves
  into Business, Education and Heritage Centres);
* ``census2011_migration_nssec_la.csv`` and ``census2011_migration_ethnicity_la.csv``:
  2011 Census origin-destination counts by NS-SEC (three classes, never
  worked/long-term unemployed, full-time students) and by ethnic group
  (White / Other than White), in a NOMIS bulk-download layout.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from movers.data import nomis
from movers.data.geography import load_geography
from movers.synth import rng_for, write_truth

NAME = "flows"
REQUIRES: tuple[str, ...] = ("geography", "nomis")

YEARS = list(range(2011, 2019))
MOVES_PER_YEAR = 2_850_000
# Measured on the real 2011 Census matrix (nismod/simim's copy of Nomis MM01CUK_ALL, read by
# movers.strands.flows.public.census_inputs on the 346 census units) with movers.strands.flows.public.matrix_profile: the share of
# ordered pairs of distinct authorities with at least one move (all, England, London boroughs) and the
# NB2 dispersion of the census Model 4 sending fit (supergroups, zeros included). The world's alpha is
# set so its pairs have the census's non-zero share.
CALIBRATION = {
    "source": "2011 Census LA-to-LA matrix (Nomis MM01CUK_ALL), 346 census units of England and Wales",
    "nonzero_share": 0.8237,
    "nonzero_share_england": 0.8343,
    "nonzero_share_london": 1.0,
    "alpha_model4_full_matrix": 1.204,
}
NONZERO_SHARE = CALIBRATION["nonzero_share"]

# True control coefficients: near the report's Table 2 Model 4 estimates (border 1.984, distance -0.945,
# young 2.002, dependency 2.343, non-UK born 0.277, TFR 0.173, unemployment -0.073 / 0.159, GVA -0.067 / 0.376,
# house prices 0.386 / -0.109) but not equal to them.
COEFFICIENTS = {
    "border": 1.75,
    "log_distance": -1.05,
    "log_young": 1.60,
    "dependency": 1.90,
    "non_uk_born": 0.55,
    "tfr": 0.30,
    "unemp_o": -0.05,
    "unemp_d": 0.12,
    "log_gva_o": -0.12,
    "log_gva_d": 0.30,
    "log_house_o": 0.30,
    "log_house_d": -0.15,
}
# True area-type effects on log moves, by typology, side and level (the reference level, first in
# movers.data.nomis.typology_levels, is 0 and left out).
TYPE_EFFECTS = {
    "smi": {
        "sending": {"Medium spot": 0.10, "Cold spot": 0.22},
        "receiving": {"Medium spot": -0.08, "Cold spot": -0.18},
    },
    "supergroup": {
        "sending": {
            "Business, Education and Heritage Centres": 0.30,
            "Countryside Living": -0.20,
            "Ethnically Diverse Metropolitan Living": 0.10,
            "London Cosmopolitan": 0.40,
            "Services and Industrial Legacy": -0.10,
            "Town and Country Living": -0.05,
            "Urban Settlements": 0.15,
        },
        "receiving": {
            "Business, Education and Heritage Centres": 0.35,
            "Countryside Living": -0.15,
            "Ethnically Diverse Metropolitan Living": -0.05,
            "London Cosmopolitan": 0.20,
            "Services and Industrial Legacy": -0.25,
            "Town and Country Living": 0.08,
            "Urban Settlements": -0.10,
        },
    },
    "imd": {
        "sending": {"2nd quintile": -0.05, "3rd quintile": -0.10, "4th quintile": -0.15, "Low deprivation": -0.20},
        "receiving": {"2nd quintile": 0.06, "3rd quintile": 0.12, "4th quintile": 0.18, "Low deprivation": 0.25},
    },
}
YEAR_EFFECTS = {2011: 0.0, 2012: -0.03, 2013: -0.02, 2014: 0.01, 2015: 0.03, 2016: 0.04, 2017: 0.02, 2018: 0.0}
WALES = {"wales_o": -0.10, "wales_d": -0.20}

NSSEC = [
    "NS-SEC: Managerial, administrative and professional occupations (1-2)",
    "NS-SEC: Intermediate occupations (3-4)",
    "NS-SEC: Routine and manual occupations (5-7)",
    "NS-SEC: Never worked and long-term unemployed (8)",
    "NS-SEC: Full-time students",
]
ETHNIC = ["Ethnic group: White", "Ethnic group: Other than White"]
ORIGIN_COL = "Area of usual residence one year ago code"
DEST_COL = "Area of usual residence code"


def rogers_castro(ages: np.ndarray, peak: float = 21.0, labour: float = 0.09, student: float = 0.0) -> np.ndarray:
    """Model migration schedule: childhood, labour-force and retirement components (+ a student spike at 18-19).

    Why a parametric schedule: it gives the familiar age profile of migration
    (dip at the teens, peak in the early twenties, slow decline) with few numbers.
    """
    a = ages.astype(float)
    child = 0.02 * np.exp(-0.10 * a)
    work = labour * np.exp(-0.10 * (a - peak) - np.exp(-0.40 * (a - peak)))
    retire = 0.002 * np.exp(-0.5 * ((a - 67) / 4) ** 2)
    spike = student * ((a == 18) | (a == 19))
    s = child + work + retire + spike + 0.001
    return s / s.sum()


def _schedules(student: float) -> np.ndarray:
    """Joint sex x age distribution (182 cells: males 0-90 then females 0-90)."""
    ages = np.arange(91)
    m = rogers_castro(ages, peak=22.5, student=student)
    f = rogers_castro(ages, peak=20.5, student=student)
    return np.concatenate([0.49 * m, 0.51 * f])


def _inputs(root: Path):
    """Read the geography and covariates through the real-format loaders (so the world is what the loaders see)."""

    geo = load_geography(Path(root) / "geography")
    codes = geo.las["la_code"].to_numpy()
    cov = nomis.covariates(Path(root) / "nomis", known=set(codes))
    cl = nomis.classifications(Path(root) / "nomis", known=set(codes))
    return geo, codes, cov, cl


def type_effects(codes, cl: pd.DataFrame | None, side: str) -> np.ndarray:
    """Sum over the typologies of each authority's true ``side`` ("sending"/"receiving") effect; an authority
    outside a typology (Wales for SMI and IMD) gets 0 from it."""
    out = np.zeros(len(codes))
    if cl is None:
        return out
    t = cl.set_index("la_code").reindex(codes)
    for typology, eff in TYPE_EFFECTS.items():
        out += t[typology].map(eff[side]).fillna(0.0).to_numpy(dtype=float)
    return out


def linear_predictor(geo, codes, cov, years=YEARS, cl: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every ordered pair x year with log mu under the true model (without the constant); ``cl`` (the
    classifications) adds the area-type effects."""
    pairs = geo.pairs()
    idx = {c: i for i, c in enumerate(codes)}
    oi = pairs["origin"].map(idx).to_numpy()
    di = pairs["destination"].map(idx).to_numpy()
    wales = np.array([c.startswith("W") for c in codes], dtype=float)
    c = cov.set_index(["la_code", "year"])
    te_o, te_d = type_effects(codes, cl, "sending"), type_effects(codes, cl, "receiving")
    frames = []
    for year in years:
        lag = c.xs(year - 1, level="year").reindex(codes)
        now = c.xs(year, level="year").reindex(codes)
        if lag.isna().any().any() or now["population"].isna().any():
            raise ValueError(f"covariates incomplete for {year - 1}/{year}")
        v = {
            "log_young": np.log(lag["young_share"].to_numpy()),
            "dependency": lag["dependency_ratio"].to_numpy(),
            "non_uk_born": lag["non_uk_born"].to_numpy(),
            "tfr": lag["tfr"].to_numpy(),
            "unemp": lag["unemployment_rate"].to_numpy(),
            "log_gva": np.log(lag["gva_per_head"].to_numpy()),
            "log_house": np.log(lag["house_price"].to_numpy()),
        }
        eta = (
            np.log(now["population"].to_numpy())[oi]
            + YEAR_EFFECTS[year]
            + WALES["wales_o"] * wales[oi]
            + WALES["wales_d"] * wales[di]
            + COEFFICIENTS["border"] * pairs["border"].to_numpy()
            + COEFFICIENTS["log_distance"] * np.log(pairs["distance_miles"].to_numpy())
            + te_o[oi]
            + te_d[di]
        )
        for k in ("log_young", "dependency", "non_uk_born", "tfr"):
            eta = eta + COEFFICIENTS[k] * v[k][oi]
        for k in ("unemp", "log_gva", "log_house"):
            eta = eta + COEFFICIENTS[f"{k}_o"] * v[k][oi] + COEFFICIENTS[f"{k}_d"] * v[k][di]
        frames.append(pd.DataFrame({"oi": oi, "di": di, "year": year, "eta": eta}))
    return pd.concat(frames, ignore_index=True)


def calibrate(eta: np.ndarray, n_years: int, scale: float) -> tuple[float, float]:
    """Constant and alpha giving MOVES_PER_YEAR x scale moves and NONZERO_SHARE non-zero pair-years at scale 1."""
    const = np.log(MOVES_PER_YEAR * scale * n_years) - np.log(np.exp(eta).sum())
    mu1 = np.exp(eta + const) / scale  # the scale-1 means: alpha does not change with scale
    lo, hi = 1e-3, 50.0
    for _ in range(60):
        a = np.sqrt(lo * hi)
        p_nonzero = 1 - np.exp(-np.log1p(a * mu1) / a)
        if p_nonzero.mean() > NONZERO_SHARE:
            lo = a
        else:
            hi = a
    return float(const), float(np.sqrt(lo * hi))


def _census_groups(totals, codes, cov, cl, rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    """2011 Census-style counts by NS-SEC and ethnicity for the 2011 pair totals (aged 16+ for NS-SEC)."""
    c = cov[cov["year"] == 2011].set_index("la_code").reindex(codes)
    prof = c["prop_professional"].to_numpy()
    foreign = c["non_uk_born"].to_numpy()
    beh = (cl.set_index("la_code").reindex(codes)["supergroup"] == "Business, Education and Heritage Centres").to_numpy()
    o, d, n = totals["oi"].to_numpy(), totals["di"].to_numpy(), totals["moves"].to_numpy()
    adults = rng.binomial(n, 0.82)
    # class shares: professionals follow the two ends' shares; students head for university towns
    p_prof = (0.3 * prof[o] + 0.7 * prof[d]) * 0.95  # professionals go where professional jobs are
    p_student = 0.12 + 0.18 * beh[d]
    p_unemp = np.full(len(n), 0.06)
    p_inter = np.full(len(n), 0.20)
    p_rout = np.clip(1 - p_prof - p_student - p_unemp - p_inter, 0.05, None)
    p = np.column_stack([p_prof, p_inter, p_rout, p_unemp, p_student])
    p = p / p.sum(axis=1, keepdims=True)
    counts = _multinomial_rows(rng, adults, p)
    nssec = pd.DataFrame({ORIGIN_COL: codes[o], DEST_COL: codes[d], "NS-SEC: All categories": adults})
    for j, name in enumerate(NSSEC):
        nssec[name] = counts[:, j]
    p_nw = np.clip(0.3 * foreign[o] + 0.6 * foreign[d] + 0.03, 0.02, 0.9)
    nonwhite = rng.binomial(n, p_nw)
    eth = pd.DataFrame(
        {
            ORIGIN_COL: codes[o],
            DEST_COL: codes[d],
            "Ethnic group: All categories": n,
            ETHNIC[0]: n - nonwhite,
            ETHNIC[1]: nonwhite,
        }
    )
    return nssec[nssec["NS-SEC: All categories"] > 0], eth[eth["Ethnic group: All categories"] > 0]


def _multinomial_rows(rng, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Multinomial draws with a different probability vector per row (sequential binomials)."""
    out = np.zeros(p.shape, dtype=np.int64)
    left = n.astype(np.int64).copy()
    rest = np.ones(len(n))
    for j in range(p.shape[1] - 1):
        q = np.clip(p[:, j] / np.maximum(rest, 1e-12), 0, 1)
        out[:, j] = rng.binomial(left, q)
        left -= out[:, j]
        rest -= p[:, j]
    out[:, -1] = left
    return out


def write_detailed_parts(det: pd.DataFrame, folder: Path, year: int) -> list[int]:
    """Write one year's detailed estimates as ONS does, in two parts with the same header
    (``Detailed_Estimates_YYYY_Dataset_1.csv`` and ``_2.csv``), split between two origins near half the rows
    (``det`` is sorted by origin). Returns the rows of each part."""
    origins = det["OutLA"].to_numpy()
    half = len(det) // 2
    cut = (
        half + int(np.argmax(origins[half:] != origins[half - 1]))
        if 0 < half < len(det) and (origins[half:] != origins[half - 1]).any()
        else half
    )
    rows = []
    for part, chunk in ((1, det.iloc[:cut]), (2, det.iloc[cut:])):
        chunk.to_csv(folder / f"Detailed_Estimates_{year}_Dataset_{part}.csv", index=False)
        rows.append(len(chunk))
    return rows


def generate(root: Path, seed: int, scale: float) -> None:
    """Draw pair-year totals from the NB2 gravity model, split them by sex and age, write the ONS and census files."""
    rng = rng_for(seed, NAME)
    folder = Path(root) / NAME
    folder.mkdir(parents=True, exist_ok=True)
    geo, codes, cov, cl = _inputs(root)
    lp = linear_predictor(geo, codes, cov, cl=cl)
    const, alpha = calibrate(lp["eta"].to_numpy(), len(YEARS), scale)
    mu = np.exp(lp["eta"].to_numpy() + const)
    # NB2 as a gamma-Poisson mixture: mean mu, variance mu + alpha mu^2
    lam = rng.gamma(1 / alpha, alpha * mu)
    lp["moves"] = rng.poisson(lam)

    beh = (cl.set_index("la_code").reindex(codes)["supergroup"] == "Business, Education and Heritage Centres").to_numpy()
    cells = {False: _schedules(0.010), True: _schedules(0.045)}
    sexes = np.array(["M"] * 91 + ["F"] * 91)
    ages = np.tile(np.arange(91), 2)
    counts = {}
    for year in YEARS:
        t = lp[(lp["year"] == year) & (lp["moves"] > 0)]
        parts = []
        for student in (False, True):
            s = t[beh[t["di"].to_numpy()] == student]
            pair = np.repeat(np.arange(len(s)), s["moves"].to_numpy())
            cell = rng.choice(182, size=len(pair), p=cells[student])
            key, n = np.unique(pair * 182 + cell, return_counts=True)
            pi, ci = key // 182, key % 182
            parts.append(
                pd.DataFrame(
                    {
                        "OutLA": codes[s["oi"].to_numpy()[pi]],
                        "InLA": codes[s["di"].to_numpy()[pi]],
                        "Age": ages[ci],
                        "Sex": sexes[ci],
                        "Moves": n,
                    }
                )
            )
        det = pd.concat(parts, ignore_index=True).sort_values(["OutLA", "InLA", "Sex", "Age"], ignore_index=True)
        write_detailed_parts(det, folder, year)
        counts[year] = {"detailed_rows": len(det), "nonzero_pairs": int(len(t)), "moves": int(t["moves"].sum())}

    nssec, eth = _census_groups(lp[(lp["year"] == 2011) & (lp["moves"] > 0)], codes, cov, cl, rng)
    nssec.to_csv(folder / "census2011_migration_nssec_la.csv", index=False)
    eth.to_csv(folder / "census2011_migration_ethnicity_la.csv", index=False)

    eng = np.array([c.startswith("E") for c in codes])
    nz = lp["moves"] > 0
    write_truth(
        folder,
        {
            "seed": seed,
            "scale": scale,
            "model": "Moves_ij,t ~ NB2(mu, alpha); log mu = log Pop_i,t (offset) + const + year_t + Wales_i + Wales_j + "
            "border + log distance (miles) + controls of i and j lagged one year + sending-type effects of i and "
            "receiving-type effects of j for each of the three typologies (additive; reference levels 0)",
            "coefficients": COEFFICIENTS,
            "type_effects": TYPE_EFFECTS,
            "year_effects": YEAR_EFFECTS,
            "country_effects": WALES,
            "const": const,
            "alpha": alpha,
            "const_note": "the constant and year effects are those of the offset model over England and Wales (2011 = 0)",
            "counts": counts,
            "nonzero_pair_years_ew_2011_2018": int(nz.sum()),
            "nonzero_pair_years_england_2017_2018": int(
                (nz & eng[lp["oi"]] & eng[lp["di"]] & lp["year"].isin([2017, 2018])).sum()
            ),
            "calibration": CALIBRATION,
            "age_schedule": "Rogers-Castro, peak 22.5 (men) / 20.5 (women); student spike at 18-19 (4.5% into BEH centres, 1% elsewhere)",
        },
    )
