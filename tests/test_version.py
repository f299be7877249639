"""``movers.__version__`` has one source, pyproject.toml: through the installed metadata, or read from the file
by a checkout that is run without installing. (tests/book/test_publish.py checks the installed case.)"""

import importlib.metadata
import tomllib
from pathlib import Path

import movers

DECLARED = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]["version"]


def test_the_version_is_the_declared_one():
    assert movers.__version__ == DECLARED


def test_without_installed_metadata_the_version_is_read_from_pyproject(monkeypatch):
    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    assert movers._version() == DECLARED
