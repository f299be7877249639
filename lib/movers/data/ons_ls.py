"""ONS Longitudinal Study extract -> three checked tables (census records, parents, region indicators).

Why one loader: the real extract (in the ONS secure lab) and the synthetic one
share the format described by ``data/dictionaries/ons_ls.yml``, so
``movers.strands.micro.ls_deprived`` never knows which it reads. The checks here are those a
researcher needs before trusting any table built on an extract: every file and
variable present, keys unique, census years and region codes known, social
class codes in the dictionary, parents attached to enumerated members, and
region indicators for every region and census the members live in. Each
file's layout is built from the dictionary (its variables, key, and the
values the ``valid`` section and the code lists declare) and checked by
:func:`movers.data.schema.check`: a code outside the declared values (an
``econact`` of 99, an ``age`` of 999) is an error, never a silent missing
value or a wrong category. Each failure raises ``InputError`` naming the file
and the problem. Negative codes (-9 not stated, -8 not applicable) become
missing values; the dictionary itself is checked against
``data/schemas/ons_ls_dictionary.schema.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from movers.core import paths
from movers.core.errors import InputError
from movers.data import microdata, schema
from movers.data.microdata import read_columns

DEFAULT_DICTIONARY = paths.DICTIONARIES / "ons_ls.yml"
FILE_KINDS = ("records", "parents", "regions")
TEXT_VARIABLES = {"region"}
# The member characteristics the analysis derives from these files (movers.strands.micro.ls_deprived builds them; the synthetic
# generator's model is written in them): one list for both.
DEMOGRAPHICS = ("male", "age", "white", "disabled", "married", "degree", "owner", "born_abroad", "parent_prof", "parent_semi")


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
    d = schema.validate_yaml(path, "ons_ls_dictionary")
    microdata.require_names(d, DEFAULT_DICTIONARY, path)
    for kind in FILE_KINDS:
        spec = d["files"][kind]
        missing = [k for k in spec["key"] if k not in spec["variables"]]
        if missing:
            raise InputError(path, f"files.{kind}: key variable(s) {', '.join(missing)} not among its variables")
    d["_path"] = str(path)
    return d


def _find(folder: Path, name: str, place: str | None = None) -> Path:
    """The file ``name`` below ``folder``, also accepting the same stem as .csv, .tab or .dta; exactly one
    (a copy elsewhere below the folder, e.g. an older delivery, is an error naming both), in the sub-folder
    ``place`` when the dictionary names one (``files.<kind>.folder``)."""
    stem = Path(name).stem
    found = microdata.the_file(microdata.index_files(folder, (".csv", ".tab", ".dta")), stem, folder, place)
    if found is None:
        raise InputError(folder / name, f"file not found (looked for {stem}.csv, .tab or .dta below {folder})")
    return found


def valid_values(d: dict) -> dict:
    """Declared values of every analysis variable: the dictionary's ``valid`` ranges, plus the census years,
    region codes, social-class codes and parent relations its other sections declare."""
    valid = dict(d.get("valid") or {})
    valid["census"] = {"values": [int(c) for c in d["censuses"]]}
    valid["region"] = {"values": [str(r) for r in d["regions"]]}
    valid["social_class"] = {"values": [int(k) for k in d["codes"]["social_class"]]}
    valid["relation"] = {"values": sorted(set(d["codes"]["father"]) | set(d["codes"]["mother"]))}
    return valid


def layout(d: dict, kind: str) -> schema.Layout:
    """The declared layout of one extract file (``records``, ``parents``, ``regions``) from the dictionary."""
    return schema.microdata_layout(
        f"ONS LS {kind}", d["files"][kind], valid_values(d), float(d.get("missing_below", 0)), TEXT_VARIABLES
    )


def _read_kind(folder: Path, d: dict, kind: str) -> tuple[pd.DataFrame, Path]:
    spec = d["files"][kind]
    path = _find(folder, spec["name"], spec.get("folder"))
    names = {k: str(v) for k, v in spec["variables"].items()}
    raw = read_columns(path, list(names.values()))
    if raw.empty:
        raise InputError(path, "file has no rows")
    raw = pd.DataFrame({a: raw[v.lower()] for a, v in names.items()})
    df = schema.check(raw, layout(d, kind), path)
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
    known = pd.MultiIndex.from_frame(records[["lsnum", "census"]])
    orphan = ~pd.MultiIndex.from_frame(parents[["lsnum", "census"]]).isin(known)
    if orphan.any():
        years = sorted(int(c) for c in parents.loc[orphan, "census"].unique())
        raise InputError(
            p2,
            f"{int(orphan.sum())} parent record(s) of members not enumerated at that census (lsnum x census not in the records file; census {', '.join(map(str, years))})",
        )
    _check_ages(records, p1)
    for col in ("population", "prop_professional"):
        if (regions[col] <= 0).any():
            raise InputError(p3, f"{d['files']['regions']['variables'][col]} must be positive for every region and census")
    have = set(zip(regions["census"], regions["region"]))
    placed = records.dropna(subset=["region"])
    need = set(zip(placed["census"], placed["region"])) - have
    if need:
        c, r = sorted(need)[0]
        raise InputError(p3, f"no indicators for {len(need)} region x census pair(s) where members live, e.g. {r} in {c}")
    return Extract(records=records, parents=parents, regions=regions, dictionary=d, folder=folder, files=[p1, p2, p3])


def _check_ages(records: pd.DataFrame, path: Path) -> None:
    """A member's age grows with the census year: between two censuses it changes by the years between them,
    give or take one (census days differ by weeks, birthdays fall between). Anything else (10 in 1971, 45 in
    1981) is two people's records under one number or a shifted column, and would silently put the member in
    the wrong cohort. The message counts members; it names none and shows no age."""
    aged = records.dropna(subset=["age"])
    born = aged["census"] - aged["age"]
    by = born.groupby(aged["lsnum"])
    spread = by.max() - by.min()
    bad = int((spread > 1).sum())
    if bad:
        raise InputError(
            path,
            f"age and census disagree for {bad} member(s): between two of a member's censuses the age changes by "
            "the years between them (give or take one), which it does not for these (two people under one lsnum, "
            "or a column moved?)",
        )


__all__ = ["Extract", "load_dictionary", "load_extract", "region_quintiles", "DEFAULT_DICTIONARY"]


def region_quintiles(
    regions: pd.DataFrame, n: int = 5, value: str = "prop_professional", weight: str = "population"
) -> pd.DataFrame:
    """Population-weighted quantile groups (1 = lowest share of high-skilled jobs) of regions, per census.

    Regions are sorted by ``value``; each takes the group in which the midpoint
    of its population falls on the cumulative population scale, so a group
    holds about 1/n of the population rather than 1/n of the regions. Regions
    with exactly the same value form one block that shares one group (the
    group of the block's midpoint): the answer then depends neither on the
    order of the rows nor on an arbitrary tie-breaker.
    """
    for col in ("census", "region", value, weight):
        if col not in regions.columns:
            raise InputError("region indicators", f"missing column {col!r}")
    if (regions[weight] <= 0).any() or regions[[value, weight]].isna().any().any():
        raise InputError("region indicators", f"{value} and {weight} must be known, and {weight} positive, for every region")
    out = []
    for _census, grp in regions.groupby("census", sort=True):
        blocks = grp.groupby(value, sort=True)[weight].sum()
        total = float(blocks.sum())
        upper = blocks.cumsum()
        mid = (upper - blocks / 2.0) / total
        group = np.minimum(np.floor(mid.to_numpy() * n).astype(int) + 1, n)
        g = grp.copy()
        g["quintile"] = g[value].map(dict(zip(blocks.index, group))).astype(int)
        out.append(g)
    return pd.concat(out).sort_values(["census", "quintile", value, "region"]).reset_index(drop=True)
