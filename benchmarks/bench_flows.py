"""Benchmark: the internal-migration strand at the report's sizes — data load, each NB2 model fit, the chapters.

Why: the flows chapters fit 4 sending models and 4 receiving models per area
type on up to 560,504 non-zero pair-years (Table 7) and the full matrix of
966,048 pair-years for the zero-flow comparison; the aim is under 10 s per fit
and under 5 minutes for the three chapters on a 2-core machine. This prints
the row count and the time of each model, then the time of each chapter.

Reads the synthetic world of ``MOVERS_SYNTHETIC`` or ``data/synthetic`` and
generates the flows there (scale 1, the report's size) when they are missing
or were generated at another scale. ``--no-chapters`` skips the chapter runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from timing import timed  # noqa: E402

from movers.strands.flows import models as flows  # noqa: E402


def world() -> Path:
    root = Path(os.environ.get("MOVERS_SYNTHETIC", ROOT / "data" / "synthetic"))
    manifest = root / "world.json"
    scale = json.loads(manifest.read_text()).get("datasets", {}).get("flows", {}).get("scale") if manifest.exists() else None
    if scale != 1.0:
        from movers.synth import generate_world

        t0 = time.perf_counter()
        generate_world(root, seed=2020, scale=1.0, only=["flows"], log=lambda *_: None)
        print(f"{'generated geography, nomis and flows at scale 1':<62} {time.perf_counter() - t0:9.1f} s", flush=True)
    return root


def fits(label: str, frame, typology: str, factor: str, sending: str | None = None) -> float:
    total = 0.0
    for m in flows.MODELS:
        if factor == "sending":
            res = flows.sending_models(frame, typology, [m])[m]
        else:
            res = flows.receiving_models(frame, typology, [m], sending=[sending])[sending][m]
        total += res.seconds
        print(
            f"  {label + ', ' + m:<60} {res.seconds:9.2f} s  ({res.nobs:,} rows, {res.extra['iterations']} Newton steps)",
            flush=True,
        )
    return total


def main() -> int:
    root = world()
    d2 = timed("load England flows 2017-2018 (+ covariates, geography)", lambda: flows.load(root, [2017, 2018]))
    f2 = flows.pair_frame(d2, "smi", [2017, 2018])
    fits("Table 2 (hot/cold, non-zero)", f2, "smi", "sending")
    fits("Table 5 (from cold spots)", f2, "smi", "receiving", "Cold spot")
    years = list(range(2011, 2019))
    d7 = timed("load England and Wales flows 2011-2018", lambda: flows.load(root, years))
    f7 = timed("pair frame, non-zero flows (Table 7 sample)", lambda: flows.pair_frame(d7, "supergroup", years))
    fits("Table 7 (supergroups, non-zero)", f7, "supergroup", "sending")
    full = timed("pair frame, full matrix", lambda: flows.pair_frame(d7, "supergroup", years, include_zero=True))
    m4 = flows.sending_models(full, "supergroup", ["Model 4"])["Model 4"]
    print(f"  {'Table 7 Model 4 on the full matrix':<60} {m4.seconds:9.2f} s  ({m4.nobs:,} rows)", flush=True)
    if "--no-chapters" in sys.argv:
        return 0
    env = dict(os.environ, MOVERS_SYNTHETIC=str(root))
    total = 0.0
    for chapter in ("flows_hotcold", "flows_ons", "flows_imd"):
        t0 = time.perf_counter()
        r = subprocess.run(
            [sys.executable, "-m", "movers", "run", chapter, "--force"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        dt = time.perf_counter() - t0
        total += dt
        print(f"{'chapter ' + chapter + (' (FAILED)' if r.returncode else ''):<62} {dt:9.1f} s", flush=True)
        if r.returncode:
            print(r.stderr[-2000:], file=sys.stderr)
    print(f"{'three flows chapters together':<62} {total:9.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
