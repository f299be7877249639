"""Internal migration flows between area types: descriptive rates and negative-binomial gravity models.

The report (Tables 2-20) fits, for each pair of authorities i -> j and year t,

    Moves_ij,t = a + b * type + c1 * GeoP_ij + c2 * Dem_i,t + c3 * Push_i,t + c4 * Pull_j,t + u

by negative binomial regression with robust SEs, controls lagged one year,
logs of distance, house prices, GVA per head and the young share, and year
effects (Table 1). Models 1-4 add the control blocks in turn. This module:

* ``load`` reads the ONS detailed estimates, the NOMIS covariates, the
  classifications and the geography through their loaders;
* ``pair_frame`` builds the pair-year analysis frame, with or without the
  zero flows (the ONS files list non-zero flows only, and so did the report);
* ``type_rates`` computes the descriptive rates Moves_km / Population_k;
* ``fit_nb2`` (from ``movers.estimators.nb2``) is a fast NB2 maximum-likelihood fit with
  Stata's robust SEs: statsmodels' ``NegativeBinomial`` takes minutes on the
  966,048 pair-years of England and Wales, this takes seconds;
* ``sending_models`` / ``receiving_models`` run Models 1-4 (or any named
  control lists) on any pairs frame with a typology column and return
  ``movers.estimators.results.Estimates`` labelled with the report's row names: the one
  gravity module of every flows chapter, the open-data one included;
* the chapter layer (``chapter_setup``, ``Section`` and the section functions)
  turns the fits into tables and prose facts, so each chapter cell is a call,
  a glue and a render. Labels, Table 1 and the typologies' own words come from
  ``data/dictionaries/flows.yml``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from movers import fetch
from movers.core import config as yamlfile, paths, source as sources
from movers.core.errors import InputError, require_nonempty
from movers.core.truth import read_truth
from movers.data import nomis, ons_flows, open_yearly, public
from movers.data.geography import load_geography
from movers.estimators.nb2 import NBFit, covariance, fit_nb2, fit_ztnb  # noqa: F401  (flows.fit_nb2 / flows.NBFit stay importable)
from movers.estimators.results import Estimates
from movers.pages import compare, tables, words

TYPOLOGIES = ("smi", "supergroup", "imd")
RATE_PER = 1000  # exposure "rate": moves per this many residents of the sending authority
SIGNIFICANCE = 0.05  # the report discusses only coefficients significant at this level
DICTIONARY = paths.DATA / "dictionaries" / "flows.yml"
OPEN_CACHE = paths.BUILD / "open_yearly"  # the loaders' folders written from open downloads, one per chapter (a cache)


@cache
def _dictionary(path: str) -> dict:
    p = Path(path)
    if not p.exists():
        raise InputError(p, "the flows dictionary is missing")
    d = yamlfile.read(p, {})
    for key in ("variables", "typologies", "chapters", "exposures"):
        if not isinstance(d.get(key), dict):
            raise InputError(p, f"needs a mapping {key!r}")
    for name, var in d["variables"].items():
        missing = [f for f in ("category", "block", "label", "description", "values", "transform") if f not in var]
        if missing:
            raise InputError(p, f"variable {name!r} lacks {', '.join(missing)}")
    return d


def dictionary(path: str | Path = DICTIONARY) -> dict:
    """The flows dictionary (``data/dictionaries/flows.yml``): variables, typologies in their own words, chapters."""
    return _dictionary(str(path))


# variable -> the report's row label; control blocks in the report's order; the four models
LABELS = {k: v["label"] for k, v in dictionary()["variables"].items()}
_VARIABLES = dictionary()["variables"]
BLOCKS = {
    b: [n for n, v in _VARIABLES.items() if v["block"] == b] for b in dict.fromkeys(v["block"] for v in _VARIABLES.values())
}
MODELS = {
    "Model 1": [],
    "Model 2": BLOCKS["Distance and border"],
    "Model 3": BLOCKS["Distance and border"] + BLOCKS["Demographic structure of sending"],
    "Model 4": BLOCKS["Distance and border"] + BLOCKS["Demographic structure of sending"] + BLOCKS["Economic conditions"],
}


def variable_table() -> pd.DataFrame:
    """Table 1 of the report (the control variables), generated from the dictionary rather than typed."""
    rows = [
        {
            "Variable category": v["category"],
            "Variable description": v["description"],
            "Range of values": v["values"],
            "Transformation": v["transform"],
        }
        for v in dictionary()["variables"].values()
    ]
    return pd.DataFrame(rows, index=[v["label"] for v in dictionary()["variables"].values()]).rename_axis("Row label")


@dataclass
class FlowData:
    """Everything the flows chapters read: pair-year totals (non-zero), covariates, types, geography."""

    totals: pd.DataFrame  # year, origin, destination, moves (non-zero rows, as published)
    detailed: pd.DataFrame | None  # year, origin, destination, age, sex, moves
    covariates: pd.DataFrame  # la_code, year, ... (movers.data.nomis.covariates)
    population: pd.DataFrame  # la_code, year, sex, age, population
    types: pd.DataFrame  # la_code, smi, supergroup, imd, ...
    geography: object  # movers.data.geography.Geography
    truth: dict
    omitted: tuple = ()  # controls with no figure in these data (open data): left out of every model


def load(data_dir, years: Sequence[int], keep_detailed: bool = True, omit: Sequence[str] = ()) -> FlowData:
    """Read flows (``years`` and the year before for the lagged controls' covariates) and every input through the loaders.

    ``data_dir`` is a folder or a ``movers.core.source.DataSource`` (its root; its truth of the flows data).
    ``omit``: controls (``nomis.OMITTABLE``) and classifications (``smi``) whose files these data lack."""
    data_dir = Path(data_dir.root if isinstance(data_dir, sources.DataSource) else data_dir)
    years = list(years)
    if not years:
        raise InputError("parameter 'years'", "the year range is empty")
    geo = load_geography(data_dir / "geography")
    known = set(geo.las["la_code"])
    det = ons_flows.read_detailed(data_dir / "flows", years, known)
    totals = ons_flows.pair_year_totals(det)
    # the share of professionals is a control of the BHPS-UKHLS chapter only: the flows models never read it
    cov = nomis.covariates(data_dir / "nomis", known, omit=[*(c for c in omit if c in nomis.OMITTABLE), "prop_professional"])
    pop = nomis.population(data_dir / "nomis", known, years=sorted(set(years)))
    types = nomis.classifications(data_dir / "nomis", known, omit=[c for c in omit if c == "smi"])
    truth = read_truth(data_dir / "flows")
    controls = tuple(c for c in omit if c in nomis.OMITTABLE)
    return FlowData(totals, det if keep_detailed else None, cov, pop, types, geo, truth, controls)


def parse_years(spec) -> list[int]:
    """``"2017-2018"``, ``"2011,2013"`` or a list -> list of years; an empty or reversed range is an error."""
    if isinstance(spec, (list, tuple)):
        years = [int(y) for y in spec]
    else:
        years = []
        for part in str(spec).split(","):
            part = part.strip()
            if "-" in part:
                a, b = (int(x) for x in part.split("-"))
                years += list(range(a, b + 1))
            elif part:
                years.append(int(part))
    if not years:
        raise InputError("parameter 'years'", f"no years in {spec!r}")
    return sorted(set(years))


def levels(typology: str) -> list[str]:
    """Ordered area types of a typology; the first is the reference group of the report's regressions."""
    return nomis.typology_levels(typology)


LAGGED = ("young_share", "dependency_ratio", "non_uk_born", "tfr", "unemployment_rate", "gva_per_head", "house_price")


def pair_frame(
    data: FlowData, typology: str, years: Sequence[int], include_zero: bool = False, sex: str | None = None
) -> pd.DataFrame:
    """The regression frame: one row per ordered pair of typed authorities and year.

    Columns: moves, sending, receiving (area types), border, log_distance,
    one-year-lagged controls (logs as in Table 1), log_pop (sending LA's
    population in year t, the offset), wales_o / wales_d, year. With
    ``include_zero=False`` only pairs with at least one move are kept, as the
    report could do with the ONS files; ``True`` gives the full matrix.
    ``sex`` ("M" or "F") models one sex's moves with that sex's population as the offset.
    """
    t = data.types.set_index("la_code")[typology].dropna()
    require_nonempty(t, f"typology {typology!r}", "set of typed authorities")
    codes = np.array(sorted(t.index))
    n = len(codes)
    oi, di = np.nonzero(~np.eye(n, dtype=bool))
    base = pd.DataFrame({"origin": codes[oi], "destination": codes[di]})
    base["border"] = data.geography.share_border(base["origin"], base["destination"]).astype(float)
    base["log_distance"] = np.log(data.geography.distance_miles(base["origin"], base["destination"]))
    base["sending"] = base["origin"].map(t).to_numpy()
    base["receiving"] = base["destination"].map(t).to_numpy()
    if sex not in (None, "M", "F"):
        raise InputError("parameter 'sex'", f"must be M, F or all, not {sex!r}")
    if sex is not None and data.detailed is None:
        raise InputError("flows", "flows by sex need the detailed estimates (load(..., keep_detailed=True))")
    totals = data.totals if sex is None else ons_flows.pair_year_totals(data.detailed, sex=sex)
    flows = totals.set_index(["year", "origin", "destination"])["moves"]
    cov = data.covariates.set_index(["la_code", "year"])
    pop = data.population if sex is None else data.population[data.population["sex"] == (1 if sex == "M" else 2)]
    pop_year = pop.groupby(["la_code", "year"])["population"].sum()
    frames = []
    for year in years:
        f = base.copy()
        f["year"] = year
        key = pd.MultiIndex.from_arrays([np.full(len(f), year), f["origin"], f["destination"]])
        f["moves"] = flows.reindex(key).fillna(0).to_numpy()
        if (year - 1) not in cov.index.get_level_values("year"):
            raise InputError("covariates", f"no covariates for {year - 1} (the lagged controls of {year})")
        lag = cov.xs(year - 1, level="year").reindex(codes)
        need = [c for c in LAGGED if c not in data.omitted]
        lacking = [c for c in need if lag[c].isna().any()]
        if lacking:
            raise InputError(
                "covariates",
                f"missing {year - 1} value(s) of {', '.join(lacking)} for {int(lag[lacking].isna().any(axis=1).sum())} authorities "
                f"(the lagged controls of {year})",
            )
        o, d = oi, di
        f["log_young"] = np.log(lag["young_share"].to_numpy())[o]
        f["dependency"] = lag["dependency_ratio"].to_numpy()[o]
        f["non_uk_born"] = lag["non_uk_born"].to_numpy()[o]
        f["tfr"] = lag["tfr"].to_numpy()[o]
        for var, col, fn in (
            ("unemp", "unemployment_rate", lambda x: x),
            ("log_gva", "gva_per_head", np.log),
            ("log_house", "house_price", np.log),
        ):
            v = fn(lag[col].to_numpy())
            f[f"{var}_o"] = v[o]
            f[f"{var}_d"] = v[d]
        pop = pop_year.xs(year, level="year").reindex(codes).to_numpy()
        if np.isnan(pop).any():
            raise InputError("population", f"no {year} population for some authorities")
        f["log_pop"] = np.log(pop)[o]
        frames.append(f)
    out = pd.concat(frames, ignore_index=True)
    out["wales_o"] = out["origin"].str.startswith("W").astype(float)
    out["wales_d"] = out["destination"].str.startswith("W").astype(float)
    if not include_zero:
        out = out[out["moves"] > 0].reset_index(drop=True)
    return out


# ---------------------------------------------------------------- models


def type_label(side: str, level: str, typology: str) -> str:
    """The report's row label of an area-type dummy ("Sending: cold spot", "Receiving: Urban Settlements", "2nd quintile")."""
    if typology == "smi":
        return f"{side}: {level.lower()}"
    if typology == "imd" and side == "Receiving":
        return level
    return f"{side}: {level}"


def design(
    frame: pd.DataFrame,
    factor: str,
    order: Sequence[str],
    typology: str,
    controls: Sequence[str],
    countries: bool = True,
    labels: Mapping[str, str] = LABELS,
) -> tuple[np.ndarray, list[str], list[str]]:
    """Design matrix: constant, area-type dummies (reference = first level), year dummies, country dummies, controls.

    Returns the matrix, all column names, and the columns shown in tables (dummies and controls).
    Types or years absent from the frame get no column (so small samples stay estimable); a frame
    without ``year`` (one cross-section) or without ``wales_o``/``wales_d`` gets no such effects.
    Controls are named by ``labels`` (their own name when not in it).
    """
    cols = {"const": np.ones(len(frame))}
    shown = []
    side = "Sending" if factor == "sending" else "Receiving"
    for lev in order[1:]:
        v = (frame[factor] == lev).to_numpy(dtype=float)
        if v.any():
            name = type_label(side, lev, typology)
            cols[name] = v
            shown.append(name)
    years = sorted(frame["year"].unique()) if "year" in frame else []
    for y in years[1:]:
        cols[f"year {y}"] = (frame["year"] == y).to_numpy(dtype=float)
    for c in ("wales_o", "wales_d") if countries else ():
        v = frame[c].to_numpy(dtype=float) if c in frame else np.zeros(0)
        if 0 < v.sum() < len(v):
            cols[c] = v
    for c in controls:
        cols[labels.get(c, c)] = frame[c].to_numpy(dtype=float)
        shown.append(labels.get(c, c))
    return np.column_stack(list(cols.values())), list(cols), shown


def outcome(frame: pd.DataFrame, exposure: str) -> tuple[np.ndarray, np.ndarray | None]:
    """The modelled outcome and offset of an ``exposure`` choice.

    ``"offset"``: moves with log population of the sending LA as offset (a model
    of the rate that keeps the count likelihood); ``"rate"``: moves per 1,000
    residents of the sending LA as the outcome, no offset (the report's wording,
    "Moves is the flow rate"); ``"none"``: raw counts, no offset.
    """
    y = frame["moves"].to_numpy(dtype=float)
    if exposure == "offset":
        return y, frame["log_pop"].to_numpy()
    if exposure == "rate":
        return RATE_PER * y / np.exp(frame["log_pop"].to_numpy()), None
    if exposure == "none":
        return y, None
    raise InputError("parameter 'exposure'", f"must be offset, rate or none, not {exposure!r}")


def estimates(fit: NBFit, shown: Sequence[str]) -> Estimates:
    """The shown rows of an NB2 fit as the book's results object (alpha and iterations in ``extra``)."""
    idx = [fit.names.index(s) for s in shown]
    coefs = tables.coef_frame(shown, fit.params[idx], fit.se[idx])
    return Estimates(
        coefs,
        nobs=int(fit.nobs),
        seconds=float(fit.seconds),
        converged=bool(fit.converged),
        extra={"alpha": float(fit.alpha), "iterations": int(fit.iterations), "loglik": float(fit.loglik)},
    )


def fit_model(
    frame: pd.DataFrame,
    factor: str,
    order: Sequence[str],
    typology: str,
    controls: Sequence[str],
    exposure: str = "offset",
    labels: Mapping[str, str] = LABELS,
    clusters: Mapping[str, str | tuple[str, ...]] | None = None,
) -> Estimates:
    """One NB2 regression (robust HC1 SEs) of ``moves`` on the dummies of column ``factor`` and ``controls``.

    ``clusters`` (name -> a frame column, or a tuple of columns for multi-way clustering) adds, in
    ``extra['clustered_se']``, the shown rows' SEs clustered each way at the same estimates
    (``nb2.covariance``), beside the robust ones the tables show.
    """
    require_nonempty(frame, "pair frame", "set of pair-years")
    y, offset = outcome(frame, exposure)
    X, names, shown = design(frame, factor, order, typology, controls, labels=labels)
    fit = fit_nb2(X, y, offset, names)
    est = estimates(fit, shown)
    if not clusters:
        return est
    idx = [fit.names.index(s) for s in shown]
    se = {}
    for name, cols in clusters.items():
        groups = tuple(frame[c].to_numpy() for c in cols) if isinstance(cols, tuple) else frame[cols].to_numpy()
        with np.errstate(invalid="ignore"):
            se[name] = np.sqrt(np.diag(covariance(fit, X, y, offset, groups))[idx])
    return est.with_(extra={**est.extra, "clustered_se": pd.DataFrame(se, index=shown)})


# The model variables built from each control that open data may lack (``FlowData.omitted``).
OMITTED_VARIABLES = {"unemployment_rate": ("unemp_o", "unemp_d"), "non_uk_born": ("non_uk_born",)}


def without(models, omitted: Sequence[str]) -> dict[str, list[str]]:
    """Model names (or name -> controls) as name -> controls, leaving out the variables of the ``omitted``
    covariates (those the data hold no figure for)."""
    drop = {v for c in omitted for v in OMITTED_VARIABLES.get(c, ())}
    return {m: [v for v in c if v not in drop] for m, c in _specs(models).items()}


def _specs(models) -> dict[str, list[str]]:
    """Model names (of ``MODELS``) or a mapping name -> controls, as a mapping."""
    if isinstance(models, Mapping):
        return {m: list(c) for m, c in models.items()}
    unknown = [m for m in models if m not in MODELS]
    if unknown or not len(models):
        raise InputError("parameter 'models'", f"must name some of {', '.join(MODELS)}, not {list(models)!r}")
    return {m: MODELS[m] for m in models}


def sending_models(
    frame: pd.DataFrame,
    typology: str,
    models=tuple(MODELS),
    exposure: str = "offset",
    order: Sequence[str] | None = None,
    labels: Mapping[str, str] = LABELS,
    clusters: Mapping[str, str | tuple[str, ...]] | None = None,
) -> dict[str, Estimates]:
    """Which areas do people leave? Each model (a name of ``MODELS`` or name -> controls) with sending-type
    dummies (Tables 2 and 7). ``frame`` has ``moves``, ``sending``, the controls (and ``log_pop`` for an offset)."""
    order = list(order or levels(typology))
    return {m: fit_model(frame, "sending", order, typology, c, exposure, labels, clusters) for m, c in _specs(models).items()}


def receiving_models(
    frame: pd.DataFrame,
    typology: str,
    models=tuple(MODELS),
    exposure: str = "offset",
    sending: Sequence[str] | None = None,
    order: Sequence[str] | None = None,
    labels: Mapping[str, str] = LABELS,
    clusters: Mapping[str, str | tuple[str, ...]] | None = None,
) -> dict[str, dict[str, Estimates]]:
    """Where do people go? For each sending type (all present in ``frame``, or those named in ``sending``),
    each model with receiving-type dummies (Tables 3-5, 8-15, 16-20): ``{sending type: {model: Estimates}}``."""
    order = list(order or levels(typology))
    wanted = list(sending) if sending is not None else [k for k in order if (frame["sending"] == k).any()]
    unknown = [k for k in wanted if k not in order]
    if unknown:
        raise InputError("parameter 'sending'", f"{unknown[0]!r} is not a level of {typology}")
    out = {}
    for k in wanted:
        sub = frame[frame["sending"] == k]
        require_nonempty(sub, f"flows from {k}", "set of pair-years")
        out[k] = {
            m: fit_model(sub, "receiving", order, typology, c, exposure, labels, clusters) for m, c in _specs(models).items()
        }
    return out


def control_flags(models: Sequence[str]) -> dict[str, list[bool]]:
    """The YES/NO rows of the report's tables for the models shown."""
    return {block: [all(v in MODELS[m] for v in vars_) for m in models] for block, vars_ in BLOCKS.items()}


def true_values(truth: Mapping, frame: pd.DataFrame | None = None) -> dict:
    """The generating values of Model 4's rows: every control's coefficient and every area-type dummy's effect.

    Keyed by (row label, "Model 4") so the comparison puts them beside Model 4
    only: Models 1-3 omit controls and have no single true value.
    Dummies take the world's ``type_effects`` (typology -> sending/receiving ->
    level -> effect; the reference level is 0); an older world without them has
    one ``typology_effects`` value for all. In a world with effects of several
    typologies and both sides, a one-typology, one-side model (a report table)
    targets a projection: these are the values of the full model.
    """
    if not truth or "coefficients" not in truth:
        return {}
    out = {(LABELS[k], "Model 4"): float(v) for k, v in truth["coefficients"].items()}
    effects = truth.get("type_effects")
    for typ in TYPOLOGIES:
        for lev in levels(typ)[1:]:
            for side in ("Sending", "Receiving"):
                if effects is None:
                    value = truth.get("typology_effects", 0.0)
                else:
                    value = effects.get(typ, {}).get(side.lower(), {}).get(lev, 0.0)
                out[(type_label(side, lev, typ), "Model 4")] = float(value)
    return out


def row_map(table: int, rows: Sequence[str]) -> dict[str, str]:
    """Match our row labels to the published ones case-insensitively (the report capitalises inconsistently)."""
    pub = compare.published(table)["row"].unique()
    low = {p.lower(): p for p in pub}
    return {r: low[r.lower()] for r in rows if r.lower() in low and low[r.lower()] != r}


# ---------------------------------------------------------------- descriptives

AGE_BANDS = [(a, a + 4) for a in range(0, 90, 5)] + [(90, 90)]


def band_label(band: tuple[int, int]) -> str:
    return f"{band[0]}+" if band[0] == band[1] == 90 else f"{band[0]}-{band[1]}"


def type_rates(
    data: FlowData, typology: str, years: Sequence[int], sex: str | None = None, ages: tuple[int, int] | None = None
) -> pd.DataFrame:
    """Moves from type k (rows) to type m (columns) over the population of k, per cent, over ``years``; a
    type no authority belongs to has no rate (NaN, shown blank), never 0.00.

    Numerator and denominator are restricted alike (the report's female rate
    divides female moves by the female population); populations are summed over
    the years as the moves are.
    """
    order = levels(typology)
    t = data.types.set_index("la_code")[typology].dropna()
    if data.detailed is None:
        raise InputError("flows", "detailed estimates not kept (load(..., keep_detailed=True))")
    det = data.detailed[data.detailed["year"].isin(years)]
    tot = ons_flows.pair_year_totals(det, sex=sex, ages=ages)
    tot = tot[tot["origin"].isin(t.index) & tot["destination"].isin(t.index)]
    require_nonempty(tot, "flows", "selection of moves")
    moves = tot.assign(k=tot["origin"].map(t), m=tot["destination"].map(t)).pivot_table(
        index="k", columns="m", values="moves", aggfunc="sum", fill_value=0
    )
    pop = data.population[data.population["year"].isin(years) & data.population["la_code"].isin(t.index)]
    if sex is not None:
        pop = pop[pop["sex"] == (1 if sex == "M" else 2)]
    if ages is not None:
        pop = pop[pop["age"].between(*ages)]
    denom = pop.groupby(pop["la_code"].map(t))["population"].sum()
    rates = 100 * moves.reindex(index=order, columns=order, fill_value=0).div(denom.reindex(order), axis=0)
    empty = [lev for lev in order if lev not in set(t)]  # a type with no authorities has no rate, not a rate of 0
    rates.loc[empty, :] = np.nan
    rates.loc[:, empty] = np.nan
    rates.index.name, rates.columns.name = "Sending", "Receiving"
    return rates


def rates_by(
    data: FlowData, typology: str, years: Sequence[int], by: str, bands: Sequence[tuple[int, int]] = AGE_BANDS
) -> pd.DataFrame:
    """Long frame of type-to-type rates by ``year``, ``sex`` or ``age`` band: by, sending, receiving, rate."""
    recs = []
    if by == "year":
        groups = [(str(y), dict(years=[y])) for y in years]
    elif by == "sex":
        groups = [("Male", dict(years=years, sex="M")), ("Female", dict(years=years, sex="F"))]
    elif by == "age":
        groups = [(band_label(b), dict(years=years, ages=b)) for b in bands]
    else:
        raise InputError("parameter 'by'", f"must be year, sex or age, not {by!r}")
    for label, kw in groups:
        r = type_rates(data, typology, **kw).stack().rename("rate").reset_index()
        r.insert(0, by, label)
        recs.append(r)
    return pd.concat(recs, ignore_index=True)


def supergroup_descriptives(data: FlowData, years: Sequence[int], england_only: bool = True) -> pd.DataFrame:
    """Table 6: mean covariates by ONS supergroup over ``years`` (authority-year means), in the report's columns;
    English authorities only by default, as the report's source line says ("ONS, England")."""
    cov = data.covariates[data.covariates["year"].isin(years)].merge(data.types[["la_code", "supergroup"]], on="la_code")
    cov = cov[cov["la_code"].str.startswith("E")] if england_only else cov
    g = cov.groupby("supergroup")
    out = pd.DataFrame(
        {
            "Average unemployment rate": g["unemployment_rate"].mean(),
            "Average house prices (£)": g["house_price"].mean(),
            "Average GVA per capita (£)": g["gva_per_head"].mean(),
            "Young population rate": g["young_share"].mean(),
            "Fertility rate": g["tfr"].mean(),
            "Dependency ratio": g["dependency_ratio"].mean(),
            "International migration ratio": g["non_uk_born"].mean(),
        }
    )
    out.index.name = None
    return out.reindex(levels("supergroup"))


def all_types_frame(data: FlowData, typology: str, years: Sequence[int], include_zero: bool = False) -> pd.DataFrame:
    """``pair_frame`` of ``typology`` with each side's level of every typology as ``<typology>_o`` / ``<typology>_d``.

    Welsh authorities, outside the SMI and IMD typologies, count in those
    typologies' reference level (the country dummies tell them apart); pairs
    with an English authority missing from a typology are dropped.
    """
    fr = pair_frame(data, typology, years, include_zero=include_zero)
    types = data.types.set_index("la_code")
    for typ in TYPOLOGIES:
        t = types[typ]
        t = t.where(t.notna() | ~t.index.str.startswith("W"), levels(typ)[0])
        fr[f"{typ}_o"] = fr["origin"].map(t).to_numpy()
        fr[f"{typ}_d"] = fr["destination"].map(t).to_numpy()
    cols = [f"{t}_{s}" for t in TYPOLOGIES for s in "od"]
    return fr.dropna(subset=cols).reset_index(drop=True)


def all_types_design(
    frame: pd.DataFrame, controls: Sequence[str], orders: Mapping[str, Sequence[str]] | None = None
) -> tuple[np.ndarray, list[str], list[str]]:
    """Design with the sending and receiving dummies of all three typologies at once (reference = first of
    ``orders``, default ``levels``), year and country dummies, and ``controls``; a frame from ``all_types_frame``.

    Returns the matrix, all column names and the shown ones (dummies and controls). A dummy constant in the
    frame (a selection by one sending type) gets no column.
    """
    cols = {"const": np.ones(len(frame))}
    shown = []
    for typ in TYPOLOGIES:
        order = (orders or {}).get(typ) or levels(typ)
        for side, suffix in (("Sending", "o"), ("Receiving", "d")):
            for lev in order[1:]:
                v = (frame[f"{typ}_{suffix}"] == lev).to_numpy(dtype=float)
                if 0 < v.sum() < len(v):
                    name = type_label(side, lev, typ)
                    cols[name] = v
                    shown.append(name)
    for y in sorted(frame["year"].unique())[1:]:
        cols[f"year {y}"] = (frame["year"] == y).to_numpy(dtype=float)
    for c in ("wales_o", "wales_d"):
        v = frame[c].to_numpy(dtype=float)
        if 0 < v.sum() < len(v):
            cols[c] = v
    for c in controls:
        cols[LABELS[c]] = frame[c].to_numpy(dtype=float)
        shown.append(LABELS[c])
    return np.column_stack(list(cols.values())), list(cols), shown


def _fit_shown(frame: pd.DataFrame, X, names, shown, exposure: str, truncated: bool) -> Estimates:
    """NB2 (or, with ``truncated``, zero-truncated NB2) of ``frame``'s outcome on X; the shown rows as Estimates."""
    y, offset = outcome(frame, exposure)
    return estimates((fit_ztnb if truncated else fit_nb2)(X, y, offset, names), shown)


BIAS_FITS = (
    ("Non-zero flows only", False, False),
    ("Non-zero flows, zero-truncated NB2", False, True),
    ("Full matrix", True, False),
)


def zero_flow_bias(
    data: FlowData, typology: str, years: Sequence[int], exposure: str = "offset", all_types: bool = True
) -> pd.DataFrame:
    """Model 4 fitted three ways, beside the truth: NB2 of non-zero flows only (the report's practice),
    zero-truncated NB2 of the same non-zero flows (the standard estimator when zeros are not observed),
    and NB2 of the full matrix.

    Why: dropping zeros truncates the count distribution, which biases every
    coefficient of the naive fit (most of all distance and border, which drive
    the zeros); the truncated likelihood corrects for it, and only a world
    with known truth can show by how much. With ``all_types`` (the default)
    every fit has the sending and receiving dummies of all three typologies
    (``all_types_design``), the synthetic world's generating model, so the
    truth is the target of every fit and what remains is the effect of
    sample and estimator; the rows are ``typology``'s dummies and the
    controls. ``all_types=False`` fits the report's one-typology sending model.
    """
    truth = true_values(data.truth)
    controls = without(["Model 4"], data.omitted)["Model 4"]
    rows = []
    frames = {}
    for label, zero, truncated in BIAS_FITS:
        if zero not in frames:
            frames[zero] = (
                all_types_frame(data, typology, years, zero)
                if all_types
                else pair_frame(data, typology, years, include_zero=zero)
            )
        fr = frames[zero]
        if all_types:
            X, names, shown = all_types_design(fr, controls)
            mine = {type_label(side, lev, typology) for lev in levels(typology)[1:] for side in ("Sending", "Receiving")}
            shown = [r for r in shown if r in mine or r in LABELS.values()]
        else:
            X, names, shown = design(fr, "sending", levels(typology), typology, controls)
        m = _fit_shown(fr, X, names, shown, exposure, truncated)
        for r, v in m.coefs.iterrows():
            rows.append(
                {
                    "row": r,
                    "sample": label,
                    "estimate": v["estimate"],
                    "se": v["se"],
                    "nobs": m.nobs,
                    "truth": truth.get((r, "Model 4"), np.nan),
                }
            )
    out = pd.DataFrame(rows)
    out["z"] = (out["estimate"] - out["truth"]) / out["se"]
    return out


def table6_comparison(ours: pd.DataFrame) -> pd.DataFrame:
    """Table 6 beside the published one: columns 'X' and 'X (published)'.

    The report names one group "Business, Education and Heritage Centre"
    (singular) in Table 6, so rows are matched on their first 30 characters.
    """
    pub = compare.published_descriptives(6)
    key = {str(r)[:30].lower(): r for r in pub.index}
    pub = pub.rename(index={v: next((o for o in ours.index if o[:30].lower() == k), v) for k, v in key.items()})
    out = pd.DataFrame(index=ours.index)
    for col in ours.columns:
        out[col] = ours[col]
        if col in pub.columns:
            out[f"{col} (published)"] = pd.to_numeric(pub[col], errors="coerce").reindex(ours.index)
    return out


LONDON_COSMOPOLITAN = "London Cosmopolitan"
CITY_OF_LONDON = "E09000001"
GVA_FILES = ("gva_la", "myeb3", "la_classification_2011")  # datasets of data/datasets.yml


def gva_files() -> dict[str, Path] | None:
    """The real GVA, population (MYEB3) and LA classification files (download cache, else ../shared/data/public),
    or ``None`` when one is absent."""
    try:
        return {d: fetch.find_local(d) for d in GVA_FILES}
    except InputError:
        return None


def london_gva_readings(files: Mapping[str, Path] | None, years: Sequence[int]) -> tuple[pd.DataFrame | None, dict]:
    """Table 6's London Cosmopolitan GVA per head (£726,621, ten times any other group's) under both readings,
    from the real files: a stray digit (the figure over 10) against the supergroup's authority-year mean
    without the City of London, and the City's own GVA per head (GVA of a few thousand residents' workplaces)
    pulling the mean up, against the mean with it.

    GVA per head is GVA (£ million, income approach, current prices; the open file ends in 2015) over MYEB3
    mid-year population, for the ``years`` the GVA file has. Returns the table (``None`` when the files
    or years are missing) and the facts, with ``lc_gva_text`` a sentence either way.
    """
    published = float(compare.published_descriptives(6).loc[LONDON_COSMOPOLITAN, "Average GVA per capita (£)"])
    facts = {"lc_published": published, "lc_digit": published / 10}
    if files is None:
        return None, facts | {
            "lc_gva_text": "The open GVA, population and area-classification files are not present here, so the two readings of "
            "the report's London Cosmopolitan figure cannot be computed from real data."
        }
    gva = public.read_gva(files["gva_la"])
    yrs = sorted(set(years) & set(gva["year"]))
    if not yrs:
        return None, facts | {
            "lc_gva_text": f"The open GVA file covers {gva['year'].min()}-{gva['year'].max()}, none of the years "
            f"{years_text(years)}, so the two readings cannot be computed from real data."
        }
    pop = public.read_myeb3(files["myeb3"]).set_index(["la_code", "year"])["population"]
    lc = public.read_la_classification(files["la_classification_2011"])
    codes = lc.loc[lc["supergroup"] == LONDON_COSMOPOLITAN, "la_code"]
    g = gva[gva["la_code"].isin(codes) & gva["year"].isin(yrs)].set_index(["la_code", "year"])["gva"]
    per_head = (g * 1e6 / pop.reindex(g.index)).dropna()
    require_nonempty(per_head, files["gva_la"], "set of London Cosmopolitan authority-years with GVA and population")
    city = per_head[per_head.index.get_level_values("la_code") == CITY_OF_LONDON]
    rest = per_head[per_head.index.get_level_values("la_code") != CITY_OF_LONDON]
    facts |= {
        "lc_with_city": float(per_head.mean()),
        "lc_without_city": float(rest.mean()),
        "city_gva": float(city.mean()),
        "lc_gva_years": years_text(yrs),
        "lc_n_las": int(codes.isin(per_head.index.get_level_values("la_code")).sum()),
    }
    facts["lc_gva_text"] = (
        f"Computed from the real files ({facts['lc_gva_years']}, the years the open GVA file shares with this selection), the City of "
        f"London's GVA per head is £{facts['city_gva']:,.0f}; the mean of the {facts['lc_n_las']} London Cosmopolitan authorities is "
        f"£{facts['lc_with_city']:,.0f} with the City and £{facts['lc_without_city']:,.0f} without it. The published £{published:,.0f} is "
        f"{published / facts['lc_with_city']:.2f} times the first; a tenth of it, £{facts['lc_digit']:,.0f}, is "
        f"{facts['lc_digit'] / facts['lc_without_city']:.2f} times the second. Both readings fit, so the figure is shown, not corrected."
    )
    table = pd.DataFrame(
        {"GVA per head (£)": [published, facts["lc_digit"], facts["lc_with_city"], facts["lc_without_city"], facts["city_gva"]]},
        index=[
            "Published (Table 6)",
            "Reading 1, a stray digit: published / 10",
            "Reading 2, real data: supergroup mean with the City of London",
            "Real data: supergroup mean without the City of London",
            "Real data: City of London alone",
        ],
    )
    return table, facts


CENSUS_FILES = {
    "nssec": ("census2011_migration_nssec_la.csv", "NS-SEC: "),
    "ethnicity": ("census2011_migration_ethnicity_la.csv", "Ethnic group: "),
}


DIRECTIONS = ("out of", "into")
# why the two census tables count different movers for one flow
CENSUS_UNIVERSE = (
    "Movers: the census table by NS-SEC covers residents aged 16 to 74 (the ages NS-SEC classifies), the table by "
    "ethnic group residents of all ages, so the two count different numbers of movers for the same flow."
)


def census_flows(data_dir, data: FlowData, kind: str) -> pd.DataFrame:
    """2011 Census moves out of and into the authorities of each IMD quintile, by group (NS-SEC or ethnicity),
    as the report describes them: the composition of each flow in per cent of its movers, and the movers.

    Rows are ``"<quintile>: out of"`` and ``"<quintile>: into"`` (most deprived first); columns the census
    groups (per cent), ``Movers`` and ``Net gain`` (moves in minus moves out, the same for every group's sum).
    A move counts when both authorities are English with an IMD quintile and differ; a move between two
    authorities of one quintile is out of that quintile's area and into it. Why shares: the census table
    has no population by group at origin, so rates by group cannot be formed.
    """
    if kind not in CENSUS_FILES:
        raise InputError("parameter 'census_breakdown'", f"must be one of {', '.join(CENSUS_FILES)}, not {kind!r}")
    name, prefix = CENSUS_FILES[kind]
    od = ons_flows.read_census_groups(Path(data_dir) / "flows" / name, prefix, known=set(data.types["la_code"]))
    q = data.types.set_index("la_code")["imd"].dropna()
    od = od[od["origin"].isin(q.index) & od["destination"].isin(q.index) & (od["origin"] != od["destination"])]
    require_nonempty(od, name, "set of moves between English authorities")
    groups = list(dict.fromkeys(od["group"]))
    sides = {
        "out of": od.groupby([od["origin"].map(q), "group"])["moves"].sum(),
        "into": od.groupby([od["destination"].map(q), "group"])["moves"].sum(),
    }
    rows = {}
    for level in levels("imd"):
        for direction in DIRECTIONS:
            counts = sides[direction].unstack("group").reindex(index=[level], columns=groups, fill_value=0).fillna(0).iloc[0]
            rows[f"{level}: {direction}"] = pd.concat([100 * counts / counts.sum(), pd.Series({"Movers": counts.sum()})])
    out = pd.DataFrame(rows).T
    into = out["Movers"].iloc[1::2].to_numpy()
    out["Net gain"] = np.repeat(into - out["Movers"].iloc[0::2].to_numpy(), 2)
    out[["Movers", "Net gain"]] = out[["Movers", "Net gain"]].astype(int)
    return out


def census_net(table: pd.DataFrame, level: str) -> pd.Series:
    """Net gain by group of one quintile's authorities (moves in minus moves out), from ``census_flows``."""
    out, into = table.loc[f"{level}: out of"], table.loc[f"{level}: into"]
    groups = [c for c in table.columns if c not in ("Movers", "Net gain")]
    return (into[groups] * into["Movers"] - out[groups] * out["Movers"]) / 100


# ---------------------------------------------------------------- chapters
#
# What the three flows chapters share, so that each chapter cell is one call, a glue and a render:
# the selection in words (every caption carries it), the report's table numbers or the book's own,
# the published column only where the estimate is comparable, and prose facts that follow the
# typology and the report's 5 % convention.


def years_text(years: Sequence[int]) -> str:
    """``2011-2018`` for a run of years, ``2011, 2015`` otherwise."""
    ys = sorted(years)
    if len(ys) > 1 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}-{ys[-1]}"
    return ", ".join(map(str, ys))


