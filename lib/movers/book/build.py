"""Assemble and build the Jupyter Book from the executed chapters (HTML, and PDF through xelatex).

The book is built from a staging folder, ``_build/src``: the project's
``_config.yml``, ``intro.md`` and ``_toc.yml`` beside the executed notebooks
written by :mod:`movers.book.runner`. Nothing is executed here
(``execute_notebooks: off``); a chapter whose executed notebook is missing or
stale stops the build with the command that refreshes it.

Staging also writes what a published release carries besides its chapters: the
code reference (:mod:`movers.book.apidoc`, HTML only), the changelog, citation and
licence as pages of the annex, a footer on every HTML page with the version,
commit, build date, repository (``repository.url`` in ``_config.yml``, else
``repository-code`` of ``CITATION.cff``, else the ``origin`` remote), the source
archive of the commit, the PDF and the citation. The PDF is built first, so that
the HTML can link the copy of it staged into ``_static``.
"""

from __future__ import annotations

import contextlib
import html
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import nbformat
import yaml

from movers.book import apidoc, latex, publish, runner
from movers.core import config as yamlfile, paths
from movers.pages import typeset

SRC = paths.BUILD / "src"
OUT = paths.BUILD / "book"
HTML = OUT / "_build" / "html"
LATEX = OUT / "_build" / "latex"
STATIC_FILES = ("index.md", "introduction.md", "bibliography.md", "_config.yml", "references.bib")
DOWNLOADS = SRC / "downloads"
ANNEX = "downloads.md"  # generated at staging: _toc.yml lists it as `downloads`
MATHJAX_ENTRY = "tex-chtml.js"  # _config.yml: mathjax_path: mathjax/tex-chtml.js
SYNTHETIC_ANNOUNCEMENT = (
    'Synthetic data: the numbers on pages marked "Synthetic data" come from a generated world, not from real people or places.'
)
PDF_NAME = "book.pdf"  # the PDF's copy in the HTML book's _static, linked from every page
TEMPLATES = "_templates"  # staged Jinja templates: the footer (extra-footer.html overrides sphinx-book-theme's)
# pages staged from the project's own files (Annex of _toc.yml): page -> (file, how it is shown)
RELEASE_PAGES = {"changelog": "CHANGELOG.md", "citation": "CITATION.cff", "license": "LICENSE"}


class BuildError(RuntimeError):
    """The book cannot be built (stale or missing chapters, or a failed Sphinx/LaTeX run)."""


def mathjax_dir() -> Path:
    """Local MathJax 3 (the files the sphinx-mathjax-offline package ships, 3 MB), so math renders
    without a network: a secure lab's browser cannot reach a CDN. The package's import name has
    hyphens, so it is found, not imported."""
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        raise BuildError("sphinx-mathjax-offline is not installed (it serves MathJax offline): run `make venv`")
    return Path(spec.origin).parent / "static" / "mathjax"


def _sources_used(names) -> set[str]:
    """The data sources the staged pages were computed from (``publish.page_source``: not only their parameter)."""
    return {
        publish.page_source(
            nbformat.read(runner.executed_path(n), as_version=4),
            runner.recorded(runner.executed_path(n)).get("parameters", {}).get("source", "synthetic"),
        )
        for n in names
    }


def staged_toc(names: list[str], html: bool = True) -> dict:
    """The project's ``_toc.yml`` with only chapters that exist, and empty parts dropped; without the
    code reference when not ``html`` (the PDF lists each chapter's calls instead)."""
    toc = yamlfile.read(paths.ROOT / "_toc.yml", empty={})
    parts = []
    for part in toc.get("parts", []):
        chapters = [
            c
            for c in (part.get("chapters") or [])
            if (not c["file"].startswith("chapters/") or Path(c["file"]).stem in names) and (html or c["file"] != apidoc.INDEX)
        ]
        if chapters:
            parts.append({**part, "chapters": chapters})
    toc["parts"] = parts
    return toc


NEEDS = re.compile(r"<!-- needs: (\w+) -->\n(.*?)<!-- end needs -->\n?", re.S)


def without_absent(name: str, text: str, present: Sequence[str]) -> str:
    """``text`` of a staged page without its blocks about a chapter not computed in this build (a block between
    ``<!-- needs: chapter -->`` and ``<!-- end needs -->``: the introduction's headline, glued from
    ``flows_yearly``), so a book built from some chapters, or without the open data a chapter needs, never
    cites a page or a glue it lacks."""
    if not name.endswith(".md"):
        return text
    return NEEDS.sub(lambda m: m.group(2) if m.group(1) in present else "", text)


