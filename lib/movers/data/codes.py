"""Local-authority codes harmonised over 1991-2019, so a boundary change is not read as a move.

Why: the BHPS-UKHLS Special Licence gives each household's LA in the codes of the day. Across
1991-2019 those codes changed: old-style ONS codes (``00AA``, ``15UB``) gave way to GSS codes
(``E07000...``) in 2009, the 2009 reorganisation merged whole districts into unitary authorities
(Cornwall, Durham, Northumberland, Shropshire, Wiltshire, Bedford and Central Bedfordshire, the two
Cheshires) and the 2019-20 mergers did it again (Dorset, Bournemouth-Christchurch-Poole, Suffolk,
Somerset West and Taunton, Buckinghamshire). Someone who never moved would then carry two codes and
count as a mover. The harmonisation table of the shared public data (``lad_lad20x.csv``, built from
the ONS Code History Database: every LA code live in England or Wales since 2001, old-style and GSS,
mapped to one of 334 stable units) puts every code on one geography; mover status compares those
units. The LA codes themselves are kept for the geography's lookups (distance, region).

The dictionary's ``la_harmonisation`` names the table (``shared`` for the open-data copy: the table in the
folder of open files, ``paths.open_data_root``, which is the ``fetch`` cache ``data/public`` once it holds
anything, else ``../shared/data/public``);
``null`` keeps the codes as they are (the synthetic world never changes its codes); ``auto``, the default,
is ``shared`` on restricted runs and ``null`` otherwise (``resolve``). A table named
but absent falls back to the codes as they are, and says so through ``Harmonisation.applied``.

This module is the only reader and validator of the table (``read_table``) and the only place where an
older code is put on a later geography (``Harmonisation.onto``): the micro panels, the loaders' code
checks (``schema.la_codes``), the census and yearly open-data pipelines (``public.to_units``,
``open_yearly``) and the ONS time series (``ons_timeseries.common_units``) all go through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from movers.core import paths
from movers.core.errors import InputError, found_names

TABLE = Path("lad_code_harmonisation") / "lad_lad20x.csv"
DATASET = "lad_harmonisation_lad20x"  # its name in data/datasets.yml, for `python -m movers fetch`
FROM, TO = "LADCD", "LAD20XCD"
WHAT = "LA code harmonisation table"

# Authorities created after 2020 (the table's last year) -> the 2020 codes they merged.
LATER_MERGERS: dict[str, tuple[str, ...]] = {
    "E06000061": ("E07000150", "E07000152", "E07000153", "E07000156"),  # North Northamptonshire, 2021
    "E06000062": ("E07000151", "E07000154", "E07000155"),  # West Northamptonshire, 2021
    "E06000063": ("E07000026", "E07000028", "E07000029"),  # Cumberland, 2023
    "E06000064": ("E07000027", "E07000030", "E07000031"),  # Westmorland and Furness, 2023
    "E06000065": ("E07000163", "E07000164", "E07000165", "E07000166", "E07000167", "E07000168", "E07000169"),
    "E06000066": ("E07000187", "E07000188", "E07000189", "E07000246"),  # Somerset, 2023
}
# The 2021 Northamptonshire unitaries: the later units the open covariates of 2011-2018 may come on.
NORTHANTS_2021 = {k: LATER_MERGERS[k] for k in ("E06000061", "E06000062")}


@dataclass(frozen=True)
class Harmonisation:
    """A code -> stable unit map (empty when no table was applied) and where it came from."""

    units: Mapping[str, str]
    source: str = ""

    @property
    def applied(self) -> bool:
        return bool(self.units)

    def unit(self, codes: pd.Series) -> pd.Series:
        """The stable unit of each code; codes the table does not know (and missing values) stay as they are."""
        if not self.units:
            return codes.copy()
        return codes.map(lambda c: self.units.get(c, c) if isinstance(c, str) else c)

    def members(self, later: Mapping[str, tuple[str, ...]] | None = None) -> dict[str, list[str]]:
        """Each unit (sorted) and the codes the table maps to it, in the table's order; ``later``
        (``NORTHANTS_2021``) adds the authorities the table predates, each over its districts and itself."""
        out: dict[str, list[str]] = {}
        for code, unit in self.units.items():
            out.setdefault(unit, []).append(code)
        out = dict(sorted(out.items()))
        out.update({new: [*olds, new] for new, olds in (later or {}).items()})
        return out

    @classmethod
    def from_members(cls, members: Mapping[str, list[str]], source: str = "") -> Harmonisation:
        """The code -> unit map of ``members`` (a code listed under two units goes to the later one)."""
        return cls({code: unit for unit, codes in members.items() for code in codes}, source)

    def onto(self, codes, known) -> tuple[dict[str, str], dict[str, str]]:
        """Old codes put on a geography: each code of ``codes`` outside ``known`` whose unit holds exactly one
        authority of ``known`` maps to that authority (a recode: 2011 Gateshead onto its 2014 code). Returns
        that mapping and, for every other outside code, why it cannot be mapped (a merger cannot be split)."""
        known = set(known)
        by_unit: dict[str, list[str]] = {}
        for k in known:
            by_unit.setdefault(self.units.get(k, k), []).append(k)
        mapped, why = {}, {}
        for c in pd.unique(pd.Series(list(codes), dtype=object)):
            if c in known:
                continue
            targets = by_unit.get(self.units[c], []) if c in self.units else []
            if len(targets) == 1:
                mapped[c] = targets[0]
            else:
                why[c] = (
                    "not in the harmonisation table"
                    if c not in self.units
                    else f"covers {len(targets)} authorities of the geography"
                    if targets
                    else "no authority of the geography"
                )
        return mapped, why


def _read(path: Path) -> pd.DataFrame:
    """The table's rows, every way the file can be unreadable being one ``InputError`` naming it."""
    if not path.is_file():
        raise InputError(path, f"{WHAT} not found")
    try:
        df = pd.read_csv(path, dtype=str)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"{WHAT} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError, ValueError, EOFError) as exc:
        raise InputError(path, f"cannot read the {WHAT} as CSV ({type(exc).__name__}: {exc})") from None
    if not isinstance(df.index, pd.RangeIndex):
        raise InputError(path, f"{WHAT}: its lines hold more values than the header has names")
    return df