@dataclass(frozen=True)
class Selection:
    """What a chapter's estimates are computed on: the typology, years, sex, area, sample and exposure."""

    typology: str
    years: tuple[int, ...]
    area: str = "England"
    sex: str | None = None
    exposure: str = "offset"
    include_zero: bool = False

    def text(self) -> str:
        """The selection in words, for every caption."""
        sex = {None: "men and women", "M": "men", "F": "women"}[self.sex]
        sample = "all pairs of authorities (zero flows included)" if self.include_zero else "pairs with at least one move"
        return f"{self.area}, {years_text(self.years)}, {sex}, all ages, {sample}, {dictionary()['exposures'][self.exposure]}"

    def withdrawn(self) -> str | None:
        """Why the report's figures are not comparable with this selection (``None`` when they are)."""
        spec = dictionary()["typologies"][self.typology]["report"]
        if list(self.years) != list(spec["years"]):
            return f"the report covers {years_text(spec['years'])}, this selection {years_text(self.years)}"
        if self.sex is not None:
            return "the report models the moves of men and women together"
        if self.include_zero:
            return "the report fitted the non-zero flows only"
        if self.exposure == "none":
            return "the report models flow rates, not raw counts"
        return None


# each flows chapter's own tables in page order (``FlowChapter.own_tables``); "sending", "receiving": its model
# tables of that kind when the report has none for them (a typology of the book's); None: a chapter not listed
OWN_TABLES = {
    "flows_hotcold": ("rates", "rates by year and sex", "sending", "receiving", "bias"),
    "flows_ons": ("london gva", "rates", "rates by year and sex", "sending", "receiving", "bias"),
    "flows_imd": ("rates", "rates by year and sex", "receiving", "census nssec", "census ethnicity"),
    None: ("london gva", "rates", "rates by year and sex", "sending", "receiving", "census nssec", "census ethnicity", "bias"),
}


