"""Synthetic local-authority covariates and area classifications, in NOMIS / ONS file layouts.

What the flows chapters (Table 1 controls, Table 6) and the BHPS-UKHLS chapter
(LA unemployment and share of professionals) read about each authority:

* ``MYEB1_detailed_population_estimates_series_UK_(2001_to_2019).csv`` - ONS
  mid-year estimates "MYEB1" layout: one row per LA x sex (1 male, 2 female) x
  single year of age (0-90, 90 = 90+), columns ``population_YYYY``;
* NOMIS API-style long CSVs (``DATE, DATE_NAME, GEOGRAPHY_CODE, GEOGRAPHY_NAME,
  VARIABLE_NAME, MEASURES_NAME, OBS_VALUE``) from the Annual Population Survey:
  ``nomis_aps_unemployment.csv``, ``nomis_aps_occupation.csv`` (SOC2010 major
  groups 1 and 2, per cent of those in employment), ``nomis_aps_country_of_birth.csv``;
* ONS-style wide tables (one column per year): ``gva_per_head_chained_2016_prices.csv``
  (real GVA per head), ``hpssa_mean_price_paid.csv`` (mean house price, year
  ending December), ``tfr_local_authority.csv`` (total fertility rate);
* classifications: ``social_mobility_index_2017.csv`` (England: overall score
  and rank, hot/cold spots are quintiles of the rank, derived by the loader),
  ``la_area_classification_2011.csv`` (ONS 2011 supergroups, 8, names as in the
  report), ``imd2010_la_summary.csv`` (England: average score and its rank).

How the world is built. Each authority gets three latent traits from its
region and kind of district (London borough, metropolitan, unitary, shire,
Welsh): affluence, urbanity and diversity. Supergroups are assigned from these
traits with fixed quotas near the real counts (Affluent England, Ethnically
Diverse Metropolitan Living and London Cosmopolitan only in England). Covariates
are drawn around the report's Table 6 means of the authority's supergroup and
shifted by the traits, so typologies correlate with covariates as in reality
(cold spots and deprived authorities are poorer, have cheaper houses and more
unemployment). Table 6 prints a GVA per head of 726,621 for London
Cosmopolitan, which is impossible (ten times any other group); the generator
uses 72,662 (the figure read as a stray digit) and records that in truth.json.

``scale`` multiplies the population (so flows, whose offset is the population,
shrink with it); rates, shares and prices do not depend on ``scale``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from movers.data.geography import read_region_lookup
from movers.data.nomis import (  # the loader's file names: generator and loader share one layout
    BIRTH_FILE,
    GVA_FILE,
    HOUSE_FILE,
    IMD_FILE,
    OAC_FILE,
    OCCUPATION_FILE,
    POPULATION_FILE,
    SMI_FILE,
    SUPERGROUPS,
    TFR_FILE,
    UNEMPLOYMENT_FILE,
)
from movers.synth import rng_for, write_truth

NAME = "nomis"
REQUIRES: tuple[str, ...] = ("geography",)

YEARS = list(range(2000, 2020))
POP_YEARS = list(range(2001, 2020))
AGES = np.arange(91)

UNEMPLOYMENT_VARIABLE = "Unemployment rate - aged 16-64"
SOC_VARIABLES = {
    1: "% all in employment who are - 1: managers, directors and senior officials (SOC2010)",
    2: "% all in employment who are - 2: professional occupations (SOC2010)",
}
NON_UK_VARIABLE = "% of population born outside the UK"


# Table 6 of the report (2011-2018 means by supergroup): unemployment %, house price £,
# GVA per head £, young (15-29) share, TFR, dependency ratio (65+ / 18-64), non-UK-born share.
# London Cosmopolitan's GVA is 72,662, not the published 726,621 (see module docstring).
TABLE6 = {
    "Affluent England": (3.8, 393_299, 28_728, 0.17, 1.9, 0.33, 0.10),
    "Business, Education and Heritage Centres": (6.3, 238_853, 27_843, 0.27, 1.6, 0.22, 0.17),
    "Countryside Living": (4.6, 232_504, 19_046, 0.15, 1.8, 0.40, 0.06),
    "Ethnically Diverse Metropolitan Living": (7.6, 351_499, 24_689, 0.22, 2.0, 0.20, 0.36),
    "London Cosmopolitan": (7.3, 797_203, 72_662, 0.24, 1.4, 0.14, 0.42),
    "Services and Industrial Legacy": (7.2, 142_079, 18_145, 0.18, 1.8, 0.31, 0.04),
    "Town and Country Living": (4.6, 217_633, 21_272, 0.17, 1.8, 0.34, 0.07),
    "Urban Settlements": (6.6, 190_380, 23_293, 0.19, 2.0, 0.29, 0.09),
}
PUBLISHED_LC_GVA = 726_621
TABLE6_COLUMNS = ["unemployment_rate", "house_price", "gva_per_head", "young_share", "tfr", "dependency_ratio", "non_uk_born"]

# Supergroup quotas: London (33) splits into Cosmopolitan and Ethnically Diverse; the rest near the real counts.
LONDON_COSMOPOLITAN = 15
QUOTAS = [
    ("Ethnically Diverse Metropolitan Living", 4),
    ("Business, Education and Heritage Centres", 22),
    ("Affluent England", 52),
    ("Services and Industrial Legacy", 38),
    ("Urban Settlements", 60),
    ("Countryside Living", 66),
]  # the rest: Town and Country Living

# Region effects on affluence (London and the South East high, the North and Wales low).
REGION_AFFLUENCE = {
    "E12000001": -0.8,
    "E12000002": -0.5,
    "E12000003": -0.5,
    "E12000004": -0.2,
    "E12000005": -0.3,
    "E12000006": 0.4,
    "E12000007": 0.9,
    "E12000008": 0.7,
    "E12000009": 0.2,
    "W92000004": -0.6,
}
KIND_URBANITY = {"E09": 2.0, "E08": 1.2, "E06": 0.8, "E07": -0.4, "W06": -0.3}

# Year paths 2000-2019, relative to their 2011-2018 mean: unemployment follows the cycle,
# house prices rise, real GVA per head grows slowly, the foreign-born share rises.
_UNEMP_CYCLE = np.array([5.4, 5.1, 5.2, 5.0, 4.8, 4.8, 5.4, 5.3, 5.7, 7.6, 7.9, 8.1, 8.0, 7.6, 6.2, 5.4, 4.9, 4.4, 4.1, 3.9])
_HOUSE_PATH = np.array(
    [0.38, 0.43, 0.50, 0.58, 0.66, 0.70, 0.74, 0.80, 0.80, 0.74, 0.79, 0.79, 0.80, 0.84, 0.90, 0.96, 1.02, 1.06, 1.08, 1.09]
)
_GVA_PATH = np.array(
    [0.90, 0.92, 0.93, 0.95, 0.97, 0.98, 1.00, 1.01, 0.99, 0.95, 0.96, 0.96, 0.97, 0.98, 1.00, 1.01, 1.02, 1.03, 1.04, 1.05]
)
_FOREIGN_PATH = np.array(
    [0.62, 0.64, 0.66, 0.69, 0.72, 0.76, 0.80, 0.84, 0.87, 0.89, 0.91, 0.93, 0.95, 0.98, 1.00, 1.02, 1.04, 1.06, 1.07, 1.08]
)
_TFR_PATH = np.array(
    [0.92, 0.92, 0.94, 0.97, 0.99, 1.00, 1.02, 1.04, 1.06, 1.06, 1.07, 1.06, 1.06, 1.02, 1.01, 1.00, 0.99, 0.96, 0.93, 0.90]
)


def _norm_path(path: np.ndarray) -> np.ndarray:
    """Scale a 2000-2019 path so that its 2011-2018 mean is 1 (Table 6 averages 2011-2018)."""
    return path / path[11:19].mean()


def las_from_geography(root: Path) -> pd.DataFrame:
    """The authorities (code, name, region) of the geography dataset, read through its real-format loader."""
    folder = Path(root) / "geography"
    lu = next(iter(sorted(folder.glob("*RGN*.csv"))), None)
    if lu is None:
        raise FileNotFoundError(f"{folder}: the geography dataset must be generated before nomis")
    df = read_region_lookup(lu)
    names = pd.read_csv(lu, dtype=str)
    name_col = next(c for c in names.columns if c.upper().startswith("LAD") and c.upper().endswith("NM"))
    df["la_name"] = names[name_col].to_numpy()
    return df.sort_values("la_code", ignore_index=True)


def assign_traits(las: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Latent affluence, urbanity and diversity of each authority, from its region and kind of district."""
    kind = las["la_code"].str[:3]
    n = len(las)
    out = las.copy()
    out["kind"] = kind
    out["affluence"] = las["region_code"].map(REGION_AFFLUENCE).to_numpy() + rng.normal(0, 0.6, n) - 0.25 * (kind == "E08")
    out["urbanity"] = kind.map(KIND_URBANITY).to_numpy() + rng.normal(0, 0.5, n)
    out["diversity"] = 0.8 * out["urbanity"] + 0.5 * (las["region_code"] == "E12000007") + rng.normal(0, 0.5, n)
    return out


