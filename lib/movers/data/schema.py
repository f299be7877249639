"""Declared layouts of the files the loaders read, and the one function that checks a table against them.

Why declarations: a layout written once (columns, types, code patterns, ranges,
allowed values, keys) is both the documentation of a file and its check, so
the loaders cannot drift from what the book says they accept. Each loader
reads its file, calls :func:`check` with the file's :class:`Layout` and gets
back the columns converted to their types, or one
``InputError(file, problem)`` naming the first problem found.

Also here, because several loaders need them:

* the local-authority code patterns and :func:`la_codes`, which checks a
  column of LA codes against the geography's authorities and maps codes of
  another vintage (LA reorganisations of 2013, 2019, 2020, 2021, 2023) with the
  ONS-derived code-harmonisation table when it is present, or rejects them
  with one message naming every unmatched code;
* :func:`validate_yaml`, which checks the variable dictionaries and
  ``data/datasets.yml`` against the JSON schemas in ``data/schemas/``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd

from movers.core import config as yamlfile, paths
from movers.core.errors import InputError, found_names
from movers.data import codes as lacodes

# --------------------------------------------------------------------------- LA codes

LA_CODE = re.compile(r"^[EW]0[6-9]\d{6}$")  # district-level GSS codes of England (E06-E09) and Wales (W06)
DROPPED_COUNTRIES = re.compile(r"^[SN]\d{8}$")  # Scotland and Northern Ireland: dropped on purpose (report footnote 14)
SCHEMAS = paths.DATA / "schemas"

# LA reorganisations in England since 2012, as published by ONS (code history database):
# (year the new code took effect, new code, codes it replaced). A one-to-one row is a recode.
LA_CHANGES = (
    (2013, "E06000057", ("E06000048",)),  # Northumberland
    (2013, "E08000037", ("E08000020",)),  # Gateshead
    (2013, "E07000240", ("E07000100",)),  # St Albans
    (2013, "E07000241", ("E07000104",)),  # Welwyn Hatfield
    (2013, "E07000242", ("E07000097",)),  # East Hertfordshire
    (2013, "E07000243", ("E07000101",)),  # Stevenage
    (2019, "E06000058", ("E06000028", "E06000029", "E07000048")),  # Bournemouth, Christchurch and Poole
    (2019, "E06000059", ("E07000049", "E07000050", "E07000051", "E07000052", "E07000053")),  # Dorset
    (2019, "E07000244", ("E07000205", "E07000206")),  # East Suffolk
    (2019, "E07000245", ("E07000201", "E07000204")),  # West Suffolk
    (2019, "E07000246", ("E07000190", "E07000191")),  # Somerset West and Taunton
    (2020, "E06000060", ("E07000004", "E07000005", "E07000006", "E07000007")),  # Buckinghamshire
    (2021, "E06000061", ("E07000150", "E07000152", "E07000153", "E07000156")),  # North Northamptonshire
    (2021, "E06000062", ("E07000151", "E07000154", "E07000155")),  # West Northamptonshire
    (2023, "E06000063", ("E07000026", "E07000028", "E07000029")),  # Cumberland
    (2023, "E06000064", ("E07000027", "E07000030", "E07000031")),  # Westmorland and Furness
    (
        2023,
        "E06000065",
        ("E07000163", "E07000164", "E07000165", "E07000166", "E07000167", "E07000168", "E07000169"),
    ),  # North Yorkshire
    (2023, "E06000066", ("E07000187", "E07000188", "E07000189", "E07000246")),  # Somerset
)


def vintage_codes(base: set[str], vintage: int, base_vintage: int = 2014) -> set[str]:
    """The LA code set of ``vintage``, from a code set ``base`` of ``base_vintage`` and the declared changes."""
    codes = set(base)
    for year, new, old in LA_CHANGES:
        if base_vintage < year <= vintage:
            codes = (codes - set(old)) | {new}
        elif vintage < year <= base_vintage:
            codes = (codes - {new}) | set(old)
    return codes


def _created(code: str) -> str:
    """'created 2019 from E06000028, ...' for a code the declared changes introduced, else ''."""
    for year, new, old in LA_CHANGES:
        if new == code:
            return f"created {year} from {', '.join(old)}"
        if code in old:
            return f"abolished {year}, now part of {new}"
    return ""


def la_codes(codes: pd.Series, path, known=None, what: str = "LA", table: dict | None | bool = True) -> pd.Series:
    """Check a column of LA codes and return it, with codes of another vintage mapped onto ``known``.

    Malformed codes are rejected (lower-case ones with their own message: ONS
    codes are upper case and a lower-case code must not pass for another
    country's). Codes outside ``known`` (the geography's authorities) are
    mapped when the harmonisation table puts them in the same unit as exactly
    one known authority (a recode); merged or new authorities cannot be split
    onto an older geography, so they are rejected, all named in one message.
    ``table``: True = look for the harmonisation table, None/False = don't map, or the mapping itself.
    Only distinct codes are examined (a flows file has a million rows and a few hundred codes).
    """
    blank = _blank(codes.astype(object))
    if blank.any():  # a blank code is no authority at all (pandas keeps it as NaN even through astype(str))
        first = int(np.flatnonzero(blank.to_numpy())[0])
        raise InputError(path, f"{what} code missing in {int(blank.sum())} row(s) (first in row {first + 2})")
    uniq = pd.Series(pd.unique(codes.astype(str)), dtype=str)
    lower = uniq[uniq.str.upper().str.match(LA_CODE) & ~uniq.str.match(LA_CODE)]
    if len(lower):
        raise InputError(
            path, f"{what} code(s) in lower case: {', '.join(sorted(lower)[:5])} (ONS codes are upper case; fix the file)"
        )
    bad = uniq[~uniq.str.match(LA_CODE)]
    if len(bad):
        # quote only what was meant as a code (a letter first); numbers in a code column are another column's
        # values (a column lost or moved), counted but not shown
        shaped = sorted(b for b in set(bad) if b[:1].isalpha())
        others = len(set(bad)) - len(shaped)
        note = f"{others} distinct value(s) that are not codes at all (is a column missing or moved?)" if others else ""
        raise InputError(path, f"malformed {what} code(s): {'; '.join(x for x in (', '.join(shaped[:5]), note) if x)}")
    if known is None:
        return codes
    known = set(known)
    unknown = sorted(set(uniq) - known)
    if not unknown:
        return codes
    mapping = (lacodes.harmonisation("shared").units or None) if table is True else (table or None)
    if mapping is None:
        notes = [f"{c} ({_created(c)})" if _created(c) else c for c in unknown[:8]]
        raise InputError(
            path,
            f"unknown {what} code(s) not in the geography: {', '.join(notes)}"
            + (" ..." if len(unknown) > 8 else "")
            + "; a file on another LA vintage needs the code-harmonisation table "
            f"({lacodes.TABLE}) to be mapped",
        )
    mapped, why = lacodes.Harmonisation(mapping).onto(unknown, known)
    unmatched = [f"{c} ({why[c]}{'; ' + _created(c) if _created(c) else ''})" for c in unknown if c in why]
    if unmatched:
        raise InputError(
            path,
            f"{len(unmatched)} unknown {what} code(s) not in the geography and not mappable from another LA vintage: {'; '.join(unmatched[:8])}"
            + (" ..." if len(unmatched) > 8 else ""),
        )
    clash = sorted(set(mapped.values()) & set(uniq))
    if clash:
        raise InputError(
            path,
            f"{what} code(s) of two vintages for the same authority: {', '.join(f'{o} and {mapped[o]}' for o in mapped if mapped[o] in clash)}",
        )
    return codes.replace(mapped)


# --------------------------------------------------------------------------- reading


def read_csv(path, what: str = "file", **kw) -> pd.DataFrame:
    """``pd.read_csv`` with every way a file can be unreadable (not UTF-8 text, e.g. saved as UTF-16 by a
    spreadsheet; a broken quote; empty; a folder) turned into one ``InputError`` naming the file, and so are
    lines holding more values than the header names (pandas would quietly make the first one an index)."""
    path = Path(path)
    try:
        df = pd.read_csv(path, **kw)
    except UnicodeDecodeError as exc:
        raise InputError(
            path, f"{what} is not UTF-8 text ({exc.reason} at byte {exc.start}); save it again as CSV in UTF-8"
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError, ValueError) as exc:
        raise InputError(path, f"cannot read {what} as CSV ({type(exc).__name__}: {exc})") from None
    if "index_col" not in kw and not isinstance(df.index, pd.RangeIndex):
        # pandas quietly takes a first value the header does not name as the rows' index
        raise InputError(
            path,
            f"{what}: its lines hold more values than the header has names (a value added to each line, or a "
            "column's name lost): the columns would be read under the wrong names",
        )
    return df


# --------------------------------------------------------------------------- layouts


@dataclass(frozen=True)
class Field:
    """One column of a file layout.

    ``kind``: "int", "float", "str" or "code" (an LA code, checked by :func:`la_codes`).
    ``low``/``high``: inclusive range of numbers; ``allowed``: the only values
    permitted; ``pattern``: a regular expression every text value matches;
    ``nullable``: whether blanks (and values below ``missing_below`` of a
    microdata layout) are allowed and become missing.
    """

    name: str
    kind: str = "str"
    low: float | None = None
    high: float | None = None
    allowed: tuple | None = None
    pattern: str | None = None
    nullable: bool = False
    label: str | None = None  # the name used in messages, when not the column's
    description: str = ""

    @property
    def shown(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class Layout:
    """A file layout: its fields, the key that must be unique, and the file-name pattern."""

    name: str
    fields: tuple[Field, ...]
    key: tuple[str, ...] = ()
    file_pattern: str | None = None
    description: str = ""
    missing_below: float | None = None  # microdata: numeric codes below this are "missing" codes
    private: bool = False  # microdata of persons: messages name the variable, rule and count, never a value
    complete: tuple[str, ...] = ()  # columns whose every combination must be present (a balanced table: a cut file is not)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]


def describe(layout: Layout) -> pd.DataFrame:
    """The layout as a table a reader can check a file against: column, type, rule, and whether it is in the key
    (the same declarations :func:`check` enforces, so the documentation and the checks cannot differ)."""
    rows = []
    for f in layout.fields:
        rule = [
            f"one of {_shown_values(f.allowed, 30)}" if f.allowed is not None else "",
            _range_text(f) if f.low is not None or f.high is not None else "",
            f"matches {f.pattern}" if f.pattern else "",
            "LA code (E06-E09, W06)" if f.kind == "code" else "",
            "may be blank" if f.nullable else "",
        ]
        rows.append(
            {
                "column": f.name,
                "type": f.kind,
                "rule": "; ".join(r for r in rule if r),
                "key": f.name in layout.key,
                "every combination": f.name in layout.complete,
                "description": f.description,
            }
        )
    return pd.DataFrame(rows)


def _shown_values(values, n: int = 5) -> str:
    vals = []
    for v in list(values)[:n]:
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            v = int(v)
        vals.append(str(v))
    return ", ".join(vals)


def _blank(col: pd.Series) -> pd.Series:
    if col.dtype == object:
        s = col.astype(str).str.strip()
        return col.isna() | s.isin(["", "nan", "NaN", "."])
    return col.isna()


def _range_text(f: Field) -> str:
    if f.low is not None and f.high is not None:
        return f"{_shown_values([f.low])}-{_shown_values([f.high])}"
    return f"at least {_shown_values([f.low])}" if f.low is not None else f"at most {_shown_values([f.high])}"


def _found(values, private: bool) -> str:
    """', found 99, 120' or, for microdata (``private``), nothing: a person's values never reach a message."""
    return "" if private else f", found {_shown_values(values)}"