@dataclass
class FlowChapter:
    """Everything a flows chapter computes from, built once by ``chapter_setup``."""

    name: str
    number: int
    source: sources.DataSource
    data: FlowData
    selection: Selection
    frame: pd.DataFrame
    models: list[str]
    truth: dict
    inputs: open_yearly.OpenYearly | None = None  # open data: where each input came from, what was left out

    @property
    def typology(self) -> str:
        return self.selection.typology

    @property
    def order(self) -> list[str]:
        return levels(self.typology)

    @property
    def words(self) -> dict:
        return dictionary()["typologies"][self.typology]

    def plural(self, level: str) -> str:
        return self.words["plural"].get(level, level)

    @property
    def specs(self) -> dict[str, list[str]]:
        """Each model's controls, without those these data hold no figure for."""
        return without(self.models, self.data.omitted)

    @property
    def own_tables(self) -> list[str]:
        """The keys of the chapter's own tables (those without a report number) in page order: the chapter's
        ``OWN_TABLES``, "sending" and "receiving" kept (as one table, or one per sending type) only where the
        report has no table for them."""
        spec = self.words["report"]
        models = {
            "sending": ["sending"] if spec["sending"] is None else [],
            "receiving": [f"receiving {k}" for k in self.order] if spec["receiving"] is None else [],
        }
        return [k for key in OWN_TABLES.get(self.name, OWN_TABLES[None]) for k in models.get(key, [key])]

    def table_number(self, report_table: int | None, key: str = "") -> str:
        """The report's number of a table, or the book's own when the report has none: chapter number and a
        letter ("3.A", "3.B"...), which no report table has. The letter is the place of ``key`` among
        ``own_tables`` (``tables.own_number``), so a cell run again, or cells run in another order, give a
        table the same number."""
        if report_table is not None:
            return str(report_table)
        return tables.own_number(str(self.number), key, self.own_tables)

    def caption(self, number: str, title: str) -> str:
        return f"Table {number}: {title} ({self.selection.text()})"


