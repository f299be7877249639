"""Adapters of the real open files (../shared/data/public) and the real geography built from them.

Every test that reads a real file skips cleanly when the workplace copy is absent;
no real file is copied into the repository (derived files go to tmp_path).
"""

from __future__ import annotations

import gzip
import math

import numpy as np
import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.data import geography as geo, public
from movers.strands.flows import public as census

pytestmark = pytest.mark.public

BOUNDARIES = (
    "lad_boundaries_2014_sgcb/Local_Authority_Districts_December_2014_Super_Generalised_Clipped_Boundaries_in_Great_Britain.shp"
)
GVA = "gva_la_1997_2015/ons_gva1997-2015.csv"
OD = "census2011_migration_od_la_simim/testdata.csv.gz"
CROSSWALK = "lad_code_harmonisation/lad_nmcd_changes.csv"
IMD10 = "imd/imd2010_england_lsoa01.csv.gz"
IMD15 = "imd/imd2015_england_lsoa11.csv"
IMD10_WEIGHTED = "imd/imd2010_england_ltla21_reaggregated.csv"

# Town-hall coordinates (WGS84) of pairs of authorities and the straight-line distance between them.
TOWN_HALLS = {
    "Manchester": (53.4794, -2.2446),
    "Leeds": (53.8019, -1.5491),
    "Liverpool": (53.4073, -2.9916),
    "Birmingham": (52.4796, -1.9030),
    "Cardiff": (51.4854, -3.1773),
    "Bristol, City of": (51.4525, -2.6005),
    "Newcastle upon Tyne": (54.9780, -1.6110),
}
PAIRS = [
    ("Manchester", "Leeds"),
    ("Liverpool", "Manchester"),
    ("Birmingham", "Manchester"),
    ("Cardiff", "Bristol, City of"),
    ("Newcastle upon Tyne", "Leeds"),
]


def _haversine_miles(a, b) -> float:
    (la1, lo1), (la2, lo2) = [(math.radians(x), math.radians(y)) for x, y in (a, b)]
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 3958.8 * math.asin(math.sqrt(h))


@pytest.fixture(scope="module")
def real_geo(shared_public, tmp_path_factory):
    """The 348 real authorities, built once through the cached adapter."""
    return public.real_geography(shared_public / BOUNDARIES, shared_public / GVA, tmp_path_factory.mktemp("geo_cache"))


# --------------------------------------------------------------------------- regions


def test_region_lookup_covers_the_348_authorities_of_england_and_wales(shared_public, tmp_path):
    lu = public.region_lookup(shared_public / GVA)
    assert list(lu.columns) == ["LAD14CD", "LAD14NM", "RGN14CD", "RGN14NM"]
    assert len(lu) == 348 and lu["LAD14CD"].is_unique
    counts = lu["RGN14NM"].value_counts()
    assert counts["London"] == 33 and counts["Wales"] == 22 and counts["South East"] == 67 and counts["North East"] == 12
    assert set(lu.loc[lu["RGN14NM"] == "Wales", "LAD14CD"].str[:3]) == {"W06"}
    assert lu.set_index("LAD14NM").loc["Manchester", "RGN14CD"] == "E12000002"
    # written in the layout the geography loader reads, and matching the boundary file exactly
    path = public.write_region_lookup(shared_public / GVA, tmp_path)
    back = geo.read_region_lookup(path)
    shp = geo.read_boundaries(shared_public / BOUNDARIES)
    assert set(back["la_code"]) == set(shp["la_code"])


def test_region_lookup_rejects_an_unknown_region(shared_public, tmp_path):
    df = pd.read_csv(shared_public / GVA)
    df.loc[df["GEOGRAPHY_CODE"] == "E08000003", "Region"] = "North-West"
    bad = tmp_path / "gva.csv"
    df.to_csv(bad, index=False)
    with pytest.raises(InputError, match=r"gva.csv: unknown region name\(s\).*North-West"):
        public.region_lookup(bad)


# --------------------------------------------------------------------------- geography


