"""Lint the chapters' code cells with ruff, reporting each finding at its line in the chapter.

The chapters are MyST notebooks (``chapters/*.md``), which ruff does not read. This tool joins
each chapter's code cells into one Python text (in order, cell options left out), runs
``ruff check`` on it through stdin with the project's configuration, and maps every finding
back to the Markdown line it came from. With ``--format`` it also asks ``ruff format`` whether
each cell is formatted, and names the cells that are not.

Usage: ``python tools/lint_chapters.py [--format | --fix] [chapter.md ...]`` (``--fix`` rewrites the cells as
``ruff format`` would) (default: every chapter).
Exit status 0 when nothing is found, 1 otherwise.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FENCE_OPEN = re.compile(r"^```\{code-cell\}")
OPTION = re.compile(r"^:[\w-]+:")
# Rules that do not fit notebook cells: imports sit in the first cell but the parameters cell may precede
# them (E402), and a cell's last expression is its display (B018).
NOTEBOOK_IGNORES = "E402,B018"
NOTEBOOK_BUILTINS = "builtins = ['display']"  # IPython's display() is a builtin in a kernel


def code_cells(text: str) -> list[tuple[int, list[str]]]:
    """(first Markdown line number of the code, its lines) for each code cell of a MyST notebook."""
    cells, current, start = [], None, 0
    for number, line in enumerate(text.splitlines(), start=1):
        if current is None:
            if FENCE_OPEN.match(line):
                current, start = [], number + 1
            continue
        if line.startswith("```"):
            while current and (OPTION.match(current[0]) or not current[0].strip()):
                current.pop(0)
                start += 1
            while current and not current[-1].strip():
                current.pop()
            cells.append((start, current))
            current = None
        else:
            current.append(line)
    return cells


def joined(cells: list[tuple[int, list[str]]]) -> tuple[str, list[int]]:
    """The cells as one Python text, and for each of its lines the chapter line it came from (0: a separator)."""
    lines, where = [], []
    for start, body in cells:
        if lines:
            lines += ["", ""]
            where += [0, 0]
        lines += body
        where += list(range(start, start + len(body)))
    return "\n".join(lines) + "\n", where


def ruff(*args: str, stdin: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("ruff")
    cmd = [str(exe) if exe.exists() else "ruff", *args]
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, cwd=ROOT, check=False)


def lint(path: Path, check_format: bool = False) -> list[str]:
    """Findings for one chapter, as ``chapters/x.md:LINE: CODE message`` lines."""
    rel = path.resolve().relative_to(ROOT)
    cells = code_cells(path.read_text())
    source, where = joined(cells)
    pseudo = str(rel.with_suffix(".py"))
    out = []
    result = ruff(
        "check",
        "--output-format",
        "json",
        "--extend-ignore",
        NOTEBOOK_IGNORES,
        "--config",
        NOTEBOOK_BUILTINS,
        "--stdin-filename",
        pseudo,
        "-",
        stdin=source,
    )
    if result.returncode not in (0, 1):
        raise SystemExit(f"ruff failed on {rel}: {result.stderr.strip()}")
    for item in json.loads(result.stdout or "[]"):
        row = item["location"]["row"]
        line = where[row - 1] if 0 < row <= len(where) else 0
        out.append(f"{rel}:{line}: {item['code']} {item['message']}")
    if check_format:
        for start, body in cells:
            text = "\n".join(body) + "\n"
            fmt = ruff("format", "--stdin-filename", pseudo, "-", stdin=text)
            if fmt.returncode == 0 and fmt.stdout != text:
                out.append(f"{rel}:{start}: cell not formatted as `ruff format` would write it")
    return out


def format_cells(path: Path) -> int:
    """Rewrite each code cell of a chapter as ``ruff format`` writes it; return how many changed."""
    lines = path.read_text().splitlines()
    pseudo = str(path.resolve().relative_to(ROOT).with_suffix(".py"))
    changed = 0
    for start, body in reversed(code_cells("\n".join(lines))):
        text = "\n".join(body) + "\n"
        fmt = ruff("format", "--stdin-filename", pseudo, "-", stdin=text)
        if fmt.returncode == 0 and fmt.stdout != text:
            lines[start - 1 : start - 1 + len(body)] = fmt.stdout.rstrip("\n").split("\n")
            changed += 1
    if changed:
        path.write_text("\n".join(lines) + "\n")
    return changed


def main(argv: list[str]) -> int:
    if "--fix" in argv:
        paths = [Path(a) for a in argv if not a.startswith("--")] or sorted((ROOT / "chapters").glob("*.md"))
        print(f"{sum(format_cells(p) for p in paths)} cell(s) reformatted")
        return 0
    check_format = "--format" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")] or sorted((ROOT / "chapters").glob("*.md"))
    findings = [f for p in paths for f in lint(p, check_format)]
    print("\n".join(findings) if findings else f"{len(paths)} chapter(s): no findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
