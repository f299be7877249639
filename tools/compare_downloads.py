"""Compare two folders of the book's downloads (``_build/src/downloads/``: one subfolder per chapter, the tables as
CSV, figures, dictionaries): are the tables of a build the same as those of another?

    python tools/compare_downloads.py BASE NEW [--cells N]     (or: make compare-tables BASE=...)

Lists the files found in only one folder, and for every file in both whether it is byte-identical; for a CSV
that differs, the first ``N`` differing cells (row label, column, base value, new value). Exit 0 when every
file is the same in both, 1 when anything differs, 2 when a folder is missing.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path


def files(folder: Path) -> set[str]:
    """The files under ``folder``, as paths relative to it (``chapter/table.csv``)."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8", errors="replace"))))


def cell_differences(base: list[list[str]], new: list[list[str]], limit: int) -> list[str]:
    """Up to ``limit`` lines 'row <label>, column <name>: <base> -> <new>' for the cells that differ, the
    header row compared first; a row or column present in one table only is a cell that differs from ''."""
    out = []
    header = base[0] if base else []
    for r in range(max(len(base), len(new))):
        b_row = base[r] if r < len(base) else []
        n_row = new[r] if r < len(new) else []
        label = "header" if r == 0 else f"{r} ({(b_row or n_row or [''])[0]!r})"
        for c in range(max(len(b_row), len(n_row))):
            b = b_row[c] if c < len(b_row) else ""
            n = n_row[c] if c < len(n_row) else ""
            if b != n:
                column = header[c] if c < len(header) and r > 0 else str(c + 1)
                out.append(f"row {label}, column {column!r}: {b!r} -> {n!r}")
                if len(out) >= limit:
                    return out
    return out


def compare(base: Path, new: Path, cells: int = 5) -> tuple[bool, list[str]]:
    """(the folders hold the same files with the same bytes, the report's lines)."""
    a, b = files(base), files(new)
    lines = [f"only in {base}: {name}" for name in sorted(a - b)] + [f"only in {new}: {name}" for name in sorted(b - a)]
    same = not lines
    shared = sorted(a & b)
    differing = 0
    for name in shared:
        x, y = base / name, new / name
        if x.read_bytes() == y.read_bytes():
            continue
        same, differing = False, differing + 1
        lines.append(f"differs: {name}")
        if name.endswith(".csv"):
            bx, ny = read_csv(x), read_csv(y)
            shape = f"{len(bx)} x {max(map(len, bx), default=0)} -> {len(ny)} x {max(map(len, ny), default=0)}"
            lines.append(f"  rows x columns: {shape}")
            lines += [f"  {d}" for d in cell_differences(bx, ny, cells)] or [
                "  (same cells; the bytes differ, e.g. line endings)"
            ]
    lines.append(
        f"{len(shared)} file(s) in both, {len(shared) - differing} identical, {differing} differing; {len(a - b)} only in BASE, {len(b - a)} only in NEW"
    )
    return same, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path, help="the downloads folder to compare against (e.g. a build before a change)")
    parser.add_argument("new", type=Path, help="the downloads folder of the build to check (e.g. _build/src/downloads)")
    parser.add_argument("--cells", type=int, default=5, help="differing cells shown per CSV (default 5)")
    args = parser.parse_args(argv)
    for folder in (args.base, args.new):
        if not folder.is_dir():
            print(f"{folder}: no such folder", file=sys.stderr)
            return 2
    same, lines = compare(args.base, args.new, args.cells)
    print("\n".join(lines))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
