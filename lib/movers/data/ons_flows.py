"""ONS internal migration "detailed estimates" (OutLA, InLA, Age, Sex, Moves) and 2011 Census OD tables by group.

The ONS publishes, for each year ending June, one CSV per dataset
(``Detailed_Estimates_YYYY_Dataset_1.csv``: moves between local authorities of
England and Wales by sex and single year of age, non-zero rows only). The
synthetic world writes the same files, so this loader serves both.

``pair_year_totals`` adds the zeros back where the analysis needs the full
matrix (see ``movers.flows``): the published files cannot say whether a
missing pair is a true zero, which is why the report could only fit non-zero flows.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from movers.data.geography import check_codes
from movers.errors import InputError, require_columns

DETAILED_COLUMNS = ["OutLA", "InLA", "Age", "Sex", "Moves"]
DETAILED_PATTERN = re.compile(r"Detailed_Estimates_(\d{4})_Dataset_1\.csv$")
YEAR_RANGE = (2001, 2030)
CENSUS_ORIGIN = "Area of usual residence one year ago code"
CENSUS_DEST = "Area of usual residence code"


def available_years(folder) -> list[int]:
    """Years with a detailed-estimates file in ``folder``."""
    return sorted(int(m.group(1)) for p in Path(folder).glob("Detailed_Estimates_*_Dataset_1.csv") if (m := DETAILED_PATTERN.search(p.name)))


def read_detailed_file(path, known=None, ew_only: bool = True) -> pd.DataFrame:
    """One year's detailed estimates, checked: columns, LA codes, ages 0-90, sex M/F, non-negative moves.

    ``ew_only`` drops moves to or from Scotland and Northern Ireland, which are
    not broken down by authority (report footnote 14).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "detailed estimates file not found")
    m = DETAILED_PATTERN.search(path.name)
    if not m:
        raise InputError(path, "file name must be Detailed_Estimates_YYYY_Dataset_1.csv (the year is read from it)")
    year = int(m.group(1))
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise InputError(path, f"year {year} out of range {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
    try:
        df = pd.read_csv(path, dtype={"OutLA": str, "InLA": str, "Sex": str}, engine="c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(path, f"cannot parse CSV ({exc})") from exc
    require_columns(df, DETAILED_COLUMNS, path)
    if ew_only:
        ew = {c for c in pd.unique(pd.concat([df["OutLA"], df["InLA"]])) if isinstance(c, str) and c[:1] in ("E", "W")}
        keep = df["OutLA"].isin(ew) & df["InLA"].isin(ew)
        if not keep.all():
            df = df[keep]
    check_codes(df["OutLA"], path, known, "OutLA")
    check_codes(df["InLA"], path, known, "InLA")
    moves = pd.to_numeric(df["Moves"], errors="coerce")
    if moves.isna().any():
        raise InputError(path, "non-numeric Moves")
    if (moves < 0).any():
        raise InputError(path, f"negative Moves in {int((moves < 0).sum())} row(s)")
    age = pd.to_numeric(df["Age"], errors="coerce")
    if age.isna().any() or (age < 0).any() or (age > 90).any():
        raise InputError(path, "Age must be 0-90 (90 = 90 and over)")
    if not set(df["Sex"].unique()) <= {"M", "F"}:
        raise InputError(path, f"Sex must be M or F, found {', '.join(sorted(set(df['Sex'].unique()) - {'M', 'F'}))}")
    return pd.DataFrame({"year": year, "origin": df["OutLA"].to_numpy(), "destination": df["InLA"].to_numpy(), "age": age.astype(int).to_numpy(), "sex": df["Sex"].to_numpy(), "moves": moves.to_numpy()})


def read_detailed(folder, years, known=None) -> pd.DataFrame:
    """Detailed estimates of several years: year, origin, destination, age, sex, moves."""
    folder = Path(folder)
    years = list(years)
    if not years:
        raise InputError("parameter 'years'", "the year range is empty")
    have = available_years(folder)
    missing = [y for y in years if y not in have]
    if missing:
        raise InputError(folder, f"no detailed estimates for year(s) {', '.join(map(str, missing))}; available: {', '.join(map(str, have)) or 'none'}")
    return pd.concat([read_detailed_file(folder / f"Detailed_Estimates_{y}_Dataset_1.csv", known) for y in years], ignore_index=True)


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
    df = pd.read_csv(path, dtype={CENSUS_ORIGIN: str, CENSUS_DEST: str})
    total = f"{group_prefix}All categories"
    require_columns(df, [CENSUS_ORIGIN, CENSUS_DEST, total], path)
    groups = [c for c in df.columns if c.startswith(group_prefix) and c != total]
    if not groups:
        raise InputError(path, f"no '{group_prefix}...' group columns")
    check_codes(df[CENSUS_ORIGIN], path, known, "origin")
    check_codes(df[CENSUS_DEST], path, known, "destination")
    vals = df[groups + [total]].apply(pd.to_numeric, errors="coerce")
    if vals.isna().any().any():
        raise InputError(path, "non-numeric counts")
    if (vals < 0).any().any():
        raise InputError(path, "negative counts")
    if (vals[groups].sum(axis=1) != vals[total]).any():
        raise InputError(path, f"groups do not add up to '{total}'")
    long = pd.concat([df[[CENSUS_ORIGIN, CENSUS_DEST]], vals[groups]], axis=1).melt(id_vars=[CENSUS_ORIGIN, CENSUS_DEST], var_name="group", value_name="moves")
    long["group"] = long["group"].str[len(group_prefix):]
    return long.rename(columns={CENSUS_ORIGIN: "origin", CENSUS_DEST: "destination"})
