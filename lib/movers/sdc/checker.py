"""The output checker of one chapter run: every table, share, descriptive, magnitude, regression result,
figure and count of people a restricted page shows passes through a ``Checker``, which withholds what the
rules (``movers.sdc.rules``) forbid and keeps, per cell, what it did and why.

Wiring a chapter's library code (a few lines)::

    from movers.sdc import record, suppression

    chk = record.start_run("movers_stayers", src)       # src: movers.core.source.DataSource; clears the old record
    t30 = chk.shares("Table 30", shares, n=n_per_column, n_with=n_attribute,
                     relations=suppression.columns_add_up(["Professional", "Skilled", "Semi-skilled"], ["Stayers", "Movers"]))
    t25 = chk.shares("Table 25", t[["Stayer", "Mover", "Difference", "pvalue"]], n={"Stayer": n0, "Mover": n1},
                     n_with=t[["n_stayer", "n_mover"]].set_axis(["Stayer", "Mover"], axis=1), scale=100,
                     derived={"Difference": ["Stayer", "Mover"], "pvalue": ["Stayer", "Mover"]})
    sig = [r for r in chk.released_rows("Table 25", ["Difference", "pvalue"]) if t25.loc[r, "pvalue"] < 0.05]
    t23 = chk.describe("Table 23", frame_of_numeric_variables)   # Mean, Std. dev., Min., Max., Obs.
    inc = chk.means("Income by group", sample, "income", rows="parent_nssec", columns="mover")
    eff = chk.estimates("Table 27 Employed", eff, cells=eff.cells, dof=df_resid)  # an Estimates (movers.estimators.results)
    fit = chk.estimable("Table 27 Non-white", O.fit, sample, f, kind, rows=["Non-white"])   # None if it cannot be estimated
    text = chk.glue_text("Table 30", "Disabled", "Movers", "{:.2f}")  # '[c]' if that cell was withheld
    chk.mark(rendered_table, "Table 27 Employed", column="Employed")  # '[c]' in the withheld rows of a rendered table
    chk.population("Sample (prose): n_sample", sample.index)  # a count the page prints, with its people: no two
                            # nested counts may differ by a small group (chk.estimates does it for observations)
    chk.withheld()          # what was withheld and by which rule, without counts: show it on the page
    record.write(chk)       # _build/output_checking/<chapter>/record.json and cells.csv, for the checkers only,
                            # and acro/ (ACRO's results.json layout, released tables, checksums) for the SACRO viewer
    record.banner_text(chk) # the restricted banner, from what was actually checked

On synthetic or public data the checker is inactive: outputs pass through unchanged (and are kept, so
``glue_text`` and ``released_rows`` work the same), and nothing is written.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from movers.estimators.results import Estimates
from movers.sdc.redact import Withheld, estimable
from movers.sdc.rules import REASONS, SUPPRESSED, Rules
from movers.sdc.suppression import Cell, Relation, adds_up, dominance, primary, protect


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


STATISTICS = ("Mean", "Std. dev.", "Min.", "Max.", "Obs.")  # the columns of ``Checker.describe``


def _describe_column(column: pd.Series, rules: Rules) -> tuple[dict, dict, dict, dict]:
    """One row of ``Checker.describe``: the statistics of a numeric column, the people behind each (the
    smaller category for a 0/1 column, everyone for a magnitude), the rule each fails ('' if none) and the
    detail the record keeps. A magnitude's mean is checked for dominance; its minimum and maximum are one
    person's values."""
    v = pd.to_numeric(column, errors="coerce").dropna()
    n = len(v)
    binary = bool(n) and v.isin([0, 1]).all()
    stats = {"Mean": v.mean(), "Std. dev.": v.std(), "Min.": v.min(), "Max.": v.max(), "Obs.": n}
    k = int(v.sum()) if binary else n
    m = min(k, n - k) if binary else n
    counts = dict.fromkeys(STATISTICS[:4], m) | {"Obs.": n}
    dom = "" if binary else dominance(v, rules)
    extreme = "" if binary else "extreme"
    why = {"Mean": dom, "Std. dev.": dom, "Min.": extreme, "Max.": extreme, "Obs.": ""}
    d = f"binary: n={n}, with={k}" if binary else f"magnitude: n={n}" + (f", {dom}" if dom else "")
    details = dict.fromkeys(STATISTICS[:4], d) | {"Obs.": f"n={n}"}
    return stats, counts, why, details


