"""movers: the code behind the *Moving out to move on* research book.

Chapters are thin notebooks; everything they compute comes from the small
modules of this package, each tested in ``tests/``.
"""

__version__ = "0.1.0"
