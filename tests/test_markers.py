"""Markers are explicit and checked: a test that uses a fixture implying a marker (``shared_public`` -> public,
``chapter_runner`` -> slow) but lacks it is refused at collection (tests/conftest.py)."""

from types import SimpleNamespace

import pytest


def fake_item(nodeid, fixtures, marks=()):
    return SimpleNamespace(
        nodeid=nodeid, fixturenames=list(fixtures), get_closest_marker=lambda name: name if name in marks else None
    )


@pytest.fixture
def unmarked(request):
    """The conftest's check, taken from the plugin manager (conftest modules are not imported by name)."""
    conftests = [p for p in request.config.pluginmanager.get_plugins() if str(getattr(p, "__file__", "")).endswith("conftest.py")]
    return next(p.unmarked for p in conftests if hasattr(p, "unmarked"))


def test_a_shared_public_reader_without_the_public_marker_is_named(unmarked):
    items = [
        fake_item("tests/a.py::test_reads", ["tmp_path", "shared_public"]),
        fake_item("tests/a.py::test_marked", ["shared_public"], marks=("public",)),
        fake_item("tests/a.py::test_other", ["tmp_path"]),
        fake_item("tests/b.py::test_runs_a_chapter", ["chapter_runner"], marks=("public",)),
    ]
    assert unmarked(items) == [
        "tests/a.py::test_reads uses the fixture 'shared_public' but is not marked @pytest.mark.public",
        "tests/b.py::test_runs_a_chapter uses the fixture 'chapter_runner' but is not marked @pytest.mark.slow",
    ]


def test_this_session_has_no_unmarked_test(request, unmarked):
    assert unmarked(request.session.items) == []
