"""The book's code reference: a page per module of ``movers``, written when the book is staged.

Each page asks Sphinx's autodoc (which imports the package during the build) for the module's
docstring and for every public function and class defined in it; ``sphinx.ext.viewcode`` adds the
highlighted source of each module, linked from each entry. The pages are generated from the package
itself, so a new module or function is in the reference without anyone editing a page, and every
function a chapter calls (``movers.book.latex.canonical``) has exactly one entry to link to.

The reference belongs to the HTML book: ``movers.book.build`` leaves these pages out of the PDF, whose
chapters end with the plain list of the functions they call.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

PACKAGE = "movers"
FOLDER = "api"  # the pages: api.md (index) and api/<module>.md
INDEX = "api"  # docname of the index page, listed in _toc.yml with `glob: api/*` under it
SKIP = ("movers.__main__",)  # runs the command line on import: nothing to document


def modules() -> list[str]:
    """Every module of the package (sub-packages included), sorted by name."""
    package = importlib.import_module(PACKAGE)
    found = [m.name for m in pkgutil.walk_packages(package.__path__, PACKAGE + ".")]
    return sorted(n for n in found if n not in SKIP)


def members(name: str) -> list[tuple[str, str]]:
    """``(directive, member)`` of the public functions and classes the module defines (not those it
    imports), in the order of its source."""
    module = importlib.import_module(name)
    out = []
    for attr, obj in vars(module).items():
        if attr.startswith("_") or getattr(obj, "__module__", None) != name:
            continue
        if inspect.isclass(obj):
            out.append(("autoclass", attr))
        elif inspect.isfunction(obj):
            out.append(("autofunction", attr))

    def line(item):
        try:
            return inspect.getsourcelines(getattr(module, item[1]))[1]
        except (OSError, TypeError):
            return 0

    return sorted(out, key=line)


def summary(name: str) -> str:
    """The first paragraph of a module's docstring on one line, as Markdown (rST roles and double backticks made plain)."""
    doc = (inspect.getdoc(importlib.import_module(name)) or "").strip()
    first = " ".join(doc.split("\n\n")[0].split())
    first = re.sub(r":[a-z:]+:`~?([^`]+)`", r"`\1`", first).replace("``", "`")
    return first.replace("|", "\\|")


def page_name(name: str) -> str:
    """The page of a module, relative to the book's source: ``api/strands_flows_models`` for ``movers.strands.flows.models``."""
    return f"{FOLDER}/{name.removeprefix(PACKAGE + '.').replace('.', '_')}"


def module_page(name: str) -> str:
    """A module's page: its docstring, then each public function and class (docstring, signature, [source])."""
    lines = [f"# {name}", "", "```{eval-rst}", f".. automodule:: {name}", ""]
    for directive, member in members(name):
        lines.append(f".. {directive}:: {member}")
        if directive == "autoclass":
            lines += ["   :members:", "   :undoc-members:"]
        lines.append("")
    lines.append("```")
    return "\n".join(lines) + "\n"


def index_page(names: list[str]) -> str:
    """The reference's first page: the package's docstring and a table of its modules."""
    rows = [f"| [{n}]({page_name(n)}.md) | {summary(n)} |" for n in names]
    return "\n".join(
        [
            "# Code reference",
            "",
            "```{eval-rst}",
            f".. automodule:: {PACKAGE}",
            "```",
            "",
            (
                "Every module of the package, with the docstring of each public function and class and its "
                "highlighted source (the *[source]* link beside each entry). Each chapter ends with the functions "
                "its cells call, linked to their entries here."
            ),
            "",
            "| module | what it holds |",
            "|:--|:--|",
            *rows,
            "",
        ]
    )


def write(root: Path) -> list[str]:
    """Write the index page and a page per module under ``root``; return the modules documented.
    Pages of modules that no longer exist are removed."""
    names = modules()
    folder = Path(root) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    keep = {Path(page_name(n)).name + ".md" for n in names}
    for old in folder.glob("*.md"):
        if old.name not in keep:
            old.unlink()
    for n in names:
        (Path(root) / f"{page_name(n)}.md").write_text(module_page(n))
    (Path(root) / f"{INDEX}.md").write_text(index_page(names))
    return names
