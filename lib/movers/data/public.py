"""Adapters from the layouts of the real open files to the tables the flows analyses read.

Why a separate module: the open files that exist for England and Wales do not
come in the layouts the synthetic world writes (ONS detailed estimates, an ONS
LA-to-region lookup, LA typologies). Each function here reads one real layout,
checks its schema (raising ``InputError(file, problem)`` so a user knows which
download is broken) and returns a plain table keyed by 2014 LA codes, the
geography of ONS's internal-migration series for 2012-2018.

Files and where they come from are listed in ``data/datasets.yml``; ``python -m
movers fetch`` puts them under ``data/public/<folder>/<file>``, the same layout
as the workplace copy in ``../shared/data/public``, so either folder can be
passed as ``data_path``.

Facts used here that are not in the files:

* the ONS codes of the nine English regions and Wales (``REGION_CODES``);
* the 2011 Census merged two pairs of authorities for its flow tables (City of
  London into Westminster, Isles of Scilly into Cornwall: ``CENSUS_MERGED``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from movers.core.errors import InputError, found_names, require_columns
from movers.data import geography as geo, ons_flows
from movers.data.geography import BOUNDARY_FILE, LA_CODE
from movers.data.nomis import SUPERGROUPS

REGION_CODES = {
    "North East": "E12000001",
    "North West": "E12000002",
    "Yorkshire and The Humber": "E12000003",
    "East Midlands": "E12000004",
    "West Midlands": "E12000005",
    "East of England": "E12000006",
    "London": "E12000007",
    "South East": "E12000008",
    "South West": "E12000009",
    "Wales": "W92000004",
}
CENSUS_MERGED = {"E09000001": "E09000033", "E06000053": "E06000052"}
LOOKUP_FILE = "LAD14_RGN14_EW_LU.csv"
IMD_GROUPS = ["High deprivation", "2nd quintile", "3rd quintile", "4th quintile", "Low deprivation"]

GSS = re.compile(r"^[ENSW]\d{8}$")


def _read_csv(path, what: str, **kw) -> pd.DataFrame:
    """Read a CSV (plain or gzipped), turning every way a download can be broken into one InputError."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, f"{what} not found (run `python -m movers fetch`)")
    try:
        df = pd.read_csv(path, **kw)
    except (
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        EOFError,
        gzip.BadGzipFile,
        zlib.error,
        UnicodeDecodeError,
        OSError,
    ) as exc:
        raise InputError(path, f"cannot read {what}: {exc.__class__.__name__}: {exc} (truncated or not a CSV?)") from None
    if df.empty:
        raise InputError(path, f"{what} has no rows")
    return df


def _numeric(df: pd.DataFrame, cols, path, what: str) -> pd.DataFrame:
    """Coerce ``cols`` to numbers, naming the first cell that is not one."""
    for c in cols:
        num = pd.to_numeric(df[c], errors="coerce")
        bad = num.isna() & df[c].notna()
        if bad.any():
            i = bad.idxmax()
            raise InputError(path, f"{what}: column {c!r} has a non-numeric value {df.loc[i, c]!r} (row {i + 2})")
        df[c] = num
    return df


# --------------------------------------------------------------------------- GVA and regions


def read_gva(path) -> pd.DataFrame:
    """ONS "GVA for local authorities in the UK, 1997 to 2015" (simim CSV layout) as a long table.

    Layout: ``Region, GEOGRAPHY_CODE, LAD name, 1997 ... 2015`` (one row per
    authority, £ million at current prices). Returns ``la_code, la_name,
    region_name, year, gva`` for every UK authority in the file.
    """
    df = _read_csv(path, "GVA file", dtype={"GEOGRAPHY_CODE": str}, keep_default_na=False)  # "n/a", ".." are errors, not NaN
    require_columns(df, ["Region", "GEOGRAPHY_CODE", "LAD name"], path)
    years = [c for c in df.columns if re.fullmatch(r"(19|20)\d\d", str(c))]
    if not years:
        raise InputError(path, "no year columns (1997 ... 2015) in the GVA file")
    bad = df.loc[~df["GEOGRAPHY_CODE"].astype(str).str.match(GSS), "GEOGRAPHY_CODE"]
    if len(bad):
        raise InputError(path, f"malformed LA code(s) in GEOGRAPHY_CODE: {', '.join(map(str, bad.head(5)))}")
    dup = df["GEOGRAPHY_CODE"][df["GEOGRAPHY_CODE"].duplicated()]
    if len(dup):
        raise InputError(path, f"LA code(s) listed twice: {', '.join(dup.head(5))}")
    df = _numeric(df, years, path, "GVA")
    if (df[years] < 0).any().any():
        raise InputError(path, "negative GVA values")
    long = df.melt(id_vars=["GEOGRAPHY_CODE", "LAD name", "Region"], value_vars=years, var_name="year", value_name="gva")
    long = long.rename(columns={"GEOGRAPHY_CODE": "la_code", "LAD name": "la_name", "Region": "region_name"})
    long["year"] = long["year"].astype(int)
    return long[["la_code", "la_name", "region_name", "year", "gva"]]


