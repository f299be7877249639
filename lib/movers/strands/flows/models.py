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
* ``prepare`` checks a chapter's parameters, opens its source once and builds
  the regression frame (a ``FlowSetup``); the chapters' sections, captions,
  table numbers and sentences are page code (``pages/flows.py``). Labels,
  Table 1 and the typologies' own words come from ``data/dictionaries/flows.yml``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from movers.core import config as yamlfile, paths, source as sources
from movers.core.errors import InputError, require_nonempty
from movers.core.truth import read_truth
from movers.data import manifest as manifests, nomis, ons_flows, open_yearly, public, published as reference
from movers.data.geography import load_geography
from movers.estimators.nb2 import NBFit, covariance, fit_nb2, fit_ztnb  # noqa: F401  (flows.fit_nb2 / flows.NBFit stay importable)
from movers.estimators.results import Estimates, coef_frame

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


# variable -> the report's row label; control blocks in the report's order; the four models. Read from the
# dictionary on first use (``variable_labels()``, ``control_blocks()``, ``model_controls()``; the names ``LABELS``, ``BLOCKS`` and
# ``MODELS`` stay as module attributes, through ``__getattr__``), so that importing this module reads no file.
MODEL_NAMES = ("Model 1", "Model 2", "Model 3", "Model 4")


@cache
def variable_labels() -> dict[str, str]:
    """Variable -> the report's row label."""
    return {k: v["label"] for k, v in dictionary()["variables"].items()}


@cache
def control_blocks() -> dict[str, list[str]]:
    """The control blocks in the report's order: block -> its variables."""
    variables = dictionary()["variables"]
    return {
        b: [n for n, v in variables.items() if v["block"] == b] for b in dict.fromkeys(v["block"] for v in variables.values())
    }


@cache
def model_controls() -> dict[str, list[str]]:
    """The report's Models 1-4: each adds a control block to the one before."""
    b = control_blocks()
    return dict(
        zip(
            MODEL_NAMES,
            [
                [],
                b["Distance and border"],
                b["Distance and border"] + b["Demographic structure of sending"],
                b["Distance and border"] + b["Demographic structure of sending"] + b["Economic conditions"],
            ],
        )
    )


_LAZY = {"LABELS": variable_labels, "BLOCKS": control_blocks, "MODELS": model_controls}


