"""The report's aggregate flows analysis on the one open origin-destination matrix: the 2011 Census.

Why here and not in ``movers.flows``: the yearly analyses there read the ONS
detailed estimates (2012-2018, not open offline); this module runs the same
models on the 2011 Census LA-to-LA matrix with controls built from the open
files (``movers.data.public.CensusInputs``), and measures how far the
report's published coefficients are from the estimates.

* ``out_rates`` / ``typology_rates``: the report's descriptive rates, moves
  from type k to type m over the population of k, in per cent;
* ``census_frame``: every ordered pair of distinct typed authorities with the
  flow, border, log distance, the sending area's demographic controls and both
  ends' economic controls, and the sending area's log population (offset);
* ``report_models``: Models 1-4 of every sending and receiving table of a
  typology, fitted by ``movers.flows`` (the book's one gravity module, NB2 on
  ``flows.fit_nb2``), with the published coefficients beside them, and ``agreement``:
  per table, the share of published coefficients whose sign the estimate
  shares and the share within two published standard errors.

Controls that no open file gives for 2010-2011 (unemployment, share born
outside the UK) are left out of Models 3 and 4 (``OMITTED``), never replaced.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from IPython.display import Markdown

from movers import compare, flows
from movers.data import public
from movers.errors import InputError, require_columns, require_nonempty
from movers.tables import Table, coef_cell, coef_frame, fmt_number, render

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
    moves = f.pivot_table(index="k", columns="m", values="moves", aggfunc="sum", fill_value=0).reindex(index=order, columns=order, fill_value=0)
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
    "Model 4": ["border", "log_distance", "log_young", "dependency", "tfr", "log_gva_o", "log_gva_d", "log_house_o", "log_house_d"],
}
CONTROL_BLOCKS = {
    "Distance and border": ["border", "log_distance"],
    "Demographic structure of sending (without non-UK born)": ["log_young", "dependency", "tfr"],
    "Economic conditions (without unemployment)": ["log_gva_o", "log_gva_d", "log_house_o", "log_house_d"],
}
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
    require_columns(cov, ["population", "young_share", "dependency_ratio", "tfr", "house_price", "gva_per_head"], "census covariates")
    codes = np.array(sorted(t.index))
    missing = sorted(set(codes) - set(cov.dropna().index))
    if missing:
        raise InputError("census covariates", f"no complete controls for {len(missing)} authorities, e.g. {', '.join(missing[:5])}")
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

    Returns {key: {"table": published table or None, "models": {model: Estimates},
    "long": compare.side_by_side frame}}, key "Sending" or the sending type.
    """
    fits = {"Sending": flows.sending_models(frame, typology, MODELS, exposure)}
    fits.update(flows.receiving_models(frame, typology, MODELS, exposure))
    out = {}
    for key, models in fits.items():
        table = published_table(typology, None if key == "Sending" else key)
        rows = list(dict.fromkeys(r for m in models.values() for r in m.index))
        long = compare.side_by_side(models, table=table, row_map=flows.row_map(table, rows) if table else None)
        out[key] = {"table": table, "models": models, "long": long}
    return out


def agreement(long: pd.DataFrame) -> dict:
    """Of the published coefficients with an estimate beside them: how many, the share whose sign the
    estimate shares, and the share within two published standard errors of the estimate."""
    p = long.dropna(subset=["published"])
    if p.empty:
        return {"n": 0, "sign": np.nan, "within_2se": np.nan}
    sign = np.sign(p["estimate"]) == np.sign(p["published"])
    within = (p["estimate"] - p["published"]).abs() <= 2 * p["published_se"]
    return {"n": int(len(p)), "sign": float(sign.mean()), "within_2se": float(within.mean())}


def run_all(inputs, exposure: str = "offset", typologies: Sequence[str] = ("supergroup", "imd")) -> dict:
    """``report_models`` for every sample (``SAMPLES``) and typology: {sample: {typology: {key: entry}}}."""
    return {s: {t: report_models(census_frame(inputs, t, include_zero=(s == "full")), t, exposure) for t in typologies} for s in SAMPLES}


def agreement_table(results: Mapping[str, dict]) -> pd.DataFrame:
    """One row per published table and sample, from ``run_all`` output."""
    recs = []
    for sample, by_type in results.items():
        for res in by_type.values():
            for key, r in res.items():
                if r["table"] is None:
                    continue
                a = agreement(r["long"])
                recs.append({"Table": f"Table {r['table']}", "Model set": "Sending" if key == "Sending" else f"From {key}", "Sample": SAMPLES.get(sample, sample),
                             "Published coefficients": a["n"], "Same sign (share)": a["sign"], "Within 2 published SEs (share)": a["within_2se"]})
    return pd.DataFrame(recs)


def overall_agreement(results: Mapping[str, dict]) -> dict:
    """``agreement`` pooled over every published table, per sample: {sample: {n, sign, within_2se}}."""
    return {s: agreement(pd.concat([e["long"] for res in by_type.values() for e in res.values()], ignore_index=True)) for s, by_type in results.items()}


