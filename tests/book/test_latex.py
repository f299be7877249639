"""The PDF leaves code out and ends each chapter with the library functions it called (movers.book.latex)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from docutils import nodes

from movers.book import latex
from movers.pages import report

CELLS = [
    "%matplotlib inline\nfrom movers.pages import flows\nfrom movers.pages import report\nimport movers.pages.compare as cmp\nfrom movers.pages.tables import render as show_table",
    "ctx = flows.chapter_setup('flows_ons')  # flows.fake_in_comment(\nreport.glue_many(flows.setup_facts(ctx))",
    "cmp.model_comparison({})\nshow_table(ctx.frame)\nctx.frame.head()\nprint('report.not_a_call(')",
    "report.glue('x', 1)\nif then else:",
]


def _nb(cells=CELLS, md="Prose."):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(md)] + [nbformat.v4.new_code_cell(c) for c in cells]
    return nb


def test_library_calls_through_every_import_form():
    """Calls through ``from movers import``, ``import movers.x as``, ``from movers.x import f``; nested calls
    count; calls on other objects, in comments or strings, and cells that do not parse do not."""
    assert latex.library_calls(_nb()) == [
        "movers.pages.flows.chapter_setup",
        "movers.pages.report.glue_many",
        "movers.pages.flows.setup_facts",
        "movers.pages.compare.model_comparison",
        "movers.pages.tables.render",
    ]


def test_append_calls_renews_the_list_and_shows_it_in_latex_only():
    nb = _nb()
    latex.append_calls(nb)
    nb.cells.insert(2, nbformat.v4.new_code_cell("report.show(ctx)"))
    calls = latex.append_calls(nb)
    listed = [c for c in nb.cells if c.metadata.get(latex.MARKER)]
    assert len(listed) == 1 and nb.cells[-1] is listed[0] and "movers.pages.report.show" in calls
    text = listed[0].source
    assert text.startswith("```{only} latex\n") and text.rstrip().endswith("```")
    assert "- `movers.pages.report.show`" in text and "- `movers.pages.tables.render`" in text
    html = text.split("```{only} html\n")[1]
    assert "- {py:obj}`movers.pages.report.show`" in html and "- {py:obj}`movers.pages.tables.render`" in html


def test_canonical_names_a_function_where_it_is_defined(monkeypatch):
    """A re-exported function links to the one entry of its own module; a name that does not resolve stays."""
    monkeypatch.setattr(report, "render_again", latex.library_calls, raising=False)
    assert latex.canonical("movers.pages.report.render_again") == "movers.book.latex.library_calls"
    assert latex.canonical("movers.pages.report.glue") == "movers.pages.report.glue"
    assert latex.canonical("movers.pages.report.not_there") == "movers.pages.report.not_there"
    assert latex.canonical("movers.no_such_module.f") == "movers.no_such_module.f"


@pytest.mark.slow
def test_a_tiny_book_keeps_code_in_html_and_leaves_it_out_of_latex(tmp_path):
    """A one-page book configured as the project's (no sphinx-jupyterbook-latex, which would hide ``hide-input`` code
    but reshapes the whole LaTeX), with a ``hide-input`` cell and a ``remove-input`` one: the LaTeX has the cell's output and the
    list of calls but not the code; the HTML still has the code (foldable) and not the list."""
    src = tmp_path / "src"
    src.mkdir()
    nb = _nb(
        ["from movers.pages import report", "report.glue('answer', 42, display=False)\nprint('OUTPUT-' + 'SHOWN')"],
        md="# Tiny\n\nThe answer.",
    )
    nb.cells[1].metadata["tags"] = ["remove-input"]
    nb.cells[2].metadata["tags"] = ["hide-input"]
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="OUTPUT-SHOWN\n")]
    latex.append_calls(nb)
    nbformat.write(nb, src / "tiny.ipynb")
    (src / "_toc.yml").write_text(yaml.safe_dump({"format": "jb-book", "root": "tiny"}))
    (src / "_config.yml").write_text(
        yaml.safe_dump(
            {
                "title": "Tiny",
                "execute": {"execute_notebooks": "off"},
                "only_build_toc_files": True,
                "latex": {"use_jupyterbook_latex": False, "latex_documents": {"targetname": "book.tex"}},
                "sphinx": {"extra_extensions": ["movers.book.latex"]},
            }
        )
    )
    jb = str(Path(sys.executable).with_name("jupyter-book"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(latex.__file__).parents[2]), os.environ.get("PYTHONPATH", "")])}
    for builder in ("latex", "html"):
        proc = subprocess.run(
            [jb, "build", str(src), "--path-output", str(tmp_path / "out"), "--builder", builder],
            capture_output=True,
            text=True,
            env=env,
        )
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    tex = (tmp_path / "out" / "_build" / "latex" / "book.tex").read_text()
    html = (tmp_path / "out" / "_build" / "html" / "tiny.html").read_text()
    assert "OUTPUT\\PYGZhy{}SHOWN" in tex
    body = tex.split("\\begin{document}")[1].replace("\\printindex", "")
    assert "print" not in body and "42" not in body  # the code, highlighted by Pygments or not
    assert (
        "movers.pages.report.glue" in tex.replace("\\allowbreak{}", "") and "Library functions called" in tex
    )  # long names may break at dots
    assert "print" in html and "Library functions called" not in html
    assert "The code behind this page" in html and "The code behind this page" not in tex


def test_a_figure_is_described_by_its_caption_not_its_file_path():
    """All 12 figures had their PNG's path as alt text (myst-nb's default for a glued figure)."""
    glued = nodes.image(uri="../_build/jupyter_execute/0f3a.png")
    figure = nodes.figure("", glued, nodes.caption("", "Moves from each type of area  (rows), per 100 residents."))
    assert latex.alt_text(glued) == "Figure: Moves from each type of area (rows), per 100 residents."
    named = nodes.image(uri="x.png", alt="x.png")
    nodes.figure("", named, nodes.caption("", "Figure Q.1: Co-occurrence of coded themes."))
    assert latex.alt_text(named) == "Figure Q.1: Co-occurrence of coded themes."
    assert latex.alt_text(nodes.image(uri="x.png", alt="A map of rates")) is None  # an author's alt text stays
    assert latex.alt_text(nodes.image(uri="x.png")) == "Figure (described in the text around it)"
    assert figure[0] is glued


def test_long_words_get_latex_break_points_and_short_ones_do_not():
    assert latex._split_long_words("File a.csv: ok") == ["File a.csv: ok"]
    pieces = latex._split_long_words("Page: https://www.ons.gov.uk/peoplepopulationandcommunity end")
    assert None in pieces and "".join(p for p in pieces if p is not None) == (
        "Page: https://www.ons.gov.uk/peoplepopulationandcommunity end"
    )
