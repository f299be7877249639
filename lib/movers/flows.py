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
* ``fit_nb2`` (from ``movers.nb2``) is a fast NB2 maximum-likelihood fit with
  Stata's robust SEs: statsmodels' ``NegativeBinomial`` takes minutes on the
  966,048 pair-years of England and Wales, this takes seconds;
* ``sending_models`` / ``receiving_models`` run Models 1-4 and return
  coefficient frames labelled with the report's row names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from movers.errors import InputError, require_nonempty
from movers.nb2 import NBFit, fit_nb2, fit_ztnb  # noqa: F401  (flows.fit_nb2 / flows.NBFit stay importable)
from movers.tables import coef_frame

TYPOLOGIES = ("smi", "supergroup", "imd")

# variable -> the report's row label
LABELS = {
    "border": "Share border",
    "log_distance": "Distance between sending and receiving areas",
    "log_young": "Young population ratio aged 15-29, sending area",
    "dependency": "Dependency ratio, sending area",
    "non_uk_born": "Non-UK born ratio, sending area",
    "tfr": "Fertility rate, sending area",
    "unemp_o": "Unemployment rate, sending area",
    "unemp_d": "Unemployment rate, receiving area",
    "log_gva_o": "GVA per capita, sending area",
    "log_gva_d": "GVA per capita, receiving area",
    "log_house_o": "House prices, sending area",
    "log_house_d": "House prices, receiving area",
}
BLOCKS = {
    "Distance and border": ["border", "log_distance"],
    "Demographic structure of sending": ["log_young", "dependency", "non_uk_born", "tfr"],
    "Economic conditions": ["unemp_o", "unemp_d", "log_gva_o", "log_gva_d", "log_house_o", "log_house_d"],
}
MODELS = {
    "Model 1": [],
    "Model 2": BLOCKS["Distance and border"],
    "Model 3": BLOCKS["Distance and border"] + BLOCKS["Demographic structure of sending"],
    "Model 4": BLOCKS["Distance and border"] + BLOCKS["Demographic structure of sending"] + BLOCKS["Economic conditions"],
}


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


def load(data_dir, years: Sequence[int], keep_detailed: bool = True) -> FlowData:
    """Read flows (``years`` and the year before for the lagged controls' covariates) and every input through the loaders."""
    from movers.data import nomis, ons_flows
    from movers.data.geography import load_geography
    from movers.synth import read_truth

    data_dir = Path(data_dir)
    years = list(years)
    if not years:
        raise InputError("parameter 'years'", "the year range is empty")
    geo = load_geography(data_dir / "geography")
    known = set(geo.las["la_code"])
    det = ons_flows.read_detailed(data_dir / "flows", years, known)
    totals = ons_flows.pair_year_totals(det)
    cov = nomis.covariates(data_dir / "nomis", known)
    pop = nomis.population(data_dir / "nomis", known, years=sorted(set(years)))
    types = nomis.classifications(data_dir / "nomis", known)
    truth = read_truth(data_dir / "flows")
    return FlowData(totals, det if keep_detailed else None, cov, pop, types, geo, truth)


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
    from movers.data.nomis import typology_levels

    return typology_levels(typology)


def pair_frame(data: FlowData, typology: str, years: Sequence[int], include_zero: bool = False, sex: str | None = None) -> pd.DataFrame:
    """The regression frame: one row per ordered pair of typed authorities and year.

    Columns: moves, sending, receiving (area types), border, log_distance,
    one-year-lagged controls (logs as in Table 1), log_pop (sending LA's
    population in year t, the offset), wales_o / wales_d, year. With
    ``include_zero=False`` only pairs with at least one move are kept, as the
    report could do with the ONS files; ``True`` gives the full matrix.
    ``sex`` ("M" or "F") models one sex's moves with that sex's population as the offset.
    """
    from movers.data import ons_flows

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
        if lag[["young_share", "dependency_ratio", "non_uk_born", "tfr", "unemployment_rate", "gva_per_head", "house_price"]].isna().any().any():
            raise InputError("covariates", f"missing {year - 1} covariates for some authorities")
        o, d = oi, di
        f["log_young"] = np.log(lag["young_share"].to_numpy())[o]
        f["dependency"] = lag["dependency_ratio"].to_numpy()[o]
        f["non_uk_born"] = lag["non_uk_born"].to_numpy()[o]
        f["tfr"] = lag["tfr"].to_numpy()[o]
        for var, col, fn in (("unemp", "unemployment_rate", lambda x: x), ("log_gva", "gva_per_head", np.log), ("log_house", "house_price", np.log)):
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


