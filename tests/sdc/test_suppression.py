"""The checks as pure functions: what a reader can recover by subtraction, secondary suppression, dominance."""

import numpy as np
import pandas as pd

from movers.sdc.rules import Rules
from movers.sdc.suppression import adds_up, dominance, protect, recoverable


def test_recoverable_is_exact_where_counting_withheld_cells_per_relation_is_not():
    # a + b + c = K and a + b = K': every relation holds two withheld cells, yet c = K - K'
    rel = [adds_up([("a", "v"), ("b", "v"), ("c", "v")]), adds_up([("a", "v"), ("b", "v")])]
    assert recoverable([("a", "v"), ("b", "v"), ("c", "v")], rel) == {("c", "v")}
    # a + b + c + d = K and a + b = K' with a, b, c withheld and d shown: c = K - K' - d, though no
    # relation holds a single withheld cell; protect withholds d
    why = pd.DataFrame({"v": ["threshold", "threshold", "threshold", "", ""]}, index=["a", "b", "c", "d", "e"])
    cnt = pd.DataFrame({"v": [5, 5, 5, 50, 40]}, index=why.index)
    rel2 = [adds_up([("a", "v"), ("b", "v"), ("c", "v"), ("d", "v")]), adds_up([("a", "v"), ("b", "v")])]
    assert recoverable([("a", "v"), ("b", "v"), ("c", "v")], rel2) == {("c", "v")}
    out = protect(why, cnt, rel2)
    assert out["v"].tolist() == ["threshold", "threshold", "threshold", "secondary", ""]
    assert recoverable([(r, "v") for r in out.index if out.loc[r, "v"]], rel2) == set()
    # and a pattern with no exact solution is left alone
    assert recoverable([("a", "v"), ("b", "v")], [adds_up([("a", "v"), ("b", "v")])]) == set()


def test_dominance_n2_k09():
    r = Rules()
    assert dominance([500, 420] + [10] * 8, r) == "dominance"  # the top two hold 920 of 1,000
    assert dominance([450, 450, 100], r) == ""  # exactly 0.9 is allowed
    assert dominance([400, 380] + [30] * 8, r) == ""
    assert dominance([-500, 420] + [10] * 8, r) == "dominance"  # a loss identifies as much as an income
    assert dominance([500, 420] + [10] * 8, Rules(dominance_k=0.95)) == ""


def test_p_ratio_01():
    # at ACRO's n=2, k=0.9 the n-k rule implies the p-ratio (T - x1 - x2 >= 0.1 T >= 0.1 x1); with n=1 it bites alone
    r = Rules(dominance_n=1)
    assert dominance([50, 45, 4], r) == "p-ratio"  # 99 - 50 - 45 = 4 < 0.1 x 50
    assert dominance([50, 40, 10], r) == ""  # 10 >= 5
    assert dominance([50, 45, 4], Rules(dominance_n=1, p_ratio=0.05)) == ""
    rng = np.random.default_rng(1)
    for _ in range(200):
        x = rng.pareto(1.0, size=int(rng.integers(3, 30)))
        assert dominance(x, Rules()) != "p-ratio"
