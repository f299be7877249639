"""How the book's tables are set on the page, and the checks that the PDF kept every digit.

Tables reach Sphinx as docutils tables (:mod:`movers.pages.tables` writes MyST). Left to
itself, Sphinx's LaTeX writer gives each column a share of the line in proportion
to the ``:widths:`` it is told, whatever the cells hold: a number wider than its
share runs over its neighbour, a header is hyphenated letter by letter, and a
table of eight columns runs off the page. Here, instead, each table's columns are
measured from the text of its cells (in ems of the table's type):

* a numeric column is exactly as wide as its widest number (a number never breaks);
* a text column (labels, definitions) is at least as wide as its longest word and
  wraps on words, never inside one;
* the table is set in ``\\small``; if its narrowest layout does not fit the text
  column, in ``\\footnotesize``; if it still does not fit, on a landscape page.

The HTML and the PDF both show the report's layout for coefficients: the estimate
with its stars on one row, the standard error in parentheses on the row below
(``stack_standard_errors``, applied to the doctree, so the MyST and the CSV keep
one cell per coefficient).

The checks read a built book: ``overfull_boxes`` counts what LaTeX could not fit
(from its ``.log``), ``lost_numbers`` lists the numbers of each table's CSV that
the PDF's text does not hold intact.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes

# --- measuring text -------------------------------------------------------------------------------

# advance widths in em, rounded up from FreeSerif (the book's main font): what a line of a cell needs
_NARROW = set("fijlrt.,:;'!|()[]- ")
_WIDE_LOWER = set("mw")
_WIDE_UPPER = set("MW")
MONO_EM = 0.6  # FreeMono, every character
COLUMN_SLACK_EM = 0.4  # rounding of the estimates above, per column


def text_em(text: str, mono: bool = False) -> float:
    """Width of ``text`` on one line, in ems, set in FreeSerif (or FreeMono with ``mono``); an upper estimate."""
    if mono:
        return MONO_EM * len(text)
    width = 0.0
    for ch in text:
        if ch in _NARROW:
            width += 0.34
        elif ch in _WIDE_LOWER or ch in _WIDE_UPPER:
            width += 0.95 if ch.isupper() else 0.78
        elif ch.isupper():
            width += 0.74
        else:
            width += 0.5
    return width


NUMBER_CELL = re.compile(r"^[-−+–]?[£$]?\(?[\d,]*\.?\d+\)?%?\**$|^(YES|NO|–|-|\[c\])$")


@dataclass
class Cell:
    """A table cell's text, and whether it is code (monospace, as a dictionary's variable names)."""

    text: str
    mono: bool = False

    def words(self) -> list[str]:
        return self.text.split()

    def longest_word_em(self) -> float:
        return max((breakable_em(w, self.mono) for w in self.words()), default=0.0)

    def line_em(self) -> float:
        return text_em(self.text, self.mono)


def is_numeric(cells: list[Cell]) -> bool:
    """A column of numbers (with stars, signs, parentheses, YES/NO): set flush right and never wrapped."""
    filled = [c.text for c in cells if c.text.strip()]
    return bool(filled) and sum(bool(NUMBER_CELL.match(t.replace(" ", ""))) for t in filled) >= 0.8 * len(filled)


# --- choosing the layout --------------------------------------------------------------------------

# 10 pt book on A4 with Sphinx's one-inch margins (``\textwidth`` 452 pt; ``\textheight`` 650 pt usable
# across a landscape page); sizes of \small, \footnotesize and \scriptsize in that class
TEXT_WIDTH_PT = 452.0
LANDSCAPE_WIDTH_PT = 650.0
TABCOLSEP_PT = 4.0  # set for tables in the preamble (_config.yml)
SIZES = (("small", 9.0, False), ("footnotesize", 8.0, False), ("footnotesize", 8.0, True), ("scriptsize", 7.0, True))
STUB_MIN_EM = 10.0  # a row label column is not squeezed below this (or its longest label, if shorter)
TEXT_MAX_EM = 28.0  # nor does a text column grow beyond this: long labels wrap


@dataclass
class Layout:
    """Where and how a table is set: font size command, landscape page or not, column specification."""

    size: str
    landscape: bool
    widths_em: list[float]
    numeric: list[bool]
    fits: bool

    def colspec(self) -> str:
        """The ``tabularcolumns`` specification: fixed-width columns, ragged (never hyphenated) text,
        numbers flush right."""
        align = {True: r">{\raggedleft\arraybackslash}", False: r">{\raggedright\arraybackslash}"}
        return "".join(f"{align[n]}p{{{w:.2f}em}}" for w, n in zip(self.widths_em, self.numeric))


def layout(header: list[Cell], body: list[list[Cell]]) -> Layout:
    """Column widths, type size and orientation for a table whose header row is ``header`` (one cell per
    column) and whose rows are ``body``: the first size (and page orientation) in which every number and
    every word fits its column."""
    ncol = len(header)
    columns = [[row[j] for row in body if j < len(row)] for j in range(ncol)]
    numeric = [j > 0 and is_numeric(col) for j, col in enumerate(columns)]
    least, most = [], []
    for j, col in enumerate(columns):
        head = header[j].longest_word_em()
        if numeric[j]:
            w = max([head] + [c.line_em() for c in col]) + COLUMN_SLACK_EM
            least.append(w)
            most.append(w)
        else:
            longest_line = max([head] + [c.line_em() for c in col]) + COLUMN_SLACK_EM
            longest_word = max([head] + [c.longest_word_em() for c in col]) + COLUMN_SLACK_EM
            floor = min(longest_line, STUB_MIN_EM) if j == 0 else longest_word
            least.append(max(longest_word, floor))
            most.append(max(min(longest_line, TEXT_MAX_EM), least[-1]))
    choice = None
    for size, pt, landscape in SIZES:
        room = (LANDSCAPE_WIDTH_PT if landscape else TEXT_WIDTH_PT) / pt - ncol * 2 * TABCOLSEP_PT / pt
        if sum(least) <= room:
            choice = (size, room, landscape, True)
            break
    if choice is None:
        size, pt, landscape = SIZES[-1]
        choice = (size, LANDSCAPE_WIDTH_PT / pt - ncol * 2 * TABCOLSEP_PT / pt, landscape, False)
    size, room, landscape, fits = choice
    widths = list(least)
    spare = room - sum(widths)
    wants = [m - w for m, w in zip(most, widths)]
    if spare > 0 and sum(wants) > 0:
        share = min(1.0, spare / sum(wants))
        widths = [w + share * d for w, d in zip(widths, wants)]
    return Layout(size=size, landscape=landscape, widths_em=widths, numeric=numeric, fits=fits)


# --- long words ---------------------------------------------------------------------------------

LONG_WORD = 24  # characters: a word this long (an address, a file name, a SHA-256) may break inside
BREAK_AFTER = "/_.-?=&:"
CHUNK = 16  # and, where none of those characters comes for this many, anywhere


def break_points(word: str) -> list[int]:
    """Where a long word (an address, a file name, a hash) may be broken at a line end: after each of
    ``BREAK_AFTER`` and at least every ``CHUNK`` characters; no break for a word under ``LONG_WORD``."""
    if len(word) < LONG_WORD:
        return []
    points, run = [], 0
    for i, ch in enumerate(word[:-1], start=1):
        run += 1
        if ch in BREAK_AFTER or run >= CHUNK:
            points.append(i)
            run = 0
    return points


def breakable_em(word: str, mono: bool = False) -> float:
    """The width a word needs on one line: all of it, or for a long word its widest unbreakable piece."""
    cuts = [0, *break_points(word), len(word)]
    return max(text_em(word[a:b], mono) for a, b in zip(cuts, cuts[1:]))


# --- doctree tables -------------------------------------------------------------------------------


def _cell(entry: nodes.Element) -> Cell:
    literal = any(True for _ in entry.findall(nodes.literal))
    return Cell(" ".join(entry.astext().split()), mono=literal and len(list(entry.findall(nodes.Text))) <= 1)


def table_cells(table: nodes.table) -> tuple[list[Cell], list[list[Cell]]]:
    """Header cells (the last header row, or empty cells) and body rows of a docutils table."""
    group = next(iter(table.findall(nodes.tgroup)))
    heads = [r for t in group.findall(nodes.thead) for r in t.findall(nodes.row)]
    rows = [r for t in group.findall(nodes.tbody) for r in t.findall(nodes.row)]
    ncol = int(group.get("cols", 0)) or max((len(r) for r in heads + rows), default=0)
    header = [_cell(e) for e in heads[-1].children] if heads else [Cell("")] * ncol
    return header, [[_cell(e) for e in r.children] for r in rows]


COEF = re.compile(r"^(?P<coef>[-−]?[\d,]*\.?\d+\**)\s+(?P<se>\([\d,]*\.?\d+\))$")
SE_ROW_CLASS = "movers-se"
PLACEHOLDERS = {"–", "-", "—", "n/a", "[c]", "."}  # a cell with no estimate (not published, withheld)


def _entry_text(entry: nodes.Element) -> str:
    return " ".join(entry.astext().split())


def stack_standard_errors(table: nodes.table, span_label: bool = False) -> int:
    """Set a coefficient table as the report does: each row whose filled cells are all ``coef*** (se)``
    (or a placeholder such as "–") becomes two rows, the estimates and stars, then the standard errors in parentheses under them (the
    second row has no label, and the class ``movers-se``; with ``span_label`` the label spans both rows,
    so that an SE stays under its coefficient when the label wraps, as in HTML). Returns the number of
    rows split."""
    split = 0
    for tbody in list(table.findall(nodes.tbody)):
        for row in list(tbody.children):
            entries = list(row.children)
            texts = [_entry_text(e) for e in entries[1:]]
            filled = [t for t in texts if t and t not in PLACEHOLDERS]
            if not filled or not all(COEF.match(t) for t in filled):
                continue
            se_row = nodes.row(classes=[SE_ROW_CLASS])
            if span_label:
                entries[0]["morerows"] = 1
            else:
                se_row += nodes.entry("", classes=list(entries[0].get("classes", [])))
            for entry, text in zip(entries[1:], texts):
                m = COEF.match(text)
                new = nodes.entry("", classes=list(entry.get("classes", [])))
                if m:
                    new += nodes.paragraph("", m["se"])
                    entry.children = []
                    entry += nodes.paragraph("", m["coef"])
                se_row += new
            tbody.insert(tbody.index(row) + 1, se_row)
            split += 1
    return split


# --- checks of a built book -----------------------------------------------------------------------

OVERFULL = re.compile(r"^Overfull \\[hv]box \((?P<pt>[\d.]+)pt too (?:wide|high)\)", re.M)
OVERFULL_BUDGET = 10  # boxes LaTeX may report overfull in the whole PDF before `movers build --pdf` fails


def overfull_boxes(log: str) -> list[float]:
    """How far (pt) each box LaTeX reported overfull in a ``.log`` sticks out: text or a table wider than
    its column or page (a number printed over its neighbour, a table cut at the margin)."""
    return [float(m["pt"]) for m in OVERFULL.finditer(log)]


NUMBER = re.compile(r"(?<![\w.,])[-−]?\d[\d,]*(?:\.\d+)?(?![\w])")
_DASHES = str.maketrans({"−": "-", "‐": "-", "‑": "-", "–": "-"})


def numbers(text: str) -> list[str]:
    """The numbers in ``text`` as printed (sign, thousands separators and decimals kept), in order; a
    trailing full stop or comma of the sentence is not part of a number."""
    found = []
    for m in NUMBER.finditer(text.translate(_DASHES)):
        found.append(m.group(0).rstrip(".,"))
    return found


def pdf_text(pdf: Path, mode: str = "layout") -> str:
    """The text of a PDF, as ``pdftotext`` (poppler-utils) reads it: ``layout`` keeps each line as it is
    printed (a number run over its neighbour comes out garbled, a sign left at a line end stays apart),
    ``raw`` in the order it was written (a word hyphenated at a line end stays in two parts; the default
    mode of pdftotext would join them and hide the break)."""
    cmd = ["pdftotext", "-enc", "UTF-8", f"-{mode}", str(pdf), "-"]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


WORD = re.compile(r"[A-Za-z][A-Za-z']+")
HYPHEN_END = re.compile(r"([A-Za-z]+)[-\u00ad\u2010]$")
CONTINUED = re.compile(r"^([a-z]+)")
CELL_LINE = 30  # characters: a line this short is a table cell's (a line of prose is longer)


def hyphenated_in_cells(text: str) -> set[str]:
    """Words that ``text`` (``pdf_text(pdf, "raw")``) hyphenates at the end of a short line, as a
    table cell's line is: "Affl-" then "uent" gives "Affluent". Prose may hyphenate; a cell must not."""
    lines = [ln.strip() for ln in text.splitlines()]
    found = set()
    for line, after in zip(lines, lines[1:]):
        end, start = HYPHEN_END.search(line), CONTINUED.match(after)
        if end and start and len(line) <= CELL_LINE:
            found.add(end.group(1) + start.group(1))
    return found