def stage(allow_stale: bool = False, pdf: bool = False) -> list[str]:
    """Write the staging folder; return the chapters it holds. ``pdf``: the PDF is built with this
    HTML, so the pages link it."""
    names = runner.toc_chapters()
    bad = runner.stale(names)
    if bad and not allow_stale:
        raise BuildError(runner.stale_message(bad))
    present = [n for n in names if runner.executed_path(n).exists()]
    gone = clear_withdrawn(present)
    if gone:
        print(f"withdrawn from the book (no executed notebook): {', '.join(gone)}; rebuilding every page", file=sys.stderr)
    runner.mark_stale_pages(present)  # a warning at the top of each stale page; removed once it is current
    SRC.mkdir(parents=True, exist_ok=True)
    computed = [n for n in present if not runner.recorded(runner.executed_path(n)).get("missing_inputs")]
    for f in STATIC_FILES:
        if (paths.ROOT / f).exists():
            (SRC / f).write_text(without_absent(f, (paths.ROOT / f).read_text(), computed))
    config = yamlfile.read(paths.ROOT / "_config.yml", empty={})
    facts = front_page_facts()
    repo = repository_url(config)
    config.setdefault("parse", {}).setdefault("myst_substitutions", {}).update(facts)
    if "synthetic" in _sources_used(present):
        config.setdefault("html", {})["announcement"] = SYNTHETIC_ANNOUNCEMENT
    if repo:
        config.setdefault("repository", {})["url"] = repo
        config.setdefault("html", {})["use_repository_button"] = True
    else:  # jupyter-book refuses a repository button without an address
        config.setdefault("html", {})["use_repository_button"] = False
    sphinx = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx["templates_path"] = [TEMPLATES]
    # the PDF's title page prints the release: the version and the commit, as the HTML footer does
    sphinx["version"], sphinx["release"] = facts["version"], f"{facts['version']}, commit {facts['commit']}"
    pdf_without_code(config, present)
    (SRC / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    write_toc(present, html=True)
    static = SRC / "_static"
    if (paths.ROOT / "_static").exists():
        shutil.copytree(paths.ROOT / "_static", static, dirs_exist_ok=True)
    static.mkdir(parents=True, exist_ok=True)
    (static / PDF_NAME).unlink(missing_ok=True)  # an earlier build's PDF is not this book's: copied in after LaTeX
    (HTML / "_static" / PDF_NAME).unlink(missing_ok=True)
    archive = source_archive(static, facts["version"])
    for old in (HTML / "_static").glob("movers-*.tar.gz"):  # an earlier commit's archive, left in the HTML output
        if old.name != archive:
            old.unlink()
    # viewcode rewrites a module's source page only when the module changed: drop them all, so that every page
    # carries this build's footer (its commit, its PDF link or none)
    shutil.rmtree(HTML / "_modules", ignore_errors=True)
    (SRC / TEMPLATES).mkdir(parents=True, exist_ok=True)
    (SRC / TEMPLATES / "extra-footer.html").write_text(footer_html(facts, repo, archive, pdf))
    release_pages(SRC, facts, repo)
    front = SRC / "index.md"
    if front.exists():  # the front page ends with how to cite the book
        front.write_text(front.read_text().rstrip() + "\n\n" + publish.cite_box(_cff(), facts["commit"], repo) + "\n")
    apidoc.write(SRC)
    if not (static / "mathjax" / MATHJAX_ENTRY).exists():
        # the CHTML build and what it loads (fonts, TeX extensions, menu); not the SVG and MathML builds
        skip = shutil.ignore_patterns("*svg*", "mml-*", "tex-mml-*", "tex-chtml-full*", "node-main.js")
        shutil.copytree(mathjax_dir(), static / "mathjax", ignore=skip, dirs_exist_ok=True)
    publish_downloads(present)
    return present


def withdrawn_pages(names: list[str], out: Path | None = None) -> list[str]:
    """Chapters with a page in the built HTML or LaTeX but not among the staged ``names`` (a notebook
    deleted, a chapter taken out of ``_toc.yml``)."""
    built = Path(out or OUT) / "_build"
    pages = {p.stem for p in (built / "html" / "chapters").glob("*.html")}
    pages |= {p.stem for p in (built / "jupyter_execute" / "chapters").glob("*.ipynb")}
    return sorted(pages - set(names))


def clear_withdrawn(names: list[str], out: Path | None = None) -> list[str]:
    """Remove the whole previous build when a chapter was withdrawn: Sphinx rewrites only pages whose
    source changed, so the withdrawn page, its search entries and every other page's links to it
    (sidebar, next and previous) would stay. Returns the withdrawn chapters."""
    gone = withdrawn_pages(names, out)
    if gone:
        built = Path(out or OUT) / "_build"
        aside = built.with_name(f"_build.withdrawn-{os.getpid()}")
        os.replace(built, aside)
        shutil.rmtree(aside, ignore_errors=True)
    return gone


def write_toc(names: list[str], html: bool) -> None:
    """The staged ``_toc.yml``: with the code reference for HTML, without it for the PDF."""
    (SRC / "_toc.yml").write_text(yaml.safe_dump(staged_toc(names, html=html), sort_keys=False))


def _cff() -> dict:
    path = paths.ROOT / RELEASE_PAGES["citation"]
    return yamlfile.read(path, empty={}) if path.exists() else {}


def _https(remote: str) -> str | None:
    """A git remote as a web address (``git@host:owner/repo.git`` -> ``https://host/owner/repo``); None for a
    local path, which no reader can open."""
    remote = remote.strip()
    m = re.match(r"^(?:ssh://)?git@([^:/]+)[:/](.+?)(?:\.git)?/?$", remote)
    if m:
        return f"https://{m.group(1)}/{m.group(2)}"
    if remote.startswith(("https://", "http://")):
        return re.sub(r"\.git/?$", "", remote)
    return None


def repository_url(config: dict, cff: dict | None = None, root: Path | None = None) -> str | None:
    """Where the book's code lives: ``repository.url`` of ``_config.yml``, else ``repository-code`` of
    ``CITATION.cff``, else the checkout's ``origin`` remote as a web address; None when none is known
    (the footer then links the source archive of the commit only)."""
    url = str((config.get("repository") or {}).get("url") or "").strip()
    if url:
        return url
    cff = _cff() if cff is None else cff
    if cff.get("repository-code"):
        return str(cff["repository-code"]).strip()
    try:
        proc = subprocess.run(
            ["git", "-C", str(root or paths.ROOT), "remote", "get-url", "origin"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return _https(proc.stdout) if proc.returncode == 0 else None


def source_archive(static: Path, version: str, root: Path | None = None) -> str | None:
    """``git archive`` of the commit the book is built from, as ``_static/movers-<version>-<commit>.tar.gz``
    (the code one click away even offline); its file name, or None outside git."""
    root = Path(root or paths.ROOT)
    sha = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=10", "HEAD"], capture_output=True, text=True)
    if sha.returncode != 0:
        return None
    name = f"movers-{version}-{sha.stdout.strip()}.tar.gz"
    for old in static.glob("movers-*.tar.gz"):
        if old.name != name:
            old.unlink()
    if not (static / name).exists():
        cmd = ["git", "-C", str(root), "archive", "--format=tar.gz", f"--prefix=movers-{version}/", "-o", str(static / name)]
        if subprocess.run([*cmd, "HEAD"], capture_output=True, text=True).returncode != 0:
            return None
    return name


def footer_html(facts: dict, repo: str | None, archive: str | None, pdf: bool) -> str:
    """The footer of every HTML page (a Jinja template: ``pathto`` makes each link relative to the page):
    version, commit and build date, then the repository, the source archive, the PDF and how to cite."""
    esc = html.escape
    links = []
    if repo:
        links.append(f'<a href="{esc(repo)}">repository</a>')
    if archive:
        links.append(f"<a href=\"{{{{ pathto('_static/{esc(archive)}', 1) }}}}\">source code of this commit (tar.gz)</a>")
    if pdf:
        links.append(f"<a href=\"{{{{ pathto('_static/{PDF_NAME}', 1) }}}}\">PDF</a>")
    links += [
        "<a href=\"{{ pathto('citation') }}\">cite this book</a>",
        "<a href=\"{{ pathto('changelog') }}\">changelog</a>",
        "<a href=\"{{ pathto('license') }}\">licence</a>",
    ]
    return (
        '<div class="extra_footer movers-provenance">\n'
        f"  movers {esc(facts['version'])}, commit <code>{esc(facts['commit'])}</code>, built {esc(facts['built'])} · "
        + " · ".join(links)
        + "\n</div>\n"
    )


def release_pages(root: Path, facts: dict, repo: str | None) -> None:
    """The changelog, the citation (box and BibTeX from CITATION.cff, then the file itself) and the licence
    as pages of the book's annex."""
    changelog = paths.ROOT / RELEASE_PAGES["changelog"]
    (root / "changelog.md").write_text(changelog.read_text() if changelog.exists() else "# Changelog\n\nNo changelog.\n")
    cff_path = paths.ROOT / RELEASE_PAGES["citation"]
    cff_text = cff_path.read_text() if cff_path.exists() else ""
    (root / "citation.md").write_text(
        "# How to cite this book\n\n"
        + publish.cite_box(_cff(), facts["commit"], repo)
        + "\n\n## The citation file\n\n"
        + "`CITATION.cff` (Citation File Format 1.2), from which the box above is made:\n\n"
        + f"```yaml\n{cff_text.rstrip()}\n```\n"
    )
    licence = paths.ROOT / RELEASE_PAGES["license"]
    (root / "license.md").write_text(
        "# Licence\n\nThe code is under the MIT licence; the book's text and computed tables under CC BY 4.0; "
        "the figures transcribed from the report under the Open Government Licence v3.0. The file `LICENSE` says so in full:\n\n"
        + f"```text\n{licence.read_text().rstrip() if licence.exists() else 'No LICENSE file.'}\n```\n"
    )


def pdf_without_code(config: dict, names: list[str]) -> None:
    """The PDF leaves code out (the ``movers.book.latex`` Sphinx extension drops code cells' source from LaTeX)
    and ends each staged chapter with the library functions it called (a block only LaTeX shows)."""
    extensions = config.setdefault("sphinx", {}).setdefault("extra_extensions", [])
    for ext in ("movers.book.latex", "sphinx.ext.autodoc", "sphinx.ext.viewcode"):  # the code reference needs the two others
        if ext not in extensions:
            extensions.append(ext)
    for n in names:
        nb = nbformat.read(runner.executed_path(n), as_version=4)
        latex.append_calls(nb)
        nbformat.write(nb, runner.executed_path(n))


def front_page_facts() -> dict:
    """Version, commit and build date, shown on the front page through MyST substitutions."""
    return {"version": publish.version(), "commit": publish.commit(), "built": time.strftime("%Y-%m-%d", time.gmtime())}


def _title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def _how_computed(nb, chapter: str, source: str, cit) -> str:
    """How the annex describes a page's numbers: the data source, transcribed, or that its open data were missing."""
    if nb.metadata.get("movers", {}).get("missing_inputs"):
        return "Not computed: its open data were not found when the book was built (the page names them)."
    entries = publish.chapter_datasets(chapter, cit)
    if entries and all(e.get("transcribed") for _, e in entries):
        return "Transcribed from the report and the project's classification files; nothing computed."
    return f"Computed from `source={source}`."


def publish_downloads(names: list[str]) -> dict[str, dict]:
    """Each staged chapter's tables (CSV) and figures (PNG) into ``downloads/<chapter>/``, the Source
    lines, download links and citation box into its page, the variable dictionaries beside them, and the
    annex that lists it all (:mod:`movers.book.publish`). Re-staging rewrites the files, never the footers twice."""
    cit = publish.citations()
    shutil.rmtree(DOWNLOADS, ignore_errors=True)
    chapters = {}
    for n in names:
        path = runner.executed_path(n)
        nb = nbformat.read(path, as_version=4)
        source = publish.page_source(nb, nb.metadata.get("movers", {}).get("parameters", {}).get("source", "synthetic"))
        items = publish.publish_notebook(nb, n, source, DOWNLOADS / n, cit)
        nbformat.write(nb, path)
        chapters[n] = {"title": _title(nb), "source": source, "items": items, "how": _how_computed(nb, n, source, cit)}
    dictionaries = sorted(paths.DICTIONARIES.glob("*.yml"))
    (DOWNLOADS / "dictionaries").mkdir(parents=True, exist_ok=True)
    for d in dictionaries:
        shutil.copy2(d, DOWNLOADS / "dictionaries" / d.name)
    (SRC / ANNEX).write_text(publish.annex_markdown(chapters, dictionaries=dictionaries, cit=cit))
    return chapters


def strict_default(env=os.environ) -> bool:
    """Whether a Sphinx warning fails the build: ``MOVERS_BOOK_STRICT=1`` (the tests and CI set it).
    Off by default so that a reader's ``make book`` still gives a book when a chapter's page warns."""
    return env.get("MOVERS_BOOK_STRICT", "0") not in ("", "0", "false", "no")


def run_child(cmd: list[str], timeout_kill: float = 10.0, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``cmd`` (jupyter-book) in its own process group and return its output; if this process is sent
    SIGTERM, SIGINT or SIGHUP meanwhile, the whole group (jupyter-book and the Sphinx or LaTeX processes it
    started) is ended first (SIGTERM, then SIGKILL after ``timeout_kill`` seconds), so no build keeps running
    after ``movers build`` is stopped. Then the signal's usual outcome follows (exit 128 + signal)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, env=env)
    caught: list[int] = []

    def stop(signum, frame):
        caught.append(signum)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)

    old = {}
    if threading.current_thread() is threading.main_thread():
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            old[s] = signal.signal(s, stop)
    try:
        out, err = proc.communicate()
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        if caught or proc.returncode is None:
            try:
                proc.wait(timeout=timeout_kill)
            except subprocess.TimeoutExpired:
                pass
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
    if caught:
        print(f"{signal.Signals(caught[0]).name}: the book build was stopped (jupyter-book ended)", file=sys.stderr)
        raise SystemExit(128 + caught[0])
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _jb(*args, strict: bool = False) -> None:
    # -W --keep-going: every warning is reported, then the build fails
    flags = ["-W", "--keep-going"] if strict else []
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(SRC), "--path-output", str(OUT), *flags, *args]
    # autodoc imports the package: this package, whichever checkout the shared environment was installed from
    here = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH", "")]))}
    t0 = time.perf_counter()
    proc = run_child(cmd, env=env)
    log = paths.BUILD / ("build-" + ("pdf" if "pdflatex" in args else "html") + ".log")
    log.write_text(proc.stdout + "\n" + proc.stderr)
    warnings = [line for line in (proc.stdout + proc.stderr).splitlines() if "WARNING" in line]
    print(
        f"  jupyter-book {' '.join(args) or 'html'}: exit {proc.returncode}, {len(warnings)} warning(s), {time.perf_counter() - t0:.1f} s (log: {log})",
        file=sys.stderr,
    )
    for w in warnings[:15]:
        print("    " + w.strip(), file=sys.stderr)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-25:])
        why = f"{len(warnings)} Sphinx warning(s) with MOVERS_BOOK_STRICT=1" if strict and warnings else "jupyter-book failed"
        raise BuildError(f"{why} (see {log}):\n{tail}")