def chapter_setup(
    name: str,
    source: str = "synthetic",
    data_path: str = "",
    years="2011-2018",
    typology: str | None = None,
    sex: str = "all",
    models: Sequence[str] = tuple(MODELS),
    exposure: str = "offset",
    include_zero_flows: bool = False,
) -> FlowChapter:
    """Check a flows chapter's parameters, open its data source once, load the data and build the regression frame."""
    chapters = dictionary()["chapters"]
    if name not in chapters:
        raise InputError(DICTIONARY, f"no flows chapter {name!r}")
    typology = typology or chapters[name]["typology"]
    levels(typology)
    _specs(models)
    if sex not in ("all", "M", "F"):
        raise InputError("parameter 'sex'", f"must be all, M or F, not {sex!r}")
    outcome(pd.DataFrame({"moves": [1.0], "log_pop": [0.0]}), exposure)
    yrs = parse_years(years)
    inputs = None
    if source == "public":  # open data: the loaders' folder is written from the official downloads first
        src = sources.open(source, str(fetch.public_root(data_path)))
        inputs = open_yearly.write_folder(src.root, OPEN_CACHE / name, yrs)
        if typology == "smi" and "smi" in inputs.omitted:
            raise InputError(
                src.root / "nomis" / nomis.SMI_FILE,
                "no Social Mobility Index 2017 file, so no hot and cold spots: no download link is pinned yet "
                "(see social_mobility_index_2017 in data/datasets.yml)",
            )
        data = load(inputs.folder, yrs, omit=inputs.omitted)
    else:
        src = sources.open(source, data_path or None, truth_of="flows")
        data = load(src, yrs)
    frame = pair_frame(data, typology, yrs, include_zero=include_zero_flows, sex=None if sex == "all" else sex)
    area = "England and Wales" if frame["origin"].str.startswith("W").any() else "England"
    sel = Selection(typology, tuple(yrs), area, None if sex == "all" else sex, exposure, include_zero_flows)
    truth = true_values(src.truth) if exposure == "offset" else {}
    return FlowChapter(name, int(chapters[name]["number"]), src, data, sel, frame, list(models), truth, inputs=inputs)