def assign_supergroups(traits: pd.DataFrame) -> pd.Series:
    """ONS 2011 supergroup of each authority: London boroughs by affluence, the rest by quota and trait ranking.

    Quotas keep the group sizes near the real ones so each receiving table has
    a realistic number of observations; traits decide who goes where.
    """
    sg = pd.Series(index=traits.index, dtype=object)
    london = traits["kind"] == "E09"
    lon_rank = traits.loc[london, "affluence"].rank(ascending=False)
    sg[london] = np.where(lon_rank <= LONDON_COSMOPOLITAN, "London Cosmopolitan", "Ethnically Diverse Metropolitan Living")
    wales = traits["kind"] == "W06"
    urban = traits["kind"].isin(["E06", "E08"])
    for group, quota in QUOTAS:
        free = sg.isna()
        if group == "Ethnically Diverse Metropolitan Living":
            score = traits["diversity"].where(free & urban)
        elif group == "Business, Education and Heritage Centres":
            score = (traits["urbanity"] + 0.5 * traits["affluence"]).where(free & (urban | wales))
        elif group == "Affluent England":
            score = traits["affluence"].where(
                free & ~wales & ~urban | free & (traits["kind"] == "E06") & (traits["affluence"] > 1)
            )
        elif group == "Services and Industrial Legacy":
            score = (-traits["affluence"] + 0.3 * traits["urbanity"]).where(free)
        elif group == "Urban Settlements":
            score = traits["urbanity"].where(free)
        else:  # Countryside Living: the least urban
            score = (-traits["urbanity"]).where(free)
        chosen = score.dropna().sort_values(ascending=False).index[:quota]
        sg[chosen] = group
    sg[sg.isna()] = "Town and Country Living"
    return sg


