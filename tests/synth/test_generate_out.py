"""``generate --out`` replaces only a world it wrote (issue 25, case 5: a folder holding ``thesis.tex`` was
emptied; ``generate --out data`` deleted 25 tracked files)."""

import json

import pytest

from movers.core import paths
from movers.core.errors import InputError
from movers.synth import WORLD_FILE, check_out_folder, generate_world


def test_a_folder_generate_did_not_write_is_refused_and_left_as_it_was(tmp_path):
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "thesis.tex").write_text("chapter one")
    with pytest.raises(InputError, match="not written by generate"):
        generate_world(out, scale=0.05, only=["geography"], log=lambda *_: None)
    assert (out / "thesis.tex").read_text() == "chapter one"
    assert not (tmp_path / "thesis.tmp").exists()


def test_the_projects_data_folder_is_refused_for_its_tracked_files():
    with pytest.raises(InputError, match="tracked by git"):
        check_out_folder(paths.DATA)
    assert (paths.DATA / "sdc_rules.yml").is_file()


def test_a_new_an_empty_or_a_generated_folder_is_accepted(tmp_path):
    check_out_folder(tmp_path / "new")
    (tmp_path / "empty").mkdir()
    check_out_folder(tmp_path / "empty")
    world = tmp_path / "world"
    world.mkdir()
    (world / WORLD_FILE).write_text(json.dumps({"datasets": {}}))
    (world / "geography").mkdir()
    check_out_folder(world)


def test_a_folder_that_cannot_be_written_is_one_error_naming_it_with_nothing_left_behind(tmp_path, monkeypatch):
    """Issue 25 (10): ``generate`` into a read-only folder gave a traceback and left ``<out>.tmp`` behind.
    Root may write anywhere, so the refusal a read-only folder gives is played by the writer itself."""
    from movers import synth

    def read_only(root, *args, **kwargs):
        (root / "geography" / "part.csv").write_text("half")
        raise PermissionError(13, "Permission denied", str(root / "geography" / "las.csv"))

    monkeypatch.setattr(synth.generators()["geography"], "generate", read_only)
    out = tmp_path / "world"
    with pytest.raises(InputError, match=r"world.*cannot write the synthetic world here \(Permission denied\)"):
        generate_world(out, scale=0.05, only=["geography"], log=lambda *_: None)
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no world, no world.tmp


def test_a_read_only_copy_is_removed_whole(tmp_path):
    from movers.synth import _remove

    folder = tmp_path / "copy.tmp"
    (folder / "inner").mkdir(parents=True)
    (folder / "inner" / "a.csv").write_text("x")
    (folder / "inner" / "a.csv").chmod(0o444)
    (folder / "inner").chmod(0o555)
    _remove(folder)
    assert not folder.exists()