def _check_number(col: pd.Series, f: Field, path, missing_below, private: bool = False) -> pd.Series:
    v = (
        col
        if pd.api.types.is_numeric_dtype(col) and col.dtype != bool
        else pd.to_numeric(col.astype(str).str.strip() if col.dtype == object else col, errors="coerce")
    )
    blank = _blank(col)
    bad = v.isna() & ~blank
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        shown = "" if private else f" {col[bad].astype(str).iloc[0]!r}"
        raise InputError(path, f"{f.shown} is not numeric in {int(bad.sum())} row(s){shown} (first in row {first + 2})")
    if missing_below is not None and f.nullable:
        v = v.where(~(v < missing_below))
    if v.isna().any() and not f.nullable:
        first = int(np.flatnonzero(v.isna().to_numpy())[0])
        raise InputError(path, f"{f.shown} has missing values in {int(v.isna().sum())} row(s) (first in row {first + 2})")
    ok = v.dropna()
    if f.kind == "int" and len(ok) and not np.all(np.mod(ok.to_numpy(dtype=float), 1) == 0):
        frac = ok[np.mod(ok, 1) != 0]
        raise InputError(path, f"{f.shown} must hold whole numbers ({len(frac)} row(s) do not{_found(frac.unique(), private)})")
    if f.allowed is not None:
        out = ok[~ok.isin(f.allowed)]
        if len(out):
            raise InputError(
                path,
                f"{f.shown} must be one of the declared values {_shown_values(f.allowed, 20)}: {len(out)} row(s) outside them{_found(sorted(out.unique()), private)}",
            )
    if f.low == 0 and (ok < 0).any():  # a count or share below zero: said as such
        raise InputError(path, f"negative {f.shown} in {int((ok < 0).sum())} row(s){_found(ok[ok < 0].unique(), private)}")
    low = ok < f.low if f.low is not None else pd.Series(False, index=ok.index)
    high = ok > f.high if f.high is not None else pd.Series(False, index=ok.index)
    if (low | high).any():
        raise InputError(
            path,
            f"{f.shown} must be {_range_text(f)}: {int((low | high).sum())} row(s) out of range{_found(sorted(ok[low | high].unique()), private)}",
        )
    return v


