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
  post-transforms drop code cells' source from LaTeX builds only, set each
  table's columns, type size and page orientation from its cells in LaTeX
  builds, and, in every build, put standard errors under their coefficients
  (:mod:`movers.pages.typeset`) and give each figure's image its caption as alt text.
"""

from __future__ import annotations

import ast
import importlib
import re

import nbformat
from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from movers.pages import typeset

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
    """The ``movers`` functions called in the notebook's code cells, as full names (``movers.strands.flows.models.sending``),
    in order of first call. Names reach them through any import form (``from movers import flows``,
    ``import movers.strands.flows.models as f``, ``from movers.strands.flows.models import sending``); calls on other objects don't count.
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


class StackStandardErrors(SphinxPostTransform):
    """In every build, a row of ``coef*** (se)`` cells becomes the report's two rows: estimates, then
    standard errors in parentheses below them."""

    default_priority = 199

    def run(self, **kwargs):
        html = self.app.builder.format == "html"  # a label spans its two rows in HTML (LaTeX: no multirow)
        for table in list(self.document.findall(nodes.table)):
            typeset.stack_standard_errors(table, span_label=html)


NO_BREAKS = (nodes.literal_block, nodes.math, nodes.math_block, nodes.raw, nodes.title, nodes.caption, nodes.Invisible)


class BreakLongWordsInLatex(SphinxPostTransform):
    """Addresses, file names and SHA-256 sums may break at a line end in the PDF (``typeset.break_points``),
    instead of running past the margin; text is unchanged in HTML."""

    default_priority = 201  # after TableLayoutInLatex, which sized columns for the pieces
    formats = ("latex",)

    def run(self, **kwargs):
        for text in list(self.document.findall(nodes.Text)):
            parent = text.parent
            if parent is None or any(isinstance(a, NO_BREAKS) for a in _ancestors(parent)):
                continue
            pieces = _split_long_words(str(text))
            if len(pieces) == 1:
                continue
            at = parent.index(text)
            parent.remove(text)
            for k, piece in enumerate(pieces):
                parent.insert(at + k, nodes.raw("", r"\allowbreak{}", format="latex") if piece is None else nodes.Text(piece))


def _ancestors(node: nodes.Node):
    while node is not None:
        yield node
        node = node.parent


def _split_long_words(text: str) -> list[str | None]:
    """``text`` cut at the break points of its long words; ``None`` marks a break."""
    pieces: list[str | None] = []
    start = 0
    for word in re.finditer(r"\S+", text):
        for p in typeset.break_points(word.group(0)):
            pieces += [text[start : word.start() + p], None]
            start = word.start() + p
    return pieces + [text[start:]]


def alt_text(image: nodes.image) -> str | None:
    """What a figure's image shows, for readers who cannot see it: the figure's caption, when the image
    has no alt text of its own or only its file path (myst-nb's default for a glued figure)."""
    alt = (image.get("alt") or "").strip()
    uri = str(image.get("uri", ""))
    if alt and alt != uri and not alt.endswith((".png", ".svg", ".jpg", ".jpeg")):
        return None
    figure = image.parent
    while figure is not None and not isinstance(figure, nodes.figure):
        figure = figure.parent
    caption = next(figure.findall(nodes.caption), None) if figure is not None else None
    text = " ".join(caption.astext().split()) if caption is not None else ""
    if not text:
        return "Figure (described in the text around it)"
    return text if text.lower().startswith(("figure", "map", "chart")) else f"Figure: {text}"


class AltTextFromCaptions(SphinxPostTransform):
    """Every image gets alt text that says what it shows (``alt_text``), instead of its file path."""

    default_priority = 199

    def run(self, **kwargs):
        for image in list(self.document.findall(nodes.image)):
            alt = alt_text(image)
            if alt is not None:
                image["alt"] = alt


def _followers(table: nodes.Element) -> nodes.Element:
    """The last node that belongs with ``table`` on its page: its notes and Source line, the paragraphs
    after it in the same output (up to the next table)."""
    last = table
    for sibling in table.parent.children[table.parent.index(table) + 1 :]:
        if isinstance(sibling, nodes.table) or any(True for _ in sibling.findall(nodes.table)):
            break
        last = sibling
    return last


class TableLayoutInLatex(SphinxPostTransform):
    """Each table's LaTeX columns measured from its cells (``typeset.layout``): a ``tabularcolumns``
    specification before it, its type size, and a landscape page (with its notes) when portrait is too
    narrow. Every table becomes a ``longtable``, so that it may break across pages."""

    default_priority = 200  # after StackStandardErrors: the rows measured are the rows printed
    formats = ("latex",)

    def run(self, **kwargs):
        for table in list(self.document.findall(nodes.table)):
            if next(table.findall(nodes.tgroup), None) is None or table.parent is None:
                continue
            for entry in table.findall(nodes.entry):
                if not entry.astext().strip():  # an empty paragraph would end a LaTeX cell with a blank line
                    entry.children = []
            header, body = typeset.table_cells(table)
            plan = typeset.layout(header, body)
            if "longtable" not in table["classes"]:
                table["classes"].append("longtable")
            if "colwidths-given" in table["classes"]:  # the HTML's widths; LaTeX has its own (no log line per table)
                table["classes"].remove("colwidths-given")
            parent = table.parent
            before = [rf"\def\moverstablesize{{\{plan.size}}}"]
            after = [r"\def\moverstablesize{\small}"]
            end = table
            if plan.landscape:
                before.insert(0, r"\begin{landscape}")
                after.append(r"\end{landscape}")
                end = _followers(table)
            at = parent.index(table)
            parent.insert(at, nodes.raw("", "\n".join(before) + "\n", format="latex"))
            parent.insert(at + 1, addnodes.tabular_col_spec(spec=plan.colspec()))
            end.parent.insert(end.parent.index(end) + 1, nodes.raw("", "\n".join(after) + "\n", format="latex"))


def setup(app):
    """Sphinx extension (``sphinx: extra_extensions: [movers.book.latex]``): the PDF without code and with
    tables laid out from their cells; in HTML and PDF, standard errors under their coefficients and
    figures described by their captions (alt text)."""
    app.add_post_transform(DropCodeInLatex)
    app.add_post_transform(StackStandardErrors)
    app.add_post_transform(AltTextFromCaptions)
    app.add_post_transform(TableLayoutInLatex)
    app.add_post_transform(BreakLongWordsInLatex)
    app.add_latex_package("pdflscape")  # landscape pages for the widest tables
    return {"parallel_read_safe": True, "parallel_write_safe": True}
