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
  ``flows.fit_nb2``), with the published coefficients beside them
  (``agreement.side_by_side``); their agreement per table and per model is a table
  of ``movers.pages.flows_public``.

Controls that no open file gives for 2010-2011 (unemployment, share born
outside the UK) are left out of Models 3 and 4 (``OMITTED_COVARIATES``), never replaced.

The pairs and the models are the book's one flows pipeline: ``census_frame`` is
``flows.pairs`` + ``flows.pair_year`` on the census year, ``MODELS`` is ``flows.MODELS`` less the
omitted controls, and house prices are ``movers.data.public.house_prices``, as for the yearly
chapters. Results are frames and dicts; the words, numbers and tables of the chapter are
``movers.pages.flows_public``'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from movers.core import paths
from movers.core.errors import InputError, require_columns, require_nonempty
from movers.data import codes as lacodes, manifest as manifests, nomis, ons_flows, public
from movers.data.geography import load_geography
from movers.estimators import agreement
from movers.strands.flows import models as flows

# --------------------------------------------------------------------------- inputs: the open files or the synthetic world's equivalents


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
    (2011), house_price (``public.house_prices`` of the lag year), gva_per_head (lag year);
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
    TFR is ``census_year``'s; house prices (``public.house_prices``) and GVA per head (GVA over
    MYEB3 population) are ``lag_year``'s, the report's one-year lag.
    """

    folder = Path(folder)
    p = {name: manifests.local_path(folder, name) for name in CENSUS_DATASETS}
    geo = public.real_geography(p["lad_boundaries_2014"], p["gva_la"], cache_dir, merge_census=True)
    units = sorted(geo.las["la_code"])
    recode = {k: v for k, v in public.read_crosswalk(p["la_code_crosswalk"]).items() if not k.startswith(("E41", "W40"))}
    matrix = public.census_matrix(p["census2011_od"], public.read_crosswalk(p["la_code_crosswalk"]))
    od = matrix.flows
    lad20x = lacodes.read_table(p["lad_harmonisation_lad20x"]).members(lacodes.NORTHANTS_2021)
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
    hp = public.house_prices(p["hpssa9"])
    h["house_price"] = public.to_units(hp[hp["year"] == lag_year], p["hpssa9"], units, ["house_price"], "mean", weights=pop_raw)
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
            "house_price": h["house_price"].values["house_price"],
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
        "moves_dropped": matrix.dropped_moves,
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
        path = manifests.local_path(folder, "imd2010_ltla21_reaggregated")
    except InputError:
        return approx, {"imd_weighted": 0, "imd_unweighted": len(approx), "imd_changed": []}
    weighted = public.imd_la_weighted(approx, path, public.read_crosswalk(crosswalk_path))
    changed = public.quintile_changes(approx, weighted)["la_code"].tolist()
    n = int(weighted["weighted"].sum())
    return weighted, {"imd_weighted": n, "imd_unweighted": len(weighted) - n, "imd_changed": changed}


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
        return census_inputs(paths.open_data_root(data_path), cache_dir or paths.DATA / "cache" / "public_geography")
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
        return public.read_myeb3(manifests.local_path(paths.open_data_root(data_path), "myeb3"))
    if source == "synthetic":
        return synthetic_components(paths.data_dir("synthetic", data_path or None), years)
    raise InputError("parameter 'source'", f"must be synthetic or public, not {source!r}")


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


# The report's controls that no open file gives for 2010-2011 (``movers.pages.flows_public.OMITTED`` says why):
# left out of every model.
OMITTED_COVARIATES = ("unemployment_rate", "non_uk_born")


def census_models() -> dict[str, list[str]]:
    """The report's Models 1-4 (the one list, ``flows.model_controls``) without the controls the open files lack;
    read on first use (importing the module reads no file), also as ``public.MODELS``."""
    return flows.without(flows.model_controls(), OMITTED_COVARIATES)


def __getattr__(name: str):
    if name == "MODELS":
        return census_models()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# SEs clustered at the same estimates, beside the robust ones (``movers.strands.flows.inference``): name -> frame column(s)
CLUSTERS = {"origin": "origin", "destination": "destination", "two-way": ("origin", "destination")}
SAMPLES = {"non-zero": "Non-zero pairs (as the report)", "full": "Full matrix (zeros included)"}


def census_frame(inputs, typology: str, include_zero: bool = False) -> pd.DataFrame:
    """One row per ordered pair of distinct authorities that both have a ``typology`` type: the book's one
    pair frame (``flows.pairs``, ``flows.pair_year``) on the census matrix, with year ``census_year``.

    The controls are ``inputs.covariates`` as they are (their own years, ``census_inputs``), the offset the
    sending area's census-year population; the controls of ``OMITTED_COVARIATES`` are NaN and in no model.
    ``include_zero=False`` keeps the pairs with at least one move, as the report's data (the ONS files
    list non-zero flows only); ``True`` is the full matrix.
    """
    cov = inputs.covariates
    require_columns(
        cov, ["population", "young_share", "dependency_ratio", "tfr", "house_price", "gva_per_head"], "census covariates"
    )
    base = flows.pairs(inputs.types[typology], inputs.geography)
    moves = inputs.od.set_index(["origin", "destination"])["moves"]
    year = inputs.notes.get("census_year", 2011)
    f = flows.pair_year(base, year, moves, cov, cov["population"], OMITTED_COVARIATES, "census covariates")
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
    """Models 1-4 (``census_models``) of the sending table and of the receiving table of each sending type, fitted
    by the book's one gravity module (``flows.sending_models`` / ``flows.receiving_models``, NB2 with robust SEs).

    Each fit also carries its SEs clustered by origin, by destination and two-way (``CLUSTERS``,
    ``Estimates.extra['clustered_se']``). Returns {key: {"table": published table or None, "models": {model: Estimates},
    "long": agreement.side_by_side frame}}, key "Sending" or the sending type.
    """
    models = census_models()
    fits = {"Sending": flows.sending_models(frame, typology, models, exposure, clusters=CLUSTERS)}
    fits.update(flows.receiving_models(frame, typology, models, exposure, clusters=CLUSTERS))
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
    each authority, from the open files (``paths.open_data_root``); ``InputError`` when they are not here."""
    root = paths.open_data_root(data_path)
    rates = myeb3_rates(public.read_myeb3(manifests.local_path(root, "myeb3")))
    groups = public.read_la_classification(manifests.local_path(root, "la_classification_2011")).set_index("la_code")[
        "supergroup"
    ]
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


