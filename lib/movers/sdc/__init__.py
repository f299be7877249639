"""Statistical disclosure control: the one output checker every restricted output passes through.

Why one checker: a researcher in the UK Data Service SecureLab or the ONS SRS takes the book's pages to
output checkers, who reject anything disclosive. Ad hoc suppression in each chapter leaked: prose glued
from unsuppressed tables, shares counted on the wrong number of people, withheld cells recoverable by
subtraction from totals. Here each kind of output has one check, with the rules of ``data/sdc_rules.yml``
(ACRO's defaults: threshold 10, residual df 10, dominance n=2 k=0.9, p-ratio 0.1, zeros disclosive,
secondary suppression), and the checker keeps a record of what it did for the output checkers.

The rules (``data/sdc_rules.yml``, read by ``movers.core.source.load_rules``; a missing key takes ACRO's default,
an unknown key or a wrong type is refused):

=====================  =======  ==========================================================================
rule (YAML key)        default  what it withholds (the name a page shows is in ``REASONS``)
=====================  =======  ==========================================================================
threshold              10       a cell, share, group or plotted point resting on fewer people; a share is
                                counted on the smaller category (those with, or those without, the attribute)
zeros_are_disclosive   true     a cell of zero people (everyone in the group shares the attribute)
secondary              true     further cells, so that no withheld cell follows by subtraction from released
                                cells and known totals (rows, columns, 100 per cent, derived columns)
dominance_n,           2, 0.9   a magnitude (mean, total) whose ``n`` largest contributors make up more than
dominance_k                     ``k`` of its total (n-k rule)
p_ratio                0.1      a magnitude whose total less its two largest contributors is under ``p`` of the
                                largest (at n=2, k=0.9 the n-k rule already implies it; it bites when n-k is
                                relaxed)
(always)               -        the minimum and maximum of a continuous variable (a single person's value)
safe_dof               10       every coefficient of a regression with fewer residual degrees of freedom
influence              1.0      a coefficient or marginal effect that leaving out one person would move by
                                more than this many standard errors (``movers.estimators.margins.leave_one_out``: exact
                                DFBETA for least squares, scaled by the residual error without that person;
                                one Newton step for a probit). One extreme income cannot carry a result.
(always)               -        a count of people (a sample size, a regression's observations) that differs
                                by fewer than ``threshold`` people (but not zero) from another count on the
                                same page whose group holds it or is held by it: the difference is a small
                                group (those a missing variable drops from Model 3). Checked across the
                                page as counts are released (``Checker.population``), not table by table
(always)               -        a regression or marginal effect whose group (``cells``) is under the threshold,
                                and a group too small to estimate (singular design, perfect separation, a
                                single cluster)
(always)               -        a cell computed from withheld cells of its row (``derived``: a difference, its
                                p-value, the standard deviation of a 0/1 variable)
=====================  =======  ==========================================================================

A page can be audited independently of the checker: ``audit_page(html_or_notebook, record)`` lists every
number under a threshold, and every withheld cell recoverable by subtraction, that the page shows;
``audit_run(chapter)`` does it for the executed notebook, the HTML page and the PDF's LaTeX source of a run.

Wiring a chapter's library code (a few lines)::

    from movers import sdc

    chk = sdc.start_run("movers_stayers", src)       # src: movers.core.source.DataSource; clears the old record
    t30 = chk.shares("Table 30", shares, n=n_per_column, n_with=n_attribute,
                     relations=sdc.columns_add_up(["Professional", "Skilled", "Semi-skilled"], ["Stayers", "Movers"]))
    t25 = chk.shares("Table 25", t[["Stayer", "Mover", "Difference", "pvalue"]], n={"Stayer": n0, "Mover": n1},
                     n_with=t[["n_stayer", "n_mover"]].set_axis(["Stayer", "Mover"], axis=1), scale=100,
                     derived={"Difference": ["Stayer", "Mover"], "pvalue": ["Stayer", "Mover"]})
    sig = [r for r in chk.released_rows("Table 25", ["Difference", "pvalue"]) if t25.loc[r, "pvalue"] < 0.05]
    t23 = chk.describe("Table 23", frame_of_numeric_variables)   # Mean, Std. dev., Min., Max., Obs.
    inc = chk.means("Income by group", sample, "income", rows="parent_nssec", columns="mover")
    eff = chk.estimates("Table 27 Employed", eff, cells=eff.attrs["cells"], dof=df_resid)  # Estimates or coef frame
    fit = chk.estimable("Table 27 Non-white", O.fit, sample, f, kind, rows=["Non-white"])   # None if it cannot be estimated
    text = chk.glue_text("Table 30", "Disabled", "Movers", "{:.2f}")  # '[c]' if that cell was withheld
    chk.mark(rendered_table, "Table 27 Employed", column="Employed")  # '[c]' in the withheld rows of a rendered table
    chk.population("Sample (prose): n_sample", sample.index)  # a count the page prints, with its people: no two
                            # nested counts may differ by a small group (chk.estimates does it for observations)
    chk.withheld()          # what was withheld and by which rule, without counts: show it on the page
    chk.write()             # _build/output_checking/<chapter>/record.json and cells.csv, for the checkers only,
                            # and acro/ (ACRO's results.json layout, released tables, checksums) for the SACRO viewer
    sdc.banner_text(chk)    # the restricted banner, from what was actually checked

On synthetic or public data the checker is inactive: outputs pass through unchanged (and are kept, so
``glue_text`` and ``released_rows`` work the same), and nothing is written.
"""

from __future__ import annotations

import ast
import csv
import datetime
import hashlib
import html
import io
import json
import math
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationError, PerfectSeparationWarning

from movers.core import paths
from movers.core.errors import InputError
from movers.core.source import DataSource, load_rules
from movers.estimators.results import Estimates

SUPPRESSED = "[c]"  # the ONS convention for a confidential (withheld) cell: the one mark used everywhere

# why a cell was withheld, in words a page may show (never with the counts behind them)
REASONS = {
    "threshold": "fewer people than the threshold",
    "zero": "a zero cell (zeros are disclosive)",
    "dominance": "dominated by its largest contributors (n-k rule)",
    "p-ratio": "too close to its largest contributor (p-ratio rule)",
    "extreme": "a single person's value (minimum or maximum)",
    "secondary": "would let a withheld cell be recovered by subtraction",
    "derived": "computed from a withheld cell",
    "residual df": "too few residual degrees of freedom",
    "not estimable": "group too small to estimate",
    "influence": "one person's removal would move it by more than the influence limit",
    "differencing": "two counts on the page would differ by a small group of people",
    "unchecked": "not passed through the checker",
}

Cell = tuple  # (row, column)


