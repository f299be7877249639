"""The LS chapter end to end on a tiny extract (papermill): every glued name produced, withheld cells visible
in restricted mode, no withheld Table 30 share in the prose, and the truth and published columns on synthetic data."""

from __future__ import annotations

import json

import pytest

from movers.core import paths

pytestmark = pytest.mark.slow

SRC = paths.CHAPTERS / "ls_deprived.md"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, make_world):
    return make_world("ons_ls", seed=5, scale=0.03)


def _run(tmp_path, chapter_runner, parameters):
    return chapter_runner(SRC, tmp_path / "ls.ipynb", parameters)


def test_restricted_run_withholds_small_cells(tiny, tmp_path, chapter_runner):
    glued, md = _run(tmp_path, chapter_runner, {"source": "restricted", "data_path": str(tiny / "ons_ls")})
    record = json.loads((tmp_path / "_build" / "output_checking" / "ls_deprived" / "record.json").read_text())
    t30 = next(o for o in record["outputs"] if o["output"] == "Table 30")
    withheld = {(c["row"], c["column"]) for c in t30["cells"] if c["outcome"] == "withheld"}
    assert withheld  # this seed and scale leave small cells (disabled movers, non-white groups)
    assert "[c]" in md and "True value" not in md and "Withheld by the output checker" in md
    for who, col in (("stayers", "Stayers"), ("movers", "Movers")):
        if ("Disabled", col) in withheld:
            assert glued[f"dis_{who}"] == "'[c]'" and "withheld" in glued["dis_lower"]


def test_synthetic_run_shows_truth_and_published(tiny, tmp_path, monkeypatch, chapter_runner):
    monkeypatch.setenv("MOVERS_SYNTHETIC", str(tiny))
    glued, md = _run(
        tmp_path,
        chapter_runner,
        {"source": "synthetic", "outcomes": ["professional"], "characteristics": ["gender", "parent_class"]},
    )
    assert "True value" in md and "Table 32" in md and "Table 31:" not in md
    assert "0.44" in md  # the published degree share of movers beside ours in Table 30
    assert "24,969 stayers" in md  # the report's numbers behind Table 30, from ls.PUBLISHED_N
    assert "standard errors" in glued["recovery_text"]


def test_restricted_table30_has_no_small_or_recoverable_share(tiny, tmp_path, chapter_runner):
    import pandas as pd

    from movers.sdc.audit import leaks, read_markdown_table
    from movers.sdc.suppression import columns_add_up
    from movers.strands.micro import ls_deprived as ls

    glued, md = _run(tmp_path, chapter_runner, {"source": "restricted", "data_path": str(tiny / "ons_ls")})
    record = json.loads((tmp_path / "_build" / "output_checking" / "ls_deprived" / "record.json").read_text())
    start = md.index(":::{table} Table 30:")
    shown = read_markdown_table(md[start : md.index("\n:::", start)])[["Stayers", "Movers"]]
    t30 = next(o for o in record["outputs"] if o["output"] == "Table 30")
    counts = pd.DataFrame(index=shown.index, columns=shown.columns, dtype=float)
    for c in t30["cells"]:
        counts.loc[c["row"], c["column"]] = c["count"]
    relations = columns_add_up(ls.PARENT_ROWS, ["Stayers", "Movers"]) + columns_add_up(ls.OCC_ROWS, ["Stayers", "Movers"])
    assert (shown == "[c]").any().any()
    assert leaks(shown, counts, relations) == []
