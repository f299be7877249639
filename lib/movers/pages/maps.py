"""Choropleth maps of local authorities: typologies (categories) and rates (numbers in classes).

Why a module: every flows chapter shows where the hot and cold spots, the area
types or the deprivation quintiles are, and how out-migration rates vary, on the
same LA boundaries (real or synthetic, read by ``movers.data.geography``). The
helpers check that every coloured code is an authority of the map, draw the
authorities without a value in grey and say how many there are, and return the
matplotlib figure for ``report.glue_figure``. Continuous values are cut into
quantile classes with numpy, so no classification package is needed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from movers.core.errors import InputError
from movers.data import geography as geo

MISSING_COLOUR = "#d9d9d9"


def load_boundaries(shp, units: dict[str, str] | None = None):
    """LA polygons (``la_code, la_name, geometry``) from an ONS boundary file, with ``units`` (code -> unit) dissolved."""
    gdf = geo.read_boundaries(shp)
    if units:
        gdf = gdf.assign(la_code=gdf["la_code"].replace(units))
        names = gdf.drop_duplicates("la_code").set_index("la_code")["la_name"]
        gdf = gdf.dissolve(by="la_code", as_index=False)[["la_code", "geometry"]]
        gdf["la_name"] = gdf["la_code"].map(names)
    return gdf


def _align(boundaries, values: pd.Series, what: str) -> pd.Series:
    """Values reindexed on the map's authorities; unknown codes are an error (a wrong vintage or typo)."""
    if "la_code" not in boundaries.columns:
        raise InputError("map boundaries", "need an la_code column")
    values = pd.Series(values)
    if values.index.has_duplicates:
        raise InputError(
            what, f"authority code(s) listed twice: {', '.join(map(str, values.index[values.index.duplicated()][:5]))}"
        )
    unknown = sorted(set(values.index) - set(boundaries["la_code"]))
    if unknown:
        raise InputError(what, f"{len(unknown)} code(s) not on the map, e.g. {', '.join(map(str, unknown[:5]))}")
    return values.reindex(boundaries["la_code"].to_numpy())


def _draw(boundaries, classes: pd.Series, colours: dict, labels: Sequence[str], title: str, legend_title: str, ax=None):
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 7.5))
    else:
        fig = ax.figure
    gdf = boundaries.assign(_class=classes.to_numpy())
    n_missing = int(gdf["_class"].isna().sum())
    if n_missing:
        gdf[gdf["_class"].isna()].plot(ax=ax, color=MISSING_COLOUR, linewidth=0.1, edgecolor="white")
    for lab in labels:
        part = gdf[gdf["_class"] == lab]
        if len(part):
            part.plot(ax=ax, color=colours[lab], linewidth=0.1, edgecolor="white")
    handles = [Patch(facecolor=colours[lab], label=f"{lab} ({int((gdf['_class'] == lab).sum())})") for lab in labels]
    if n_missing:
        handles.append(Patch(facecolor=MISSING_COLOUR, label=f"No data ({n_missing})"))
    # beside the map, never on it: no corner of England and Wales is empty on every map
    ax.legend(
        handles=handles,
        title=legend_title or None,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=8,
        title_fontsize=9,
        frameon=False,
    )
    ax.set_axis_off()
    ax.set_aspect("equal")
    if title:
        ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return fig


def typology_map(
    boundaries,
    typology: pd.Series,
    order: Sequence[str] | None = None,
    title: str = "",
    legend_title: str = "",
    palette: str = "RdYlBu",
    ax=None,
):
    """Map a categorical LA typology (hot/cold spots, ONS supergroups, IMD quintiles).

    ``typology`` is indexed by LA code; ``order`` fixes the legend order and the
    colours (a diverging palette suits ordered typologies such as quintiles).
    """
    import matplotlib

    vals = _align(boundaries, typology, "typology")
    cats = list(order) if order is not None else sorted(vals.dropna().unique(), key=str)
    extra = sorted(set(vals.dropna().unique()) - set(cats), key=str)
    if extra:
        raise InputError("typology", f"value(s) not in the legend order: {', '.join(map(str, extra))}")
    cmap = matplotlib.colormaps[palette].resampled(max(len(cats), 2))
    colours = {c: cmap(i) for i, c in enumerate(cats)}
    return _draw(boundaries, vals, colours, cats, title, legend_title, ax)


def quantile_classes(values: pd.Series, k: int = 5, digits: int = 1) -> tuple[pd.Series, list[str]]:
    """Cut values into ``k`` quantile classes labelled with their ranges ("1.2 to 3.4"); NaN stays NaN."""
    v = pd.Series(values, dtype=float)
    finite = v.dropna()
    if finite.empty:
        raise InputError("map values", "no values to classify")
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, k + 1)))
    if len(edges) < 2:
        edges = np.array([finite.min(), finite.max() + 1e-9])
    idx = np.clip(np.searchsorted(edges, v.to_numpy(), side="right") - 1, 0, len(edges) - 2)
    labels = [f"{edges[i]:,.{digits}f} to {edges[i + 1]:,.{digits}f}" for i in range(len(edges) - 1)]
    out = pd.Series([labels[i] if np.isfinite(x) else np.nan for i, x in zip(idx, v.to_numpy())], index=v.index, dtype=object)
    return out, labels


def rate_map(
    boundaries,
    rates: pd.Series,
    title: str = "",
    legend_title: str = "",
    k: int = 5,
    digits: int = 1,
    palette: str = "viridis_r",
    ax=None,
):
    """Map a number per authority (an out-migration rate, GVA per head) in ``k`` quantile classes."""
    import matplotlib

    vals = _align(boundaries, rates, "rates")
    classes, labels = quantile_classes(vals, k=k, digits=digits)
    cmap = matplotlib.colormaps[palette].resampled(max(len(labels), 2))
    colours = {lab: cmap(i) for i, lab in enumerate(labels)}
    return _draw(boundaries, classes, colours, labels, title, legend_title, ax)
