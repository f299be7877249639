"""Seaborn figures of the flows chapters: type-to-type rate heatmaps and age profiles of migration.

Functions return a matplotlib Figure (not shown) so chapters can glue it with
``movers.pages.report.glue_figure``, which also closes it.
"""

from __future__ import annotations

import textwrap

import pandas as pd


def rate_heatmap(rates: pd.DataFrame, title: str = "", fmt: str = ".2f"):
    """Heatmap of a sending x receiving rate matrix (per cent of the sending population).

    Why a heatmap: the report's descriptive tables are square matrices whose
    diagonal (moves within the same type) dominates; colour makes that visible at once.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    n = max(len(rates), 3)
    fig, ax = plt.subplots(figsize=(1.1 * n + 3, 0.7 * n + 2))
    sns.heatmap(
        rates.astype(float),
        annot=True,
        fmt=fmt,
        cmap="rocket_r",
        cbar_kws={"label": "moves per 100 residents of the sending type"},
        ax=ax,
    )
    ax.set_xlabel("Receiving area type")
    ax.set_ylabel("Sending area type")
    # long names (ONS supergroups) are wrapped onto two lines, never cut
    ax.set_xticklabels([textwrap.fill(t.get_text(), 22) for t in ax.get_xticklabels()], rotation=35, ha="right")
    ax.set_yticklabels([textwrap.fill(t.get_text(), 22) for t in ax.get_yticklabels()], rotation=0)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def age_profile(long: pd.DataFrame, title: str = ""):
    """Out-migration rate by five-year age band, one line per sending type (all destinations together).

    ``long`` is ``movers.strands.flows.models.rates_by(..., by="age")``: columns age, Sending, Receiving, rate.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    out = long.groupby(["age", "Sending"], sort=False, as_index=False)["rate"].sum()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    sns.lineplot(data=out, x="age", y="rate", hue="Sending", marker="o", ax=ax, sort=False)
    ax.set_xlabel("Age band")
    ax.set_ylabel("moves to another authority\nper 100 residents")
    ax.tick_params(axis="x", rotation=45)
    # beside the plot, never over a line
    ax.legend(title="Sending area type", fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def zero_bias_plot(bias: pd.DataFrame, title: str = ""):
    """Estimates of Model 4 from non-zero flows and from the full matrix, as distances from the truth in SEs;
    with no truth known (real data), the estimates themselves with two SEs either side. ``title`` gets
    ": distance from the truth" or ": estimates (no truth known)" appended."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    known = bias["z"].notna().any()
    x = "z" if known else "estimate"
    d = bias.dropna(subset=[x])
    fig, ax = plt.subplots(figsize=(8, 0.35 * d["row"].nunique() + 1.5))
    sns.pointplot(data=d, y="row", x=x, hue="sample", linestyle="none", dodge=0.4, ax=ax, errorbar=None)
    ax.axvline(0, color="grey", lw=1)
    if known:
        for v in (-3, 3):
            ax.axvline(v, color="grey", lw=0.8, ls="--")
    else:
        rows = list(dict.fromkeys(d["row"]))
        for i, (_, g) in enumerate(d.groupby("sample", sort=False)):
            pos = g["row"].map({r: k for k, r in enumerate(rows)}) + (i - 1) * 0.4 / 3
            ax.errorbar(g["estimate"], pos, xerr=2 * g["se"], fmt="none", color="grey", lw=0.8)
    # the legend beside the plot, never over a point
    sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, title="Sample")
    ax.set_xlabel("(estimate - true value) / SE" if known else "estimate (two SEs either side)")
    ax.set_ylabel("")
    if title:
        ax.set_title(title + (": distance from the truth" if known else ": estimates (no truth known)"))
    fig.tight_layout()
    return fig
