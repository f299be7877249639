"""Report-style tables that render the same in the HTML and the PDF book.

Tables are emitted as MyST markdown (a ``{table}`` directive holding a pipe
table): myst-nb parses that output into a docutils table, which Sphinx writes
natively to HTML and to LaTeX. A pandas DataFrame, by contrast, only offers
HTML and would fall back to plain text in the PDF.

Estimates travel between the analysis modules and these renderers as a
``movers.estimators.results.Estimates`` (its ``coefs`` a *coefficient frame*: a DataFrame indexed by
the report's row label with columns ``estimate``, ``se`` and ``pvalue``; ``coef_frame`` and ``estimates``
build them and are re-exported here). A plain coefficient frame renders too, without observations.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from movers.estimators.agreement import stars
from movers.pages import typeset

STAR_NOTE = "*** p<0.01, ** p<0.05, * p<0.1"


def letters(k: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA": the letter part of the book's own table numbers."""
    out = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        out = chr(65 + r) + out
    return out


def own_number(prefix: str, key: str, keys: Sequence[str]) -> str:
    """The book's own number of a table ("4.A", "4.B"...): the chapter's ``prefix`` and a letter, which no
    report table has. The letter is the place of ``key`` (a name of the table that does not change with the
    chapter's parameters, such as its label) among ``keys``, the chapter's own tables in page order. A pure
    function of its arguments: a cell run again, a table shown twice, cells run in another order or a kernel
    that ran another chapter before all give a table the same number. A key not in ``keys`` is an error,
    never a next letter that would depend on what ran before."""
    order = list(dict.fromkeys(keys))
    if key not in order:
        raise ValueError(f"table {key!r} is not among the own tables of chapter {prefix} ({', '.join(order)}): add it there")
    return f"{prefix}.{letters(order.index(key))}"


def coefficients(result) -> pd.DataFrame:
    """The coefficient frame of a ``movers.estimators.results.Estimates`` (its ``coefs``) or of a plain coefficient frame."""
    return getattr(result, "coefs", result)


def observations(result) -> int | None:
    """The number of observations of an ``Estimates`` (``nobs``; None for a plain coefficient frame);
    ``[c]`` when disclosure control withheld it (``movers.sdc.checker.Checker.population``)."""
    if getattr(result, "nobs_withheld", False):
        return "[c]"
    return getattr(result, "nobs", None)


def fmt_number(x, digits: int = 3, thousands: bool = True) -> str:
    """Format a number the way the report prints it: fixed decimals, thousands separators (text, such as a
    withheld ``[c]``, passes unchanged)."""
    if isinstance(x, str):
        return x
    if x is None or (isinstance(x, float) and not math.isfinite(x)) or (isinstance(x, (np.floating,)) and not np.isfinite(x)):
        return ""
    if isinstance(x, (int, np.integer)) or (isinstance(x, float) and digits == 0):
        return f"{int(round(x)):,}" if thousands else str(int(round(x)))
    return f"{x:,.{digits}f}" if thousands else f"{x:.{digits}f}"


def coef_cell(estimate: float, se: float | None, pvalue: float | None, digits: int = 3) -> str:
    """``0.038** (0.016)``: coefficient with stars and the standard error in parentheses."""
    return marked_cell(estimate, se, stars(pvalue), digits)


def marked_cell(estimate: float, se: float | None, marks: str = "", digits: int = 3, se_digits: int | None = None) -> str:
    """``estimate`` at ``digits`` decimals followed by ``marks`` (stars), then the SE in parentheses (at
    ``se_digits``, default ``digits``); empty for a missing estimate. The one layout of a coefficient cell."""
    if estimate is None or not np.isfinite(estimate):
        return ""
    text = f"{estimate:,.{int(digits)}f}{marks or ''}"
    if se is not None and np.isfinite(se):
        text += f" ({se:,.{int(digits if se_digits is None else se_digits)}f})"
    return text


def _escape(text: str) -> str:
    """Escape the characters MyST would read as markup inside a table cell."""
    return str(text).replace("\\", "\\\\").replace("*", "\\*").replace("|", "\\|").replace("$", "\\$").replace("_", "\\_")


