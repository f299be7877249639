"""The flows_yearly chapter on the real open files: it runs, glues what its prose cites, its Model 1 is the
real MYEB3 one beside Table 7, and it names the controls it left out. Skips without ../shared."""

from __future__ import annotations

import pytest

from movers.core import paths

pytestmark = pytest.mark.slow


@pytest.mark.public
def test_flows_yearly_runs_on_the_real_files(shared_public, tmp_path, monkeypatch, chapter_runner):
    monkeypatch.setenv("MOVERS_PUBLIC", str(tmp_path / "nothing_fetched"))  # read the workplace copy
    glued, markdown = chapter_runner(
        paths.ROOT / "chapters" / "flows_yearly.md", tmp_path / "out.ipynb", {"source": "public", "data_path": str(shared_public)}
    )
    assert "Synthetic data" not in markdown and "Not computed" not in glued["inputs_text"]
    assert "MYEB3" in glued["inputs_text"] and "born outside the UK" in glued["omitted_text"]
    assert "Model 1 is fitted on 2,784 authority-years (2011-2018)" in glued["supergroup_text"]
    assert "ONS's own MYEB3 estimates" in glued["headline_text"] and "correlation 0.99" in glued["headline_text"]
    assert "Table 16 models flows *from*" in glued["imd_text"]