def build(pdf: bool = False, allow_stale: bool = False, strict: bool | None = None) -> dict:
    """Build HTML (and the PDF when ``pdf``); return the output paths. ``strict`` (default: the
    MOVERS_BOOK_STRICT environment variable) turns every Sphinx warning into a failed build."""
    strict = strict_default() if strict is None else strict
    if shutil.which("xelatex") is None and pdf:
        raise BuildError(
            "xelatex is not installed: run `make tex` (Debian: latexmk texlive-xetex texlive-latex-extra texlive-fonts-recommended fonts-freefont-otf)"
        )
    names = stage(allow_stale=allow_stale, pdf=pdf)
    print(f"building the book from {len(names)} chapter(s): {', '.join(names)}", file=sys.stderr)
    out = {}
    if pdf:  # first, so that the HTML can carry a copy of it
        write_toc(names, html=False)
        _jb("--builder", "pdflatex", strict=strict)
        pdfs = sorted(LATEX.glob("*.pdf"))
        if not pdfs:
            raise BuildError(f"LaTeX ran but no PDF is in {LATEX}")
        out["pdf"] = pdfs[0]
        out["overfull"] = check_overfull(pdfs[0].with_suffix(".log"))
        shutil.copy2(pdfs[0], SRC / "_static" / PDF_NAME)
        write_toc(names, html=True)
    _jb("--builder", "html", strict=strict)
    out["html"] = HTML / "index.html"
    return dict(sorted(out.items(), key=lambda kv: kv[0] != "html"))


def check_overfull(log: Path, budget: int = typeset.OVERFULL_BUDGET) -> int:
    """Count the boxes LaTeX reported overfull while setting the PDF (text or a table sticking out of its
    column: a number over its neighbour, a table cut at the margin), print the count in the build summary,
    and fail the build above ``budget``."""
    boxes = typeset.overfull_boxes(log.read_text(errors="replace")) if log.exists() else []
    worst = f", the worst {max(boxes):.1f} pt too wide" if boxes else ""
    print(f"  LaTeX: {len(boxes)} overfull box(es) (budget {budget}{worst}; log: {log})", file=sys.stderr)
    if len(boxes) > budget:
        raise BuildError(
            f"the PDF has {len(boxes)} overfull boxes, more than the budget of {budget} (movers.pages.typeset.OVERFULL_BUDGET): "
            f"search {log} for 'Overfull' to see which lines and tables stick out"
        )
    return len(boxes)
