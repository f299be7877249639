"""Local-authority geography from ONS boundary files: centroids, shared borders, distances.

Reads the ONS "Local Authority Districts" boundary shapefiles (the 2014
super-generalised clipped set, fields ``lad14cd/lad14nm``; or the 2020 set,
``LAD20CD/LAD20NM``) and the ONS LA-to-region lookup CSV. The synthetic
world writes the same formats, so this loader serves both.

The report's controls need, for every pair of authorities, whether they share
a border and the distance between their centroids in miles (Table 1).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from movers.core.errors import InputError, found_names
from movers.data import schema
from movers.data.schema import LA_CODE  # noqa: F401  (re-exported: modules take the LA-code pattern from geography)

LOG = logging.getLogger("movers.data")
METRES_PER_MILE = 1609.344
CODE_FIELDS = ("lad14cd", "LAD14CD", "lad20cd", "LAD20CD", "lad18cd", "LAD18CD", "LAD19CD", "lad19cd")
# the ONS file name of the 2014 boundaries, which the synthetic world writes too
BOUNDARY_FILE = "Local_Authority_Districts_December_2014_Super_Generalised_Clipped_Boundaries_in_Great_Britain.shp"


@dataclass
class Geography:
    """Authorities (``las``: la_code, la_name, region_code, region_name, country, x, y in metres)
    and their pairwise relations."""

    las: pd.DataFrame
    neighbours: dict[str, set[str]]
    source: str

    def distance_miles(self, origin, destination) -> np.ndarray:
        """Centroid-to-centroid distance in miles for aligned arrays of LA codes."""
        pos = self.las.set_index("la_code")[["x", "y"]]
        o = pos.reindex(np.asarray(origin)).to_numpy()
        d = pos.reindex(np.asarray(destination)).to_numpy()
        if np.isnan(o).any() or np.isnan(d).any():
            bad = sorted(set(np.asarray(origin)[np.isnan(o[:, 0])]) | set(np.asarray(destination)[np.isnan(d[:, 0])]))
            raise InputError(self.source, f"unknown LA code(s): {', '.join(map(str, bad[:10]))}")
        return np.hypot(o[:, 0] - d[:, 0], o[:, 1] - d[:, 1]) / METRES_PER_MILE

    def share_border(self, origin, destination) -> np.ndarray:
        """1 where the two authorities share a border, else 0."""
        return np.array([int(d in self.neighbours.get(o, ())) for o, d in zip(origin, destination)], dtype=np.int8)

    def pairs(self) -> pd.DataFrame:
        """Every ordered pair of distinct authorities with ``distance_miles`` and ``border``."""
        codes = self.las["la_code"].to_numpy()
        o, d = np.meshgrid(codes, codes, indexing="ij")
        keep = o != d
        o, d = o[keep], d[keep]
        return pd.DataFrame(
            {"origin": o, "destination": d, "distance_miles": self.distance_miles(o, d), "border": self.share_border(o, d)}
        )


def _code_field(columns) -> tuple[str, str]:
    for c in CODE_FIELDS:
        if c in columns:
            return c, c[:-2] + ("nm" if c[-2:] == "cd" else "NM")
    raise InputError(None, f"no LA code field among {', '.join(columns)} (expected one of {', '.join(CODE_FIELDS)})")


def read_boundaries(path: Path, countries: tuple[str, ...] = ("E", "W")):
    """Read an ONS LAD boundary shapefile as a GeoDataFrame with ``la_code``, ``la_name``, geometry (EPSG:27700)."""
    import geopandas as gpd

    path = Path(path)
    if not path.exists():
        raise InputError(path, "boundary file not found")
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # corrupt or truncated shapefile
        raise InputError(path, f"cannot read boundary file ({exc})") from exc
    try:
        code, name = _code_field(gdf.columns)
    except InputError as exc:
        raise InputError(path, exc.problem) from None
    if name not in gdf.columns:
        raise InputError(path, f"missing column {name}")
    gdf = gdf.rename(columns={code: "la_code", name: "la_name"})[["la_code", "la_name", "geometry"]]
    keep = gdf["la_code"].astype(str).str.upper().str[0].isin(countries)
    if not keep.all():
        LOG.info(schema.Dropped(str(path), int((~keep).sum()), f"authorities outside {'/'.join(countries)}").line())
    gdf = gdf[keep].copy()
    schema.check(pd.DataFrame(gdf.drop(columns="geometry")), schema.BOUNDARIES, path)
    if gdf.crs is None or gdf.crs.to_epsg() != 27700:
        gdf = gdf.set_crs(27700, allow_override=True) if gdf.crs is None else gdf.to_crs(27700)
    if gdf.empty:
        raise InputError(path, f"no authorities of {'/'.join(countries)} in the file")
    return gdf.reset_index(drop=True)


def adjacency(gdf, tolerance_m: float = 1.0) -> dict[str, set[str]]:
    """Queen contiguity: authorities whose boundaries touch or come within ``tolerance_m`` metres.

    Generalised boundary files leave hairline gaps between neighbours, so a
    small tolerance is needed; a larger one would join authorities across estuaries.
    """
    import shapely

    geoms = gdf.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=tolerance_m)
    codes = gdf["la_code"].to_numpy()
    out: dict[str, set[str]] = {c: set() for c in codes}
    for i, j in zip(left, right):
        if i != j:
            out[codes[i]].add(codes[j])
            out[codes[j]].add(codes[i])
    return out


def read_region_lookup(path: Path) -> pd.DataFrame:
    """ONS LA-to-region lookup (``LADyyCD, LADyyNM, RGNyyCD, RGNyyNM``) as la_code, region_code, region_name."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "LA-to-region lookup not found")
    df = schema.read_csv(path, "LA-to-region lookup", dtype=str)
    lad = next((c for c in df.columns if re.fullmatch(r"LAD\d\dCD", c, re.I)), None)
    rgn = next((c for c in df.columns if re.fullmatch(r"RGN\d\dCD", c, re.I)), None)
    if lad is None or rgn is None:
        raise InputError(path, f"expected LADyyCD and RGNyyCD columns; {found_names(df.columns)}")
    rnm = rgn[:-2] + ("NM" if rgn.endswith("CD") else "nm")
    if rnm not in df.columns:
        raise InputError(path, f"missing column(s) {rnm}; {found_names(df.columns)}")
    out = df.rename(columns={lad: "la_code", rgn: "region_code", rnm: "region_name"})[["la_code", "region_code", "region_name"]]
    schema.check(out, schema.REGION_LOOKUP, path)
    return out


