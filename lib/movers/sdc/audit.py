"""Auditors of rendered pages, independent of the checker's decisions: what a page (HTML, MyST markdown,
an executed notebook, the PDF's LaTeX) actually shows, read back and compared with the run's record
(``audit_page``, ``audit_run``), and a rendered table compared with its counts (``leaks``)."""

from __future__ import annotations

import ast
import html
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from movers.core import paths
from movers.sdc.checker import Checker
from movers.sdc.record import checking_folder
from movers.sdc.redact import scrub
from movers.sdc.rules import REASONS, SUPPRESSED, Rules
from movers.sdc.suppression import Relation, primary, recoverable

# ----------------------------------------------------------------------------- auditing rendered tables


def read_markdown_table(md: str) -> pd.DataFrame:
    """The cells of the first pipe table in MyST markdown (``movers.pages.tables.Table.to_markdown``), as strings
    indexed by the first column: what a reader of the page sees."""
    lines = [ln.strip() for ln in md.splitlines() if ln.strip().startswith("|")]
    if len(lines) < 2:
        raise ValueError("no pipe table in the text")

    def cells(line):
        parts = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        return [
            p.strip().replace("\\_", "_").replace("\\*", "*").replace("\\|", "|").replace("\\$", "$").replace("\\\\", "\\")
            for p in parts
        ]

    head = cells(lines[0])
    body = [cells(ln) for ln in lines[2:]]
    frame = pd.DataFrame([b[1:] for b in body], index=[b[0] for b in body], columns=head[1:])
    frame.index.name = head[0] or None
    return frame


def parse_number(text: str) -> float | None:
    """A number as the book prints it (thousands separators, a sign, stars, an SE in parentheses), or None."""
    m = re.match(r"^\s*([-+−]?)£?([\d,]*\.?\d+)", str(text))
    if not m:
        return None
    v = float(m.group(2).replace(",", ""))
    return -v if m.group(1) in ("-", "−") else v


def leaks(
    shown: pd.DataFrame, counts: pd.DataFrame, relations: Sequence[Relation] = (), rules: Rules | Mapping | None = None
) -> list[str]:
    """An auditor independent of the checker: what a page reveals. ``shown`` is the table a reader sees
    (strings, e.g. from ``read_markdown_table``); ``counts`` the people behind each cell (the smaller
    category for a share). Lists every cell shown although under the threshold (or zero), and every
    ``[c]`` cell that can be recovered by subtraction from the shown cells and the known totals."""
    rules = Rules.of(rules or {})
    problems = []
    bad = primary(counts.reindex(index=shown.index, columns=shown.columns), rules)
    for r in shown.index:
        for c in shown.columns:
            if shown.loc[r, c] != SUPPRESSED and parse_number(shown.loc[r, c]) is not None and bad.loc[r, c]:
                problems.append(f"{r} / {c}: shown with fewer than {rules.threshold} people")
    hidden = [(r, c) for r in shown.index for c in shown.columns if shown.loc[r, c] == SUPPRESSED]
    for r, c in sorted(recoverable(hidden, relations), key=repr):
        problems.append(f"{r} / {c}: [c] recoverable by subtraction")
    return problems


# ----------------------------------------------------------------------------- auditing a rendered page


_BLOCK_END = re.compile(r"</(?:tr|p|li|h\d|div|caption|table|pre|dt|dd)>|<br\s*/?>", re.IGNORECASE)
_CELL_END = re.compile(r"</t[dh]>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SENTENCE = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(\[])")
_TOKEN = re.compile(r"(?<![\w.])([-+−]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\w])")


PUBLIC_COLUMNS = ("(published)",)  # table columns holding public figures (the report's), not results of the run


