"""What every chapter does to talk to the book: the data-source banner, glued numbers and figures.

Glue stores plain Python values (myst-nb cannot render numpy scalars as
text), and figures are closed after gluing so they are not shown twice.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd
from IPython import get_ipython
from IPython.display import Markdown, display

from movers.core.errors import InputError
from movers.core.paths import SOURCES
from movers.pages import downloads
from movers.pages.tables import Table

BANNERS = {
    "synthetic": (
        "warning",
        "Synthetic data",
        "Every number on this page comes from the project's synthetic world, generated from a seed "
        "to look like the report's data. These are **not findings** about England and Wales. Tables "
        "show the value that generated the data beside each estimate.",
    ),
    "public": (
        "note",
        "Public data",
        "This page was computed from open ONS / MHCLG files (`python -m movers fetch` downloads them); the page says which folder it read.",
    ),
    "restricted": (
        "important",
        "Restricted data",
        # what the page shows until its checker reports (``update_banner``): it claims no check, so a page
        # whose outputs never pass through ``movers.sdc`` (or a run that stops early) claims none either
        "This page was computed from licensed microdata. No output of this page was checked by `movers.sdc`; "
        "every output needs the data owner's output checking before release.",
    ),
}
TRANSCRIBED = (
    "note",
    "Transcribed tables",
    "The tables on this page are printed from the report's classifications and the project's variable "
    "dictionaries (`data/classifications/`, `data/dictionaries/`): no number on it is synthetic or estimated.",
)
BANNER_ID = "movers-data-banner"  # the banner's display id: the checker's account replaces it at the end of a run


def banner_markdown(source: str, text: str | None = None, transcribed: bool = False) -> str:
    """MyST admonition announcing which kind of data produced the page (``text`` replaces the default words);
    ``transcribed``: a page of tables copied from publications, whatever the source parameter."""
    kind, title, default = TRANSCRIBED if transcribed else BANNERS[source]
    return f":::{{admonition}} {title}\n:class: {kind}\n\n{text or default}\n:::"


def banner(source: str, transcribed: bool = False) -> None:
    """Display the data-source banner; call it in the first cell of every chapter."""
    display(Markdown(banner_markdown(source, transcribed=transcribed)), display_id=BANNER_ID)


def update_banner(source: str, text: str) -> None:
    """Replace the page's banner (shown by ``banner`` in the first cell) with ``text``: a restricted page's
    banner then states what its output checker did in this run (``sdc.banner_text``), not a claim made
    before any check. The executed notebook keeps the replaced banner (a display update)."""
    display(Markdown(banner_markdown(source, text)), display_id=BANNER_ID, update=True)


def plain(value):
    """Convert numpy scalars (and 0-d arrays) to Python numbers so myst-nb can glue them as text."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


def glue(name: str, value, display: bool = False) -> None:
    """Glue a value for ``{glue:text}`` use in prose. Returns nothing, so a cell that ends with a glue
    call shows no stray copy of the value on the page."""
    from myst_nb import glue as _glue

    _glue(name, plain(value), display=display)


def glue_figure(name: str, fig) -> None:
    """Glue a matplotlib figure for ``{glue:figure}`` and close it."""
    import matplotlib.pyplot as plt
    from myst_nb import glue as _glue

    _glue(name, fig, display=False)
    plt.close(fig)


class Page:
    """One chapter's page in its kernel: the data source it was computed from, given once by ``setup`` and
    held here (not in a module global), so what leaves the page is decided by the page that shows it.

    ``install(shell)`` makes the notebook's own shell display every ``tables.Table`` through this page
    (``downloads.with_record``: the table and its record for the download, unrounded values only where
    ``source`` releases them). Two pages in one process, each on its own shell, never see each other's source."""

    def __init__(self, source: str):
        self.source = source

    def markdown(self, table) -> tuple[str, dict]:
        return downloads.with_record(table, self.source)

    def install(self, shell) -> None:
        """Show tables on ``shell`` through this page, replacing the page a previous ``setup`` installed."""
        old = getattr(shell, "movers_page", None)
        if old is not None:
            old.uninstall(shell)
        shell.display_formatter.formatters["text/markdown"].for_type(Table, self.markdown)
        shell.movers_page = self

    def uninstall(self, shell) -> None:
        shell.display_formatter.formatters["text/markdown"].pop(Table, None)
        if getattr(shell, "movers_page", None) is self:
            shell.movers_page = None


def setup(source: str, transcribed: bool = False, shell=None) -> None:
    """First call of every chapter: check ``source``, start the page (``Page``) on the notebook's shell
    (``shell``, default the running IPython; none outside a kernel), show the data banner, set plotting
    defaults. ``transcribed``: the page prints tables copied from publications (the annex), and its banner says so."""
    import matplotlib
    import seaborn as sns

    if source not in SOURCES:
        raise InputError("parameter 'source'", f"must be one of {', '.join(SOURCES)}, not {source!r}")
    # statsmodels' warnings would print the install path on the page; a fit's convergence is in its
    # Estimates, and sdc.estimable turns perfect separation into an error inside its own filter
    warnings.filterwarnings("ignore", module=r"statsmodels\.")
    matplotlib.use("Agg") if not matplotlib.get_backend().lower().startswith(("module://", "inline")) else None
    sns.set_theme(style="whitegrid", context="notebook")
    pd.set_option("display.max_columns", 50)
    shell = shell if shell is not None else get_ipython()
    if shell is not None:  # tables shown from now on carry their CSV for the downloads
        Page(source).install(shell)
    banner(source, transcribed)


def note(text: str) -> None:
    """Display ``text`` as a note box, and nothing at all when it is empty (an empty ``Markdown`` would print
    its Python name on the page)."""
    if text:
        display(Markdown(f":::{{note}}\n{text}\n:::"))


def glue_many(values) -> None:
    """Glue every name -> value of a mapping (the facts an analysis returns for the prose)."""
    for name, value in values.items():
        glue(name, value)


def show(section) -> None:
    """Glue a section's prose facts and display its tables (``section`` has ``facts`` and ``tables``,
    as ``movers.strands.flows.models.Section``): the two lines every analysis cell of a thin chapter ends with."""
    glue_many(section.facts)
    display(*section.tables)
