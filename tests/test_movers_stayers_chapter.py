"""The BHPS-UKHLS chapter end to end on a small panel in restricted mode: small cells are suppressed,
the page names which cells were suppressed but never how many people they held, and the counts go
to the output checkers' file."""

from __future__ import annotations

import pandas as pd
import pytest

from movers import paths

from conftest import run_chapter, small_world

SRC = paths.CHAPTERS / "movers_stayers.md"


@pytest.fixture(scope="module")
def ukhls_world(tmp_path_factory):
    return small_world(tmp_path_factory, "ukhls", seed=11, scale=0.25)


def test_restricted_run_releases_no_small_counts(ukhls_world, tmp_path):
    checking = paths.BUILD / "output_checking" / "movers_stayers_counts.csv"
    checking.unlink(missing_ok=True)
    params = {"source": "restricted", "data_path": str(ukhls_world / "ukhls"), "aux_path": str(ukhls_world),
              "outcomes": ["employed"], "characteristics": ["ethnicity", "parent_nssec"]}
    glued, md = run_chapter(SRC, tmp_path / "ms.ipynb", params)
    counts = pd.read_csv(checking)
    assert set(counts.columns) == {"table", "row", "column", "count"}
    assert len(counts) > 0 and (counts["count"] < 10).all()  # at this scale some groups are small
    log_table = md[md.index("Disclosure control"):]
    assert "[c]" in md and "True value" not in md
    assert "| count" not in log_table and "count |" not in log_table
