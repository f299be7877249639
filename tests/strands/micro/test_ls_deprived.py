"""LS analysis rules on hand-built extracts: population-weighted quintiles and ties, who is a mover,
the higher-parent class rule, Table 30 shares, model formulas and disclosure control."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.data.ons_ls import load_dictionary, load_extract
from movers.pages import ls_deprived as LS
from movers.sdc.checker import Checker
from movers.strands.micro import ls_deprived as ls

REGIONS = [
    "E12000001",
    "E12000002",
    "E12000003",
    "E12000004",
    "E12000005",
    "E12000006",
    "E12000007",
    "E12000008",
    "E12000009",
    "W92000004",
]


def _regions(census: int, shares, pops) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "census": census,
            "region": REGIONS[: len(shares)],
            "population": pops,
            "prop_professional": shares,
            "unemployment_rate": 5.0,
        }
    )


# ----------------------------------------------------------------------------- quintiles


def test_quintiles_follow_population_not_region_count():
    # one region holds 60% of the people: its midpoint (0.1 + 0.3 = 0.4 of the population) is in quintile 3
    r = _regions(1971, [0.10, 0.20, 0.30, 0.40, 0.50], [10, 60, 10, 10, 10])
    q = ls.region_quintiles(r).set_index("region")["quintile"]
    assert q.to_dict() == {REGIONS[0]: 1, REGIONS[1]: 3, REGIONS[2]: 4, REGIONS[3]: 5, REGIONS[4]: 5}


def test_quintiles_equal_populations_two_regions_each_lowest_share_first():
    shares = [0.31, 0.12, 0.25, 0.18, 0.40, 0.22, 0.35, 0.15, 0.28, 0.20]
    r = _regions(1991, shares, [5] * 10)
    q = ls.region_quintiles(r).set_index("region")["quintile"]
    order = [REGIONS[i] for i in np.argsort(shares)]
    assert [q[x] for x in order] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_tied_regions_share_one_quintile_whatever_the_row_order():
    # two regions tie on the lowest share; each alone would straddle the 20% boundary differently
    r = _regions(1981, [0.15, 0.15, 0.30, 0.40, 0.50], [15, 15, 30, 20, 20])
    first = ls.region_quintiles(r).set_index("region")["quintile"]
    shuffled = ls.region_quintiles(r.iloc[::-1].reset_index(drop=True)).set_index("region")["quintile"]
    renamed = r.assign(region=list(reversed(REGIONS[:5])))
    again = ls.region_quintiles(renamed).set_index("region")["quintile"]
    assert first[REGIONS[0]] == first[REGIONS[1]] == 1  # block midpoint 15/100 is in the first fifth
    assert first.to_dict() == shuffled.to_dict()
    assert again[REGIONS[4]] == again[REGIONS[3]] == 1  # ties resolved by value, not by code
    # without the tie the second region would go to quintile 2 (midpoint 22.5%)
    untied = ls.region_quintiles(r.assign(prop_professional=[0.15, 0.151, 0.30, 0.40, 0.50])).set_index("region")["quintile"]
    assert untied[REGIONS[1]] == 2


def test_quintiles_are_computed_per_census():
    r = pd.concat([_regions(1971, [0.1, 0.2, 0.3, 0.4, 0.5], [1] * 5), _regions(1981, [0.5, 0.4, 0.3, 0.2, 0.1], [1] * 5)])
    q = ls.region_quintiles(r).set_index(["census", "region"])["quintile"]
    assert q[(1971, REGIONS[0])] == 1 and q[(1981, REGIONS[0])] == 5


def test_quintiles_reject_missing_or_zero_population():
    with pytest.raises(InputError, match="population"):
        ls.region_quintiles(_regions(1971, [0.1, 0.2], [1, 0]))


# ----------------------------------------------------------------------------- a hand-built extract


def _write(folder: Path, records: pd.DataFrame, parents: pd.DataFrame, regions: pd.DataFrame) -> Path:
    """Write analysis-named tables with the dictionary's file and variable names, -8 for missing."""
    d = load_dictionary()
    folder.mkdir(parents=True, exist_ok=True)
    for kind, df in (("records", records), ("parents", parents), ("regions", regions)):
        spec = d["files"][kind]
        out = pd.DataFrame({v: df[k] for k, v in spec["variables"].items()}).fillna(-8)
        out.to_csv(folder / spec["name"], index=False)
    return folder


