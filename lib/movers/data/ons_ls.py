"""ONS Longitudinal Study extract -> three checked tables (census records, parents, region indicators).

Why one loader: the real extract (in the ONS secure lab) and the synthetic one
share the format described by ``data/dictionaries/ons_ls.yml``, so
``movers.ls`` never knows which it reads. The checks here are those a
researcher needs before trusting any table built on an extract: every file and
variable present, keys unique, census years and region codes known, social
class codes in the dictionary, parents attached to enumerated members, and
region indicators for every region and census the members live in. Each
failure raises ``InputError`` naming the file and the problem. Negative codes
(-9 not stated, -8 not applicable) become missing values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from movers import paths
from movers.data.microdata import read_columns
from movers.errors import InputError

DEFAULT_DICTIONARY = paths.DICTIONARIES / "ons_ls.yml"
FILE_KINDS = ("records", "parents", "regions")
TEXT_VARIABLES = {"region"}


@dataclass
class Extract:
    """The loaded extract, in the analysis's names.

    ``records``: one row per LS member and census (lsnum, census, age, sex,
    region, ethnic_group, country_of_birth, llti, marital_status,
    highest_qual, tenure, econ_activity, social_class); ``parents``: parents in
    the member's household (lsnum, census, relation, social_class);
    ``regions``: census, region, population, prop_professional,
    unemployment_rate; ``dictionary``: the mapping and codes used.
    """

    records: pd.DataFrame
    parents: pd.DataFrame
    regions: pd.DataFrame
    dictionary: dict
    folder: Path
    files: list[Path] = field(default_factory=list)

    def codes(self, name: str) -> list:
        """Value codes behind a derived variable (``employed`` -> econ_activity 1, 2)."""
        try:
            return list(self.dictionary["codes"][name])
        except KeyError:
            raise InputError(self.dictionary.get("_path"), f"dictionary lacks codes.{name}") from None


def load_dictionary(path: str | Path | None = None) -> dict:
    """Read and check an extract schema (default ``data/dictionaries/ons_ls.yml``)."""
    path = Path(path) if path else DEFAULT_DICTIONARY
    if not path.exists():
        raise InputError(path, "extract schema (variable dictionary) not found")
    try:
        d = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise InputError(path, f"not valid YAML ({exc})") from None
    for key in ("files", "codes", "regions", "censuses"):
        if key not in d:
            raise InputError(path, f"dictionary lacks the section {key!r}")
    for kind in FILE_KINDS:
        spec = d["files"].get(kind)
        if not spec or "name" not in spec or "variables" not in spec or "key" not in spec:
            raise InputError(path, f"files.{kind} needs 'name', 'key' and 'variables'")
        missing = [k for k in spec["key"] if k not in spec["variables"]]
        if missing:
            raise InputError(path, f"files.{kind}: key variable(s) {', '.join(missing)} not among its variables")
    if "social_class" not in d["codes"]:
        raise InputError(path, "dictionary lacks codes.social_class")
    d["_path"] = str(path)
    return d


def _find(folder: Path, name: str) -> Path:
    """The file ``name`` below ``folder``, also accepting the same stem as .csv, .tab or .dta."""
    stem = Path(name).stem.lower()
    exact = [p for p in folder.rglob("*") if p.is_file() and p.name.lower() == name.lower()]
    if exact:
        return sorted(exact)[0]
    alt = [p for p in folder.rglob("*") if p.is_file() and p.stem.lower() == stem and p.suffix.lower() in (".csv", ".tab", ".dta")]
    if alt:
        return sorted(alt)[0]
    raise InputError(folder / name, f"file not found (looked for {stem}.csv, .tab or .dta below {folder})")


def _convert(raw: pd.DataFrame, names: dict[str, str], path: Path, missing_below: float) -> pd.DataFrame:
    """Analysis names; numbers checked (a stray letter is an error, not a silent NaN); negative codes missing."""
    out = pd.DataFrame(index=raw.index)
    for name, var in names.items():
        col = raw[str(var).lower()]
        if name not in TEXT_VARIABLES and pd.api.types.is_numeric_dtype(col):
            out[name] = col.where(col >= missing_below)
            continue
        col = col.astype(str).str.strip()
        blank = col.isin(["", "nan", "NaN", "."])
        if name in TEXT_VARIABLES:
            num = pd.to_numeric(col, errors="coerce")
            out[name] = col.where(~blank & ~(num < missing_below))
            continue
        num = pd.to_numeric(col, errors="coerce")
        bad = num.isna() & ~blank
        if bad.any():
            raise InputError(path, f"variable {var} is not numeric, e.g. {col[bad].iloc[0]!r} (row {int(np.flatnonzero(bad)[0]) + 2})")
        out[name] = num.where(num >= missing_below)
    return out


def _num(x):
    """A code as the user typed it: 7 rather than 7.0 or np.int64(7), for error messages."""
    x = float(x)
    return int(x) if x.is_integer() else x


def _read_kind(folder: Path, d: dict, kind: str) -> tuple[pd.DataFrame, Path]:
    spec = d["files"][kind]
    path = _find(folder, spec["name"])
    names = {k: str(v) for k, v in spec["variables"].items()}
    df = _convert(read_columns(path, list(names.values())), names, path, float(d.get("missing_below", 0)))
    if df.empty:
        raise InputError(path, "file has no rows")
    key = list(spec["key"])
    for k in key:
        if df[k].isna().any():
            raise InputError(path, f"key variable {names[k]} has missing values (row {int(np.flatnonzero(df[k].isna())[0]) + 2})")
    dup = df.duplicated(subset=key)
    if dup.any():
        first = df.loc[dup, key].iloc[0].to_dict()
        raise InputError(path, f"{' x '.join(names[k] for k in key)} is not unique, e.g. {first}")
    for k in ("lsnum", "census", "relation"):
        if k in df:
            df[k] = df[k].astype("int64")
    return df, path


def load_extract(folder: str | Path, dictionary: str | Path | dict | None = None) -> Extract:
    """Load and check the extract below ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "ONS LS extract folder does not exist")
    d = dictionary if isinstance(dictionary, dict) else load_dictionary(dictionary)
    records, p1 = _read_kind(folder, d, "records")
    parents, p2 = _read_kind(folder, d, "parents")
    regions, p3 = _read_kind(folder, d, "regions")
    censuses = {int(c) for c in d["censuses"]}
    known_regions = set(map(str, d["regions"]))
    six = {int(k) for k in d["codes"]["social_class"]}
    for df, path in ((records, p1), (parents, p2), (regions, p3)):
        bad = set(df["census"].unique()) - censuses
        if bad:
            raise InputError(path, f"census year(s) {sorted(int(b) for b in bad)} not among {sorted(censuses)}")
    for df, path in ((records, p1), (regions, p3)):
        bad = df["region"].dropna()
        bad = bad[~bad.isin(known_regions)]
        if len(bad):
            raise InputError(path, f"unknown region code(s) {', '.join(sorted(bad.unique())[:5])}; expected one of {', '.join(sorted(known_regions))}")
    for df, path in ((records, p1), (parents, p2)):
        sc = df["social_class"].dropna()
        bad = sc[~sc.isin(six)]
        if len(bad):
            raise InputError(path, f"social class code(s) {sorted(_num(b) for b in bad.unique())[:5]} not in codes.social_class")
    rel_codes = set(d["codes"]["father"]) | set(d["codes"]["mother"])
    bad = set(parents["relation"].unique()) - rel_codes
    if bad:
        raise InputError(p2, f"relation code(s) {sorted(int(b) for b in bad)} are neither father {d['codes']['father']} nor mother {d['codes']['mother']}")
    known = pd.MultiIndex.from_frame(records[["lsnum", "census"]])
    orphan = ~pd.MultiIndex.from_frame(parents[["lsnum", "census"]]).isin(known)
    if orphan.any():
        o = parents.loc[orphan].iloc[0]
        raise InputError(p2, f"{int(orphan.sum())} parent record(s) of members not enumerated at that census, e.g. lsnum {int(o['lsnum'])} in {int(o['census'])}")
    for col in ("population", "prop_professional"):
        if regions[col].isna().any() or (regions[col] <= 0).any():
            raise InputError(p3, f"{d['files']['regions']['variables'][col]} must be positive for every region and census")
    if ((regions["prop_professional"] > 1)).any():
        raise InputError(p3, f"{d['files']['regions']['variables']['prop_professional']} is a share and must be at most 1")
    have = set(zip(regions["census"], regions["region"]))
    placed = records.dropna(subset=["region"])
    need = set(zip(placed["census"], placed["region"])) - have
    if need:
        c, r = sorted(need)[0]
        raise InputError(p3, f"no indicators for {len(need)} region x census pair(s) where members live, e.g. {r} in {c}")
    return Extract(records=records, parents=parents, regions=regions, dictionary=d, folder=folder, files=[p1, p2, p3])


__all__ = ["Extract", "load_dictionary", "load_extract", "DEFAULT_DICTIONARY"]
