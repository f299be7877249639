"""Qualitative analyses: quantifier words, sample design and characteristics of the synthetic project,
theme recovery against the generating prevalences, co-occurrence and quote selection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from movers.book import params
from movers.core.errors import InputError
from movers.data import qual_codebook as codebook, refiqda as R
from movers.strands.qual import qualitative as Q
from movers.synth import generate_world, read_truth


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("qual") / "synthetic"
    generate_world(root, seed=11, only=["qual"], log=lambda *_: None)
    return root


@pytest.fixture(scope="module")
def words():
    """The chapter's default thresholds and word for nobody, from ``params/qualitative.yml`` (their one home)."""
    d = params.load("qualitative")[0]
    return d["thresholds"], d["none_word"]


@pytest.fixture(scope="module")
def project(world):
    return R.load(world / "qual", required=Q.REQUIRED)


@pytest.fixture(scope="module")
def truth(world):
    return read_truth(world / "qual")


@pytest.mark.parametrize(
    "share, word",
    [(0.0, "none"), (0.01, "few"), (0.1999, "few"), (0.2, "some"), (0.49, "some"), (0.5, "many"), (1.0, "many")],
)
def test_quantify_default_thresholds(share, word, words):
    assert Q.quantify(share, *words) == word


def test_quantify_custom_thresholds_and_errors():
    t = {"most": 0.75, "many": 0.4, "a few": 0.1}
    assert [Q.quantify(s, t, "none") for s in (0.8, 0.75, 0.5, 0.1, 0.05, 0)] == ["most", "most", "many", "a few", "none", "none"]
    assert Q.quantify(0.3, {"some": 0.2, "many": 0.5}, "none") == "some"  # order of the mapping does not matter
    with pytest.raises(InputError, match="parameter 'thresholds'.*between 0 and 1"):
        Q.quantify(0.3, {"many": 50}, "none")
    with pytest.raises(InputError, match="two words share one minimum"):
        Q.quantify(0.3, {"many": 0.5, "lots": 0.5}, "none")


def test_sample_design_matches_report(project, truth):
    iv = Q.interview_design(project)
    assert iv["Interviewees"].tolist() == iv["Report"].tolist() == [19, 5, 5, 10, 39]
    fg = Q.focus_group_design(project)
    assert fg["Focus groups"].sum() == 20 and fg["Participants"].sum() == codebook.REPORT_GROUP_PARTICIPANTS
    assert set(fg.index[fg["Area type"] == Q.HOT]) == set(codebook.REPORT_LOCATIONS[Q.HOT])
    assert (fg["Participants"] <= 14).all() and truth["focus_groups"] == 20


def test_characteristics_follow_report_shares(project, truth):
    cmp = Q.compare_with_report(Q.characteristics(project))
    # quotas are the report's share times the cell size, rounded: within half a person of it
    assert ((cmp["This sample"] - cmp["Report"]).abs() * cmp["Participants"] <= 0.5 + 1e-9).all(), cmp
    c = truth["quota_counts"]["Interview / Hot spot"]
    assert (c["degree_or_higher"], c["dependent_children"], c["participants"]) == (22, 13, 29)


def test_characteristics_hand_built():
    people = pd.DataFrame(
        {
            Q.METHOD: ["Interview"] * 4,
            Q.AREA: [Q.HOT, Q.HOT, Q.COLD, Q.COLD],
            Q.TYPE: ["Cold to hot spot"] * 2 + ["Cold to same cold spot"] * 2,
            Q.GENDER: ["Woman", "Man", "Woman", "Woman"],
            Q.ETHNICITY: ["White", "Asian", "White", "White"],
            Q.QUALIFICATION: [Q.DEGREE, "Level 3", Q.POSTGRAD, "Level 3"],
            Q.CHILDREN: ["yes", "no", "no", "no"],
        },
        index=list("abcd"),
    )
    proj = R.QualProject(
        "h",
        pd.DataFrame({"code": ["x"], "parent": [""], "description": [""], "color": [""], "guid": [""]}),
        people,
        {},
        R._segments_frame([]),
    )
    ch = Q.characteristics(proj)
    assert ch.loc["Women", ("Interview", Q.HOT)] == 0.5 and ch.loc["Women", ("Interview", "All")] == 0.75
    assert ch.loc["Degree or higher", ("Interview", Q.COLD)] == 0.5 and ch.loc["Dependent children", ("Interview", "All")] == 0.25
    assert ch.loc["Participants", ("Focus group", "All")] == 0


