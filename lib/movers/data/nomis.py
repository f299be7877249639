"""Local-authority covariates and area classifications from NOMIS / ONS downloads.

One loader per file layout (see ``movers.synth.nomis`` for the layouts; the
synthetic world writes exactly these files, so real downloads saved under the
same names in ``<data_dir>/nomis`` run through the same code):

* ``la_indicators(folder)``: unemployment rate and share of professionals per LA
  and year (the BHPS-UKHLS chapter's area controls);
* ``covariates(folder)``: every Table 1 control per LA and year;
* ``population(folder)`` / ``population_summary(folder)``: mid-year estimates by
  sex and single year of age, and the totals and age ratios derived from them;
* ``classifications(folder)``: SMI hot/medium/cold spots, ONS 2011 supergroups,
  IMD 2010 quintiles.

Every check raises ``InputError(file, problem)``: a missing column, a malformed
or unknown LA code, a negative count, a year outside the plausible range, a
duplicated key. The layouts are declared in :mod:`movers.data.schema`; codes of
another LA vintage are mapped onto the geography or rejected there.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from movers.core.errors import InputError
from movers.data import schema

LOG = logging.getLogger("movers.data")
YEAR_RANGE = (int(schema.YEAR.low), int(schema.YEAR.high))

POPULATION_FILE = "MYEB1_detailed_population_estimates_series_UK_(2001_to_2019).csv"
UNEMPLOYMENT_FILE = "nomis_aps_unemployment.csv"
OCCUPATION_FILE = "nomis_aps_occupation.csv"
BIRTH_FILE = "nomis_aps_country_of_birth.csv"
GVA_FILE = "gva_per_head_chained_2016_prices.csv"
HOUSE_FILE = "hpssa_mean_price_paid.csv"
TFR_FILE = "tfr_local_authority.csv"
SMI_FILE = "social_mobility_index_2017.csv"
OAC_FILE = "la_area_classification_2011.csv"
IMD_FILE = "imd2010_la_summary.csv"
# English authorities the Social Mobility Index 2017 does not rank. Any other English authority without a rank is
# an error. Where this comes from, and how far it is checked:
# - the count: the Index ranks 324 English local authorities (Social Mobility Commission, State of the Nation 2017,
#   and its press release of 28 November 2017, "ranks all 324 local authorities in England"), of the 326 English
#   districts of 2017 (2011 Area Classification codes, which the loader checks the file against);
# - which two: the City of London (E09000001) and the Isles of Scilly (E06000053), the two smallest districts by
#   population, are assumed, not read from the Commission's workbook: no copy of it was found
#   (../shared/data/public/MANIFEST.md, "Searched for but NOT found"; data/datasets.yml, social_mobility_index_2017,
#   verified: false), and the file this module reads is the project's own layout (``schema.SMI``: "LA code",
#   "Overall rank"), written by ``movers.synth.nomis``, which ranks all 326 (so synthetic runs never use this list).
#   When an adapter from the real workbook is written, check the two codes it leaves out against this tuple.
SMI_UNRANKED = ("E09000001", "E06000053")

SMI_GROUPS = ["Hot spot", "Medium spot", "Cold spot"]
IMD_GROUPS = ["High deprivation", "2nd quintile", "3rd quintile", "4th quintile", "Low deprivation"]
SUPERGROUPS = [
    "Affluent England",
    "Business, Education and Heritage Centres",
    "Countryside Living",
    "Ethnically Diverse Metropolitan Living",
    "London Cosmopolitan",
    "Services and Industrial Legacy",
    "Town and Country Living",
    "Urban Settlements",
]


def _path(folder, name: str) -> Path:
    path = Path(folder) / name
    if not path.exists():
        raise InputError(path, "file not found (generate the synthetic world or download the NOMIS/ONS file)")
    return path


def _read(path: Path, **kw) -> pd.DataFrame:
    return schema.read_csv(path, "file", **kw)


def check_years(years: pd.Series, path) -> None:
    """Reject years outside ``YEAR_RANGE`` (a shifted column or a typo such as 2107)."""
    schema.check(pd.DataFrame({"DATE": years.to_numpy()}), schema.Layout("years", (schema.YEAR,)), path)


def read_nomis(path, variables=None, known=None) -> pd.DataFrame:
    """A NOMIS API CSV as la_code, year, variable, value (one of ``variables`` if given)."""
    path = Path(path)
    df = _read(path, dtype={"GEOGRAPHY_CODE": str, "VARIABLE_NAME": str})
    d = schema.check(df, schema.NOMIS_API, path, known)
    out = pd.DataFrame(
        {"la_code": d["GEOGRAPHY_CODE"], "year": d["DATE"].astype(int), "variable": d["VARIABLE_NAME"], "value": d["OBS_VALUE"]}
    )
    if variables is not None:
        missing = sorted(set(variables) - set(out["variable"]))
        if missing:
            raise InputError(path, f"missing variable(s): {'; '.join(missing)}")
        out = out[out["variable"].isin(variables)]
    return out.reset_index(drop=True)


def read_wide(path, code_col: str, name: str, known=None, year_pattern=r"(\d{4})$") -> pd.DataFrame:
    """An ONS spreadsheet with one column per year as la_code, year, ``name``."""
    path = Path(path)
    df = _read(path, dtype={code_col: str})
    years = {c: re.search(year_pattern, str(c)) for c in df.columns if c != code_col}
    years = {c: int(m.group(1)) for c, m in years.items() if m}
    if code_col in df.columns and not years:
        raise InputError(path, f"no year columns (names ending in a year) among {', '.join(df.columns)}")
    check_years(pd.Series(list(years.values()), dtype=object), path)
    base = schema.wide_layout(code_col)
    layout = schema.Layout(
        base.name,
        base.fields + tuple(schema.Field(c, "float", 0, label=f"{name} ({c})") for c in years),
        key=base.key,
        complete=base.complete,
    )
    d = schema.check(df, layout, path, known)
    long = d.melt(id_vars=code_col, var_name="col", value_name=name)
    long["year"] = long["col"].map(years)
    return long.rename(columns={code_col: "la_code"})[["la_code", "year", name]].reset_index(drop=True)


def unemployment(folder, known=None) -> pd.Series:
    """Unemployment rate (per cent of the economically active aged 16-64) by LA and year (APS, Nomis)."""
    u_path = _path(folder, UNEMPLOYMENT_FILE)
    unemp = read_nomis(u_path, known=known)
    if unemp["variable"].nunique() != 1:
        raise InputError(u_path, f"expected one variable, found {unemp['variable'].nunique()}")
    if (unemp["value"] > 100).any():
        raise InputError(u_path, "unemployment rate above 100 per cent")
    return unemp.set_index(["la_code", "year"])["value"].rename("unemployment_rate")


def professionals(folder, known=None) -> pd.Series:
    """Share (0-1) of those in employment in SOC2010 major groups 1 and 2 by LA and year (APS, Nomis)."""
    o_path = _path(folder, OCCUPATION_FILE)
    occ = read_nomis(o_path, known=known)
    soc = occ[occ["variable"].str.contains(r"\b[12]: ", regex=True)]
    if soc["variable"].nunique() != 2:
        raise InputError(o_path, "expected the SOC2010 major groups 1 and 2 (variables containing '1: ' and '2: ')")
    prof = soc.groupby(["la_code", "year"])["value"].sum().div(100).rename("prop_professional")
    if (prof > 1).any():
        raise InputError(o_path, "SOC2010 groups 1 and 2 add up to more than 100 per cent")
    return prof


def la_indicators(folder, known=None) -> pd.DataFrame:
    """Unemployment rate (per cent of the economically active aged 16-64) and the proportion of
    professionals (SOC2010 major groups 1-2, share 0-1 of those in employment), per LA and year.

    Why both in one call: they are the two LA conditions the BHPS-UKHLS chapter
    attaches to each respondent's authority and year.
    """
    out = unemployment(folder, known).to_frame().join(professionals(folder, known), how="outer")
    return out.reset_index().sort_values(["la_code", "year"], ignore_index=True)


def population(folder, known=None, years=None, report: list | None = None) -> pd.DataFrame:
    """Mid-year population (MYEB1 layout) as la_code, year, sex (1 male, 2 female), age (0-90), population.

    MYEB1 also covers Scotland and Northern Ireland: their rows are dropped on purpose, logged on the
    ``movers.data`` logger and appended to ``report`` (a list of :class:`movers.data.schema.Dropped`) when given."""
    path = _path(folder, POPULATION_FILE)
    df = _read(path, dtype={"ladcode18": str})
    ycols = [c for c in df.columns if re.fullmatch(r"population_\d{4}", str(c))]
    if "ladcode18" in df.columns and not ycols:
        raise InputError(path, "no population_YYYY columns")
    check_years(pd.Series([int(c[-4:]) for c in ycols], dtype=object), path)
    if "ladcode18" in df.columns:
        df, dropped = schema.dropped_rows(df, ["ladcode18"], path)
        if dropped is not None:
            LOG.info(dropped.line())
            if report is not None:
                report.append(dropped)
    if years is not None:
        want = [f"population_{y}" for y in years]
        missing = [c for c in want if c not in df.columns]
        if missing:
            raise InputError(path, f"no population for year(s) {', '.join(c[-4:] for c in missing)}")
        ycols = want
    layout = schema.Layout(
        schema.MYEB1.name,
        schema.MYEB1.fields + tuple(schema.Field(c, "float", 0, label="population count") for c in ycols),
        key=schema.MYEB1.key,
        complete=schema.MYEB1.complete,
    )
    d = schema.check(df, layout, path, known)
    d["sex"] = d["sex"].astype(df["sex"].dtype if pd.api.types.is_integer_dtype(df["sex"]) else "int64")
    d["age"] = d["age"].astype("int64")
    long = d.melt(id_vars=["ladcode18", "sex", "age"], var_name="col", value_name="population")
    long["year"] = long["col"].str[-4:].astype(int)
    long = long.rename(columns={"ladcode18": "la_code"})[["la_code", "year", "sex", "age", "population"]]
    return long.sort_values(["la_code", "year", "sex", "age"], ignore_index=True)


def population_summary(folder, known=None, years=None) -> pd.DataFrame:
    """Per LA and year: population (all, male, female), young share (aged 15-29 over all ages) and the
    dependency ratio (65+ over 18-64), the report's demographic controls (Table 1)."""
    pop = population(folder, known, years)
    wide = pop.pivot_table(index=["la_code", "year"], columns="sex", values="population", aggfunc="sum")
    out = pd.DataFrame({"population": wide.sum(axis=1), "population_male": wide.get(1), "population_female": wide.get(2)})
    by_age = pop.groupby(["la_code", "year", "age"])["population"].sum().unstack("age")
    ages = by_age.columns.to_numpy()
    young = by_age.loc[:, (ages >= 15) & (ages <= 29)].sum(axis=1)
    old = by_age.loc[:, ages >= 65].sum(axis=1)
    working = by_age.loc[:, (ages >= 18) & (ages <= 64)].sum(axis=1)
    out["young_share"] = young / out["population"]
    out["dependency_ratio"] = old / working
    return out.reset_index()


