"""The code reference (movers.book.apidoc) documents every module, and every function a chapter calls has its entry."""

from __future__ import annotations

import jupytext

from movers.book import apidoc, latex
from movers.core import paths


def test_every_module_has_a_page_and_imports_are_not_documented_twice():
    names = apidoc.modules()
    assert {"movers.strands.flows.models", "movers.data.public", "movers.synth.flows", "movers.pages.report"} <= set(names)
    assert "movers.__main__" not in names and names == sorted(names)
    members = apidoc.members("movers.pages.report")
    assert ("autofunction", "glue") in members and ("autofunction", "setup") in members
    assert not {m for _, m in members} & {"display", "Markdown", "InputError", "publish"}  # imported, documented at home
    assert ("autoclass", "InputError") in apidoc.members("movers.core.errors")
    page = apidoc.module_page("movers.pages.report")
    assert page.startswith("# movers.pages.report\n\n```{eval-rst}\n.. automodule:: movers.pages.report\n")
    assert ".. autofunction:: glue\n" in page and page.rstrip().endswith("```")


def test_write_lists_each_module_and_drops_pages_of_removed_modules(tmp_path, monkeypatch):
    monkeypatch.setattr(apidoc, "modules", lambda: ["movers.data.schema", "movers.core.errors"])
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "gone.md").write_text("# movers.gone\n")
    assert apidoc.write(tmp_path) == ["movers.data.schema", "movers.core.errors"]
    assert sorted(p.name for p in (tmp_path / "api").glob("*.md")) == ["core_errors.md", "data_schema.md"]
    index = (tmp_path / "api.md").read_text()
    assert ".. automodule:: movers\n" in index
    rows = [line for line in index.splitlines() if line.startswith("| [movers.")]
    assert rows[0].startswith("| [movers.data.schema](api/data_schema.md) | ") and len(rows) == 2
    assert not any("``" in r or ":func:" in r or ":class:" in r for r in rows)  # module summaries as Markdown


def test_every_function_a_chapter_calls_has_an_entry_to_link_to():
    """A chapter's list of calls links each name with {py:obj}: the name must be one the reference documents."""
    documented = {f"{m}.{member}" for m in apidoc.modules() for _, member in apidoc.members(m)}
    missing = {}
    for path in sorted(paths.CHAPTERS.glob("*.md")):
        calls = [latex.canonical(c) for c in latex.library_calls(jupytext.read(path))]
        assert calls, path.name
        if lost := [c for c in calls if c not in documented]:
            missing[path.stem] = lost
    assert missing == {}