def page_text(page: str | Path | Mapping, public_columns: Sequence[str] = PUBLIC_COLUMNS) -> str:
    """What a reader of a page sees, as text, one table row or sentence a line: from rendered HTML, MyST
    markdown, or an executed notebook (its markdown cells and every output, glued values included, a rich
    output read once, not again as its plain-text copy; the code is left out: it shows parameters, not
    results). Table columns whose header holds one of ``public_columns`` are blanked: their numbers are
    public (the report's figures), so one that equals a withheld cell is a coincidence, not a leak."""
    if isinstance(page, Path):
        page = page.read_text(encoding="utf-8")
    nb = page if isinstance(page, Mapping) else None
    if nb is None and str(page).lstrip().startswith("{"):
        try:
            nb = json.loads(page)
        except json.JSONDecodeError:
            nb = None
    if nb is not None:
        glued = {
            o["metadata"]["scrapbook"].get("name"): _joined(_mime(o).get("text/plain", ""))
            for c in nb.get("cells", [])
            for o in c.get("outputs", [])
            if o.get("metadata", {}).get("scrapbook")
        }
        parts = []
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "markdown":
                parts.append(_GLUE_ROLE.sub(lambda m: _glued(glued.get(m.group(1)), m.group(2)), _joined(cell.get("source", ""))))
            for out in cell.get("outputs", []):
                parts.append(_joined(out.get("text", "")))
                data = _mime(out)
                rich = [k for k in ("text/markdown", "text/html") if k in data]
                parts.extend(_joined(data[k]) for k in (rich[:1] or [k for k in data if k.startswith("text/")]))
                parts.extend(_joined(t) for t in out.get("traceback", []))
        page = "\n".join(parts)
    text = _drop_columns(str(page), [w.lower() for w in public_columns]) if public_columns else str(page)
    # Sphinx writes each table cell's text as a paragraph (<td><p>0.42</p></td>): inside a table a paragraph
    # does not end the line, or a row's label would stand apart from its numbers
    text = _HTML_TABLE.sub(lambda m: _PARAGRAPH.sub(" ", m.group(0)), text)
    text = _CELL_END.sub(" | ", text)
    text = _TAG.sub(" ", _BLOCK_END.sub("\n", text))
    text = html.unescape(text)
    return "\n".join(s.strip() for line in text.splitlines() for s in _SENTENCE.split(line) if s.strip())


_PIPE = re.compile(r"(?<!\\)\|")
_PARAGRAPH = re.compile(r"</?p\b[^>]*>", re.IGNORECASE)
_HTML_TABLE = re.compile(r"<table\b.*?</table>", re.IGNORECASE | re.DOTALL)
_HTML_ROW = re.compile(r"<tr\b.*?</tr>", re.IGNORECASE | re.DOTALL)
_HTML_CELL = re.compile(r"<t([dh])\b[^>]*>(.*?)</t[dh]>", re.IGNORECASE | re.DOTALL)


def _drop_columns(text: str, words: Sequence[str]) -> str:
    """``text`` with the cells of every table column whose header contains one of ``words`` emptied
    (markdown pipe tables and HTML tables)."""

    def html_table(m):
        rows = [_HTML_CELL.findall(r) for r in _HTML_ROW.findall(m.group(0))]
        head = next((r for r in rows if any(k.lower() == "h" for k, _ in r)), [])
        drop = {i for i, (_, c) in enumerate(head) if any(w in _TAG.sub(" ", c).lower() for w in words)}
        return (
            "<table>"
            + "".join(
                "<tr>" + "".join(f"<td>{'' if i in drop else c}</td>" for i, (_, c) in enumerate(r)) + "</tr>" for r in rows
            )
            + "</table>"
        )

    text = _HTML_TABLE.sub(html_table, text)
    lines, drop = text.split("\n"), set()
    for i, line in enumerate(lines):
        if not line.lstrip().startswith("|"):
            drop = set()
            continue
        cells = _PIPE.split(line)
        if i + 1 < len(lines) and re.fullmatch(r"\s*\|[\s:|-]+\|?\s*", lines[i + 1]):
            drop = {j for j, c in enumerate(cells) if any(w in c.lower() for w in words)}
        elif drop:
            lines[i] = "|".join("" if j in drop else c for j, c in enumerate(cells))
    return "\n".join(lines)


_GLUE_ROLE = re.compile(r"\{glue(?::text)?\}`([^`:]+)(?::([^`]*))?`")


def _glued(text: str | None, spec: str | None) -> str:
    """A glued value as myst-nb writes it into the page (its text/plain form, formatted by the role's spec)."""
    if text is None:
        return ""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    if spec and isinstance(value, (int, float)):
        try:
            return format(value, spec)
        except ValueError:
            return str(value)
    return str(value)


def _label_in(label: str, line: str) -> tuple[bool, str]:
    """Whether a row label stands in a line as a label (not inside a longer word or number), and the line
    without it (so a numeric label is not read as one of the line's numbers)."""
    pat = re.compile(r"(?<![\w.])" + re.escape(label.lower()) + r"(?![\w]|\.\d)")
    return (bool(pat.search(line)), pat.sub(" ", line))


