"""Benchmark: the BHPS-UKHLS strand at the report's sizes — panel load, sample construction, model fits.

Why: the chapter fits 3 x 3 basic models, 12 interacted models (Tables 24/27)
and 4 more with motivation controls (Table 28), each followed by delta-method
average marginal effects; this prints how long each kind takes at the report's
row counts (Table 24/27: 2,269 employment, 1,938 income, 1,881 higher
managerial; Table 28: 442), so a slowdown shows up as a number.

Reads the ukhls dataset of the synthetic world (``MOVERS_SYNTHETIC`` or
``data/synthetic``), generating it there first when it is missing. The analysis
sample is resampled with replacement to the report's exact row counts.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from timing import timed as _timed  # noqa: E402

from movers import outcomes as O  # noqa: E402
from movers.margins import effect_differences, mover_effects  # noqa: E402

timed = partial(_timed, unit="ms")  # the models here take milliseconds

REPORT_ROWS = {"employed": 2269, "income": 1938, "higher": 1881}
TABLE28_ROWS = 442
REPEATS = 3


def world() -> Path:
    root = Path(os.environ.get("MOVERS_SYNTHETIC", ROOT / "data" / "synthetic"))
    if not (root / "ukhls" / "truth.json").exists():
        from movers.synth import generate_world

        t0 = time.perf_counter()
        generate_world(root, seed=2020, scale=1.0, only=["ukhls"], log=lambda *_: None)
        print(f"{'generate ukhls (and its requirements), scale 1.0':<62} {(time.perf_counter() - t0) * 1000:9.1f} ms")
    return root


def main() -> None:
    warnings.simplefilter("ignore")
    root = world()
    inputs = timed("load panel, geography and LA indicators", lambda: O.load_inputs("synthetic", str(root)))
    print(f"  person-wave rows: {len(inputs['panel'].person_waves):,}")
    sample = timed(
        "build the analysis sample", lambda: O.build_sample(inputs["panel"], inputs["geography"], inputs["indicators"])
    )
    print(f"  sample: {len(sample):,} people (report: 2,842)")
    rng = np.random.default_rng(0)
    for outcome, n in REPORT_ROWS.items():
        kind = O.kind_of(outcome)
        pool = sample.dropna(subset=[c for c in O.model_columns(O.formula(outcome, 3)) if c in sample.columns])
        rows = pool.iloc[rng.integers(0, len(pool), n)].reset_index(drop=True)
        for m in (1, 2, 3):
            f = O.formula(outcome, m)
            res = timed(f"{kind} Model {m}, {outcome}, {n:,} rows", lambda: O.fit(rows, f, kind), REPEATS)
        timed(f"  average mover effect (delta method), {outcome}", lambda: mover_effects(res, res.estimation_data), REPEATS)
        for ch, (col, _, _ref, _) in O.CHARACTERISTICS.items():
            f = O.formula(outcome, 3, interact=col)
            res = timed(f"{kind} Model 3 x {ch}, {outcome}, {n:,} rows", lambda: O.fit(rows, f, kind), REPEATS)
        timed(
            f"  group effects + differences (parent NS-SEC), {outcome}",
            lambda: (
                mover_effects(res, res.estimation_data, by="parent_nssec"),
                effect_differences(res, res.estimation_data, "mover", "parent_nssec", "routine"),
            ),
            REPEATS,
        )
    mot = sample.dropna(subset=["reason1", "reason2", "aspect1", "aspect2", "higher"])
    rows = mot.iloc[rng.integers(0, len(mot), TABLE28_ROWS)].reset_index(drop=True)
    extra = ["C(reason1)", "C(reason2)", "C(aspect1)", "C(aspect2)"]
    f = O.formula("higher", 3, interact="male", extra=extra)
    timed(f"probit Model 3 x gender + motivation, higher, {TABLE28_ROWS} rows", lambda: O.fit(rows, f, "probit"), REPEATS)
    t0 = time.perf_counter()
    O.interaction_tables(sample, ["employed", "income", "higher"])
    print(f"{'all of Tables 24 and 27 (12 models + effects), full sample':<62} {(time.perf_counter() - t0) * 1000:9.1f} ms")


if __name__ == "__main__":
    main()