def _page_counts(populations: Mapping, nested: Sequence[tuple[str, str]], withheld_groups: set, threshold: int) -> tuple:
    """The rows of the record's ``Page counts``: each registered count (withheld by differencing or, under
    the threshold, in itself; a withheld share's people by the rule that withheld the share) and each
    difference of two nested counts, related to them by ``adds_up``. Returns rows, values, reasons,
    relations, and the rows that are implied rather than printed (differences, withheld groups already listed)."""
    rows, values, why, relations = [], [], [], []
    hidden = set()  # groups withheld elsewhere on the page (a withheld share's people): kept, not listed again
    for name, (units, shown) in populations.items():
        rows.append(name)
        values.append(len(units))
        if shown:
            why.append("")
        elif name in withheld_groups:
            hidden.add(name)
            why.append("threshold" if len(units) < threshold else "secondary")
        else:
            why.append("threshold" if 0 < len(units) < threshold else "differencing")
    for big, small in nested:
        gap = len(populations[big][0]) - len(populations[small][0])
        label = f"{big} less {small}"
        rows.append(label)
        values.append(gap)
        why.append("threshold" if gap < threshold else "")
        relations.append(adds_up([(small, "people"), (label, "people")], (big, "people"), label))
    return rows, values, why, relations, set(rows[len(populations) :]) | hidden


def _cell_records(values: pd.DataFrame, why: pd.DataFrame, counts: pd.DataFrame, details: pd.DataFrame | None) -> list[dict]:
    """The record's line of each checked cell: row, column, outcome, rule, the count behind it, detail, value."""
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
    return cells