# ----------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rules:
    """The output-checking rules (``data/sdc_rules.yml``; defaults follow ACRO)."""

    threshold: int = 10
    safe_dof: int = 10
    dominance_n: int = 2
    dominance_k: float = 0.9
    p_ratio: float = 0.1
    zeros_are_disclosive: bool = True
    secondary: bool = True
    influence: float = 1.0

    @classmethod
    def of(cls, rules: Rules | Mapping[str, Any] | DataSource | None = None) -> Rules:
        """Rules from a mapping (``DataSource.rules``), a data source, or the project's YAML file."""
        if isinstance(rules, Rules):
            return rules
        if isinstance(rules, DataSource):
            rules = rules.rules
        if rules is None:
            rules = load_rules()
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(rules) - known)
        if unknown:
            raise InputError(
                "disclosure-control rules", f"unknown rule(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        out = {}
        for name, value in rules.items():
            kind = type(getattr(cls(), name))
            ok = (
                isinstance(value, bool)
                if kind is bool
                else (isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0)
            )
            if not ok:
                raise InputError(
                    "disclosure-control rules",
                    f"{name} must be {'true or false' if kind is bool else 'a non-negative number'}, not {value!r}",
                )
            out[name] = kind(value)
        return cls(**out)

    def describe(self, applied: Iterable[str] | None = None) -> list[str]:
        """The rules in words (only those in ``applied``, if given)."""
        words = {
            "threshold": f"at least {self.threshold} people behind every cell, share (counted on the smaller category) and group",
            "zero": "zero cells withheld",
            "secondary": "secondary suppression, so no withheld cell follows by subtraction from released cells and totals",
            "dominance": f"n-k dominance (the {self.dominance_n} largest contributors at most {self.dominance_k:.0%} of a total)",
            "p-ratio": f"p-ratio {self.p_ratio:.0%} (a total less its two largest contributors above {self.p_ratio:.0%} of the largest)",
            "extreme": "no single person's value (minimum or maximum of a continuous variable)",
            "residual df": f"at least {self.safe_dof} residual degrees of freedom for every regression",
            "influence": f"no single person's removal moves a released coefficient by more than {self.influence:g} standard error(s)",
            "differencing": f"no two counts of people on the page differ by between 1 and {max(self.threshold - 1, 1)} people "
            "when one group holds the other",
        }
        names = list(words) if applied is None else [n for n in words if n in set(applied)]
        return [words[n] for n in names]


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


def _primary(counts: pd.DataFrame, rules: Rules) -> pd.DataFrame:
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
    out = reasons.copy()
    derived = dict(derived or {})
    cost = counts.apply(pd.to_numeric, errors="coerce").reindex(index=out.index, columns=out.columns)
    for col, sources in derived.items():
        if col in cost.columns:
            cost[col] = (
                cost[[s for s in sources if s in cost.columns]].min(axis=1)
                if any(s in cost.columns for s in sources)
                else cost[col]
            )
    order = {c: i for i, c in enumerate((r, k) for r in out.index for k in out.columns)}

    def withheld(cell):
        return cell[0] in out.index and cell[1] in out.columns and out.loc[cell[0], cell[1]] != ""

    def smallest_released(cells):
        free = [c for c in cells if c[0] in out.index and c[1] in out.columns and not withheld(c)]
        if not free:
            return None
        return min(free, key=lambda c: (np.nan_to_num(cost.loc[c[0], c[1]], nan=np.inf), order.get(c, 0)))

    while True:
        changed = False
        for col, sources in derived.items():
            for r in out.index:
                if out.loc[r, col] == "" and any(s in out.columns and out.loc[r, s] != "" for s in sources):
                    out.loc[r, col] = "derived"
                    changed = True
        if secondary:
            for rel in relations:
                keys = [tuple(c) for c in rel.keys()]
                if sum(withheld(c) for c in keys) == 1:
                    pick = smallest_released(keys)
                    if pick is not None:
                        out.loc[pick[0], pick[1]] = "secondary"
                        changed = True
        if changed:
            continue
        if not secondary:
            return out
        hidden = [(r, k) for r in out.index for k in out.columns if out.loc[r, k] != ""]
        exposed = recoverable(hidden, relations)
        if not exposed:
            return out
        candidates = [c for rel in relations if any(tuple(k) in exposed for k in rel.keys()) for c in map(tuple, rel.keys())]
        pick = smallest_released(candidates)
        if pick is None:  # nothing left to withhold in those relations: a reader knows these cells from totals alone
            return out
        out.loc[pick[0], pick[1]] = "secondary"


# ----------------------------------------------------------------------------- the checker


@dataclass
class Output:
    """One checked output, as the record keeps it."""

    name: str
    kind: str
    source: str
    rules: list
    released: Any = None
    reasons: pd.DataFrame | None = None
    cells: list = field(default_factory=list)  # one dict per checked cell: row, column, outcome, rule, count, detail, value
    relations: list = field(default_factory=list)  # Relation objects between the cells (known totals)
    derived: dict = field(default_factory=dict)  # column -> the columns of the same row it is computed from

    @property
    def outcome(self) -> str:
        withheld = sum(c["outcome"] == "withheld" for c in self.cells)
        if withheld == 0:
            return "released"
        return "withheld" if withheld == len(self.cells) else f"released with {withheld} cell(s) withheld"


def _frame(x, like: pd.DataFrame) -> pd.DataFrame:
    """Broadcast a scalar, a mapping, a Series (by column or by row) or a frame onto the shape of ``like``."""
    if isinstance(x, pd.DataFrame):
        return x.reindex(index=like.index, columns=like.columns)
    if isinstance(x, Mapping) and not isinstance(x, pd.Series):
        x = pd.Series(x)
    if isinstance(x, pd.Series):
        if set(x.index) >= set(like.columns) and len(like.columns):
            return pd.DataFrame({c: [x[c]] * len(like.index) for c in like.columns}, index=like.index)
        return pd.DataFrame({c: x.reindex(like.index).to_numpy() for c in like.columns}, index=like.index)
    return pd.DataFrame(x, index=like.index, columns=like.columns)


def _num(v):
    """A plain number for the record (JSON has no numpy types and no NaN)."""
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if not math.isfinite(f):
        return None
    return int(f) if f.is_integer() else round(f, 6)


class Checker:
    """The output checker of one chapter run (build it with ``start_run``)."""

    def __init__(self, chapter: str, rules: Rules | Mapping | None = None, active: bool = True, folder: Path | None = None):
        self.chapter = chapter
        self.rules = Rules.of(rules) if active else Rules.of(rules or {})
        self.active = active
        self.folder = folder
        self.outputs: dict[str, Output] = {}
        self.populations: dict[str, tuple[frozenset, bool]] = {}  # counts of people on the page: units, released
        self._withheld_groups: set[str] = set()  # populations registered only to be kept from recovery
        self._nested: list[tuple[str, str]] = []  # (larger, smaller) pairs of populations, one holding the other

    # -- tables -------------------------------------------------------------------------------

    def table(
        self,
        name: str,
        values: pd.DataFrame,
        counts,
        relations: Sequence[Relation] = (),
        derived: Mapping | None = None,
        source: str = "",
        kind: str = "table",
        reasons: pd.DataFrame | None = None,
        details: pd.DataFrame | None = None,
        rules_applied: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """A table of counts, or of values with the table of counts behind them (same labels; ``derived``
        columns, computed from others of the same row, need none). Primary suppression by count, then
        secondary suppression over ``relations`` (rows, columns and known totals that add up).
        Returns the table to show: withheld cells hold ``[c]``."""
        derived = dict(derived or {})
        counts = _frame(counts, values.drop(columns=[c for c in derived if c in values.columns]))
        if not self.active:
            return self._keep(name, kind, source, values)
        missing = [c for c in values.columns if c not in derived and counts[c].isna().all()]
        if missing:
            raise ValueError(
                f"{name}: no counts for column(s) {', '.join(map(str, missing))} (give counts, or name them as derived)"
            )
        counts = counts.reindex(columns=values.columns)
        why = _primary(counts, self.rules)
        if reasons is not None:
            extra = reasons.reindex(index=values.index, columns=values.columns).fillna("")
            why = why.where(why != "", extra)
        why = protect(why, counts, relations, derived, secondary=self.rules.secondary)
        applied = list(rules_applied or ["threshold"] + (["zero"] if self.rules.zeros_are_disclosive else []))
        if self.rules.secondary and (relations or derived):
            applied.append("secondary")
        return self._store(name, kind, source, values, why, counts, details, applied, relations, derived)

    def shares(
        self,
        name: str,
        shares: pd.DataFrame,
        n,
        n_with=None,
        scale: float = 1.0,
        relations: Sequence[Relation] = (),
        derived: Mapping | None = None,
        source: str = "",
    ) -> pd.DataFrame:
        """Shares (proportions, or percentages with ``scale=100``) of ``n`` people; the count behind each is
        the smaller of those with the attribute (``n_with``, by default share x n) and those without:
        a share of 0.00 of 2,824 people releases the handful who have the attribute."""
        base = shares.drop(columns=[c for c in (derived or {}) if c in shares.columns])
        total = _frame(n, base).astype(float)
        have = (base.astype(float) / scale * total).round() if n_with is None else _frame(n_with, base).astype(float)
        counts = np.minimum(have, total - have)
        details = pd.DataFrame(
            {c: [f"n={_num(t)}, with={_num(h)}" for t, h in zip(total[c], have[c])] for c in base.columns}, index=base.index
        )
        return self.table(name, shares, counts, relations, derived, source, kind="shares", details=details)

    def describe(
        self,
        name: str,
        data: pd.DataFrame,
        labels: Mapping[str, str] | None = None,
        groups: Sequence[Sequence[str]] = (),
        source: str = "",
    ) -> pd.DataFrame:
        """Table 23-style descriptives (Mean, Std. dev., Min., Max., Obs.) of numeric columns of ``data``.

        A 0/1 column is a share: its cells rest on the smaller of those with and without the attribute.
        Another column is a magnitude: its mean needs the threshold, dominance and p-ratio on the values,
        and its minimum and maximum (one person's values) are withheld. ``groups`` lists the dummies of
        one categorical variable, whose means add up to 1 (so one withheld share would follow from the rest)."""
        labels = dict(labels or {c: c for c in data.columns})
        stats, counts, why, details = {}, {}, {}, {}
        for col, label in labels.items():
            v = pd.to_numeric(data[col], errors="coerce").dropna()
            binary = bool(len(v)) and v.isin([0, 1]).all()
            n = len(v)
            stats[label] = {"Mean": v.mean(), "Std. dev.": v.std(), "Min.": v.min(), "Max.": v.max(), "Obs.": n}
            k = int(v.sum()) if binary else n
            m = min(k, n - k) if binary else n
            counts[label] = {"Mean": m, "Std. dev.": m, "Min.": m, "Max.": m, "Obs.": n}
            dom = "" if binary else dominance(v, self.rules)
            why[label] = {
                "Mean": dom,
                "Std. dev.": dom,
                "Min.": "" if binary else "extreme",
                "Max.": "" if binary else "extreme",
                "Obs.": "",
            }
            d = f"binary: n={n}, with={k}" if binary else f"magnitude: n={n}" + (f", {dom}" if dom else "")
            details[label] = dict.fromkeys(("Mean", "Std. dev.", "Min.", "Max."), d) | {"Obs.": f"n={n}"}
        values = pd.DataFrame.from_dict(stats, orient="index")
        rel = [adds_up([(labels.get(c, c), "Mean") for c in g], None, "categorical shares") for g in groups]
        applied = ["threshold", "zero", "dominance", "p-ratio", "extreme"]
        # the standard deviation follows from the mean for a 0/1 variable: it goes wherever the mean goes
        counts = pd.DataFrame.from_dict(counts, orient="index").drop(columns="Std. dev.")
        return self.table(
            name,
            values,
            counts,
            rel,
            {"Std. dev.": ["Mean"]},
            source,
            kind="descriptives",
            reasons=pd.DataFrame.from_dict(why, orient="index"),
            details=pd.DataFrame.from_dict(details, orient="index"),
            rules_applied=applied,
        )

    def magnitudes(
        self,
        name: str,
        values: pd.DataFrame,
        contributions: Mapping[Cell, Sequence[float]],
        relations: Sequence[Relation] = (),
        derived: Mapping | None = None,
        source: str = "",
    ) -> pd.DataFrame:
        """Means, sums or other magnitudes, with the people's contributions behind each cell ({(row, column): values}):
        the threshold on the number of contributors, n-k dominance and the p-ratio on their values."""
        base = [c for c in values.columns if c not in (derived or {})]
        counts = pd.DataFrame({c: [len(contributions.get((r, c), ())) for r in values.index] for c in base}, index=values.index)
        why = pd.DataFrame(
            {c: [dominance(contributions.get((r, c), ()), self.rules) for r in values.index] for c in base}, index=values.index
        )
        return self.table(
            name,
            values,
            counts,
            relations,
            derived,
            source,
            kind="magnitudes",
            reasons=why,
            rules_applied=["threshold", "zero", "dominance", "p-ratio"],
        )

    def means(
        self, name: str, data: pd.DataFrame, value: str, rows: str, columns: str | None = None, source: str = ""
    ) -> pd.DataFrame:
        """The mean of ``value`` by ``rows`` (and ``columns``), checked as magnitudes."""
        d = data.dropna(subset=[value])
        keys = [rows] + ([columns] if columns else [])
        groups = {k if isinstance(k, tuple) else (k,): g[value].to_numpy() for k, g in d.groupby(keys, observed=True)}
        means = pd.Series({k: float(v.mean()) for k, v in groups.items()})
        table = means.unstack() if columns else means.to_frame(value).set_axis([k[0] for k in means.index])
        contrib = {((k[0], k[1]) if columns else (k[0], value)): v for k, v in groups.items()}
        return self.magnitudes(name, table, contrib, source=source)

    # -- regressions ----------------------------------------------------------------------------

    def estimates(self, name: str, est, cells: Mapping[str, int] | None = None, dof: float | None = None, source: str = ""):
        """Regression coefficients or marginal effects (``movers.estimators.results.Estimates`` or a coefficient frame):
        all withheld if the residual degrees of freedom are under ``safe_dof``; a row withheld if the smallest
        group it rests on (``cells``, e.g. movers x subgroup) holds fewer than ``threshold`` people, or if
        one person's removal would move it by more than ``influence`` standard errors (``extra['influence']``
        or ``attrs['influence']``: the largest change in SEs, from ``movers.estimators.margins``). Withheld rows come
        back as NaN (``mark`` puts ``[c]`` in the rendered table); the result has the input's type. The
        number of observations, when the rows fitted on are known (``extra['units']``), is checked against
        the other counts of the page (``population``) and withheld (``nobs`` None, shown as ``[c]``) if
        their difference would be a small group."""
        is_est = isinstance(est, Estimates)
        frame = est.coefs if is_est else est
        cells = dict(cells if cells is not None else (est.cells if is_est else frame.attrs.get("cells", {})))
        nobs = est.nobs if is_est else frame.attrs.get("nobs")
        if dof is None:
            dof = est.extra.get("df_resid") if is_est else frame.attrs.get("df_resid")
        approx = dof is None and nobs is not None
        if approx:
            dof = nobs - len(frame)  # an upper bound: the frame may not show every parameter
        if not self.active:
            self._keep(name, "regression", source, frame)
            return est
        counts = pd.DataFrame({"estimate": [cells.get(r, np.nan) for r in frame.index]}, index=frame.index)
        why = _primary(counts, self.rules)
        influence = dict((est.extra if is_est else frame.attrs).get("influence") or {})
        moved = pd.Series([influence.get(r, np.nan) for r in frame.index], index=frame.index, dtype=float)
        why["estimate"] = why["estimate"].where((why["estimate"] != "") | ~(moved > self.rules.influence), "influence")
        if dof is not None and dof < self.rules.safe_dof:
            why["estimate"] = "residual df"
        dof_text = "residual df unknown" if dof is None else f"residual df {'<= ' if approx else ''}{_num(dof)}"
        details = pd.DataFrame(
            {
                "estimate": [
                    dof_text + ("" if pd.isna(m) else f"; largest one-person change {m:.2f} SE") for m in moved.to_numpy()
                ]
            },
            index=frame.index,
        )
        applied = ["threshold", "zero", "residual df"] + (["influence"] if influence else [])
        self._store(name, "regression", source, frame, why, counts, details, applied)
        out = frame.copy()
        hide = why["estimate"] != ""
        out.loc[hide, [c for c in ("estimate", "se", "pvalue") if c in out.columns]] = np.nan
        out.attrs = dict(frame.attrs)
        self.outputs[name].released = out
        units = est.extra.get("units") if is_est else None
        if units is None or self.population(f"{name}: observations", units):
            return est.with_(coefs=out) if is_est else out
        return est.with_(coefs=out, nobs=None, extra={**est.extra, "nobs_withheld": True})

    def population(self, name: str, units: Iterable[Hashable], release: bool = True) -> bool:
        """A count of people the page prints (a sample size, a regression's observations), with the people
        behind it (row labels of the analysis file). Returns whether the count may be printed: not if it
        differs by 1 to ``threshold - 1`` people from a count already printed whose group holds it or is
        held by it, since the difference is then a small group a reader finds by subtraction (the few
        without a parental class who drop out of Model 3). Counts are checked in the order the page
        releases them, across all its tables and prose; ``release=False`` registers a group only to be
        kept from being recovered (a withheld share's people). Every pair of nested counts goes into the
        record, with the relation between them, so ``audit_page`` sees the same subtraction."""
        group = frozenset(units)
        if not self.active:
            return True
        if not release:
            self._withheld_groups.add(name)
        ok = release
        self._nested = [(a, b) for a, b in self._nested if name not in (a, b)]
        withheld = [g for o, (g, s) in self.populations.items() if not s and o != name]
        for other, (seen, shown) in self.populations.items():
            if other == name or len(seen) == len(group) or not (group <= seen or seen <= group):
                continue
            self._nested.append((other, name) if len(seen) > len(group) else (name, other))
            gap = abs(len(seen) - len(group))
            if shown and (0 < gap < self.rules.threshold or any(g == (seen ^ group) for g in withheld)):
                ok = False
        self.populations[name] = (group, ok)
        self._store_populations()
        return ok

    def _store_populations(self) -> None:
        """The record's output ``Page counts``: each registered count, and each difference between two
        nested counts (withheld when it is a group under the threshold), related by ``adds_up``."""
        rows, values, why, relations = [], [], [], []
        hidden = set()  # groups withheld elsewhere on the page (a withheld share's people): kept, not listed again
        for name, (units, shown) in self.populations.items():
            rows.append(name)
            values.append(len(units))
            why.append("" if shown else "differencing")
            if not shown and name in self._withheld_groups:
                hidden.add(name)
                why[-1] = "threshold" if len(units) < self.rules.threshold else "secondary"
        for big, small in self._nested:
            gap = len(self.populations[big][0]) - len(self.populations[small][0])
            label = f"{big} less {small}"
            rows.append(label)
            values.append(gap)
            why.append("threshold" if gap < self.rules.threshold else "")
            relations.append(adds_up([(small, "people"), (label, "people")], (big, "people"), label))
        frame = pd.DataFrame({"people": values}, index=rows)
        implied = set(rows[len(self.populations) :]) | hidden
        self._store(
            "Page counts",
            "count",
            "",
            frame,
            pd.DataFrame({"people": why}, index=rows),
            frame,
            None,
            ["threshold", "differencing"],
            relations,
        )
        out = self.outputs["Page counts"]
        for c in out.cells:  # a difference is not printed: what it would reveal is for the auditor, not the page's list
            if c["row"] in implied:
                c["outcome"] = "implied"
        out.reasons = out.reasons.drop(index=list(implied))

    def estimable(self, name: str, fit: Callable, *args, rows: Sequence[str] = (), **kwargs):
        """Call ``fit(*args, **kwargs)``; if the model cannot be estimated on this group (a singular matrix,
        perfect separation), return None and record ``rows`` of output ``name`` as withheld, not a crash."""
        result = estimable(fit, *args, **kwargs)
        if isinstance(result, Withheld):
            frame = pd.DataFrame({"estimate": np.nan}, index=pd.Index(list(rows) or ["(model)"]))
            why = pd.DataFrame({"estimate": "not estimable"}, index=frame.index)
            details = pd.DataFrame({"estimate": result.reason}, index=frame.index)
            self._store(name, "regression", "", frame, why, frame, details, ["not estimable"])
            return None
        return result

    def withhold(self, name: str, rows: Sequence[str], rule: str = "not estimable", detail: str = "") -> None:
        """Record ``rows`` of output ``name`` as withheld by ``rule`` without fitting anything (a model already
        found not estimable elsewhere, e.g. by ``movers.strands.micro.common``), so ``mark`` and ``withheld`` show them."""
        frame = pd.DataFrame({"estimate": np.nan}, index=pd.Index(list(rows) or ["(model)"]))
        self._store(
            name,
            "regression",
            "",
            frame,
            pd.DataFrame({"estimate": rule}, index=frame.index),
            frame,
            pd.DataFrame({"estimate": detail}, index=frame.index),
            [rule],
        )

    # -- figures --------------------------------------------------------------------------------

    def figure(self, name: str, data: pd.DataFrame, count: str, value: str | None = None, source: str = "") -> pd.DataFrame:
        """The data behind a figure, one row per plotted point or bar with the people behind it in ``count``.
        Points resting on too few people are dropped (or, with ``value``, set to NaN so the plot shows a gap)."""
        if not self.active:
            self._keep(name, "figure", source, data)
            return data
        counts = data[[count]].rename(columns={count: "point"})
        why = _primary(counts, self.rules)
        shown = data[[value if value is not None else count]].set_axis(["point"], axis=1)
        self._store(name, "figure", source, shown, why, counts, None, ["threshold", "zero"])
        hide = (why["point"] != "").to_numpy()
        if value is None:
            return data[~hide]
        out = data.copy()
        out.loc[hide, value] = np.nan
        return out

    # -- prose ----------------------------------------------------------------------------------

    def released(self, name: str):
        """The output as released (``[c]`` in withheld cells; NaN rows for regressions)."""
        return self.outputs[name].released

    def is_released(self, name: str, row, column) -> bool:
        """Whether a cell was checked and released (always true on an inactive checker, except for a model
        that could not be estimated)."""
        out = self.outputs.get(name)
        if out is None or out.reasons is None:
            return not self.active
        column = "estimate" if out.kind == "regression" else column
        if row not in out.reasons.index or column not in out.reasons.columns:
            return False
        return out.reasons.loc[row, column] == ""

    def released_rows(self, name: str, columns: Sequence[Hashable] | None = None) -> list:
        """Rows of output ``name`` whose ``columns`` (default: all) are all released: build prose from these only."""
        out = self.outputs[name]
        if out.reasons is None:
            return list(out.released.index)
        cols = list(columns) if columns is not None else list(out.reasons.columns)
        return [r for r in out.reasons.index if all(out.reasons.loc[r, c] == "" for c in cols if c in out.reasons.columns)]

    def glue_text(self, name: str, row, column, fmt: str = "{}", value=None) -> str:
        """A number for prose from a checked output: formatted with ``fmt``, or ``[c]`` if its cell was withheld
        (or never checked). ``value`` overrides the stored value (e.g. a rescaled share) but not the check."""
        if not self.is_released(name, row, column):
            out = self.outputs.get(name)
            if out is None or out.reasons is None or row not in out.reasons.index:
                self._note_unchecked(name, row, column)
            return SUPPRESSED
        if value is None:
            frame = self.outputs[name].released
            column = "estimate" if self.outputs[name].kind == "regression" and column not in frame.columns else column
            value = frame.loc[row, column]
        return fmt.format(value) if not isinstance(value, str) else value

    def mark(self, table, name: str, column: Hashable | None = None, rows_map: Mapping | None = None):
        """Put ``[c]`` into a rendered ``movers.pages.tables.Table`` wherever output ``name`` was withheld: the same
        row and column labels, or for a regression the whole row (in ``column``, a model's column, if given)."""
        out = self.outputs.get(name)
        if out is None or out.reasons is None:
            return table
        frame = table.frame
        for r in out.reasons.index:
            label = str((rows_map or {}).get(r, r))
            if label not in frame.index:
                continue
            for c in out.reasons.columns:
                if out.reasons.loc[r, c] == "":
                    continue
                if out.kind == "regression":
                    frame.loc[label, [column] if column is not None else list(frame.columns)] = SUPPRESSED
                elif str(c) in frame.columns:
                    frame.loc[label, str(c)] = SUPPRESSED
        return table

    # -- what the page and the checkers see -----------------------------------------------------------

    def withheld(self) -> pd.DataFrame:
        """What was withheld and which rule withheld it (output, row, column, rule), without any count:
        the list a page shows under its outputs."""
        recs = [
            {
                "output": o.name,
                "row": str(c["row"]),
                "column": "" if o.kind == "regression" else str(c["column"]),
                "rule": REASONS.get(c["rule"], c["rule"]),
            }
            for o in self.outputs.values()
            for c in o.cells
            if c["outcome"] == "withheld"
        ]
        return pd.DataFrame(recs, columns=["output", "row", "column", "rule"])

    def record(self) -> dict:
        """The checker's record: every output, its source, the rules applied, its outcome and, per cell,
        the counts that justify the outcome. For the output checkers only; never shown in the book."""
        return {
            "chapter": self.chapter,
            "active": self.active,
            "rules": asdict(self.rules),
            "outputs": [
                {
                    "output": o.name,
                    "kind": o.kind,
                    "source": o.source,
                    "rules_applied": self.rules.describe(o.rules)
                    + (["not estimable groups withheld"] if "not estimable" in o.rules else []),
                    "outcome": o.outcome,
                    "cells": o.cells,
                    "relations": [[[str(c[0]), str(c[1]), k] for c, k in rel.cells] for rel in o.relations],
                    "derived": {str(k): [str(v) for v in vs] for k, vs in o.derived.items()},
                }
                for o in self.outputs.values()
            ],
        }

    def write(self) -> Path | None:
        """Write ``record.json`` and ``cells.csv`` (one line per checked cell) to the run's folder, atomically.
        Inactive checkers (synthetic or public data) write nothing."""
        if not self.active or self.folder is None:
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        rec = self.record()
        _atomic_write(self.folder / "record.json", json.dumps(rec, indent=1, default=str))
        buf = io.StringIO()
        w = csv.DictWriter(
            buf, fieldnames=["output", "kind", "source", "row", "column", "outcome", "rule", "count", "detail", "value"]
        )
        w.writeheader()
        for o in rec["outputs"]:
            for c in o["cells"]:
                w.writerow({"output": o["output"], "kind": o["kind"], "source": o["source"], **c})
        _atomic_write(self.folder / "cells.csv", buf.getvalue())
        write_acro(self, self.folder / "acro")
        return self.folder / "record.json"

    # -- internals ------------------------------------------------------------------------------------

    def _keep(self, name, kind, source, values):
        self.outputs[name] = Output(name, kind, source, [], released=values)
        return values

    def _store(self, name, kind, source, values, why, counts, details, applied, relations=(), derived=None):
        released = values.astype(object).copy()
        for c in why.columns:
            if c in released.columns:
                released[c] = released[c].where(why[c] == "", SUPPRESSED)
        cells = []
        for r in why.index:
            for c in why.columns:
                rule = why.loc[r, c]
                cnt = counts.loc[r, c] if (c in counts.columns and r in counts.index) else None
                val = values.loc[r, c] if (c in values.columns and r in values.index) else None
                cells.append(
                    {
                        "row": str(r),
                        "column": str(c),
                        "outcome": "withheld" if rule else "released",
                        "rule": rule,
                        "count": _num(cnt),
                        "detail": "" if details is None or c not in details.columns else str(details.loc[r, c]),
                        "value": _num(val),
                    }
                )
        self.outputs[name] = Output(name, kind, source, list(applied), released, why, cells, list(relations), dict(derived or {}))
        return released

    def _note_unchecked(self, name, row, column):
        if not self.active:
            return
        out = self.outputs.setdefault(f"{name} (prose)", Output(f"{name} (prose)", "prose", "", ["unchecked"]))
        out.cells.append(
            {
                "row": str(row),
                "column": str(column),
                "outcome": "withheld",
                "rule": "unchecked",
                "count": None,
                "detail": "not a checked cell",
            }
        )


# ----------------------------------------------------------------------------- not estimable


@dataclass(frozen=True)
class Withheld:
    """A result that cannot be released, with the reason (no counts, no values)."""

    reason: str


def estimable(fit: Callable, *args, **kwargs):
    """``fit(*args, **kwargs)``, or ``Withheld(reason)`` when the model cannot be estimated on this group:
    a singular design (``LinAlgError``), perfect separation, a maximum-likelihood fit that did not converge
    (quasi-separation: an outcome almost perfectly predicted in a group), or clustered standard errors that
    statsmodels cannot compute (a division by zero inside statsmodels: one cluster). A small group is then
    withheld, not a crash, and a fit that did not converge never reaches a page; any other error is a bug and
    propagates."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PerfectSeparationWarning)
            warnings.simplefilter("error", ConvergenceWarning)
            return fit(*args, **kwargs)
    except np.linalg.LinAlgError:
        return Withheld("singular design matrix: the group is too small or has no variation")
    except (PerfectSeparationError, PerfectSeparationWarning):
        return Withheld("perfect separation: the group is too small or has no variation in the outcome")
    except ConvergenceWarning:
        return Withheld("the model did not converge: in this group the outcome is (almost) perfectly predicted")
    except ZeroDivisionError as err:  # statsmodels' clustered covariance of a group in a single cluster
        if not _raised_in_statsmodels(err):
            raise
        return Withheld("standard errors undefined: the group is too small (a single cluster or no residual degrees of freedom)")


def _raised_in_statsmodels(err: BaseException) -> bool:
    tb = err.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return f"{os.sep}statsmodels{os.sep}" in tb.tb_frame.f_code.co_filename


# ----------------------------------------------------------------------------- ACRO's results format

ACRO_FORMAT_VERSION = "0.4.0"  # the results.json layout of ACRO 0.4, which the SACRO viewer reads
_ACRO_FLAGS = {  # our rule -> the name ACRO gives the same check in ``sdc.cells`` / ``sdc.summary``
    "threshold": "threshold",
    "zero": "threshold",
    "dominance": "nk-rule",
    "p-ratio": "p-ratio",
}


def acro_status(out: Output) -> str:
    """ACRO's status of one output: ``pass`` (nothing withheld), ``review`` (released with cells withheld:
    the checker looks at what is left), ``fail`` (everything withheld)."""
    withheld = sum(c["outcome"] == "withheld" for c in out.cells)
    return "pass" if withheld == 0 else ("fail" if withheld == len(out.cells) else "review")


def acro_results(chk: Checker, files: Mapping[str, str] | None = None) -> dict:
    """The checker's record in ACRO's ``results.json`` layout (``acro.record.Records.finalise_json``), which
    the SACRO viewer opens: one result per output with its status, type, properties, the released table's
    file with the cells each rule withheld (``sdc.cells``: row and column positions), ``outcome`` (each
    cell's ``ok`` or rules), a summary and comments giving the reason in words. No counts are in it (they
    stay in ``record.json``); ``files`` maps an output's name to the file holding its released table."""
    files = dict(files or {})
    now = datetime.datetime.now(datetime.UTC).isoformat()
    results = {}
    for i, out in enumerate(o for o in chk.outputs.values() if o.reasons is not None):
        uid = f"output_{i}"
        reasons = out.reasons.astype(str)
        cells: dict[str, list] = {
            "negative": [],
            "missing": [],
            "threshold": [],
            "p-ratio": [],
            "nk-rule": [],
            "all-values-are-same": [],
        }
        movers_cells: dict[str, list] = {}
        for x, r in enumerate(reasons.index):
            for y, c in enumerate(reasons.columns):
                rule = reasons.loc[r, c]
                if rule:
                    movers_cells.setdefault(rule, []).append([x, y])
                    if rule in _ACRO_FLAGS:
                        cells[_ACRO_FLAGS[rule]].append([x, y])
        counts = {k: len(v) for k, v in cells.items()}
        status = acro_status(out)
        rules_hit = sorted(movers_cells)
        summary = status + "".join(f"; {rule}: {len(movers_cells[rule])} cells suppressed" for rule in rules_hit)
        outcome = {
            str(c): {str(r): ("ok" if not reasons.loc[r, c] else f"{reasons.loc[r, c]}; ") for r in reasons.index}
            for c in reasons.columns
        }
        dof = next((c["detail"] for c in out.cells if c["detail"].startswith("residual df")), None)
        results[uid] = {
            "uid": uid,
            "status": status,
            "type": "regression" if out.kind == "regression" else "table",
            "properties": {"method": out.kind, "output": out.name, "chapter": chk.chapter}
            | ({"dof": dof.split(";")[0].removeprefix("residual df ").strip()} if dof else {}),
            "files": [
                {
                    "name": files.get(out.name, f"{uid}.csv"),
                    "sdc": {
                        "summary": {"suppressed": status != "pass", **counts},
                        "cells": cells,
                        "movers_cells": movers_cells,  # every rule of movers.sdc, ACRO's names or not
                    },
                }
            ],
            "outcome": outcome,
            "command": f"movers.sdc.Checker: {out.kind} {out.name!r}",
            "summary": summary,
            "timestamp": now,
            "comments": [f"{rule}: {REASONS.get(rule, rule)}" for rule in rules_hit] + chk.rules.describe(out.rules),
            "exception": "",
        }
    return {"version": ACRO_FORMAT_VERSION, "producer": "movers.sdc", "results": results}


def write_acro(chk: Checker, folder: Path) -> Path:
    """``folder/results.json`` in ACRO's layout, the released table of each output as ``output_<n>.csv``
    (withheld cells ``[c]``), and ``checksums/<file>.txt`` (SHA-256), as ACRO's ``finalise`` leaves an
    output folder: what an output checker opens in the SACRO viewer."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("output_*.csv"), *folder.glob("checksums/*.txt")]:
        old.unlink()
    names = {}
    for i, out in enumerate(o for o in chk.outputs.values() if o.reasons is not None):
        names[out.name] = f"output_{i}.csv"
        shown = out.released if isinstance(out.released, pd.DataFrame) else pd.DataFrame(out.released)
        shown = shown.loc[[r for r in shown.index if r in out.reasons.index]]  # not the page counts' implied differences
        shown = shown.astype(object).where(~shown.isna(), SUPPRESSED) if out.kind == "regression" else shown
        _atomic_write(folder / names[out.name], shown.to_csv())
    _atomic_write(folder / "results.json", json.dumps(acro_results(chk, names), indent=1, default=str))
    sums = folder / "checksums"
    sums.mkdir(exist_ok=True)
    for f in sorted(folder.iterdir()):
        if f.is_file():
            _atomic_write(sums / f"{f.name}.txt", hashlib.sha256(f.read_bytes()).hexdigest())
    return folder / "results.json"


# ----------------------------------------------------------------------------- a run's record


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def checking_folder(chapter: str, build: Path | None = None) -> Path:
    """``_build/output_checking/<chapter>``: beside the book, never in the staged book (``_build/src``)."""
    return Path(build or paths.BUILD) / "output_checking" / chapter


def start_run(
    chapter: str, source: DataSource | str | None = None, rules: Rules | Mapping | None = None, build: Path | None = None
) -> Checker:
    """The checker of a chapter run. Clears the chapter's checking folder first (renamed aside, then
    deleted, so no old record survives a failed run and no half-deleted one is ever seen). The checker is
    active for restricted data only; its rules come from the data source (``DataSource.rules``) or the YAML."""
    folder = checking_folder(chapter, build)
    if folder.exists():
        aside = folder.with_name(f".{chapter}.old-{os.getpid()}")
        os.replace(folder, aside)
        shutil.rmtree(aside, ignore_errors=True)
    (folder.parent / f"{chapter}_counts.csv").unlink(missing_ok=True)  # the file of the earlier checker
    kind = source.kind if isinstance(source, DataSource) else source
    active = kind == "restricted"
    if rules is None and isinstance(source, DataSource):
        rules = source.rules
    return Checker(chapter, rules, active=active, folder=folder)


def banner_text(record: Checker | Mapping | str | Path) -> str:
    """The restricted banner's sentence, from what the checker actually did (a Checker, its record, or
    the path of ``record.json``); it never claims a check that was not made."""
    if isinstance(record, (str, Path)):
        record = json.loads(Path(record).read_text())
    elif isinstance(record, Checker):
        record = record.record()
    outputs = record.get("outputs", [])
    if not record.get("active", True) or not outputs:
        return (
            "This page was computed from licensed microdata. No output of this page was checked by `movers.sdc`; "
            "every output needs the data owner's output checking before release."
        )
    used = {r for o in outputs for r in o.get("rules_applied", [])}
    applied = [w for w in Rules.of(record.get("rules", {})).describe() if w in used]
    kinds = pd.Series([o["kind"] for o in outputs]).value_counts()
    n_withheld = sum(c["outcome"] == "withheld" for o in outputs for c in o["cells"])
    what = ", ".join(
        f"{n} {k if n == 1 else {'shares': 'share tables', 'magnitudes': 'magnitude tables', 'descriptives': 'descriptive tables', 'prose': 'prose checks'}.get(k, k + 's')}"
        for k, n in kinds.items()
    )
    return (
        f"This page was computed from licensed microdata. Its {len(outputs)} checked outputs ({what}) passed the disclosure "
        f"checks of `movers.sdc`: {'; '.join(applied)}. {n_withheld} cell(s) were withheld ([c]). They still need the data "
        "owner's output checking before release."
    )


# ----------------------------------------------------------------------------- hygiene: scrubbing text


_ID_WORDS = r"\b(pidp|hidp|pid|lsnum|ls_?id|member(?: id)?|person(?: id)?|id)\b"
_ID = re.compile(_ID_WORDS + r"(\s*[=:]?\s*)(-?\d+)", re.IGNORECASE)
# six digits or more, also grouped by commas (1,234,567); a number followed by ", " (a list) is one too
_LONG_NUMBER = re.compile(r"(?<![\w.])(?<!\d,)(?:\d{6,}|\d{1,3}(?:,\d{3}){2,}|\d{3},\d{3})(?!\w|\.\d|,\d)")
_SECRET = "<restricted data>"
_DATA_FILE = re.compile(r"(?:[A-Za-z]:)?[\w./\\~-]*[\w-]+\.(?:tab|dta|sav|csv|parquet|feather|xlsx?)\b", re.IGNORECASE)


def _data_file(m: re.Match) -> str:
    """A data file's name stays when it is bare (``a_indresp.tab``) or relative to a secret folder; a path
    elsewhere (a home folder, another copy) becomes ``<data file>``."""
    name = m.group(0)
    bare = not re.search(r"[/\\]", name)
    return name if bare or m.string.endswith(_SECRET, 0, m.start()) else "<data file>"


def scrub(text: str, secrets: Iterable[str | Path] = ()) -> str:
    """``text`` with data paths, identifiers and long raw numbers replaced: every ``secrets`` path (and its
    resolved form) by ``<restricted data>``, names of data files by ``<data file>``, ``pidp 12345``-style
    identifiers by ``pidp <id>``, and bare numbers of six digits or more (identifiers, incomes) by ``<number>``.
    A file's name, bare or relative to a secret folder (``<restricted data>/ukhls/a_indresp.tab``), stays: it
    is not disclosive, and in a lab of many files the user must learn which one is bad.
    For tracebacks and failed notebooks of restricted runs: a person's value must not leave the lab that way."""
    out = str(text)
    keys = set()
    for s in secrets:
        if s:
            keys |= {str(s), str(Path(s).expanduser()), str(Path(s).expanduser().resolve())}
    for s in sorted(keys, key=len, reverse=True):
        out = out.replace(s.rstrip("/"), _SECRET)
    out = _DATA_FILE.sub(_data_file, out)
    out = _ID.sub(lambda m: f"{m.group(1)}{m.group(2) or ' '}<id>", out)
    return _LONG_NUMBER.sub("<number>", out)


