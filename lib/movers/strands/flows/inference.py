"""Inference beyond the report for the gravity models on the 2011 Census matrix.

Why: the report (and the book's reproduction of it) gives pair-level robust standard errors. Flows
that leave one authority share its unobserved pull and push, and so do flows that enter one: the
errors are correlated within origins and within destinations, and a coefficient that varies only
between origins (a sending-type dummy, a sending-area control) or only between destinations has far
fewer independent observations than pairs. This module sets beside the robust SEs

* SEs clustered by origin, by destination and two-way (Cameron, Gelbach and Miller 2011:
  V_origin + V_destination - V_pair, each with Stata's G/(G-1)), from the same fits
  (``flows.fit_model(clusters=...)``, ``nb2.covariance``): ``inference_frame``, ``se_ratios``;
* the count of the report's significance claims (a published coefficient with ``**`` or ``***``) that the
  2011 estimate still supports, same sign and significant at 5 %, with each kind of SE: ``surviving_claims``;
* a PPML (Poisson) gravity fit with origin and destination fixed effects, the field's standard
  estimator for flows with zeros, on the full matrix (``ppml_models``, fitted by ``nb2.fit_poisson``,
  which the tests check against pyfixest's ``fepois``). With both sets of effects every
  characteristic of one end (the area-type dummies, the push and pull controls) is absorbed, so
  only border and distance remain; the type dummies are estimated with the other end's effects.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.stats import norm

from movers.data import published as reference
from movers.estimators import nb2
from movers.estimators.results import Estimates
from movers.strands.flows import models as flows

SE_KINDS = {
    "robust": "Robust (pairs)",
    "origin": "Clustered by origin",
    "destination": "Clustered by destination",
    "two-way": "Two-way (origin and destination)",
}
KINDS = ("Sending-type dummies", "Receiving-type dummies", "Origin covariates", "Destination covariates", "Pair covariates")
CONTROL_KIND = {
    "border": "Pair covariates",
    "log_distance": "Pair covariates",
    "log_young": "Origin covariates",
    "dependency": "Origin covariates",
    "tfr": "Origin covariates",
    "log_gva_o": "Origin covariates",
    "log_house_o": "Origin covariates",
    "log_gva_d": "Destination covariates",
    "log_house_d": "Destination covariates",
}
LEVEL = 0.05  # a significance claim: the report's ** or *** (p < 0.05)


def coefficient_kind(row: str, key: str) -> str:
    """Which end a shown coefficient varies with: a type dummy of the sending (``key`` "Sending") or
    receiving side, a control of the origin, of the destination, or of the pair."""
    controls = {flows.LABELS.get(c, c): kind for c, kind in CONTROL_KIND.items()}
    if row in controls:
        return controls[row]
    return KINDS[0] if key == "Sending" else KINDS[1]


def _published(table: int | None, rows) -> dict:
    """(our row, model) -> (published estimate, SE, stars) of a report table."""
    if table is None:
        return {}
    pub = reference.published(table)
    back = {v: k for k, v in flows.row_map(table, list(rows)).items()}
    return {
        (back.get(r, r), c): (e, s, st)
        for r, c, e, s, st in pub[["row", "column", "estimate", "se", "stars"]].itertuples(index=False)
    }


def inference_frame(results: Mapping[str, dict]) -> pd.DataFrame:
    """One row per shown coefficient of every fit of ``census.run_all`` (fitted with ``census.CLUSTERS``):
    sample, typology, table, set, model, row, kind, estimate, the SE of each of ``SE_KINDS``, and the
    published estimate, SE and stars where the report has the row."""
    recs = []
    for sample, by_type in results.items():
        for typology, res in by_type.items():
            for key, entry in res.items():
                rows = {r for est in entry["models"].values() for r in est.index}
                pub = _published(entry["table"], rows)
                for model, est in entry["models"].items():
                    cl = est.extra["clustered_se"]
                    for row in est.index:
                        p = pub.get((row, model), (np.nan, np.nan, ""))
                        recs.append(
                            {
                                "sample": sample,
                                "typology": typology,
                                "table": entry["table"],
                                "set": key,
                                "model": model,
                                "row": row,
                                "kind": coefficient_kind(row, key),
                                "estimate": float(est.coefs.loc[row, "estimate"]),
                                "robust": float(est.coefs.loc[row, "se"]),
                                **{k: float(cl.loc[row, k]) for k in SE_KINDS if k != "robust"},
                                "published": float(p[0]),
                                "published_se": float(p[1]),
                                "published_stars": str(p[2]),
                            }
                        )
    return pd.DataFrame(recs)


def se_ratios(frame: pd.DataFrame, by=("sample", "kind")) -> pd.DataFrame:
    """Median ratio of each clustered SE to the robust one, and the number of coefficients, per group of ``by``."""
    r = frame.assign(**{k: frame[k] / frame["robust"] for k in SE_KINDS if k != "robust"})
    g = r.groupby(list(by), sort=False)
    out = g[[k for k in SE_KINDS if k != "robust"]].median()
    out.insert(0, "n", g.size())
    if "kind" in by:  # the other levels in the order met, kinds in ``KINDS`` order within them
        flat = out.reset_index()
        order = {b: (flat[b].map(KINDS.index) if b == "kind" else pd.Series(pd.factorize(flat[b])[0])) for b in by}
        out = out.iloc[pd.DataFrame(order).sort_values(list(by), kind="stable").index]
    return out


def significant(estimate, se, level: float = LEVEL) -> np.ndarray:
    """Two-sided normal test of estimate / se at ``level`` (False where the SE is missing)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * norm.sf(np.abs(np.asarray(estimate, dtype=float) / np.asarray(se, dtype=float)))
    return np.nan_to_num(p, nan=1.0) < level


