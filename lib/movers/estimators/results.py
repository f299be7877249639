"""The one results object that analyses hand to ``tables``, ``compare`` and disclosure control.

Why: estimates used to travel as DataFrames with ``attrs`` (experimental in pandas, and dropped by
``merge`` and by a ``concat`` of frames whose ``attrs`` differ) or as attributes stuck onto statsmodels
results. What disclosure control needs was lost that way without a sound: the leave-one-out shifts of
the influence rule, and with them the rule itself. A frozen dataclass names every field a table or the
checker may read, in the manner of linearmodels' results classes (``params``, ``std_errors``,
``pvalues``, ``nobs``, ``cov_type``...), and ``coef_frame`` builds the frame of its rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

COLUMNS = ("estimate", "se", "pvalue")


def coef_frame(terms: Sequence, estimate, se, pvalue=None) -> pd.DataFrame:
    """A coefficient frame: indexed by the row labels (``terms``), columns ``estimate``, ``se`` and
    ``pvalue``; p-values default to the two-sided normal test of estimate/se."""
    est = np.asarray(estimate, dtype=float)
    sd = np.asarray(se, dtype=float)
    if pvalue is None:
        with np.errstate(divide="ignore", invalid="ignore"):
            pvalue = 2 * norm.sf(np.abs(est / sd))
    return pd.DataFrame(
        {"estimate": est, "se": sd, "pvalue": np.asarray(pvalue, dtype=float)}, index=pd.Index(list(terms), name="term")
    )


@dataclass(frozen=True)
class Estimates:
    """One fitted model (or one set of marginal effects) as the book shows it.

    ``coefs`` is indexed by the report's row label with columns ``estimate``, ``se`` and ``pvalue``
    (also read as ``params``, ``std_errors`` and ``pvalues``). What disclosure control checks has a
    field of its own:

    - ``cells``: the smallest number of people behind each row (movers or stayers of its group);
    - ``group_nobs``: the estimation rows of each group of a marginal effect;
    - ``influence``: each row's largest change, in standard errors, when one estimation row is left
      out (``movers.estimators.margins``); ``None`` when it was never computed, which the checker
      refuses (the influence rule fails closed);
    - ``df_resid``, ``units`` (the rows fitted on: the people an observation count stands for) and
      ``nobs_withheld`` (the checker withheld ``nobs``);
    - ``not_estimable``: why the model could not be fitted ('' when it was), ``missing_groups``: the rows
      of each group left empty because its model could not be fitted.

    ``extra`` holds a model's own diagnostics that no generic code reads (the NB2's ``alpha``,
    ``loglik``, ``iterations``, ``clustered_se``)."""

    coefs: pd.DataFrame
    nobs: int | None = None
    cells: Mapping[str, int] = field(default_factory=dict)
    seconds: float = math.nan
    converged: bool = True
    cov_type: str = ""
    df_resid: float | None = None
    group_nobs: Mapping[str, int] = field(default_factory=dict)
    influence: Mapping[str, float] | None = None
    units: pd.Index | None = None
    nobs_withheld: bool = False
    not_estimable: str = ""
    missing_groups: Mapping[str, Sequence[str]] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        missing = [c for c in COLUMNS if c not in self.coefs.columns]
        if missing:
            raise ValueError(f"Estimates.coefs lacks column(s) {', '.join(missing)}")

    @property
    def params(self) -> pd.Series:
        return self.coefs["estimate"]

    @property
    def std_errors(self) -> pd.Series:
        return self.coefs["se"]

    @property
    def pvalues(self) -> pd.Series:
        return self.coefs["pvalue"]

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
        return replace(
            self,
            coefs=self.coefs.loc[keep],
            cells={r: c for r, c in self.cells.items() if r in keep},
            group_nobs={r: c for r, c in self.group_nobs.items() if r in keep},
            influence=None if self.influence is None else {r: v for r, v in self.influence.items() if r in keep},
        )

    def relabel(self, labels: Mapping) -> Estimates:
        """Rows renamed by ``labels`` (old -> new; rows not named keep their label), together with every
        field keyed by row, so no row's cells or influence can be left under its old name."""

        def keyed(m):
            return None if m is None else {labels.get(r, r): v for r, v in m.items()}

        return replace(
            self,
            coefs=self.coefs.rename(index=lambda r: labels.get(r, r)),
            cells=keyed(self.cells),
            group_nobs=keyed(self.group_nobs),
            influence=keyed(self.influence),
        )

    def with_(self, **changes) -> Estimates:
        return replace(self, **changes)


def estimates(terms: Sequence, estimate, se, pvalue=None, **fields) -> Estimates:
    """An ``Estimates`` of rows ``terms`` (``coef_frame``) with any of its other fields (``nobs=``...)."""
    return Estimates(coef_frame(terms, estimate, se, pvalue), **fields)


__all__ = ["COLUMNS", "Estimates", "coef_frame", "estimates"]