def region_lookup(gva_path) -> pd.DataFrame:
    """LA-to-region lookup for the English and Welsh authorities of the GVA file, in the ONS layout
    ``LAD14CD, LAD14NM, RGN14CD, RGN14NM``.

    Why from the GVA file: it is the only open file here that names each 2014-coded
    authority's region; region codes are ONS's (``REGION_CODES``). Welsh authorities get
    the Wales code, as in ONS's E+W lookups.
    """
    gva = read_gva(gva_path).drop_duplicates("la_code")
    ew = gva[gva["la_code"].str[0].isin(["E", "W"])].copy()
    unknown = sorted(set(ew["region_name"]) - set(REGION_CODES))
    if unknown:
        raise InputError(gva_path, f"unknown region name(s) for English/Welsh authorities: {', '.join(unknown)}")
    wrong = ew[(ew["la_code"].str[0] == "W") != (ew["region_name"] == "Wales")]
    if len(wrong):
        raise InputError(gva_path, f"authorities in the wrong country for their region: {', '.join(wrong['la_code'].head(5))}")
    out = pd.DataFrame(
        {
            "LAD14CD": ew["la_code"],
            "LAD14NM": ew["la_name"],
            "RGN14CD": ew["region_name"].map(REGION_CODES),
            "RGN14NM": ew["region_name"],
        }
    )
    return out.sort_values("LAD14CD", ignore_index=True)


