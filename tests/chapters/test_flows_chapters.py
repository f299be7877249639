"""The flows chapters end to end on a small world: prose and captions follow the parameters (another
typology keeps no hot/cold-spot words, a selection unlike the report's withdraws the published column
with its reason, sex and exposure appear in the captions), and the default run puts the published
figures beside every reproduced model."""

from __future__ import annotations

import re

import pytest

from movers.core import paths

pytestmark = pytest.mark.slow

HOTCOLD = paths.CHAPTERS / "flows_hotcold.md"


@pytest.fixture(scope="module")
def flows_world(tmp_path_factory, make_world):
    return make_world("flows", seed=5, scale=0.1)


def captions(md: str) -> list[str]:
    return re.findall(r":::\{table\} (Table [^\n]*)", md)


def test_report_selection_shows_published_models(flows_world, tmp_path, chapter_runner):
    glued, md = chapter_runner(HOTCOLD, tmp_path / "hc.ipynb", {"data_path": str(flows_world), "models": ["Model 1", "Model 4"]})
    numbers = [c.split(":")[0] for c in captions(md)]
    assert numbers[:3] == ["Table 1", "Table 2.A", "Table 2.B"] and {"Table 2", "Table 3", "Table 4", "Table 5"} <= set(numbers)
    assert int(glued["send_published"]) == 2 * 2 + 12  # two type rows in both models, twelve controls in Model 4
    assert "– published" in md and "withdrawn" not in md
    assert "hot spots" in glued["first_plural"]
    # the report's N explained: shares of all pair-years, beside the census's non-zero share the world is calibrated to
    assert "560,504" in glued["obs_counts_text"] and "82 per cent" in glued["obs_counts_text"]


def test_other_typology_and_selection_follow_the_parameters(flows_world, tmp_path, chapter_runner):
    params = {
        "data_path": str(flows_world),
        "typology": "imd",
        "years": "2018",
        "sex": "F",
        "exposure": "rate",
        "models": ["Model 1", "Model 4"],
    }
    glued, md = chapter_runner(HOTCOLD, tmp_path / "hc_imd.ipynb", params)
    text = " ".join(str(v) for v in glued.values())
    assert "hot spot" not in text.lower() and "deprived" in text
    caps = captions(md)
    assert [c.split(":")[0] for c in caps if "receiving" in c] == [f"Table {n}" for n in range(16, 21)]
    assert any(c.startswith("Table 2.") and "outflow" in c for c in caps)  # no report table: the book's own number
    regression = [c for c in caps if "receiving" in c or "outflow" in c]
    assert all("women" in c and "per 1,000 residents" in c and "2018" in c for c in regression)
    assert "Published figures withdrawn: the report covers 2011-2018, this selection 2018." in md
    assert "– published" not in md.split("Table 2.C")[0]


def test_ons_and_imd_chapters_glue_every_number_of_their_prose(flows_world, tmp_path, chapter_runner):
    """The ONS chapter's London Cosmopolitan paragraph says either the two readings from the real files or why
    they are absent (the published figure is glued either way); the IMD chapter's census section gives the
    composition of the flows out of and into the most deprived authorities, with its tables."""
    params = {"data_path": str(flows_world), "years": "2017-2018", "models": ["Model 4"]}
    glued, md = chapter_runner(paths.CHAPTERS / "flows_ons.md", tmp_path / "ons.ipynb", params)
    assert float(glued["lc_published"]) == 726_621
    assert (
        "City of London's GVA per head is £" in glued["lc_gva_text"]
        or "cannot be computed from real data" in glued["lc_gva_text"]
    )
    assert 0 <= float(glued["within3_ztnb"]) <= 1
    assert "Table 7's 560,504 are 58 per cent" in glued["obs_counts_text"]
    glued, md = chapter_runner(paths.CHAPTERS / "flows_imd.md", tmp_path / "imd.ipynb", params)
    assert 0 < float(glued["prof_out"]) < 100 and 0 < float(glued["nonwhite_in"]) < 100
    assert sum("out of and into the authorities of each IMD quintile" in c for c in captions(md)) == 2
