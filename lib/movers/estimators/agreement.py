"""How estimates agree with the report's published figures: the one measure of agreement of the book.

``side_by_side`` lines up estimates (``Estimates`` or coefficient frames keyed by the report's column
names) with the published coefficients and, for synthetic data, the true values; ``agreement`` and
``agreement_by`` summarise the gaps; ``outliers`` flags published cells far from their column. Pages turn
these frames into tables (``movers.pages.compare``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from movers.data.published import COEF_COLUMNS, published

STAR_LEVELS = ((0.01, "***"), (0.05, "**"), (0.1, "*"))


def stars(pvalue: float | None) -> str:
    """Significance stars as the report uses them (``***`` 1%, ``**`` 5%, ``*`` 10%)."""
    if pvalue is None or not np.isfinite(pvalue):
        return ""
    for level, mark in STAR_LEVELS:
        if pvalue < level:
            return mark
    return ""


def _coefs(result) -> pd.DataFrame:
    """The coefficient frame of an ``Estimates`` (its ``coefs``), or the frame itself."""
    return getattr(result, "coefs", result)


SIDE_COLUMNS = [
    "row",
    "model",
    "estimate",
    "se",
    "pvalue",
    "published",
    "published_se",
    "published_stars",
    "published_digits",
    "published_se_digits",
    "truth",
]


def side_by_side(
    models: Mapping[str, pd.DataFrame],
    table: int | str | None,
    truth: Mapping | None = None,
    row_map: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Long table of estimate, SE, published estimate and SE, and truth, per (row, model).

    ``models`` are coefficient frames (or ``Estimates``) keyed by the published column name
    ("Model 1"...). ``row_map`` maps our row labels to the report's where they differ. ``truth`` maps a
    row label, or a (row, model) pair, to the value that generated the synthetic data; ``z_truth`` is
    (estimate - truth) / se.
    """
    pub = published(table) if table is not None else pd.DataFrame(columns=COEF_COLUMNS)
    pub_idx = {
        (r["row"], r["column"]): (r["estimate"], r["se"], r["stars"], r["digits"], r["se_digits"]) for _, r in pub.iterrows()
    }
    recs = []
    for model, frame in models.items():
        for row, vals in _coefs(frame).iterrows():
            prow = (row_map or {}).get(row, row)
            p_est, p_se, p_stars, p_digits, p_se_digits = pub_idx.get((prow, model), (np.nan, np.nan, "", 3, 3))
            t = np.nan
            if truth is not None:
                t = truth.get((row, model), truth.get(row, np.nan)) if isinstance(truth, Mapping) else np.nan
            recs.append(
                {
                    "row": row,
                    "model": model,
                    "estimate": float(vals["estimate"]),
                    "se": float(vals["se"]),
                    "pvalue": float(vals["pvalue"]),
                    "published": float(p_est),
                    "published_se": float(p_se),
                    "published_stars": p_stars,
                    "published_digits": int(p_digits),
                    "published_se_digits": int(p_se_digits),
                    "truth": float(t) if t is not None else np.nan,
                }
            )
    out = pd.DataFrame.from_records(recs, columns=SIDE_COLUMNS)
    out["z_truth"] = (out["estimate"] - out["truth"]) / out["se"]
    return out


def numbers(long: pd.DataFrame, nobs: Mapping | None = None, table: int | str | None = None) -> pd.DataFrame:
    """The numbers behind a comparison, one column each (a table's CSV download): per model and row the
    estimate, SE, p-value and stars, the published estimate, SE and stars, the true value where known, and
    the observations (ours from ``nobs`` by model, the report's from ``table``)."""
    out = long[["model", "row", "estimate", "se", "pvalue"]].copy()
    out["stars"] = out["pvalue"].map(stars)
    out[["published", "published_se", "published_stars"]] = long[["published", "published_se", "published_stars"]]
    if long["truth"].notna().any():
        out["truth"] = long["truth"]
    if nobs is not None:
        out["nobs"] = out["model"].map(dict(nobs))
    if table is not None:
        out["published_nobs"] = out["model"].map(published(table).groupby("column")["n_obs"].first())
    return out


