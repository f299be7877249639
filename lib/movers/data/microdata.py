"""Reading selected variables of a microdata file as the data services supply them.

The UK Data Service and the ONS secure lab hand out the same data as Stata
(``.dta``), tab-delimited (``.tab``) or CSV files, with variable names whose
case varies between releases. Both microdata loaders (BHPS-UKHLS and the LS)
read only the variables their dictionary names, whatever the format and case,
and fail with the file's name when a variable is missing or the file is
unreadable.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from movers.core import config as yamlfile
from movers.core.errors import InputError, found_names


def read_columns(path: Path, columns: list[str], as_text: bool = False) -> pd.DataFrame:
    """``columns`` of a .dta, .tab or .csv file, named in lower case, in the order asked.

    Names match case-insensitively. ``as_text`` keeps delimited files' values as
    strings (for loaders that check numbers themselves); otherwise pandas' C
    reader parses numbers, which is several times faster on large extracts.
    """
    path = Path(path)
    wanted = list(dict.fromkeys(columns))
    try:
        if path.suffix.lower() == ".dta":
            import pyreadstat

            names = pyreadstat.read_dta(str(path), metadataonly=True)[1].column_names
            lower = {c.lower().strip(): c for c in names}
            _require(path, wanted, lower, names)
            df, _ = pyreadstat.read_dta(str(path), usecols=[lower[c.lower()] for c in wanted], apply_value_formats=False)
        else:
            sep = "," if path.suffix.lower() == ".csv" else "\t"
            header = pd.read_csv(path, sep=sep, nrows=0).columns
            lower = {str(c).lower().strip(): c for c in header}
            _require(path, wanted, lower, header)
            usecols = [lower[c.lower()] for c in wanted]
            if as_text:
                df = pd.read_csv(path, sep=sep, usecols=usecols, dtype=str, keep_default_na=False)
            else:
                df = pd.read_csv(path, sep=sep, usecols=usecols, low_memory=False)
        df.columns = [str(c).lower().strip() for c in df.columns]
    except InputError:
        raise
    except Exception as exc:  # truncated, empty or corrupt file
        raise InputError(path, f"cannot read ({exc})") from exc
    return df[[c.lower() for c in wanted]]


def _require(path: Path, wanted: list[str], lower: dict, found) -> None:
    missing = [c for c in wanted if c.lower() not in lower]
    if missing:
        raise InputError(path, f"missing variable(s) {', '.join(missing)}; {found_names(found)}")


def require_names(d: dict, default_path: Path, path: Path) -> None:
    """A dictionary edited for another release maps every analysis name of the default one (``files.<kind>.
    variables``): it renames the right-hand side, never drops a left-hand name, which the analysis reads and
    would otherwise miss with a bare KeyError far from the file."""
    default = yamlfile.read(default_path, {})
    for kind, spec in (default.get("files") or {}).items():
        have = (((d.get("files") or {}).get(kind) or {}).get("variables")) or {}
        missing = [a for a in (spec.get("variables") or {}) if a not in have]
        if missing:
            raise InputError(
                path,
                f"files.{kind}.variables lacks {', '.join(missing)}: the analysis reads every name of "
                f"{Path(default_path).name}; map each to the variable of your release",
            )


def index_files(folder: Path, suffixes: tuple[str, ...]) -> dict[str, list[Path]]:
    """Every file below ``folder`` ending in one of ``suffixes``, by lower-case stem: all copies of a stem, so
    that a stray one (a ``backup/`` folder, a second delivery, the same file as .tab and .dta) is seen."""
    found: dict[str, list[Path]] = {}
    for p in sorted(Path(folder).rglob("*")):
        if p.suffix.lower() in suffixes and p.is_file():
            found.setdefault(p.stem.lower(), []).append(p)
    return found


def the_file(found: dict[str, list[Path]], stem: str, folder: Path, place: str | None = None) -> Path | None:
    """The one file of ``stem`` below ``folder`` (None when there is none). Two or more are an error naming
    each (relative to the folder): reading whichever comes first would silently change the results.
    ``place``: the sub-folder the dictionary puts the file in (``files.<kind>.folder``); found elsewhere, it is
    an error rather than read."""
    paths = found.get(stem.lower(), [])
    if len(paths) > 1:
        names = ", ".join(str(p.relative_to(folder)) for p in paths)
        raise InputError(
            paths[0],
            f"{len(paths)} files below the data folder could be {stem}: {names}; the loader reads exactly one, "
            "so move the other copies out of the data folder",
        )
    if paths and place is not None and paths[0].parent.resolve() != (Path(folder) / place).resolve():
        raise InputError(
            paths[0],
            f"{stem} is at {paths[0].relative_to(folder)}, but the dictionary puts it in {place}/ (files.<kind>.folder): "
            "move it there, or change or remove the folder in the dictionary",
        )
    return paths[0] if paths else None


__all__ = ["read_columns", "require_names", "index_files", "the_file"]
