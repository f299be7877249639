"""Benchmark: the ONS LS strand at the report's sizes — extract load, sample construction, probit fits and AMEs.

Why: the LS chapter fits 3 basic probits and 4 interacted probits per outcome
on about 30,000 people, each followed by delta-method average marginal effects
that rebuild the design matrix twice; in the secure lab, where computing is
slow and shared, this is the part that takes time. This prints how long each
step takes at the report's row counts (Table 31: 31,610 for employment;
Table 32: 29,669 for professional or technical occupation), so a slowdown
shows up as a number.

Reads the ons_ls dataset of the synthetic world (``MOVERS_SYNTHETIC`` or
``data/synthetic``), generating it at scale 1 into a temporary folder when it
is missing. The analysis sample is resampled with replacement to the exact
row counts.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from timing import timed  # noqa: E402

from movers import ls  # noqa: E402
from movers.data.ons_ls import load_extract  # noqa: E402
from movers.margins import effect_differences, group_key, mover_effects  # noqa: E402

REPORT_ROWS = {"employed": 31610, "professional": 29669}
REPEATS = 3


def extract_folder() -> Path:
    world = Path(os.environ.get("MOVERS_SYNTHETIC", ROOT / "data" / "synthetic"))
    if (world / "ons_ls" / "truth.json").exists():
        return world / "ons_ls"
    from movers.synth import generate_world

    tmp = Path(tempfile.mkdtemp(prefix="bench_ls_")) / "synthetic"
    timed(
        "generate the synthetic extract (scale 1)",
        lambda: generate_world(tmp, seed=2020, scale=1.0, only=["ons_ls"], log=lambda *_: None),
    )
    return tmp / "ons_ls"


def main() -> None:
    warnings.simplefilter("ignore")
    folder = extract_folder()
    print(f"ONS LS benchmark on {folder} (best of {REPEATS} for model steps)")
    extract = timed("load and check the extract", lambda: load_extract(folder))
    print(f"    {len(extract.records):,} census records, {len(extract.parents):,} parent records")
    sample = timed("build the sample (quintiles, movers, parental class)", lambda: ls.build_sample(extract))
    print(f"    sample: {len(sample):,} people, {int(sample['mover'].sum()):,} movers")
    rng = np.random.default_rng(0)
    for outcome, rows in REPORT_ROWS.items():
        complete = sample.dropna(subset=[outcome] + ls.DEMOGRAPHICS + ls.MACRO)
        data = complete.iloc[rng.integers(0, len(complete), rows)].reset_index(drop=True)
        print(f"{outcome}: {len(data):,} rows")
        for m in (1, 2, 3):
            f = ls.formula(outcome, m)
            res = timed(f"Model {m}: probit fit", lambda: ls.fit(data, f), REPEATS)
            timed(f"Model {m}: average marginal effect of mover", lambda: mover_effects(res, res.estimation_data), REPEATS)
        for ch, (col, _, ref, _, _) in ls.CHARACTERISTICS.items():
            f = ls.formula(outcome, 3, interact=ch)
            res = timed(f"Model 3 x {ch}: probit fit", lambda: ls.fit(data, f), REPEATS)
            timed(f"Model 3 x {ch}: group AMEs", lambda: mover_effects(res, res.estimation_data, by=col), REPEATS)
            ref_value = next(v for v in res.estimation_data[col].dropna().unique() if group_key(v) == ref)
            timed(
                f"Model 3 x {ch}: differences between groups",
                lambda: effect_differences(res, res.estimation_data, "mover", col, ref_value),
                REPEATS,
            )
        timed(
            f"whole table ({'31' if outcome == 'employed' else '32'}) with ls.subgroup_table",
            lambda: ls.subgroup_table(data, outcome),
        )


if __name__ == "__main__":
    main()