def scrub_notebook(nb: Mapping, secrets: Iterable[str | Path] = ()) -> dict:
    """A failed notebook of a restricted run made safe to copy out of the run: every output dropped except
    the error (its name, message and traceback scrubbed), and the sources and metadata scrubbed."""
    nb = json.loads(json.dumps(nb, default=str))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    secrets = list(secrets)
    return json.loads(json.dumps(_scrub_all(nb, secrets)))


def _scrub_all(x, secrets):
    if isinstance(x, str):
        return scrub(x, secrets)
    if isinstance(x, list):
        return [_scrub_all(v, secrets) for v in x]
    if isinstance(x, dict):
        return {k: _scrub_all(v, secrets) for k, v in x.items()}
    return x


def scrub_notebook_file(src: str | Path, dst: str | Path, secrets: Iterable[str | Path] = ()) -> Path:
    """``scrub_notebook`` from file to file (written atomically); the runner's copy to ``_build/failed/``."""
    nb = json.loads(Path(src).read_text(encoding="utf-8"))
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(dst, json.dumps(scrub_notebook(nb, secrets), indent=1))
    return dst


# ----------------------------------------------------------------------------- auditing rendered tables


def read_markdown_table(md: str) -> pd.DataFrame:
    """The cells of the first pipe table in MyST markdown (``movers.pages.tables.Table.to_markdown``), as strings
    indexed by the first column: what a reader of the page sees."""
    lines = [ln.strip() for ln in md.splitlines() if ln.strip().startswith("|")]
    if len(lines) < 2:
        raise ValueError("no pipe table in the text")

    def cells(line):
        parts = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        return [
            p.strip().replace("\\_", "_").replace("\\*", "*").replace("\\|", "|").replace("\\$", "$").replace("\\\\", "\\")
            for p in parts
        ]

    head = cells(lines[0])
    body = [cells(ln) for ln in lines[2:]]
    frame = pd.DataFrame([b[1:] for b in body], index=[b[0] for b in body], columns=head[1:])
    frame.index.name = head[0] or None
    return frame