def _covariates(traits: pd.DataFrame, sg: pd.Series, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Yearly covariates (LA x year) around the Table 6 means of each supergroup, shifted by the traits."""
    n = len(traits)
    means = pd.DataFrame([TABLE6[g] for g in sg], columns=TABLE6_COLUMNS, index=traits.index)
    # deviations from the supergroup's mean affluence: they shift an authority within its group,
    # so group means stay at Table 6 while richer authorities still have dearer houses
    aff = (traits["affluence"] - traits["affluence"].groupby(sg).transform("mean")).to_numpy()
    yrs = len(YEARS)

    def panel(level, path, sd_year, log=True):
        base = np.asarray(level, dtype=float)[:, None] * _norm_path(path)[None, :]
        noise = rng.normal(0, sd_year, (n, yrs))
        return base * np.exp(noise) if log else base + noise

    unemp = panel(means["unemployment_rate"] * np.exp(-0.15 * aff + rng.normal(0, 0.12, n)), _UNEMP_CYCLE, 0.08)
    house = panel(means["house_price"] * np.exp(0.18 * aff + rng.normal(0, 0.12, n)), _HOUSE_PATH, 0.03)
    gva = panel(means["gva_per_head"] * np.exp(0.10 * aff + rng.normal(0, 0.15, n)), _GVA_PATH, 0.03)
    tfr = panel(means["tfr"] * np.exp(rng.normal(0, 0.05, n)), _TFR_PATH, 0.03)
    foreign = np.clip(panel(means["non_uk_born"] * np.exp(rng.normal(0, 0.25, n)), _FOREIGN_PATH, 0.05), 0.005, 0.7)
    # share of professionals (SOC2010 groups 1-2) rises with affluence and GVA
    prof_level = np.clip(0.30 + 0.06 * aff + 0.08 * np.log(means["gva_per_head"] / 22_000) + rng.normal(0, 0.03, n), 0.12, 0.65)
    prof = np.clip(panel(prof_level, np.linspace(0.9, 1.08, yrs), 0.04), 0.08, 0.8)
    frame = lambda a: pd.DataFrame(a, index=traits["la_code"].to_numpy(), columns=YEARS)  # noqa: E731
    return {
        "unemployment_rate": frame(np.clip(unemp, 1.0, 20.0)),
        "house_price": frame(house),
        "gva_per_head": frame(gva),
        "tfr": frame(tfr),
        "non_uk_born": frame(foreign),
        "prop_professional": frame(prof),
    }


def _base_age_profile() -> np.ndarray:
    """An England-and-Wales-like single-year age distribution (share of the population at ages 0-90+)."""
    a = AGES.astype(float)
    w = 1.25 - 0.004 * np.maximum(a - 30, 0) - 0.0006 * np.maximum(a - 55, 0) ** 2
    w = np.clip(w, 0.02, None)
    w[90] = 0.8  # the open-ended 90+ group
    return w / w.sum()


def _age_profiles(young: np.ndarray, dependency: np.ndarray) -> np.ndarray:
    """Per-LA age distributions whose 15-29 share and 65+/18-64 ratio hit the targets (fixed-point scaling)."""
    base = _base_age_profile()
    yb = (AGES >= 15) & (AGES <= 29)
    ob = AGES >= 65
    wb = (AGES >= 18) & (AGES <= 64)
    fy = np.ones(len(young))
    fo = np.ones(len(young))
    for _ in range(30):
        w = base[None, :] * np.where(yb, fy[:, None], 1.0) * np.where(ob, fo[:, None], 1.0)
        w /= w.sum(axis=1, keepdims=True)
        fy *= young / w[:, yb].sum(axis=1)
        fo *= dependency / (w[:, ob].sum(axis=1) / w[:, wb].sum(axis=1))
    w = base[None, :] * np.where(yb, fy[:, None], 1.0) * np.where(ob, fo[:, None], 1.0)
    return w / w.sum(axis=1, keepdims=True)


def _population(traits: pd.DataFrame, sg: pd.Series, rng: np.random.Generator, scale: float) -> pd.DataFrame:
    """MYEB1-layout population by LA, sex and age for 2001-2019."""
    n = len(traits)
    size = {"E09": 260_000, "E08": 290_000, "E06": 190_000, "E07": 110_000, "W06": 140_000}
    total = traits["kind"].map(size).to_numpy() * np.exp(rng.normal(0, 0.3, n)) * scale
    means = pd.DataFrame([TABLE6[g] for g in sg], columns=TABLE6_COLUMNS)
    young = np.clip(means["young_share"].to_numpy() * np.exp(rng.normal(0, 0.08, n)), 0.10, 0.40)
    dep = np.clip(means["dependency_ratio"].to_numpy() * np.exp(rng.normal(0, 0.12, n)), 0.08, 0.65)
    growth = 0.003 + 0.004 * (traits["urbanity"].to_numpy() > 0) + rng.normal(0, 0.002, n)
    rows = []
    male_share = 0.505 - 0.20 * np.clip((AGES - 60) / 30, 0, 1)  # women outlive men
    for year in POP_YEARS:
        # ageing: the dependency ratio drifts up by about 1% a year
        prof = _age_profiles(young * (1 - 0.004 * (year - 2014)), dep * (1 + 0.012 * (year - 2014)))
        tot = total * (1 + growth) ** (year - 2011)
        counts = rng.poisson(tot[:, None] * prof)
        males = rng.binomial(counts, male_share[None, :])
        rows.append((year, males, counts - males))
    codes = np.repeat(traits["la_code"].to_numpy(), len(AGES))
    names = np.repeat(traits["la_name"].to_numpy(), len(AGES))
    country = np.where(pd.Series(codes).str.startswith("W"), "W", "E")
    frames = []
    for sex in (1, 2):
        df = pd.DataFrame({"ladcode18": codes, "laname18": names, "country": country, "sex": sex, "age": np.tile(AGES, n)})
        for year, males, females in rows:
            df[f"population_{year}"] = (males if sex == 1 else females).reshape(-1)
        frames.append(df)
    return pd.concat(frames, ignore_index=True).sort_values(["ladcode18", "sex", "age"], ignore_index=True)


def _nomis_long(values: dict[str, pd.DataFrame], names: pd.Series, digits: int = 1) -> pd.DataFrame:
    """NOMIS API CSV layout: one row per year x LA x variable, the value in OBS_VALUE."""
    out = []
    for variable, wide in values.items():
        long = wide.stack().rename("OBS_VALUE").reset_index()
        long.columns = ["GEOGRAPHY_CODE", "DATE", "OBS_VALUE"]
        long["DATE_NAME"] = "Jan " + long["DATE"].astype(str) + "-Dec " + long["DATE"].astype(str)
        long["GEOGRAPHY_NAME"] = long["GEOGRAPHY_CODE"].map(names)
        long["VARIABLE_NAME"] = variable
        long["MEASURES_NAME"] = "Variable"
        long["OBS_VALUE"] = long["OBS_VALUE"].round(digits)
        out.append(long)
    cols = ["DATE", "DATE_NAME", "GEOGRAPHY_CODE", "GEOGRAPHY_NAME", "VARIABLE_NAME", "MEASURES_NAME", "OBS_VALUE"]
    return pd.concat(out, ignore_index=True)[cols].sort_values(["DATE", "GEOGRAPHY_CODE", "VARIABLE_NAME"], ignore_index=True)


def _wide(values: pd.DataFrame, names: pd.Series, code_col: str, name_col: str, label=str, digits: int = 0) -> pd.DataFrame:
    """ONS spreadsheet layout: code, name, one column per year."""
    out = pd.DataFrame({code_col: values.index, name_col: names.reindex(values.index).to_numpy()})
    for y in values.columns:
        v = values[y].round(digits)
        out[label(y)] = (v.astype(int) if digits == 0 else v).to_numpy()
    return out


def generate(root: Path, seed: int, scale: float) -> None:
    """Write the covariates, population and classifications into ``root/nomis`` plus truth.json."""
    rng = rng_for(seed, NAME)
    folder = Path(root) / NAME
    folder.mkdir(parents=True, exist_ok=True)
    las = las_from_geography(root)
    traits = assign_traits(las, rng)
    sg = assign_supergroups(traits)
    cov = _covariates(traits, sg, rng)
    names = las.set_index("la_code")["la_name"]

    pop = _population(traits, sg, rng, scale)
    pop.to_csv(folder / POPULATION_FILE, index=False)

    _nomis_long({UNEMPLOYMENT_VARIABLE: cov["unemployment_rate"]}, names).to_csv(folder / UNEMPLOYMENT_FILE, index=False)
    # split the professional share between SOC2010 major groups 1 (managers, ~40%) and 2 (professionals)
    split = np.clip(0.4 + rng.normal(0, 0.04, len(las)), 0.25, 0.55)[:, None]
    prof = cov["prop_professional"] * 100
    _nomis_long({SOC_VARIABLES[1]: prof * split, SOC_VARIABLES[2]: prof * (1 - split)}, names).to_csv(
        folder / OCCUPATION_FILE, index=False
    )
    _nomis_long({NON_UK_VARIABLE: cov["non_uk_born"] * 100}, names).to_csv(folder / BIRTH_FILE, index=False)
    _wide(cov["gva_per_head"], names, "LAD code", "LA name").to_csv(folder / GVA_FILE, index=False)
    _wide(
        cov["house_price"], names, "Local authority code", "Local authority name", label=lambda y: f"Year ending Dec {y}"
    ).to_csv(folder / HOUSE_FILE, index=False)
    _wide(cov["tfr"], names, "Area code", "Area name", digits=2).to_csv(folder / TFR_FILE, index=False)

    # classifications
    codes = las["la_code"]
    england = codes.str.startswith("E").to_numpy()
    oac_code = {g: i for i, g in enumerate(SUPERGROUPS, 1)}
    pd.DataFrame(
        {"Code": codes, "Name": las["la_name"], "Supergroup Code": sg.map(oac_code).to_numpy(), "Supergroup Name": sg.to_numpy()}
    ).to_csv(folder / OAC_FILE, index=False)
    # IMD 2010 average score: deprivation falls with affluence and rises with unemployment
    unemp_mean = cov["unemployment_rate"].loc[:, 2008:2010].mean(axis=1).to_numpy()
    imd_score = np.exp(3.0 - 0.35 * traits["affluence"].to_numpy() + 0.06 * unemp_mean + rng.normal(0, 0.15, len(las)))
    imd = pd.DataFrame(
        {"LA CODE": codes[england], "LA NAME": las["la_name"][england], "Average score": imd_score[england].round(2)}
    )
    imd["Rank of average score"] = imd["Average score"].rank(ascending=False, method="first").astype(int)
    imd.sort_values("Rank of average score").to_csv(folder / IMD_FILE, index=False)
    # Social Mobility Index 2017: better with professionals and affluence, worse with deprivation; London scores well
    smi_score = (
        1.2 * traits["affluence"].to_numpy()
        + 8 * cov["prop_professional"].loc[:, 2014:2016].mean(axis=1).to_numpy()
        - 0.02 * imd_score
        + 0.8 * (traits["region_code"] == "E12000007").to_numpy()
        + rng.normal(0, 0.5, len(las))
    )
    smi = pd.DataFrame(
        {
            "LA code": codes[england],
            "LA name": las["la_name"][england],
            "Region": las["region_name"][england],
            "Overall score": smi_score[england].round(3),
        }
    )
    smi["Overall rank"] = smi["Overall score"].rank(ascending=False, method="first").astype(int)
    smi.sort_values("Overall rank").to_csv(folder / SMI_FILE, index=False)

    write_truth(
        folder,
        {
            "seed": seed,
            "scale": scale,
            "table6_means_2011_2018": {g: dict(zip(TABLE6_COLUMNS, v)) for g, v in TABLE6.items()},
            "london_cosmopolitan_gva_note": f"published {PUBLISHED_LC_GVA:,} is an outlier (a stray digit); generated around 72,662",
            "supergroup_counts": sg.value_counts().to_dict(),
            "smi_rule": "hot spot = top quintile of the SMI overall rank (England), cold spot = bottom quintile, medium otherwise",
            "imd_rule": "quintiles of the rank of the LA average IMD 2010 score; 1 = most deprived (High deprivation)",
            "latent_traits": traits.set_index("la_code")[["affluence", "urbanity", "diversity"]].round(4).to_dict(orient="index"),
        },
    )
