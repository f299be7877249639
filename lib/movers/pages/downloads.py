"""What a displayed table leaves for its download: the table as shown (CSV) and, where the page's data
source allows it, its unrounded values, in the metadata of the table's output.

The kernel half of publishing (:mod:`movers.book.publish` is the book half, which reads these records
when the book is staged). Pages may import this module; they never import ``movers.book``.

Only the table as shown leaves a restricted page: its unrounded values may hold the cells that
disclosure control replaced by ``[c]``.
"""

from __future__ import annotations

import pandas as pd

META = "movers"  # key of the output metadata a table carries
RELEASABLE_VALUES = ("synthetic", "public")  # sources whose unrounded values may leave the page

_source: str | None = None


def begin(source: str) -> None:
    """Remember the page's data source (called by ``report.setup``): tables displayed from now on
    carry their CSV, and their unrounded values unless the source is restricted."""
    global _source
    _source = source


def current_source() -> str | None:
    return _source


def table_record(shown, values, caption: str, label: str | None, index_header: str) -> dict:
    """What a displayed table leaves in its output's metadata: the table as shown (CSV) and, where the
    source allows it, its unrounded values. Empty before ``begin`` (a table shown outside a chapter)."""
    if _source is None:
        return {}
    rec = {
        "kind": "table",
        "caption": caption,
        "label": label or "",
        "source": _source,  # the source the page used, which may differ from its parameter (publish.page_source)
        "csv": shown.to_csv(index_label=index_header or "row"),
    }
    if values is not None and _source in RELEASABLE_VALUES and not values.select_dtypes("number").empty:
        indexed = not isinstance(values.index, pd.RangeIndex)
        unnamed = indexed and not any(values.index.names)
        rec["values_csv"] = values.to_csv(index=indexed, index_label="row" if unnamed else None)
    return rec