def write_csv(frame: pd.DataFrame, path) -> Path:
    """Write ``frame`` to ``path`` through a temporary file, so an interrupted adapter leaves no half-written
    table that looks valid."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    frame.to_csv(tmp, index=False)
    tmp.replace(path)
    return path


def write_region_lookup(gva_path, out_dir) -> Path:
    """Write ``LAD14_RGN14_EW_LU.csv`` (the ONS lookup layout the geography loader reads) into ``out_dir``."""
    return write_csv(region_lookup(gva_path), Path(out_dir) / LOOKUP_FILE)


def gva_per_head(gva: pd.DataFrame, population: pd.Series, year: int, units: dict[str, str] | None = None) -> pd.Series:
    """GVA per head (£) in ``year``: GVA (£ million) x 1e6 / population, after merging ``units`` (old code -> unit)."""
    g = gva[gva["year"] == year]
    if g.empty:
        raise InputError("parameter 'year'", f"no GVA for {year}; the file has {gva['year'].min()}-{gva['year'].max()}")
    code = g["la_code"].replace(units or {})
    total = g.groupby(code)["gva"].sum()
    pop = population.reindex(total.index)
    return (total * 1e6 / pop).dropna().rename("gva_per_head")


# --------------------------------------------------------------------------- 2011 Census origin-destination matrix

OD_ALIASES = {
    "origin": ("O_GEOGRAPHY_CODE", "ADDRESS_ONE_YEAR_AGO_CODE"),
    "destination": ("D_GEOGRAPHY_CODE", "USUAL_RESIDENCE_CODE", "CURRENTLY_RESIDING_IN_CODE"),
    "moves": ("MIGRATIONS", "OBS_VALUE"),
}


def read_crosswalk(path) -> dict[str, str]:
    """Code crosswalk (nismod ``lad_nmcd_changes.csv``: LAD11 -> census-merged LAD11 -> LAD16) as {old code: 2014 code}.

    2014 and 2016 LA codes of England and Wales are the same (no change between
    April 2014 and April 2019), so ``lad16cd`` is the 2014 code. Census-merged
    (CMLAD, ``E41``/``W40``) codes map to the larger authority of a merged pair.
    """
    df = _read_csv(path, "LA code crosswalk", dtype=str)
    require_columns(df, ["lad11cd", "lad11cd_census_merged", "lad16cd"], path)
    out: dict[str, str] = {}
    for old, merged, new in zip(df["lad11cd"], df["lad11cd_census_merged"], df["lad16cd"]):
        if isinstance(old, str) and isinstance(new, str):
            out[old] = CENSUS_MERGED.get(new, new)
        if isinstance(merged, str) and isinstance(new, str) and merged[:3] in ("E41", "W40"):
            out.setdefault(merged, CENSUS_MERGED.get(new, new))
    return out


@dataclass(frozen=True)
class CensusMatrix:
    """The census migration matrix on 2014 codes (``flows``: origin, destination, moves) and the moves
    left out because they are to, from or within Scotland and Northern Ireland (``dropped_moves``)."""

    flows: pd.DataFrame
    dropped_moves: float = 0.0


def read_census_od(path, crosswalk: dict[str, str] | None = None) -> pd.DataFrame:
    """The matrix of ``census_matrix`` without the count of moves left out."""
    return census_matrix(path, crosswalk).flows


def census_matrix(path, crosswalk: dict[str, str] | None = None) -> CensusMatrix:
    """2011 Census LA-to-LA migration matrix (ONS/Nomis MM01CUK_ALL) on 2014 codes, England and Wales.

    Accepts the simim layout (``MIGRATIONS, O_GEOGRAPHY_CODE, D_GEOGRAPHY_CODE,
    DISTANCE, PEOPLE, ...``) or a Nomis CSV (``ADDRESS_ONE_YEAR_AGO_CODE,
    USUAL_RESIDENCE_CODE, OBS_VALUE``). Census-merged codes (CMLAD ``E41``/``W40``)
    and pre-2014 codes are harmonised with ``crosswalk`` (``read_crosswalk``);
    City of London and Isles of Scilly are folded into Westminster and Cornwall,
    as the census published them. The published matrix is complete (every
    origin x destination, zeros included), so a file with missing cells is
    rejected as truncated.

    Returns ``origin, destination, moves`` (diagonal = moves within an authority)
    and, when the file has it, ``origin_people`` (simim's population of the origin), with the moves
    outside England and Wales that were left out (not silently lost: ``census_inputs`` reports them).
    """
    df = _read_csv(path, "2011 Census origin-destination matrix")
    cols = {}
    for key, names in OD_ALIASES.items():
        hit = next((n for n in names if n in df.columns), None)
        if hit is None:
            raise InputError(path, f"no {key} column (expected one of {', '.join(names)}); {found_names(df.columns)}")
        cols[key] = hit
    out = pd.DataFrame({k: df[v] for k, v in cols.items()})
    if "PEOPLE" in df.columns:
        out["origin_people"] = df["PEOPLE"]
    for c in ("origin", "destination"):
        out[c] = out[c].astype(str).str.strip()
        bad = out.loc[~out[c].str.match(GSS), c]
        if len(bad):
            raise InputError(path, f"malformed area code(s) in {cols[c]}: {', '.join(bad.unique()[:5])}")
    out = _numeric(out, ["moves"] + (["origin_people"] if "origin_people" in out else []), path, "census flows")
    if out["moves"].isna().any() or (out["moves"] < 0).any():
        raise InputError(path, f"{cols['moves']} has missing or negative counts")
    n_o, n_d = out["origin"].nunique(), out["destination"].nunique()
    if len(out) != n_o * n_d or out.duplicated(["origin", "destination"]).any():
        raise InputError(path, f"incomplete matrix: {len(out):,} rows for {n_o} origins x {n_d} destinations (truncated file?)")
    # harmonise to 2014 codes
    needs = sorted({c for c in pd.unique(out[["origin", "destination"]].to_numpy().ravel()) if c[:3] in ("E41", "W40")})
    if needs and crosswalk is None:
        raise InputError(
            path, f"census-merged codes (e.g. {needs[0]}) need the code crosswalk (lad_code_harmonisation/lad_nmcd_changes.csv)"
        )
    mapping = dict(crosswalk or {})
    mapping.update(CENSUS_MERGED)
    for c in ("origin", "destination"):
        out[c] = out[c].map(lambda x: mapping.get(x, x))
    ew = out["origin"].str[0].isin(["E", "W"]) & out["destination"].str[0].isin(["E", "W"])
    dropped = out.loc[~ew & (out["origin"] != out["destination"]), "moves"].sum()  # moves to, from or within Scotland and NI
    out = out[ew]
    bad = sorted(
        set(out["origin"][~out["origin"].str.match(LA_CODE)]) | set(out["destination"][~out["destination"].str.match(LA_CODE)])
    )
    if bad:
        raise InputError(path, f"code(s) with no 2014 equivalent: {', '.join(bad[:5])}")
    agg = {"moves": "sum"}
    if "origin_people" in out:
        agg["origin_people"] = "first"
    return CensusMatrix(out.groupby(["origin", "destination"], as_index=False).agg(agg), float(dropped))


# --------------------------------------------------------------------------- IMD 2010


IMD_ALIASES = {
    # official DCLG/MHCLG Excel headers -> the CSV layout
    "LSOA CODE": "lsoa01_code",
    "IMD SCORE": "IMD_score",
    "LSOA code (2011)": "lsoa11_code",
    "Local Authority District code (2013)": "lad13_code",
}


def _read_table(path, what: str, sheet: str | None = None) -> pd.DataFrame:
    """CSV, or the official Excel release (first sheet unless named), with the official headers renamed."""
    path = Path(path)
    if path.suffix.lower() in (".xls", ".xlsx"):
        if not path.exists():
            raise InputError(path, f"{what} not found (run `python -m movers fetch`)")
        try:
            df = pd.read_excel(path, sheet_name=sheet or 0)
        except ImportError as exc:
            raise InputError(
                path, f"reading {path.suffix} needs an Excel reader ({exc.name}); pip install xlrd openpyxl"
            ) from None
        except (ValueError, OSError) as exc:
            raise InputError(path, f"cannot read {what}: {exc}") from None
    else:
        df = _read_csv(path, what)
    return df.rename(columns={k: v for k, v in IMD_ALIASES.items() if k in df.columns})


@dataclass(frozen=True)
class IMDAuthorities:
    """IMD 2010 authority scores (``table``, from ``imd2010_la``) and how the LSOAs were placed: those
    2011 retired that were placed by their code (``placed_by_code``), those left out (``unplaced``), and
    the LSOAs read (``n_lsoa``)."""

    table: pd.DataFrame
    unplaced: int
    placed_by_code: int
    n_lsoa: int


def imd2010_la(lsoa_path, lsoa11_lookup_path, units: dict[str, str] | None = None) -> pd.DataFrame:
    """The authority table of ``imd2010_authorities``."""
    return imd2010_authorities(lsoa_path, lsoa11_lookup_path, units).table


def imd2010_authorities(lsoa_path, lsoa11_lookup_path, units: dict[str, str] | None = None) -> IMDAuthorities:
    """IMD 2010 local-authority scores, ranks and quintiles from the official LSOA scores.

    Reads the IMD 2010 LSOA file (``lsoa01_code, IMD_score, ...``: humaniverse CSV of
    the DCLG release, or the official ``1871524.xls`` with ``LSOA CODE, IMD SCORE``)
    and takes each LSOA's authority from the IMD 2015 LSOA file (``lsoa11_code,
    lad13_code``, or the official File 1 headers), which covers the 2001 LSOAs that
    2011 kept. The
    LSOAs 2011 retired are placed by their code: LSOA codes run in blocks by
    authority, so a retired code whose nearest kept codes on both sides belong to
    one authority belongs to it too; the few at the seam of two blocks are left out
    (``unplaced``).

    The authority's score is the **unweighted average of its LSOA scores**. ONS's
    official summary ("average score") weights LSOAs by population; no LSOA
    population is among the open files, and LSOAs were drawn to have similar
    populations (1,000-3,000 residents), so the unweighted average is close.
    ``movers`` tests this against a population-weighted re-aggregation.

    Quintiles split the ranked authorities into five groups of (near) equal
    count, as the report does: 1 = "High deprivation" (most deprived).
    """
    imd = _read_table(lsoa_path, "IMD 2010 LSOA file", sheet="IMD 2010" if str(lsoa_path).endswith(".xls") else None)
    require_columns(imd, ["lsoa01_code", "IMD_score"], lsoa_path)
    imd = _numeric(imd, ["IMD_score"], lsoa_path, "IMD 2010")
    if not imd["lsoa01_code"].astype(str).str.match(r"^E01\d{6}$").all():
        bad = imd.loc[~imd["lsoa01_code"].astype(str).str.match(r"^E01\d{6}$"), "lsoa01_code"]
        raise InputError(lsoa_path, f"malformed LSOA code(s): {', '.join(map(str, bad.head(5)))}")
    if len(imd) < 30000:
        raise InputError(lsoa_path, f"only {len(imd):,} LSOAs; England has 32,482 (truncated file?)")
    lu = _read_table(
        lsoa11_lookup_path,
        "LSOA-to-LA lookup (IMD 2015 LSOA file)",
        sheet="IMD 2015" if str(lsoa11_lookup_path).endswith(".xlsx") else None,
    )
    require_columns(lu, ["lsoa11_code", "lad13_code"], lsoa11_lookup_path)
    m = imd[["lsoa01_code", "IMD_score"]].merge(
        lu[["lsoa11_code", "lad13_code"]], left_on="lsoa01_code", right_on="lsoa11_code", how="left"
    )
    m = m.sort_values("lsoa01_code", ignore_index=True)
    prev, nxt = m["lad13_code"].ffill(), m["lad13_code"].bfill()
    gap = m["lad13_code"].isna()
    m.loc[gap & (prev == nxt), "lad13_code"] = prev[gap & (prev == nxt)]
    unplaced = int(m["lad13_code"].isna().sum())
    m = m.dropna(subset=["lad13_code"])
    m["la_code"] = m["lad13_code"].replace(units or {})
    la = m.groupby("la_code").agg(imd_score=("IMD_score", "mean"), n_lsoa=("IMD_score", "size")).reset_index()
    return IMDAuthorities(add_quintiles(la), unplaced, int((gap & (prev == nxt)).sum()), int(len(imd)))


def add_quintiles(la: pd.DataFrame, score: str = "imd_score") -> pd.DataFrame:
    """Rank authorities by score (1 = most deprived) and cut the ranks into five equal-count groups."""
    la = la.copy()
    la["imd_rank"] = la[score].rank(ascending=False, method="first").astype(int)
    la["imd_quintile"] = pd.qcut(la["imd_rank"], 5, labels=False).astype(int) + 1
    la["imd_group"] = la["imd_quintile"].map(dict(enumerate(IMD_GROUPS, 1)))
    return la.sort_values("imd_rank", ignore_index=True)


def write_imd_summary(lsoa_path, lsoa11_lookup_path, out_path) -> Path:
    """Write IMD 2010 authority scores in the layout of ONS's LA summary (``LA CODE, LA NAME, Average score,
    Rank of average score``), which ``movers.data.nomis.classifications`` reads.

    Why: the flows chapters' loader expects the official summary; until that file is
    downloaded, this LSOA-average stand-in (see ``imd2010_la``) lets them run on real IMD.
    2014 codes; LA names come from the IMD 2015 LSOA file.
    """
    la = imd2010_la(lsoa_path, lsoa11_lookup_path)
    lu = _read_table(lsoa11_lookup_path, "LSOA-to-LA lookup (IMD 2015 LSOA file)")
    names = (
        lu.drop_duplicates("lad13_code").set_index("lad13_code")["lad13_name"]
        if "lad13_name" in lu.columns
        else pd.Series(dtype=str)
    )
    out = pd.DataFrame(
        {
            "LA CODE": la["la_code"],
            "LA NAME": la["la_code"].map(names),
            "Average score": la["imd_score"].round(3),
            "Rank of average score": la["imd_rank"],
        }
    )
    return write_csv(out, out_path)


def write_geography_folder(boundary_shp, gva_path, out_dir) -> Path:
    """A ``geography`` folder in the layout the flows chapters load (``load_geography(<data>/geography)``):
    the English and Welsh 2014 boundaries under their ONS file name, and the LA-to-region lookup."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    gdf = geo.read_boundaries(boundary_shp).rename(columns={"la_code": "lad14cd", "la_name": "lad14nm"})
    gdf.to_file(out_dir / BOUNDARY_FILE, engine="pyogrio")
    write_region_lookup(gva_path, out_dir)
    return out_dir


