"""The cache hole of issue 22: the runner must hash the open files a chapter actually reads.

With the download cache ``data/public`` present but incomplete (a partial ``fetch``: the census matrix is
there, MYEB3 is not) and a complete workplace copy ``../shared/data/public``, the runner hashed the cache
while ``flows_public`` read MYEB3 from the workplace copy, so an edit to the file read left the page
"cached". These tests build both folders in a temporary directory (no real data needed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from movers.book import params, runner
from movers.core import paths
from movers.core.errors import InputError
from movers.data import manifest

BELOW_BOOK = ("core", "data", "estimators", "sdc", "strands", "synth", "pages")
FETCH_IMPORT = re.compile(r"^\s*(from movers import .*\bfetch\b|from movers\.fetch\b|import movers\.fetch\b)", re.M)


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


def test_an_edit_to_the_open_file_flows_public_reads_changes_its_input_hash(partial_cache):
    prm = params.resolve("flows_public")
    before = runner.input_hash("flows_public", prm)
    read = manifest.main_file(paths.open_data_root(), "myeb3")  # where the chapter's MYEB3 section reads
    read.parent.mkdir(parents=True, exist_ok=True)
    read.write_text("edited\n")
    assert runner.input_hash("flows_public", prm) != before


def test_a_partial_fetch_is_the_one_folder_read_and_the_page_names_what_it_lacks(partial_cache):
    """One folder for every file of a run: the chapter, the runner's hash and the missing-data page agree."""
    cache, _ = partial_cache
    assert paths.open_data_root() == cache == runner._default_folder("public") == paths.data_dir("public")
    missing = runner.open_data_missing("flows_public", params.resolve("flows_public"))
    assert any("needs myeb3" in line and "fetch myeb3" in line for line in missing)
    assert not any("census2011_od" in line for line in missing)


def test_the_workplace_copy_is_read_while_the_cache_is_empty_and_data_path_wins(partial_cache, tmp_path):
    cache, shared = partial_cache
    for p in sorted(cache.rglob("*"), reverse=True):
        p.unlink() if p.is_file() else p.rmdir()
    (cache / ".gitkeep").write_text("")
    assert paths.open_data_root() == shared
    assert paths.open_data_root(str(tmp_path)) == tmp_path
    with pytest.raises(InputError, match="does not exist"):
        paths.open_data_root(str(tmp_path / "nowhere"))


def test_a_chapter_on_synthetic_data_hashes_the_open_files_it_reads_too(partial_cache):
    """The flows chapters read the real GVA, MYEB3 and supergroups (Table 6) whatever their source."""
    read = runner.data_inputs("flows_ons", {"source": "synthetic", "data_path": ""})
    cache = paths.open_data_root()
    assert read["open:*"] == cache
    before = runner.input_hash("flows_ons", {"source": "synthetic", "data_path": ""})
    _put(cache, "gva_la")
    assert runner.input_hash("flows_ons", {"source": "synthetic", "data_path": ""}) != before


def test_below_the_book_nothing_imports_fetch():
    """Chapters find their open files through ``core.paths`` and ``data.manifest``, never through ``fetch`` (which is
    outside the runner's code hash): no module of the layers below ``book``, and no chapter, imports it."""
    package = Path(runner.__file__).resolve().parents[1]
    files = [p for layer in BELOW_BOOK for p in (package / layer).rglob("*.py")] + sorted(paths.CHAPTERS.glob("*.md"))
    offenders = [p.name for p in files if FETCH_IMPORT.search(p.read_text())]
    assert len(files) > 30 and not offenders, offenders