# --------------------------------------------------------------------------- shared borders and estuaries

# authorities facing each other across an estuary, with a bridge or tunnel but no land boundary between them
ESTUARY_PAIRS = {
    ("E08000012", "E08000015"): "the Mersey",
    ("E06000010", "E06000013"): "the Humber",
    ("E06000026", "E06000052"): "the Tamar",
}


def border_pairs(inputs: CensusInputs) -> int:
    """The number of unordered pairs of the matrix's areas that share a border (``geography.adjacency``)."""
    return sum(len(v) for v in inputs.geography.neighbours.values()) // 2


def estuary_borders(inputs: CensusInputs, bounds) -> pd.DataFrame:
    """For each pair of ``ESTUARY_PAIRS`` on the real boundaries (``bounds``, by la_code): whether the project's
    queen contiguity (1 m tolerance) gives it a border, and the shortest distance between the two clipped
    polygons in km. Columns: a, b, water, border, gap_km."""
    shapes = bounds.set_index("la_code").geometry
    rows = [
        {
            "a": a,
            "b": b,
            "water": water,
            "border": bool(inputs.geography.share_border([a], [b])[0]),
            "gap_km": shapes[a].distance(shapes[b]) / 1000,
        }
        for (a, b), water in ESTUARY_PAIRS.items()
    ]
    return pd.DataFrame(rows)
