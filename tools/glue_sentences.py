"""Count the glued values of the executed chapters whose text is a whole sentence written in Python.

A chapter's prose should be in its own markdown, with only the numbers (and the words that must follow the
data) glued in. This counts, per executed chapter (``_build/src/chapters/*.ipynb``), the glued values,
those that are sentences (a string of at least ``MIN_WORDS`` words ending in a full stop, ``?`` or ``!``)
and the words of those sentences (prose written in Python rather than in the chapter).

Usage: ``python tools/glue_sentences.py [notebook.ipynb ...] [--list]`` (default: every executed chapter).
``--list`` prints each sentence glue with its name.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXECUTED = ROOT / "_build" / "src" / "chapters"
MIN_WORDS = 6


def glued(path: Path) -> dict[str, object]:
    """Name -> value of every value the notebook glued (myst-nb's ``scrapbook`` outputs; the last one wins)."""
    nb = json.loads(Path(path).read_text())
    out: dict[str, object] = {}
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            book = (o.get("metadata") or {}).get("scrapbook", {})
            name = book.get("name")
            text = (o.get("data") or {}).get(book.get("mime_prefix", "") + "text/plain")
            if not name or text is None:
                continue
            text = "".join(text) if isinstance(text, list) else text
            try:
                out[name] = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                out[name] = text  # a figure or an object: not a string value
    return out


def is_sentence(value) -> bool:
    """A string of at least MIN_WORDS words that ends as a sentence ends."""
    return isinstance(value, str) and len(value.split()) >= MIN_WORDS and value.rstrip().endswith((".", "?", "!"))


def main(argv: list[str]) -> int:
    show = "--list" in argv
    paths = [Path(a) for a in argv if a != "--list"] or sorted(EXECUTED.glob("*.ipynb"))
    total = sentences = words = 0
    print(f"{'chapter':<16} {'glued':>5} {'sentences':>9} {'words':>6}")
    for p in paths:
        values = glued(p)
        found = {k: v for k, v in values.items() if is_sentence(v)}
        n_words = sum(len(v.split()) for v in found.values())
        total, sentences, words = total + len(values), sentences + len(found), words + n_words
        print(f"{p.stem:<16} {len(values):>5} {len(found):>9} {n_words:>6}")
        for k, v in found.items() if show else ():
            print(f"    {k}: {v}")
    print(f"{'all':<16} {total:>5} {sentences:>9} {words:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
