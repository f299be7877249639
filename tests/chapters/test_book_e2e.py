"""End to end: a two-chapter book in a temporary project, executed, cached, re-parameterised, broken and built."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

DEMO = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---

# Demo chapter

```{code-cell} ipython3
:tags: [parameters]

source = "synthetic"
n = 3
fail = False
```

```{code-cell} ipython3
:tags: [remove-input]

import numpy as np
import matplotlib.pyplot as plt
from movers.estimators import results
from movers.pages import report
from movers.pages import tables

report.setup(source)
if fail:
    raise ValueError("demo was asked to fail")
report.glue("mean_n", np.float64(n) / 2)
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot(range(n))
report.glue_figure("demo_fig", fig)
m = {"Model 1": results.estimates(["Sending: cold spot"], [-0.4], [0.04], nobs=n)}
tables.regression_table(m, controls={"Distance and border": [False]}, caption="Table 2: demo")
```

Half of n is {glue:text}`mean_n:.2f`.

```{code-cell} ipython3
:tags: [remove-input]

report.glue("double_n", 2 * n)
```

```{glue:figure} demo_fig
A figure.
```

```{code-cell} ipython3
:tags: [remove-input]

import pandas as pd

groups = ["Affluent England", "Business, Education and Heritage Centres", "Countryside Living", "Ethnically Diverse Metropolitan Living", "London Cosmopolitan", "Services and Industrial Legacy", "Town and Country Living", "Urban Settlements"]
counts = pd.DataFrame({g: [217633 + 1111 * i, -36923 - 7 * i, 0.0125 * (i + 1)] for i, g in enumerate(groups)}, index=["Movers", "Net gain", "Rate"])
display(tables.render(counts, digits={g: 0 for g in groups}, caption="Table 6: a wide table of large numbers"))
labels = ["Distance between sending and receiving areas in miles, logged", "Sending: cold spot", "Receiving: hot spot"]
four = {f"Model {k}": results.estimates(labels, [-0.5021 * k, 0.0384, 12.3456], [0.0601, 0.0162, 1.2345], nobs=560504) for k in (1, 2, 3, 4)}
tables.regression_table(four, controls={"Distance and border": [False, True, True, True], "Economic conditions": [False, False, True, True]}, caption="Table 7: four models")
```
"""

