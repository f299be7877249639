"""Shared fixtures: a small synthetic world generated once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_PUBLIC = Path(__file__).resolve().parents[2] / "shared" / "data" / "public"


@pytest.fixture(scope="session")
def geo_world(tmp_path_factory) -> Path:
    """A world holding only the synthetic geography (fast)."""
    from movers.synth import generate_world

    root = tmp_path_factory.mktemp("geo_world") / "synthetic"
    generate_world(root, seed=7, scale=1.0, only=["geography"], log=lambda *_: None)
    return root


@pytest.fixture(scope="session")
def shared_public() -> Path:
    """The real open files copied beside the project, or skip when this machine has none."""
    if not SHARED_PUBLIC.is_dir():
        pytest.skip("../shared/data/public is not present on this machine")
    return SHARED_PUBLIC
