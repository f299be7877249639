"""Published, reproduced and (for synthetic data) true values side by side.

The published figures are the report's tables, transcribed into
``data/reference/published_coefficients.csv`` (regression tables) and
``published_descriptives.csv`` (descriptive tables). A computed book should
agree with them on real data and expose where the report disagrees with itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

import numpy as np
import pandas as pd

from movers.core import paths
from movers.core.errors import InputError, require_columns
from movers.pages.tables import Table, coef_cell, coefficients, flag_unconverged, fmt_number, marked_cell, observations, stars

COEF_COLUMNS = ["table", "title", "row", "column", "estimate", "se", "stars", "n_obs"]
DESC_COLUMNS = ["table", "title", "row", "column", "value", "stars"]


def decimals(text) -> int:
    """Decimal places of a number as the report printed it ("415.3" -> 1, "-0.028" -> 3, "94863" -> 0)."""
    text = str(text).strip()
    return len(text.split(".", 1)[1]) if "." in text and text.lower() != "nan" else 0


@cache
def _read(name: str) -> pd.DataFrame:
    """A reference file, numbers as numbers, with the decimals each figure was printed with (``digits`` of the
    estimate or value, ``se_digits``): published figures are shown at their own precision, never padded."""
    path = paths.REFERENCE / name
    if not path.exists():
        raise InputError(path, "published reference figures are missing")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    require_columns(df, COEF_COLUMNS if "coefficients" in name else DESC_COLUMNS, path)
    first = "estimate" if "estimate" in df.columns else "value"
    df["digits"] = df[first].map(decimals)
    if "se" in df.columns:
        df["se_digits"] = df["se"].map(decimals)
    for col in ("estimate", "se", "value", "n_obs"):
        if col in df.columns:
            df[col] = pd.to_numeric(df[col].str.replace(",", ""), errors="coerce")
    return df


def published_cell(estimate: float, se: float | None, stars_: str = "", digits: int = 3, se_digits: int | None = None) -> str:
    """A published coefficient as the report prints it: its own decimals, its stars, the SE in parentheses."""
    return marked_cell(estimate, se, stars_, digits, se_digits)


def published(table: int | str) -> pd.DataFrame:
    """Published coefficients of one report table: row, column, estimate, se, stars, n_obs, and the decimals
    the report printed (digits, se_digits)."""
    df = _read("published_coefficients.csv")
    out = df[df["table"] == str(table)].drop(columns=["table"]).reset_index(drop=True)
    if out.empty:
        raise InputError(paths.REFERENCE / "published_coefficients.csv", f"no published coefficients for table {table}")
    return out


def published_descriptives(table: int | str) -> pd.DataFrame:
    """Published descriptive table as a row x column DataFrame of numbers (stars dropped)."""
    df = _read("published_descriptives.csv")
    sub = df[df["table"] == str(table)]
    if sub.empty:
        raise InputError(paths.REFERENCE / "published_descriptives.csv", f"no published descriptives for table {table}")
    wide = sub.pivot_table(index="row", columns="column", values="value", aggfunc="first", sort=False)
    return wide.loc[list(dict.fromkeys(sub["row"])), list(dict.fromkeys(sub["column"]))]


def published_decimals(table: int | str) -> dict[str, int]:
    """The most decimals the report printed in each column of a descriptive table: its figures are shown so."""
    df = _read("published_descriptives.csv")
    return df[df["table"] == str(table)].groupby("column")["digits"].max().astype(int).to_dict()


def published_title(table: int | str) -> str:
    """The report's title of a table (coefficients or descriptives)."""
    for name in ("published_coefficients.csv", "published_descriptives.csv"):
        df = _read(name)
        hit = df.loc[df["table"] == str(table), "title"]
        if len(hit):
            return str(hit.iloc[0])
    raise InputError(paths.REFERENCE, f"table {table} is not among the published figures")


def side_by_side(
    models: Mapping[str, pd.DataFrame],
    table: int | str | None,
    truth: Mapping | None = None,
    row_map: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Long table of estimate, SE, published estimate and SE, and truth, per (row, model).

    ``models`` are coefficient frames keyed by the published column name
    ("Model 1"...). ``row_map`` maps our row labels to the report's where they
    differ. ``truth`` maps a row label, or a (row, model) pair, to the value
    that generated the synthetic data; ``z_truth`` is (estimate - truth) / se.
    """
    pub = published(table) if table is not None else pd.DataFrame(columns=COEF_COLUMNS)
    pub_idx = {
        (r["row"], r["column"]): (r["estimate"], r["se"], r["stars"], r["digits"], r["se_digits"]) for _, r in pub.iterrows()
    }
    recs = []
    for model, frame in models.items():
        for row, vals in coefficients(frame).iterrows():
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
    out = pd.DataFrame.from_records(
        recs,
        columns=[
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
        ],
    )
    out["z_truth"] = (out["estimate"] - out["truth"]) / out["se"]
    return out


def numbers(long: pd.DataFrame, nobs: Mapping | None = None, table: int | str | None = None) -> pd.DataFrame:
    """The numbers behind a comparison table, for its CSV download: per model and row the estimate, SE,
    p-value and stars, the published estimate, SE and stars, the true value where known, and the observations
    (ours from ``nobs`` by model, the report's from ``table``), each in a column of its own."""
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


def coverage(long: pd.DataFrame) -> int:
    """How many published coefficients stand beside a reproduced one in a ``side_by_side`` frame."""
    return int((np.isfinite(long["published"]) & np.isfinite(long["estimate"])).sum())


AGREEMENT_KEYS = ("n", "mae", "corr", "sign", "within_combined", "within_published")


def agreement(long: pd.DataFrame) -> dict:
    """How close estimates are to the published coefficients they stand beside (a ``side_by_side`` frame, or
    any frame with estimate, se, published, published_se): the one measure of agreement of the book.

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
    rows ("All"), one row each, columns labelled for a table (``AGREEMENT_LABELS``)."""
    by = [by] if isinstance(by, str) else list(by)
    rows = {key: agreement(g) for key, g in long.groupby(by if len(by) > 1 else by[0], sort=False)}
    rows[("All",) * len(by) if len(by) > 1 else "All"] = agreement(long)
    out = pd.DataFrame.from_dict(rows, orient="index")[list(AGREEMENT_KEYS)].rename(columns=AGREEMENT_LABELS)
    out.index = pd.MultiIndex.from_tuples(out.index, names=by) if len(by) > 1 else out.index.rename(by[0])
    return out


def published_printed(table: int | str) -> pd.DataFrame:
    """A published descriptive table as the report printed it: each figure at its own decimals, with its stars (text)."""
    df = _read("published_descriptives.csv")
    sub = df[df["table"] == str(table)].assign(
        printed=lambda d: [
            f"{v:,.{int(k)}f}{s}" if np.isfinite(v) else "" for v, k, s in zip(d["value"], d["digits"], d["stars"])
        ]
    )
    wide = sub.pivot_table(index="row", columns="column", values="printed", aggfunc="first", sort=False)
    return wide.loc[list(dict.fromkeys(sub["row"])), list(dict.fromkeys(sub["column"]))]


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


__all__ = [
    "published",
    "published_descriptives",
    "published_decimals",
    "published_cell",
    "published_title",
    "side_by_side",
    "comparison_table",
    "model_comparison",
    "coverage",
    "agreement",
    "agreement_by",
    "descriptive_comparison",
    "outliers",
    "stars",
]
