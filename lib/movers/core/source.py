"""The data-source value every chapter builds once: which kind of data, where, its truth, its disclosure rules.

Why one value: the kind of data (synthetic, public, restricted) used to be
re-decided in many places (six functions chose folders, chapters branched on
``source``). A chapter now calls ``source.open(...)`` once and passes the
result on; analyses ask it, never a string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from movers.core import config as yamlfile, paths
from movers.core.errors import InputError
from movers.core.truth import read_truth

SDC_RULES = paths.DATA / "sdc_rules.yml"


def load_rules(path: str | Path = SDC_RULES) -> dict:
    """The output-checking rules (a YAML mapping; the defaults follow ACRO's)."""
    p = Path(path)
    if not p.exists():
        raise InputError(p, "disclosure-control rules file not found")
    rules = yamlfile.read(p, {})
    if not isinstance(rules, dict):
        raise InputError(p, "must hold a mapping of rule names to settings")
    return rules


@dataclass(frozen=True)
class DataSource:
    """``kind`` is synthetic, public or restricted; ``root`` the folder the loaders read; ``truth``
    the generating values (synthetic only; ``{}`` otherwise, so no true value reaches a real page);
    ``rules`` the disclosure-control rules (restricted only; ``None`` means outputs need no checking)."""

    kind: str
    root: Path
    truth: Mapping[str, Any] = field(default_factory=dict)
    rules: Mapping[str, Any] | None = None

    @property
    def synthetic(self) -> bool:
        return self.kind == "synthetic"

    @property
    def restricted(self) -> bool:
        return self.kind == "restricted"

    def folder(self, name: str) -> Path:
        """A dataset's sub-folder (``flows``, ``ukhls``...), or the root when the files sit directly in it."""
        sub = self.root / name
        return sub if sub.is_dir() else self.root

    def truth_of(self, name: str) -> dict:
        """The truth of one dataset (synthetic only)."""
        return read_truth(self.folder(name)) if self.synthetic else {}


def open(kind: str, data_path: str | None = None, truth_of: str | None = None, rules: str | Path | None = None) -> DataSource:  # noqa: A001
    """Build the data-source value of a chapter from its ``source`` and ``data_path`` parameters.

    ``truth_of`` names the dataset whose ``truth.json`` the chapter shows beside its estimates.
    """
    root = paths.data_dir(kind, data_path or None)
    truth = read_truth(root / truth_of if (root / truth_of).is_dir() else root) if (kind == "synthetic" and truth_of) else {}
    return DataSource(kind=kind, root=root, truth=truth, rules=load_rules(rules or SDC_RULES) if kind == "restricted" else None)
