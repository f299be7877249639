"""The report's LS figures are of quintile 1: a run on another quintile shows no published column beside
its results (issue 25, case 13: quintile-1 published columns stood beside quintile-5 results)."""

import pytest

from movers.book import params
from movers.core import paths
from movers.pages import ls_deprived as LS, micro as P


def _study(world, **overrides):
    """``ls_study`` on the chapter's defaults (``params/ls_deprived.yml``) with ``overrides``."""
    prm = params.resolve("ls_deprived", {"data_path": str(world), "outcomes": ["employed"], "characteristics": [], **overrides})
    return LS.ls_study(params=LS.LsParams(**prm))


@pytest.fixture(scope="module")
def ls_world(make_world):
    return make_world("ons_ls", 3, 0.05)


def test_quintile_5_shows_no_published_column_and_quintile_1_does(ls_world, monkeypatch, tmp_path):
    monkeypatch.setenv("MOVERS_BUILD", str(tmp_path))
    five = _study(ls_world, quintile=5)
    t30 = LS.table30(five)
    assert not [c for c in t30.frame.columns if "published" in c]
    assert "quintile 1 only" in t30.notes
    one = _study(ls_world, quintile=1)
    assert [c for c in LS.table30(one).frame.columns if "published" in c]


def test_the_prose_names_only_the_characteristics_of_the_run(ls_world, monkeypatch, tmp_path):
    """Issue 25 (13): ``characteristics=[]`` kept prose about four characteristics above empty tables."""
    monkeypatch.setenv("MOVERS_BUILD", str(tmp_path))
    none = _study(ls_world)
    assert none.facts["characteristics_text"].startswith("none on this run")
    assert P.characteristics_text(["gender", "parent_class"]) == "gender, parental class"
    for chapter in ("ls_deprived", "movers_stayers"):
        text = (paths.CHAPTERS / f"{chapter}.md").read_text()
        assert "{glue:text}`characteristics_text`" in text and "(sex, ethnicity, degree, parental class)" not in text
