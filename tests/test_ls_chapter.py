"""The LS chapter end to end on a tiny extract (papermill): every glued name produced, suppression visible in
restricted mode, and no suppressed Table 30 share leaking into the prose."""

from __future__ import annotations

import pandas as pd
import pytest

from movers import paths

from conftest import run_chapter, small_world

SRC = paths.CHAPTERS / "ls_deprived.md"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return small_world(tmp_path_factory, "ons_ls", seed=5, scale=0.03)


def _run(tmp_path, parameters):
    return run_chapter(SRC, tmp_path / "ls.ipynb", parameters)


def test_restricted_run_suppresses_small_cells(tiny, tmp_path):
    glued, md = _run(tmp_path, {"source": "restricted", "data_path": str(tiny / "ons_ls")})
    counts = pd.read_csv(paths.BUILD / "output_checking" / "ls_deprived_counts.csv")
    small = counts[counts["below_threshold"]]
    assert len(small) > 0  # this seed and scale leave small cells (disabled movers, non-white groups)
    assert "[c]" in md and "Restricted data" in md and "True value" not in md
    if ((small["table"] == "30") & (small["row"] == "Disabled")).any():
        assert "'[c]'" in (glued["dis_movers"], glued["dis_stayers"])
        assert "suppressed" in glued["dis_lower"]


def test_synthetic_run_shows_truth_and_published(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("MOVERS_SYNTHETIC", str(tiny))
    glued, md = _run(tmp_path, {"source": "synthetic", "outcomes": ["professional"], "characteristics": ["gender", "parent_class"]})
    assert "True value" in md and "Table 32" in md and "Table 31:" not in md
    assert "0.44" in md  # the published degree share of movers beside ours in Table 30
    assert "standard errors" in glued["recovery_text"]
