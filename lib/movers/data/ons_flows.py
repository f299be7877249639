"""ONS internal migration "detailed estimates" (OutLA, InLA, Age, Sex, Moves) and 2011 Census OD tables by group.

The ONS publishes each year ending June as one table in two CSV parts,
``Detailed_Estimates_YYYY_Dataset_1.csv`` and ``..._Dataset_2.csv`` (the table
is too big for one file): moves between local authorities of England and
Wales, and to and from Scotland and Northern Ireland as whole countries, by
sex and single year of age, non-zero rows only. The loader reads both parts
of every year; the synthetic world writes the same two parts, so this loader
serves both. The layout is declared once in :mod:`movers.data.schema`
(``DETAILED_ESTIMATES``).

What the checks can and cannot see. The files declare no row count or total,
so a file cut at a line boundary is detected only through what must hold in
any complete year: both parts present, each ending with a complete line; no
origin x destination x age x sex key twice (a duplicated row would double
moves); and, given the geography, every authority sending and receiving moves
(a cut removes the last origins of a part, which no complete year lacks).
A cut that removes only part of the last origin's rows leaves a plausible
file and cannot be detected from the file alone.

``pair_year_totals`` adds the zeros back where the analysis needs the full
matrix (see ``movers.strands.flows.models``): the published files cannot say whether a
missing pair is a true zero, which is why the report could only fit non-zero flows.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd

from movers.core.errors import InputError
from movers.data import schema
from movers.data.schema import DETAILED_ESTIMATES, DETAILED_PARTS, DETAILED_YEARS, Dropped

DETAILED_PATTERN = re.compile(DETAILED_ESTIMATES.file_pattern)
YEAR_RANGE = DETAILED_YEARS
CENSUS_ORIGIN, CENSUS_DEST = schema.CENSUS_OD.columns
LOG = logging.getLogger("movers.data")


def detailed_name(year: int, part: int) -> str:
    """The ONS file name of one part of one year."""
    return f"Detailed_Estimates_{year}_Dataset_{part}.csv"


def available_years(folder) -> list[int]:
    """Years with at least one part of the detailed estimates in ``folder``."""
    return sorted(
        {
            int(m.group(1))
            for p in Path(folder).glob("Detailed_Estimates_*_Dataset_*.csv")
            if (m := DETAILED_PATTERN.search(p.name))
        }
    )


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return True
        fh.seek(-1, 2)
        return fh.read(1) in (b"\n", b"\r")


def read_part(path, known=None, ew_only: bool = True, year: int | None = None) -> tuple[pd.DataFrame, Dropped | None]:
    """One part file, checked against ``DETAILED_ESTIMATES``; returns the table and the rows dropped on purpose.

    ``ew_only`` drops moves to or from Scotland and Northern Ireland, which are
    not broken down by authority (report footnote 14); they are counted in the
    returned :class:`~movers.data.schema.Dropped`. Codes of another LA vintage
    are mapped onto ``known`` or rejected (see :func:`movers.data.schema.la_codes`).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "detailed estimates file not found")
    m = DETAILED_PATTERN.search(path.name)
    if year is None and not m:
        raise InputError(path, "file name must be Detailed_Estimates_YYYY_Dataset_N.csv (N = 1 or 2; the year is read from it)")
    year = int(m.group(1)) if year is None else int(year)  # ``year``: for a file under another name (a documented slice)
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise InputError(path, f"year {year} out of range {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
    df = schema.read_csv(path, "detailed estimates file", dtype={"OutLA": str, "InLA": str, "Sex": str}, engine="c")
    if not _ends_with_newline(path):
        raise InputError(path, "the last line is incomplete (no line end): the file was cut short; download it again")
    dropped = None
    if ew_only and {"OutLA", "InLA", "Moves"} <= set(df.columns):
        df, dropped = schema.dropped_rows(df, ["OutLA", "InLA"], path, total="Moves")
    d = schema.check(df, DETAILED_ESTIMATES, path, known)
    table = pd.DataFrame(
        {
            "year": year,
            "origin": d["OutLA"].to_numpy(),
            "destination": d["InLA"].to_numpy(),
            "age": d["Age"].astype(int).to_numpy(),
            "sex": d["Sex"].to_numpy(),
            "moves": d["Moves"].to_numpy(),
        }
    )
    return table, dropped


def read_detailed_file(path, known=None, ew_only: bool = True) -> pd.DataFrame:
    """One part file as year, origin, destination, age, sex, moves (see :func:`read_part`; the dropped rows are logged)."""
    table, dropped = read_part(path, known, ew_only)
    if dropped is not None:
        LOG.info(dropped.line())
    return table


def read_year(folder, year: int, known=None, report: list | None = None) -> pd.DataFrame:
    """Both parts of one year, checked as one table: no key twice across the parts, and (given ``known``)
    every authority of the geography sending and receiving moves."""
    folder = Path(folder)
    paths = [folder / detailed_name(year, part) for part in DETAILED_PARTS]
    for part, p in zip(DETAILED_PARTS, paths):
        if not p.exists():
            raise InputError(
                p,
                f"part {part} of the {year} detailed estimates is missing: ONS publishes every year in two parts "
                f"({', '.join(x.name for x in paths)}), and a year read without one part loses its moves; a synthetic world written before both parts existed is renewed by `python -m movers generate --only flows`",
            )
    frames = []
    for p in paths:
        table, dropped = read_part(p, known)
        frames.append(table)
        if dropped is not None:
            LOG.info(dropped.line())
            if report is not None:
                report.append(dropped)
    year_table = pd.concat(frames, ignore_index=True)
    where = f"{paths[0]} + {paths[1].name}"
    dup = year_table.duplicated(["origin", "destination", "age", "sex"], keep=False)
    if dup.any():
        r = year_table[dup].iloc[0]
        raise InputError(
            where,
            f"{int(dup.sum())} row(s) share a key across the two parts (OutLA={r['origin']}, InLA={r['destination']}, "
            f"Age={r['age']}, Sex={r['sex']}): each key must appear once, a duplicated row would be counted twice",
        )
    if known is not None:
        for col, what in (("origin", "send"), ("destination", "receive")):
            absent = sorted(set(known) - set(year_table[col]))
            if absent:
                raise InputError(
                    where,
                    f"{len(absent)} authorit{'y' if len(absent) == 1 else 'ies'} of the geography {what} no moves in {year} "
                    f"(e.g. {', '.join(absent[:5])}): every authority {what}s moves in a complete year, so a part was cut short or filtered",
                )
    return year_table


def read_detailed(folder, years, known=None, report: list | None = None) -> pd.DataFrame:
    """Detailed estimates of several years (both parts each): year, origin, destination, age, sex, moves.

    ``report``: a list that receives one :class:`~movers.data.schema.Dropped` per part with rows dropped on
    purpose (Scotland, Northern Ireland); each is also logged on the ``movers.data`` logger.
    """
    folder = Path(folder)
    years = list(years)
    if not years:
        raise InputError("parameter 'years'", "the year range is empty")
    have = available_years(folder)
    missing = [y for y in years if y not in have]
    if missing:
        raise InputError(
            folder,
            f"no detailed estimates for year(s) {', '.join(map(str, missing))}; available: {', '.join(map(str, have)) or 'none'}",
        )
    return pd.concat([read_year(folder, y, known, report) for y in years], ignore_index=True)


def pair_year_totals(detailed: pd.DataFrame, sex: str | None = None, ages: tuple[int, int] | None = None) -> pd.DataFrame:
    """Moves per origin, destination and year (summed over sex and age, or over the chosen sex / age band);
    moves within an authority are dropped."""
    d = detailed
    if sex is not None:
        d = d[d["sex"] == sex]
    if ages is not None:
        d = d[d["age"].between(*ages)]
    d = d[d["origin"] != d["destination"]]
    return d.groupby(["year", "origin", "destination"], as_index=False, sort=False)["moves"].sum()


def read_census_groups(path, group_prefix: str, known=None) -> pd.DataFrame:
    """A 2011 Census origin-destination table by group (NOMIS bulk layout) as long origin, destination, group, moves.

    ``group_prefix`` is the column family, e.g. "NS-SEC: " or "Ethnic group: "; the "All categories" column
    must equal the sum of the groups (a check that no column was lost).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "census origin-destination file not found")
    df = schema.read_csv(path, "census origin-destination file", dtype={CENSUS_ORIGIN: str, CENSUS_DEST: str})
    total = f"{group_prefix}All categories"
    groups = [c for c in df.columns if c.startswith(group_prefix) and c != total]
    layout = schema.Layout(
        schema.CENSUS_OD.name,
        schema.CENSUS_OD.fields + tuple(schema.Field(c, "int", 0, label=f"count '{c}'") for c in [*groups, total]),
        key=schema.CENSUS_OD.key,
    )
    if total in df.columns and not groups:
        raise InputError(path, f"no '{group_prefix}...' group columns")
    vals = schema.check(df, layout, path, known)
    if (vals[groups].sum(axis=1) != vals[total]).any():
        raise InputError(path, f"groups do not add up to '{total}'")
    long = vals.melt(id_vars=[CENSUS_ORIGIN, CENSUS_DEST], value_vars=groups, var_name="group", value_name="moves")
    long["group"] = long["group"].str[len(group_prefix) :]
    return long.rename(columns={CENSUS_ORIGIN: "origin", CENSUS_DEST: "destination"})
