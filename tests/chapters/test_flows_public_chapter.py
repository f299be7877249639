"""The flows_public chapter on the real open files: it runs, glues what its prose cites, and its figures are
the real ones (346 census areas, 332 published coefficients beside an estimate). Skips without ../shared."""

from __future__ import annotations

import pytest

from movers.core import paths

pytestmark = [pytest.mark.slow, pytest.mark.public]


def test_flows_public_runs_on_the_real_files(shared_public, tmp_path, monkeypatch, chapter_runner):
    monkeypatch.setenv("MOVERS_PUBLIC", str(tmp_path / "nothing_fetched"))  # read the workplace copy
    glued, _ = chapter_runner(
        paths.ROOT / "chapters" / "flows_public.md", tmp_path / "out.ipynb", {"source": "public", "data_path": str(shared_public)}
    )
    assert glued["n_units"] == "346" and glued["n_england"] == "324" and float(glued["moves_between"]) == 2_505_756
    assert glued["n_published"] == "332"  # Tables 7-15 (9 x 28) and 16-20 (5 x 16)
    assert 50 < float(glued["sign_nonzero"]) <= 100 and 0 <= float(glued["within_full"]) <= 100
    assert glued["max_rise_year"] == "'2017'"  # ONS's change to student moves shows in MYEB3
    text = (paths.ROOT / "chapters" / "flows_public.md").read_text()
    assert "zero flows included, as in the report" not in text and "same specification" not in text  # issue 13, item 3
    # issue 24: clustered SEs beside the robust ones, the surviving claims, PPML, borders and the IMD weighting
    assert glued["claims_n"] == "332" and glued["claims_sig"] == "318"
    assert int(glued["claims_twoway"]) < int(glued["claims_robust"]) <= 318
    assert float(glued["ratio_sending_origin"]) > 1.5 and float(glued["ratio_receiving_destination"]) > 1.5
    assert -2 < float(glued["ppml_distance"]) < 0 < float(glued["ppml_border"])
    assert "3 get no shared border" in glued["estuary_text"] and "20 authorities change quintile" in glued["imd_text"]
