"""Statistical disclosure control for outputs built from restricted microdata.

The UK Data Service and ONS secure lab rules behind the report forbid
releasing cells based on fewer than 10 people. ``suppress`` blanks such cells
and says which were blanked, so a table can be shown without revealing them
and the output checker can see what was done.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

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


def suppress_restricted(values: pd.DataFrame, counts: pd.DataFrame, source: str, threshold: int = THRESHOLD) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``suppress`` for restricted microdata only: synthetic and public data are released as they are,
    so the same chapter code serves every source."""
    if source != "restricted":
        return values, pd.DataFrame(columns=["row", "column", "count"])
    return suppress(values, counts.reindex(index=values.index, columns=values.columns), threshold)


def suppress_effects(frame: pd.DataFrame, cells: Mapping[str, int], source: str, threshold: int = THRESHOLD) -> tuple[pd.DataFrame, list]:
    """Restricted data: blank (NaN) the estimate, SE and p-value of every group whose smaller mover or
    stayer cell holds fewer than ``threshold`` people: an effect estimated on a handful of movers is
    close to those people's own outcomes. Returns the frame and a log (row, count) for the checkers."""
    if source != "restricted":
        return frame, []
    out = frame.copy()
    log = []
    for row in out.index:
        n = cells.get(row)
        if n is not None and 0 < n < threshold:
            out.loc[row, ["estimate", "se", "pvalue"]] = np.nan
            log.append({"row": row, "count": int(n)})
    return out, log


def releasable(log) -> pd.DataFrame:
    """The suppression log as it may be shown in the book: which cells (table, row, column) were
    suppressed and nothing else. An allow-list, not a count dropped: a count under the threshold is
    itself the disclosive figure, and it goes to the checkers' file instead."""
    return pd.DataFrame(list(log), columns=["table", "row", "column"])


def write_checking_file(chapter: str, counts: pd.DataFrame) -> Path:
    """Write the counts an output checker needs for ``chapter`` to ``_build/output_checking/`` (in the
    secure lab, beside the book, never in it) and return the path the page should cite. Written to a
    temporary name first, so an interrupted run leaves no file that looks complete."""
    from movers import paths

    path = paths.BUILD / "output_checking" / f"{chapter}_counts.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".csv.part")
    counts.to_csv(tmp, index=False)
    tmp.replace(path)
    return path
