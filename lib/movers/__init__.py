"""movers: the code behind the *Moving out to move on* research book.

Chapters are thin notebooks; everything they compute comes from the small
modules of this package, each tested in ``tests/``.

The version has one home, ``pyproject.toml``: ``__version__`` is what the
installed package's metadata says (written from it at install), and only a
checkout run without installing (``PYTHONPATH=lib``) reads the file itself.
"""

import importlib.metadata
import tomllib
from pathlib import Path


def _version() -> str:
    try:
        return importlib.metadata.version("movers")
    except importlib.metadata.PackageNotFoundError:
        try:
            return tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


__version__ = _version()