# --------------------------------------------------------------------------- real geography


def file_digest(paths, extra: str = "") -> str:
    """SHA-256 over the bytes of ``paths`` (and ``extra``): the key of the geography cache."""
    h = hashlib.sha256(extra.encode())
    for p in paths:
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def merged_boundaries(shp, out_dir, units: dict[str, str]) -> Path:
    """Write a copy of an LAD boundary file with the authorities in ``units`` dissolved into their unit.

    Used for the 2011 Census geography (City of London in Westminster, Isles of
    Scilly in Cornwall), so that shared borders and centroids match the flows.
    """
    import geopandas as gpd

    gdf = geo.read_boundaries(shp)
    gdf["la_code"] = gdf["la_code"].replace(units)
    names = gdf.drop_duplicates("la_code").set_index("la_code")["la_name"]
    dis = gdf.dissolve(by="la_code", as_index=False)[["la_code", "geometry"]]
    dis["la_name"] = dis["la_code"].map(names)
    out = gpd.GeoDataFrame({"lad14cd": dis["la_code"], "lad14nm": dis["la_name"]}, geometry=dis.geometry, crs=gdf.crs)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    path = Path(out_dir) / "lad14_census_merged.shp"
    out.to_file(path, engine="pyogrio")
    return path


def real_geography(boundary_shp, gva_path, cache_dir, merge_census: bool = False):
    """England and Wales's own authorities as a ``movers.data.geography.Geography``, cached on disk.

    Builds the LA-to-region lookup from the GVA file into ``cache_dir``, then
    uses the project's geography loader (centroids, queen adjacency, miles). The
    result is stored as JSON keyed by the SHA-256 of the input files, because the
    adjacency search is the slow step and the inputs never change once fetched.
    ``merge_census=True`` dissolves the two pairs the 2011 Census merged.
    """
    boundary_shp, gva_path, cache_dir = Path(boundary_shp), Path(gva_path), Path(cache_dir)
    for p in (boundary_shp, boundary_shp.with_suffix(".dbf"), gva_path):
        if not p.exists():
            raise InputError(p, "file not found (run `python -m movers fetch`)")
    key = file_digest([boundary_shp, boundary_shp.with_suffix(".dbf"), gva_path], extra=f"merge={merge_census}")[:16]
    cache = cache_dir / f"geography_{key}.json"
    if cache.exists():
        data = json.loads(cache.read_text())
        return geo.Geography(pd.DataFrame(data["las"]), {k: set(v) for k, v in data["neighbours"].items()}, data["source"])
    lookup = write_region_lookup(gva_path, cache_dir)
    shp = merged_boundaries(boundary_shp, cache_dir / f"merged_{key}", CENSUS_MERGED) if merge_census else boundary_shp
    g = geo.load_geography(cache_dir, boundary_file=str(shp.resolve()), lookup_file=lookup.name)
    g.source = str(boundary_shp)
    payload = {
        "las": g.las.to_dict(orient="list"),
        "neighbours": {k: sorted(v) for k, v in g.neighbours.items()},
        "source": g.source,
    }
    tmp = cache.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload))
    tmp.replace(cache)
    return g