def __getattr__(name: str):
    if name in _LAZY:
        return _LAZY[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
# model variables of the sending area only (name -> covariate, transform), then of both ends (<name>_o, <name>_d)
SENDING_CONTROLS = {
    "log_young": ("young_share", np.log),
    "dependency": ("dependency_ratio", None),
    "non_uk_born": ("non_uk_born", None),
    "tfr": ("tfr", None),
}
BOTH_ENDS = {"unemp": ("unemployment_rate", None), "log_gva": ("gva_per_head", np.log), "log_house": ("house_price", np.log)}


def pairs(types: pd.Series, geography) -> pd.DataFrame:
    """Every ordered pair of distinct authorities typed by ``types`` (la_code -> type), origins in code order:
    origin, destination, border, log_distance, sending, receiving. The pairs of every flows model, yearly or census."""
    t = types.dropna()
    require_nonempty(t, f"typology {types.name!r}", "set of typed authorities")
    codes = np.array(sorted(t.index))
    oi, di = np.nonzero(~np.eye(len(codes), dtype=bool))
    base = pd.DataFrame({"origin": codes[oi], "destination": codes[di]})
    base["border"] = geography.share_border(base["origin"], base["destination"]).astype(float)
    base["log_distance"] = np.log(geography.distance_miles(base["origin"], base["destination"]))
    base["sending"] = base["origin"].map(t).to_numpy()
    base["receiving"] = base["destination"].map(t).to_numpy()
    return base


def pair_year(
    base: pd.DataFrame,
    year: int,
    moves: pd.Series,
    controls: pd.DataFrame,
    population: pd.Series,
    omitted: Sequence[str] = (),
    what: str = "controls",
) -> pd.DataFrame:
    """One year of the regression frame: the pairs of ``base`` (``pairs``) with their ``moves`` (a Series by
    origin and destination; a pair it lacks moved nobody), the model variables of the ``controls`` (by la_code,
    the covariates of ``LAGGED``: the sending area's demographic ones, both ends' economic ones, logs as in
    Table 1) and ``log_pop``, the log of the sending area's ``population`` (by la_code), the offset.

    The caller chooses the years of ``controls`` and ``population`` (``pair_frame``: the controls of the year
    before, the population of ``year``; the census: see ``movers.strands.flows.public.census_frame``).
    A covariate not in ``omitted`` missing for an authority, or a population missing, is an ``InputError``
    (``what`` says whose controls they are)."""
    codes = np.array(sorted(set(base["origin"])))
    o, d = np.searchsorted(codes, base["origin"]), np.searchsorted(codes, base["destination"])
    f = base.copy()
    f["year"] = year
    key = pd.MultiIndex.from_arrays([f["origin"], f["destination"]])
    f["moves"] = moves.reindex(key).fillna(0).to_numpy()
    c = controls.reindex(codes)
    need = [v for v in LAGGED if v not in omitted]
    absent = [v for v in need if v not in c]
    if absent:
        raise InputError("covariates", f"no column {', '.join(absent)} ({what})")
    lacking = [v for v in need if c[v].isna().any()]
    if lacking:
        short = codes[c[lacking].isna().any(axis=1).to_numpy()]
        raise InputError(
            "covariates",
            f"missing value(s) of {', '.join(lacking)} for {len(short)} authorities, e.g. {', '.join(short[:5])} ({what})",
        )
    c = c.assign(**{v: np.nan for v in LAGGED if v not in c})  # the omitted ones: no figure, never filled
    for var, (col, fn) in SENDING_CONTROLS.items():
        v = c[col].to_numpy(dtype=float)
        f[var] = (fn(v) if fn is not None else v)[o]
    for var, (col, fn) in BOTH_ENDS.items():
        v = c[col].to_numpy(dtype=float)
        v = fn(v) if fn is not None else v
        f[f"{var}_o"], f[f"{var}_d"] = v[o], v[d]
    pop = population.reindex(codes).to_numpy(dtype=float)
    if np.isnan(pop).any():
        raise InputError("population", f"no {year} population for some authorities")
    f["log_pop"] = np.log(pop)[o]
    f["wales_o"] = f["origin"].str.startswith("W").astype(float)
    f["wales_d"] = f["destination"].str.startswith("W").astype(float)
    return f


def pair_frame(
    data: FlowData, typology: str, years: Sequence[int], include_zero: bool = False, sex: str | None = None
) -> pd.DataFrame:
    """The regression frame: one row per ordered pair of typed authorities and year (``pairs``, ``pair_year``).

    Columns: moves, sending, receiving (area types), border, log_distance,
    one-year-lagged controls (logs as in Table 1), log_pop (sending LA's
    population in year t, the offset), wales_o / wales_d, year. With
    ``include_zero=False`` only pairs with at least one move are kept, as the
    report could do with the ONS files; ``True`` gives the full matrix.
    ``sex`` ("M" or "F") models one sex's moves with that sex's population as the offset.
    """
    if typology not in data.types:
        raise InputError(f"typology {typology!r}", "is not a column of the area types")
    base = pairs(data.types.set_index("la_code")[typology], data.geography)
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
        if (year - 1) not in cov.index.get_level_values("year"):
            raise InputError("covariates", f"no covariates for {year - 1} (the lagged controls of {year})")
        moves = flows.xs(year, level="year") if year in flows.index.get_level_values("year") else flows.iloc[:0].droplevel("year")
        population = (
            pop_year.xs(year, level="year") if year in pop_year.index.get_level_values("year") else pd.Series(dtype=float)
        )
        frames.append(
            pair_year(
                base, year, moves, cov.xs(year - 1, level="year"), population, data.omitted, f"the {year - 1} controls of {year}"
            )
        )
    out = pd.concat(frames, ignore_index=True)
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
    labels: Mapping[str, str] | None = None,
) -> tuple[np.ndarray, list[str], list[str]]:
    """Design matrix: constant, area-type dummies (reference = first level), year dummies, country dummies, controls.

    Returns the matrix, all column names, and the columns shown in tables (dummies and controls).
    Types or years absent from the frame get no column (so small samples stay estimable); a frame
    without ``year`` (one cross-section) or without ``wales_o``/``wales_d`` gets no such effects.
    Controls are named by ``labels`` (their own name when not in it).
    """
    names_of = variable_labels() if labels is None else labels
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
        cols[names_of.get(c, c)] = frame[c].to_numpy(dtype=float)
        shown.append(names_of.get(c, c))
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


def shown_coefs(fit, shown: Sequence[str]) -> pd.DataFrame:
    """The rows ``shown`` of a fit (NB2, zero-truncated NB2 or PPML: ``names``, ``params``, ``se``) as a coefficient
    frame (``coef_frame``: estimate, SE and the two-sided normal p-value, indexed by term)."""
    idx = [fit.names.index(s) for s in shown]
    return coef_frame(shown, np.asarray(fit.params[idx], dtype=float), np.asarray(fit.se[idx], dtype=float))


