"""Prose facts of the microdata chapters pass through the checker: a count or share resting on too few people
is glued as [c], the rest as formatted text; inactive (synthetic) checkers only format."""

from __future__ import annotations

import pandas as pd

from movers import micro_pages as P, sdc


def _sample():
    n = 200
    return pd.DataFrame({"mover": [1] * 80 + [0] * 120, "returner": [True] * 4 + [False] * 196, "age": [30] * 100 + [31] * 100,
                         "distance": 12.0, "reason2": ["x"] * 50 + [None] * 150, "n_parents": [2] * 150 + [1] * 50})


def test_small_counts_in_prose_are_withheld_on_restricted_data():
    s = _sample()
    facts = {"n_sample": 200, "n_movers": 80, "pct_movers": 40.0, "n_returners": 4, "pct_age30": 50.0, "pct_older": 50.0,
             "pct_younger": 0.0, "median_distance": 12.0, "n_motivation": 50, "pct_two_parents": 75.0}
    chk = sdc.Checker("t", {}, active=True)
    out = P.checked_facts(chk, "Sample (prose)", facts, P.bhps_fact_counts(s), P.BHPS_FORMATS)
    assert out["n_returners"] == "[c]"  # four returners
    assert out["pct_younger"] == "[c]"  # nobody younger: a zero cell
    assert out["n_sample"] == "200" and out["pct_movers"] == "40.0"
    assert ("Sample (prose)", "n_returners") in {(o, r) for o, r in zip(chk.withheld()["output"], chk.withheld()["row"])}
    plain = P.checked_facts(sdc.Checker("t", {}, active=False), "Sample (prose)", facts, P.bhps_fact_counts(s), P.BHPS_FORMATS)
    assert plain["n_returners"] == "4"


def test_quintile_words_follow_the_parameter():
    assert "most deprived" in P.quintile_words(1) and "least deprived" in P.quintile_words(5)
    assert P.quintile_words(3).startswith("quintile 3 of 5")
