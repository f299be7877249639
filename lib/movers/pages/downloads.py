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


def table_record(table, source: str) -> dict:
    """What ``table`` (a ``tables.Table``) leaves in its output's metadata on a page computed from
    ``source``: the table as shown (CSV) and, where the source allows it, its unrounded values.
    A pure function of the table and the source it is given: nothing else decides what leaves a page."""
    rec = {
        "kind": "table",
        "caption": table.caption,
        "label": table.label or "",
        "source": source,  # the source the page used, which may differ from its parameter (publish.page_source)
        "csv": table.frame.to_csv(index_label=table.index_header or "row"),
    }
    values = table.values
    if values is not None and source in RELEASABLE_VALUES and not values.select_dtypes("number").empty:
        indexed = not isinstance(values.index, pd.RangeIndex)
        unnamed = indexed and not any(values.index.names)
        rec["values_csv"] = values.to_csv(index=indexed, index_label="row" if unnamed else None)
    return rec


def with_record(table, source: str) -> tuple[str, dict]:
    """The table's Markdown and, as its output's metadata, its record for ``source``: what a page's
    display formatter returns for a table (``report.Page`` installs it)."""
    return table.to_markdown(), {META: table_record(table, source)}
