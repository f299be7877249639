"""Print the figures the synthetic world is calibrated to, measured on real data and on a world.

python tools/synthetic_calibration.py flows [--public DIR] [--world DIR]
    share of non-zero pairs (all, England, London boroughs) and NB2 dispersion of the census's Model 4,
    on the real 2011 Census matrix (default ../shared/data/public) and on a world's 2011 matrix
python tools/synthetic_calibration.py truth --world DIR
    each true group effect (Tables 27, 31, 32) and difference (Table 24) of a world beside the report's,
    and their distance in published standard errors
"""

from __future__ import annotations

import argparse

import pandas as pd

from movers.book import params
from movers.core import paths
from movers.data import published as reference
from movers.pages import ls_deprived, movers_stayers as MS
from movers.strands.flows import calibration, public as census
from movers.strands.micro import common as micro, ls_deprived as ls, movers_stayers as O

UKHLS = [(27, {"Higher managerial socio economic status": "Higher managerial occ."}, "effects"), (24, {}, "differences")]
LS = [
    (31, {"coefficient": "Employed"}, "effects"),
    (32, {"Coefficient": "Professional or technical occupation"}, "effects"),
]


def flows(public: str, world: str) -> None:
    if public:
        p = calibration.matrix_profile(census.census_inputs(public, paths.DATA / "cache" / "public_geography"))
        print("real 2011 Census matrix:", {k: round(v, 4) for k, v in p.items()})
    if world:
        p = calibration.matrix_profile(census.synthetic_census_inputs(world))
        print(f"world {world}, 2011 matrix:", {k: round(v, 4) for k, v in p.items()})


def distances(study, tables) -> pd.DataFrame:
    eff, diff = micro.true_groups(study.strand, study.sample, study.models_truth(), study.price_factor)
    truth = {"effects": eff, "differences": diff}
    rows = []
    for table, columns, kind in tables:
        back = {v: k for k, v in ls.PUBLISHED_ROWS.get(table, {}).items()}
        p = reference.published(table)
        for r, c, e, se in zip(p["row"], p["column"], p["estimate"], p["se"]):
            key = (back.get(r, r), columns.get(c, c))
            if key in truth[kind]:
                t = truth[kind][key]
                rows.append((table, key[0], key[1], e, se, t, (t - e) / se))
    return pd.DataFrame(rows, columns=["table", "row", "outcome", "published", "se", "truth", "z"])


def truth(world: str) -> None:
    every = {"data_path": world, "outcomes": list(O.OUTCOMES), "characteristics": list(O.CHARACTERISTICS)}
    bhps = MS.bhps_study(params=MS.BhpsParams(**params.resolve("movers_stayers", every)))
    every = {"data_path": world, "outcomes": list(ls.OUTCOMES), "characteristics": list(ls.CHARACTERISTICS)}
    lss = ls_deprived.ls_study(params=ls_deprived.LsParams(**params.resolve("ls_deprived", every)))
    d = pd.concat([distances(bhps, UKHLS), distances(lss, LS)], ignore_index=True)
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(d.round(3).to_string())
    summary = d.assign(absz=d["z"].abs()).groupby("table")["absz"].agg(["min", "median", "max", "count"])
    summary["beyond_2_se"] = d.assign(far=d["z"].abs() > 2).groupby("table")["far"].sum()
    print(summary.round(2).to_string())


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["flows", "truth"])
    ap.add_argument("--public", default=str(paths.SHARED_PUBLIC), help="folder of the open files ('' to skip)")
    ap.add_argument("--world", default="", help="a synthetic world (python -m movers generate --out ...)")
    a = ap.parse_args(argv)
    if a.what == "flows":
        flows(a.public, a.world)
    else:
        truth(a.world or str(paths.DATA / "synthetic"))


if __name__ == "__main__":
    main()