def parse_number(text: str) -> float | None:
    """A number as the book prints it (thousands separators, a sign, stars, an SE in parentheses), or None."""
    m = re.match(r"^\s*([-+−]?)£?([\d,]*\.?\d+)", str(text))
    if not m:
        return None
    v = float(m.group(2).replace(",", ""))
    return -v if m.group(1) in ("-", "−") else v


def leaks(
    shown: pd.DataFrame, counts: pd.DataFrame, relations: Sequence[Relation] = (), rules: Rules | Mapping | None = None
) -> list[str]:
    """An auditor independent of the checker: what a page reveals. ``shown`` is the table a reader sees
    (strings, e.g. from ``read_markdown_table``); ``counts`` the people behind each cell (the smaller
    category for a share). Lists every cell shown although under the threshold (or zero), and every
    ``[c]`` cell that can be recovered by subtraction from the shown cells and the known totals."""
    rules = Rules.of(rules or {})
    problems = []
    bad = _primary(counts.reindex(index=shown.index, columns=shown.columns), rules)
    for r in shown.index:
        for c in shown.columns:
            if shown.loc[r, c] != SUPPRESSED and parse_number(shown.loc[r, c]) is not None and bad.loc[r, c]:
                problems.append(f"{r} / {c}: shown with fewer than {rules.threshold} people")
    hidden = [(r, c) for r in shown.index for c in shown.columns if shown.loc[r, c] == SUPPRESSED]
    for r, c in sorted(recoverable(hidden, relations), key=repr):
        problems.append(f"{r} / {c}: [c] recoverable by subtraction")
    return problems


