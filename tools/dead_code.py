"""Dead code in lib/movers: what vulture finds defined there and used nowhere (`make lint`).

A name in the package is used when anything that calls the package uses it: the package itself, the
chapters' code cells (read here, since vulture reads only .py files), the tests, the tools and the
benchmarks. Names used only by a program outside all of these (Sphinx, docutils, pooch, zipfile) are listed,
each with its reason, in tools/vulture_whitelist.py.

    python tools/dead_code.py        # prints each dead name; exit 1 when there is one
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import vulture

ROOT = Path(__file__).resolve().parents[1]
# 60 is vulture's lowest confidence: it is given to every unused function, class, method, attribute and
# variable (the higher ones are unused imports, which ruff already reports, and unreachable code). Taking
# them all is practical here because the users of every name (chapters, tests, tools) are scanned too: what
# remains is used nowhere, and the few names only an outside program calls are whitelisted by hand.
MIN_CONFIDENCE = 60
USERS = ("tests", "tools", "benchmarks")  # folders of Python that call the package (the whitelist is in tools/)
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.M | re.S)


def chapter_code(text: str) -> str:
    """The Python of a MyST chapter: its code cells, without cell options (``:tags:``) and IPython magics."""
    cells = CELL.findall(text)
    return "\n\n".join("\n".join(ln for ln in c.splitlines() if not ln.startswith((":", "%", "!"))) for c in cells)


def dead_names(root: Path = ROOT) -> list:
    """vulture's unused items defined under ``root/lib``, with every user of the package scanned."""
    v = vulture.Vulture()
    v.scavenge([str(root / "lib"), *(str(root / u) for u in USERS if (root / u).is_dir())])
    for md in sorted((root / "chapters").glob("*.md")):
        v.scan(chapter_code(md.read_text()), filename=str(md))
    lib = (root / "lib").resolve()
    return [
        item for item in v.get_unused_code(min_confidence=MIN_CONFIDENCE) if Path(item.filename).resolve().is_relative_to(lib)
    ]


def main() -> int:
    dead = dead_names()
    for item in dead:
        print(item.get_report())
    print(f"{len(dead)} dead name(s) in lib/ (vulture {vulture.__version__}, min confidence {MIN_CONFIDENCE}%)")
    return 1 if dead else 0


if __name__ == "__main__":
    sys.exit(main())