def design(frame: pd.DataFrame, factor: str, order: Sequence[str], typology: str, controls: Sequence[str], countries: bool = True) -> tuple[np.ndarray, list[str], list[str]]:
    """Design matrix: constant, area-type dummies (reference = first level), year dummies, country dummies, controls.

    Returns the matrix, all column names, and the columns shown in tables (dummies and controls).
    Types or years absent from the frame get no column (so small samples stay estimable).
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
    years = sorted(frame["year"].unique())
    for y in years[1:]:
        cols[f"year {y}"] = (frame["year"] == y).to_numpy(dtype=float)
    if countries:
        for c in ("wales_o", "wales_d"):
            v = frame[c].to_numpy(dtype=float)
            if 0 < v.sum() < len(v):
                cols[c] = v
    for c in controls:
        cols[LABELS[c]] = frame[c].to_numpy(dtype=float)
        shown.append(LABELS[c])
    return np.column_stack(list(cols.values())), list(cols), shown


def fit_model(frame: pd.DataFrame, factor: str, order: Sequence[str], typology: str, controls: Sequence[str], exposure: str = "offset") -> pd.DataFrame:
    """One NB2 regression as a coefficient frame of the shown rows (attrs: nobs, alpha, seconds, converged, full fit).

    ``exposure="offset"``: moves with log population of the sending LA as offset
    (a model of the rate that keeps the count likelihood); ``"rate"``: moves per
    1,000 residents of the sending LA as the outcome, no offset (the report's
    wording, "Moves is the flow rate"); ``"none"``: raw counts, no offset.
    """
    require_nonempty(frame, "pair frame", "set of pair-years")
    X, names, shown = design(frame, factor, order, typology, controls)
    y = frame["moves"].to_numpy(dtype=float)
    offset = None
    if exposure == "offset":
        offset = frame["log_pop"].to_numpy()
    elif exposure == "rate":
        y = 1000 * y / np.exp(frame["log_pop"].to_numpy())
    elif exposure != "none":
        raise InputError("parameter 'exposure'", f"must be offset, rate or none, not {exposure!r}")
    fit = fit_nb2(X, y, offset, names)
    idx = [names.index(s) for s in shown]
    out = coef_frame(shown, fit.params[idx], fit.se[idx], nobs=fit.nobs)
    out.attrs.update(alpha=fit.alpha, seconds=fit.seconds, converged=fit.converged, iterations=fit.iterations)
    return out


def sending_models(frame: pd.DataFrame, typology: str, models: Sequence[str] = tuple(MODELS), exposure: str = "offset") -> dict[str, pd.DataFrame]:
    """Which areas do people leave? Models 1-4 with sending-type dummies (Tables 2 and 7)."""
    order = levels(typology)
    return {m: fit_model(frame, "sending", order, typology, MODELS[m], exposure) for m in models}


def receiving_models(frame: pd.DataFrame, typology: str, sending: str, models: Sequence[str] = tuple(MODELS), exposure: str = "offset") -> dict[str, pd.DataFrame]:
    """Where do people from areas of type ``sending`` go? Models 1-4 with receiving-type dummies (Tables 3-5, 8-15, 16-20)."""
    order = levels(typology)
    if sending not in order:
        raise InputError("parameter 'sending'", f"{sending!r} is not a level of {typology}")
    sub = frame[frame["sending"] == sending]
    require_nonempty(sub, f"flows from {sending}", "set of pair-years")
    return {m: fit_model(sub, "receiving", order, typology, MODELS[m], exposure) for m in models}


def control_flags(models: Sequence[str]) -> dict[str, list[bool]]:
    """The YES/NO rows of the report's tables for the models shown."""
    return {block: [all(v in MODELS[m] for v in vars_) for m in models] for block, vars_ in BLOCKS.items()}