def _record(lsnum, census, age, region, **kw):
    base = {
        "lsnum": lsnum,
        "census": census,
        "age": age,
        "sex": 1,
        "region": region,
        "ethnic_group": 1,
        "country_of_birth": 1,
        "llti": 2,
        "marital_status": 2,
        "highest_qual": 4,
        "tenure": 2,
        "econ_activity": 1,
        "social_class": 2,
    }
    base.update(kw)
    return base


def _toy_regions():
    rows = []
    for c in (1971, 1981, 1991, 2001, 2011):
        # the first two regions form the bottom quintile (20% of the people); the others are above
        rows.append(
            _regions(c, [0.10, 0.11, 0.30, 0.31, 0.32, 0.33, 0.34, 0.35, 0.36, 0.37], [10, 10, 10, 10, 10, 10, 10, 10, 10, 10])
        )
    return pd.concat(rows, ignore_index=True)


@pytest.fixture
def toy(tmp_path):
    R1, R2, R3 = REGIONS[0], REGIONS[1], REGIONS[5]
    records = pd.DataFrame(
        [
            _record(1, 1971, 12, R1, social_class=-8),
            _record(1, 1991, 32, R3),  # mover R1 -> R3
            _record(2, 1971, 14, R1, social_class=-8),
            _record(2, 1981, 24, R3),
            _record(2, 1991, 34, R1),  # away and back: stayer
            _record(3, 1981, 10, R2, social_class=-8),
            _record(3, 2001, 30, R1, econ_activity=3, social_class=5),  # R2 -> R1: mover, both bottom
            _record(4, 1971, 9, R1),
            _record(4, 1991, 29, R3),  # too young as a child
            _record(5, 1991, 16, R2),
            _record(5, 2011, 37, R2),  # too old as an adult
            _record(6, 1971, 11, R1),  # never traced as an adult
            _record(7, 1971, 13, R3),
            _record(7, 1991, 33, R1),  # grew up outside the quintile
            _record(8, 1991, 15, R2, social_class=-8),
            _record(8, 2011, 35, R2, econ_activity=7, social_class=-8),  # stayer, no occupation
        ]
    )
    parents = pd.DataFrame(
        [
            {"lsnum": 1, "census": 1971, "relation": 1, "social_class": 4},  # father skilled manual
            {"lsnum": 1, "census": 1971, "relation": 2, "social_class": 2},  # mother managerial: higher -> prof
            {"lsnum": 2, "census": 1971, "relation": 1, "social_class": 5},  # one parent, partly skilled -> semi
            {"lsnum": 3, "census": 1981, "relation": 1, "social_class": -8},  # father without a class
            {"lsnum": 3, "census": 1981, "relation": 2, "social_class": 3},  # mother skilled non-manual -> skilled
            {"lsnum": 8, "census": 1991, "relation": 2, "social_class": -8},  # no parent with a class -> missing
        ]
    )
    return _write(tmp_path / "extract", records, parents, _toy_regions())


def test_mover_is_a_different_region_as_adult_and_age_rules_apply(toy):
    drawn = ls.build_sample(load_extract(toy))
    s = drawn.frame.set_index("lsnum")
    assert sorted(s.index) == [1, 2, 3, 8]
    assert s.loc[1, "mover"] == 1 and s.loc[3, "mover"] == 1
    assert s.loc[2, "mover"] == 0  # lived elsewhere at 24, back home by 34: a stayer, as in the report
    assert s.loc[8, "mover"] == 0
    assert s.loc[3, "year"] == 2001 and s.loc[3, "child_census"] == 1981
    assert drawn.flow == ls.SampleFlow(children=7, linked_adults=5)  # the 4 of the chosen quintile are the frame above
    everyone = ls.build_sample(load_extract(toy), quintile=None).frame
    assert 7 in set(everyone["lsnum"]) and everyone.set_index("lsnum").loc[7, "quintile"] > 1


def test_higher_parental_class_and_outcomes(toy):
    s = ls.build_sample(load_extract(toy)).frame.set_index("lsnum")
    assert s.loc[1, "parent_class"] == "prof" and s.loc[1, "n_parents_with_class"] == 2
    assert s.loc[2, "parent_class"] == "semi"
    assert s.loc[3, "parent_class"] == "skilled" and s.loc[3, "n_parents_with_class"] == 1
    assert pd.isna(s.loc[8, "parent_class"]) and pd.isna(s.loc[8, "parent_prof"])
    assert s.loc[1, "employed"] == 1 and s.loc[3, "employed"] == 0
    assert s.loc[1, "professional"] == 1 and s.loc[3, "professional"] == 0 and pd.isna(s.loc[8, "professional"])
    assert s.loc[1, "prop_professional"] == pytest.approx(0.33)  # the adult region's, at the adult census