@dataclass
class Table:
    """A rendered table: a DataFrame of strings plus caption and notes.

    In a notebook it displays as MyST markdown (``_repr_markdown_``), which the
    book turns into a real table in both HTML and PDF.
    """

    frame: pd.DataFrame
    caption: str = ""
    notes: str = ""
    label: str | None = None
    index_header: str = ""
    align: str | None = None
    extra: dict = field(default_factory=dict)
    values: pd.DataFrame | None = None  # the unrounded numbers behind the cells, for the CSV download

    def column_widths(self) -> list[int]:
        """Relative column widths (the HTML's; the PDF measures its own, :mod:`movers.pages.typeset`) from the
        text each column holds: the longest cell as printed (a ``coef*** (se)`` cell is two lines, the
        standard error under the coefficient) or the longest word of the header, which wraps between
        words only; bounded so that a long label wraps instead of crowding out the numbers."""

        def printed(cell) -> int:
            m = typeset.COEF.match(str(cell))
            return max(len(m["coef"]), len(m["se"])) if m else len(str(cell))

        def width(header, cells, cap):
            # 2 more for the space between columns
            longest_cell = max((printed(c) for c in cells), default=0)
            longest_word = max((len(w) for w in str(header).split()), default=0)
            return int(min(max(longest_cell, longest_word, 4), cap)) + 2

        widths = [width(self.index_header, self.frame.index, 28)]
        widths += [width(c, self.frame[c], 18) for c in self.frame.columns]
        return widths

    def to_markdown(self) -> str:
        """MyST: a ``{table}`` directive (caption, label, widths, and the ``longtable`` class so a long
        table breaks across PDF pages and keeps its caption), then the notes."""
        cols = [self.index_header] + [str(c) for c in self.frame.columns]
        lines = ["| " + " | ".join(_escape(c) for c in cols) + " |"]
        align = self.align or ("l" + "r" * len(self.frame.columns))
        marks = {"l": ":--", "r": "--:", "c": ":-:"}
        lines.append("|" + "|".join(marks[a] for a in align) + "|")
        for idx, row in self.frame.iterrows():
            cells = [idx] + ["" if (v is None or (isinstance(v, float) and math.isnan(v))) else v for v in row.tolist()]
            lines.append("| " + " | ".join(_escape(c) for c in cells) + " |")
        head = f":::{{table}} {_escape(self.caption)}".rstrip() + "\n"
        if self.label:
            head += f":name: {self.label}\n"
        head += ":class: longtable\n"
        head += f":widths: {' '.join(map(str, self.column_widths()))}\n"
        body = head + "\n" + "\n".join(lines) + "\n:::"
        if self.notes:
            body += f"\n\nNotes: {_escape(self.notes)}"
        return body

    def _repr_markdown_(self):
        """The markdown. On a chapter's page (``report.setup``) the page's own display formatter shows the
        table instead, with its record for the download in the output's metadata (``downloads.with_record``):
        the book build turns that into the download and the "Source:" line under the table."""
        return self.to_markdown()

    def __repr__(self) -> str:  # plain-text fallback for terminals
        return (self.caption + "\n" if self.caption else "") + self.frame.to_string()


def _numbers_as_text(col: pd.Series) -> bool:
    """A column of figures kept as printed ("3.8", "0.25**", "[c]"): aligned as numbers."""
    vals = [str(v) for v in col if v is not None and str(v) not in ("", "nan")]
    return bool(vals) and all(re.fullmatch(r"[-−]?[\d,]*\.?\d+\**|\[c\]", v) for v in vals)


def render(
    df: pd.DataFrame,
    digits: int | Mapping[str, int] = 3,
    caption: str = "",
    notes: str = "",
    label: str | None = None,
    index_header: str = "",
    transpose: bool = False,
) -> Table:
    """Render any DataFrame as a book table, formatting numeric columns to ``digits`` decimals.

    ``transpose`` shows the columns as rows (after formatting, so ``digits`` still follows the
    original columns): a table of many variables for a few groups fits a printed page that way.
    """
    out = pd.DataFrame(index=[str(i) for i in df.index])
    align = "l" + "".join("r" if pd.api.types.is_numeric_dtype(df[c]) or _numbers_as_text(df[c]) else "l" for c in df.columns)
    for col in df.columns:
        d = digits.get(col, 3) if isinstance(digits, Mapping) else digits
        vals = df[col].tolist()
        out[str(col)] = [
            fmt_number(v, d)
            if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
            else ("" if v is None else str(v))
            for v in vals
        ]
    if transpose:
        out = out.T
        align = "l" + "r" * len(out.columns)
        index_header = index_header or (df.columns.name or "")
    return Table(
        out, caption=caption, notes=notes, label=label, index_header=index_header or (df.index.name or ""), align=align, values=df
    )