def inputs_text(ctx: FlowChapter) -> str:
    """Where the data came from, in a sentence or two: open files (each input and what was left out) or the synthetic world."""
    if ctx.inputs is None:
        return (
            "The data are the synthetic world, generated from a seed: no figure on this page is a finding about England and Wales."
            if ctx.source.synthetic
            else f"The data are the {ctx.source.kind} files of {ctx.source.root.name}/."
        )
    words = {"unemployment_rate": "the unemployment rate", "non_uk_born": "the share of residents born outside the UK"}
    left = [words[c] for c in ctx.inputs.omitted if c in words]
    text = "The data are open files: " + "; ".join(ctx.inputs.notes) + "."
    if left:
        text += (
            f" No open file here gives {' or '.join(left)} for these years, so Model 4 is fitted without "
            f"{'it' if len(left) == 1 else 'them'} (never with a substitute); its coefficients are not the report's specification."
        )
    return text


def setup_facts(ctx: FlowChapter) -> dict:
    """The prose facts of a chapter's opening: the typology in its own words, the selection, the sample."""
    return {
        "typology_about": ctx.words["about"].strip(),
        "typology_name": ctx.words["name"],
        "typology_caveat": ctx.words["caveat"].strip(),
        "years_text": years_text(ctx.selection.years),
        "area_text": ctx.selection.area,
        "selection_text": ctx.selection.text(),
        "n_pairs": len(ctx.frame),
        "n_las": int(ctx.data.types[ctx.typology].notna().sum()),
        "exposure_text": dictionary()["exposures"][ctx.selection.exposure],
        "rate_per": RATE_PER,
        "significance_pct": 100 * SIGNIFICANCE,
        "young_ages": re.search(r"\d+-\d+", dictionary()["variables"]["log_young"]["values"]).group(0),
        "inputs_text": inputs_text(ctx),
        "truth_text": (
            "Beside Model 4 stands the true value: the coefficient that generated the synthetic flows, in the generating "
            "model (every typology's dummies on both sides, over every ordered pair of authorities). A one-typology model fitted "
            "on the pairs with at least one move (the report's sample) misses it by the bias of dropping zero flows, "
            + (
                "which the last section measures,"
                if dictionary()["chapters"][ctx.name].get("bias_section")
                else "which the chapters on hot and cold spots and on ONS supergroups measure in their last sections,"
            )
            + " and by the area types it leaves out."
            if ctx.truth
            else "No true values are known for these data."
        ),
    }


