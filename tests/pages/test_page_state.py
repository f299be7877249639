"""No hidden state on a page (issue 22): the data source that decides what leaves a page is the page's own,
held by the ``report.Page`` that ``report.setup`` installs on the notebook's shell, never a module global."""

from __future__ import annotations

import pandas as pd
from IPython.core.events import EventManager, available_events
from IPython.core.formatters import DisplayFormatter

from movers.pages import downloads, report, tables


class Shell:
    """The two parts of an IPython shell a page uses: its display formatter and its events."""

    def __init__(self):
        self.display_formatter = DisplayFormatter()
        self.events = EventManager(self, available_events)

    def record(self, obj) -> dict:
        return self.display_formatter.format(obj)[1].get("text/markdown", {}).get(downloads.META, {})


def demo_table():
    df = pd.DataFrame({"rate": [0.12345, 0.5]}, index=pd.Index(["Hot", "Cold"], name="Spot"))
    return tables.render(df, caption="Table 2: Sending rates")


def test_setting_up_a_page_leaves_tables_outside_it_alone():
    report.setup("public")  # outside a kernel: no shell to show tables on
    assert isinstance(demo_table()._repr_markdown_(), str)  # no record leaks to a table shown elsewhere


def test_two_pages_in_one_process_keep_their_sources_apart():
    public, restricted = Shell(), Shell()
    report.setup("public", shell=public)
    report.setup("restricted", shell=restricted)
    table = demo_table()
    assert public.record(table)["source"] == "public" and "0.12345" in public.record(table)["values_csv"]
    assert restricted.record(table)["source"] == "restricted" and "values_csv" not in restricted.record(table)
    assert "0.123" in restricted.record(table)["csv"]
    report.setup("synthetic", shell=restricted)  # a setup cell run again replaces its page's source
    assert restricted.record(table)["source"] == "synthetic" and public.record(table)["source"] == "public"
    assert restricted.movers_page.source == "synthetic" and Shell().record(table) == {}