def load_geography(folder: Path, boundary_file: str | None = None, lookup_file: str | None = None) -> Geography:
    """Load the authorities of England and Wales with region, centroid and neighbours from ``folder``.

    Takes the first ``*.shp`` and the first ``*RGN*.csv`` in the folder unless named.
    """
    folder = Path(folder)
    shp = folder / boundary_file if boundary_file else next(iter(sorted(folder.glob("*.shp"))), None)
    if shp is None:
        raise InputError(folder, "no boundary shapefile (*.shp) in the geography folder")
    gdf = read_boundaries(shp)
    lu_path = folder / lookup_file if lookup_file else next(iter(sorted(folder.glob("*RGN*.csv"))), None)
    if lu_path is None:
        raise InputError(folder, "no LA-to-region lookup (*RGN*.csv) in the geography folder")
    lookup = read_region_lookup(lu_path)
    las = gdf.merge(lookup, on="la_code", how="left")
    missing = las.loc[las["region_code"].isna(), "la_code"]
    if len(missing):
        raise InputError(lu_path, f"{len(missing)} authorities of {shp.name} have no region, e.g. {', '.join(missing.head(5))}")
    cent = las.geometry.centroid
    table = pd.DataFrame(
        {
            "la_code": las["la_code"],
            "la_name": las["la_name"],
            "region_code": las["region_code"],
            "region_name": las["region_name"],
            "country": np.where(las["la_code"].str.startswith("W"), "Wales", "England"),
            "x": cent.x.to_numpy(),
            "y": cent.y.to_numpy(),
        }
    ).sort_values("la_code", ignore_index=True)
    return Geography(las=table, neighbours=adjacency(gdf), source=str(shp))
