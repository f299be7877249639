"""Timing helper shared by the benchmark scripts (imported from the scripts' own folder)."""

from __future__ import annotations

import time


def timed(label: str, fn, repeats: int = 1, unit: str = "s"):
    """Run ``fn`` ``repeats`` times, print the best wall time (the least disturbed by other work on a
    shared machine) in seconds or milliseconds, and return the last result."""
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    shown = f"{best * 1000:9.1f} ms" if unit == "ms" else f"{best:9.2f} s"
    print(f"{label:<62} {shown}", flush=True)
    return out
