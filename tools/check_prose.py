"""Read the built book's text (HTML pages and the PDF) for prose that contradicts its numbers or leaks code.

Each finding names the page and quotes the words around it. A finding is:

* ``sign after direction word``: a signed number after "exceed", "gained", "lifted", "more"... in the same
  sentence ("women's rates exceed men's by -0.17": the word must follow the sign, ``movers.pages.words``);
* ``sign after currency``: "£+250", "£-3";
* ``placeholder plural``: "cell(s)", a word with "(s)" that the code could have counted;
* ``object repr``: "object at 0x", "<IPython" (a Python object printed instead of its text);
* ``empty glue``: a glued value that rendered as nothing (HTML), or a glue role left unrendered, or "nan";
* ``count not in any table``: "<number> people / movers / observations ..." in the prose of a page whose
  tables show no such number (the prose must count what the tables beside it count).

Usage: ``python tools/check_prose.py [--html _build/book/_build/html] [--pdf book.pdf]``; prints each finding and
their number, exits 1 when there is any. ``findings(text)`` and ``html_findings(html)`` are the library.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

DIRECTION = (
    r"more|fewer|less|higher|lower|lowered|lowers|rose|rise|rises|fell|falls|exceeds?|exceeded|trails?|trailed|"
    r"gained|gains?|lost|loses?|lifted|lifts?|increased?|increases|decreased?|decreases|above|below"
)
SENTENCE = r"(?:(?![.;!?](?:\s|$)).)"  # a character that does not end a sentence (decimal points do not)
PATTERNS = {
    # lower case only: "Higher managerial occ." is a label, not a direction
    "sign after direction word": re.compile(rf"\b(?:{DIRECTION})\b{SENTENCE}{{0,120}}?(?<![\w)\]/.])[-−+]\s?£?\d", re.DOTALL),
    "sign after currency": re.compile(r"£\s?[-−+]\s?\d"),
    "placeholder plural": re.compile(r"\b[A-Za-z]+\(s\)"),
    "object repr": re.compile(r"object at 0x[0-9a-f]+|<IPython|<function |<bound method "),
    "empty glue": re.compile(r"\{glue:?\w*\}|\bnan\b(?! \w+\()"),
}
# a count that claims to be a table's: "on the 643 people", "of the 1,938 movers", "520 observations"
COUNT = re.compile(
    r"\b(?:on|of|for)\s+the\s+(\d{1,3}(?:,\d{3})+|\d+)\s+(?:people|persons|individuals|movers|stayers|respondents|participants)\b"
    r"|(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)\s+observations\b"
)
TABLE_ROW = re.compile(r"\d\)|\*|\d\s+-?\d+\.\d+\s+-?\d")  # "(0.036)", stars, runs of numbers: a table row in PDF text


def _quote(text: str, m: re.Match, width: int = 60) -> str:
    a, b = max(0, m.start() - width), min(len(text), m.end() + 20)
    return " ".join(text[a:b].split())


def findings(text: str, table_text: str | None = None) -> list[tuple[str, str]]:
    """(kind, quoted words) of every finding in ``text``; the count check runs when ``table_text`` (the text of
    the page's tables) is given and holds a number."""
    out = [
        (kind, _quote(text, m))
        for kind, rx in PATTERNS.items()
        for m in rx.finditer(text)
        if not (kind == "sign after direction word" and TABLE_ROW.search(m.group(0)))
    ]
    if table_text is not None and re.search(r"\d", table_text):
        shown = {t for t in re.findall(r"\d[\d,]*(?:\.\d+)?", table_text) if "." not in t}  # whole counts, not decimals' digits
        for m in COUNT.finditer(text):
            n = m.group(1) or m.group(2)
            if n not in shown and n.replace(",", "") not in shown:
                out.append(("count not in any table", _quote(text, m)))
    return out


def html_findings(html: str) -> list[tuple[str, str]]:
    """``findings`` of one HTML page: its prose (code, tables, navigation and the parameters box left out)
    checked against the text of its tables, and every glued text span that rendered empty."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("main") or soup.find("article") or soup
    empty = [("empty glue", str(s)[:80]) for s in main.select("span.pasted-text") if not s.get_text(strip=True)]
    for out in main.select(".cell_output pre, .output pre"):  # a Python object printed in an output
        empty += [("object repr", _quote(out.get_text(), m)) for m in PATTERNS["object repr"].finditer(out.get_text())]
    for junk in main.select("pre, code, .cell_input, script, style, .headerlink, nav, .admonition.dropdown, .math"):
        junk.decompose()
    tables = [t.extract() for t in main.find_all("table")]
    table_text = " ".join(t.get_text(" ") for t in tables)
    for p in main.select("p"):  # notes under tables count as the tables'
        if p.get_text().startswith(("Notes:", "Source:")):
            table_text += " " + p.extract().get_text(" ")
    return empty + findings(main.get_text(" "), table_text)


def pdf_text(pdf: Path) -> str:
    """The PDF's text in reading layout (poppler's ``pdftotext``, installed with the TeX packages of ``make tex``)."""
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def check_book(html_dir: Path | None = None, pdf: Path | None = None) -> list[str]:
    """Every finding of the built book, one line each: ``page: kind: quoted words``."""
    lines = []
    if html_dir is not None:
        for page in sorted(Path(html_dir).rglob("*.html")):
            rel = page.relative_to(html_dir).as_posix()
            # not prose: the code reference (signatures, and docstrings that quote the faults they prevent) and indexes
            if rel.startswith(("_", "genindex", "search", "py-modindex", "api/", "api.html")) or "/_" in rel:
                continue
            lines += [f"{rel}: {k}: {q}" for k, q in html_findings(page.read_text(errors="replace"))]
    if pdf is not None:
        lines += [f"{Path(pdf).name}: {k}: {q}" for k, q in findings(pdf_text(pdf))]
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--html", type=Path, help="the built HTML folder (e.g. _build/book/_build/html)")
    ap.add_argument("--pdf", type=Path, help="the built PDF")
    args = ap.parse_args(argv)
    lines = check_book(args.html, args.pdf)
    for line in lines:
        print(line)
    print(f"{len(lines)} finding(s)", file=sys.stderr)
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