# The controls whose file may be absent (open data hold no figure for them); ``omit`` names them.
OMITTABLE = {"unemployment_rate": UNEMPLOYMENT_FILE, "non_uk_born": BIRTH_FILE, "prop_professional": OCCUPATION_FILE}


def covariates(folder, known=None, omit=()) -> pd.DataFrame:
    """Every yearly control of Table 1 per LA and year: unemployment rate (%), real GVA per head (£),
    mean house price (£), total fertility rate, non-UK-born share (0-1), share of professionals (0-1),
    population, young share and dependency ratio.

    ``omit``: controls of ``OMITTABLE`` whose file is not read (no open figure exists); their column is
    all missing, so a model that needs them fails loudly unless it leaves them out."""
    folder = Path(folder)
    unknown = sorted(set(omit) - set(OMITTABLE))
    if unknown:
        raise InputError("omit", f"only {', '.join(OMITTABLE)} can be left out, not {', '.join(unknown)}")
    parts = []
    if "unemployment_rate" not in omit:
        parts.append(unemployment(folder, known))
    if "prop_professional" not in omit:
        parts.append(professionals(folder, known))
    if "non_uk_born" not in omit:
        birth = read_nomis(_path(folder, BIRTH_FILE), known=known)
        nonuk = birth.set_index(["la_code", "year"])["value"].div(100).rename("non_uk_born")
        if (nonuk > 1).any():
            raise InputError(folder / BIRTH_FILE, "non-UK-born share above 100 per cent")
        parts.append(nonuk)
    gva = read_wide(_path(folder, GVA_FILE), "LAD code", "gva_per_head", known).set_index(["la_code", "year"])
    house = read_wide(_path(folder, HOUSE_FILE), "Local authority code", "house_price", known).set_index(["la_code", "year"])
    tfr = read_wide(_path(folder, TFR_FILE), "Area code", "tfr", known).set_index(["la_code", "year"])
    pop = population_summary(folder, known).set_index(["la_code", "year"])
    out = gva.join([*parts, house, tfr], how="outer").join(pop, how="left")
    for col in omit:
        out[col] = np.nan
    cols = ["unemployment_rate", "prop_professional", "non_uk_born", "gva_per_head", "house_price", "tfr"]
    out = out[cols + [c for c in out.columns if c not in cols]]
    return out.reset_index().sort_values(["la_code", "year"], ignore_index=True)


