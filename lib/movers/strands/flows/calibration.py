"""How sparse and how dispersed an origin-destination matrix is, and what the report's observation counts are.

Why: the synthetic flows world (``movers.synth.flows``) takes its share of empty pairs and its
dispersion from the one open full matrix, the 2011 Census; ``matrix_profile`` measures both the same
way on the real matrix and on a world's 2011 matrix, so the calibration can be checked, not only
stated. ``observation_counts`` sets the report's N beside the pair-years they would be if every
pair with a move were in: the report's N are far fewer than the census's non-zero pairs, so a world
built to match them as non-zero pairs would have too many zeros.
"""

from __future__ import annotations

from collections.abc import Mapping

from movers.data import published as reference
from movers.strands.flows import models as flows, public as census

LONDON = "E09"


def matrix_profile(inputs: census.CensusInputs, typology: str = "supergroup") -> dict:
    """Share of ordered pairs of distinct typed authorities with at least one move (all, England, pairs of
    London boroughs) and the NB2 dispersion (alpha) of the census's Model 4 sending fit on the full
    matrix and on the non-zero pairs."""
    fr = census.census_frame(inputs, typology, include_zero=True)
    nonzero = fr["moves"] > 0
    england = fr["origin"].str.startswith("E") & fr["destination"].str.startswith("E")
    london = fr["origin"].str.startswith(LONDON) & fr["destination"].str.startswith(LONDON)
    spec = {"Model 4": census.MODELS["Model 4"]}
    full = flows.sending_models(fr, typology, spec)["Model 4"]
    kept = flows.sending_models(fr[nonzero], typology, spec)["Model 4"]
    return {
        "pairs": int(len(fr)),
        "nonzero_share": float(nonzero.mean()),
        "nonzero_share_england": float(nonzero[england].mean()),
        "nonzero_share_london": float(nonzero[london].mean()) if london.any() else float("nan"),
        "alpha_model4_full_matrix": float(full.extra["alpha"]),
        "alpha_model4_nonzero": float(kept.extra["alpha"]),
    }


# The report's regressions whose samples can be counted: table -> (authorities, years) of its data.
REPORT_SAMPLES = {2: (324, 2), 7: (348, 8)}


def observation_counts(census_profile: Mapping | None = None) -> dict:
    """The report's N of Tables 2 and 7 as shares of all ordered pair-years of their authorities and years,
    with the census's share of non-zero pairs (``census_profile``, e.g. a world's ``truth["calibration"]``)
    beside them (the paragraph that says what it means for the N: ``pages/flows.py``, observation_counts)."""
    out = {}
    for table, (n_la, n_years) in REPORT_SAMPLES.items():
        n = int(reference.published(table)["n_obs"].iloc[0])
        pairs = n_la * (n_la - 1) * n_years
        out[f"n_table{table}"] = n
        out[f"pairs_table{table}"] = pairs
        out[f"share_table{table}"] = 100.0 * n / pairs
    if census_profile:
        out["census_nonzero"] = 100.0 * float(census_profile["nonzero_share"])
        out["census_nonzero_london"] = 100.0 * float(census_profile["nonzero_share_london"])
    return out


__all__ = ["matrix_profile", "observation_counts", "REPORT_SAMPLES"]
