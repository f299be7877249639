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

The dictionary's ``la_harmonisation`` names the table (``shared`` for the open-data copy: the ``fetch`` cache
``data/public`` first, then ``../shared/data/public``, through ``paths.open_file``);
``null`` keeps the codes as they are (the synthetic world never changes its codes); ``auto``, the default,
is ``shared`` on restricted runs and ``null`` otherwise (``resolve``). A table named
but absent falls back to the codes as they are, and says so through ``Harmonisation.applied``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from movers.core import paths
from movers.core.errors import InputError, require_columns
from movers.data import schema

TABLE = Path("lad_code_harmonisation") / "lad_lad20x.csv"
DATASET = "lad_harmonisation_lad20x"  # its name in data/datasets.yml, for `python -m movers fetch`
FROM, TO = "LADCD", "LAD20XCD"


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


def read_table(path: str | Path) -> Harmonisation:
    """Read a harmonisation table (columns ``LADCD`` and ``LAD20XCD``; each code in one unit)."""
    path = Path(path)
    table = schema.read_csv(path, "LA code harmonisation table", dtype=str)
    require_columns(table, [FROM, TO], path)
    table = table.dropna(subset=[FROM, TO])
    clash = table.groupby(FROM)[TO].nunique()
    if (clash > 1).any():
        raise InputError(path, f"LA code(s) {', '.join(clash[clash > 1].index[:5])} map to more than one harmonised unit")
    return Harmonisation(dict(zip(table[FROM].str.strip(), table[TO].str.strip())), str(path))


def resolve(spec, kind: str | None, dictionary: str | Path = "the BHPS-UKHLS dictionary"):
    """The dictionary's ``la_harmonisation`` for a run on ``kind`` data: ``"auto"`` (the default) harmonises
    restricted runs with the shared table (a real Special Licence panel crosses the 1996, 2009 and 2019-20
    reorganisations) and leaves synthetic and public runs as they are (the synthetic world never changes its
    codes). On a restricted run the table must be there: spurious movers are worse than a stop."""
    if spec != "auto":
        return spec
    if kind != "restricted":
        return None
    if paths.open_file(TABLE) is None:
        where, beside = paths.open_data_folders()
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
    ``resolve``) for none, ``"shared"`` for the open-data copy (``paths.open_file``; none, cleanly, if that copy is
    absent), or a file (relative to ``folder``)."""
    if not spec or spec == "auto":
        return Harmonisation({}, "auto: codes as they are (no data source given)" if spec == "auto" else "")
    if spec == "shared":
        path = paths.open_file(TABLE)
        return read_table(path) if path else Harmonisation({}, f"{TABLE} (absent: codes kept as they are)")
    path = Path(spec["file"] if isinstance(spec, Mapping) else spec)
    path = path if path.is_absolute() or folder is None else Path(folder) / path
    if not path.exists():
        raise InputError(path, "LA code harmonisation table named in the dictionary (la_harmonisation) not found")
    return read_table(path)


def add_units(la: pd.DataFrame, spec, folder: str | Path | None = None, code: str = "la_code") -> pd.DataFrame:
    """``la`` with a ``la_unit`` column: the harmonised unit of each ``code`` (the code itself without a table)."""
    return la.assign(la_unit=harmonisation(spec, folder).unit(la[code]))


__all__ = ["Harmonisation", "read_table", "resolve", "harmonisation", "add_units", "TABLE"]