# --------------------------------------------------------------------------- everything the public flows chapter reads


# --------------------------------------------------------------------------- part two: official layouts of the LA covariates

CLASSIFICATION_SHEET = "Clusters by Local Authority"
CLASSIFICATION_ALIASES = {
    "Code": "lad_code",
    "Name": "lad_name",
    "Supergroup Name": "supergroup_name",
    "Group Name": "group_name",
    "Subgroup Name": "subgroup_name",
}


def _read_excel(path, what: str, sheet, header: int = 0) -> pd.DataFrame:
    """One sheet of an official workbook, every way it can be missing or broken turned into one InputError."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, f"{what} not found (run `python -m movers fetch`)")
    try:
        return pd.read_excel(path, sheet_name=sheet, header=header)
    except ImportError as exc:
        raise InputError(path, f"reading {path.suffix} needs an Excel reader ({exc.name}); pip install xlrd openpyxl") from None
    except (ValueError, OSError, KeyError) as exc:
        raise InputError(path, f"cannot read {what} (sheet {sheet!r}): {exc}") from None


def _check_gss(series: pd.Series, path, col: str) -> pd.Series:
    s = series.astype(str).str.strip()
    bad = s[~s.str.match(GSS)]
    if len(bad):
        raise InputError(path, f"malformed LA code(s) in {col}: {', '.join(bad.unique()[:5])}")
    return s


def read_la_classification(path) -> pd.DataFrame:
    """ONS 2011 Area Classification for Local Authorities: ``la_code, la_name, supergroup, group, subgroup``.

    Accepts the official sheet's headers (``Code, Name, Supergroup Name, ...``) or the
    tidy transcription (``lad_code, lad_name, supergroup_name, ...``). Supergroup names
    are normalised to the report's spelling ("&" as "and", single spaces); a name that
    is not one of the eight supergroups is an error.
    """
    if Path(path).suffix.lower() in (".xls", ".xlsx"):
        # the official workbook: sheet "Clusters by Local Authority", column headers on row 10
        df = _read_excel(path, "LA area classification", sheet=CLASSIFICATION_SHEET, header=9).dropna(subset=["Code"]).astype(str)
        df = df.rename(columns=CLASSIFICATION_ALIASES)
    else:
        df = _read_csv(path, "LA area classification", dtype=str).rename(columns=CLASSIFICATION_ALIASES)
    require_columns(df, ["lad_code", "lad_name", "supergroup_name"], path)
    df["lad_code"] = _check_gss(df["lad_code"], path, "lad_code")
    name = df["supergroup_name"].str.replace("&", "and", regex=False).str.split().str.join(" ")
    unknown = sorted(set(name) - set(SUPERGROUPS))
    if unknown:
        raise InputError(path, f"unknown supergroup name(s): {', '.join(unknown)}")
    if df["lad_code"].duplicated().any():
        raise InputError(path, f"LA code(s) listed twice: {', '.join(df.loc[df['lad_code'].duplicated(), 'lad_code'].head(5))}")
    return pd.DataFrame(
        {
            "la_code": df["lad_code"],
            "la_name": df["lad_name"],
            "supergroup": name,
            "group": df.get("group_name"),
            "subgroup": df.get("subgroup_name"),
        }
    )


MYEB3_FIELDS = ("population", "internal_in", "internal_out", "births", "deaths", "international_in", "international_out")


def read_myeb3(path) -> pd.DataFrame:
    """ONS MYEB3 "summary components of change" series in its official wide layout, as a long table.

    Layout: ``ladcode18, laname18, country, population_2001``, then per year
    ``births_YYYY, deaths_YYYY, ..., internal_in_YYYY, internal_out_YYYY, ..., population_YYYY``.
    Returns ``la_code, la_name, country, year, population, internal_in, internal_out, ...``
    (one row per authority and year from the first year with flows; ``population`` is mid-year).
    """
    df = _read_csv(path, "MYEB3 components of change", dtype={"ladcode18": str})
    require_columns(df, ["ladcode18", "laname18", "country"], path)
    df["ladcode18"] = _check_gss(df["ladcode18"], path, "ladcode18")
    cols = [c for c in df.columns if re.fullmatch(r"[a-z_]+_(19|20)\d\d", c)]
    years = sorted({int(c[-4:]) for c in cols if c.startswith("internal_in_")})
    if not years:
        raise InputError(path, "no internal_in_YYYY columns (is this the MYEB3 summary file?)")
    need = [f"{f}_{y}" for y in years for f in ("population", "internal_in", "internal_out")]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing[:5])}")
    df = _numeric(df, cols, path, "MYEB3")
    recs = []
    for y in years:
        part = pd.DataFrame({"la_code": df["ladcode18"], "la_name": df["laname18"], "country": df["country"], "year": y})
        for f in MYEB3_FIELDS:
            part[f] = df.get(f"{f}_{y}", np.nan)
        recs.append(part)
    out = pd.concat(recs, ignore_index=True)
    if (out[["population", "internal_in", "internal_out"]] < 0).any().any():
        raise InputError(path, "negative population or internal migration")
    return out


SYOA_ALIASES = {
    "DATE": "year",
    "DATE_NAME": "year",
    "GEOGRAPHY_CODE": "lad18_code",
    "GENDER_NAME": "sex",
    "C_AGE_NAME": "age",
    "OBS_VALUE": "population",
}


def read_syoa(path) -> pd.DataFrame:
    """Mid-year population by single year of age and sex (Nomis NM_2002_1): ``year, la_code, sex, age, population``.

    Accepts the Nomis API CSV headers (``DATE, GEOGRAPHY_CODE, GENDER_NAME, C_AGE_NAME, OBS_VALUE``,
    ages as "Age 30", "Aged 90+") or the tidy ``year, lad18_code, sex, age, population``.
    ``sex`` becomes "male"/"female"; age 90 means 90 and over.
    """
    df = _read_csv(path, "population by single year of age", dtype={"lad18_code": str, "GEOGRAPHY_CODE": str})
    df = df.rename(columns={k: v for k, v in SYOA_ALIASES.items() if k in df.columns})
    require_columns(df, ["year", "lad18_code", "sex", "age", "population"], path)
    df["la_code"] = _check_gss(df["lad18_code"], path, "lad18_code")
    df["sex"] = df["sex"].astype(str).str.lower().str.strip()
    bad = sorted(set(df["sex"]) - {"male", "female"})
    if bad:
        raise InputError(path, f"sex must be male or female, found {', '.join(bad[:3])}")
    df["age"] = df["age"].astype(str).str.extract(r"(\d+)")[0]
    df["year"] = df["year"].astype(str).str[:4]
    df = _numeric(df, ["age", "year", "population"], path, "population")
    if df[["age", "year", "population"]].isna().any().any():
        raise InputError(path, "missing year, age or population values")
    return df[["year", "la_code", "sex", "age", "population"]].astype({"year": int, "age": int})


def demography(syoa: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per authority in ``year``: population, young share (15-29 over all ages) and dependency ratio
    (65+ over 18-64), the report's Table 1 definitions; indexed by la_code."""
    p = syoa[syoa["year"] == year]
    if p.empty:
        raise InputError("parameter 'year'", f"no population by age for {year}; the file has {sorted(syoa['year'].unique())}")
    by_age = p.groupby(["la_code", "age"])["population"].sum().unstack("age", fill_value=0)
    ages = by_age.columns.to_numpy()
    total = by_age.sum(axis=1)
    return pd.DataFrame(
        {
            "population": total,
            "young_share": by_age.loc[:, (ages >= 15) & (ages <= 29)].sum(axis=1) / total,
            "dependency_ratio": by_age.loc[:, ages >= 65].sum(axis=1) / by_age.loc[:, (ages >= 18) & (ages <= 64)].sum(axis=1),
        }
    )