def coverage(long: pd.DataFrame) -> int:
    """How many published coefficients stand beside a reproduced one in a ``side_by_side`` frame."""
    return int((np.isfinite(long["published"]) & np.isfinite(long["estimate"])).sum())


AGREEMENT_KEYS = ("n", "mae", "corr", "sign", "within_combined", "within_published")


def agreement(long: pd.DataFrame) -> dict:
    """How close estimates are to the published coefficients they stand beside (a ``side_by_side`` frame, or
    any frame with estimate, se, published, published_se).

    Of the rows with both an estimate and a published value: ``n``; ``mae``, the mean absolute gap;
    ``corr``, their correlation (NaN under three rows or with no spread); ``sign``, the share of the same
    sign; ``within_combined``, the share whose gap is at most two *combined* standard errors,
    sqrt(se² + published_se²), the test of two independent estimates of one quantity; and
    ``within_published``, the share within two published SEs alone, which ignores the book's own
    sampling error and so is stricter the noisier the book's estimate (shown beside the combined share,
    never instead of it). A row without an SE of its own counts its published SE only."""
    p = long[np.isfinite(long["published"]) & np.isfinite(long["estimate"])]
    if p.empty:
        return dict.fromkeys(AGREEMENT_KEYS, np.nan) | {"n": 0}
    gap = (p["estimate"] - p["published"]).abs()
    own = p["se"].fillna(0.0) if "se" in p else pd.Series(0.0, index=p.index)
    combined = np.sqrt(own**2 + p["published_se"] ** 2)
    spread = len(p) >= 3 and p["estimate"].std() > 0 and p["published"].std() > 0
    return {
        "n": int(len(p)),
        "mae": float(gap.mean()),
        "corr": float(np.corrcoef(p["estimate"], p["published"])[0, 1]) if spread else np.nan,
        "sign": float((np.sign(p["estimate"]) == np.sign(p["published"])).mean()),
        "within_combined": float((gap <= 2 * combined).mean()),
        "within_published": float((gap <= 2 * p["published_se"]).mean()),
    }


AGREEMENT_LABELS = {
    "n": "Published coefficients",
    "mae": "Mean absolute gap",
    "corr": "Correlation",
    "sign": "Same sign (share)",
    "within_combined": "Within 2 combined SEs (share)",
    "within_published": "Within 2 published SEs (share)",
}
AGREEMENT_DIGITS = {"Published coefficients": 0, "Mean absolute gap": 3, "Correlation": 3} | dict.fromkeys(
    ("Same sign (share)", "Within 2 combined SEs (share)", "Within 2 published SEs (share)"), 2
)


def agreement_by(long: pd.DataFrame, by: str | Sequence[str]) -> pd.DataFrame:
    """``agreement`` per group of ``long`` (e.g. ``by="model"``, or ``["table", "model"]``) and, last, over all
    rows ("All"), one row each, columns labelled (``AGREEMENT_LABELS``)."""
    by = [by] if isinstance(by, str) else list(by)
    rows = {key: agreement(g) for key, g in long.groupby(by if len(by) > 1 else by[0], sort=False)}
    rows[("All",) * len(by) if len(by) > 1 else "All"] = agreement(long)
    out = pd.DataFrame.from_dict(rows, orient="index")[list(AGREEMENT_KEYS)].rename(columns=AGREEMENT_LABELS)
    out.index = pd.MultiIndex.from_tuples(out.index, names=by) if len(by) > 1 else out.index.rename(by[0])
    return out


def outliers(df: pd.DataFrame, factor: float = 10.0) -> pd.DataFrame:
    """Cells more than ``factor`` times the column median (in absolute value): e.g. the report's
    London GVA per head of £726,621 in Table 6, which a computed table cannot produce."""
    recs = []
    for col in df.columns:
        vals = pd.to_numeric(df[col], errors="coerce")
        med = vals.abs().median()
        if not np.isfinite(med) or med == 0:
            continue
        for idx, v in vals.items():
            if np.isfinite(v) and abs(v) > factor * med:
                recs.append(
                    {"row": idx, "column": col, "value": float(v), "column_median": float(med), "ratio": float(abs(v) / med)}
                )
    return pd.DataFrame.from_records(recs, columns=["row", "column", "value", "column_median", "ratio"])
