"""Reading the generating values (``truth.json``) that sit beside synthetic data.

Why a module of its own: analyses and loaders need the truth to show it beside
each estimate, but they must never import the synthetic generator (``synth``
may use the loaders, never the reverse). Writing the truth stays in ``synth``.
"""

from __future__ import annotations

import json
from pathlib import Path

TRUTH_FILE = "truth.json"


def read_truth(folder: str | Path) -> dict:
    """A dataset folder's ``truth.json`` as a dict; empty when the data are not synthetic."""
    path = Path(folder) / TRUTH_FILE
    return json.loads(path.read_text()) if path.exists() else {}
