"""Measure how thin the chapters are: the targets of issue 12, printed per chapter.

Per chapter (a MyST notebook in ``chapters/``):

* ``code %``: non-blank lines of code cells (cell options such as ``:tags:`` excluded)
  over all lines of the file (the measure the issue's "before" figures used);
* ``largest``: non-blank code lines of the longest code cell other than the parameters cell (its size is
  shown as ``params``: it declares one input a line, as papermill needs to read it, and holds no logic);
* ``unparsed``: lines of the parameters cell papermill cannot read as one name's default (``a, b = 1, 2``):
  papermill then warns "Unable to parse line" and "Passed unknown parameter", and a ``-p`` value for
  those names is injected without papermill knowing the chapter declares it;
* ``def``, ``loops`` (``for``/``while`` statements, comprehensions excluded) and
  ``if source``: counts of each in the code cells;
* repeated blocks: every window of 3 consecutive non-blank code lines (stripped)
  that occurs in the code cells of two or more chapters. Parameters cells are left
  out: they declare each chapter's inputs and repeat by design;
* ``removed``: code cells whose source the HTML leaves out (tagged ``remove-input`` or
  ``remove-cell``) although they do more than import: a reviewer must be able to unfold every
  cell that loads data, fits a model or glues a number (``hide-input``); only pure imports may go.

Usage: ``python tools/chapter_metrics.py [--check] [chapter.md ...]`` (default: every chapter).
Exit status 0, unless ``--check`` is given and a chapter shown misses a target (code share over
25 %, a cell over 12 lines, a ``def``, loop or ``if source``, a repeated block, or a removed cell that
is not a pure import): then 1.
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```\{code-cell\}")
LOOP = re.compile(r"^\s*(for|while)\s.*:\s*(#.*)?$")
DEF = re.compile(r"^\s*(async\s+)?def\s")
IF_SOURCE = re.compile(r"\bif\s+(source|src\.kind)\s*(==|!=|in)")
WINDOW = 3
MAX_SHARE = 25.0  # per cent of the chapter's lines
MAX_CELL = 12  # lines of one code cell
REMOVING_TAGS = ("remove-input", "remove-cell")  # tags that leave a cell's source out of the HTML
MULTI_ASSIGN = re.compile(r"^\s*[A-Za-z_]\w*\s*,")  # "a, b = ..." in a parameters cell
ASSIGN = re.compile(r"^([A-Za-z_]\w*)\s*=")  # one name's default


@dataclass
class Cell:
    tags: str
    lines: list[str]  # non-blank source lines, options excluded

    @property
    def parameters(self) -> bool:
        return "parameters" in self.tags

    @property
    def removed(self) -> bool:
        """Whether the HTML leaves this cell's source out."""
        return any(t in self.tags for t in REMOVING_TAGS)

    @property
    def pure_imports(self) -> bool:
        """Whether the cell only imports (a cell that does not parse as Python is not)."""
        try:
            body = ast.parse(textwrap.dedent("\n".join(self.lines))).body
        except SyntaxError:
            return False
        return all(isinstance(node, (ast.Import, ast.ImportFrom)) for node in body)


@dataclass
class Chapter:
    name: str
    total: int
    cells: list[Cell] = field(default_factory=list)

    @property
    def code(self) -> int:
        return sum(len(c.lines) for c in self.cells)

    @property
    def share(self) -> float:
        return 100 * self.code / max(self.total, 1)

    @property
    def largest(self) -> int:
        """Lines of the longest code cell, the papermill parameters cell excluded (``parameters_lines``)."""
        return max((len(c.lines) for c in self.cells if not c.parameters), default=0)

    @property
    def parameters_lines(self) -> int:
        return max((len(c.lines) for c in self.cells if c.parameters), default=0)

    @property
    def unparsed(self) -> list[str]:
        """Lines of the parameters cell papermill does not read as a parameter: several names at once, or a
        line its parser gives up on (e.g. quotes in the comment), asked of papermill's own parser."""
        import logging

        import nbformat
        from papermill.translators import PythonTranslator

        out = []
        for c in self.cells:
            if not c.parameters:
                continue
            logging.getLogger("papermill").setLevel(logging.ERROR)  # its "Unable to parse line" is what we report
            read = {p.name for p in PythonTranslator.inspect(nbformat.v4.new_code_cell("\n".join(c.lines)))}
            out += [
                line
                for line in c.lines
                if MULTI_ASSIGN.match(line) or (ASSIGN.match(line) and ASSIGN.match(line).group(1) not in read)
            ]
        return out

    def count(self, pattern: re.Pattern) -> int:
        return sum(bool(pattern.search(line)) for c in self.cells for line in c.lines)

    @property
    def removed(self) -> int:
        """Cells whose code the HTML hides for good although they do more than import."""
        return sum(c.removed and not c.pure_imports for c in self.cells)