def _check_text(col: pd.Series, f: Field, path, private: bool = False, missing_below=None) -> pd.Series:
    blank = _blank(col)
    if missing_below is not None and f.nullable:  # a microdata missing code (-9...) in a text variable
        blank = blank | (pd.to_numeric(col.astype(str).str.strip(), errors="coerce") < missing_below)
    if blank.any() and not f.nullable:
        first = int(np.flatnonzero(blank.to_numpy())[0])
        raise InputError(path, f"{f.shown} has missing values in {int(blank.sum())} row(s) (first in row {first + 2})")
    s = col.astype(str).str.strip().where(~blank)
    uniq = pd.Series(pd.unique(s.dropna()), dtype=str)
    if f.allowed is not None:
        out = sorted(set(uniq) - set(map(str, f.allowed)))
        if out:
            n = int(s.isin(out).sum())
            raise InputError(
                path, f"{f.shown} must be one of {', '.join(map(str, f.allowed))}: {n} row(s) outside them{_found(out, private)}"
            )
    if f.pattern is not None:
        out = sorted(set(uniq[~uniq.str.match(f.pattern)]))
        if out:
            n = int(s.isin(out).sum())
            raise InputError(path, f"malformed {f.shown}: {n} row(s) do not match {f.pattern}{_found(out, private)}")
    return s