def test_theme_words_recover_generating_words(project, truth, words):
    shares = Q.theme_shares(project)
    found = Q.themes_in_words(shares, *words)
    true = Q.truth_in_words(truth, *words)
    # large groups (>= 19 people) must mostly get the generating word; a broken presence count would not
    big = ["Cold to hot spot", "Focus group, cold spot", "Focus group, hot spot"]
    assert Q.word_agreement(found[big], true[big]) >= 0.7
    # and the shares themselves are close to the prevalences in the 97-person cold-spot focus groups
    prev = pd.DataFrame(truth["theme_prevalence"]).T
    err = (shares["Focus group, cold spot"] - prev.loc[shares.index, "Focus group, cold spot"]).abs()
    assert err.max() < 0.16
    assert set(np.unique(found.to_numpy())) <= {"many", "some", "few", "none"}


def test_presence_counts_people_not_segments():
    proj = _hand_project()
    hit = Q.theme_presence(proj)
    assert hit.loc["a", "T1"] and not hit.loc["b", "T1"] and hit.loc["b", "T2"]
    shares = Q.theme_shares(proj)
    assert shares.loc["T1", "Cold to hot spot"] == 0.5  # a has T1 three times: still one person of two


def _hand_project():
    people = pd.DataFrame(
        {
            Q.METHOD: ["Interview"] * 2,
            Q.AREA: [Q.HOT] * 2,
            Q.TYPE: ["Cold to hot spot"] * 2,
            Q.GENDER: ["Woman", "Man"],
            Q.ETHNICITY: ["White"] * 2,
            Q.QUALIFICATION: [Q.DEGREE] * 2,
            Q.CHILDREN: [False, False],
        },
        index=["a", "b"],
    )
    seg = R._segments_frame(
        [
            {"segment": "1", "participant": "a", "source": "s1", "code": "T1", "start": 0, "end": 10, "text": "x"},
            {"segment": "2", "participant": "a", "source": "s1", "code": "T1", "start": 20, "end": 30, "text": "x"},
            {"segment": "3", "participant": "a", "source": "s1", "code": "T2", "start": 25, "end": 40, "text": "x"},
            {"segment": "4", "participant": "a", "source": "s1", "code": "T1", "start": 50, "end": 60, "text": "x"},
            {"segment": "5", "participant": "b", "source": "s2", "code": "T2", "start": 0, "end": 10, "text": "x"},
            {"segment": "6", "participant": "b", "source": "s2", "code": "T3", "start": 10, "end": 20, "text": "x"},
        ]
    )
    codes = pd.DataFrame({"code": ["T1", "T2", "T3"], "parent": "", "description": "", "color": "", "guid": ""})
    return R.QualProject("h", codes, people, {"s1": "y" * 60, "s2": "z" * 20}, seg)


def test_cooccurrence_by_participant_and_by_overlapping_segment():
    proj = _hand_project()
    byp = Q.cooccurrence(proj, "participant")
    assert byp.loc["T1", "T2"] == 1 and byp.loc["T2", "T3"] == 1 and byp.loc["T2", "T2"] == 2 and byp.loc["T1", "T3"] == 0
    bys = Q.cooccurrence(proj, "segment")
    # only [20,30) T1 and [25,40) T2 overlap; touching ranges [0,10) and [10,20) do not
    assert bys.loc["T1", "T2"] == bys.loc["T2", "T1"] == 1 and bys.loc["T2", "T3"] == 0 and bys.loc["T1", "T1"] == 3
    with pytest.raises(InputError, match="cooccurrence_unit"):
        Q.cooccurrence(proj, "sentence")


