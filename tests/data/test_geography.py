import numpy as np
import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.data import geography
from movers.synth.geography import BOUNDARY_FILE, LOOKUP_FILE


def test_synthetic_geography_has_the_real_structure(geo_world):
    g = geography.load_geography(geo_world / "geography")
    las = g.las
    assert len(las) == 348
    counts = las["region_name"].value_counts()
    assert counts["London"] == 33 and counts["Wales"] == 22 and counts["South East"] == 67
    assert las["la_code"].str[:3].value_counts().to_dict() == {"E07": 201, "E06": 56, "E08": 36, "E09": 33, "W06": 22}


def test_adjacency_is_symmetric_and_everyone_has_neighbours(geo_world):
    g = geography.load_geography(geo_world / "geography")
    for a, ns in g.neighbours.items():
        assert ns, f"{a} has no neighbour"
        assert a not in ns
        for b in ns:
            assert a in g.neighbours[b]
    deg = np.array([len(v) for v in g.neighbours.values()])
    assert 4 <= deg.mean() <= 8  # planar maps average just under 6


def test_neighbours_are_closer_than_non_neighbours(geo_world):
    p = geography.load_geography(geo_world / "geography").pairs()
    assert len(p) == 348 * 347
    assert p.loc[p.border == 1, "distance_miles"].median() < 0.3 * p.loc[p.border == 0, "distance_miles"].median()
    # symmetric distances
    d = p.set_index(["origin", "destination"])["distance_miles"]
    a, b = p.iloc[0][["origin", "destination"]]
    assert d[(a, b)] == pytest.approx(d[(b, a)])


def test_unknown_code_in_distance_is_named(geo_world):
    g = geography.load_geography(geo_world / "geography")
    with pytest.raises(InputError, match="unknown LA code.*E06999999"):
        g.distance_miles(["E06999999"], [g.las.la_code.iloc[0]])


def test_lookup_missing_an_authority_is_an_error(geo_world, tmp_path):
    import shutil

    folder = tmp_path / "geo"
    shutil.copytree(geo_world / "geography", folder)
    lu = pd.read_csv(folder / LOOKUP_FILE)
    lu.iloc[1:].to_csv(folder / LOOKUP_FILE, index=False)
    with pytest.raises(InputError, match=r"LAD14_RGN14_EW_LU.csv: 1 authorities .* have no region"):
        geography.load_geography(folder)


def test_malformed_codes_and_missing_files(geo_world, tmp_path):
    import geopandas as gpd

    gdf = gpd.read_file(geo_world / "geography" / BOUNDARY_FILE)
    gdf.loc[0, "lad14cd"] = "E0X000001"
    bad = tmp_path / "bad.shp"
    gdf.to_file(bad)
    with pytest.raises(InputError, match="bad.shp: malformed LA code"):
        geography.read_boundaries(bad)
    with pytest.raises(InputError, match="boundary file not found"):
        geography.read_boundaries(tmp_path / "none.shp")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no boundary shapefile"):
        geography.load_geography(tmp_path / "empty")


@pytest.mark.public
def test_real_2014_boundaries_give_348_authorities_of_england_and_wales(shared_public):
    shp = next((shared_public / "lad_boundaries_2014_sgcb").glob("*.shp"))
    gdf = geography.read_boundaries(shp)
    assert len(gdf) == 348
    adj = geography.adjacency(gdf, tolerance_m=50)
    lonely = sorted(c for c, n in adj.items() if not n)
    assert "E06000053" in lonely  # Isles of Scilly: an island authority with no land border
