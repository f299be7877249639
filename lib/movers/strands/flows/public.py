"""The report's aggregate flows analysis on the one open origin-destination matrix: the 2011 Census.

Why here and not in ``movers.strands.flows.models``: the yearly analyses there read the ONS
detailed estimates (2012-2018, not open offline); this module runs the same
models on the 2011 Census LA-to-LA matrix with controls built from the open
files (``CensusInputs``, read through the adapters of ``movers.data.public``), and measures how far the
report's published coefficients are from the estimates.

* ``out_rates`` / ``typology_rates``: the report's descriptive rates, moves
  from type k to type m over the population of k, in per cent;
* ``census_inputs_for`` / ``components_for``: the inputs of the chapter, from the
  open files (``public``) or the synthetic world's files of the same layouts;
* ``census_frame``: every ordered pair of distinct typed authorities with the
  flow, border, log distance, the sending area's demographic controls and both
  ends' economic controls, and the sending area's log population (offset);
* ``report_models``: Models 1-4 of every sending and receiving table of a
  typology, fitted by ``movers.strands.flows.models`` (the book's one gravity module, NB2 on
  ``flows.fit_nb2``), with the published coefficients beside them, and their
  agreement per table and per model (``agreement.agreement``: gap, correlation,
  sign, within two combined SEs and within two published SEs).

Controls that no open file gives for 2010-2011 (unemployment, share born
outside the UK) are left out of Models 3 and 4 (``OMITTED``), never replaced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import Markdown

from movers import fetch
from movers.core import paths
from movers.core.errors import InputError, require_columns, require_nonempty
from movers.data import nomis, ons_flows, public, published as reference
from movers.data.geography import load_geography
from movers.estimators import agreement
from movers.pages import compare, words
from movers.pages.section import Section
from movers.pages.tables import Table, coef_cell, fmt_number, own_number, render
from movers.strands.flows import models as flows

# --------------------------------------------------------------------------- inputs: the open files or the synthetic world's equivalents

CHAPTER_NUMBER = "5"  # the book's number of the flows_public chapter: its own tables are Table 5.A, 5.B...


def numbered(shown: list) -> list:
    """Give every table of ``shown`` that has a label and no number the chapter's own number (other items as they are)."""
    for t in shown:
        if isinstance(t, Table) and t.label and not t.caption.startswith("Table "):
            t.caption = f"Table {number(t.label)}: {t.caption}"
    return shown


def number(label: str) -> str:
    """The book's own number of the table ``label`` of this chapter (``tables.own_number``): the census
    analogues of the report's Tables 7-20 are not those tables, so they never carry their numbers."""
    return own_number(CHAPTER_NUMBER, label)


def public_folder(data_path: str = "") -> Path:
    """The folder of open files the chapter reads (``fetch.public_root``)."""
    return fetch.public_root(data_path)


CENSUS_ETHNICITY_FILE = "census2011_migration_ethnicity_la.csv"


CENSUS_DATASETS = (
    "lad_boundaries_2014",
    "gva_la",
    "census2011_od",
    "la_code_crosswalk",
    "lad_harmonisation_lad20x",
    "population_syoa_2011_2018",
    "myeb3",
    "hpssa9",
    "tfr_2011_2018",
    "la_classification_2011",
    "imd2010_la_approx",
)  # and, when present, imd2010_ltla21_reaggregated (population weights for the IMD summary, ``imd_summary``)


@dataclass
class CensusInputs:
    """The 2011 Census matrix and the report's controls from real files, on the census units.

    ``covariates`` (by unit): population (mid-2011), young_share, dependency_ratio, tfr
    (2011), house_price (median, year ending June of the lag year), gva_per_head (lag year);
    ``types`` (by unit): supergroup (England and Wales), imd_group (England);
    ``harmonised``: what happened to each input's codes (``Harmonised`` per input).
    """

    geography: object
    od: pd.DataFrame
    covariates: pd.DataFrame
    types: pd.DataFrame
    harmonised: dict
    notes: dict
    boundary_file: Path
    units: dict = field(default_factory=lambda: dict(public.CENSUS_MERGED))
    paths: dict = field(default_factory=dict)


