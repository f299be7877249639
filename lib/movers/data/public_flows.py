"""The part of the report's aggregate flows analysis that the open 2011 Census matrix allows.

Why here and not in ``movers.flows``: the yearly analyses there read the ONS
detailed estimates and the full set of covariates (Table 1); the open data
available offline give one origin-destination matrix (2011 Census, all ages),
populations, IMD 2010 and GVA only. These functions take plain tables (an OD
frame, a population series, a typology series, covariate series) so they run
unchanged on the synthetic world's flows aggregated the same way.

* ``typology_rates``: the report's descriptive rate, moves from type k to type m
  over the population of k, in per cent;
* ``pair_frame``: every ordered pair of distinct authorities with the flow
  (zeros included: the census matrix is complete), shared border, log distance
  in miles and covariates of sender and receiver;
* ``fit_nb``: negative binomial (NB2) regression with robust (HC1) standard
  errors, as the report specifies, returned as a ``movers.tables`` coefficient frame.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from movers.errors import InputError, require_columns, require_nonempty
from movers.tables import coef_frame


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


def pair_frame(od: pd.DataFrame, geography, typology: pd.Series, covariates: Mapping[str, pd.Series] | None = None) -> pd.DataFrame:
    """Every ordered pair of distinct typed authorities with moves, sending/receiving type, border and log distance.

    ``covariates`` (name -> series by LA code) are added as ``<name>_origin`` and
    ``<name>_destination``; pairs missing a covariate are an error, not silently dropped.
    """
    t = typology.dropna()
    codes = sorted(set(t.index) & set(geography.las["la_code"]))
    o, d = np.meshgrid(codes, codes, indexing="ij")
    keep = o != d
    pairs = pd.DataFrame({"origin": o[keep], "destination": d[keep]})
    flows = od[od["origin"] != od["destination"]].groupby(["origin", "destination"])["moves"].sum()
    pairs["moves"] = flows.reindex(pd.MultiIndex.from_frame(pairs[["origin", "destination"]])).fillna(0).to_numpy()
    pairs["sending"] = pairs["origin"].map(t).to_numpy()
    pairs["receiving"] = pairs["destination"].map(t).to_numpy()
    pairs["border"] = geography.share_border(pairs["origin"], pairs["destination"])
    pairs["log_distance"] = np.log(geography.distance_miles(pairs["origin"], pairs["destination"]))
    for name, s in (covariates or {}).items():
        for side in ("origin", "destination"):
            v = pairs[side].map(s)
            if v.isna().any():
                missing = sorted(set(pairs.loc[v.isna(), side]))
                raise InputError(name, f"no value for {len(missing)} authorities, e.g. {', '.join(missing[:5])}")
            pairs[f"{name}_{side}"] = v.to_numpy()
    return pairs


def _design(frame: pd.DataFrame, factor: str, order: Sequence[str], reference: str, terms: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Constant, dummies of ``factor`` (all levels of ``order`` but ``reference``), then ``terms``."""
    X = pd.DataFrame({"const": 1.0}, index=frame.index)
    dummies = []
    for lev in order:
        if lev == reference:
            continue
        col = f"{factor}: {lev}"
        X[col] = (frame[factor] == lev).astype(float)
        if X[col].sum() > 0:
            dummies.append(col)
        else:
            X = X.drop(columns=col)
    for t in terms:
        X[t] = frame[t].astype(float)
    return X, dummies


def fit_nb(frame: pd.DataFrame, factor: str, order: Sequence[str], reference: str, terms: Sequence[str] = (), labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Negative binomial (NB2) regression of ``moves`` on the dummies of ``factor`` and ``terms``; HC1 robust SEs.

    Returns a coefficient frame whose rows are the dummies, labelled by level
    (e.g. "3rd quintile"), then ``terms`` renamed by ``labels``; the intercept
    and the dispersion parameter are left out, as in the report's tables.
    """
    import warnings

    from statsmodels.discrete.discrete_model import NegativeBinomial

    require_nonempty(frame, "pair frame", "set of origin-destination pairs")
    X, dummies = _design(frame, factor, order, reference, terms)
    y = frame["moves"].to_numpy(dtype=float)
    model = NegativeBinomial(y, X, loglike_method="nb2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Newton from a cold start can overshoot when log distance is in the model;
        # the Poisson fit (IRLS, always converges) is a start close to the NB2 means.
        import statsmodels.api as sm

        pois = sm.GLM(y, X, family=sm.families.Poisson()).fit()
        start = np.append(pois.params.to_numpy(), 1.0)
        res = model.fit(start_params=start, method="newton", maxiter=100, disp=0, cov_type="HC1")
        if not res.mle_retvals.get("converged", True) or not np.all(np.isfinite(res.params)):
            res = model.fit(start_params=start, method="bfgs", maxiter=1000, disp=0, cov_type="HC1")
    if not np.all(np.isfinite(res.params)):
        raise RuntimeError("negative binomial fit did not converge (non-finite estimates)")
    names = dummies + list(terms)
    rename = {d: d.split(": ", 1)[1] for d in dummies}
    rename.update(labels or {})
    out = coef_frame([rename.get(n, n) for n in names], res.params[names].to_numpy(), res.bse[names].to_numpy(), res.pvalues[names].to_numpy(), nobs=int(res.nobs))
    out.attrs["alpha"] = float(res.params.iloc[-1])
    out.attrs["converged"] = bool(res.mle_retvals.get("converged", False))
    return out


LABELS = {
    "border": "Share border",
    "log_distance": "Distance between sending and receiving areas",
    "log_gva_origin": "GVA per capita, sending area",
    "log_gva_destination": "GVA per capita, receiving area",
}
SPECS = {
    "Model 1": [],
    "Model 2": ["border", "log_distance"],
    "Model 2 + GVA": ["border", "log_distance", "log_gva_origin", "log_gva_destination"],
}


def sending_models(pairs: pd.DataFrame, order: Sequence[str], reference: str, specs: Mapping[str, Sequence[str]] = SPECS) -> dict[str, pd.DataFrame]:
    """Which types of area do people leave? One NB fit per specification, sending-type dummies (report Tables 2 and 7)."""
    return {name: fit_nb(pairs, "sending", order, reference, terms, LABELS) for name, terms in specs.items()}


def receiving_models(pairs: pd.DataFrame, order: Sequence[str], reference: str, specs: Mapping[str, Sequence[str]] = SPECS) -> dict[str, dict[str, pd.DataFrame]]:
    """Where do people from each type of area go? For each sending type, one NB fit per specification
    with receiving-type dummies (report Tables 3-5, 8-15, 16-20)."""
    out = {}
    for k in order:
        sub = pairs[pairs["sending"] == k]
        if len(sub):
            out[k] = {name: fit_nb(sub, "receiving", order, reference, terms, LABELS) for name, terms in specs.items()}
    return out
