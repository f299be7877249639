"""Reading the generating values (``truth.json``) that sit beside synthetic data.

Why a module of its own: analyses and loaders need the truth to show it beside
each estimate, but they must never import the synthetic generator (``synth``
may use the loaders, never the reverse). Writing the truth stays in ``synth``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

TRUTH_FILE = "truth.json"


def read_truth(folder: str | Path) -> dict:
    """A dataset folder's ``truth.json`` as a dict; empty when the data are not synthetic."""
    path = Path(folder) / TRUTH_FILE
    return json.loads(path.read_text()) if path.exists() else {}


def linear_index(x, model: dict, region_column: str):
    """Index of a generating model (``coef``, ``region`` and ``year`` maps) for rows ``x`` in analysis names
    (``a:b`` is the product of a and b); regions are looked up in ``region_column``, unknown regions and
    years add nothing. The generators draw their outcomes from
    this index and the analyses evaluate the truth with it, so data and truth cannot drift apart."""
    idx = np.full(len(x), float(model["coef"].get("Intercept", 0.0)))
    for term, b in model["coef"].items():
        if term == "Intercept":
            continue
        val = np.ones(len(x))
        for part in term.split(":"):
            val = val * x[part].to_numpy(dtype=float)
        idx += b * val
    idx += x[region_column].astype(str).map(model.get("region", {})).fillna(0.0).to_numpy(dtype=float)
    idx += x["year"].astype(int).astype(str).map(model.get("year", {})).fillna(0.0).to_numpy(dtype=float)
    return idx
