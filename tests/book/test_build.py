"""What staging adds to a published book (movers.book.build): repository, footer, release pages, the PDF's table of contents."""

from __future__ import annotations

import subprocess

import yaml

from movers.book import apidoc, build as book

FACTS = {"version": "9.9.9", "commit": "abc1234567", "built": "2026-12-07"}


def test_repository_address_from_config_then_citation_file_then_origin(tmp_path):
    assert book.repository_url({"repository": {"url": " https://example.org/a "}}, {"repository-code": "x"}) == (
        "https://example.org/a"
    )
    assert book.repository_url({"repository": {"url": ""}}, {"repository-code": "https://example.org/b"}) == (
        "https://example.org/b"
    )
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert book.repository_url({}, {}, root=tmp_path) is None  # no remote: no address, never a placeholder
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", "git@github.com:owner/movers.git"], check=True)
    assert book.repository_url({}, {}, root=tmp_path) == "https://github.com/owner/movers"
    assert book._https("https://gitlab.com/o/r.git") == "https://gitlab.com/o/r"
    assert book._https("/srv/git/movers.git") is None


def test_footer_links_each_page_to_version_commit_repository_sources_pdf_and_citation():
    html = book.footer_html(FACTS, "https://example.org/r", "movers-9.9.9-abc.tar.gz", pdf=True)
    assert "movers 9.9.9, commit <code>abc1234567</code>, built 2026-12-07" in html
    assert '<a href="https://example.org/r">repository</a>' in html
    assert "pathto('_static/movers-9.9.9-abc.tar.gz', 1)" in html and f"pathto('_static/{book.PDF_NAME}', 1)" in html
    assert "pathto('citation')" in html and "pathto('changelog')" in html and "pathto('license')" in html
    bare = book.footer_html(FACTS, None, None, pdf=False)
    assert "repository" not in bare and "PDF" not in bare and "tar.gz" not in bare


def test_release_pages_render_changelog_citation_and_licence(tmp_path):
    book.release_pages(tmp_path, FACTS, "https://example.org/r")
    assert (tmp_path / "changelog.md").read_text().startswith("# Changelog")
    citation = (tmp_path / "citation.md").read_text()
    assert "{admonition} Cite this book" in citation and "commit `abc1234567`" in citation and "cff-version: 1.2.0" in citation
    assert "MIT License" in (tmp_path / "license.md").read_text()


def test_the_pdf_toc_leaves_the_code_reference_out():
    def files(toc):
        return [c["file"] for p in toc["parts"] for c in p["chapters"]]

    html, pdf = book.staged_toc([], html=True), book.staged_toc([], html=False)
    assert apidoc.INDEX in files(html) and apidoc.INDEX not in files(pdf)
    assert {"changelog", "citation", "license"} <= set(files(pdf))
    entry = next(c for p in html["parts"] for c in p["chapters"] if c["file"] == apidoc.INDEX)
    assert entry["sections"] == [{"glob": f"{apidoc.FOLDER}/*"}]
    assert yaml.safe_dump(pdf)  # what stage writes


def test_source_archive_of_the_commit(tmp_path):
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "a.py").write_text("x = 1\n")
    subprocess.run(["git", "-C", str(repo), "add", "a.py"], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one"], check=True)
    static = tmp_path / "static"
    static.mkdir()
    (static / "movers-0.0.1-old.tar.gz").write_text("stale")
    name = book.source_archive(static, "9.9.9", root=repo)
    assert name.startswith("movers-9.9.9-") and name.endswith(".tar.gz") and (static / name).stat().st_size > 0
    assert [p.name for p in static.glob("*.tar.gz")] == [name]
    assert book.source_archive(static, "9.9.9", root=tmp_path / "nowhere") is None


def test_a_staged_page_drops_its_blocks_about_a_chapter_not_computed():
    """The introduction's headline is glued from flows_yearly: a book built without that chapter (the end-to-end
    test's demo book), or with its open data missing, failed on a glue and a page it did not have."""
    text = "# Intro\n\nBefore.\n\n<!-- needs: flows_yearly -->\n## Headline\n{glue:text}`x`\n<!-- end needs -->\n## After\n"
    assert book.without_absent("introduction.md", text, ["flows_yearly"]) == (
        "# Intro\n\nBefore.\n\n## Headline\n{glue:text}`x`\n## After\n"
    )
    assert book.without_absent("introduction.md", text, ["demo"]) == "# Intro\n\nBefore.\n\n## After\n"
    assert book.without_absent("_config.yml", text, []) == text
