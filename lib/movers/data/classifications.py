"""The occupational classifications the report relies on (its Annex Tables 0.1-0.3), read from
``data/classifications`` so the book prints them from data rather than typed markdown."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from movers.core import paths
from movers.core.errors import InputError, require_columns

FILES = {
    "nssec": ("nssec.csv", ["code", "eight_class", "five_class", "three_class"]),
    "soc2010": ("soc2010_major_groups.csv", ["major_group", "title"]),
    "social_class": ("social_class.csv", ["six_group", "three_group"]),
}


def load(name: str, folder: Path | None = None) -> pd.DataFrame:
    """Read one classification table, checking its columns; empty cells mean 'same group as above'."""
    if name not in FILES:
        raise InputError(None, f"unknown classification {name!r}; known: {', '.join(FILES)}")
    fname, cols = FILES[name]
    path = Path(folder or paths.CLASSIFICATIONS) / fname
    if not path.exists():
        raise InputError(path, "classification file not found")
    df = pd.read_csv(path, dtype=str).fillna("")
    require_columns(df, cols, path)
    if df.empty:
        raise InputError(path, "classification file has no rows")
    return df


def nssec_collapse(codes: pd.Series, to: str = "three_class") -> pd.Series:
    """Map eight-class NS-SEC codes (1-8, or 1.1/1.2) to the five- or three-class labels of Table 0.1."""
    table = load("nssec")
    filled = table.copy()
    for col in ("five_class", "three_class"):
        filled[col] = filled[col].replace("", pd.NA).ffill()
    mapping = dict(zip(filled["code"], filled[to]))
    mapping.update({c.split(".")[0]: mapping[c] for c in list(mapping) if "." in c and c.split(".")[0] not in mapping})
    out = codes.astype(str).str.replace(r"\.0$", "", regex=True).map(mapping)
    bad = codes[out.isna() & codes.notna()]
    if len(bad):
        raise InputError(
            paths.CLASSIFICATIONS / FILES["nssec"][0], f"unknown NS-SEC code(s): {', '.join(map(str, bad.unique()[:5]))}"
        )
    return out