def _regression_checks(
    rows: pd.Index, cells: Mapping, influence: Mapping, dof, approx: bool, rules: Rules, estimated: pd.Series
) -> tuple:
    """The checks of ``Checker.estimates`` on each row of a regression's results: the people of the smallest
    group it rests on (``cells``) against the threshold, the largest one-person change in standard errors
    (``influence``) against the influence limit (a row with an estimate, ``estimated``, but no influence is
    withheld), and the residual degrees of freedom (all rows). Returns the counts, the reasons ('' where
    released), the details the record keeps and whether any influence was unknown."""
    counts = pd.DataFrame({"estimate": [cells.get(r, np.nan) for r in rows]}, index=rows)
    why = primary(counts, rules)
    moved = pd.Series([influence.get(r, np.nan) for r in rows], index=rows, dtype=float)
    why["estimate"] = why["estimate"].where((why["estimate"] != "") | ~(moved > rules.influence), "influence")
    # the influence rule fails closed: an estimate whose sensitivity to one person was never computed (or
    # was lost on the way) is withheld
    unknown = moved.isna() & estimated
    why["estimate"] = why["estimate"].where((why["estimate"] != "") | ~unknown, "influence unknown")
    if dof is not None and dof < rules.safe_dof:
        why["estimate"] = "residual df"
    dof_text = "residual df unknown" if dof is None else f"residual df {'<= ' if approx else ''}{_num(dof)}"
    changes = [
        "; one-person influence not computed" if u else "" if pd.isna(m) else f"; largest one-person change {m:.2f} SE"
        for m, u in zip(moved.to_numpy(), unknown.to_numpy())
    ]
    details = pd.DataFrame({"estimate": [dof_text + c for c in changes]}, index=rows)
    return counts, why, details, bool(unknown.any())


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
        why = primary(counts, self.rules)
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
            stats[label], counts[label], why[label], details[label] = _describe_column(data[col], self.rules)
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

    def estimates(
        self, name: str, est: Estimates, cells: Mapping[str, int] | None = None, dof: float | None = None, source: str = ""
    ):
        """Regression coefficients or marginal effects (a ``movers.estimators.results.Estimates``):
        all withheld if the residual degrees of freedom are under ``safe_dof``; a row withheld if the smallest
        group it rests on (``cells``, e.g. movers x subgroup) holds fewer than ``threshold`` people, or if
        one person's removal would move it by more than ``influence`` standard errors (``est.influence``: the
        largest change in SEs, from ``movers.estimators.margins``). The influence rule fails closed: a row
        with an estimate but no influence (never computed, or lost on the way) is withheld ("influence
        unknown"). Withheld rows come back as NaN (``mark`` puts ``[c]`` in the rendered table). The
        number of observations, when the rows fitted on are known (``est.units``), is checked against
        the other counts of the page (``population``) and withheld (``nobs`` None, shown as ``[c]``) if
        their difference would be a small group."""
        if not isinstance(est, Estimates):
            raise TypeError(f"Checker.estimates takes a movers.estimators.results.Estimates, not {type(est).__name__}")
        frame = est.coefs
        cells = dict(cells if cells is not None else est.cells)
        nobs = est.nobs
        if dof is None:
            dof = est.df_resid
        approx = dof is None and nobs is not None
        if approx:
            dof = nobs - len(frame)  # an upper bound: the frame may not show every parameter
        if not self.active:
            self._keep(name, "regression", source, frame)
            return est
        influence = dict(est.influence or {})
        counts, why, details, unknown = _regression_checks(
            frame.index, cells, influence, dof, approx, self.rules, frame["estimate"].notna()
        )
        applied = ["threshold", "zero", "residual df"] + (["influence"] if influence or unknown else [])
        self._store(name, "regression", source, frame, why, counts, details, applied)
        out = frame.copy()
        hide = why["estimate"] != ""
        out.loc[hide, [c for c in ("estimate", "se", "pvalue") if c in out.columns]] = np.nan
        self.outputs[name].released = out
        if est.units is None or self.population(f"{name}: observations", est.units):
            return est.with_(coefs=out)
        return est.with_(coefs=out, nobs=None, nobs_withheld=True)

    def population(self, name: str, units: Iterable[Hashable], release: bool = True) -> bool:
        """A count of people the page prints (a sample size, a regression's observations), with the people
        behind it (row labels of the analysis file). Returns whether the count may be printed: not if it
        differs by 1 to ``threshold - 1`` people from a count already printed whose group holds it or is
        held by it, since the difference is then a small group a reader finds by subtraction (the few
        without a parental class who drop out of Model 3). Counts are checked in the order the page
        releases them, across all its tables and prose; ``release=False`` registers a group only to be
        kept from being recovered (a withheld share's people). A count of fewer than ``threshold`` people
        (but not zero) is withheld in itself. Every pair of nested counts goes into the record, with the
        relation between them, so ``audit_page`` sees the same subtraction."""
        group = frozenset(units)
        if not self.active:
            return True
        if not release:
            self._withheld_groups.add(name)
        ok = release and not (0 < len(group) < self.rules.threshold)
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

    def count_text(self, name: str, units: Iterable[Hashable], fmt: str = "{:,}") -> str:
        """A count of people printed anywhere on the page outside a checked table (a table's note, a figure's
        caption or annotation: "N = 376"), with the people behind it: the count formatted with ``fmt`` if
        ``population`` lets it be printed, else ``[c]``."""
        group = frozenset(units)
        return fmt.format(len(group)) if self.population(name, group) else SUPPRESSED

    def _store_populations(self) -> None:
        """The record's output ``Page counts``: each registered count, and each difference between two
        nested counts (withheld when it is a group under the threshold), related by ``adds_up``."""
        rows, values, why, relations, implied = _page_counts(
            self.populations, self._nested, self._withheld_groups, self.rules.threshold
        )
        frame = pd.DataFrame({"people": values}, index=rows)
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
        why = primary(counts, self.rules)
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

    # -- internals ------------------------------------------------------------------------------------

    def _keep(self, name, kind, source, values):
        self.outputs[name] = Output(name, kind, source, [], released=values)
        return values

    def _store(self, name, kind, source, values, why, counts, details, applied, relations=(), derived=None):
        released = values.astype(object).copy()
        for c in why.columns:
            if c in released.columns:
                released[c] = released[c].where(why[c] == "", SUPPRESSED)
        cells = _cell_records(values, why, counts, details)
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
