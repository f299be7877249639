"""flows_public is computed from open data by default: with the open files it reads them (one resolver,
``paths.open_data_root``); without them (a fake empty cache, no workplace copy) the runner writes an honest page
that names each missing input and the ``fetch`` command, and no synthetic number appears under its title."""

from __future__ import annotations

import nbformat
import pytest

from movers.book import build as book, params, publish, runner
from movers.core import paths


@pytest.fixture
def no_open_data(tmp_path, monkeypatch):
    """A machine with no open data: an empty download cache and no ``../shared/data/public``."""
    (tmp_path / "empty_cache").mkdir()
    monkeypatch.setenv("MOVERS_PUBLIC", str(tmp_path / "empty_cache"))
    monkeypatch.setattr(paths, "SHARED_PUBLIC", tmp_path / "no_shared")
    monkeypatch.setattr(paths, "BUILD", tmp_path / "_build")
    monkeypatch.setattr(runner, "INDEX", runner._ContentIndex())
    return tmp_path


def test_flows_public_defaults_to_open_data():
    assert params.defaults("flows_public")[0]["source"] == "public"


def test_without_open_data_the_page_names_each_input_and_the_fetch_command(no_open_data):
    prm = params.resolve("flows_public")
    missing = runner.open_data_missing("flows_public", prm)
    assert any("census2011_od" in m and "python -m movers fetch census2011_od" in m for m in missing)
    result = runner.run_chapter("flows_public", prm)  # no kernel: the page is written at once
    assert result.missing_data and not result.cached
    nb = nbformat.read(result.path, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert text.startswith("# Flows by area type in the 2011 Census matrix, on real data")
    assert "Open data not found" in text and "`python -m movers fetch census2011_od`" in text
    assert "Synthetic" not in text and "Holham" not in text and not any(c.cell_type == "code" for c in nb.cells)
    assert nb.metadata["movers"]["missing_inputs"] == missing
    items = publish.publish_notebook(nb, "flows_public", "public", no_open_data / "downloads", publish.citations())
    assert items == [] and not any(publish.CREDITS_TAG in c.metadata.get("tags", []) for c in nb.cells)  # cites no data
    assert "Not computed" in book._how_computed(nb, "flows_public", "public", publish.citations())


@pytest.mark.public
def test_the_runner_and_the_chapter_resolve_the_same_open_folder(no_open_data, monkeypatch, shared_public):
    monkeypatch.setattr(paths, "SHARED_PUBLIC", shared_public)  # the empty cache lacks the files: the workplace copy
    assert paths.open_data_root() == shared_public == runner._default_folder("public")
    assert runner.open_data_missing("flows_public", params.resolve("flows_public")) == []


@pytest.mark.public
def test_with_open_data_present_nothing_is_missing(shared_public, tmp_path, monkeypatch):
    monkeypatch.setenv("MOVERS_PUBLIC", str(tmp_path / "nothing_fetched"))
    monkeypatch.setattr(paths, "SHARED_PUBLIC", shared_public)
    assert runner.open_data_missing("flows_public", {"source": "public", "data_path": ""}) == []
    assert runner.open_data_missing("flows_public", {"source": "synthetic", "data_path": ""}) == []
