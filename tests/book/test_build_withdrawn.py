"""A withdrawn chapter leaves the built book (issue 25, case 7: after its notebook was deleted and
``build --allow-stale``, ``ls_deprived.html`` stayed in the HTML, linked from the introduction)."""

from movers.book import build as book


def _built(tmp_path, pages):
    html = tmp_path / "_build" / "html"
    (html / "chapters").mkdir(parents=True)
    for p in pages:
        (html / "chapters" / f"{p}.html").write_text(f"<a href='{p}.html'>{p}</a>")
    (html / "introduction.html").write_text("".join(f"<a href='chapters/{p}.html'>next</a>" for p in pages))
    return html


def test_a_withdrawn_chapter_clears_the_build_so_no_page_or_link_to_it_survives(tmp_path):
    html = _built(tmp_path, ["movers_stayers", "ls_deprived"])
    assert book.clear_withdrawn(["movers_stayers"], tmp_path) == ["ls_deprived"]
    assert not (html / "chapters" / "ls_deprived.html").exists()
    assert not (html / "introduction.html").exists()  # rebuilt from scratch: its links come from the staged toc
    assert list(tmp_path.iterdir()) == []


def test_a_build_with_every_chapter_present_is_kept(tmp_path):
    html = _built(tmp_path, ["movers_stayers", "ls_deprived"])
    assert book.clear_withdrawn(["movers_stayers", "ls_deprived", "qualitative"], tmp_path) == []
    assert (html / "chapters" / "ls_deprived.html").exists() and (html / "introduction.html").exists()