def test_real_adjacency_is_symmetric_and_only_islands_are_alone(real_geo):
    assert len(real_geo.las) == 348
    for a, ns in real_geo.neighbours.items():
        assert a not in ns
        for b in ns:
            assert a in real_geo.neighbours[b], f"{b} lists {a}? no"
    names = real_geo.las.set_index("la_code")["la_name"]
    alone = sorted(names[c] for c, ns in real_geo.neighbours.items() if not ns)
    # the three island authorities of England and Wales: no land border in the clipped boundaries
    assert alone == ["Isle of Anglesey", "Isle of Wight", "Isles of Scilly"]
    deg = np.array([len(v) for v in real_geo.neighbours.values()])
    assert 4.5 < deg.mean() < 6.0  # planar maps average just under 6; coasts and islands pull it down
    code = real_geo.las.set_index("la_name")["la_code"]
    border = lambda a, b: real_geo.share_border([code[a]], [code[b]])[0]  # noqa: E731
    assert border("Manchester", "Salford") and border("Leeds", "Bradford") and border("Westminster", "Camden")
    assert border("Monmouthshire", "Forest of Dean")  # across the England-Wales border
    assert not border("Manchester", "Leeds") and not border("Cardiff", "Bristol, City of")


@pytest.mark.parametrize("a,b", PAIRS)
def test_centroid_distances_match_known_pairs(real_geo, a, b):
    """Centroids of LA polygons are not town halls: for a large district such as Leeds (552 km2) the
    polygon centroid lies a few miles from the civic centre, so the distance between centroids may
    differ from the town-hall distance by up to about 4 miles. A kilometres/miles slip (x1.609) or a
    wrong projection would miss by far more than that."""
    code = real_geo.las.set_index("la_name")["la_code"]
    d = real_geo.distance_miles([code[a]], [code[b]])[0]
    assert d == pytest.approx(_haversine_miles(TOWN_HALLS[a], TOWN_HALLS[b]), abs=4.0)


def test_planar_miles_agree_with_great_circle_miles(real_geo):
    """The British National Grid distorts distances by less than 0.1% over England and Wales, so the
    planar distance between centroids must equal the great-circle distance between the same points."""
    import geopandas as gpd

    las = real_geo.las.set_index("la_name")
    pts = gpd.GeoSeries(gpd.points_from_xy(las["x"], las["y"]), index=las.index, crs=27700).to_crs(4326)
    for a, b in PAIRS:
        planar = real_geo.distance_miles([las.loc[a, "la_code"]], [las.loc[b, "la_code"]])[0]
        sphere = _haversine_miles((pts[a].y, pts[a].x), (pts[b].y, pts[b].x))
        assert planar == pytest.approx(sphere, rel=0.005)


def test_geography_cache_is_reused_and_keyed_by_the_files(shared_public, tmp_path):
    g1 = public.real_geography(shared_public / BOUNDARIES, shared_public / GVA, tmp_path)
    caches = list(tmp_path.glob("geography_*.json"))
    assert len(caches) == 1
    g2 = public.real_geography(shared_public / BOUNDARIES, shared_public / GVA, tmp_path)
    pd.testing.assert_frame_equal(g1.las, g2.las)
    assert g1.neighbours == g2.neighbours
    merged = public.real_geography(shared_public / BOUNDARIES, shared_public / GVA, tmp_path, merge_census=True)
    assert len(list(tmp_path.glob("geography_*.json"))) == 2
    codes = set(merged.las["la_code"])
    assert len(codes) == 346 and "E09000001" not in codes and "E06000053" not in codes
    # City of London's neighbours now border Westminster
    assert "E09000007" in merged.neighbours["E09000033"]  # Camden


def test_generate_real_geography_world(shared_public, tmp_path, monkeypatch):
    from movers.synth import generate_world, read_truth

    monkeypatch.setenv("MOVERS_PUBLIC", str(tmp_path / "nothing_fetched"))  # falls back to the workplace copy
    generate_world(tmp_path / "w", seed=1, only=["geography"], options={"geography": {"kind": "real"}}, log=lambda *_: None)
    g = geo.load_geography(tmp_path / "w" / "geography")
    assert len(g.las) == 348 and g.las.loc[g.las["la_name"] == "Manchester", "region_name"].item() == "North West"
    assert read_truth(tmp_path / "w" / "geography")["kind"] == "real"
    # the other generators run on the real authorities too, and the 2011 flows chapter reads them
    generate_world(tmp_path / "w", seed=1, scale=0.03, only=["flows"], log=lambda *_: None)
    ci = census.synthetic_census_inputs(tmp_path / "w")
    assert set(ci.od["origin"]) <= set(g.las["la_code"]) and ci.od["moves"].sum() > 0
    assert ci.types["imd"].notna().sum() == 326  # IMD ranks England's real 326 authorities


# --------------------------------------------------------------------------- GVA


