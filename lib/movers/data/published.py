"""The report's published figures, read from the transcriptions in ``data/reference``.

``published_coefficients.csv`` holds the regression tables and ``published_descriptives.csv`` the
descriptive ones. Each figure keeps the decimals the report printed it with (``digits``, ``se_digits``),
so pages can show it at its own precision; numbers are read as numbers.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from movers.core import paths
from movers.core.errors import InputError, require_columns

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
