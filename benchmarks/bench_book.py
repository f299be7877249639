"""Benchmark: the full-scale synthetic book — world generation, every chapter, a cached re-run, HTML and PDF.

Prints one line per stage with its wall time. Run through `make bench` (which also runs the model-fit
benchmarks). It regenerates data/synthetic at the default seed and scale and re-executes every chapter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def stage(label: str, *args: str) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "movers", *args], cwd=ROOT, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{label} failed (exit {proc.returncode})")
    print(f"{label:<42} {dt:8.1f} s", flush=True)
    return dt


def main() -> None:
    jobs = os.environ.get("JOBS", "2")
    print(f"full-scale synthetic book on {os.cpu_count()} cores, {jobs} chapters at a time")
    total = stage("generate synthetic world (scale 1.0)", "generate", "--seed", "2020", "--scale", "1.0")
    total += stage("execute every chapter (forced)", "run", "-j", jobs, "--force")
    cached = stage("re-run every chapter (cached)", "run", "-j", jobs)
    total += stage("build HTML + PDF", "build", "--pdf")
    print(f"{'total (generate + execute + build)':<42} {total:8.1f} s")
    print(f"{'cached re-run':<42} {cached:8.1f} s")


if __name__ == "__main__":
    main()
