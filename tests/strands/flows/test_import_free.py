"""Importing the flows analyses and their pages reads no file: outside a checkout (no data folder) every import
succeeds, and the flows dictionary is read on first use, with an error that names it (issue 22)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import movers

MODULES = (
    "movers.strands.flows.models",
    "movers.strands.flows.public",
    "movers.strands.flows.yearly",
    "movers.strands.flows.inference",
    "movers.strands.flows.calibration",
    "movers.pages.flows",
    "movers.pages.flows_inference",
    "movers.pages.flows_yearly",
)

SCRIPT = """
import importlib
for name in {modules!r}:
    importlib.import_module(name)
from movers.core.errors import InputError
from movers.strands.flows import models
try:
    models.LABELS
except InputError as exc:
    print("first use:", exc)
"""


def test_flows_modules_import_without_the_project_data(tmp_path):
    absent = tmp_path / "no-checkout"
    env = dict(os.environ)
    env |= {
        "PYTHONPATH": str(Path(movers.__file__).resolve().parents[1]),
        "MOVERS_ROOT": str(absent),
        "MOVERS_BUILD": str(absent / "_build"),
        "MOVERS_PUBLIC": str(absent / "public"),
    }
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(modules=MODULES)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "first use:" in run.stdout and "flows.yml" in run.stdout and "dictionary is missing" in run.stdout
