"""ONS's current internal migration release: the *Internal migration in England and Wales* time series.

Why: ONS no longer updates the per-year "detailed estimates" page the report used; since 2024 every
year from the year ending June 2012 is published in the *Internal migration in England and Wales*
dataset, each year on the local-authority boundaries of the release (2021 and 2023 ones at the time
of writing), not on the boundaries of the year. The layout is the detailed estimates' (``OutLA``,
``InLA``, ``Age``, ``Sex``, ``Moves``, fractional moves, non-zero rows only), one sheet or one block
per year: a year column (``Year``, ``YearEnding`` ...) in a CSV, or a sheet per year whose name starts
with the year (``2022 on 2023 LAs``) in a workbook. The manifest marks the download unverified until
one is seen (``data/datasets.yml``: ``ons_internal_migration_timeseries``).

Common geography. The later boundaries merge authorities the report's 2011-2018 analysis keeps apart
(Dorset and Bournemouth-Christchurch-Poole and the Suffolk and Somerset mergers of 2019,
Buckinghamshire 2020, the two Northamptonshires 2021, Cumberland, Westmorland and Furness, North
Yorkshire and Somerset 2023). Moves between merged districts are not in a later-boundary file at
all, and a merged authority cannot be split back into its districts, so flows of different
vintages can only be compared on units that every vintage nests in: the coarsest of the codes'
successors. ``codes.common_units`` builds them from the project's harmonisation table
(``movers.data.codes``: every code live 2001-2020 to one of 334 units, which already merges the
2019-20 authorities, Cornwall with Scilly and Westminster with the City) and ``codes.LATER_MERGERS``, the
2021 and 2023 merges the table predates. ``harmonise`` puts a table on those units, adds up the
moves, and drops (and counts) the moves that the merge turns into moves within one unit: the report's
flows between, say, Corby and Kettering have no counterpart in a 2023-boundary file.

``write_detailed_parts`` writes a harmonised table as the two per-year parts the detailed-estimates
loader (``movers.data.ons_flows.read_year``) reads, so the analyses need no path of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from movers.core.errors import InputError, require_columns
from movers.data import codes as lacodes
from movers.data.ons_flows import detailed_name

COLUMNS = ["OutLA", "InLA", "Age", "Sex", "Moves"]
YEAR_COLUMNS = ("Year", "year", "YearEnding", "Year ending June", "year_ending")
SHEET_YEAR = re.compile(r"^\s*(?:YE\s*June\s*)?(20\d\d)\b")


def _clean(df: pd.DataFrame, path, year: int | None) -> pd.DataFrame:
    df = df.rename(columns={c: str(c).strip() for c in df.columns})
    lower = {c.lower(): c for c in df.columns}
    df = df.rename(columns={lower[c.lower()]: c for c in COLUMNS if c.lower() in lower})
    require_columns(df, COLUMNS, path)
    if year is None:
        ycol = next((c for c in YEAR_COLUMNS if c in df.columns), None)
        if ycol is None:
            raise InputError(path, f"no year column (one of {', '.join(YEAR_COLUMNS)}) and no year in the sheet name")
        years = pd.to_numeric(df[ycol].astype(str).str.extract(r"(20\d\d)")[0], errors="coerce")
    else:
        years = pd.Series(year, index=df.index)
    moves = pd.to_numeric(df["Moves"], errors="coerce")
    age = pd.to_numeric(df["Age"], errors="coerce")
    bad = years.isna() | moves.isna() | age.isna() | (moves < 0)
    if bad.any():
        r = df[bad].iloc[0]
        raise InputError(path, f"{int(bad.sum())} row(s) without a year, a numeric age or a non-negative Moves, e.g. {dict(r)}")
    sex = df["Sex"].astype(str).str.strip().str.upper().replace({"1": "M", "2": "F", "MALE": "M", "FEMALE": "F"})
    if not sex.isin(["M", "F"]).all():
        raise InputError(path, f"Sex must be M or F (or 1/2), found {sorted(set(sex) - {'M', 'F'})[:3]}")
    return pd.DataFrame(
        {
            "year": years.astype(int).to_numpy(),
            "origin": df["OutLA"].astype(str).str.strip().to_numpy(),
            "destination": df["InLA"].astype(str).str.strip().to_numpy(),
            "age": age.astype(int).to_numpy(),
            "sex": sex.to_numpy(),
            "moves": moves.astype(float).to_numpy(),
        }
    )


def read_timeseries(path, years: Iterable[int] | None = None) -> pd.DataFrame:
    """The time series as year, origin, destination, age, sex, moves (the detailed-estimates loader's table).

    ``path``: a CSV with a year column, or a workbook with one sheet per year (sheets whose names do not
    start with a year, such as notes and contents, are skipped). ``years`` keeps those years only."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "internal migration time series file not found")
    if path.suffix.lower() in (".xlsx", ".xls"):
        sheets = pd.read_excel(path, sheet_name=None, dtype={"OutLA": str, "InLA": str})
        frames = [_clean(df, f"{path} [{name}]", int(m.group(1))) for name, df in sheets.items() if (m := SHEET_YEAR.match(name))]
        if not frames:
            raise InputError(path, "no sheet named after a year (e.g. '2022 on 2023 LAs')")
        table = pd.concat(frames, ignore_index=True)
    else:
        table = _clean(pd.read_csv(path, dtype={"OutLA": str, "InLA": str, "Sex": str}), path, None)
    if years is not None:
        wanted = set(int(y) for y in years)
        missing = sorted(wanted - set(table["year"]))
        if missing:
            raise InputError(path, f"no moves for year(s) {', '.join(map(str, missing))}")
        table = table[table["year"].isin(wanted)].reset_index(drop=True)
    return table


def harmonise(table: pd.DataFrame, units: Mapping[str, str]) -> tuple[pd.DataFrame, dict]:
    """``table`` (year, origin, destination, age, sex, moves) on the common units: codes mapped, moves added
    up per key, moves within one unit dropped. Codes the map does not know (Scotland, Northern Ireland,
    a code of a later vintage) stay as they are. Returns the table and what was done: codes recoded,
    rows and moves dropped as within-unit."""
    o = table["origin"].map(lambda c: units.get(c, c))
    d = table["destination"].map(lambda c: units.get(c, c))
    inside = (o == d).to_numpy()
    out = (
        table.assign(origin=o, destination=d)[~inside]
        .groupby(["year", "origin", "destination", "age", "sex"], as_index=False)["moves"]
        .sum()
    )
    recoded = sorted({c for c in pd.concat([table["origin"], table["destination"]]).unique() if units.get(c, c) != c})
    done = {
        "codes_recoded": recoded,
        "rows_within_unit": int(inside.sum()),
        "moves_within_unit": float(table.loc[inside, "moves"].sum()),
    }
    return out, done


def write_detailed_parts(table: pd.DataFrame, folder, years: Iterable[int] | None = None) -> list[Path]:
    """Write each year of a (harmonised) table as ``Detailed_Estimates_YYYY_Dataset_1.csv`` and ``_2.csv``,
    split between two origins, so ``movers.data.ons_flows.read_year`` reads it as it reads ONS's own parts."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for year in sorted(set(table["year"]) if years is None else set(years)):
        t = table[table["year"] == year].sort_values(["origin", "destination", "sex", "age"])
        if t.empty:
            raise InputError(folder, f"no moves for {year} to write")
        origins = t["origin"].to_numpy()
        half = len(t) // 2
        later = np.flatnonzero(origins[half:] != origins[max(half - 1, 0)])
        cut = half + int(later[0]) if len(later) else len(t)
        out = pd.DataFrame(
            {"OutLA": t["origin"], "InLA": t["destination"], "Age": t["age"], "Sex": t["sex"], "Moves": t["moves"]}
        )
        for part, chunk in ((1, out.iloc[:cut]), (2, out.iloc[cut:])):
            p = folder / detailed_name(int(year), part)
            chunk.to_csv(p, index=False)
            written.append(p)
    return written


def read_harmonised(path, years: Iterable[int] | None = None, table: str | Path | None = None) -> tuple[pd.DataFrame, dict]:
    """The manifest's adapter: read the time series and put it on the common units of the harmonisation
    ``table`` (default: the shared ``lad_lad20x.csv``, ``movers.data.codes.TABLE``) and ``codes.LATER_MERGERS``."""
    h = lacodes.read_table(table) if table else lacodes.harmonisation("shared")
    return harmonise(read_timeseries(path, years), lacodes.common_units(h))


__all__ = [
    "read_timeseries",
    "harmonise",
    "write_detailed_parts",
    "read_harmonised",
]