def check(df: pd.DataFrame, layout: Layout, path, known=None, present_only: bool = False) -> pd.DataFrame:
    """Check ``df`` against ``layout`` and return its declared columns converted to their types.

    Raises ``InputError(path, problem)`` for the first problem: a missing column,
    a non-numeric value, a value out of range or outside the allowed values, a
    malformed (or lower-case) LA code, a code outside ``known``, a duplicated key.
    LA codes of another vintage are mapped (see :func:`la_codes`). Messages name
    the column, the rule and the number of rows; for a microdata layout
    (``layout.private``) they never show a value or identifier of a person.
    ``present_only`` checks only the declared columns the table has (for files whose layout varies).
    """
    fields = [f for f in layout.fields if not present_only or f.name in df.columns]
    missing = [f.name for f in fields if f.name not in df.columns]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}; {found_names(df.columns)} ({layout.name} layout)")
    out = pd.DataFrame(index=df.index)
    for f in fields:
        col = df[f.name]
        if f.kind in ("int", "float"):
            out[f.name] = _check_number(col, f, path, layout.missing_below, layout.private)
        elif f.kind == "code":
            out[f.name] = la_codes(col.astype(str), path, known, f.shown)
        else:
            out[f.name] = _check_text(col, f, path, layout.private, layout.missing_below)
    if layout.key:
        dup = out.duplicated(list(layout.key), keep=False)
        if dup.any():
            names = " x ".join(layout.field(k).shown for k in layout.key)
            example = ""
            if not layout.private:
                first = out.loc[dup, list(layout.key)].iloc[0]
                example = "; e.g. " + ", ".join(f"{layout.field(k).shown}={_shown_values([v])}" for k, v in first.items())
            raise InputError(
                path,
                f"duplicated key: {names} is not unique, {int(dup.sum())} row(s) share a value{example} (a duplicated row would be counted twice)",
            )
    if layout.complete:
        check_complete(out, layout, path, known)
    return out