def estimates(fit: NBFit, shown: Sequence[str]) -> Estimates:
    """The shown rows of an NB2 fit as the book's results object (alpha and iterations in ``extra``)."""
    return Estimates(
        shown_coefs(fit, shown),
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
    labels: Mapping[str, str] | None = None,
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
    unknown = [m for m in models if m not in model_controls()]
    if unknown or not len(models):
        raise InputError("parameter 'models'", f"must name some of {', '.join(MODEL_NAMES)}, not {list(models)!r}")
    return {m: model_controls()[m] for m in models}


def sending_models(
    frame: pd.DataFrame,
    typology: str,
    models=MODEL_NAMES,
    exposure: str = "offset",
    order: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    clusters: Mapping[str, str | tuple[str, ...]] | None = None,
) -> dict[str, Estimates]:
    """Which areas do people leave? Each model (a name of ``MODELS`` or name -> controls) with sending-type
    dummies (Tables 2 and 7). ``frame`` has ``moves``, ``sending``, the controls (and ``log_pop`` for an offset)."""
    order = list(order or levels(typology))
    return {m: fit_model(frame, "sending", order, typology, c, exposure, labels, clusters) for m, c in _specs(models).items()}


def receiving_models(
    frame: pd.DataFrame,
    typology: str,
    models=MODEL_NAMES,
    exposure: str = "offset",
    sending: Sequence[str] | None = None,
    order: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
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
    return {block: [all(v in model_controls()[m] for v in vars_) for m in models] for block, vars_ in control_blocks().items()}


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
    out = {(variable_labels()[k], "Model 4"): float(v) for k, v in truth["coefficients"].items()}
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
    pub = reference.published(table)["row"].unique()
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
        cols[variable_labels()[c]] = frame[c].to_numpy(dtype=float)
        shown.append(variable_labels()[c])
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
            shown = [r for r in shown if r in mine or r in variable_labels().values()]
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
    pub = reference.published_descriptives(6)
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
        return {d: manifests.open_data(d) for d in GVA_FILES}
    except InputError:
        return None


def london_gva_readings(files: Mapping[str, Path] | None, years: Sequence[int]) -> tuple[pd.DataFrame | None, dict]:
    """Table 6's London Cosmopolitan GVA per head (£726,621, ten times any other group's) under both readings,
    from the real files: a stray digit (the figure over 10) against the supergroup's authority-year mean
    without the City of London, and the City's own GVA per head (GVA of a few thousand residents' workplaces)
    pulling the mean up, against the mean with it.

    GVA per head is GVA (£ million, income approach, current prices; the open file ends in 2015) over MYEB3
    mid-year population, for the ``years`` the GVA file has. Returns the table (``None`` when the files
    or years are missing) and the figures: the published one and a tenth of it always; the means, the
    City's figure, the years used (``lc_gva_years``, a tuple) and the authorities counted when computed;
    ``lc_gva_file_years`` (first, last) when the GVA file shares no year with ``years``.
    """
    published = float(reference.published_descriptives(6).loc[LONDON_COSMOPOLITAN, "Average GVA per capita (£)"])
    facts = {"lc_published": published, "lc_digit": published / 10}
    if files is None:
        return None, facts
    gva = public.read_gva(files["gva_la"])
    yrs = sorted(set(years) & set(gva["year"]))
    if not yrs:
        return None, facts | {"lc_gva_file_years": (int(gva["year"].min()), int(gva["year"].max()))}
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
        "lc_gva_years": tuple(int(y) for y in yrs),
        "lc_n_las": int(codes.isin(per_head.index.get_level_values("la_code")).sum()),
    }
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
# What the three flows chapters compute from, prepared once: the selection, the data, the regression frame.
# Their pages (captions, table numbers, sentences) are in ``pages/flows.py``.


@dataclass(frozen=True)
class Selection:
    """What a chapter's estimates are computed on: the typology, years, sex, area, sample and exposure."""

    typology: str
    years: tuple[int, ...]
    area: str = "England"
    sex: str | None = None
    exposure: str = "offset"
    include_zero: bool = False


@dataclass
class FlowSetup:
    """Everything a flows chapter computes from, prepared once by ``prepare``."""

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
    def specs(self) -> dict[str, list[str]]:
        """Each model's controls, without those these data hold no figure for."""
        return without(self.models, self.data.omitted)


def prepare(
    name: str,
    source: str = "synthetic",
    data_path: str = "",
    years="2011-2018",
    typology: str | None = None,
    sex: str = "all",
    models: Sequence[str] = MODEL_NAMES,
    exposure: str = "offset",
    include_zero_flows: bool = False,
) -> FlowSetup:
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
        src = sources.open(source, data_path)
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
    return FlowSetup(name, int(chapters[name]["number"]), src, data, sel, frame, list(models), truth, inputs=inputs)