def read_hpssa(path, house_type: str = "all") -> pd.DataFrame:
    """HPSSA Dataset 9 (median price paid by LA, rolling years), tidy layout: ``la_code, year, month, price``."""
    df = _read_csv(path, "HPSSA median price paid", dtype={"lad_code": str})
    require_columns(df, ["lad_code", "house_type", "year_ending_month", "year_ending_year", "median_price_paid"], path)
    df = df[df["house_type"] == house_type]
    if df.empty:
        raise InputError(path, f"no rows for house type {house_type!r}")
    df = _numeric(df.copy(), ["year_ending_year", "median_price_paid"], path, "HPSSA")
    out = pd.DataFrame(
        {
            "la_code": _check_gss(df["lad_code"], path, "lad_code"),
            "year": df["year_ending_year"].astype(int),
            "month": df["year_ending_month"],
            "price": df["median_price_paid"],
        }
    )
    if (out["price"] <= 0).any():
        raise InputError(path, "non-positive median prices")
    return out.reset_index(drop=True)


# The house-price control of every flows chapter (``house_prices``): the month its rolling year ends.
HOUSE_PRICE_MONTH = "Dec"
_MONTHS = {"Mar": "March", "Jun": "June", "Sep": "September", "Dec": "December"}  # the quarters HPSSA's rolling years end


def house_price_text() -> str:
    """What ``house_prices`` reads, in words (for the pages and the notes of the written folders)."""
    return f"HPSSA dataset 9, median price paid (all dwellings) in the year ending {_MONTHS[HOUSE_PRICE_MONTH]}"


