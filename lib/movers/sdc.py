"""Statistical disclosure control for outputs built from restricted microdata.

The UK Data Service and ONS secure lab rules behind the report forbid
releasing cells based on fewer than 10 people. ``suppress`` blanks such cells
and says which were blanked, so a table can be shown without revealing them
and the output checker can see what was done.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

THRESHOLD = 10
SUPPRESSED = "[c]"  # the ONS convention for a confidential (suppressed) cell


def small_cells(counts: pd.DataFrame, threshold: int = THRESHOLD) -> pd.DataFrame:
    """Boolean mask of cells with a positive count below ``threshold`` (zero cells reveal nothing about a person)."""
    c = counts.apply(pd.to_numeric, errors="coerce")
    return (c > 0) & (c < threshold)


def suppress(values: pd.DataFrame, counts: pd.DataFrame, threshold: int = THRESHOLD) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace every value whose underlying count is below ``threshold`` with ``[c]``.

    ``counts`` has the same shape as ``values`` and holds the number of people
    behind each cell. Returns the suppressed table (object dtype) and a
    record of the suppressed cells (row, column, count) for the output log.
    """
    if values.shape != counts.shape:
        raise ValueError(f"values {values.shape} and counts {counts.shape} must have the same shape")
    mask = small_cells(counts.set_axis(values.index, axis=0).set_axis(values.columns, axis=1), threshold)
    out = values.astype(object).where(~mask, SUPPRESSED)
    log = [
        {"row": r, "column": c, "count": int(counts.iloc[i, j])}
        for i, r in enumerate(values.index)
        for j, c in enumerate(values.columns)
        if mask.iloc[i, j]
    ]
    return out, pd.DataFrame(log, columns=["row", "column", "count"])


def check_min_count(n: int | Sequence[int], what: str, threshold: int = THRESHOLD) -> None:
    """Raise if a regression or a share rests on fewer than ``threshold`` people in some cell."""
    arr = np.atleast_1d(np.asarray(n))
    bad = arr[(arr > 0) & (arr < threshold)]
    if bad.size:
        raise ValueError(f"disclosure risk: {what} rests on a cell of {int(bad.min())} people (< {threshold})")