def test_gva_long_table(shared_public):
    gva = public.read_gva(shared_public / GVA)
    assert set(gva["year"]) == set(range(1997, 2016))
    assert gva.loc[(gva["la_code"] == "E09000001") & (gva["year"] == 2015), "gva"].item() == 46718
    pop = pd.Series({"E09000033": 200_000.0, "E06000052": 500_000.0})
    gph = public.gva_per_head(gva, pop, 2011, units=public.CENSUS_MERGED)
    city_westminster = gva.loc[gva["la_code"].isin(["E09000001", "E09000033"]) & (gva["year"] == 2011), "gva"].sum()
    assert gph["E09000033"] == pytest.approx(city_westminster * 1e6 / 200_000)
    with pytest.raises(InputError, match="parameter 'year'.*no GVA for 2018"):
        public.gva_per_head(gva, pop, 2018)


def test_gva_rejects_mislabelled_and_non_numeric_files(shared_public, tmp_path):
    df = pd.read_csv(shared_public / GVA)
    df.rename(columns={"GEOGRAPHY_CODE": "LAD_CODE"}).to_csv(tmp_path / "a.csv", index=False)
    with pytest.raises(InputError, match=r"a.csv: missing column\(s\) GEOGRAPHY_CODE"):
        public.read_gva(tmp_path / "a.csv")
    df2 = df.astype({"2011": object})
    df2.loc[5, "2011"] = "n/a"
    df2.to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(InputError, match=r"b.csv: GVA: column '2011' has a non-numeric value 'n/a' \(row 7\)"):
        public.read_gva(tmp_path / "b.csv")


# --------------------------------------------------------------------------- 2011 Census matrix


def test_census_od_on_2014_codes(shared_public):
    od = public.read_census_od(shared_public / OD, public.read_crosswalk(shared_public / CROSSWALK))
    codes = set(od["origin"])
    assert len(codes) == 346 and codes == set(od["destination"])
    assert len(od) == 346 * 346
    between = od.loc[od["origin"] != od["destination"], "moves"].sum()
    assert between == 2_505_756  # MANIFEST: 2.70 M off-diagonal in GB, of which moves involving Scotland are the rest


def test_census_od_maps_cmlad_codes_with_the_crosswalk(shared_public, tmp_path):
    cw = public.read_crosswalk(shared_public / CROSSWALK)
    assert cw["E41000324"] == "E09000033" and cw["E41000052"] == "E06000052" and cw["E08000020"] == "E08000037"
    small = pd.DataFrame(
        {
            "ADDRESS_ONE_YEAR_AGO_CODE": ["E41000324", "E41000324", "E08000020", "E08000020"],
            "USUAL_RESIDENCE_CODE": ["E41000324", "E08000020", "E41000324", "E08000020"],
            "OBS_VALUE": [10, 3, 4, 20],
        }
    )
    small.to_csv(tmp_path / "nomis.csv", index=False)
    with pytest.raises(InputError, match="census-merged codes .* need the code crosswalk"):
        public.read_census_od(tmp_path / "nomis.csv")
    od = public.read_census_od(tmp_path / "nomis.csv", cw).set_index(["origin", "destination"])["moves"]
    assert od[("E09000033", "E08000037")] == 3 and od[("E08000037", "E09000033")] == 4


def test_census_matrix_counts_the_moves_outside_england_and_wales(tmp_path):
    """The moves to or from Scotland that the matrix leaves out are counted in a field of the result (they
    used to ride in ``DataFrame.attrs``, which a later merge or concat would have dropped)."""
    codes = ["E06000001", "E06000002", "S12000033"]
    moves = {("E06000001", "S12000033"): 5, ("E06000002", "S12000033"): 6, ("S12000033", "E06000001"): 7}
    moves |= {("S12000033", "E06000002"): 8, ("S12000033", "S12000033"): 100, ("E06000001", "E06000002"): 3}
    rows = [(o, d, moves.get((o, d), 0)) for o in codes for d in codes]
    pd.DataFrame(rows, columns=["ADDRESS_ONE_YEAR_AGO_CODE", "USUAL_RESIDENCE_CODE", "OBS_VALUE"]).to_csv(
        tmp_path / "nomis.csv", index=False
    )
    m = public.census_matrix(tmp_path / "nomis.csv")
    assert m.dropped_moves == 5 + 6 + 7 + 8  # within Scotland is not a move between authorities of the matrix
    assert len(m.flows) == 4 and m.flows["moves"].sum() == 3
    assert public.read_census_od(tmp_path / "nomis.csv").equals(m.flows)