def broken_words(text: str, tables: Mapping[str, str], shortest: int = 4) -> dict[str, list[str]]:
    """For each table (name -> CSV), the words of its column headers and row labels (of ``shortest``
    letters or more) that ``text`` (a PDF's text, ``pdf_text(pdf, "raw")``) hyphenates inside a cell
    ("Affl-" then "uent"). A word is matched wherever a cell hyphenates it, so a table may be named for
    another's break of the same word."""
    split = hyphenated_in_cells(text)
    broken = {}
    for name, text_csv in tables.items():
        rows = list(csv.reader(io.StringIO(text_csv)))
        labels = (rows[0] if rows else []) + [r[0] for r in rows[1:] if r]
        found = sorted({w for cell in labels for w in WORD.findall(cell) if len(w) >= shortest and w in split})
        if found:
            broken[name] = found
    return broken


def shown_tables(downloads: Path) -> dict[str, str]:
    """Each table's CSV as printed on its page, by ``chapter/name``: ``<name>-as-shown.csv`` where the table
    has one beside its CSV of numbers (``<name>.csv``: estimates, SEs and p-values unrounded), else ``<name>.csv``
    (a table whose cells are its numbers). The variable dictionaries and unrounded ``-values.csv`` are left out."""
    out = {}
    for p in sorted(Path(downloads).glob("*/*.csv")):
        numbers_beside = p.with_name(p.stem + "-as-shown.csv").exists()
        if p.parent.name == "dictionaries" or p.name.endswith("-values.csv") or numbers_beside:
            continue
        out[f"{p.parent.name}/{p.name}"] = p.read_text()
    return out


def lost_numbers(text: str, tables: Mapping[str, str]) -> dict[str, list[str]]:
    """For each table (name -> its CSV as published), the numbers of its cells that ``text`` (a PDF's
    text, ``pdf_text(pdf)``) does not hold intact as a whole number: split across lines, cut, or overprinted. Numbers in the
    header row are skipped (a header may wrap between words)."""
    present: dict[str, int] = {}
    for n in numbers(text):
        present[n] = present.get(n, 0) + 1
    lost = {}
    for name, text_csv in tables.items():
        rows = list(csv.reader(io.StringIO(text_csv)))[1:]
        missing = sorted({n for row in rows for cell in row for n in numbers(cell) if n not in present})
        if missing:
            lost[name] = missing
    return lost