def read_table(path: str | Path) -> Harmonisation:
    """Read and check a harmonisation table (columns ``LADCD`` and ``LAD20XCD``; each code in one unit): the one
    reader of ``lad_lad20x.csv`` and of any table a dictionary names."""
    path = Path(path)
    table = _read(path)
    if not {FROM, TO} <= set(table.columns):
        raise InputError(path, f"{WHAT} needs columns {FROM} and {TO}; {found_names(table.columns)}")
    table = table.dropna(subset=[FROM, TO])
    if table.empty:
        raise InputError(path, f"{WHAT} has no rows with both {FROM} and {TO}")
    table = table.assign(**{FROM: table[FROM].str.strip(), TO: table[TO].str.strip()})
    clash = table.groupby(FROM)[TO].nunique()
    if (clash > 1).any():
        raise InputError(path, f"LA code(s) {', '.join(clash[clash > 1].index[:5])} map to more than one harmonised unit")
    return Harmonisation(dict(zip(table[FROM], table[TO])), str(path))


def shared_table() -> Path | None:
    """The open-data copy of the table: ``TABLE`` in the folder of open files (``paths.open_data_root``, the
    folder the runner hashes), or None when that folder has none."""
    try:
        path = paths.open_data_root() / TABLE
    except InputError:
        return None
    return path if path.is_file() else None


def resolve(spec, kind: str | None, dictionary: str | Path = "the BHPS-UKHLS dictionary"):
    """The dictionary's ``la_harmonisation`` for a run on ``kind`` data: ``"auto"`` (the default) harmonises
    restricted runs with the shared table (a real Special Licence panel crosses the 1996, 2009 and 2019-20
    reorganisations) and leaves synthetic and public runs as they are (the synthetic world never changes its
    codes). On a restricted run the table must be there: spurious movers are worse than a stop."""
    if spec != "auto":
        return spec
    if kind != "restricted":
        return None
    if shared_table() is None:
        where, beside = paths.download_cache(), paths.SHARED_PUBLIC
        raise InputError(
            dictionary,
            f"restricted runs harmonise LA codes over 1991-2019 (la_harmonisation: auto), but the open table {TABLE} "
            f"is neither in {where} nor in {beside}. It is open data: on a machine with internet, "
            f"`python -m movers fetch {DATASET}` writes it to data/public/{TABLE.as_posix()}; bring that file into the "
            f"same place here. Or name a copy with la_harmonisation: {{file: <table.csv>}} (columns {FROM}, {TO}), or "
            "set null to compare the codes as they are (a boundary change then counts as a move)",
        )
    return "shared"


def harmonisation(spec, folder: str | Path | None = None) -> Harmonisation:
    """The harmonisation a dictionary's ``la_harmonisation`` asks for: ``None`` (or ``"auto"`` unresolved, see
    ``resolve``) for none, ``"shared"`` for the open-data copy (``shared_table``; none, cleanly, if that copy is
    absent), or a file (relative to ``folder``)."""
    if not spec or spec == "auto":
        return Harmonisation({}, "auto: codes as they are (no data source given)" if spec == "auto" else "")
    if spec == "shared":
        path = shared_table()
        return read_table(path) if path else Harmonisation({}, f"{TABLE} (absent: codes kept as they are)")
    path = Path(spec["file"] if isinstance(spec, Mapping) else spec)
    path = path if path.is_absolute() or folder is None else Path(folder) / path
    if not path.exists():
        raise InputError(path, "LA code harmonisation table named in the dictionary (la_harmonisation) not found")
    return read_table(path)


def common_units(harmonisation: Harmonisation, later: Mapping[str, Iterable[str]] = LATER_MERGERS) -> dict[str, str]:
    """Every code of the harmonisation table and of ``later`` -> its unit on the common geography: the
    table's unit, then the later authority that unit merged into (all of a later authority's
    districts land in one unit: a unit that straddles two later authorities joins both into one)."""
    units = dict(harmonisation.units)
    parent: dict[str, str] = {}

    def root(u: str) -> str:
        while parent.get(u, u) != u:
            u = parent[u]
        return u

    for new, olds in later.items():
        for old in olds:
            a, b = root(units.get(old, old)), root(new)
            if a != b:
                parent[a] = b
    codes = set(units) | set(units.values()) | set(later) | {o for olds in later.values() for o in olds}
    return {c: root(units.get(c, c)) for c in codes}


def add_units(la: pd.DataFrame, spec, folder: str | Path | None = None, code: str = "la_code") -> pd.DataFrame:
    """``la`` with a ``la_unit`` column: the harmonised unit of each ``code`` (the code itself without a table)."""
    return la.assign(la_unit=harmonisation(spec, folder).unit(la[code]))


__all__ = [
    "Harmonisation",
    "read_table",
    "shared_table",
    "resolve",
    "harmonisation",
    "add_units",
    "TABLE",
    "LATER_MERGERS",
    "common_units",
]