# ----------------------------------------------------------------------------- auditing a rendered page


_BLOCK_END = re.compile(r"</(?:tr|p|li|h\d|div|caption|table|pre|dt|dd)>|<br\s*/?>", re.IGNORECASE)
_CELL_END = re.compile(r"</t[dh]>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SENTENCE = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(\[])")
_TOKEN = re.compile(r"(?<![\w.])([-+−]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\w])")


PUBLIC_COLUMNS = ("(published)",)  # table columns holding public figures (the report's), not results of the run


def page_text(page: str | Path | Mapping, public_columns: Sequence[str] = PUBLIC_COLUMNS) -> str:
    """What a reader of a page sees, as text, one table row or sentence a line: from rendered HTML, MyST
    markdown, or an executed notebook (its markdown cells and every output, glued values included, a rich
    output read once, not again as its plain-text copy; the code is left out: it shows parameters, not
    results). Table columns whose header holds one of ``public_columns`` are blanked: their numbers are
    public (the report's figures), so one that equals a withheld cell is a coincidence, not a leak."""
    if isinstance(page, Path):
        page = page.read_text(encoding="utf-8")
    nb = page if isinstance(page, Mapping) else None
    if nb is None and str(page).lstrip().startswith("{"):
        try:
            nb = json.loads(page)
        except json.JSONDecodeError:
            nb = None
    if nb is not None:
        glued = {
            o["metadata"]["scrapbook"].get("name"): _joined(_mime(o).get("text/plain", ""))
            for c in nb.get("cells", [])
            for o in c.get("outputs", [])
            if o.get("metadata", {}).get("scrapbook")
        }
        parts = []
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "markdown":
                parts.append(_GLUE_ROLE.sub(lambda m: _glued(glued.get(m.group(1)), m.group(2)), _joined(cell.get("source", ""))))
            for out in cell.get("outputs", []):
                parts.append(_joined(out.get("text", "")))
                data = _mime(out)
                rich = [k for k in ("text/markdown", "text/html") if k in data]
                parts.extend(_joined(data[k]) for k in (rich[:1] or [k for k in data if k.startswith("text/")]))
                parts.extend(_joined(t) for t in out.get("traceback", []))
        page = "\n".join(parts)
    text = _drop_columns(str(page), [w.lower() for w in public_columns]) if public_columns else str(page)
    text = _CELL_END.sub(" | ", text)
    text = _TAG.sub(" ", _BLOCK_END.sub("\n", text))
    text = html.unescape(text)
    return "\n".join(s.strip() for line in text.splitlines() for s in _SENTENCE.split(line) if s.strip())


