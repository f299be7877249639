"""The layer contract can fail: a wrong import planted in a copy of the package is reported by ``lint-imports``.

``make lint`` runs ``lint-imports`` on the real tree (the contracts are ``[tool.importlinter]`` in
pyproject.toml). These tests copy ``lib/movers`` into a temporary folder, add one import that a contract
forbids, and run ``lint-imports`` on the copy: it must exit non-zero and name both the contract and the planted
import. The unplanted copy is linted too, so a line that is reported only because of the plant is what is tested.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_copy(tmp_path: Path, module: str = "", line: str = "") -> subprocess.CompletedProcess:
    """``lint-imports`` with the project's contracts on a copy of lib/movers in which ``module`` (a path
    under movers/) starts with ``line``."""
    lib = tmp_path / "lib"
    shutil.copytree(ROOT / "lib" / "movers", lib / "movers", ignore=shutil.ignore_patterns("__pycache__"))
    if module:
        target = lib / "movers" / module
        target.write_text(f"{line}\n{target.read_text()}")
    env = {**os.environ, "PYTHONPATH": str(lib)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def unplanted(tmp_path_factory) -> str:
    """What lint-imports reports on an unchanged copy (the baseline a planted import is read against)."""
    return lint_copy(tmp_path_factory.mktemp("unplanted")).stdout


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed (pip install -e .[test])")
@pytest.mark.parametrize(
    ("module", "line", "contract", "reported"),
    [
        # the data layer reaches up to the book layer
        (
            "data/schema.py",
            "from movers.book import runner",
            "Layers: cli > book",
            "movers.data.schema -> movers.book.runner",
        ),
        # an analysis generates synthetic data
        (
            "strands/micro/common.py",
            "import movers.synth",
            "Analyses, disclosure checks, estimators and pages never download nor generate",
            "movers.strands.micro.common -> movers.synth",
        ),
        # the generator uses an estimator (synth may import only core and data)
        (
            "synth/nomis.py",
            "from movers.estimators import nb2",
            "The synthetic world is built from core and data only",
            "movers.synth.nomis -> movers.estimators.nb2",
        ),
    ],
    ids=["data-imports-book", "strand-imports-synth", "synth-imports-estimators"],
)
def test_planted_import_breaks_a_contract(tmp_path, unplanted, module, line, contract, reported):
    run = lint_copy(tmp_path, module, line)
    out = " ".join(run.stdout.split())  # rich wraps long contract names over lines
    assert run.returncode != 0, run.stdout[-2000:]
    assert f"{contract}" in out and "BROKEN" in out, out[-2000:]
    assert reported in out, out[-2000:]
    assert reported not in " ".join(unplanted.split()), "the unplanted copy reports it already: the test proves nothing"
