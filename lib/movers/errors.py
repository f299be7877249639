"""One exception type for bad input, so every user-facing failure names the file and the problem."""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Bad input data or parameters.

    The message always has the form ``<file>: <problem>`` so that a user who
    points the book at their own files learns at once which file to fix.
    """

    def __init__(self, source: str | Path | None, problem: str):
        self.source = str(source) if source is not None else None
        self.problem = problem
        super().__init__(f"{self.source}: {problem}" if self.source else problem)


def require_columns(df, columns, source) -> None:
    """Raise InputError listing every column of ``columns`` that ``df`` lacks."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(source, f"missing column(s) {', '.join(missing)}; found {', '.join(map(str, df.columns))}")


def require_nonempty(df, source, what: str = "selection") -> None:
    """Raise InputError when a filter leaves no rows (an empty year, an unknown area type...)."""
    if len(df) == 0:
        raise InputError(source, f"the {what} is empty")
