"""The checks as pure functions on a table's cells: primary suppression by count, dominance (n-k and
p-ratio), the relations between cells a reader knows (totals, 100 per cent), what a reader can recover
from them by subtraction, and secondary suppression until nothing withheld can be recovered."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from movers.sdc.rules import Rules

Cell = tuple  # (row, column)


# ----------------------------------------------------------------------------- relations between cells


@dataclass(frozen=True)
class Relation:
    """Cells whose weighted sum is known to a reader (a released total, 100 per cent, or zero for
    ``total - sum of parts``): if all but one of them are released, the last one follows by subtraction."""

    cells: tuple  # ((cell, coefficient), ...)
    name: str = ""

    def keys(self) -> list:
        return [c for c, _ in self.cells]


def adds_up(cells: Sequence[Cell], total: Cell | None = None, name: str = "") -> Relation:
    """``cells`` add up to the cell ``total`` of the same table, or (``None``) to a number a reader knows."""
    parts = tuple((tuple(c), 1.0) for c in cells) + (((tuple(total), -1.0),) if total is not None else ())
    return Relation(parts, name)


def columns_add_up(rows: Sequence[Hashable], columns: Sequence[Hashable], total_row: Hashable | None = None) -> list[Relation]:
    """In each of ``columns``, the cells of ``rows`` add up to the ``total_row`` cell or to a known number
    (shares of a categorical variable, which sum to 1 or 100)."""
    return [adds_up([(r, c) for r in rows], None if total_row is None else (total_row, c), f"column {c}") for c in columns]


def rows_add_up(columns: Sequence[Hashable], rows: Sequence[Hashable], total_column: Hashable | None = None) -> list[Relation]:
    """In each of ``rows``, the cells of ``columns`` add up to the ``total_column`` cell or to a known number."""
    return [adds_up([(r, c) for c in columns], None if total_column is None else (r, total_column), f"row {r}") for r in rows]


def table_totals(values: pd.DataFrame, total_row: Hashable | None = None, total_column: Hashable | None = None) -> list[Relation]:
    """The relations of a frequency table with a total row and/or a total column (margins included)."""
    rows = [r for r in values.index if r != total_row]
    cols = [c for c in values.columns if c != total_column]
    out = []
    if total_row is not None:
        out += columns_add_up(rows, list(values.columns), total_row)
    if total_column is not None:
        out += rows_add_up(cols, list(values.index), total_column)
    return out


def recoverable(withheld: Iterable[Cell], relations: Sequence[Relation]) -> set:
    """The withheld cells a reader can compute exactly from the released cells and the known totals.

    Each relation is a linear equation; released cells are known numbers. A withheld cell is determined
    when its unit vector lies in the row space of the equations restricted to the withheld cells, i.e.
    when it does not move along the null space of that system. Exact for any pattern, including those the
    one-cell-per-relation rule misses (two suppressed blocks joined through a single cell)."""
    cells = sorted(set(map(tuple, withheld)), key=repr)
    if not cells or not relations:
        return set()
    pos = {c: i for i, c in enumerate(cells)}
    rows = []
    for rel in relations:
        row = np.zeros(len(cells))
        for c, coef in rel.cells:
            if tuple(c) in pos:
                row[pos[tuple(c)]] += coef
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    a = np.vstack(rows)
    _, s, vt = np.linalg.svd(a)
    rank = int((s > 1e-9 * max(1.0, s.max())).sum())
    null = vt[rank:]  # basis of the null space (rows)
    if null.shape[0] == 0:
        return set(cells)
    free = np.abs(null).max(axis=0) > 1e-9
    return {c for c in cells if not free[pos[c]]}


# ----------------------------------------------------------------------------- the checks, as pure functions


def primary(counts: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Reason ('' for safe) of every cell by its count: under the threshold, or zero when zeros are disclosive."""
    c = counts.apply(pd.to_numeric, errors="coerce")
    out = pd.DataFrame("", index=counts.index, columns=counts.columns, dtype=object)
    out = out.mask(c < rules.threshold, "threshold")
    return out.mask(c == 0, "zero" if rules.zeros_are_disclosive else "")