def surviving_claims(frame: pd.DataFrame) -> pd.DataFrame:
    """Per sample: the published coefficients with an estimate beside them, those the report calls
    significant at 5 % (``**`` or ``***``), and how many of these the 2011 estimate supports (same sign,
    significant at 5 %) with each kind of SE."""
    recs = {}
    for sample, f in frame.groupby("sample", sort=False):
        f = f[f["published"].notna()]
        claims = f[f["published_stars"].isin(["**", "***"])]
        same = np.sign(claims["estimate"]) == np.sign(claims["published"])
        recs[sample] = {"Published coefficients": len(f), "Significant at 5 % in the report": len(claims)} | {
            f"Supported, {label.lower()} SE": int((same & significant(claims["estimate"], claims[k])).sum())
            for k, label in SE_KINDS.items()
        }
    return pd.DataFrame.from_dict(recs, orient="index")


# --------------------------------------------------------------------------- PPML with fixed effects

PPML_COLUMNS = {
    "od": "PPML, origin and destination effects",
    "sending": "PPML, destination effects (sending types)",
    "receiving": "PPML, origin effects (receiving types)",
}
SENDING_CONTROLS = ["border", "log_distance", "log_young", "dependency", "tfr", "log_gva_o", "log_house_o"]
RECEIVING_CONTROLS = ["border", "log_distance", "log_gva_d", "log_house_d"]


def _ppml(frame: pd.DataFrame, factor: str | None, typology: str, controls, fe: tuple[str, ...], drop=()) -> Estimates:
    """One PPML fit of ``moves`` (log population of the sending area as offset) with the effects of ``fe``
    absorbed: the dummies of ``factor`` (none when None), ``controls``, and the Welsh dummies not in ``drop``."""
    if factor is None:
        names = [flows.LABELS.get(c, c) for c in controls]
        X, shown = frame[list(controls)].to_numpy(dtype=float), names
    else:
        X, names, shown = flows.design(frame, factor, flows.levels(typology), typology, controls)
        keep = [j for j, n in enumerate(names) if n != "const" and n not in drop]
        X, names = X[:, keep], [names[j] for j in keep]
    fit = nb2.fit_poisson(
        X,
        frame["moves"].to_numpy(dtype=float),
        frame["log_pop"].to_numpy(),
        names,
        fe=tuple(frame[c].to_numpy() for c in fe),
        groups=(frame["origin"].to_numpy(), frame["destination"].to_numpy()),
    )
    return Estimates(flows.shown_coefs(fit, shown), nobs=fit.nobs, seconds=fit.seconds)


def ppml_models(frame: pd.DataFrame, typology: str) -> dict[str, Estimates]:
    """Three PPML fits of the full matrix, two-way clustered SEs: with origin and destination effects
    (border and distance only: everything else is absorbed); with destination effects, the sending-type
    dummies and the sending area's controls (the report's sending model, its pull side absorbed); with
    origin effects, the receiving-type dummies and the destination's controls (pooled over sending types)."""
    return {
        "od": _ppml(frame, None, typology, ["border", "log_distance"], ("origin", "destination")),
        "sending": _ppml(frame, "sending", typology, SENDING_CONTROLS, ("destination",), ("wales_d",)),
        "receiving": _ppml(frame, "receiving", typology, RECEIVING_CONTROLS, ("origin",), ("wales_o",)),
    }
