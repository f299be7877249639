"""The cache hole of issue 22: the runner must hash the open files a chapter actually reads.

With the download cache ``data/public`` present but incomplete (a partial ``fetch``: the census matrix is
there, MYEB3 is not) and a complete workplace copy ``../shared/data/public``, the runner hashed the cache
while ``flows_public`` read MYEB3 from the workplace copy, so an edit to the file read left the page
"cached". These tests build both folders in a temporary directory (no real data needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from movers import fetch
from movers.book import params, runner
from movers.core import paths
from movers.data import manifest


def _put(folder: Path, dataset: str, text: str = "x\n") -> Path:
    """Write a stand-in for the main file of ``dataset`` where the manifest says it sits under ``folder``."""
    d = manifest.load()[dataset]
    path = folder / d["folder"] / d["main"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def partial_cache(tmp_path, monkeypatch):
    """A fetch cache holding the census matrix only, and a workplace copy holding the census matrix and MYEB3."""
    cache, shared = tmp_path / "public", tmp_path / "shared_public"
    _put(cache, "census2011_od")
    for dataset in ("census2011_od", "myeb3"):
        _put(shared, dataset)
    monkeypatch.setenv("MOVERS_PUBLIC", str(cache))
    monkeypatch.setattr(paths, "SHARED_PUBLIC", shared)
    monkeypatch.setattr(paths, "BUILD", tmp_path / "_build")
    monkeypatch.setattr(runner, "INDEX", runner._ContentIndex())
    return cache, shared


@pytest.mark.xfail(strict=True, reason="issue 22: the runner hashes data/public while flows_public reads ../shared")
def test_an_edit_to_the_open_file_flows_public_reads_changes_its_input_hash(partial_cache):
    prm = params.resolve("flows_public")
    before = runner.input_hash("flows_public", prm)
    read = manifest.local_path(fetch.public_root(probe="myeb3"), "myeb3")  # where the chapter's MYEB3 section reads
    read.write_text("edited\n")
    assert runner.input_hash("flows_public", prm) != before