def test_quotes_reproducible_one_per_person_and_filtered(project):
    theme = "Housing costs"
    a = Q.select_quotes(project, theme, "Cold to hot spot", count=3, seed=5, max_chars=400)
    b = Q.select_quotes(project, theme, "Cold to hot spot", count=3, seed=5, max_chars=400)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 3 and a["Participant"].str.contains("cold to hot spot").all()
    people = project.participants
    segs = project.segments[project.segments["code"] == theme]
    assert set(a["Quote"]) <= set(segs["text"].str.strip())
    assert not Q.select_quotes(project, theme, None, count=20, seed=1, max_chars=400)["Quote"].duplicated().all()
    assert len(people) == 178
    with pytest.raises(InputError, match="unknown theme 'Weather'"):
        Q.select_quotes(project, "Weather", None, count=3, seed=0, max_chars=400)
    with pytest.raises(InputError, match="unknown interviewee type"):
        Q.select_quotes(project, theme, "Martians", count=3, seed=0, max_chars=400)


def test_synthetic_round_trip_same_codings(project):
    from movers.synth import qual as S

    built, _ = S.build(11)
    key = ["source", "start", "code"]
    pd.testing.assert_frame_equal(
        built.segments.sort_values(key).reset_index(drop=True), project.segments.sort_values(key).reset_index(drop=True)
    )
    assert project.participants.drop(columns="guid").equals(
        built.participants.reindex(columns=project.participants.columns.drop("guid"))
    )


def test_bad_attribute_values_named(tmp_path):
    proj = _hand_project()
    proj.participants.loc["a", Q.AREA] = "Lukewarm spot"
    with pytest.raises(InputError, match="'Area type' must be"):
        Q.participants_of(proj)


def test_project_location_public_falls_back_and_bad_path(world, monkeypatch, tmp_path):
    monkeypatch.setenv("MOVERS_SYNTHETIC", str(world))
    used, path, note = Q.project_location("public", "")
    assert used == "synthetic" and path == world / "qual" and "not published" in note
    project, truth, used, _ = Q.load_project("synthetic", "")
    assert truth["focus_groups"] == 20 and len(project.participants) == 178
    with pytest.raises(InputError, match="parameter 'data_path' names no file"):
        Q.project_location("restricted", str(tmp_path / "nowhere.qdpx"))
    with pytest.raises(InputError, match="source=restricted needs"):
        Q.project_location("restricted", "")


@pytest.mark.slow  # runs the chapter in a kernel (papermill)
def test_chapter_executes_on_a_small_world(world, monkeypatch, tmp_path):
    """The chapter end to end (papermill, ~8 s): every glued name is produced and nothing raises."""
    import jupytext
    import papermill as pm

    from movers.core import paths

    monkeypatch.setenv("MOVERS_SYNTHETIC", str(world))
    src = (paths.CHAPTERS / "qualitative.md").read_text()
    nb = jupytext.reads(src, fmt="md:myst")
    out = tmp_path / "q.ipynb"
    pm.execute_notebook(
        nb,
        str(out),
        parameters={"thresholds": {"many": 0.6, "some": 0.3, "few": 0.0}, "quote_count": 1},
        kernel_name="python3",
        cwd=str(paths.ROOT),
        progress_bar=False,
        log_output=False,
    )
    text = out.read_text()
    import re

    used = set(re.findall(r"\{glue:(?:text|figure)\}`?\s*(\w+)", src))
    assert used and all(f'"name": "{name}"' in text for name in used), sorted(n for n in used if f'"name": "{n}"' not in text)
    assert "Table Q.6" in text and "many 60%" in text


def test_synthetic_project_is_deterministic_per_seed(tmp_path):
    from movers.synth import qual as S

    a = R.write_qdpx(S.build(3)[0], tmp_path / "a.qdpx").read_bytes()
    b = R.write_qdpx(S.build(3)[0], tmp_path / "b.qdpx").read_bytes()
    c = R.write_qdpx(S.build(4)[0], tmp_path / "c.qdpx").read_bytes()
    assert a == b != c


def test_inverted_word_thresholds_are_refused():
    """Issue 25 (13): {"many": 0.2, "some": 0.5} was accepted, so "some" meant more people than "many"."""
    with pytest.raises(InputError, match="'many' must have a higher minimum share than 'some'"):
        Q.check_thresholds({"many": 0.2, "some": 0.5, "few": 0.0})
    assert [w for w, _ in Q.check_thresholds({"few": 0.0, "many": 0.5, "some": 0.2})] == ["many", "some", "few"]
    assert Q.check_thresholds({"often": 0.6, "many": 0.5})  # a word of no known rank keeps its place by value