def census_inputs(folder, cache_dir, lag_year: int = 2010, census_year: int = 2011) -> CensusInputs:
    """Read every open file of the 2011 analysis from ``folder`` (``data/public`` layout) onto the 346 census units.

    Population structure (young share, dependency ratio) and the population offset are
    mid-``census_year`` (single-year-of-age file: 2011 is the earliest year it holds); the
    TFR is ``census_year``'s; house prices (year ending June) and GVA per head (GVA over
    MYEB3 population) are ``lag_year``'s, the report's one-year lag.
    """

    folder = Path(folder)
    p = {name: fetch.local_path(folder, name) for name in CENSUS_DATASETS}
    geo = public.real_geography(p["lad_boundaries_2014"], p["gva_la"], cache_dir, merge_census=True)
    units = sorted(geo.las["la_code"])
    recode = {k: v for k, v in public.read_crosswalk(p["la_code_crosswalk"]).items() if not k.startswith(("E41", "W40"))}
    od = public.read_census_od(p["census2011_od"], public.read_crosswalk(p["la_code_crosswalk"]))
    lad20x = public.read_lad20x(p["lad_harmonisation_lad20x"])
    myeb3 = public.read_myeb3(p["myeb3"])
    pop_lag = myeb3[myeb3["year"] == lag_year].set_index("la_code")["population"]
    syoa = public.read_syoa(p["population_syoa_2011_2018"])
    h = {}
    pop_raw = syoa[syoa["year"] == census_year].groupby("la_code")["population"].sum()
    h["population"] = public.to_units(
        syoa[syoa["year"] == census_year].groupby(["la_code", "age"], as_index=False)["population"].sum(),
        p["population_syoa_2011_2018"],
        units,
        ["population"],
        "sum",
        recode=recode,
    )
    by_age = syoa[(syoa["year"] == census_year) & syoa["la_code"].str[0].isin(["E", "W"])].assign(
        la_code=lambda d: d["la_code"].replace(public.CENSUS_MERGED)
    )
    dem = public.demography(by_age, census_year).reindex(units)
    tfr = public.read_tfr(p["tfr_2011_2018"])
    h["tfr"] = public.to_units(
        tfr[tfr["year"] == census_year], p["tfr_2011_2018"], units, ["tfr"], "mean", weights=pop_raw, harmonisation=lad20x
    )
    hp = public.read_hpssa(p["hpssa9"])
    hp = hp[(hp["year"] == lag_year) & (hp["month"] == "Jun")]
    h["house_price"] = public.to_units(hp, p["hpssa9"], units, ["price"], "mean", weights=pop_raw)
    gva = public.read_gva(p["gva_la"])
    g = gva[gva["year"] == lag_year].merge(pop_lag.rename("pop").reset_index(), on="la_code", how="left")
    h["gva"] = public.to_units(g, p["gva_la"], units, ["gva", "pop"], "sum", recode=recode)
    cl = public.read_la_classification(p["la_classification_2011"])
    h["supergroup"] = public.to_units(cl, p["la_classification_2011"], units, ["supergroup"], "first", recode=recode)
    imd, imd_notes = imd_summary(folder, p["imd2010_la_approx"], p["la_code_crosswalk"])
    imd_units = [u for u in units if u.startswith("E")]
    h["imd"] = public.to_units(imd, p["imd2010_la_approx"], imd_units, ["imd_group", "imd_rank"], "first", recode=recode)
    gv = h["gva"].values
    cov = pd.DataFrame(
        {
            "population": dem["population"],
            "young_share": dem["young_share"],
            "dependency_ratio": dem["dependency_ratio"],
            "tfr": h["tfr"].values["tfr"],
            "house_price": h["house_price"].values["price"],
            "gva_per_head": gv["gva"] * 1e6 / gv["pop"],
        }
    )
    types = pd.DataFrame({"supergroup": h["supergroup"].values["supergroup"], "imd": h["imd"].values["imd_group"].reindex(units)})
    types["imd_rank"] = h["imd"].values["imd_rank"].reindex(units)
    between = od[od["origin"] != od["destination"]][["origin", "destination", "moves"]].reset_index(drop=True)
    notes = {
        "n_units": len(units),
        "n_england": len(imd_units),
        "moves_between": float(between["moves"].sum()),
        "moves_within": float(od.loc[od["origin"] == od["destination"], "moves"].sum()),
        "moves_dropped": od.attrs.get("dropped_moves", 0.0),
        "census_year": census_year,
        "lag_year": lag_year,
        "population_check": float(abs(h["population"].values["population"] - dem["population"]).max()),
        **imd_notes,
    }
    return CensusInputs(geo, between, cov, types, h, notes, p["lad_boundaries_2014"], paths=p)


def imd_summary(folder, approx_path, crosswalk_path) -> tuple[pd.DataFrame, dict]:
    """The IMD 2010 authority summary the chapter types authorities by, and what weighting changed.

    Population-weighted (``public.imd_la_weighted``) when the re-aggregated file
    ``imd2010_ltla21_reaggregated`` is in ``folder``, else the unweighted average of
    ``read_imd_la_approx``. Notes: how many authorities are weighted and unweighted, and
    the authorities whose quintile differs from the unweighted summary's (names).
    """
    approx = public.read_imd_la_approx(approx_path)
    try:
        path = fetch.local_path(folder, "imd2010_ltla21_reaggregated")
    except InputError:
        return approx, {"imd_weighted": 0, "imd_unweighted": len(approx), "imd_changed": []}
    weighted = public.imd_la_weighted(approx, path, public.read_crosswalk(crosswalk_path))
    changed = public.quintile_changes(approx, weighted)["la_code"].tolist()
    n = int(weighted["weighted"].sum())
    return weighted, {"imd_weighted": n, "imd_unweighted": len(weighted) - n, "imd_changed": changed}


def imd_text(inputs: CensusInputs) -> str:
    """One paragraph on how the IMD summary weights the small areas and which authorities changed quintile for it."""
    n = inputs.notes
    if "imd_weighted" not in n:
        return "The synthetic world's IMD summary is generated at authority level, so no small areas are averaged."
    if not n["imd_weighted"]:
        return (
            f"Each authority's IMD score is the unweighted average of its small areas' scores ({n['imd_unweighted']} authorities): "
            "the re-aggregated file that gives population weights (dataset imd2010_ltla21_reaggregated) is not in the data folder."
        )
    names = inputs.geography.las.set_index("la_code")["la_name"]
    changed = [names.get(inputs.units.get(c, c), c) for c in n["imd_changed"]]
    return (
        f"Each authority's IMD score averages its small areas' (LSOA) scores weighted by their mid-2008 population, "
        f"as DCLG's own summary does, for {n['imd_weighted']} of the {n['imd_weighted'] + n['imd_unweighted']} authorities "
        "(from a re-aggregation of the official LSOA scores to 2021 authorities, which is that weighted average wherever a 2021 "
        f"authority is one of 2011); the {n['imd_unweighted']} authorities merged by 2021 keep the unweighted average. "
        f"Against the unweighted average of every authority, {len(changed)} authorities change quintile: {'; '.join(sorted(changed))}."
    )


