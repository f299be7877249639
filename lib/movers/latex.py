"""What the PDF shows instead of code, and what the HTML links each call to: the library functions a chapter called.

The HTML lets a reviewer unfold each analysis cell's code beside its output
(``hide-input``). A printed page cannot fold, and myst-nb renders a
``hide-input`` cell's source in full in LaTeX, so the PDF would carry every
call. Instead, the PDF leaves code out and ends each chapter with the list of
``movers`` functions it called; the HTML ends it with the same list, each name
a link to the function's entry in the code reference (docstring and source):

* ``library_calls`` reads the calls from a notebook's code cells (parsed with
  ``ast``, so strings and comments that look like calls do not count);
* ``canonical`` names each function where it is defined, the one place the
  code reference documents it;
* ``append_calls`` puts both lists at the end of the notebook in a markdown
  cell (``{only} latex`` and ``{only} html``), replacing those of an earlier staging;
* ``setup`` is a Sphinx extension (``sphinx: extra_extensions``) whose
  post-transform drops code cells' source from LaTeX builds only.
"""

from __future__ import annotations

import ast
import importlib

import nbformat
from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

PACKAGE = "movers"
MARKER = "movers_library_calls"  # cell metadata key of the appended list


def _source_lines(source: str) -> str:
    """Cell source with IPython magics and shell lines blanked, so that ``ast`` can parse the rest."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _aliases(tree: ast.AST, known: dict[str, str]) -> None:
    """Add the names bound to ``movers`` modules or functions by the imports of ``tree`` to ``known``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == PACKAGE or a.name.startswith(PACKAGE + "."):
                    known[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif (
            isinstance(node, ast.ImportFrom) and node.module and (node.module == PACKAGE or node.module.startswith(PACKAGE + "."))
        ):
            for a in node.names:
                known[a.asname or a.name] = f"{node.module}.{a.name}"


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` of a Name/Attribute chain, ``None`` for anything else (a call's result, a subscript)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def library_calls(nb) -> list[str]:
    """The ``movers`` functions called in the notebook's code cells, as full names (``movers.flows.sending``),
    in order of first call. Names reach them through any import form (``from movers import flows``,
    ``import movers.flows as f``, ``from movers.flows import sending``); calls on other objects don't count.
    A cell that is not Python (a syntax error) is skipped."""
    known: dict[str, str] = {}
    calls: dict[str, None] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(_source_lines(cell.source))
        except SyntaxError:
            continue
        _aliases(tree, known)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (name := _dotted(node.func)):
                head, _, rest = name.partition(".")
                if head in known:
                    calls[".".join(filter(None, [known[head], rest]))] = None
    return list(calls)


def canonical(name: str) -> str:
    """The full name of a called function where it is defined (a function re-exported by another module is
    documented once, under its own module). A name that does not resolve stays as written."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr, None)
        module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
        if isinstance(module, str) and isinstance(qualname, str) and module.split(".")[0] == PACKAGE and "<" not in qualname:
            return f"{module}.{qualname}"
        return name
    return name


def calls_markdown(calls: list[str]) -> str:
    """The list as two MyST blocks: plain names in LaTeX, links to the code reference in HTML
    (``{py:obj}`` roles: the API pages document every function under its canonical name)."""
    items = "\n".join(f"- `{c}`" for c in calls) or "- (none)"
    links = "\n".join(f"- {{py:obj}}`{canonical(c)}`" for c in calls) or "- (none)"
    return (
        f"```{{only}} latex\n**Library functions called.** The code of this chapter is in its executed notebook and in the HTML book; it called:\n\n{items}\n```\n\n"
        f"```{{only}} html\n**The code behind this page.** The functions its cells call, each linked to its docstring and "
        f"highlighted source in the {{py:mod}}`code reference <{PACKAGE}>`:\n\n{links}\n```\n"
    )


def append_calls(nb) -> list[str]:
    """Append (or renew) the lists of the notebook's library calls as its last cell; return the calls."""
    nb.cells = [c for c in nb.cells if not c.get("metadata", {}).get(MARKER)]
    calls = library_calls(nb)
    cell = nbformat.v4.new_markdown_cell(calls_markdown(calls))
    cell.metadata[MARKER] = True
    nb.cells.append(cell)
    return calls


class DropCodeInLatex(SphinxPostTransform):
    """Code cells' source (myst-nb's ``cell_code_source`` containers) left out of LaTeX; outputs stay."""

    default_priority = 198
    formats = ("latex",)

    def run(self, **kwargs):
        for node in list(self.document.findall(nodes.container)):
            if node.get("nb_element") == "cell_code_source":
                node.parent.remove(node)


def setup(app):
    """Sphinx extension (``sphinx: extra_extensions: [movers.latex]``): the PDF without code; HTML untouched."""
    app.add_post_transform(DropCodeInLatex)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
