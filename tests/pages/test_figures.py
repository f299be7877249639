"""The flows chapters' charts keep their legends off the data (movers.pages.figures)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd

from movers.pages import figures


def _legend_off_the_axes(fig) -> bool:
    fig.canvas.draw()
    ax = fig.axes[0]
    return not ax.get_legend().get_window_extent().overlaps(ax.get_window_extent())


def test_distance_from_the_truth_chart_has_its_legend_beside_the_points():
    rows = [f"Row {i}" for i in range(6)]
    bias = pd.DataFrame(
        {
            "row": rows * 2,
            "sample": ["Non-zero flows"] * 6 + ["Full matrix"] * 6,
            "z": np.linspace(-2, 2, 12),
            "estimate": np.linspace(-1, 1, 12),
            "se": 0.1,
        }
    )
    assert _legend_off_the_axes(figures.zero_bias_plot(bias, "Model 4"))
    assert _legend_off_the_axes(figures.zero_bias_plot(bias.assign(z=np.nan), "Model 4"))


def test_age_profile_has_its_legend_beside_the_lines():
    long = pd.DataFrame(
        {
            "age": ["16-19", "20-24", "25-29"] * 2,
            "Sending": ["Hot"] * 3 + ["Cold"] * 3,
            "Receiving": "All",
            "rate": [1.0, 2.0, 1.5, 0.5, 1.0, 0.7],
        }
    )
    assert _legend_off_the_axes(figures.age_profile(long, "Age"))
