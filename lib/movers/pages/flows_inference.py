"""The pages of the inference beyond the report on the 2011 Census matrix (chapter ``flows_public``): the
clustered-to-robust SE ratios and the significance claims still supported (``inference_section``), and the
PPML gravity fits beside NB2 (``ppml_table``, ``ppml_section``); the estimates are
``movers.strands.flows.inference``'s."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.stats import norm

from movers.estimators.results import Estimates
from movers.pages import tables
from movers.pages.section import Section
from movers.pages.tables import Table, coef_cell, render
from movers.strands.flows import models as flows, public as census
from movers.strands.flows.inference import (
    KINDS,
    PPML_COLUMNS,
    SE_KINDS,
    inference_frame,
    ppml_models,
    se_ratios,
    surviving_claims,
)


def ppml_table(ppml: Mapping[str, Estimates], nb2_model4: Estimates, typology: str, label: str) -> Table:
    """The PPML fits beside the NB2 Model 4 sending fit of the same full matrix (its robust and its two-way SEs)."""
    rows = list(dict.fromkeys(r for e in [*ppml.values(), nb2_model4] for r in e.index))
    out = pd.DataFrame(index=rows)
    for key, est in ppml.items():
        out[PPML_COLUMNS[key]] = [coef_cell(*est.coefs.loc[r, ["estimate", "se", "pvalue"]]) if r in est else "" for r in rows]
    cl = nb2_model4.extra.get("clustered_se")
    for what, se in (("robust SE", nb2_model4.coefs["se"]), ("two-way SE", None if cl is None else cl["two-way"])):
        if se is None:
            continue
        cells = []
        for r in rows:
            if r not in nb2_model4:
                cells.append("")
                continue
            e = nb2_model4.coefs.loc[r, "estimate"]
            cells.append(coef_cell(e, se[r], 2 * norm.sf(abs(e / se[r]))))
        out[f"NB2 Model 4, sending ({what})"] = cells
    out.loc["Observations"] = [tables.fmt_number(e.nobs, 0) for e in ppml.values()] + [tables.fmt_number(nb2_model4.nobs, 0)] * (
        out.shape[1] - len(ppml)
    )
    who = {"supergroup": "ONS supergroups", "imd": "IMD 2010 quintiles"}[typology]
    return Table(
        out,
        caption=f"PPML gravity fits with fixed effects beside the NB2 sending model, {who}, 2011 Census, full matrix",
        notes=(
            "Poisson pseudo-maximum likelihood of moves for every ordered pair (zeros included), log population of the sending "
            "authority as offset, SEs clustered two-way by origin and destination (Cameron-Gelbach-Miller, G/(G-1) per term) in "
            "parentheses. With origin and destination effects every characteristic of one end is absorbed, so only border and "
            "distance are estimated; the sending-type dummies are estimated with destination effects (the receiving side absorbed) "
            "and the receiving-type dummies with origin effects, pooled over sending types (the report fits one receiving table per "
            "sending type). Welsh dummies where the sample has both countries, not shown. *** p<0.01, ** p<0.05, * p<0.1."
        ),
        label=label,
    )


def ppml_section(inputs, gravity) -> Section:
    """PPML with fixed effects on the full matrix, per typology, beside NB2 Model 4 (``ppml_table``), and the
    facts the prose cites: border and distance with both effects, and the sending dummies whose sign PPML
    (destination effects) and NB2 share."""
    shown, facts, fits = [], {}, {}
    for typology in ("supergroup", "imd"):
        frame = census.census_frame(inputs, typology, include_zero=True)
        fits[typology] = ppml_models(frame, typology)
        nb = gravity.frames["results"]["full"][typology]["Sending"]["models"]["Model 4"]
        shown.append(ppml_table(fits[typology], nb, typology, f"table-public-ppml-{typology}"))
        dummies = [r for r in fits[typology]["sending"].index if r in nb and r.startswith("Sending")]
        same = np.sign(fits[typology]["sending"].coefs.loc[dummies, "estimate"]) == np.sign(nb.coefs.loc[dummies, "estimate"])
        facts[f"ppml_{typology}_sign_same"] = int(same.sum())
        facts[f"ppml_{typology}_sign_n"] = len(dummies)
    border, distance = flows.LABELS["border"], flows.LABELS["log_distance"]
    od = fits["supergroup"]["od"].coefs["estimate"]
    facts["ppml_border"], facts["ppml_distance"] = float(od[border]), float(od[distance])
    nb = gravity.frames["results"]["full"]["supergroup"]["Sending"]["models"]["Model 4"].coefs["estimate"]
    facts["nb2_border"], facts["nb2_distance"] = float(nb[border]), float(nb[distance])
    return Section(shown, facts, {"ppml": fits})


def inference_section(gravity) -> Section:
    """The clustered-to-robust SE ratios by kind of coefficient (both samples) and by published table
    (non-zero pairs, two-way), the report's significance claims the 2011 estimates still support, and the
    facts the prose cites (non-zero pairs, as the report)."""
    frame = inference_frame(gravity.frames["results"])
    ratios = se_ratios(frame)
    nz = frame[frame["sample"] == "non-zero"]
    per_table = se_ratios(
        nz.assign(table=nz["table"].map(lambda t: "IMD sending (not published)" if pd.isna(t) else f"Table {int(t)}")),
        by=("table", "kind"),
    )
    wide = (
        per_table["two-way"].unstack("kind").reindex(columns=[k for k in KINDS if k in per_table.index.get_level_values("kind")])
    )
    claims = surviving_claims(frame)
    r = ratios.loc["non-zero"]
    c = claims.loc["non-zero"]
    facts = {
        "ratio_sending_origin": r.loc["Sending-type dummies", "origin"],
        "ratio_receiving_destination": r.loc["Receiving-type dummies", "destination"],
        "ratio_origin_cov_origin": r.loc["Origin covariates", "origin"],
        "ratio_destination_cov_destination": r.loc["Destination covariates", "destination"],
        "ratio_pair_twoway": r.loc["Pair covariates", "two-way"],
        "ratio_max_table": float(np.nanmax(wide.to_numpy())),
        "claims_n": int(c["Published coefficients"]),
        "claims_sig": int(c["Significant at 5 % in the report"]),
        **{f"claims_{k.replace('-', '')}": int(c[f"Supported, {lab.lower()} SE"]) for k, lab in SE_KINDS.items()},
        "claims_twoway_full": int(claims.loc["full", f"Supported, {SE_KINDS['two-way'].lower()} SE"]),
    }
    by_kind = ratios.rename(columns=SE_KINDS).reset_index()
    by_kind = by_kind.assign(sample=by_kind["sample"].map(census.SAMPLES)).rename(columns={"sample": "Sample"})
    shown = [
        render(
            by_kind.set_index("kind").rename_axis("Kind of coefficient"),
            digits={"n": 0, **{v: 2 for v in SE_KINDS.values()}},
            caption="Clustered standard errors over the robust ones, by kind of coefficient and sample (median ratio over Models 1-4 of every table)",
            notes="Every coefficient shown in the supergroup and IMD tables (published or not). Robust: the report's pair-level "
            "sandwich (N/(N-1)); clustered: the same fit's sandwich summed within origins, within destinations, or two-way "
            "(V_origin + V_destination - V_pair), each with Stata's G/(G-1).",
            label="table-public-se-ratios",
        ),
        render(
            wide.rename_axis(index="Table", columns=None),
            digits=2,
            caption="Two-way clustered over robust standard errors, by table and kind of coefficient, non-zero pairs (median ratio)",
            label="table-public-se-ratios-tables",
        ),
        render(
            claims.rename(index=census.SAMPLES),
            digits=0,
            caption="The report's significance claims (published coefficient significant at 5 %) that the 2011 estimate still supports",
            notes="Supported: the 2011 estimate has the published sign and is significant at 5 % (two-sided normal test) with the SE named.",
            label="table-public-claims",
        ),
    ]
    return Section(shown, facts, {"inference": frame})