def regression_table(
    models: Mapping[str, pd.DataFrame],
    rows: Sequence[str] | None = None,
    controls: Mapping[str, Sequence[bool]] | None = None,
    digits: int = 3,
    caption: str = "",
    notes: str = "Robust standard errors in parentheses; " + STAR_NOTE + ".",
    label: str | None = None,
    nobs_label: str = "Observations",
) -> Table:
    """The report's regression table: one column per model, ``coef*** (se)`` cells,
    YES/NO rows for blocks of controls not shown, and the number of observations.

    ``rows`` fixes the order of coefficient rows (default: first appearance); ``digits`` the decimals of
    coefficients and standard errors.
    ``controls`` maps a label such as "Distance and border" to one flag per model.
    """
    names = list(models)
    if rows is None:
        rows = []
        for m in models.values():
            rows += [r for r in m.index if r not in rows]
    out = pd.DataFrame(index=list(rows), columns=names, dtype=object)
    for name, m in models.items():
        coefs = coefficients(m)
        for r in rows:
            out.loc[r, name] = coef_cell(*coefs.loc[r, ["estimate", "se", "pvalue"]], digits=digits) if r in coefs.index else ""
    for lab, flags in (controls or {}).items():
        if len(flags) != len(names):
            raise ValueError(f"control row {lab!r} has {len(flags)} flags for {len(names)} models")
        out.loc[lab] = ["YES" if f else "NO" for f in flags]
    nobs = [observations(models[n]) for n in names]
    if any(v is not None for v in nobs):
        out.loc[nobs_label] = [fmt_number(v, 0) if v is not None else "" for v in nobs]
    return flag_unconverged(Table(out, caption=caption, notes=notes, label=label, values=_long_values(models)), models)


CONVERGED_ROW = "Converged"


def unconverged(models: Mapping) -> list[str]:
    """The names of the models whose fit did not converge (an ``Estimates`` with ``converged`` False; a plain
    coefficient frame carries no such flag and counts as converged)."""
    return [name for name, m in models.items() if getattr(m, "converged", True) is False]


def flag_unconverged(table: Table, models: Mapping) -> Table:
    """Mark on ``table`` (one column per model of ``models``) every model whose fit did not converge: a
    ``Converged`` row (YES/NO) under its columns and a note naming it. Shown, not refused: the estimates
    are what the fit reached and a reader can judge them, while a refusal would take the page's other
    models with it; a table whose models all converged is returned unchanged."""
    failed = unconverged(models)
    if not failed:
        return table
    table.frame.loc[CONVERGED_ROW] = ["NO" if c in failed else "YES" for c in table.frame.columns]
    which = ", ".join(failed)
    warning = (
        f"{which} did not converge: the fit stopped at its iteration limit, so "
        f"{'its estimates are' if len(failed) == 1 else 'their estimates are'} those of the last iteration, "
        "not maximum-likelihood estimates."
    )
    table.notes = f"{table.notes} {warning}".strip()
    return table


def _long_values(models: Mapping[str, pd.DataFrame]) -> pd.DataFrame | None:
    """The numbers behind a regression table, one row per model and term: estimate, SE, p-value, stars and
    observations in columns of their own (None if a model is not a coefficient frame)."""
    cols = ["estimate", "se", "pvalue"]
    frames = {n: coefficients(m) for n, m in models.items()}  # an Estimates or a coefficient frame
    if not frames or not all(isinstance(f, pd.DataFrame) and set(cols) <= set(f.columns) for f in frames.values()):
        return None
    return pd.concat(
        {n: f[cols].assign(stars=f["pvalue"].map(stars), nobs=observations(models[n])) for n, f in frames.items()},
        names=["model", "term"],
    )