@dataclass
class Section:
    """What one chapter section shows: tables (in order), prose facts to glue, and the frames behind them."""

    tables: list = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    frames: dict = field(default_factory=dict)


def descriptives(ctx: FlowChapter) -> Section:
    """Type-to-type rates over the selection's years, rendered, with sentences on the first and last types."""
    rates = type_rates(ctx.data, ctx.typology, ctx.selection.years, sex=ctx.selection.sex)
    first, last = ctx.order[0], ctx.order[-1]
    diag = pd.Series({k: rates.loc[k, k] for k in ctx.order})
    facts = {
        "rate_first_first": rates.loc[first, first],
        "rate_last_first": rates.loc[last, first],
        "rate_last_last": rates.loc[last, last],
        "first_plural": ctx.plural(first),
        "last_plural": ctx.plural(last),
        "group_word": ctx.words["group"],
        "most_internal": ctx.plural(diag.idxmax()),
        "most_internal_rate": diag.max(),
    }
    table = tables.render(
        rates,
        digits=2,
        index_header="Sending \\ receiving",
        caption=ctx.caption(
            ctx.table_number(None, "rates"),
            f"Internal migration rates between {ctx.words['group']}s, moves per 100 residents of the sending {ctx.words['group']}",
        ),
    )
    return Section([table], facts, {"rates": rates})