def parse(path: Path) -> Chapter:
    """Split a MyST notebook into its code cells and count the non-blank lines of the whole."""
    text = path.read_text().splitlines()
    chapter = Chapter(path.stem, len(text))
    cell = None
    for line in text:
        if cell is None and FENCE.match(line):
            cell = Cell("", [])
        elif cell is not None and line.startswith("```"):
            chapter.cells.append(cell)
            cell = None
        elif cell is not None:
            if line.startswith(":") and not cell.lines:  # cell options (:tags: ...)
                cell.tags += line
            elif line.strip():
                cell.lines.append(line.rstrip())
    return chapter


def repeated_blocks(chapters: list[Chapter]) -> dict[tuple[str, ...], set[str]]:
    """3-line windows of code (parameters cells excluded) found in more than one chapter."""
    seen: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for ch in chapters:
        for c in ch.cells:
            if c.parameters:
                continue
            lines = [line.strip() for line in c.lines]
            for i in range(len(lines) - WINDOW + 1):
                seen[tuple(lines[i : i + WINDOW])].add(ch.name)
    return {w: names for w, names in seen.items() if len(names) > 1}


def misses(chapter: Chapter, reps: dict[tuple[str, ...], set[str]]) -> list[str]:
    """The targets one chapter misses (empty when it meets them all)."""
    out = []
    if chapter.share > MAX_SHARE:
        out.append(f"code {chapter.share:.1f} % > {MAX_SHARE:.0f} %")
    if chapter.largest > MAX_CELL:
        out.append(f"a cell of {chapter.largest} lines > {MAX_CELL}")
    for name, pattern in (("def", DEF), ("loop", LOOP), ("if source", IF_SOURCE)):
        if chapter.count(pattern):
            out.append(f"{chapter.count(pattern)} {name}")
    n_rep = sum(chapter.name in names for names in reps.values())
    if n_rep:
        out.append(f"{n_rep} repeated block(s)")
    if chapter.unparsed:
        out.append(
            f"{len(chapter.unparsed)} parameters line(s) papermill cannot parse (one name a line): {chapter.unparsed[0]!r}"
        )
    if chapter.removed:
        out.append(f"{chapter.removed} removed cell(s) that do more than import (tag them hide-input)")
    return out


def report(paths: list[Path], against: list[Path] | None = None) -> str:
    """The table of figures; repeated blocks are searched among ``against`` (default: the same chapters)."""
    chapters = [parse(p) for p in paths]
    pool = [parse(p) for p in against] if against else chapters
    reps = repeated_blocks(pool)
    shown = {c.name for c in chapters}
    lines = [
        f"{'chapter':<16} {'lines':>5} {'code':>5} {'code %':>6} {'largest':>7} {'params':>6} {'def':>3} {'loops':>5} {'if source':>9} {'repeated':>8} {'removed':>7}"
    ]
    for c in chapters:
        n_rep = sum(c.name in names for names in reps.values())
        lines.append(
            f"{c.name:<16} {c.total:>5} {c.code:>5} {c.share:>6.1f} {c.largest:>7} {c.parameters_lines:>6} "
            f"{c.count(DEF):>3} {c.count(LOOP):>5} {c.count(IF_SOURCE):>9} {n_rep:>8} {c.removed:>7}"
        )
    rep_here = {w: n for w, n in reps.items() if n & shown}
    if rep_here:
        lines.append(f"\n{len(rep_here)} block(s) of {WINDOW} lines repeated between chapters:")
        for w, names in sorted(rep_here.items(), key=lambda kv: sorted(kv[1])):
            lines.append(f"  in {', '.join(sorted(names))}: " + " / ".join(w))
    else:
        lines.append(f"\nno block of {WINDOW} lines repeated between chapters")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    every = sorted((ROOT / "chapters").glob("*.md"))
    paths = [Path(a) for a in argv if a != "--check"] or every
    pool = sorted(set(every) | set(paths))
    print(report(paths, against=pool))
    if not check:
        return 0
    reps = repeated_blocks([parse(p) for p in pool])
    failing = {c.name: m for c in map(parse, paths) if (m := misses(c, reps))}
    for name, m in failing.items():
        print(f"{name}: misses the targets ({'; '.join(m)})", file=sys.stderr)
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