_PIPE = re.compile(r"(?<!\\)\|")
_HTML_TABLE = re.compile(r"<table\b.*?</table>", re.IGNORECASE | re.DOTALL)
_HTML_ROW = re.compile(r"<tr\b.*?</tr>", re.IGNORECASE | re.DOTALL)
_HTML_CELL = re.compile(r"<t([dh])\b[^>]*>(.*?)</t[dh]>", re.IGNORECASE | re.DOTALL)


def _drop_columns(text: str, words: Sequence[str]) -> str:
    """``text`` with the cells of every table column whose header contains one of ``words`` emptied
    (markdown pipe tables and HTML tables)."""

    def html_table(m):
        rows = [_HTML_CELL.findall(r) for r in _HTML_ROW.findall(m.group(0))]
        head = next((r for r in rows if any(k.lower() == "h" for k, _ in r)), [])
        drop = {i for i, (_, c) in enumerate(head) if any(w in _TAG.sub(" ", c).lower() for w in words)}
        return (
            "<table>"
            + "".join(
                "<tr>" + "".join(f"<td>{'' if i in drop else c}</td>" for i, (_, c) in enumerate(r)) + "</tr>" for r in rows
            )
            + "</table>"
        )

    text = _HTML_TABLE.sub(html_table, text)
    lines, drop = text.split("\n"), set()
    for i, line in enumerate(lines):
        if not line.lstrip().startswith("|"):
            drop = set()
            continue
        cells = _PIPE.split(line)
        if i + 1 < len(lines) and re.fullmatch(r"\s*\|[\s:|-]+\|?\s*", lines[i + 1]):
            drop = {j for j, c in enumerate(cells) if any(w in c.lower() for w in words)}
        elif drop:
            lines[i] = "|".join("" if j in drop else c for j, c in enumerate(cells))
    return "\n".join(lines)