def breakdowns(ctx: FlowChapter, age_band_width: int = 5) -> Section:
    """Rates by year and by sex (one table) and by age band (a long frame for the figure), as the report
    gives them for hot and cold spots and says it repeats for the other typologies."""
    if age_band_width < 1:
        raise InputError("parameter 'age_band_width'", "must be a positive number of years")
    yrs = list(ctx.selection.years)
    by_year, by_sex = rates_by(ctx.data, ctx.typology, yrs, "year"), rates_by(ctx.data, ctx.typology, yrs, "sex")
    bands = [(a, min(a + age_band_width - 1, 90)) for a in range(0, 91, age_band_width)]
    by_age = rates_by(ctx.data, ctx.typology, yrs, "age", bands=bands)
    wide = pd.concat([_wide(by_year, "year"), _wide(by_sex, "sex")], axis=1)
    sums = by_sex.groupby("sex")["rate"].sum()
    facts = {
        **words.directed("female_male", sums["Female"] - sums["Male"], "exceed", "fall short of", "equal"),
        "peak_band": by_age.groupby("age", sort=False)["rate"].sum().idxmax(),
    }
    both = Selection(ctx.typology, ctx.selection.years, ctx.selection.area)
    table = tables.render(
        wide,
        digits=2,
        index_header="Sending → receiving",
        caption=(
            f"Table {ctx.table_number(None, 'rates by year and sex')}: Rates between {ctx.words['group']}s by year and by sex, moves per 100 residents of the sending "
            f"{ctx.words['group']} and sex ({both.area}, {years_text(both.years)}, all ages)"
        ),
    )
    return Section([table], facts, {"by_age": by_age, "by_year": by_year, "by_sex": by_sex})


def _wide(long: pd.DataFrame, by: str) -> pd.DataFrame:
    w = long.pivot_table(index=["Sending", "Receiving"], columns=by, values="rate", sort=False)
    w.index = [f"{k} → {m}" for k, m in w.index]
    return w


def significant(est: Estimates, row: str, level: float = SIGNIFICANCE) -> bool:
    """The report discusses only coefficients significant at 5 %."""
    return row in est and float(est.row(row)["pvalue"]) < level


def contrast(est: Estimates, row: str, subject: str, reference: str, verb: str) -> str:
    """A sentence on one area-type coefficient that follows the 5 % convention: ``"{subject} {verb} more/less
    often than {reference}"`` with the estimate when significant, "neither more nor less often" otherwise."""
    if row not in est:
        return f"the row {row!r} cannot be estimated in this sample"
    b = float(est.row(row)["estimate"])
    if not significant(est, row):
        return (
            f"{subject} {verb} neither more nor less often than {reference} at the {100 * SIGNIFICANCE:g} % level of significance"
        )
    return f"{subject} {verb} {'more' if b > 0 else 'less'} often than {reference} ({abs(b):.3f} log points, significant at {100 * SIGNIFICANCE:g} %)"


def _model_tables(
    ctx: FlowChapter, fits: Mapping[str, Estimates], report_table: int | None, title: str, key: str
) -> tuple[tables.Table, pd.DataFrame]:
    """One comparison table of a report table (or of the book's own when ``report_table`` is None)."""
    number = ctx.table_number(report_table, key)
    withdrawn = ctx.selection.withdrawn() if report_table is not None else None
    rows = list(dict.fromkeys(r for e in fits.values() for r in e.index))
    notes = (
        f"Negative binomial regressions, robust (HC1) standard errors in parentheses; {tables.STAR_NOTE}. Year effects"
        + (" and country effects" if ctx.selection.area != "England" else "")
        + " in every model."
    )
    return compare.model_comparison(
        fits,
        report_table,
        truth=ctx.truth or None,
        withdrawn=withdrawn,
        row_map=row_map(report_table, rows) if report_table else None,
        controls=control_flags(list(fits)),
        caption=ctx.caption(number, title),
        notes=notes,
    )


def sending(ctx: FlowChapter) -> Section:
    """Which areas do people leave? The models with sending-type dummies, one comparison table."""
    fits = sending_models(ctx.frame, ctx.typology, ctx.specs, ctx.selection.exposure)
    spec = ctx.words["report"]
    table, long = _model_tables(
        ctx,
        fits,
        spec["sending"],
        f"Migration outflow rates by sending {ctx.words['group']}, reference group {ctx.order[0]}",
        "sending",
    )
    first, last = fits[ctx.models[0]], fits[ctx.models[-1]]
    row = type_label("Sending", ctx.order[-1], ctx.typology)
    ref = ctx.plural(ctx.order[0])
    facts = {
        "send_first_text": f"In {ctx.models[0]}, " + contrast(first, row, "people", ref, f"leave {ctx.plural(ctx.order[-1])}"),
        "send_last_text": f"in {ctx.models[-1]}, " + contrast(last, row, "they", ref, f"leave {ctx.plural(ctx.order[-1])}"),
        "send_seconds": sum(e.seconds for e in fits.values()),
        "send_published": compare.coverage(long),
    }
    return Section([table], facts, {"fits": fits, "long": long})


def receiving(ctx: FlowChapter) -> Section:
    """Where do people go? For each sending type, the models with receiving-type dummies, one table each."""
    fits = receiving_models(ctx.frame, ctx.typology, ctx.specs, ctx.selection.exposure)
    spec = ctx.words["report"]
    out = Section()
    longs = []
    for k, f in fits.items():
        number = None if spec["receiving"] is None else spec["receiving"] + ctx.order.index(k)
        table, long = _model_tables(
            ctx,
            f,
            number,
            f"Flow rates by receiving {ctx.words['group']}, sending {k}, reference group {ctx.order[0]}",
            f"receiving {k}",
        )
        out.tables.append(table)
        longs.append(long.assign(sending=k))
    long = pd.concat(longs, ignore_index=True)
    first, last = ctx.order[0], ctx.order[-1]
    row = type_label("Receiving", last, ctx.typology)
    m = ctx.models[-1]
    out.facts = {
        "rec_first_text": contrast(
            fits[first][m], row, f"movers from {ctx.plural(first)}", f"to {ctx.plural(first)}", f"go to {ctx.plural(last)}"
        )
        if first in fits
        else "",
        "rec_last_text": contrast(
            fits[last][m], row, f"movers from {ctx.plural(last)}", f"to {ctx.plural(first)}", f"go to {ctx.plural(last)}"
        )
        if last in fits
        else "",
        "n_rec_fits": sum(len(f) for f in fits.values()),
        "rec_published": compare.coverage(long),
    }
    out.facts.update(recovery_facts(long[long["model"] == m]))
    out.frames = {"fits": fits, "long": long}
    return out


def recovery_facts(long: pd.DataFrame) -> dict:
    """The share of estimates within 3 SE of the truth, and what it means on the selection's sample."""
    z = long["z_truth"].dropna().abs()
    share = float((z <= 3).mean()) if len(z) else float("nan")
    if not len(z):
        note = "no truth is known for these data"
    elif share < 0.95:
        note = (
            "with about 99.7 per cent expected from sampling noise alone, the shortfall measures what the model leaves out: "
            "the zero flows (the non-zero sample is truncated) and the other typologies' effects of the generating model"
        )
    else:
        note = "in line with sampling noise"
    return {"share_within3": share, "within3_note": note}


BIAS_KEYS = {"Non-zero flows only": "nonzero", "Non-zero flows, zero-truncated NB2": "ztnb", "Full matrix": "full"}


def bias_facts(b: pd.DataFrame) -> dict:
    """Per fit of ``zero_flow_bias`` (suffixes ``nonzero``, ``ztnb``, ``full``): the distance elasticity, the
    largest distance from the truth in SEs, the share of rows within 3 SE of the truth, and the sample size;
    ``bias_text`` compares the fits with the truth where one is known, and says that none is otherwise."""
    dist = LABELS["log_distance"]
    facts = {}
    for smp, g in b.groupby("sample", sort=False):
        k, g = BIAS_KEYS[smp], g.set_index("row")
        z = g["z"].dropna().abs()
        facts |= {
            f"dist_{k}": float(g.loc[dist, "estimate"]),
            f"max_z_{k}": float(z.max()) if len(z) else float("nan"),
            f"within3_{k}": float((z <= 3).mean()) if len(z) else float("nan"),
            f"nobs_{k}": int(g["nobs"].iloc[0]),
        }
        facts["dist_true"] = float(g.loc[dist, "truth"])
    f = facts
    known = b["truth"].notna().any()
    # the sentence of the three elasticities is the chapter's own prose (its numbers glued); only what follows
    # the data, the comparison with a truth that exists on synthetic data alone, is said here
    if known:
        text = (
            f"The true value is {f['dist_true']:.3f}. The shares of coefficients within three standard errors of the truth are "
            f"{f['within3_nonzero']:.2f}, {f['within3_ztnb']:.2f} and {f['within3_full']:.2f}, and the largest gaps "
            f"{f['max_z_nonzero']:.1f}, {f['max_z_ztnb']:.1f} and {f['max_z_full']:.1f} standard errors."
        )
    else:
        text = (
            "No true values are known for these data, so the three fits can only be compared with one another: where the "
            "naive fit departs from the other two, dropping the zero flows moves it."
        )
    facts["bias_text"] = text
    facts["bias_caption"] = (
        "Each Model 4 coefficient's distance from its true value in standard errors; dashed lines at ±3."
        if known
        else "Each Model 4 coefficient as estimated by each fit, with two standard errors either side (no truth is known for these data)."
    )
    return facts


