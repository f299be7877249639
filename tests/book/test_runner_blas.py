"""The runner shares the cores among concurrent kernels: cores // jobs BLAS threads each, a user's setting kept."""

from __future__ import annotations

import os

from movers.book import runner


def test_each_kernel_gets_its_share_of_the_cores(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    env = {}
    assert runner.blas_threads(2, env) == 4
    assert env == {"OPENBLAS_NUM_THREADS": "4", "OMP_NUM_THREADS": "4", "MKL_NUM_THREADS": "4"}
    assert runner.blas_threads(16, {}) == 1
    mine = {"OPENBLAS_NUM_THREADS": "1"}
    runner.blas_threads(1, mine)
    assert mine["OPENBLAS_NUM_THREADS"] == "1" and mine["OMP_NUM_THREADS"] == "8"