_GLUE_ROLE = re.compile(r"\{glue(?::text)?\}`([^`:]+)(?::([^`]*))?`")


def _glued(text: str | None, spec: str | None) -> str:
    """A glued value as myst-nb writes it into the page (its text/plain form, formatted by the role's spec)."""
    if text is None:
        return ""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    if spec and isinstance(value, (int, float)):
        try:
            return format(value, spec)
        except ValueError:
            return str(value)
    return str(value)


def _label_in(label: str, line: str) -> tuple[bool, str]:
    """Whether a row label stands in a line as a label (not inside a longer word or number), and the line
    without it (so a numeric label is not read as one of the line's numbers)."""
    pat = re.compile(r"(?<![\w.])" + re.escape(label.lower()) + r"(?![\w]|\.\d)")
    return (bool(pat.search(line)), pat.sub(" ", line))


def _mime(output: Mapping) -> dict:
    """An output's data by plain MIME type: myst-nb's ``glue(..., display=False)`` stores a value under
    ``application/papermill.record/<type>``, hidden on the page but in the notebook file all the same."""
    out = {}
    for k, v in output.get("data", {}).items():
        out[k.removeprefix(_GLUE_PREFIX)] = v
    return out


_GLUE_PREFIX = "application/papermill.record/"


def _joined(x) -> str:
    return "".join(x) if isinstance(x, list) else str(x)


def _tokens(line: str) -> list[tuple[float, int, int]]:
    """The numbers of a line: (absolute value, decimals shown, significant digits shown)."""
    out = []
    for m in _TOKEN.finditer(line):
        whole, dec = m.group(2).replace(",", ""), m.group(3) or ""
        digits = (whole + dec).lstrip("0")
        out.append((float(f"{whole}.{dec}" if dec else whole), len(dec), len(digits)))
    return out