def bias(ctx: FlowChapter) -> Section:
    """Model 4 fitted three ways (naive NB2 of the non-zero flows, zero-truncated NB2 of the same flows, NB2 of
    the full matrix), one estimate column each beside the truth (synthetic data only). Every typology's dummies
    enter when the data type every authority three ways; otherwise (open data without the Social Mobility
    Index) the chapter's own typology only."""
    every = all(ctx.data.types[t].notna().any() for t in TYPOLOGIES if t in ctx.data.types)
    b = zero_flow_bias(ctx.data, ctx.typology, list(ctx.selection.years), exposure="offset", all_types=every)
    show = b.pivot_table(index="row", columns="sample", values="estimate", sort=False)[list(BIAS_KEYS)]
    show.columns = ["Non-zero, NB2", "Non-zero, zero-truncated NB2", "Full matrix, NB2"]
    show.insert(0, "True value", b.groupby("row", sort=False)["truth"].first())
    show.columns.name = None
    sel = Selection(ctx.typology, ctx.selection.years, ctx.selection.area, None, "offset", True)
    dummies = "every typology's" if every else f"the {ctx.words['name']}'s"
    table = tables.render(
        show,
        digits=3,
        caption=f"Table {ctx.table_number(None, 'bias')}: Model 4 with {dummies} area-type dummies, fitted three ways, "
        f"beside the true values ({sel.text().replace(', all pairs of authorities (zero flows included)', '')})",
    )
    return Section([table], bias_facts(b), {"bias": b})


def table6(ctx: FlowChapter, outlier_factor: float = 10.0, england_only: bool = True) -> Section:
    """Table 6 (push and pull factors by supergroup) beside the published one, with the report's outliers flagged."""
    t6 = supergroup_descriptives(ctx.data, ctx.selection.years, england_only)
    both = table6_comparison(t6)
    flags = compare.outliers(compare.published_descriptives(6), factor=outlier_factor)
    area = "England" if england_only else "England and Wales"
    facts = {
        "lc_gva": t6.loc["London Cosmopolitan", "Average GVA per capita (£)"],
        "n_flags": len(flags),
        "n_flags_text": words.count(len(flags), "cell"),
        "flag_text": "; ".join(
            f"{r['row']}, {r['column']}: {r['value']:,.0f} ({r['ratio']:.0f} times the column median)"
            for _, r in flags.iterrows()
        )
        or "none",
        "top_house": t6["Average house prices (£)"].idxmax(),
        "t6_area": area,
    }
    withdrawn = list(ctx.selection.years) != list(range(2011, 2019)) or not england_only
    show = both[[c for c in both.columns if not (withdrawn and c.endswith("(published)"))]]
    caption = (
        f"Table 6: Push and pull factors by ONS supergroup, authority-year means ({area}, {years_text(ctx.selection.years)})"
        + ("" if withdrawn else ", beside the published figures")
        + "; the report's rows are the columns here"
    )
    notes = "Published figures withdrawn: the report's Table 6 covers England, 2011-2018." if withdrawn else ""
    printed = compare.published_decimals(6)  # the report's figures at the decimals it printed, never padded
    digits = {
        c: printed.get(c.removesuffix(" (published)"), 2) if c.endswith("(published)") else (0 if "£" in c else 2)
        for c in show.columns
    }
    table = tables.render(show, digits=digits, transpose=True, caption=caption, notes=notes)
    readings, lc_facts = london_gva_readings(gva_files(), ctx.selection.years)
    facts |= lc_facts
    shown = [table]
    if readings is not None:
        shown.append(
            tables.render(
                readings,
                digits=0,
                index_header="London Cosmopolitan",
                caption=(
                    f"Table {ctx.table_number(None, 'london gva')}: The report's London Cosmopolitan GVA per head under two readings, "
                    f"from the open ONS GVA, population and classification files (England, {lc_facts['lc_gva_years']})"
                ),
            )
        )
    return Section(shown, facts, {"t6": t6, "lc_gva": readings})


def census(ctx: FlowChapter) -> Section:
    """2011 Census moves out of and into each deprivation quintile by NS-SEC and by ethnicity, with the facts
    of the most deprived quintile the report is about."""
    root = ctx.inputs.folder if ctx.inputs is not None else ctx.source.root
    if ctx.inputs is not None and not all((root / "flows" / f).exists() for f, _ in CENSUS_FILES.values()):
        return Section(
            facts={
                "census_text": "The census tables by group are not among the open files here (dataset census2011_groups of "
                "data/datasets.yml, served by the UK Data Service's WICID interface, no download link pinned), so this "
                "section is left out of this run."
            }
        )
    ns = census_flows(root, ctx.data, "nssec")
    eth = census_flows(root, ctx.data, "ethnicity")
    most = levels("imd")[0]
    prof, routine, white, other = ns.columns[0], ns.columns[2], eth.columns[0], eth.columns[1]
    net_ns, net_eth = census_net(ns, most), census_net(eth, most)
    facts = {
        "census_most": ctx.plural(most),
        "census_prof": prof.split(" (")[0].lower(),
        "census_routine": routine.split(" (")[0].lower(),
        "prof_out": ns.loc[f"{most}: out of", prof],
        "prof_in": ns.loc[f"{most}: into", prof],
        "routine_out": ns.loc[f"{most}: out of", routine],
        "routine_in": ns.loc[f"{most}: into", routine],
        "nonwhite_out": eth.loc[f"{most}: out of", other],
        "nonwhite_in": eth.loc[f"{most}: into", other],
        "net_prof": float(net_ns[prof]),
        "net_routine": float(net_ns[routine]),
        "net_white": float(net_eth[white]),
        "net_nonwhite": float(net_eth[other]),
    }

    def net(v):  # the word from the sign, the number without it
        return f"{words.direction(v, 'gained', 'lost', 'neither gained nor lost')} {words.size(v, 0)}".rstrip()

    facts["census_text"] = (
        f"Of the movers out of {facts['census_most']}, {facts['prof_out']:.1f} per cent worked in {facts['census_prof']}, "
        f"against {facts['prof_in']:.1f} per cent of those moving in; for {facts['census_routine']} the shares are "
        f"{facts['routine_out']:.1f} and {facts['routine_in']:.1f} per cent. Non-white movers were {facts['nonwhite_out']:.1f} "
        f"per cent of the outflow and {facts['nonwhite_in']:.1f} per cent of the inflow. In net terms these areas {net(facts['net_prof'])} "
        f"movers of the first group and {net(facts['net_routine'])} of the second; they {net(facts['net_white'])} white and "
        f"{net(facts['net_nonwhite'])} non-white movers."
    )
    digits = {c: (0 if c in ("Movers", "Net gain") else 1) for c in [*ns.columns, *eth.columns]}
    title = "2011 Census moves between English authorities out of and into the authorities of each IMD quintile"
    return Section(
        [
            tables.render(
                ns,
                digits=digits,
                index_header="Quintile: flow",
                caption=f"Table {ctx.table_number(None, 'census nssec')}: {title}, by NS-SEC (per cent of each flow's movers)",
                notes=CENSUS_UNIVERSE,
            ),
            tables.render(
                eth,
                digits=digits,
                index_header="Quintile: flow",
                caption=f"Table {ctx.table_number(None, 'census ethnicity')}: {title}, by ethnic group (per cent of each flow's movers)",
                notes=CENSUS_UNIVERSE,
            ),
        ],
        facts,
        {"nssec": ns, "ethnicity": eth},
    )


def variables(ctx: FlowChapter) -> Section:
    """Table 1: the control variables, from the dictionary."""
    return Section(
        [tables.render(variable_table(), caption="Table 1: Description of control variables for the aggregate data analysis")]
    )
