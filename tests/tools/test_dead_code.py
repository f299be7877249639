"""tools/dead_code.py reports a name of lib/ that nothing uses, and counts a use in a chapter's code cell."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("dead_code", ROOT / "tools" / "dead_code.py")
tool = importlib.util.module_from_spec(spec)
sys.modules["dead_code"] = tool
spec.loader.exec_module(tool)

CHAPTER = """# A chapter

```{code-cell} ipython3
:tags: [hide-input]
%matplotlib inline
from pkg import mod
mod.shown_in_chapter()
```
"""


def test_dead_names_are_those_used_nowhere(tmp_path):
    (tmp_path / "lib" / "pkg").mkdir(parents=True)
    (tmp_path / "lib" / "pkg" / "mod.py").write_text(
        "LIMIT = 3\n\n\ndef shown_in_chapter():\n    return 1\n\n\ndef tested():\n    return LIMIT\n\n\ndef forgotten():\n    return 2\n"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_mod.py").write_text("from pkg import mod\n\n\ndef test_it():\n    assert mod.tested() == 3\n")
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "a.md").write_text(CHAPTER)
    assert [item.name for item in tool.dead_names(tmp_path)] == ["forgotten"]


def test_chapter_code_leaves_out_options_and_magics():
    assert tool.chapter_code(CHAPTER) == "from pkg import mod\nmod.shown_in_chapter()"
