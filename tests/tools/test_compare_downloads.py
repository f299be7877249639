"""tools/compare_downloads.py: two downloads folders with the same files agree (exit 0); one changed cell is a
difference named by its row, column and both values (exit 1); a file in one folder only is listed."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("compare_downloads", ROOT / "tools" / "compare_downloads.py")
tool = importlib.util.module_from_spec(spec)
sys.modules["compare_downloads"] = tool
spec.loader.exec_module(tool)

TABLE = "Supergroup,Model 1,Model 2\nAffluent England,0.12,0.30\nLondon Cosmopolitan,-0.41,-0.22\n"


def downloads(root: Path, table: str = TABLE) -> Path:
    (root / "flows_hotcold").mkdir(parents=True)
    (root / "flows_hotcold" / "table-2.csv").write_text(table)
    (root / "flows_hotcold" / "fig-age.png").write_bytes(b"\x89PNG fake")
    return root


def test_identical_folders_exit_0(tmp_path, capsys):
    assert tool.main([str(downloads(tmp_path / "base")), str(downloads(tmp_path / "new"))]) == 0
    assert "2 file(s) in both, 2 identical, 0 differing" in capsys.readouterr().out


def test_one_changed_cell_is_named_and_exits_1(tmp_path, capsys):
    base = downloads(tmp_path / "base")
    new = downloads(tmp_path / "new", TABLE.replace("-0.22", "-0.23"))
    assert tool.main([str(base), str(new)]) == 1
    out = capsys.readouterr().out
    assert "differs: flows_hotcold/table-2.csv" in out
    assert "row 2 ('London Cosmopolitan'), column 'Model 2': '-0.22' -> '-0.23'" in out
    assert "fig-age.png" not in out


def test_a_file_in_one_folder_only_is_listed(tmp_path, capsys):
    base, new = downloads(tmp_path / "base"), downloads(tmp_path / "new")
    (new / "flows_hotcold" / "fig-age.png").unlink()
    assert tool.main([str(base), str(new)]) == 1
    assert f"only in {base}: flows_hotcold/fig-age.png" in capsys.readouterr().out


def test_a_missing_folder_exits_2(tmp_path):
    assert tool.main([str(tmp_path / "nowhere"), str(downloads(tmp_path / "new"))]) == 2
