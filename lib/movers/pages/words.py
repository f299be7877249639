"""Words that must follow the numbers they describe.

A sentence that says which way a number goes ("women's rates exceed men's by ...", "the areas gained ...")
takes its direction word from the number's sign, and prints the number without a sign: "exceed by -0.17"
and "gained -15,239" contradict themselves, and "£+250" is not how money is written. Chapters glue the
word and the size separately (``directed``); Python that writes a sentence calls ``direction`` and
``size``. ``tools/check_prose.py`` reads the built book for what slips through.
"""

from __future__ import annotations

import math

# direction words of the prose, each with its opposite: the checker looks for a sign after any of them
PAIRS = {
    "more": "fewer",
    "higher": "lower",
    "rose": "fell",
    "exceed": "fall short of",
    "gained": "lost",
    "lifted": "lowered",
    "above": "below",
    "increase": "decrease",
}


def direction(value: float, up: str, down: str, same: str = "the same as") -> str:
    """``up`` for a positive ``value``, ``down`` for a negative one, ``same`` for zero (or a missing value)."""
    if value is None or not math.isfinite(value) or value == 0:
        return same
    return up if value > 0 else down


def size(value: float, digits: int = 2, unit: str = "") -> str:
    """The number without its sign, thousands separated, ``unit`` (``£``) in front: what follows a direction word."""
    if value is None or not math.isfinite(value):
        return ""
    return f"{unit}{abs(value):,.{digits}f}"


def count(n: int, singular: str, plural: str | None = None) -> str:
    """ "1 cell", "3 cells": a counted noun in the number it needs, never "cell(s)"."""
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def directed(name: str, value: float, up: str, down: str, same: str = "the same as") -> dict:
    """Glue values for a sentence about ``value``: ``<name>_word`` (``up``/``down``/``same`` by its sign) and
    ``<name>_size`` (its absolute value, formatted in the chapter), e.g. "women's rates {female_word} men's by
    {female_size:.2f}"."""
    return {f"{name}_word": direction(value, up, down, same), f"{name}_size": abs(float(value)) if math.isfinite(value) else 0.0}