def omitted_text() -> str:
    """The report's controls left out, and why, as one sentence fragment."""
    return f"the unemployment rate of both ends, because {OMITTED['unemp_o']}; and the sending area's share of residents born outside the UK, because {OMITTED['non_uk_born']}"


def exposure_text(exposure: str) -> str:
    """What the exposure choice means, and its alternative one parameter away."""
    if exposure == "offset":
        return ("Here the count of moves is modelled with the log population of the sending authority as an offset "
                "(a model of the rate that keeps the count likelihood), as in the book's other flows chapters; "
                "`-p exposure=none` fits the counts without an offset.")
    if exposure == "none":
        return ("Here the count of moves is modelled without an offset (population enters only through the controls); "
                "`-p exposure=offset` uses the log population of the sending authority as an offset, as the book's other flows chapters do.")
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
            pub = [long.loc[(r, m), ["published", "published_se"]] if (r, m) in long.index else None for r in rows]
            out[f"{m} (published)"] = [coef_cell(p["published"], p["published_se"], None) if p is not None and np.isfinite(p["published"]) else "–" for p in pub]
    for block, flags in control_flags().items():
        out.loc[block] = [("YES" if f else "NO") for f in flags for _ in range(2 if entry["table"] is not None else 1)]
    out.loc["Observations"] = [fmt_number(models[m].nobs, 0) for m in models for _ in range(2 if entry["table"] is not None else 1)]
    what = "Sending" if label.endswith("sending") else None
    who = {"supergroup": "ONS supergroup", "imd": "IMD 2010 quintile"}[typology]
    key = entry.get("key", "")
    title = (f"Outflows by {who} of the sending authority" if what else f"Flows from {key} authorities by {who} of the receiving authority")
    ref = flows.levels(typology)[0]
    pub = f"report Table {entry['table']}" if entry["table"] is not None else "no published counterpart"
    a = agreement(entry["long"])
    notes = (f"NB2 regressions of 2011 Census moves between authorities, {SAMPLES[sample].lower()}; reference group {ref}; robust SEs in parentheses; "
             "*** p<0.01, ** p<0.05, * p<0.1. Published: the report's pooled 2011-2018 coefficient and SE.")
    if a["n"]:
        notes += f" Of {a['n']} published coefficients, {a['sign']:.0%} share the sign of the 2011 estimate and {a['within_2se']:.0%} lie within two published SEs of it."
    return Table(out, caption=f"{title}, 2011 Census, {SAMPLES[sample].lower()} ({pub})", notes=notes, label=label)


def comparison_tables(results: Mapping[str, dict], typology: str, sample: str) -> list:
    """``comparison_table`` for every model set of one typology and sample, sending first."""
    out = []
    for key, entry in results.items():
        slug = "sending" if key == "Sending" else flows.levels(typology).index(key)
        out.append(comparison_table({**entry, "key": key}, typology, sample, f"table-public-{typology}-{sample}-{slug}"))
    return out


# --------------------------------------------------------------------------- yearly gross migration rates (MYEB3)


def myeb3_rates(myeb3: pd.DataFrame, units: Mapping[str, str] | None = None, years: Sequence[int] = range(2012, 2019)) -> pd.DataFrame:
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
        recs.append(pd.DataFrame({"la_code": now.index, "year": y, "population": before["population"].reindex(now.index).to_numpy(),
                                  "out": now["internal_out"].to_numpy(), "in": now["internal_in"].to_numpy()}))
    out = pd.concat(recs, ignore_index=True)
    out["out_rate"] = 100 * out["out"] / out["population"]
    out["in_rate"] = 100 * out["in"] / out["population"]
    return out


def rates_by_group(rates: pd.DataFrame, groups: pd.Series, order: Sequence[str] | None = None, which: str = "out") -> pd.DataFrame:
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
    parts = {f"{label}, {c}": s for which, label in (("out", "Out-migration"), ("in", "In-migration"))
             for c, s in rates_by_group(rates, country, which=which).items()}
    out = pd.DataFrame(parts).T
    out.index.name = "Rate, country"
    return out


def harmonisation_note(inputs):
    """What happened to the codes of each open file (a table), or a sentence for the synthetic world."""
    if not inputs.harmonised:
        return Markdown("The synthetic world's files are all on the authorities of its own geography; no code needed harmonising.")
    return render(public.harmonisation_summary(inputs), digits=0, label="table-public-harmonisation",
                         caption="How each open file was put on the 2011 Census areas of England and Wales (number of LA codes)",
                         notes="Census pairs merged: City of London into Westminster and Isles of Scilly into Cornwall, as the census published its flows. "
                               "Older codes recoded: 2009-2013 codes renamed to the 2014 ones. Merged codes spread: a 2019-2021 authority's value given to each of its former districts. "
                               "Scotland / NI dropped: authorities outside England and Wales, left out as the report does.")