def true_values(truth: Mapping, frame: pd.DataFrame | None = None) -> dict:
    """The generating values of Model 4's rows: every control's coefficient and every area-type dummy's effect.

    Keyed by (row label, "Model 4") so ``compare.side_by_side`` puts them beside
    Model 4 only: Models 1-3 omit controls and have no single true value.
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
    from movers import compare

    pub = compare.published(table)["row"].unique()
    low = {p.lower(): p for p in pub}
    return {r: low[r.lower()] for r in rows if r.lower() in low and low[r.lower()] != r}


# ---------------------------------------------------------------- descriptives

AGE_BANDS = [(a, a + 4) for a in range(0, 90, 5)] + [(90, 90)]


def band_label(band: tuple[int, int]) -> str:
    return f"{band[0]}+" if band[0] == band[1] == 90 else f"{band[0]}-{band[1]}"


def type_rates(data: FlowData, typology: str, years: Sequence[int], sex: str | None = None, ages: tuple[int, int] | None = None) -> pd.DataFrame:
    """Moves from type k (rows) to type m (columns) over the population of k, per cent, over ``years``.

    Numerator and denominator are restricted alike (the report's female rate
    divides female moves by the female population); populations are summed over
    the years as the moves are.
    """
    from movers.data import ons_flows

    order = levels(typology)
    t = data.types.set_index("la_code")[typology].dropna()
    if data.detailed is None:
        raise InputError("flows", "detailed estimates not kept (load(..., keep_detailed=True))")
    det = data.detailed[data.detailed["year"].isin(years)]
    tot = ons_flows.pair_year_totals(det, sex=sex, ages=ages)
    tot = tot[tot["origin"].isin(t.index) & tot["destination"].isin(t.index)]
    require_nonempty(tot, "flows", "selection of moves")
    moves = tot.assign(k=tot["origin"].map(t), m=tot["destination"].map(t)).pivot_table(index="k", columns="m", values="moves", aggfunc="sum", fill_value=0)
    pop = data.population[data.population["year"].isin(years) & data.population["la_code"].isin(t.index)]
    if sex is not None:
        pop = pop[pop["sex"] == (1 if sex == "M" else 2)]
    if ages is not None:
        pop = pop[pop["age"].between(*ages)]
    denom = pop.groupby(pop["la_code"].map(t))["population"].sum()
    rates = 100 * moves.reindex(index=order, columns=order, fill_value=0).div(denom.reindex(order), axis=0)
    rates.index.name, rates.columns.name = "Sending", "Receiving"
    return rates


def rates_by(data: FlowData, typology: str, years: Sequence[int], by: str, bands: Sequence[tuple[int, int]] = AGE_BANDS) -> pd.DataFrame:
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


def supergroup_descriptives(data: FlowData, years: Sequence[int]) -> pd.DataFrame:
    """Table 6: mean covariates by ONS supergroup over ``years`` (authority-year means), in the report's columns."""
    cov = data.covariates[data.covariates["year"].isin(years)].merge(data.types[["la_code", "supergroup"]], on="la_code")
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


def zero_flow_bias(data: FlowData, typology: str, years: Sequence[int], exposure: str = "offset") -> pd.DataFrame:
    """Model 4 fitted on non-zero flows only (the report's practice) and on the full matrix, beside the truth.

    Why: dropping zeros truncates the count distribution, which biases every
    coefficient (most of all distance and border, which drive the zeros); only a
    world with known truth can show by how much.
    """
    truth = true_values(data.truth)
    rows = []
    for label, zero in (("Non-zero flows only", False), ("Full matrix", True)):
        fr = pair_frame(data, typology, years, include_zero=zero)
        m = sending_models(fr, typology, ["Model 4"], exposure)["Model 4"]
        for r, v in m.iterrows():
            rows.append({"row": r, "sample": label, "estimate": v["estimate"], "se": v["se"], "nobs": m.attrs["nobs"], "truth": truth.get((r, "Model 4"), np.nan)})
    out = pd.DataFrame(rows)
    out["z"] = (out["estimate"] - out["truth"]) / out["se"]
    return out


