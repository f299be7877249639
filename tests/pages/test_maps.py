"""Choropleth helpers: colours follow the classes, unknown codes are refused, missing values are grey."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from movers.core.errors import InputError
from movers.pages import maps
from movers.synth.geography import BOUNDARY_FILE


@pytest.fixture(scope="module")
def bounds(geo_world):
    return maps.load_boundaries(geo_world / "geography" / BOUNDARY_FILE)


def _legend(fig):
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def _face_colours(fig) -> set[str]:
    out = set()
    for coll in fig.axes[0].collections:
        out |= {to_hex(c) for c in coll.get_facecolor()}
    return out


def test_typology_map_legend_counts_and_colours(bounds):
    codes = bounds["la_code"].tolist()
    typ = pd.Series(["Hot spot"] * 100 + ["Medium"] * 150 + ["Cold spot"] * 50, index=codes[:300])
    fig = maps.typology_map(bounds, typ, order=["Hot spot", "Medium", "Cold spot"], title="SMI")
    assert _legend(fig) == ["Hot spot (100)", "Medium (150)", "Cold spot (50)", "No data (48)"]
    cols = _face_colours(fig)
    assert maps.MISSING_COLOUR in cols and len(cols) == 4
    matplotlib.pyplot.close(fig)


def test_unknown_codes_and_values_are_refused(bounds):
    with pytest.raises(InputError, match=r"typology: 1 code\(s\) not on the map, e.g. E06999999"):
        maps.typology_map(bounds, pd.Series(["a"], index=["E06999999"]))
    with pytest.raises(InputError, match="value\\(s\\) not in the legend order: b"):
        maps.typology_map(bounds, pd.Series(["a", "b"], index=bounds["la_code"][:2].tolist()), order=["a"])
    with pytest.raises(InputError, match="listed twice"):
        maps.rate_map(bounds, pd.Series([1.0, 2.0], index=[bounds["la_code"][0]] * 2))


def test_quantile_classes():
    v = pd.Series(np.arange(100, dtype=float), index=[f"E06{i:06d}" for i in range(100)])
    v.iloc[3] = np.nan
    classes, labels = maps.quantile_classes(v, k=4, digits=1)
    edges = np.quantile(v.dropna(), [0, 0.25, 0.5, 0.75, 1])
    assert labels == [f"{a:.1f} to {b:.1f}" for a, b in zip(edges[:-1], edges[1:])]
    assert pd.isna(classes.iloc[3])
    counts = classes.value_counts()
    assert counts.sum() == 99 and counts.max() - counts.min() <= 1
    assert classes.iloc[0] == labels[0] and classes.iloc[99] == labels[-1]
    assert classes.iloc[49] == labels[1] and classes.iloc[50] == labels[2]  # an edge value opens the upper class
    with pytest.raises(InputError, match="no values"):
        maps.quantile_classes(pd.Series([np.nan]))


def test_rate_map_colours_low_and_high_differently(bounds):
    rates = pd.Series(np.linspace(0, 10, len(bounds)), index=bounds["la_code"])
    fig = maps.rate_map(bounds, rates, k=5, title="Out-migration")
    leg = _legend(fig)
    assert len(leg) == 5 and all("(" in t for t in leg)
    assert len(_face_colours(fig)) == 5
    matplotlib.pyplot.close(fig)


@pytest.mark.public
def test_census_units_are_dissolved(shared_public):
    shp = next((shared_public / "lad_boundaries_2014_sgcb").glob("*.shp"))
    from movers.data.public import CENSUS_MERGED

    b = maps.load_boundaries(shp, units=CENSUS_MERGED)
    assert len(b) == 346 and b["la_code"].is_unique
    assert b.set_index("la_code").loc["E09000033", "la_name"] == "Westminster"


def test_the_legend_is_beside_the_map_never_on_it(bounds):
    """A legend inside the axes covered authorities on the rates map: it is drawn outside the map's area."""
    rates = pd.Series(np.linspace(1, 9, len(bounds)), index=bounds["la_code"].to_numpy())
    fig = maps.rate_map(bounds, rates, title="t", legend_title="Rate")
    fig.canvas.draw()
    legend = fig.axes[0].get_legend().get_window_extent()
    assert not legend.overlaps(fig.axes[0].get_window_extent())