def check_complete(out: pd.DataFrame, layout: Layout, path, known=None) -> None:
    """Every combination of the values of ``layout.complete`` present (an LA code column ranging over ``known``,
    for the countries the file covers, when given): a balanced table cut short, or with rows deleted, is not."""
    cols = list(layout.complete)
    levels = []
    for c in cols:
        have = pd.unique(out[c].dropna())
        if layout.field(c).allowed is not None:
            have = list(layout.field(c).allowed)
        elif layout.field(c).kind == "code" and known is not None:
            countries = {str(v)[:1] for v in have}
            have = sorted(k for k in set(known) if k[:1] in countries)
        levels.append(have)
    full = pd.MultiIndex.from_product(levels, names=cols)
    missing = full.difference(pd.MultiIndex.from_frame(out[cols].dropna().drop_duplicates()))
    if len(missing):
        names = " x ".join(layout.field(c).shown for c in cols)
        first = ", ".join(f"{layout.field(c).shown}={_shown_values([v])}" for c, v in zip(cols, missing[0]))
        raise InputError(
            path,
            f"incomplete file: {len(missing):,} of {len(full):,} combinations of {names} have no row (e.g. {first}); "
            "the file must hold every combination, so it was cut short or rows were deleted",
        )


def dropped_rows(df: pd.DataFrame, columns, path, total: str | None = None) -> tuple[pd.DataFrame, Dropped | None]:
    """Drop rows whose code in any of ``columns`` is a Scottish or Northern Irish area (``S...``/``N...``),
    returning the kept rows and a :class:`Dropped` record of what went (None when nothing did), with the
    sum of the column ``total`` over the dropped rows when given."""
    drop = np.zeros(len(df), dtype=bool)
    for c in columns:
        uniq = pd.Series(pd.unique(df[c].astype(str)), dtype=str)
        gone = set(uniq[uniq.str.match(DROPPED_COUNTRIES)])
        if gone:
            drop |= df[c].isin(gone).to_numpy()
    if not drop.any():
        return df, None
    gone = float(pd.to_numeric(df.loc[drop, total], errors="coerce").sum()) if total in df.columns else None
    return df[~drop], Dropped(
        str(path), int(drop.sum()), "moves to or from Scotland or Northern Ireland (not broken down by authority)", gone
    )


@dataclass(frozen=True)
class Dropped:
    """Rows a loader left out on purpose, so that nothing is lost silently: the file, how many rows, why,
    and the total of the file's count column over them (e.g. moves) where it has one."""

    file: str
    rows: int
    reason: str
    total: float | None = None

    def line(self) -> str:
        total = f" ({self.total:,.0f} in all)" if self.total is not None else ""
        return f"{self.file}: {self.rows:,} row(s){total} dropped on purpose: {self.reason}"


# --------------------------------------------------------------------------- the file layouts

DETAILED_ESTIMATES = Layout(
    "ONS internal migration detailed estimates",
    (
        Field(
            "OutLA",
            "code",
            description="local authority of origin (GSS code; S92000003 and N92000002 are Scotland and Northern Ireland)",
        ),
        Field("InLA", "code", description="local authority of destination"),
        Field("Age", "int", 0, 90, description="single year of age, 90 = 90 and over"),
        Field("Sex", "str", allowed=("M", "F")),
        Field(
            "Moves",
            "float",
            0,
            1_000_000,
            description="ONS's scaled estimate of moves (fractional in the real files; non-zero rows only); at most a "
            "million, more than any authority's residents, let alone one age and sex",
        ),
    ),
    key=("OutLA", "InLA", "Age", "Sex"),
    file_pattern=r"Detailed_Estimates_(\d{4})_Dataset_([12])\.csv$",
    description="One year ending June in two parts (Dataset_1, Dataset_2) with the same header; the parts together hold "
    "each origin x destination x age x sex once. The files declare no row count or total.",
)
DETAILED_PARTS = (1, 2)
DETAILED_YEARS = (2001, 2030)

CENSUS_OD = Layout(
    "2011 Census origin-destination by group (NOMIS bulk)",
    (
        Field("Area of usual residence one year ago code", "code", label="origin"),
        Field("Area of usual residence code", "code", label="destination"),
    ),
    key=("Area of usual residence one year ago code", "Area of usual residence code"),
    description="then one count column per group and an 'All categories' column equal to their sum",
)