def table6_comparison(ours: pd.DataFrame) -> pd.DataFrame:
    """Table 6 beside the published one: columns 'X' and 'X (published)'.

    The report names one group "Business, Education and Heritage Centre"
    (singular) in Table 6, so rows are matched on their first 30 characters.
    """
    from movers import compare

    pub = compare.published_descriptives(6)
    key = {str(r)[:30].lower(): r for r in pub.index}
    pub = pub.rename(index={v: next((o for o in ours.index if o[:30].lower() == k), v) for k, v in key.items()})
    out = pd.DataFrame(index=ours.index)
    for col in ours.columns:
        out[col] = ours[col]
        if col in pub.columns:
            out[f"{col} (published)"] = pd.to_numeric(pub[col], errors="coerce").reindex(ours.index)
    return out


def report_tables(models: Mapping[str, pd.DataFrame], table: int | None, caption: str, truth: Mapping | None = None, source: str = ""):
    """The report-style regression table and the published-vs-reproduced(-vs-true) table of Model 4.

    Returns (regression Table, comparison Table, side_by_side long frame).
    """
    from movers import compare, tables

    names = list(models)
    rows = []
    for m in models.values():
        rows += [r for r in m.index if r not in rows]
    reg = tables.regression_table(models, controls=control_flags(names), caption=caption, notes="Robust (HC1) standard errors in parentheses; " + tables.STAR_NOTE + ". Year effects" + (" and country effects" if source == "ew" else "") + " in every model.")
    rmap = row_map(table, rows) if table is not None else None
    long = compare.side_by_side(models, table=table, truth=truth or None, row_map=rmap)
    last = "Model 4" if "Model 4" in models else names[-1]
    comp = compare.comparison_table(long, model=last, caption=f"{caption}: {last} beside the report" + (" and the truth" if truth else ""))
    return reg, comp, long


CENSUS_FILES = {"nssec": ("census2011_migration_nssec_la.csv", "NS-SEC: "), "ethnicity": ("census2011_migration_ethnicity_la.csv", "Ethnic group: ")}


def census_direction(data_dir, data: FlowData, kind: str) -> pd.DataFrame:
    """2011 Census movers between English authorities by group (NS-SEC or ethnicity): per cent moving to a
    less deprived IMD quintile, to the same quintile, to a more deprived one, and the number of movers.

    Why this summary: the census table has no population by group at origin,
    so rates cannot be formed; the direction of moves on the deprivation
    ladder is what the report's descriptive comparison is about.
    """
    from movers.data import ons_flows

    if kind not in CENSUS_FILES:
        raise InputError("parameter 'census_breakdown'", f"must be one of {', '.join(CENSUS_FILES)}, not {kind!r}")
    name, prefix = CENSUS_FILES[kind]
    od = ons_flows.read_census_groups(Path(data_dir) / "flows" / name, prefix, known=set(data.types["la_code"]))
    q = data.types.set_index("la_code")["imd_quintile"].dropna()
    od = od[od["origin"].isin(q.index) & od["destination"].isin(q.index) & (od["origin"] != od["destination"])]
    require_nonempty(od, name, "set of moves between English authorities")
    step = od["destination"].map(q) - od["origin"].map(q)  # quintile 1 = most deprived: a rise is a move up
    od = od.assign(direction=np.select([step > 0, step < 0], ["To a less deprived quintile", "To a more deprived quintile"], "Same quintile"))
    tab = od.pivot_table(index="group", columns="direction", values="moves", aggfunc="sum", fill_value=0, sort=False)
    total = tab.sum(axis=1)
    out = 100 * tab.div(total, axis=0)
    out = out.reindex(columns=["To a less deprived quintile", "Same quintile", "To a more deprived quintile"], fill_value=0.0)
    out["Movers"] = total.astype(int)
    out.index.name = None
    return out