def quintile_groups(rank: pd.Series, labels) -> pd.Series:
    """Quintile of a rank (1 = best / most deprived) mapped to ``labels`` (first = top quintile),
    three labels meaning top quintile / middle three / bottom quintile."""
    q = pd.qcut(rank.rank(method="first"), 5, labels=False).astype(int)
    if len(labels) == 5:
        return q.map(dict(enumerate(labels)))
    return q.map(lambda i: labels[0] if i == 0 else labels[2] if i == 4 else labels[1])


def classifications(folder, known=None, omit=()) -> pd.DataFrame:
    """Area types of every LA: ``smi`` (Hot/Medium/Cold spot, England), ``supergroup`` (ONS 2011),
    ``imd_quintile`` (1 most deprived .. 5, England) and ``imd`` (the report's labels).

    Hot and cold spots are the top and bottom quintiles of the SMI rank, as in
    the State of the Nation 2017 report; IMD quintiles are of the rank of the
    LA average score (1 = most deprived). ``omit=("smi",)`` does not read the
    SMI file (no open download of it is known): ``smi`` is then all missing.
    """
    folder = Path(folder)
    oac_path = _path(folder, OAC_FILE)
    oac = _read(oac_path, dtype={"Code": str})
    oac_layout = schema.AREA_CLASSIFICATION
    oac_layout = schema.Layout(
        oac_layout.name,
        oac_layout.fields[:2] + (schema.Field("Supergroup Name", "str", allowed=tuple(SUPERGROUPS), label="supergroup"),),
        key=oac_layout.key,
        complete=oac_layout.complete,
    )
    o = schema.check(oac, oac_layout, oac_path, known)
    out = pd.DataFrame({"la_code": o["Code"], "la_name": oac["Name"], "supergroup": o["Supergroup Name"]})

    smi_path = _path(folder, SMI_FILE) if "smi" not in omit else None
    if smi_path is None:
        smi = pd.DataFrame({"la_code": pd.Series(dtype=str), "smi_rank": pd.Series(dtype=float), "smi": pd.Series(dtype=object)})
    else:
        smi = schema.check(_read(smi_path, dtype={"LA code": str}), schema.SMI, smi_path, known)
        rank = smi["Overall rank"]
        smi = pd.DataFrame(
            {"la_code": smi["LA code"], "smi_rank": rank.astype(int), "smi": quintile_groups(rank, SMI_GROUPS).to_numpy()}
        )

    imd_path = _path(folder, IMD_FILE)
    imd = schema.check(_read(imd_path, dtype={"LA CODE": str}), schema.IMD_LA, imd_path, known)
    irank = imd["Rank of average score"]
    q = pd.qcut(irank.rank(method="first"), 5, labels=False).astype(int) + 1
    imd = pd.DataFrame(
        {
            "la_code": imd["LA CODE"],
            "imd_rank": irank.astype(int),
            "imd_quintile": q.to_numpy(),
            "imd": q.map(dict(enumerate(IMD_GROUPS, 1))).to_numpy(),
        }
    )

    english = {c for c in out["la_code"] if c.startswith("E")}
    for other, path, what, unranked in ((smi, smi_path, "SMI", SMI_UNRANKED), (imd, imd_path, "IMD", ())):
        if path is None:
            continue
        extra = sorted(set(other["la_code"]) - set(out["la_code"]))
        if extra:
            raise InputError(path, f"LA code(s) absent from the area classification: {', '.join(extra[:5])}")
        absent = sorted(english - set(other["la_code"]) - set(unranked))
        if absent:
            raise InputError(
                path,
                f"{len(absent)} English authorit{'y' if len(absent) == 1 else 'ies'} of the area classification "
                f"{'has' if len(absent) == 1 else 'have'} no {what} rank (e.g. {', '.join(absent[:5])}): its flows would "
                f"leave every {what} model without a word; the file must rank every English authority",
            )
    out = out.merge(smi, on="la_code", how="left").merge(imd, on="la_code", how="left")
    return out.sort_values("la_code", ignore_index=True)


def typology_levels(typology: str) -> list[str]:
    """The ordered levels of a typology column of ``classifications`` (the first is the report's reference)."""
    levels = {"smi": SMI_GROUPS, "supergroup": SUPERGROUPS, "imd": IMD_GROUPS}
    if typology not in levels:
        raise InputError("parameter 'typology'", f"must be one of {', '.join(levels)}, not {typology!r}")
    return list(levels[typology])


__all__ = [
    "la_indicators",
    "unemployment",
    "professionals",
    "covariates",
    "population",
    "population_summary",
    "classifications",
    "typology_levels",
    "read_nomis",
    "read_wide",
]
