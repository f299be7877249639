"""The one results object that analyses hand to ``tables`` and ``compare``.

Why: estimates used to travel as DataFrames with ``attrs`` (experimental in
pandas and dropped by ``concat``) or as attributes stuck onto statsmodels
results. A frozen dataclass names every field a table may read, in the manner
of linearmodels' results classes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

COLUMNS = ("estimate", "se", "pvalue")


@dataclass(frozen=True)
class Estimates:
    """One fitted model (or one set of marginal effects) as the book shows it.

    ``coefs`` is indexed by the report's row label with columns ``estimate``,
    ``se`` and ``pvalue``. ``cells`` maps a row label to the smallest number of
    people behind it (what disclosure control checks); ``extra`` holds
    model-specific scalars (``alpha``, ``loglik``, ``iterations``...).
    """

    coefs: pd.DataFrame
    nobs: int | None = None
    cells: Mapping[str, int] = field(default_factory=dict)
    seconds: float = math.nan
    converged: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        missing = [c for c in COLUMNS if c not in self.coefs.columns]
        if missing:
            raise ValueError(f"Estimates.coefs lacks column(s) {', '.join(missing)}")

    @property
    def index(self) -> pd.Index:
        return self.coefs.index

    def __contains__(self, row) -> bool:
        return row in self.coefs.index

    def row(self, label: str) -> pd.Series:
        return self.coefs.loc[label]

    def select(self, rows) -> Estimates:
        """The same result restricted to (and ordered by) ``rows`` that it has."""
        keep = [r for r in rows if r in self.coefs.index]
        return replace(self, coefs=self.coefs.loc[keep], cells={r: c for r, c in self.cells.items() if r in keep})

    def with_(self, **changes) -> Estimates:
        return replace(self, **changes)
