"""What every chapter does to talk to the book: the page (``setup`` starts a ``Page`` holding its data
source and catching its warnings), the data-source banner, glued numbers and figures.

Glue stores plain Python values (myst-nb cannot render numpy scalars as
text), and figures are closed after gluing so they are not shown twice.
"""

from __future__ import annotations

import numbers
import sys
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
from IPython import get_ipython
from IPython.display import Markdown, display
from statsmodels.base.model import Model as StatsModel

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
    banner then states what its output checker did in this run (``movers.sdc.record.banner_text``), not a claim made
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


WARNINGS_META = "movers-warnings"  # output metadata of a warnings note: what the run log lists


@dataclass(frozen=True)
class Caught:
    """One warning raised while a cell computed: its category, its message and, when a statsmodels model
    raised it, that model (``Probit: moved ~ age + sex``); ``model`` is empty when it is not known."""

    category: str
    message: str
    model: str = ""

    def line(self) -> str:
        return f"{self.category}" + (f" ({self.model})" if self.model else "") + f": {self.message}"


def _model_of(frame) -> str:
    """The statsmodels model whose method raised a warning (the nearest ``self`` on the stack that is a
    ``statsmodels`` model), described by its class and its formula or outcome; empty if none is."""
    while frame is not None:
        obj = frame.f_locals.get("self")
        if isinstance(obj, StatsModel):
            formula = getattr(obj, "formula", None)
            outcome = getattr(obj, "endog_names", None)
            what = f": {formula}" if isinstance(formula, str) else (f" of {outcome}" if isinstance(outcome, str) else "")
            return type(obj).__name__ + what
        frame = frame.f_back
    return ""


def warnings_note(caught: list[Caught]) -> str:
    """A warning box listing each distinct warning of ``caught`` once (how often it was raised, if more
    than once); empty when nothing was caught."""
    counts = Counter(caught)
    if not counts:
        return ""
    lines = [":::{admonition} Warnings raised while this cell computed", ":class: warning", ""]
    for c, n in counts.items():
        lines.append(f"* {_escape_line(c.line())}" + (f" ({n} times)" if n > 1 else ""))
    lines += ["", "The numbers above stand as computed; read them with these warnings in mind.", ":::"]
    return "\n".join(lines)


def _escape_line(text: str) -> str:
    """A warning's text on one line of Markdown: no line breaks, no markup."""
    return " ".join(str(text).split()).replace("*", "\\*").replace("_", "\\_").replace("`", "'")


class Page:
    """One chapter's page in its kernel, started by ``setup`` on the notebook's shell: nothing about the
    page lives in a module global.

    * ``source``: the data source the page was computed from. Every ``tables.Table`` shown on the shell is
      displayed through the page (``downloads.with_record``: the table and its record for the download,
      unrounded values only where ``source`` releases them). Two pages in one process, each on its own
      shell, never see each other's source.
    * ``caught``: the warnings raised while the page's cells computed. They are routed, never silenced and
      never printed to the notebook's stderr: each cell's distinct warnings are shown under it in a warning
      box (``warnings_note``), whose metadata the runner prints in its log (``logged_warnings``)."""

    def __init__(self, source: str):
        self.source = source
        self.caught: list[Caught] = []
        self._catcher = None
        self._cell_start = 0

    def markdown(self, table) -> tuple[str, dict]:
        return downloads.with_record(table, self.source)

    def install(self, shell) -> None:
        """Show tables on ``shell`` through this page and catch the warnings of each of its cells, replacing
        the page a previous ``setup`` installed."""
        old = getattr(shell, "movers_page", None)
        if old is not None:
            old.uninstall(shell)
        shell.display_formatter.formatters["text/markdown"].for_type(Table, self.markdown)
        shell.events.register("pre_run_cell", self.begin_cell)
        shell.events.register("post_run_cell", self.end_cell)
        shell.movers_page = self

    def uninstall(self, shell) -> None:
        self._release()
        shell.display_formatter.formatters["text/markdown"].pop(Table, None)
        for event, callback in (("pre_run_cell", self.begin_cell), ("post_run_cell", self.end_cell)):
            if callback in shell.events.callbacks[event]:
                shell.events.unregister(event, callback)
        if getattr(shell, "movers_page", None) is self:
            shell.movers_page = None

    def begin_cell(self, info=None) -> None:
        """Before a cell runs: catch its warnings (the filters in force stay; statsmodels' are all kept,
        not only the first of each place, so that every fit's warning is counted)."""
        self._release()
        self._catcher = warnings.catch_warnings()
        self._catcher.__enter__()
        warnings.filterwarnings("always", module=r"statsmodels\.")
        warnings.showwarning = self._collect
        self._cell_start = len(self.caught)

    def _collect(self, message, category, filename, lineno, file=None, line=None) -> None:
        self.caught.append(Caught(category.__name__, str(message), _model_of(sys._getframe(1))))

    def _release(self) -> None:
        if self._catcher is not None:
            self._catcher.__exit__(None, None, None)
            self._catcher = None

    def end_cell(self, result=None) -> str:
        """After a cell ran: stop catching, show the box of the warnings it raised (if any) under it and
        return its text."""
        self._release()
        cell = self.caught[self._cell_start :]
        self._cell_start = len(self.caught)
        text = warnings_note(cell)
        if text:
            display(Markdown(text), metadata={WARNINGS_META: sorted({c.line() for c in cell})})
        return text


def logged_warnings(nb) -> list[str]:
    """Every distinct warning an executed notebook's warning boxes list (for the run log)."""
    found: dict[str, None] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            found.update(dict.fromkeys(out.get("metadata", {}).get(WARNINGS_META) or []))
    return list(found)


def setup(source: str, transcribed: bool = False, shell=None) -> None:
    """First call of every chapter: check ``source``, start the page (``Page``: its source and its warnings)
    on the notebook's shell (``shell``, default the running IPython; none outside a kernel), show the data
    banner, set plotting defaults. ``transcribed``: the page prints tables copied from publications (the
    annex), and its banner says so."""
    import matplotlib
    import seaborn as sns

    if source not in SOURCES:
        raise InputError("parameter 'source'", f"must be one of {', '.join(SOURCES)}, not {source!r}")
    matplotlib.use("Agg") if not matplotlib.get_backend().lower().startswith(("module://", "inline")) else None
    sns.set_theme(style="whitegrid", context="notebook")
    pd.set_option("display.max_columns", 50)
    shell = shell if shell is not None else get_ipython()
    if shell is not None:
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