def dominance(contributions, rules: Rules) -> str:
    """'' if a magnitude (a sum or a mean of ``contributions``) may be released, else the rule it fails.

    n-k: the ``dominance_n`` largest contributions may not exceed ``dominance_k`` of the total;
    p-ratio: the total less the two largest must be at least ``p_ratio`` of the largest. Contributions
    are taken in absolute value (a loss identifies as much as an income)."""
    x = np.asarray(contributions, dtype=float)
    x = np.sort(np.abs(x[~np.isnan(x)]))[::-1]
    total = x.sum()
    if len(x) == 0:
        return "zero" if rules.zeros_are_disclosive else ""
    if total <= 0:
        return ""
    if x[: rules.dominance_n].sum() > rules.dominance_k * total:
        return "dominance"
    if total - x[:2].sum() < rules.p_ratio * x[0]:
        return "p-ratio"
    return ""


def protect(
    reasons: pd.DataFrame,
    counts: pd.DataFrame,
    relations: Sequence[Relation] = (),
    derived: Mapping[Hashable, Sequence[Hashable]] | None = None,
    secondary: bool = True,
) -> pd.DataFrame:
    """Secondary suppression: withhold further cells until no withheld cell can be recovered.

    Step 1, to a fixed point: a cell derived from a withheld one is withheld ('derived'); a relation with
    exactly one withheld cell gets its smallest released cell (by count) withheld too ('secondary').
    Step 2: the exact test of ``recoverable`` (patterns step 1 misses); a recoverable cell gets the
    smallest released cell of one of its relations withheld, and step 1 runs again."""
    derived = dict(derived or {})
    table = _Withholding(reasons, counts, derived)
    while True:
        changed = table.follow_derived(derived)
        if secondary:
            changed |= table.complete_relations(relations)
        if changed:
            continue
        if not secondary:
            return table.out
        exposed = recoverable(table.hidden(), relations)
        if not exposed:
            return table.out
        candidates = [c for rel in relations if any(tuple(k) in exposed for k in rel.keys()) for c in map(tuple, rel.keys())]
        pick = table.smallest_released(candidates)
        if pick is None:  # nothing left to withhold in those relations: a reader knows these cells from totals alone
            return table.out
        table.withhold(pick, "secondary")


class _Withholding:
    """The reasons of a table's cells while ``protect`` withholds more of them ('' for a released cell), with
    the cost of withholding each (its count; a derived column costs what its cheapest source does)."""

    def __init__(self, reasons: pd.DataFrame, counts: pd.DataFrame, derived: Mapping[Hashable, Sequence[Hashable]]):
        self.out = reasons.copy()
        cost = counts.apply(pd.to_numeric, errors="coerce").reindex(index=self.out.index, columns=self.out.columns)
        for col, sources in derived.items():
            if col in cost.columns and any(s in cost.columns for s in sources):
                cost[col] = cost[[s for s in sources if s in cost.columns]].min(axis=1)
        self.cost = cost
        self.order = {c: i for i, c in enumerate((r, k) for r in self.out.index for k in self.out.columns)}

    def _in_table(self, cell) -> bool:
        return cell[0] in self.out.index and cell[1] in self.out.columns

    def withheld(self, cell) -> bool:
        return self._in_table(cell) and self.out.loc[cell[0], cell[1]] != ""

    def withhold(self, cell, rule: str) -> None:
        self.out.loc[cell[0], cell[1]] = rule

    def hidden(self) -> list:
        return [(r, k) for r in self.out.index for k in self.out.columns if self.out.loc[r, k] != ""]

    def smallest_released(self, cells):
        """The released cell of ``cells`` cheapest to withhold (then the first in reading order), or None."""
        free = [c for c in cells if self._in_table(c) and not self.withheld(c)]
        if not free:
            return None
        return min(free, key=lambda c: (np.nan_to_num(self.cost.loc[c[0], c[1]], nan=np.inf), self.order.get(c, 0)))

    def follow_derived(self, derived: Mapping[Hashable, Sequence[Hashable]]) -> bool:
        """Withhold ('derived') each cell computed from a withheld cell of its row; whether any was."""
        changed = False
        for col, sources in derived.items():
            for r in self.out.index:
                if self.out.loc[r, col] == "" and any(s in self.out.columns and self.out.loc[r, s] != "" for s in sources):
                    self.withhold((r, col), "derived")
                    changed = True
        return changed

    def complete_relations(self, relations: Sequence[Relation]) -> bool:
        """In each relation with a single withheld cell, withhold ('secondary') its cheapest released cell; whether any was."""
        changed = False
        for rel in relations:
            keys = [tuple(c) for c in rel.keys()]
            if sum(self.withheld(c) for c in keys) == 1:
                pick = self.smallest_released(keys)
                if pick is not None:
                    self.withhold(pick, "secondary")
                    changed = True
        return changed