def house_prices(path) -> pd.DataFrame:
    """The house-price control of every flows chapter, census and yearly: ``la_code, year, house_price``, one
    figure per authority and calendar year, from HPSSA dataset 9 (``read_hpssa``, all dwelling types).

    Which measure: the median price paid. The report's Table 1 names the mean price paid by authority
    (HPSSA dataset 12), which no open file here holds (dataset ``house_prices`` of ``data/datasets.yml`` has no
    pinned download); the median of dataset 9 is the nearest open measure, and the logarithm the models take
    keeps only its relative differences. Which period: the rolling year ending December (``HOUSE_PRICE_MONTH``),
    so the year of a price is the calendar year. The report lags every control by one year and its other
    annual controls are calendar years (GVA, the births behind the fertility rate, the APS rates), so the
    price of year t-1 is the calendar year t-1 as theirs are; the loaders' own layout (``movers.data.nomis``,
    the synthetic world) labels prices by the year ending December too. Stated once here: the census
    chapter (``movers.strands.flows.public.census_inputs``) and the yearly chapters' folder
    (``movers.data.open_yearly``) both read it.
    """
    hp = read_hpssa(path)
    hp = hp[hp["month"] == HOUSE_PRICE_MONTH]
    if hp.empty:
        raise InputError(path, f"no rolling year ending {HOUSE_PRICE_MONTH}")
    return hp.rename(columns={"price": "house_price"})[["la_code", "year", "house_price"]].reset_index(drop=True)


def read_tfr(path) -> pd.DataFrame:
    """Total fertility rate by authority (``year, lad21_code, tfr``) as ``year, la_code, tfr``."""
    df = _read_csv(path, "total fertility rates", dtype={"lad21_code": str})
    require_columns(df, ["year", "lad21_code", "tfr"], path)
    df = _numeric(df, ["year", "tfr"], path, "TFR")
    return pd.DataFrame(
        {"year": df["year"].astype(int), "la_code": _check_gss(df["lad21_code"], path, "lad21_code"), "tfr": df["tfr"]}
    )


def read_imd_la_approx(path) -> pd.DataFrame:
    """IMD 2010 authority summary approximated from the LSOA scores (unweighted average; 2011 codes):
    ``la_code, imd_score, imd_rank`` plus the five equal-count quintiles of ``add_quintiles``."""
    df = _read_csv(path, "IMD 2010 LA summary (approximation)", dtype={"LAD11CD": str})
    require_columns(df, ["LAD11CD", "imd2010_avg_score_unweighted"], path)
    df = _numeric(df, ["imd2010_avg_score_unweighted"], path, "IMD 2010")
    la = pd.DataFrame({"la_code": _check_gss(df["LAD11CD"], path, "LAD11CD"), "imd_score": df["imd2010_avg_score_unweighted"]})
    return add_quintiles(la)


def imd_la_weighted(approx: pd.DataFrame, reaggregated_path, crosswalk: dict[str, str] | None = None) -> pd.DataFrame:
    """The IMD 2010 authority summary weighted by small-area population where an open file allows, else unweighted.

    Why: DCLG's LA "average score" weights each LSOA by its mid-2008 population; the open LSOA file has
    no populations, so ``read_imd_la_approx`` averages the scores unweighted. humaniverse's
    re-aggregation of the same LSOA scores to 2021 authorities (``Score``) is weighted by mid-2008 LSOA
    population: for an authority whose 2021 code (its own, or its successor in ``crosswalk``) stands for
    it alone, that is the population-weighted average. Authorities merged by 2021 keep the unweighted
    average (``weighted`` False). ``approx`` is ``read_imd_la_approx``'s frame; returns ``la_code,
    imd_score, imd_score_unweighted, weighted`` with the ranks and quintiles of ``add_quintiles``.
    """
    w = _read_csv(reaggregated_path, "IMD 2010 re-aggregated to 2021 authorities", dtype={"ltla21_code": str})
    require_columns(w, ["ltla21_code", "Score"], reaggregated_path)
    w = _numeric(w, ["Score"], reaggregated_path, "IMD 2010")
    score = dict(zip(_check_gss(w["ltla21_code"], reaggregated_path, "ltla21_code"), w["Score"]))
    later = approx["la_code"].map(lambda c: c if c in score else (crosswalk or {}).get(c, c))
    alone = later.map(later.value_counts()) == 1
    weighted = later.map(score).where(alone)
    out = pd.DataFrame(
        {
            "la_code": approx["la_code"].to_numpy(),
            "imd_score": weighted.fillna(approx["imd_score"]).to_numpy(),
            "imd_score_unweighted": approx["imd_score"].to_numpy(),
            "weighted": weighted.notna().to_numpy(),
        }
    )
    return add_quintiles(out)