def test_parental_class_rule_directly():
    d = load_dictionary()
    p = pd.DataFrame(
        {"lsnum": [1, 1, 2, 2, 3], "census": 1971, "relation": [1, 2, 1, 2, 1], "social_class": [6, 3, 1, 5, np.nan]}
    )
    out = ls.parental_class(p, d).set_index("lsnum")
    assert out.loc[1, "parent_class"] == "skilled" and out.loc[2, "parent_class"] == "prof"
    assert 3 not in out.index


def test_parameter_errors_name_the_parameter(toy):
    ex = load_extract(toy)
    with pytest.raises(InputError, match="quintile"):
        ls.build_sample(ex, quintile=6)
    with pytest.raises(InputError, match="child_ages"):
        ls.build_sample(ex, child_ages=(16, 10))
    with pytest.raises(InputError, match="child_censuses"):
        ls.build_sample(ex, child_censuses=[1975])
    with pytest.raises(InputError, match="empty"):
        ls.build_sample(ex, adult_ages=(50, 55))


def test_table30_shares_and_counts(toy):
    s = ls.build_sample(load_extract(toy)).frame
    t = ls.describe(s)
    v = t.values
    assert v.loc["Employed", "Movers"] == pytest.approx(0.5) and v.loc["Employed", "Stayers"] == pytest.approx(0.5)
    # the stayer without an occupation is left out of the occupation shares, as in the report
    assert v.loc["Professional and technical occupations", "Stayers"] == pytest.approx(1.0)
    assert t.n.loc["Professional and technical occupations", "Stayers"] == 1
    assert t.groups == {"Stayers": 2, "Movers": 2}
    assert t.n_with.loc["Employed", "Movers"] == 1
    chk = Checker("t", {}, active=True)
    shown = chk.shares("Table 30", v, n=t.n, n_with=t.n_with)
    assert (shown == "[c]").all().all()  # two people per column: nothing can be released


# ----------------------------------------------------------------------------- models


def test_formulas_drop_the_interacted_characteristic():
    f = ls.formula("employed", 3, interact="parent_class")
    assert f.startswith("employed ~ mover * (parent_prof + parent_semi)")
    assert " + parent_prof" not in f.split("mover * (parent_prof + parent_semi)")[1]
    assert "C(child_region)" in ls.formula("employed", 1) and "unemployment_rate" not in ls.formula("employed", 1)
    assert "C(adult_region)" in ls.formula("professional", 2, region_effects="adult")
    for bad in ({"outcome": "income"}, {"model": 4}, {"interact": "height"}, {"region_effects": "both"}):
        args = {"outcome": "employed", **bad}
        with pytest.raises(InputError):
            ls.formula(**args)


def test_z_scores_and_true_effects():
    est = pd.DataFrame({"estimate": [0.10, 0.30], "se": [0.01, 0.05]}, index=["A", "B"])
    z = ls.z_scores(est, {"A": 0.07, "B": 0.30})
    assert z["A"] == pytest.approx(3.0) and z["B"] == pytest.approx(0.0)
    rows = pd.DataFrame({"mover": 0, "male": [0, 1], "child_region": "R", "year": 1991})
    model = {"coef": {"Intercept": 0.0, "mover": 0.5, "mover:male": 0.5}, "region": {}, "year": {}}
    from scipy.stats import norm

    t = ls.true_effects(rows, model, by="male")
    assert t[0] == pytest.approx(norm.cdf(0.5) - 0.5) and t[1] == pytest.approx(norm.cdf(1.0) - 0.5)


def test_sample_counts_survive_a_merge_of_the_sample(toy):
    """The children and linked adults the prose quotes are not zeroed when the sample is merged with
    another frame (pandas drops ``attrs`` on ``merge``): they travel beside the frame, in ``flow``."""
    s = ls.build_sample(load_extract(toy))
    weights = pd.DataFrame({"lsnum": [1, 2, 3, 8], "weight": [1.0, 0.5, 2.0, 1.0]})  # a frame of its own
    merged = ls.Sample(s.frame.merge(weights, on="lsnum"), s.flow)
    counts = LS.ls_fact_counts(merged)
    assert (counts["n_children"], counts["n_linked"], counts["n_sample"]) == (7, 5, 4)
