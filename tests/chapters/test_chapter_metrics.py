"""tools/chapter_metrics.py measures what issue 12 targets, and --check fails a chapter that misses them."""

import importlib.util
import sys
from pathlib import Path

import pytest

# slow since they sat in tests/chapters/ (when the folder decided); they read the chapters, not run them
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("chapter_metrics", ROOT / "tools" / "chapter_metrics.py")
metrics = importlib.util.module_from_spec(spec)
sys.modules["chapter_metrics"] = metrics  # dataclasses look their module up
spec.loader.exec_module(metrics)

FRONT = "---\njupytext: {}\n---\n\n# T\n\n"


def cell(body, tags="hide-input"):
    return f"```{{code-cell}} ipython3\n:tags: [{tags}]\n\n{body}\n```\n\n"


def write(tmp_path, name, text):
    p = tmp_path / f"{name}.md"
    p.write_text(text)
    return p


def test_counts_code_lines_largest_cell_and_defs(tmp_path):
    p = write(tmp_path, "a", FRONT + cell("x = 1\ny = 2") + "Prose.\n\n" + cell("def f():\n    for i in z:\n        pass"))
    ch = metrics.parse(p)
    assert ch.code == 5 and ch.largest == 3
    assert ch.count(metrics.DEF) == 1 and ch.count(metrics.LOOP) == 1
    assert abs(ch.share - 100 * 5 / ch.total) < 1e-9


def test_repeated_blocks_between_chapters_only(tmp_path):
    block = "a = 1\nb = 2\nc = 3"
    p1 = write(tmp_path, "one", FRONT + cell(block))
    p2 = write(tmp_path, "two", FRONT + cell(block + "\nd = 4"))
    p3 = write(tmp_path, "three", FRONT + cell("a = 1\nb = 2\nz = 3"))
    reps = metrics.repeated_blocks([metrics.parse(p) for p in (p1, p2, p3)])
    assert list(reps.values()) == [{"one", "two"}]


def test_check_flag_sets_exit_status(tmp_path, capsys):
    thin = write(tmp_path, "thin", FRONT + "Prose.\n" * 40 + cell("x = 1"))
    fat = write(tmp_path, "fat", FRONT + cell("\n".join(f"v{i} = {i}" for i in range(14))))
    assert metrics.main([str(thin), "--check"]) == 0
    assert metrics.main([str(fat), "--check"]) == 1
    assert metrics.main([str(fat)]) == 0
    assert "fat: misses the targets" in capsys.readouterr().err


def test_flows_chapters_meet_the_targets():
    """The three flows chapters stay thin (the other chapters are other helpers' work in progress)."""
    names = ["flows_hotcold", "flows_ons", "flows_imd"]
    assert metrics.main([str(ROOT / "chapters" / f"{n}.md") for n in names] + ["--check"]) == 0


def test_a_removed_cell_fails_unless_it_only_imports(tmp_path):
    """Only a pure import may leave its source out of the HTML; a setup call must stay unfoldable."""
    prose = "Prose.\n" * 40
    imports = write(tmp_path, "imports", FRONT + prose + cell("from movers import flows\nimport time", "remove-input"))
    setup = write(
        tmp_path, "setup", FRONT + prose + cell("from movers import flows\nctx = flows.chapter_setup(x)", "remove-input")
    )
    dropped = write(tmp_path, "dropped", FRONT + prose + cell("report.glue('n', 3)", "remove-cell"))
    assert [metrics.parse(p).removed for p in (imports, setup, dropped)] == [0, 1, 1]
    assert metrics.main([str(imports), "--check"]) == 0
    assert metrics.main([str(setup), "--check"]) == 1
    assert metrics.main([str(dropped), "--check"]) == 1


def test_no_chapter_removes_code_that_does_more_than_import():
    assert sum(metrics.parse(p).removed for p in sorted((ROOT / "chapters").glob("*.md"))) == 0


def test_a_parameters_cell_declares_one_name_a_line(tmp_path, capsys):
    """The parameters cell is not held to the cell-length target (it declares one input a line and holds no
    logic), but a line assigning several names is a miss: papermill cannot read it ("Unable to parse line",
    then "Passed unknown parameter" for each of them)."""
    many = "\n".join(f"p{i} = {i}" for i in range(16))
    long = write(tmp_path, "long", FRONT + "Prose.\n" * 60 + cell(many, "parameters"))
    assert metrics.parse(long).largest == 0 and metrics.parse(long).parameters_lines == 16
    assert metrics.main([str(long), "--check"]) == 0
    packed = write(tmp_path, "packed", FRONT + "Prose.\n" * 60 + cell('a, b = "", ""\nc = 1\nd = ""  # "" = none', "parameters"))
    assert metrics.parse(packed).unparsed == ['a, b = "", ""', 'd = ""  # "" = none']
    assert metrics.main([str(packed), "--check"]) == 1
    assert "papermill cannot parse" in capsys.readouterr().err
