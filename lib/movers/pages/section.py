"""What one section of a chapter shows, as its page functions return it (``movers.pages.flows``,
``flows_yearly``, ``flows_inference``): the tables in order, the facts its prose glues, the frames behind them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Section:
    """What one chapter section shows: tables (in order), prose facts to glue, and the frames behind them."""

    tables: list = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    frames: dict = field(default_factory=dict)