def _shows(value, token: tuple[float, int, int], percent: bool = True) -> bool:
    """Whether a printed number is ``value`` at the precision printed (as it is, or, with ``percent``, as a percentage)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        return False
    x, dec, _ = token
    v = abs(float(value))
    scales = (1.0, 100.0) if (percent and v <= 1) else (1.0,)
    return any(abs(round(v * s, dec) - x) < 0.5 * 10.0 ** -(dec + 3) for s in scales)


def audit_page(
    page: str | Path | Mapping,
    record: Checker | Mapping | str | Path,
    secrets: Iterable[str | Path] = (),
    specific_digits: int = 4,
    public_columns: Sequence[str] = PUBLIC_COLUMNS,
) -> list[str]:
    """An auditor of a rendered page, independent of the checker's decisions: what the page reveals.

    ``page`` is the HTML, MyST markdown or notebook of a restricted run; ``record`` the checker's record
    (with every cell's count, value, relations and derived columns). Lists, as readable problems:

    - every unsafe cell whose value the page prints: a cell the record withheld, or one whose count is under
      the record's threshold (or zero), whether the checker released it or not. A number counts as printed
      when a line (a table row, a sentence) shows it at its printed precision beside the cell's row label,
      or, in a line with no row label of the record, when it has ``specific_digits`` significant digits or
      more (``2,824``, ``0.1234``: a glued value in a notebook's outputs); a
      notebook's ``{glue:text}`` roles are filled with their glued values first, as the HTML shows them; a number a released cell of the same row explains
      is not counted;
    - every unsafe cell a reader can recover by subtraction (or from a derived column) from the cells the
      page prints and the totals it implies;
    - every ``secrets`` path (the data folder) found on the page.

    Columns headed with one of ``public_columns`` (the report's published figures) are not read.

    An empty list means the page passes. Conservative: a coincidence may flag a safe page, never the reverse
    for the cells the record knows."""
    if isinstance(record, Checker):
        record = record.record()
    elif isinstance(record, (str, Path)):
        record = json.loads(Path(record).read_text())
    text = page_text(page, public_columns)
    rules = Rules.of(record.get("rules", {}))
    problems = [f"data path shown: {scrub(str(s), [s])}" for s in secrets if s and str(s) in text]
    # numbers inside the names of outputs ("Tables 31-32") and columns ("Model 3") are not data: taken out before
    # reading numbers (a row label is taken out where it is matched, so it stays here)
    names = sorted(
        {
            n.lower()
            for o in record.get("outputs", [])
            for n in [o["output"]] + [c["column"] for c in o["cells"]]
            if re.search(r"\d", n) and re.search(r"[A-Za-z]", n)
        },
        key=len,
        reverse=True,
    )
    lines = [ln.lower() for ln in text.splitlines()]
    lines = [_without(ln, names) for ln in lines]
    tokens = [_tokens(ln) for ln in lines]
    labels = {c["row"] for o in record.get("outputs", []) for c in o["cells"]}
    owned = [any(_label_in(lab, ln)[0] for lab in labels if lab.lower() in ln) for ln in lines]  # a row of some output
    for out in record.get("outputs", []):
        problems += _audit_output(out, rules, (lines, tokens, owned), specific_digits)
    return problems


_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+\*?")


def latex_text(tex: str) -> str:
    """The text of LaTeX source (the book's PDF) as ``page_text`` reads it: a table row a line, cells split by ``|``."""
    text = re.sub(r"(?<!\\)&", " | ", tex.replace("\\\\", "\n").replace("\\-", "").replace("\\sphinxhyphen{}", "-"))
    text = re.sub(r"\\([_%$#&{}])", r"\1", text)
    return _LATEX_COMMAND.sub(" ", text).replace("{", " ").replace("}", " ")


def run_pages(chapter: str, build: Path | None = None) -> list[Path]:
    """The files of a chapter run a reader can get: the executed notebook, the HTML page, the PDF's LaTeX source."""
    b = Path(build or paths.BUILD)
    html = b / "book" / "_build" / "html" / "chapters" / f"{chapter}.html"
    return [
        p
        for p in [b / "src" / "chapters" / f"{chapter}.ipynb", html, *sorted((b / "book" / "_build" / "latex").glob("*.tex"))]
        if p.exists()
    ]


def audit_run(chapter: str, build: Path | None = None, secrets: Iterable[str | Path] = ()) -> dict[str, list[str]]:
    """``audit_page`` over every file of a restricted chapter run (``run_pages``) against the run's record
    (``_build/output_checking/<chapter>/record.json``): {file name: problems}. A run without a record fails."""
    record = checking_folder(chapter, build) / "record.json"
    if not record.exists():
        return {"record.json": [f"no checker record for {chapter}: its outputs were not checked"]}
    out = {}
    for page in run_pages(chapter, build):
        text = page.read_text(encoding="utf-8")
        out[page.name] = audit_page(latex_text(text) if page.suffix == ".tex" else text, record, secrets)
    return out


def _unsafe(cell: Mapping, rules: Rules) -> bool:
    """A cell the record withheld, or one whose count is under the threshold (or zero) whatever the record says."""
    n = cell.get("count")
    small = isinstance(n, (int, float)) and (n < rules.threshold or (n == 0 and rules.zeros_are_disclosive))
    return cell["outcome"] == "withheld" or (cell["outcome"] == "implied" and bool(cell.get("rule"))) or small


def _without(line: str, names: Sequence[str]) -> str:
    for n in names:
        if n in line:
            line = line.replace(n, " ")
    return line


def _printed(cell: Mapping, page: tuple, released: Mapping, specific_digits: int, percent: bool = True) -> bool:
    """Whether the page (lines, their numbers, whether each is some output's row) prints the cell's value."""
    r, v = cell["row"], cell.get("value")
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return False
    for low, toks, own in zip(*page):
        beside, rest = _label_in(r, low) if r.lower() in low else (False, low)
        if not beside and own:
            continue
        for t in _tokens(rest) if beside else toks:
            if (
                (beside or t[2] >= specific_digits)
                and _shows(v, t, percent)
                and not any(_shows(w, t, percent) for w in released.get(r, []))
            ):
                return True
    return False


def _audit_output(out: Mapping, rules: Rules, page: tuple, specific_digits: int) -> list[str]:
    """``audit_page`` for one output of the record."""
    cells = {(c["row"], c["column"]): c for c in out["cells"]}
    released = {}
    for (r, _), c in cells.items():
        if not _unsafe(c, rules):
            released.setdefault(r, []).append(c.get("value"))
    problems = []
    percent = out.get("kind") in ("shares", "descriptives", "figure")  # a share may be printed as a percentage
    shown = {k for k, c in cells.items() if _unsafe(c, rules) and _printed(c, page, released, specific_digits, percent)}
    for r, c in sorted(shown):
        rule = cells[(r, c)]["rule"]
        problems.append(
            f"{out['output']}: {r} / {c} printed although withheld ({REASONS.get(rule, rule) if rule else REASONS['threshold']})"
        )
    known = {k for k, c in cells.items() if not _unsafe(c, rules) and c["outcome"] != "implied"} | shown
    rels = [Relation(tuple(((r, c), float(k)) for r, c, k in rel)) for rel in out.get("relations", [])]
    groups = [[(r, d)] + [(r, s) for s in srcs] for d, srcs in out.get("derived", {}).items() for r in {k[0] for k in cells}]
    while True:
        unknown = [k for k in cells if k not in known]
        found = recoverable(unknown, rels)
        for g in groups:
            missing = [k for k in g if k in cells and k not in known]
            if len(missing) == 1 and all(k in cells for k in g):
                found.add(missing[0])
        found -= known
        if not found:
            return problems
        problems += [
            f"{out['output']}: {k[0]} / {k[1]} recoverable by subtraction from the printed cells"
            for k in sorted(found)
            if _unsafe(cells[k], rules)
        ]
        known |= found


# ----------------------------------------------------------------------------- hygiene: parameters of a restricted run

SECURE_PATH = "<secure path>"
PATH_KEYS = ("data_path", "aux_path", "dictionary", "sdc_rules")  # the parameters that name files or folders


def redact_params(prm: Mapping, source: str | None = None, keys: Sequence[str] = PATH_KEYS) -> dict:
    """``prm`` for display: on a restricted run (``source``, else ``prm['source']``) every non-empty path
    parameter reads ``<secure path>``, so the "Parameters of this run" box names no secure location.
    Other sources are returned unchanged (a copy)."""
    out = dict(prm)
    if (source or out.get("source")) == "restricted":
        out.update({k: SECURE_PATH for k in keys if out.get(k)})
    return out


def redact_notebook(nb, prm: Mapping, keys: Sequence[str] = PATH_KEYS):
    """An executed notebook of a restricted run with its path parameters redacted where papermill put them:
    the injected-parameters cell and ``metadata.papermill.parameters`` (the runner's own provenance,
    ``metadata.movers``, is left to the runner). Changes ``nb`` in place and returns it; other sources untouched."""
    if prm.get("source") != "restricted":
        return nb
    secrets = [str(prm[k]) for k in keys if prm.get(k)]
    for cell in nb.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            for s in sorted(secrets, key=len, reverse=True):
                src = src.replace(repr(s), repr(SECURE_PATH)).replace(s, SECURE_PATH)
            cell["source"] = src
    pm = nb.get("metadata", {}).get("papermill", {})
    if isinstance(pm.get("parameters"), dict):
        pm["parameters"] = redact_params(pm["parameters"], "restricted", keys)
    return nb