def harmonisation_summary(inputs: CensusInputs) -> pd.DataFrame:
    """One row per input file: authorities kept, census pairs merged, older codes recoded,
    merged (2019+) codes spread to their former districts, and Scotland / Northern Ireland codes dropped."""
    names = {
        "population": "Population by single year of age, mid-2011",
        "tfr": "Total fertility rate, 2011 (2021 codes)",
        "house_price": "HPSSA median price paid, year to June",
        "gva": "GVA (income approach) and MYEB3 population",
        "supergroup": "2011 area classification",
        "imd": "IMD 2010 LA summary (approximation)",
    }
    rows = {
        names[k]: {
            "Authorities kept": h.kept,
            "Census pairs merged": len(h.merged),
            "Older codes recoded": len(h.recoded),
            "Merged codes spread": len(h.spread),
            "Scotland / NI dropped": len(h.dropped),
        }
        for k, h in inputs.harmonised.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def synthetic_census_inputs(folder, lag_year: int = 2010, census_year: int = 2011) -> CensusInputs:
    """The synthetic world's equivalents of ``census_inputs``, read through the real-format loaders.

    The census matrix is the all-persons total of the world's Nomis table by ethnic
    group; population (offset) is mid-``census_year``, the demographic controls and
    TFR are ``census_year``'s and house prices and GVA per head ``lag_year``'s, as
    for the open files; types are the world's ONS supergroups and IMD 2010 quintiles.
    """

    folder = Path(folder)
    geo = load_geography(folder / "geography")
    known = set(geo.las["la_code"])
    units = sorted(known)
    long = ons_flows.read_census_groups(folder / "flows" / CENSUS_ETHNICITY_FILE, "Ethnic group: ", known)
    od = long.groupby(["origin", "destination"], as_index=False)["moves"].sum()
    cov = nomis.covariates(folder / "nomis", known).set_index(["la_code", "year"])
    for y in (lag_year, census_year):
        if y not in cov.index.get_level_values("year"):
            raise InputError(folder / "nomis", f"no covariates for {y}")
    now, lag = cov.xs(census_year, level="year").reindex(units), cov.xs(lag_year, level="year").reindex(units)
    pop = nomis.population_summary(folder / "nomis", known, years=[census_year]).set_index("la_code").reindex(units)
    covariates = pd.DataFrame(
        {
            "population": pop["population"],
            "young_share": pop["young_share"],
            "dependency_ratio": pop["dependency_ratio"],
            "tfr": now["tfr"],
            "house_price": lag["house_price"],
            "gva_per_head": lag["gva_per_head"],
        }
    )
    cl = nomis.classifications(folder / "nomis", known).set_index("la_code").reindex(units)
    types = pd.DataFrame({"supergroup": cl["supergroup"], "imd": cl["imd"], "imd_rank": cl["imd_rank"]})
    between = od[od["origin"] != od["destination"]][["origin", "destination", "moves"]].reset_index(drop=True)
    notes = {
        "n_units": len(units),
        "n_england": int(sum(u.startswith("E") for u in units)),
        "moves_between": float(between["moves"].sum()),
        "moves_within": float(od.loc[od["origin"] == od["destination"], "moves"].sum()),
        "moves_dropped": 0.0,
        "census_year": census_year,
        "lag_year": lag_year,
    }
    shp = next(iter(sorted((folder / "geography").glob("*.shp"))))
    return CensusInputs(geo, between, covariates, types, {}, notes, shp, units={})


def census_inputs_for(source: str, data_path: str = "", cache_dir=None) -> CensusInputs:
    """``CensusInputs`` for a chapter: the open files (``public``) or the synthetic world's equivalents."""

    if source == "public":
        return census_inputs(public_folder(data_path), cache_dir or paths.DATA / "cache" / "public_geography")
    if source == "synthetic":
        return synthetic_census_inputs(paths.data_dir("synthetic", data_path or None))
    raise InputError("parameter 'source'", f"the 2011 flows chapter runs on synthetic or public data, not {source!r}")


def synthetic_components(folder, years) -> pd.DataFrame:
    """The synthetic world's equivalent of MYEB3's internal in/out totals: moves out of and into each
    authority per year from its detailed estimates (England and Wales only), and its mid-year populations."""

    folder = Path(folder)
    known = set(load_geography(folder / "geography").las["la_code"])
    years = sorted(years)
    pop = nomis.population_summary(folder / "nomis", known, years=[years[0] - 1] + years)[["la_code", "year", "population"]]
    recs = []
    for y in years:
        d = ons_flows.read_year(folder / "flows", y, known)  # both parts: ONS splits each year between two files
        d = d[d["origin"] != d["destination"]]
        recs.append(
            pd.DataFrame(
                {"internal_out": d.groupby("origin")["moves"].sum(), "internal_in": d.groupby("destination")["moves"].sum()}
            )
            .fillna(0)
            .rename_axis("la_code")
            .reset_index()
            .assign(year=y)
        )
    flows_ = pd.concat(recs, ignore_index=True)
    return pop.merge(flows_, on=["la_code", "year"], how="left")


def components_for(source: str, data_path: str = "", years=range(2012, 2019)) -> pd.DataFrame:
    """Population and internal in/out totals by authority and year: MYEB3 (``public``) or the synthetic equivalent."""

    if source == "public":
        return public.read_myeb3(fetch.local_path(public_folder(data_path), "myeb3"))
    if source == "synthetic":
        return synthetic_components(paths.data_dir("synthetic", data_path or None), years)
    raise InputError("parameter 'source'", f"must be synthetic or public, not {source!r}")


def describe_inputs(source: str, data_path: str = "") -> str:
    """One paragraph (Markdown) saying which files a 2011 Census chapter read and from where."""

    if source == "synthetic":
        return (
            "The inputs are the **synthetic world's** equivalents of the open files, read through the same "
            "real-format loaders: its 2011 Census origin-destination table (the all-persons column of the Nomis "
            "table by ethnic group), its mid-year populations by age, fertility, house prices, GVA per head, "
            "supergroups and IMD 2010 summary. Run the chapter with `--scenario public` (or `-p source=public`) "
            "for the real open data."
        )
    folder = public_folder(data_path)
    where = (
        "the folder given as `data_path`"
        if data_path
        else "the workplace copy of the open files, because `data/public` has not been fetched"
        if folder == paths.SHARED_PUBLIC
        else "the download cache of `python -m movers fetch`"
    )
    return (
        f"The inputs are **real open data**, read from `{folder}` ({where}): the 2011 Census origin-destination "
        "matrix between local authorities (all ages, both sexes); the December 2014 authority boundaries; the ONS "
        "2011 area classification for local authorities; an IMD 2010 authority summary approximated from the "
        "official small-area (LSOA) scores by their population-weighted average (the official summary is not among "
        "the open files); mid-year population by single year of age and sex; births by age of mother, from which the total "
        "fertility rate is derived; HPSSA median house prices; GVA by authority and MYEB3 populations. "
        "`data/datasets.yml` names each file, its publisher and its checksum."
    )


def describe_components(source: str) -> str:
    """Where the yearly in/out totals come from (Markdown)."""
    if source == "public":
        return (
            "Yearly totals come from ONS's MYEB3 series (population estimates, summary components of change, mid-2018 "
            "edition), read in its official layout: internal moves into and out of each authority and its mid-year population."
        )
    return (
        "Yearly totals are the synthetic world's: moves out of and into each authority from its detailed estimates "
        "(England and Wales only, so moves to and from Scotland and Northern Ireland are not counted, unlike MYEB3) "
        "and its mid-year populations."
    )


# --------------------------------------------------------------------------- the analysis


def out_rates(od: pd.DataFrame, population: pd.Series) -> pd.Series:
    """Moves out of each authority to other authorities, per cent of its population."""
    require_columns(od, ["origin", "destination", "moves"], "OD table")
    between = od[od["origin"] != od["destination"]]
    out = between.groupby("origin")["moves"].sum()
    pop = population.reindex(out.index)
    if pop.isna().any():
        raise InputError("population", f"no population for {', '.join(out.index[pop.isna()][:5])}")
    return (100 * out / pop).rename("out_rate")


def typology_rates(od: pd.DataFrame, population: pd.Series, typology: pd.Series, order: Sequence[str]) -> pd.DataFrame:
    """Rate of moves from authorities of type k (rows) to authorities of type m (columns), per cent of k's population.

    Authorities without a type (e.g. Wales for IMD, which is England's index) are
    left out on both sides, as the report restricts the IMD analysis to England.
    """
    require_columns(od, ["origin", "destination", "moves"], "OD table")
    t = typology.dropna()
    extra = sorted(set(t.unique()) - set(order), key=str)
    if extra:
        raise InputError("typology", f"value(s) not in the order given: {', '.join(map(str, extra))}")
    f = od[(od["origin"] != od["destination"]) & od["origin"].isin(t.index) & od["destination"].isin(t.index)]
    require_nonempty(f, "OD table", "set of flows between typed authorities")
    f = f.assign(k=f["origin"].map(t), m=f["destination"].map(t))
    moves = f.pivot_table(index="k", columns="m", values="moves", aggfunc="sum", fill_value=0).reindex(
        index=order, columns=order, fill_value=0
    )
    pop = population.reindex(t.index).groupby(t).sum().reindex(order)
    return 100 * moves.div(pop, axis=0)


OMITTED = {
    "unemp_o": "no model-based unemployment rate by authority for 2010 or 2011 is among the open files, whose ONS series starts with the year to March 2015",
    "unemp_d": "as for the sending area",
    "non_uk_born": "no APS share born outside the UK by authority is among the open files",
}
MODELS = {
    "Model 1": [],
    "Model 2": ["border", "log_distance"],
    "Model 3": ["border", "log_distance", "log_young", "dependency", "tfr"],
    "Model 4": [
        "border",
        "log_distance",
        "log_young",
        "dependency",
        "tfr",
        "log_gva_o",
        "log_gva_d",
        "log_house_o",
        "log_house_d",
    ],
}
CONTROL_BLOCKS = {
    "Distance and border": ["border", "log_distance"],
    "Demographic structure of sending (without non-UK born)": ["log_young", "dependency", "tfr"],
    "Economic conditions (without unemployment)": ["log_gva_o", "log_gva_d", "log_house_o", "log_house_d"],
}
# SEs clustered at the same estimates, beside the robust ones (``movers.strands.flows.inference``): name -> frame column(s)
CLUSTERS = {"origin": "origin", "destination": "destination", "two-way": ("origin", "destination")}
SAMPLES = {"non-zero": "Non-zero pairs (as the report)", "full": "Full matrix (zeros included)"}


def census_frame(inputs, typology: str, include_zero: bool = False) -> pd.DataFrame:
    """One row per ordered pair of distinct authorities that both have a ``typology`` type.

    Columns: origin, destination, moves, sending, receiving, border, log_distance,
    log_young, dependency, tfr (sending area), log_gva_o/_d, log_house_o/_d,
    log_pop (sending area's population, the offset), wales_o, wales_d.
    ``include_zero=False`` keeps the pairs with at least one move, as the report's
    data (the ONS files list non-zero flows only); ``True`` is the full matrix.
    """
    t = inputs.types[typology].dropna()
    require_nonempty(t, f"typology {typology!r}", "set of typed authorities")
    cov = inputs.covariates
    require_columns(
        cov, ["population", "young_share", "dependency_ratio", "tfr", "house_price", "gva_per_head"], "census covariates"
    )
    codes = np.array(sorted(t.index))
    missing = sorted(set(codes) - set(cov.dropna().index))
    if missing:
        raise InputError(
            "census covariates", f"no complete controls for {len(missing)} authorities, e.g. {', '.join(missing[:5])}"
        )
    c = cov.reindex(codes)
    oi, di = np.nonzero(~np.eye(len(codes), dtype=bool))
    f = pd.DataFrame({"origin": codes[oi], "destination": codes[di]})
    moves = inputs.od.set_index(["origin", "destination"])["moves"]
    f["moves"] = moves.reindex(pd.MultiIndex.from_frame(f[["origin", "destination"]])).fillna(0).to_numpy()
    f["sending"] = t.reindex(codes).to_numpy()[oi]
    f["receiving"] = t.reindex(codes).to_numpy()[di]
    f["border"] = inputs.geography.share_border(f["origin"], f["destination"]).astype(float)
    f["log_distance"] = np.log(inputs.geography.distance_miles(f["origin"], f["destination"]))
    f["log_young"] = np.log(c["young_share"].to_numpy())[oi]
    f["dependency"] = c["dependency_ratio"].to_numpy()[oi]
    f["tfr"] = c["tfr"].to_numpy()[oi]
    for var, col in (("log_gva", "gva_per_head"), ("log_house", "house_price")):
        v = np.log(c[col].to_numpy())
        f[f"{var}_o"], f[f"{var}_d"] = v[oi], v[di]
    f["log_pop"] = np.log(c["population"].to_numpy())[oi]
    f["wales_o"] = f["origin"].str.startswith("W").astype(float)
    f["wales_d"] = f["destination"].str.startswith("W").astype(float)
    f["year"] = inputs.notes.get("census_year", 2011)
    return f if include_zero else f[f["moves"] > 0].reset_index(drop=True)


def published_table(typology: str, sending: str | None) -> int | None:
    """The report's table of a model set: sending tables (``sending=None``) and receiving tables per sending type.

    Supergroups: Table 7 (sending), 8-15 (receiving). IMD quintiles: 16-20 (receiving);
    the report publishes no sending table for IMD quintiles.
    """
    order = flows.levels(typology)
    if typology == "supergroup":
        return 7 if sending is None else 8 + order.index(sending)
    if typology == "imd":
        return None if sending is None else 16 + order.index(sending)
    raise InputError("parameter 'typology'", f"the 2011 census analysis covers supergroup and imd, not {typology!r}")


def report_models(frame: pd.DataFrame, typology: str, exposure: str = "offset") -> dict:
    """Models 1-4 (``MODELS``) of the sending table and of the receiving table of each sending type, fitted
    by the book's one gravity module (``flows.sending_models`` / ``flows.receiving_models``, NB2 with robust SEs).

    Each fit also carries its SEs clustered by origin, by destination and two-way (``CLUSTERS``,
    ``Estimates.extra['clustered_se']``). Returns {key: {"table": published table or None, "models": {model: Estimates},
    "long": agreement.side_by_side frame}}, key "Sending" or the sending type.
    """
    fits = {"Sending": flows.sending_models(frame, typology, MODELS, exposure, clusters=CLUSTERS)}
    fits.update(flows.receiving_models(frame, typology, MODELS, exposure, clusters=CLUSTERS))
    out = {}
    for key, models in fits.items():
        table = published_table(typology, None if key == "Sending" else key)
        rows = list(dict.fromkeys(r for m in models.values() for r in m.index))
        long = agreement.side_by_side(models, table=table, row_map=flows.row_map(table, rows) if table else None)
        out[key] = {"table": table, "models": models, "long": long}
    return out


def run_all(inputs, exposure: str = "offset", typologies: Sequence[str] = ("supergroup", "imd")) -> dict:
    """``report_models`` for every sample (``SAMPLES``) and typology: {sample: {typology: {key: entry}}}."""
    return {
        s: {t: report_models(census_frame(inputs, t, include_zero=(s == "full")), t, exposure) for t in typologies}
        for s in SAMPLES
    }


def agreement_table(results: Mapping[str, dict]) -> pd.DataFrame:
    """One row per published table and sample, from ``run_all`` output: ``agreement.agreement``'s figures."""
    recs = []
    for sample, by_type in results.items():
        for res in by_type.values():
            for key, r in res.items():
                if r["table"] is None:
                    continue
                a = agreement.agreement(r["long"])
                recs.append(
                    {
                        "Table": f"Table {r['table']}",
                        "Model set": "Sending" if key == "Sending" else f"From {key}",
                        "Sample": SAMPLES.get(sample, sample),
                    }
                    | {agreement.AGREEMENT_LABELS[k]: a[k] for k in agreement.AGREEMENT_KEYS}
                )
    return pd.DataFrame(recs)


def pooled_long(results: Mapping[str, dict]) -> pd.DataFrame:
    """Every ``side_by_side`` row of ``run_all`` output in one frame, with its sample, typology and table."""
    return pd.concat(
        [
            e["long"].assign(sample=SAMPLES.get(s, s), typology=t, table=e["table"])
            for s, by_type in results.items()
            for t, res in by_type.items()
            for e in res.values()
        ],
        ignore_index=True,
    )


def model_agreement_table(results: Mapping[str, dict]) -> pd.DataFrame:
    """``agreement.agreement`` per sample and model, pooled over the published tables (rows "Sample, Model k")."""
    long = pooled_long(results)
    parts = {s: agreement.agreement_by(g, "model") for s, g in long.groupby("sample", sort=False)}
    out = pd.concat(parts, names=["Sample", "Model"])
    out.index = [f"{s}, {m}" if m != "All" else f"{s}, all models" for s, m in out.index]
    out.index.name = "Sample, model"
    return out


def overall_agreement(results: Mapping[str, dict]) -> dict:
    """``agreement.agreement`` pooled over every published table, per sample."""
    return {
        s: agreement.agreement(pd.concat([e["long"] for res in by_type.values() for e in res.values()], ignore_index=True))
        for s, by_type in results.items()
    }


def omitted_text() -> str:
    """The report's controls left out, and why, as one sentence fragment."""
    return f"the unemployment rate of both ends, because {OMITTED['unemp_o']}; and the sending area's share of residents born outside the UK, because {OMITTED['non_uk_born']}"


def exposure_text(exposure: str) -> str:
    """What the exposure choice means, and its alternative one parameter away."""
    if exposure == "offset":
        return (
            "Here the count of moves is modelled with the log population of the sending authority as an offset "
            "(a model of the rate that keeps the count likelihood), as in the book's other flows chapters; "
            "`-p exposure=none` fits the counts without an offset."
        )
    if exposure == "none":
        return (
            "Here the count of moves is modelled without an offset (population enters only through the controls); "
            "`-p exposure=offset` uses the log population of the sending authority as an offset, as the book's other flows chapters do."
        )
    raise InputError("parameter 'exposure'", f"must be offset or none, not {exposure!r}")


def control_flags() -> dict[str, list[bool]]:
    """YES/NO rows of the report's tables for Models 1-4 of ``MODELS``."""
    return {block: [all(v in MODELS[m] for v in vs) for m in MODELS] for block, vs in CONTROL_BLOCKS.items()}


def comparison_table(entry: dict, typology: str, sample: str, label: str) -> Table:
    """One model set as a report-style table: for Models 1-4, the 2011 estimate (``coef*** (se)``) and,
    beside it, the published coefficient of the same row and model (``–`` where the report has none)."""
    models, long = entry["models"], entry["long"].set_index(["row", "model"])
    rows = list(dict.fromkeys(r for m in models.values() for r in m.index))
    out = pd.DataFrame(index=rows)
    for m, est in models.items():
        out[f"{m} (2011)"] = [coef_cell(*est.coefs.loc[r, ["estimate", "se", "pvalue"]]) if r in est.index else "" for r in rows]
        if entry["table"] is not None:
            pub = [long.loc[(r, m)] if (r, m) in long.index else None for r in rows]
            out[f"{m} (published)"] = [
                compare.published_of(p) if p is not None and np.isfinite(p["published"]) else "–" for p in pub
            ]
    for block, flags in control_flags().items():
        out.loc[block] = [("YES" if f else "NO") for f in flags for _ in range(2 if entry["table"] is not None else 1)]
    observations = []  # the 2011 fit's own N, and beside it the report's N of that model (never a copy of ours)
    for m in models:
        observations.append(fmt_number(models[m].nobs, 0))
        if entry["table"] is not None:
            published_n = reference.published(entry["table"]).groupby("column")["n_obs"].first()
            observations.append(fmt_number(int(published_n[m]), 0) if m in published_n else "")
    out.loc["Observations"] = observations
    what = "Sending" if label.endswith("sending") else None
    who = {"supergroup": "ONS supergroup", "imd": "IMD 2010 quintile"}[typology]
    key = entry.get("key", "")
    title = (
        f"Outflows by {who} of the sending authority"
        if what
        else f"Flows from {key} authorities by {who} of the receiving authority"
    )
    ref = flows.levels(typology)[0]
    pub = f"beside the report's Table {entry['table']}" if entry["table"] is not None else "no published counterpart"
    a = agreement.agreement(entry["long"])
    notes = (
        f"NB2 regressions of 2011 Census moves between authorities, {SAMPLES[sample].lower()}; reference group {ref}; robust SEs in parentheses; "
        "*** p<0.01, ** p<0.05, * p<0.1. Published: the report's pooled 2011-2018 coefficient, its stars and SE, and "
        "its observations (authority pairs of 2011-2018), as printed."
    )
    if a["n"]:
        notes += (
            f" Of {a['n']} published coefficients, {a['sign']:.0%} share the sign of the 2011 estimate and {a['within_combined']:.0%} "
            f"lie within two combined SEs of it ({a['within_published']:.0%} within two published SEs alone)."
        )
    caption = f"Table {number(label)}: {title}, 2011 Census, {SAMPLES[sample].lower()} ({pub})"
    values = agreement.numbers(entry["long"], {m: models[m].nobs for m in models}, entry["table"])
    return Table(out, caption=caption, notes=notes, label=label, values=values)


def comparison_tables(results: Mapping[str, dict], typology: str, sample: str) -> list:
    """``comparison_table`` for every model set of one typology and sample, sending first."""
    out = []
    for key, entry in results.items():
        slug = "sending" if key == "Sending" else flows.levels(typology).index(key)
        out.append(comparison_table({**entry, "key": key}, typology, sample, f"table-public-{typology}-{sample}-{slug}"))
    return out


# --------------------------------------------------------------------------- yearly gross migration rates (MYEB3)


def myeb3_rates(
    myeb3: pd.DataFrame, units: Mapping[str, str] | None = None, years: Sequence[int] = range(2012, 2019)
) -> pd.DataFrame:
    """Gross internal out- and in-migration rates of the authorities of England and Wales by year, from MYEB3.

    Rate of year t (year to mid-t): internal moves out of (into) the authority over its
    mid-(t-1) population, per cent. ``units`` merges authorities (the census pairs) by
    summing moves and populations. Returns la_code, year, out_rate, in_rate, population, out, in.
    """
    require_columns(myeb3, ["la_code", "year", "population", "internal_in", "internal_out"], "MYEB3")
    m = myeb3[myeb3["la_code"].str[0].isin(["E", "W"])].assign(la_code=lambda d: d["la_code"].replace(dict(units or {})))
    g = m.groupby(["la_code", "year"])[["population", "internal_in", "internal_out"]].sum()
    recs = []
    for y in years:
        if y not in g.index.get_level_values("year") or (y - 1) not in g.index.get_level_values("year"):
            raise InputError("MYEB3", f"no figures for {y} and the year before")
        now, before = g.xs(y, level="year"), g.xs(y - 1, level="year")
        recs.append(
            pd.DataFrame(
                {
                    "la_code": now.index,
                    "year": y,
                    "population": before["population"].reindex(now.index).to_numpy(),
                    "out": now["internal_out"].to_numpy(),
                    "in": now["internal_in"].to_numpy(),
                }
            )
        )
    out = pd.concat(recs, ignore_index=True)
    out["out_rate"] = 100 * out["out"] / out["population"]
    out["in_rate"] = 100 * out["in"] / out["population"]
    return out


def rates_by_group(
    rates: pd.DataFrame, groups: pd.Series, order: Sequence[str] | None = None, which: str = "out"
) -> pd.DataFrame:
    """Year (rows) x group (columns) gross rate: the group's moves over its population, per cent."""
    g = rates.assign(group=rates["la_code"].map(groups)).dropna(subset=["group"])
    tot = g.groupby(["year", "group"])[[which, "population"]].sum()
    wide = (100 * tot[which] / tot["population"]).unstack("group")
    return wide.reindex(columns=[c for c in (order or wide.columns) if c in wide.columns])


def country_of(codes) -> pd.Series:
    """England or Wales for each LA code (GSS codes start with E or W)."""
    codes = list(codes)
    return pd.Series(["England" if c.startswith("E") else "Wales" for c in codes], index=codes)


def country_rates(rates: pd.DataFrame) -> pd.DataFrame:
    """Gross out- and in-migration rates by country (rows "Out-migration, England", ...) and year (columns)."""
    country = country_of(rates["la_code"].unique())
    parts = {
        f"{label}, {c}": s
        for which, label in (("out", "Out-migration"), ("in", "In-migration"))
        for c, s in rates_by_group(rates, country, which=which).items()
    }
    out = pd.DataFrame(parts).T
    out.index.name = "Rate, country"
    return out


SERIES = ("synthetic world", "MYEB3 (real)")


def real_rates(data_path: str = "") -> tuple[pd.DataFrame, pd.Series]:
    """The real MYEB3 gross rates by authority and year (``myeb3_rates``) and the real 2011 supergroup of
    each authority, from the open files (``fetch.public_root``); ``InputError`` when they are not here."""
    root = fetch.public_root(data_path, probe="myeb3")
    rates = myeb3_rates(public.read_myeb3(fetch.local_path(root, "myeb3")))
    groups = public.read_la_classification(fetch.local_path(root, "la_classification_2011")).set_index("la_code")["supergroup"]
    return rates, groups


def rates_beside(
    rates: pd.DataFrame, groups: pd.Series, real: pd.DataFrame, real_groups: pd.Series, order: Sequence[str], which: str = "out"
) -> pd.DataFrame:
    """Gross rate by group (rows: group, then series) and year (columns): the synthetic world's beside MYEB3's."""
    parts = {
        SERIES[0]: rates_by_group(rates, groups, order, which).T,
        SERIES[1]: rates_by_group(real, real_groups, order, which).T,
    }
    return _interleave(parts, [g for g in order if any(g in p.index for p in parts.values())], "Supergroup, series")


def _interleave(parts: Mapping[str, pd.DataFrame], rows: Sequence[str], name: str) -> pd.DataFrame:
    """Rows ``"<row>, <series>"``: each row of every part, the parts of one row together."""
    out = pd.DataFrame(
        [parts[s].loc[r] if r in parts[s].index else pd.Series(dtype=float) for r in rows for s in parts],
        index=[f"{r}, {s}" for r in rows for s in parts],
    )
    out.index.name = name
    return out


def country_beside(rates: pd.DataFrame, real: pd.DataFrame) -> pd.DataFrame:
    """``country_rates`` of the synthetic world beside MYEB3's, one row per rate, country and series."""
    parts = {SERIES[0]: country_rates(rates), SERIES[1]: country_rates(real)}
    return _interleave(parts, list(parts[SERIES[1]].index), "Rate, country, series")


def myeb3_beside(source: str, rates: pd.DataFrame, groups: pd.Series) -> list:
    """What the chapter shows beside its yearly rates: on a public run, one sentence saying the series is the
    real MYEB3; on a synthetic run, the synthetic series beside the real one by supergroup and by country
    (or one sentence with the ``fetch`` command when the open files are not on this machine)."""
    if source == "public":
        return [
            Markdown(
                "The yearly rates above are the **real** MYEB3 series for the authorities of England and Wales; "
                "a run on the synthetic world (`-p source=synthetic`) shows the world's equivalents beside them."
            )
        ]
    try:
        real, real_groups = real_rates("")
    except InputError as exc:
        return [
            Markdown(
                f"The real MYEB3 series is not on this machine ({exc}); "
                "`python -m movers fetch myeb3 la_classification_2011` brings it, and this section then shows it beside the synthetic world's."
            )
        ]
    order = flows.levels("supergroup")
    caption = "Gross internal out-migration rate by ONS supergroup and year: the synthetic world beside the real MYEB3 series (per cent)"
    notes = (
        "Real: ONS MYEB3 (mid-2018 edition), moves out of the supergroup's authorities over their population a year earlier, "
        "including moves to Scotland and Northern Ireland; supergroups from the ONS 2011 area classification. "
        "Synthetic: the world's own detailed estimates and populations, England and Wales only."
    )
    return [
        Markdown(
            "These rates are the **synthetic world's**. Beside them, the same rates from the real MYEB3 series show how far the world's migration levels are from England and Wales's."
        ),
        render(
            rates_beside(rates, groups, real, real_groups, order),
            digits=2,
            caption=caption,
            notes=notes,
            label="table-public-myeb3-beside-sg",
        ),
        render(
            country_beside(rates, real),
            digits=2,
            caption="Gross internal out- and in-migration rates by country and year: the synthetic world beside MYEB3 (per cent)",
            label="table-public-myeb3-beside-country",
        ),
    ]


def harmonisation_note(inputs):
    """What happened to the codes of each open file (a table), or a sentence for the synthetic world."""
    if not inputs.harmonised:
        return Markdown(
            "The synthetic world's files are all on the authorities of its own geography; no code needed harmonising."
        )
    return numbered(
        [
            render(
                harmonisation_summary(inputs),
                digits=0,
                label="table-public-harmonisation",
                caption="How each open file was put on the 2011 Census areas of England and Wales (number of LA codes)",
                notes="Census pairs merged: City of London into Westminster and Isles of Scilly into Cornwall, as the census published its flows. "
                "Older codes recoded: 2009-2013 codes renamed to the 2014 ones. Merged codes spread: a 2019-2021 authority's value given to each of its former districts. "
                "Scotland / NI dropped: authorities outside England and Wales, left out as the report does.",
            )
        ]
    )[0]


# --------------------------------------------------------------------------- the chapter's sections (flows_public)


def input_facts(inputs: CensusInputs) -> dict:
    """What the chapter's prose cites about the matrix: its areas, its moves, the years of the controls
    and the controls left out."""
    n = inputs.notes
    return {
        "n_units": n["n_units"],
        "n_england": n["n_england"],
        "moves_between": n["moves_between"],
        "moves_dropped": n["moves_dropped"],
        "lag_year": str(n["lag_year"]),
        "census_year": str(n["census_year"]),
        "omitted": omitted_text(),
    }


def out_rate_facts(inputs: CensusInputs, rates: pd.Series) -> dict:
    """The median authority's out-migration rate and the authority (by name) with the highest one."""
    names = inputs.geography.las.set_index("la_code")["la_name"]
    return {"rate_median": rates.median(), "rate_max_la": names.loc[rates.idxmax()], "rate_max": rates.max()}


def rate_section(inputs: CensusInputs) -> Section:
    """Moves between supergroups and between IMD quintiles, per cent of the sending group's residents
    (two tables), and the most deprived fifth's rates to itself and to the least deprived fifth."""
    pop = inputs.covariates["population"]
    sg = typology_rates(inputs.od, pop, inputs.types["supergroup"], flows.levels("supergroup"))
    iq = typology_rates(inputs.od, pop, inputs.types["imd"], public.IMD_GROUPS)
    shown = [
        render(
            sg.rename_axis("Sending \\ receiving"),
            digits=3,
            caption="Moves between ONS supergroups, 2011 Census, per cent of the sending supergroup's residents",
            label="table-public-rates-sg",
        ),
        render(
            iq.rename_axis("Sending \\ receiving"),
            digits=3,
            caption="Moves between IMD 2010 quintiles, England, 2011 Census, per cent of the sending quintile's residents",
            label="table-public-rates-imd",
        ),
    ]
    facts = {"rate_hh": iq.loc["High deprivation", "High deprivation"], "rate_hl": iq.loc["High deprivation", "Low deprivation"]}
    return Section(numbered(shown), facts, {"supergroup": sg, "imd": iq})


def gravity_section(inputs: CensusInputs, exposure: str = "offset") -> Section:
    """Every model of ``run_all``, the agreement table per published table and sample, and the pooled
    agreement shares (per cent) the prose cites; ``frames['results']`` holds the fits for the comparison tables.
    An exposure this chapter does not offer is refused before any model is fitted."""
    text = exposure_text(exposure)
    results = run_all(inputs, exposure)
    overall = overall_agreement(results)
    facts = {"n_published": overall["non-zero"]["n"], "exposure_text": text}
    for sample, a in overall.items():
        key = "nonzero" if sample == "non-zero" else sample
        facts |= {
            f"sign_{key}": 100 * a["sign"],
            f"within_{key}": 100 * a["within_combined"],
            f"within_pub_{key}": 100 * a["within_published"],
            f"mae_{key}": a["mae"],
        }
    what = (
        "the 2011 estimate has the same sign; its gap to the published value is at most two combined standard errors "
        "(the root of the sum of both squared SEs); at most two published SEs alone (the report's SEs pool eight years and "
        "are far smaller than one census year's, so this share understates agreement)."
    )
    table = render(
        agreement_table(results).set_index("Table"),
        digits=agreement.AGREEMENT_DIGITS,
        caption="Agreement of the 2011 Census estimates with the report's coefficients, per published table and sample",
        notes="Over the published area-type coefficients (Models 1-4) of each table: mean absolute gap, correlation; shares where "
        + what,
        label="table-public-agreement",
    )
    by_model = render(
        model_agreement_table(results),
        digits=agreement.AGREEMENT_DIGITS,
        caption="Agreement of the 2011 Census estimates with the report's coefficients, per sample and model (Tables 7-20 pooled)",
        notes="As the table above, pooled over the published tables, per model.",
        label="table-public-agreement-models",
    )
    return Section(numbered([table, by_model]), facts, {"results": results})


def yearly_section(source: str, inputs: CensusInputs, data_path: str = "") -> Section:
    """Gross out-migration rates by year from MYEB3 (by supergroup, IMD quintile and country; beside the
    real series when the source is synthetic), and the change of England's rate into 2017 with the year
    of the largest rise (ONS changed its estimate of student moves from mid-2017)."""
    rates = myeb3_rates(components_for(source, data_path), units=inputs.units)
    by_country = country_rates(rates)
    shown = [
        Markdown(describe_components(source)),
        render(
            rates_by_group(rates, inputs.types["supergroup"], flows.levels("supergroup")).T.rename_axis("Supergroup"),
            digits=2,
            label="table-public-myeb3-sg",
            caption="Gross internal out-migration rate by ONS supergroup and year (moves out of the group's authorities, per cent of their population a year earlier)",
        ),
        render(
            rates_by_group(rates, inputs.types["imd"], public.IMD_GROUPS).T.rename_axis("IMD 2010 quintile"),
            digits=2,
            label="table-public-myeb3-imd",
            caption="Gross internal out-migration rate by IMD 2010 quintile and year, England (per cent)",
        ),
        render(
            by_country,
            digits=2,
            caption="Gross internal out- and in-migration rates by country and year (per cent)",
            label="table-public-myeb3-country",
        ),
        *myeb3_beside(source, rates, inputs.types["supergroup"]),
    ]
    rise = by_country.diff(axis=1).loc["Out-migration, England"]
    facts = {
        **words.directed("jump_2017", float(rise[2017]), "rose", "fell", "did not change"),
        "max_rise_year": str(rise.idxmax()),
    }
    return Section(numbered(shown), facts, {"rates": rates})


# --------------------------------------------------------------------------- shared borders and estuaries

# authorities facing each other across an estuary, with a bridge or tunnel but no land boundary between them
ESTUARY_PAIRS = {
    ("E08000012", "E08000015"): "the Mersey",
    ("E06000010", "E06000013"): "the Humber",
    ("E06000026", "E06000052"): "the Tamar",
}


def border_facts(source: str, inputs: CensusInputs, bounds) -> dict:
    """How the shared-border control is defined and what estuaries do to it, as text for the prose.

    On the real boundaries (``public``): for each pair of ``ESTUARY_PAIRS``, whether the project's queen
    contiguity (``geography.adjacency``, 1 m tolerance) gives it a border, and the shortest distance between
    the two clipped polygons (km). The synthetic world's shapes are invented, so it gets one sentence.
    """
    n_pairs = sum(len(v) for v in inputs.geography.neighbours.values()) // 2
    if source != "public":
        return {
            "n_border_pairs": n_pairs,
            "estuary_text": "The synthetic world's boundaries are invented, so it has no estuaries; a run on the open files "
            "(`-p source=public`) names the real pairs that face each other across one.",
        }
    names = inputs.geography.las.set_index("la_code")["la_name"]
    shapes = bounds.set_index("la_code").geometry
    parts, without = [], 0
    for (a, b), water in ESTUARY_PAIRS.items():
        border = bool(inputs.geography.share_border([a], [b])[0])
        without += not border
        gap = shapes[a].distance(shapes[b]) / 1000
        parts.append(
            f"{names[a]} and {names[b]} across {water} ("
            + ("a shared border" if border else f"no shared border: {gap:.1f} km apart at the closest")
            + ")"
        )
    return {
        "n_border_pairs": n_pairs,
        "estuary_text": f"Of the three pairs of authorities that face each other across an estuary, {without} get no shared border: "
        + "; ".join(parts)
        + ". Their flows enter the models as flows between non-neighbours.",
    }