def _mime(output: Mapping) -> dict:
    """An output's data by plain MIME type: myst-nb's ``glue(..., display=False)`` stores a value under
    ``application/papermill.record/<type>``, hidden on the page but in the notebook file all the same."""
    out = {}
    for k, v in output.get("data", {}).items():
        out[k.removeprefix(_GLUE_PREFIX)] = v
    return out


_GLUE_PREFIX = "application/papermill.record/"


def _joined(x) -> str:
    return "".join(x) if isinstance(x, list) else str(x)


def _tokens(line: str) -> list[tuple[float, int, int]]:
    """The numbers of a line: (absolute value, decimals shown, significant digits shown)."""
    out = []
    for m in _TOKEN.finditer(line):
        whole, dec = m.group(2).replace(",", ""), m.group(3) or ""
        digits = (whole + dec).lstrip("0")
        out.append((float(f"{whole}.{dec}" if dec else whole), len(dec), len(digits)))
    return out


def _shows(value, token: tuple[float, int, int], percent: bool = True) -> bool:
    """Whether a printed number is ``value`` at the precision printed (as it is, or, with ``percent``, as a percentage)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        return False
    x, dec, _ = token
    v = abs(float(value))
    scales = (1.0, 100.0) if (percent and v <= 1) else (1.0,)
    return any(abs(round(v * s, dec) - x) < 0.5 * 10.0 ** -(dec + 3) for s in scales)


def audit_page(
    page: str | Path | Mapping,
    record: Checker | Mapping | str | Path,
    secrets: Iterable[str | Path] = (),
    specific_digits: int = 4,
    public_columns: Sequence[str] = PUBLIC_COLUMNS,
) -> list[str]:
    """An auditor of a rendered page, independent of the checker's decisions: what the page reveals.

    ``page`` is the HTML, MyST markdown or notebook of a restricted run; ``record`` the checker's record
    (with every cell's count, value, relations and derived columns). Lists, as readable problems:

    - every unsafe cell whose value the page prints: a cell the record withheld, or one whose count is under
      the record's threshold (or zero), whether the checker released it or not. A number counts as printed
      when a line (a table row, a sentence) shows it at its printed precision beside the cell's row label,
      or, in a line with no row label of the record, when it has ``specific_digits`` significant digits or
      more (``2,824``, ``0.1234``: a glued value in a notebook's outputs); a
      notebook's ``{glue:text}`` roles are filled with their glued values first, as the HTML shows them; a number a released cell of the same row explains
      is not counted;
    - every unsafe cell a reader can recover by subtraction (or from a derived column) from the cells the
      page prints and the totals it implies;
    - every ``secrets`` path (the data folder) found on the page.

    Columns headed with one of ``public_columns`` (the report's published figures) are not read.

    An empty list means the page passes. Conservative: a coincidence may flag a safe page, never the reverse
    for the cells the record knows."""
    if isinstance(record, Checker):
        record = record.record()
    elif isinstance(record, (str, Path)):
        record = json.loads(Path(record).read_text())
    text = page_text(page, public_columns)
    rules = Rules.of(record.get("rules", {}))
    problems = [f"data path shown: {scrub(str(s), [s])}" for s in secrets if s and str(s) in text]
    # numbers inside the names of outputs ("Tables 31-32") and columns ("Model 3") are not data: taken out before
    # reading numbers (a row label is taken out where it is matched, so it stays here)
    names = sorted(
        {
            n.lower()
            for o in record.get("outputs", [])
            for n in [o["output"]] + [c["column"] for c in o["cells"]]
            if re.search(r"\d", n) and re.search(r"[A-Za-z]", n)
        },
        key=len,
        reverse=True,
    )
    lines = [ln.lower() for ln in text.splitlines()]
    lines = [_without(ln, names) for ln in lines]
    tokens = [_tokens(ln) for ln in lines]
    labels = {c["row"] for o in record.get("outputs", []) for c in o["cells"]}
    owned = [any(_label_in(lab, ln)[0] for lab in labels if lab.lower() in ln) for ln in lines]  # a row of some output
    for out in record.get("outputs", []):
        problems += _audit_output(out, rules, (lines, tokens, owned), specific_digits)
    return problems


_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+\*?")


def latex_text(tex: str) -> str:
    """The text of LaTeX source (the book's PDF) as ``page_text`` reads it: a table row a line, cells split by ``|``."""
    text = re.sub(r"(?<!\\)&", " | ", tex.replace("\\\\", "\n").replace("\\-", "").replace("\\sphinxhyphen{}", "-"))
    text = re.sub(r"\\([_%$#&{}])", r"\1", text)
    return _LATEX_COMMAND.sub(" ", text).replace("{", " ").replace("}", " ")


def run_pages(chapter: str, build: Path | None = None) -> list[Path]:
    """The files of a chapter run a reader can get: the executed notebook, the HTML page, the PDF's LaTeX source."""
    b = Path(build or paths.BUILD)
    html = b / "book" / "_build" / "html" / "chapters" / f"{chapter}.html"
    return [
        p
        for p in [b / "src" / "chapters" / f"{chapter}.ipynb", html, *sorted((b / "book" / "_build" / "latex").glob("*.tex"))]
        if p.exists()
    ]


def audit_run(chapter: str, build: Path | None = None, secrets: Iterable[str | Path] = ()) -> dict[str, list[str]]:
    """``audit_page`` over every file of a restricted chapter run (``run_pages``) against the run's record
    (``_build/output_checking/<chapter>/record.json``): {file name: problems}. A run without a record fails."""
    record = checking_folder(chapter, build) / "record.json"
    if not record.exists():
        return {"record.json": [f"no checker record for {chapter}: its outputs were not checked"]}
    out = {}
    for page in run_pages(chapter, build):
        text = page.read_text(encoding="utf-8")
        out[page.name] = audit_page(latex_text(text) if page.suffix == ".tex" else text, record, secrets)
    return out


def _unsafe(cell: Mapping, rules: Rules) -> bool:
    """A cell the record withheld, or one whose count is under the threshold (or zero) whatever the record says."""
    n = cell.get("count")
    small = isinstance(n, (int, float)) and (n < rules.threshold or (n == 0 and rules.zeros_are_disclosive))
    return cell["outcome"] == "withheld" or (cell["outcome"] == "implied" and bool(cell.get("rule"))) or small


def _without(line: str, names: Sequence[str]) -> str:
    for n in names:
        if n in line:
            line = line.replace(n, " ")
    return line


def _printed(
    cell: Mapping, page: tuple, released: Mapping, specific_digits: int, percent: bool = True, whole: bool = False
) -> bool:
    """Whether the page (lines, their numbers, whether each is some output's row) prints the cell's value;
    with ``whole`` (a count of people) only a whole number can be it: "1.000" (a p-value) is not one person."""
    r, v = cell["row"], cell.get("value")
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return False
    for low, toks, own in zip(*page):
        beside, rest = _label_in(r, low) if r.lower() in low else (False, low)
        if not beside and own:
            continue
        for t in _tokens(rest) if beside else toks:
            if whole and t[1]:
                continue
            if (
                (beside or t[2] >= specific_digits)
                and _shows(v, t, percent)
                and not any(_shows(w, t, percent) for w in released.get(r, []))
            ):
                return True
    return False


def _audit_output(out: Mapping, rules: Rules, page: tuple, specific_digits: int) -> list[str]:
    """``audit_page`` for one output of the record."""
    cells = {(c["row"], c["column"]): c for c in out["cells"]}
    released = {}
    for (r, _), c in cells.items():
        if not _unsafe(c, rules):
            released.setdefault(r, []).append(c.get("value"))
    problems = []
    percent = out.get("kind") in ("shares", "descriptives", "figure")  # a share may be printed as a percentage
    whole = out.get("kind") == "count"  # counts of people (the page's counts and their differences)
    shown = {k for k, c in cells.items() if _unsafe(c, rules) and _printed(c, page, released, specific_digits, percent, whole)}
    for r, c in sorted(shown):
        rule = cells[(r, c)]["rule"]
        problems.append(
            f"{out['output']}: {r} / {c} printed although withheld ({REASONS.get(rule, rule) if rule else REASONS['threshold']})"
        )
    known = {k for k, c in cells.items() if not _unsafe(c, rules) and c["outcome"] != "implied"} | shown
    rels = [Relation(tuple(((r, c), float(k)) for r, c, k in rel)) for rel in out.get("relations", [])]
    groups = [[(r, d)] + [(r, s) for s in srcs] for d, srcs in out.get("derived", {}).items() for r in {k[0] for k in cells}]
    while True:
        unknown = [k for k in cells if k not in known]
        found = recoverable(unknown, rels)
        for g in groups:
            missing = [k for k in g if k in cells and k not in known]
            if len(missing) == 1 and all(k in cells for k in g):
                found.add(missing[0])
        found -= known
        if not found:
            return problems
        problems += [
            f"{out['output']}: {k[0]} / {k[1]} recoverable by subtraction from the printed cells"
            for k in sorted(found)
            if _unsafe(cells[k], rules)
        ]
        known |= found