YEAR = Field("DATE", "int", 1991, 2030, label="year")
NOMIS_API = Layout(
    "NOMIS API CSV",
    (
        YEAR,
        Field("GEOGRAPHY_CODE", "code", label="LA"),
        Field("VARIABLE_NAME", "str"),
        Field("OBS_VALUE", "float", 0, label="value"),
    ),
    key=("GEOGRAPHY_CODE", "DATE", "VARIABLE_NAME"),
    complete=("GEOGRAPHY_CODE", "DATE", "VARIABLE_NAME"),
)
MYEB1 = Layout(
    "ONS MYEB1 detailed population estimates",
    (Field("ladcode18", "code", label="LA"), Field("sex", "int", allowed=(1, 2)), Field("age", "int", 0, 90)),
    key=("ladcode18", "sex", "age"),
    complete=("ladcode18", "sex", "age"),
    description="then population_YYYY columns, one per year (non-negative counts)",
)
AREA_CLASSIFICATION = Layout(
    "ONS 2011 area classification for local authorities",
    (Field("Code", "code", label="LA"), Field("Name", "str"), Field("Supergroup Name", "str", label="supergroup")),
    key=("Code",),
    complete=("Code",),
)
SMI = Layout(
    "Social Mobility Index 2017",
    (Field("LA code", "code", label="LA"), Field("Overall rank", "int", 1, label="SMI rank")),
    key=("LA code",),
)
IMD_LA = Layout(
    "IMD 2010 local-authority summary",
    (Field("LA CODE", "code", label="LA"), Field("Rank of average score", "int", 1, label="IMD rank")),
    key=("LA CODE",),
)


def wide_layout(code_col: str) -> Layout:
    """An ONS spreadsheet with one row per LA (``code_col``) and one column per year."""
    return Layout(
        f"one row per LA ({code_col}), one column per year",
        (Field(code_col, "code", label="LA"),),
        key=(code_col,),
        complete=(code_col,),
    )


REGION_LOOKUP = Layout(
    "ONS LA-to-region lookup",
    (Field("la_code", "code", label="LA"), Field("region_code", "str", pattern=r"^[EW]\d{8}$"), Field("region_name", "str")),
    key=("la_code",),
)
BOUNDARIES = Layout("ONS LAD boundaries", (Field("la_code", "code", label="LA"), Field("la_name", "str")), key=("la_code",))


def microdata_layout(name: str, spec: dict, valid: dict, missing_below: float, text: set[str]) -> Layout:
    """The layout of one microdata file from its dictionary entry: every variable of ``spec['variables']``
    (analysis name -> file variable), with the declared values of ``valid`` (analysis name -> [low, high] or
    {values: [...]}) and the dictionary's key. Values below ``missing_below`` are missing codes (UKDS, LS)."""
    fields = []
    key = tuple(spec.get("key") or [k for k in ("pidp", "hidp") if k in spec["variables"]][:1])
    for a, var in spec["variables"].items():
        rule = valid.get(a)
        low = high = allowed = None
        if isinstance(rule, dict):
            allowed = tuple(rule["values"]) if "values" in rule else None
            low, high = rule.get("low"), rule.get("high")
        elif isinstance(rule, (list, tuple)):
            low, high = rule
        kind = "str" if a in text else "float"
        fields.append(Field(a, kind, low, high, allowed, nullable=a not in key, label=str(var)))
    return Layout(name, tuple(fields), key=key, missing_below=missing_below, private=True)


# --------------------------------------------------------------------------- YAML files against JSON schemas


def validate_yaml(path: str | Path, schema_name: str, data=None):
    """Read ``path`` (unless ``data`` is given) and check it against ``data/schemas/<schema_name>.schema.json``;
    every violation is reported in one InputError as ``where: problem`` lines."""
    path = Path(path)
    if data is None:
        data = yamlfile.read(path)
    schema = json.loads((SCHEMAS / f"{schema_name}.schema.json").read_text())
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in errors[:10]]
        raise InputError(
            path,
            f"does not match {schema_name}.schema.json: "
            + "; ".join(lines)
            + (f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""),
        )
    return data


__all__ = [
    "Field",
    "Layout",
    "Dropped",
    "check",
    "describe",
    "check_complete",
    "la_codes",
    "dropped_rows",
    "validate_yaml",
    "vintage_codes",
    "microdata_layout",
    "LA_CODE",
    "LA_CHANGES",
]