def quintile_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Authorities whose IMD quintile differs between two summaries (``la_code, imd_quintile`` each):
    ``la_code, before, after``."""
    m = before[["la_code", "imd_quintile"]].merge(
        after[["la_code", "imd_quintile"]], on="la_code", suffixes=("_before", "_after")
    )
    m = m[m["imd_quintile_before"] != m["imd_quintile_after"]]
    return m.rename(columns={"imd_quintile_before": "before", "imd_quintile_after": "after"}).reset_index(drop=True)


@dataclass
class Harmonised:
    """Values put on the census units, and a count of what happened to every code of the file."""

    values: pd.DataFrame  # indexed by unit code
    kept: int = 0
    merged: list = field(default_factory=list)  # census pairs folded into their larger unit
    spread: list = field(default_factory=list)  # merged (2019+) codes whose value was given to each former district
    recoded: list = field(default_factory=list)  # older codes renamed (2011 -> 2014)
    dropped: list = field(default_factory=list)  # Scotland and Northern Ireland, dropped on purpose


def to_units(
    df: pd.DataFrame,
    path,
    units,
    value_cols,
    kind: str = "mean",
    weights: pd.Series | None = None,
    recode: dict | None = None,
    harmonisation: dict | None = None,
    merged: dict | None = None,
) -> Harmonised:
    """Put a table keyed by ``la_code`` (any LA vintage, 2001-2021) on the 2011 Census units of England and Wales.

    * Scotland (``S``) and Northern Ireland (``N``) codes are dropped and counted, as the report does;
    * ``recode`` renames older codes (the 2011 -> 2014 crosswalk of ``read_crosswalk``);
    * City of London and Isles of Scilly join Westminster and Cornwall (``CENSUS_MERGED``): summed
      (``kind="sum"``), averaged with ``weights`` (``"mean"``) or left to the larger unit's own value (``"first"``);
    * a later merged authority (2019-2021 codes of ``harmonisation``, ``codes.Harmonisation.members``) gives its
      value to each former district;
    * any other code is an error naming the file and the codes; so is a unit left without a value.

    ``merged``: the pairs to fold (``CENSUS_MERGED`` by default; ``{}`` for a geography that keeps them apart).
    """
    merged = CENSUS_MERGED if merged is None else merged
    units = list(units)
    unit_set = set(units)
    codes = df["la_code"].astype(str)
    res = Harmonised(pd.DataFrame())
    res.dropped = sorted(set(codes[codes.str[0].isin(["S", "N"])]))
    df = df[~codes.str[0].isin(["S", "N"])].copy()
    df["la_code"] = df["la_code"].replace(recode or {})
    res.recoded = sorted(set(codes) & set(recode or {}))
    rows = []
    spread_from = {}
    for code in df["la_code"].unique():
        if code in unit_set:
            continue
        if code in merged:
            res.merged.append(code)
        elif harmonisation and code in harmonisation and set(harmonisation[code]) & unit_set and code not in unit_set:
            spread_from[code] = [u for u in harmonisation[code] if u in unit_set]
        else:
            rows.append(code)
    if rows:
        raise InputError(
            path,
            f"{len(rows)} LA code(s) match no authority of 2011-2018 England and Wales, nor the code-harmonisation table: {', '.join(sorted(rows)[:8])}",
        )
    res.spread = sorted(spread_from)
    direct = df[~df["la_code"].isin(list(spread_from))].copy()
    direct["unit"] = direct["la_code"].replace(merged)
    if kind == "sum":
        vals = direct.groupby("unit")[list(value_cols)].sum()
    elif kind == "first":
        vals = direct[~direct["la_code"].isin(list(merged))].groupby("unit")[list(value_cols)].first()
    elif weights is not None:
        w = direct["la_code"].map(weights).fillna(0.0)
        num = direct[list(value_cols)].mul(w, axis=0).groupby(direct["unit"]).sum(min_count=1)
        vals = num.div(w.groupby(direct["unit"]).sum(), axis=0)
    else:
        vals = direct.groupby("unit")[list(value_cols)].mean()
    extra = [
        pd.DataFrame(
            [df.loc[df["la_code"] == code, list(value_cols)].iloc[0].to_numpy()] * len(us), index=us, columns=list(value_cols)
        )
        for code, us in spread_from.items()
    ]
    if extra:
        vals = pd.concat([vals, *extra])
    if vals.index.duplicated().any():
        raise InputError(
            path, f"authorities with two values after harmonising: {', '.join(vals.index[vals.index.duplicated()][:5])}"
        )
    lacking = sorted(unit_set - set(vals.dropna().index))
    if lacking:
        raise InputError(
            path,
            f"no value for {len(lacking)} authorit{'y' if len(lacking) == 1 else 'ies'} of the 2011 Census geography: {', '.join(lacking[:8])}",
        )
    res.values = vals.reindex(units)
    res.kept = int(len(set(df["la_code"]) & unit_set))
    return res


# --------------------------------------------------------------------------- the real slice of the ONS detailed estimates


def read_detailed_slice(path, year: int, known=None):
    """A real file in the ONS detailed-estimates layout under another name (the age-18 slice of the 2017
    edition, ``ons_detailed_2017_age18_slice`` in ``data/datasets.yml``), read by the detailed-estimates
    loader with the ``year`` the manifest gives, since the name does not carry it in ONS's pattern.

    Returns the loader's table (year, origin, destination, age, sex, moves; England and Wales) and the
    ``Dropped`` count of moves to or from Scotland and Northern Ireland.
    """
    return ons_flows.read_part(path, known, year=year)


# --------------------------------------------------------------------------- Nomis API downloads (APS)

NOMIS_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def write_nomis_years(raw, out_path) -> Path:
    """A Nomis API CSV as downloaded (``DATE`` like ``2017-12``: the APS year of January-December 2017)
    rewritten in the layout ``movers.data.nomis.read_nomis`` reads (``DATE`` the year alone).

    Only 12-month periods ending in December are accepted (the report's calendar-year APS rates); any
    other ``DATE`` is an error naming the file and the values, so a query for another period is not
    silently read as a year. Other columns are kept as they are.
    """
    df = _read_csv(raw, "Nomis API download", dtype=str)
    require_columns(df, ["DATE", "GEOGRAPHY_CODE", "VARIABLE_NAME", "OBS_VALUE"], raw)
    m = df["DATE"].str.extract(NOMIS_DATE)
    bad = sorted(set(df.loc[m[0].isna() | m[1].fillna("12").ne("12"), "DATE"]))
    if bad:
        raise InputError(raw, f"DATE must be a year or a year ending in December (YYYY-12), not {', '.join(bad[:5])}")
    out = df.assign(DATE=m[0])
    return write_csv(out, out_path)
