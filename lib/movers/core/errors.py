"""One exception type for bad input, so every user-facing failure names the file and the problem."""

from __future__ import annotations

import re
from pathlib import Path

# A first-line entry that is a value, not a variable name: a number (pandas adds ".1" to a repeated one) or a
# GSS area code. A file whose first line holds one has lost its header, and the line is somebody's record.
_YEAR = re.compile(r"^\s*(19|20)\d\d\s*$")  # a year is a fair column name (one column per year)
_VALUE = re.compile(r"^\s*(-?\d+(\.\d*)?([eE][+-]?\d+)?|[EWSNK]\d{8}(\.\d+)?)\s*$")


class InputError(ValueError):
    """Bad input data or parameters.

    The message always has the form ``<file>: <problem>`` so that a user who
    points the book at their own files learns at once which file to fix.
    """

    def __init__(self, source: str | Path | None, problem: str):
        self.source = str(source) if source is not None else None
        self.problem = problem
        super().__init__(f"{self.source}: {problem}" if self.source else problem)


def found_names(columns, limit: int = 30) -> str:
    """``found a, b, c`` for a message about missing columns, or, when the first line holds values rather than
    names (a file without its header line, whose first line is a record), a sentence that says so and
    quotes none of them: a person's id or income must not reach a message."""
    columns = [str(c) for c in columns]
    values = sum(bool(_VALUE.match(c)) and not _YEAR.match(c) for c in columns)
    if values:
        return (
            f"the first line holds values, not variable names ({values} of its {len(columns)} entries are numbers "
            "or area codes, not shown): the header line is missing or damaged"
        )
    return "found " + ", ".join(columns[:limit]) + (" ..." if len(columns) > limit else "")


def require_columns(df, columns, source) -> None:
    """Raise InputError listing every column of ``columns`` that ``df`` lacks."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(source, f"missing column(s) {', '.join(missing)}; {found_names(df.columns)}")


def require_nonempty(df, source, what: str = "selection") -> None:
    """Raise InputError when a filter leaves no rows (an empty year, an unknown area type...)."""
    if len(df) == 0:
        raise InputError(source, f"the {what} is empty")
