"""Synthetic local-authority geography of England and Wales.

348 local authorities in the 9 English regions and Wales, with the real
number of districts of each kind (E06 unitary, E07 non-metropolitan, E08
metropolitan, E09 London borough, W06 Welsh) per region. Centroids are
scattered around each region's real location on the British National Grid,
cells are the Voronoi polygons of the centroids, so neighbouring authorities
share borders as real ones do.

Written in the formats of the real ONS files, so the same loader reads both:

- ``Local_Authority_Districts_December_2014_Super_Generalised_Clipped_Boundaries_in_Great_Britain.shp``
  (fields ``objectid, lad14cd, lad14nm, lad14nmw, st_areasha, st_lengths``; EPSG:27700);
- ``LAD14_RGN14_EW_LU.csv``, the ONS LA-to-region lookup (``LAD14CD, LAD14NM, RGN14CD, RGN14NM``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from movers.data import geography as geo, manifest, public
from movers.data.geography import BOUNDARY_FILE
from movers.synth import rng_for, write_truth

NAME = "geography"
REQUIRES: tuple[str, ...] = ()

LOOKUP_FILE = "LAD14_RGN14_EW_LU.csv"

# code, name, centre (BNG km), spread (km), districts by kind {E06, E07, E08, E09, W06}
REGIONS = [
    ("E12000001", "North East", (420, 575), 35, {"E06": 7, "E08": 5}),
    ("E12000002", "North West", (360, 450), 45, {"E06": 6, "E07": 18, "E08": 15}),
    ("E12000003", "Yorkshire and The Humber", (450, 445), 45, {"E06": 5, "E07": 7, "E08": 9}),
    ("E12000004", "East Midlands", (465, 335), 50, {"E06": 4, "E07": 36}),
    ("E12000005", "West Midlands", (385, 285), 45, {"E06": 4, "E07": 19, "E08": 7}),
    ("E12000006", "East of England", (575, 265), 55, {"E06": 6, "E07": 41}),
    ("E12000007", "London", (530, 180), 13, {"E09": 33}),
    ("E12000008", "South East", (480, 135), 65, {"E06": 12, "E07": 55}),
    ("E12000009", "South West", (300, 95), 75, {"E06": 12, "E07": 25}),
    ("W92000004", "Wales", (280, 265), 50, {"W06": 22}),
]

_SYLLABLES = [
    "ash",
    "bury",
    "cal",
    "dun",
    "el",
    "fen",
    "gar",
    "hol",
    "ing",
    "kirk",
    "ley",
    "mor",
    "nor",
    "ock",
    "pen",
    "ram",
    "stan",
    "thorn",
    "ul",
    "ven",
    "wick",
    "yar",
    "brad",
    "combe",
    "field",
    "ford",
    "ham",
    "mere",
    "ton",
    "wold",
]


def _names(rng: np.random.Generator, n: int) -> list[str]:
    names: set[str] = set()
    out = []
    while len(out) < n:
        k = rng.integers(2, 4)
        name = "".join(rng.choice(_SYLLABLES, size=k)).capitalize()
        if name not in names:
            names.add(name)
            out.append(name)
    return out


def layout(seed: int) -> pd.DataFrame:
    """Centroids, codes, names and regions of the synthetic authorities (no geometry)."""
    rng = rng_for(seed, NAME)
    rows = []
    counters: dict[str, int] = {}
    for rcode, rname, (cx, cy), spread, kinds in REGIONS:
        for kind, n in kinds.items():
            for _ in range(n):
                counters[kind] = counters.get(kind, 0) + 1
                # metropolitan districts and boroughs cluster near the region's core
                s = spread * (0.45 if kind in ("E08", "E09") else 1.0)
                x, y = rng.normal(cx, s), rng.normal(cy, s * 1.1)
                rows.append(
                    {"la_code": f"{kind}{counters[kind]:06d}", "region_code": rcode, "region_name": rname, "x_km": x, "y_km": y}
                )
    df = pd.DataFrame(rows)
    # separate near-coincident points so every cell has a sensible size
    pts = df[["x_km", "y_km"]].to_numpy()
    for _ in range(30):
        d = pts[:, None, :] - pts[None, :, :]
        dist = np.hypot(d[..., 0], d[..., 1]) + np.eye(len(pts)) * 1e9
        push = (d / dist[..., None] ** 2 * (dist < 8)[..., None]).sum(axis=1)
        pts = pts + 4.0 * push
    df[["x_km", "y_km"]] = pts
    df["la_name"] = _names(rng, len(df))
    return df


def generate(root: Path, seed: int, scale: float, kind: str = "synthetic") -> None:
    """Write the boundary shapefile, the LA-to-region lookup and truth.json into ``root/geography``.

    ``kind="real"`` writes England and Wales's real 2014 authorities instead (see ``write_real``).
    """
    import geopandas as gpd
    import shapely

    folder = Path(root) / NAME
    if kind == "real":
        return write_real(folder, seed)
    if kind != "synthetic":
        raise ValueError(f"geography kind must be 'synthetic' or 'real', not {kind!r}")
    df = layout(seed)
    pts = shapely.points(df["x_km"].to_numpy() * 1000, df["y_km"].to_numpy() * 1000)
    hull = shapely.convex_hull(shapely.multipoints(pts)).buffer(15000)
    cells = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=hull)
    # voronoi_polygons returns cells in arbitrary order: match each to the point inside it
    polys = list(shapely.get_parts(cells))
    tree = shapely.STRtree(polys)
    idx = tree.query(pts, predicate="within")
    geom = [None] * len(pts)
    for p_i, c_i in zip(*idx):
        geom[p_i] = shapely.intersection(polys[c_i], hull)
    if any(g is None for g in geom):
        raise RuntimeError("synthetic geography: a centroid fell outside every Voronoi cell")
    gdf = gpd.GeoDataFrame(
        {
            "objectid": np.arange(1, len(df) + 1),
            "lad14cd": df["la_code"],
            "lad14nm": df["la_name"],
            "lad14nmw": np.where(df["la_code"].str.startswith("W"), df["la_name"], ""),
            "st_areasha": [g.area for g in geom],
            "st_lengths": [g.length for g in geom],
        },
        geometry=geom,
        crs="EPSG:27700",
    )
    gdf.to_file(folder / BOUNDARY_FILE, engine="pyogrio")
    lookup = pd.DataFrame(
        {"LAD14CD": df["la_code"], "LAD14NM": df["la_name"], "RGN14CD": df["region_code"], "RGN14NM": df["region_name"]}
    )
    lookup.to_csv(folder / LOOKUP_FILE, index=False)
    write_truth(folder, {"n_las": len(df), "regions": {r[1]: sum(r[4].values()) for r in REGIONS}, "seed": seed})


def write_real(folder: Path, seed: int) -> None:
    """Write the real 2014 boundaries of England and Wales (same file names and fields) and their region lookup.

    Why: with the real map, every synthetic dataset built on this folder (flows,
    covariates, panels) runs on the real 348 authorities, real centroids and real
    shared borders, so distance and border effects are simulated on the geometry
    the report used. The files come from ``python -m movers fetch lad_boundaries_2014
    gva_la`` (or the workplace copy in ``../shared/data/public``), found by ``manifest.open_data``.
    """
    shp = manifest.open_data("lad_boundaries_2014")
    gva = manifest.open_data("gva_la")
    gdf = geo.read_boundaries(shp)
    gdf = gdf.assign(
        objectid=np.arange(1, len(gdf) + 1),
        lad14cd=gdf["la_code"],
        lad14nm=gdf["la_name"],
        lad14nmw="",
        st_areasha=gdf.geometry.area,
        st_lengths=gdf.geometry.length,
    )[["objectid", "lad14cd", "lad14nm", "lad14nmw", "st_areasha", "st_lengths", "geometry"]]
    gdf.to_file(Path(folder) / BOUNDARY_FILE, engine="pyogrio")
    lookup = public.region_lookup(gva)
    missing = sorted(set(gdf["lad14cd"]) - set(lookup["LAD14CD"]))
    if missing:
        raise ValueError(f"{gva}: no region for {', '.join(missing[:5])}")
    lookup[lookup["LAD14CD"].isin(gdf["lad14cd"])].to_csv(Path(folder) / LOOKUP_FILE, index=False)
    regions = lookup["RGN14NM"].value_counts().to_dict()
    write_truth(folder, {"n_las": len(gdf), "kind": "real", "boundaries": str(shp), "regions": regions, "seed": seed})