def test_census_od_rejects_truncated_and_mislabelled_files(shared_public, tmp_path):
    raw = (shared_public / OD).read_bytes()
    (tmp_path / "cut.csv.gz").write_bytes(raw[: len(raw) // 2])  # a download stopped half way
    with pytest.raises(InputError, match="cut.csv.gz: cannot read 2011 Census origin-destination matrix"):
        public.read_census_od(tmp_path / "cut.csv.gz")
    with gzip.open(shared_public / OD, "rt") as fh:
        head = [next(fh) for _ in range(5001)]
    (tmp_path / "lines.csv").write_text("".join(head))  # cut at a line end: parses, but the matrix is incomplete
    with pytest.raises(InputError, match=r"lines.csv: incomplete matrix: 5,000 rows"):
        public.read_census_od(tmp_path / "lines.csv")
    (tmp_path / "label.csv").write_text(head[0].replace("MIGRATIONS", "FLOWS") + "".join(head[1:4]))
    with pytest.raises(InputError, match="label.csv: no moves column"):
        public.read_census_od(tmp_path / "label.csv")


# --------------------------------------------------------------------------- IMD 2010


def test_imd2010_quintiles(shared_public):
    placed = public.imd2010_authorities(shared_public / IMD10, shared_public / IMD15)
    la = placed.table
    assert len(la) == 326 and la["la_code"].str[0].eq("E").all()
    assert sorted(la["imd_quintile"].value_counts()) == [65, 65, 65, 65, 66]
    # official IMD 2010 "rank of average score": Liverpool 1st, Hackney 2nd
    assert la.loc[la["imd_rank"] == 1, "la_code"].item() == "E08000012"
    assert la.loc[la["la_code"] == "E09000012", "imd_rank"].item() <= 3
    assert placed.unplaced < 50 and placed.placed_by_code > 700 and placed.n_lsoa == 32482
    assert la.groupby("imd_quintile")["imd_score"].mean().is_monotonic_decreasing


def test_lsoa_average_is_close_to_the_population_weighted_average(shared_public):
    """Why the unweighted LSOA mean is acceptable: against humaniverse's population-weighted
    re-aggregation (2021 codes; compared on the authorities whose codes did not change) the ranks
    agree almost perfectly."""
    la = public.imd2010_la(shared_public / IMD10, shared_public / IMD15)
    w = pd.read_csv(shared_public / IMD10_WEIGHTED)
    m = la.merge(w, left_on="la_code", right_on="ltla21_code")
    assert len(m) > 290
    assert m[["imd_score", "Score"]].corr(method="spearman").iloc[0, 1] > 0.99
    assert (m["imd_score"] - m["Score"]).abs().median() < 0.5


def test_imd_rejects_truncated_or_mislabelled_files(shared_public, tmp_path):
    df = pd.read_csv(shared_public / IMD10, nrows=2000)
    df.to_csv(tmp_path / "short.csv", index=False)
    with pytest.raises(InputError, match="short.csv: only 2,000 LSOAs"):
        public.imd2010_la(tmp_path / "short.csv", shared_public / IMD15)
    df.rename(columns={"IMD_score": "score"}).to_csv(tmp_path / "label.csv", index=False)
    with pytest.raises(InputError, match=r"label.csv: missing column\(s\) IMD_score"):
        public.imd2010_la(tmp_path / "label.csv", shared_public / IMD15)


def test_imd_official_headers_are_understood(shared_public, tmp_path):
    """The official release names its columns "LSOA CODE" and "IMD SCORE"; the adapter maps them."""
    df = pd.read_csv(shared_public / IMD10, usecols=["lsoa01_code", "IMD_score"]).rename(
        columns={"lsoa01_code": "LSOA CODE", "IMD_score": "IMD SCORE"}
    )
    df.to_csv(tmp_path / "official_layout.csv", index=False)
    a = public.imd2010_la(tmp_path / "official_layout.csv", shared_public / IMD15)
    b = public.imd2010_la(shared_public / IMD10, shared_public / IMD15)
    pd.testing.assert_frame_equal(a, b)
    (tmp_path / "x.xls").write_bytes(b"not an excel file")
    with pytest.raises(InputError, match="x.xls: (cannot read|reading .xls needs)"):
        public.imd2010_la(tmp_path / "x.xls", shared_public / IMD15)
