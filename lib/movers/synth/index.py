"""The linear index of a generating model, shared by generators and the truth they record.

A synthetic outcome is drawn from a probit (or linear) model whose index is a
sum of coefficients times covariates (``a:b`` meaning the product ``a*b``)
plus region and year effects. The chapters' "true value" columns evaluate the
same index with mover switched on and off, so data and truth cannot drift
apart: both call this one function.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def linear_index(x: pd.DataFrame, model: dict, region_column: str) -> np.ndarray:
    """Index of ``model`` (``coef``, ``region`` and ``year`` maps) for rows ``x`` in analysis names;
    regions are looked up in ``region_column``, unknown regions and years add nothing."""
    idx = np.full(len(x), float(model["coef"].get("Intercept", 0.0)))
    for term, b in model["coef"].items():
        if term == "Intercept":
            continue
        val = np.ones(len(x))
        for part in term.split(":"):
            val = val * x[part].to_numpy(dtype=float)
        idx += b * val
    idx += x[region_column].astype(str).map(model["region"]).fillna(0.0).to_numpy(dtype=float)
    idx += x["year"].astype(int).astype(str).map(model["year"]).fillna(0.0).to_numpy(dtype=float)
    return idx
