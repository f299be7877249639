"""Published, reproduced and (for synthetic data) true values side by side, as cells and tables of a page.

The published figures are read by ``movers.data.published`` and lined up with the estimates by
``movers.estimators.agreement.side_by_side``; this module shows them: the report's cells at their own
precision, one-model and several-model comparison tables, and descriptive tables beside the report's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from movers.data.published import published, published_printed
from movers.estimators.agreement import numbers, side_by_side
from movers.pages.tables import Table, coef_cell, flag_unconverged, fmt_number, marked_cell, observations


def published_cell(estimate: float, se: float | None, stars_: str = "", digits: int = 3, se_digits: int | None = None) -> str:
    """A published coefficient as the report prints it: its own decimals, its stars, the SE in parentheses."""
    return marked_cell(estimate, se, stars_, digits, se_digits)


def published_of(r) -> str:
    """The published cell of one row of a ``side_by_side`` frame (its stars and decimals)."""
    return published_cell(
        r["published"], r["published_se"], r["published_stars"], r["published_digits"], r["published_se_digits"]
    )


def comparison_table(
    long: pd.DataFrame, model: str | None = None, caption: str = "", label: str | None = None, digits: int = 3
) -> Table:
    """Render ``side_by_side`` output for one model: reproduced, published and true columns."""
    sub = long if model is None else long[long["model"] == model]
    show_truth = sub["truth"].notna().any()
    rows = {}
    for _, r in sub.iterrows():
        key = r["row"] if model is not None else f"{r['row']} ({r['model']})"
        rows[key] = {
            "Reproduced": coef_cell(r["estimate"], r["se"], r["pvalue"], digits),
            "Published": published_of(r) if np.isfinite(r["published"]) else "–",
        }
        if show_truth:
            rows[key]["True value"] = fmt_number(r["truth"], digits) if np.isfinite(r["truth"]) else ""
            rows[key]["(Est.−true)/SE"] = fmt_number(r["z_truth"], 1) if np.isfinite(r["z_truth"]) else ""
    frame = pd.DataFrame.from_dict(rows, orient="index")
    notes = "Published: the report's figure, with its stars and its decimals."
    if show_truth:
        notes += " True value: the parameter that generated the synthetic data; |(Est.−true)/SE| above 3 would signal a problem."
    return Table(frame, caption=caption, notes=notes, label=label, values=numbers(sub))


TRUTH_NOTE = (
    "True value: the coefficient that generated the synthetic data, defined for Model 4 only (the full model; "
    "Models 1-3 leave out controls and have no single true value)."
)


def model_comparison(
    models: Mapping,
    table: int | str | None,
    truth: Mapping | None = None,
    withdrawn: str | None = None,
    row_map: Mapping[str, str] | None = None,
    controls: Mapping[str, Sequence[bool]] | None = None,
    caption: str = "",
    notes: str = "",
    digits: int = 3,
) -> tuple[Table, pd.DataFrame]:
    """One report table with its models side by side: under each coefficient row, the report's figure
    ("– published", when ``table`` is the report's and no ``withdrawn`` reason is given) and the value
    that generated the data ("– true value", where ``truth`` defines one); then the YES/NO rows of the
    control blocks and the observations, reproduced and published.

    ``models`` maps the report's column names ("Model 1"...) to ``Estimates`` (or coefficient frames).
    Returns the table and the long ``side_by_side`` frame (``published`` is NaN where withdrawn).
    """
    long = side_by_side(models, None if withdrawn else table, truth=truth, row_map=row_map)
    names = list(models)
    cols = {}
    for (row, model), r in long.set_index(["row", "model"]).iterrows():
        cols.setdefault(row, {})[model] = r
    recs, index = [], []
    for row, by_model in cols.items():
        index.append(row)
        recs.append(
            [
                coef_cell(by_model[m]["estimate"], by_model[m]["se"], by_model[m]["pvalue"], digits) if m in by_model else ""
                for m in names
            ]
        )
        if any(np.isfinite(by_model[m]["published"]) for m in by_model):
            index.append("– published")
            recs.append([published_of(by_model[m]) if m in by_model else "" for m in names])
        if any(np.isfinite(by_model[m]["truth"]) for m in by_model):
            index.append("– true value")
            recs.append([fmt_number(by_model[m]["truth"], digits) if m in by_model else "" for m in names])
    for label, flags in (controls or {}).items():
        index.append(label)
        recs.append(["YES" if f else "NO" for f in flags])
    index.append("Observations")
    recs.append([fmt_number(observations(models[m]), 0) if observations(models[m]) is not None else "" for m in names])
    if table is not None and not withdrawn:
        pub = published(table).groupby("column")["n_obs"].first()
        index.append("– published")
        recs.append([fmt_number(int(pub[m]), 0) if m in pub.index and np.isfinite(pub[m]) else "" for m in names])
    frame = pd.DataFrame(recs, index=index, columns=names)
    parts = [notes] if notes else []
    if table is not None and not withdrawn:
        parts.append(f"– published: the report's Table {table}, with its stars and its decimals.")
    elif withdrawn:
        parts.append(f"Published figures withdrawn: {withdrawn}.")
    if long["truth"].notna().any():
        parts.append(TRUTH_NOTE)
    values = numbers(long, {m: observations(models[m]) for m in names}, None if withdrawn else table)
    shown = Table(frame, caption=caption, notes=" ".join(parts), align="l" + "r" * len(names), values=values)
    return flag_unconverged(shown, models), long  # a model that did not converge is marked, never silent


def descriptive_comparison(ours: pd.DataFrame, table: int | str) -> pd.DataFrame:
    """Interleave our descriptive table with the published one: columns 'X' and 'X (published)', the published
    figures as the report printed them (their decimals and stars, as text: never padded by our rounding). Our
    figures stay unrounded: the table that shows them rounds (``tables.render(..., digits=)``)."""
    pub = published_printed(table)
    out = pd.DataFrame(index=ours.index)
    for col in ours.columns:
        out[col] = ours[col]
        if col in pub.columns:
            out[f"{col} (published)"] = pub[col].reindex(ours.index)
    return out