TOC = """format: jb-book
root: index
parts:
  - caption: Main
    chapters:
      - file: introduction
      - file: chapters/demo
      - file: chapters/annex
      - file: downloads
      - file: bibliography
      - file: api
        sections:
          - glob: api/*
      - file: changelog
      - file: citation
      - file: license
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("book")
    for f in (
        "_config.yml",
        "index.md",
        "introduction.md",
        "bibliography.md",
        "references.bib",
        "data/citations.yml",
        "data/datasets.yml",
        "CHANGELOG.md",
        "CITATION.cff",
        "LICENSE",
    ):
        (root / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, root / f)
    for d in (
        "_static",  # the stylesheet (tables that scroll in their box, SEs under coefficients)
        "data/reference",
        "data/classifications",
        "data/dictionaries",
        "data/schemas",
    ):  # the annex prints Tables 21, 22, 29 from the dictionaries
        shutil.copytree(ROOT / d, root / d)
    (root / "chapters").mkdir()
    (root / "params").mkdir()
    shutil.copy2(ROOT / "chapters/annex.md", root / "chapters/annex.md")
    shutil.copy2(ROOT / "params/annex.yml", root / "params/annex.yml")
    (root / "chapters/demo.md").write_text(DEMO)
    (root / "params/demo.yml").write_text(
        "source: synthetic\nn: 3\nfail: false\n_choices:\n  source: [synthetic, public, restricted]\n"
    )
    (root / "_toc.yml").write_text(TOC)
    (root / "data/synthetic").mkdir(parents=True)
    (root / "data/synthetic/world.json").write_text('{"seed": 1}')
    return root


def movers(project, *args):
    env = {
        **os.environ,
        "MOVERS_ROOT": str(project),
        "MOVERS_SYNTHETIC": str(project / "data/synthetic"),
        "MOVERS_BOOK_STRICT": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "movers", *args], cwd=project, env=env, capture_output=True, text=True, timeout=600
    )


def test_run_cache_parameters_failure_and_build(project):
    first = movers(project, "run", "-j", "2")
    assert first.returncode == 0, first.stderr
    assert first.stderr.count("executed in") == 2, first.stderr
    nb = project / "_build/src/chapters/demo.ipynb"
    assert nb.exists()

    again = movers(project, "run")
    assert again.returncode == 0 and again.stderr.count("cached") == 2, again.stderr

    changed = movers(project, "run", "-p", "n=5")
    assert changed.returncode == 0
    assert re.search(r"demo: executed", changed.stderr) and re.search(r"annex: cached", changed.stderr)

    import nbformat

    meta = nbformat.read(nb, as_version=4).metadata["movers"]
    assert meta["parameters"]["n"] == 5 and len(meta["input_hash"]) == 64
    cells = nbformat.read(nb, as_version=4).cells
    hidden = [c for c in cells if "injected-parameters" in c.metadata.get("tags", [])]
    bare = [o for c in cells for o in c.get("outputs", []) if o.output_type == "execute_result" and set(o.data) == {"text/plain"}]
    assert not bare, f"a cell ending with report.glue showed its value on the page: {bare}"
    assert hidden and "remove-cell" in hidden[0].metadata["tags"]

    wrong_type = movers(project, "run", "demo", "-p", "n=lots")
    assert wrong_type.returncode == 2 and "parameter 'n' of chapter 'demo' must be an integer" in wrong_type.stderr
    typo = movers(project, "run", "demo", "-p", "nn=1")
    assert typo.returncode == 2 and "valid: fail, n, source" in typo.stderr

    built = movers(project, "build", "--pdf")
    assert built.returncode == 0, built.stderr
    html_dir = project / "_build/book/_build/html"
    page = (html_dir / "chapters/demo.html").read_text()
    assert "Synthetic data" in page  # announcement bar and in-page banner
    assert "Half of n is" in page and "2.50" in page
    assert "0.400\\*\\*\\*" not in page and "-0.400***" in page
    # the report's layout: the SE on the row under its coefficient; the stylesheet linked; the figure
    # described by its caption, not its file path
    assert re.search(r'<tr class="movers-se[^"]*">\s*<td class="text-right"><p>\(0\.040\)</p>', page)
    assert "_static/movers.css" in page and 'alt="Figure: A figure."' in page and 'alt="../' not in page
    external = set()
    for p in html_dir.rglob("*.html"):
        external |= set(re.findall(r'(?:src|href)="(https?://[^"]+\.(?:js|css)[^"]*)"', p.read_text()))
    assert not external, f"pages load remote resources: {sorted(external)[:5]}"
    assert (html_dir / "_static/mathjax/tex-chtml.js").exists()
    # publishing: each table as CSV with a Source line and a link, the annex listing it, version on the front page
    csv = project / "_build/src/downloads/demo/table-2-demo.csv"
    assert csv.read_text().splitlines()[0] == "model,term,estimate,se,pvalue,stars,nobs" and "Source: synthetic data" in page
    assert csv.with_name("table-2-demo-as-shown.csv").read_text().splitlines()[0] == "row,Model 1"
    assert 'download="" href="../_downloads/' in page and "table-2-demo.csv" in (html_dir / "downloads.html").read_text()
    assert (
        "python -m movers run demo -p n=5" in re.sub(r"<[^>]+>", "", page) and "{{" not in (html_dir / "index.html").read_text()
    )
    pdf = project / "_build/book/_build/latex/book.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000
    # a release: the PDF linked from every page, version and commit in every footer, the code reference linked
    assert (html_dir / "_static/book.pdf").read_bytes() == pdf.read_bytes()
    for name in ("index.html", "chapters/demo.html", "citation.html", "license.html", "changelog.html", "api/pages_report.html"):
        text = (html_dir / name).read_text()
        assert "movers-provenance" in text and "commit <code>" in text and "book.pdf" in text, name
    assert (
        'href="../api/pages_report.html#movers.pages.report.glue"' in page
        and "Cite this book" in (html_dir / "index.html").read_text()
    )
    assert "Code reference" not in (project / "_build/book/_build/latex/book.tex").read_text()

    broken = movers(project, "run", "demo", "-p", "fail=true")
    assert broken.returncode == 1
    assert "chapter 'demo' failed" in broken.stderr and "ValueError: demo was asked to fail" in broken.stderr
    assert "python -m movers run demo -p fail=true" in broken.stderr  # the command repeats the parameters asked for
    assert nb.exists() and nbformat.read(nb, as_version=4).metadata["movers"]["failed_run"], (
        "the last good output is kept, marked stale"
    )
    stale = movers(project, "build")
    assert (
        stale.returncode == 1
        and "demo: a later run failed" in stale.stderr
        and "python -m movers run demo -p fail=true" in stale.stderr
    )
    marked = movers(project, "build", "--allow-stale")
    assert marked.returncode == 0, marked.stderr
    page = (html_dir / "chapters/demo.html").read_text()
    assert "Stale page" in page and "a later run failed" in page
    assert "Stale page" not in (html_dir / "chapters/annex.html").read_text()


def test_the_pdf_keeps_every_number_of_every_table(project):
    """Every number of every table's CSV download is in the PDF's text, whole (Table 6 printed 217,633 as
    "217,63" over its neighbour; Table 4.3 split "-" from "36,923"), every header word is whole (headers were
    hyphenated letter by letter), and LaTeX stayed within its budget of overfull boxes. Reads the PDF of the build above (built here if that test did not run)."""
    from movers.pages import typeset

    pdf = project / "_build/book/_build/latex/book.pdf"
    if not pdf.exists():
        assert movers(project, "run").returncode == 0
        built = movers(project, "build", "--pdf")
        assert built.returncode == 0, built.stderr
    csvs = typeset.shown_tables(project / "_build/src/downloads")  # each table as printed on its page
    assert "demo/table-6-a-wide-table-of-large-numbers-as-shown.csv" in csvs and len(csvs) >= 5
    assert typeset.lost_numbers(typeset.pdf_text(pdf), csvs) == {}
    assert typeset.broken_words(typeset.pdf_text(pdf, "raw"), csvs) == {}  # headers wrap between words ("Busi-ness" before)
    boxes = typeset.overfull_boxes(pdf.with_suffix(".log").read_text(errors="replace"))
    assert len(boxes) <= typeset.OVERFULL_BUDGET
