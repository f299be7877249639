"""Sample construction rules of the BHPS-UKHLS analysis, on tiny hand-built panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.data.geography import Geography
from movers.data.ukhls import Panel, load_dictionary
from movers.sdc.checker import Checker
from movers.strands.micro import movers_stayers as O

DICT = load_dictionary()
LA = {"A": "E06000001", "B": "E06000002", "C": "E07000003"}


def _geo() -> Geography:
    las = pd.DataFrame(
        {
            "la_code": list(LA.values()),
            "la_name": list(LA),
            "region_code": ["E12000001", "E12000001", "E12000002"],
            "region_name": ["North East", "North East", "North West"],
            "country": "England",
            "x": [0.0, 16093.44, 0.0],
            "y": [0.0, 0.0, 32186.88],  # B is 10 miles east of A, C 20 miles north
        }
    )
    return Geography(las=las, neighbours={}, source="hand-built")


def _row(
    pidp,
    wave,
    age,
    hidp,
    la,
    father=np.nan,
    mother=np.nan,
    responded=True,
    jbstat=2,
    cur=np.nan,
    last=np.nan,
    income=2000.0,
    year=None,
    marstat=1,
    hiqual=3,
    n_children=0,
    tenure=1,
):
    return {
        "pidp": pidp,
        "wave": f"w{wave}",
        "survey": "ukhls",
        "wave_index": wave,
        "year": year if year is not None else 2000 + wave,
        "hidp": hidp,
        "age": age,
        "father": father,
        "mother": mother,
        "la_code": LA[la],
        "responded": responded,
        "jbstat": jbstat,
        "nssec_current": cur,
        "nssec_last": last,
        "income": income,
        "marstat": marstat,
        "hiqual": hiqual,
        "n_children": n_children,
        "tenure": tenure,
    }


def _panel(rows, people=None) -> Panel:
    pw = pd.DataFrame(rows)
    ids = sorted(pw["pidp"].unique())
    ppl = (
        people if people is not None else pd.DataFrame({"pidp": ids, "sex": 1, "birth_year": 1980, "ethnicity": 1, "born_uk": 1})
    )
    youth = pd.DataFrame(columns=["pidp", "hidp", "reason1", "reason2", "aspect1", "aspect2", "wave", "wave_index", "year"])
    return Panel(person_waves=pw, people=ppl, youth=youth, dictionary=DICT, folder="hand-built")


def _family(child=10, father=1, mother=2, f_code=8, m_code=2, mother_elsewhere=False, f_last=np.nan):
    """A teenager at 16 (wave 0) and 17 (wave 1) in LA A with both parents; NS-SEC codes as the files hold them."""
    rows = []
    for w, age in ((0, 16), (1, 17)):
        rows.append(_row(child, w, age, 100 + w, "A", father=father, mother=mother, jbstat=7))
        rows.append(_row(father, w, 45 + w, 100 + w, "A", cur=f_code, last=f_last, jbstat=3 if np.isnan(f_code) else 2))
        rows.append(_row(mother, w, 43 + w, 900 + w if mother_elsewhere else 100 + w, "A", cur=m_code))
    return rows


def test_highest_class_of_the_parents_present():
    t = O.teen_observations(_panel(_family(f_code=8, m_code=2)))
    row = t.set_index("pidp").loc[10]
    assert row["parent_nssec"] == "higher"  # mother's higher professional beats father's routine
    assert row["n_parents"] == 2
    assert row["teen_age"] == 16 and row["teen_la"] == LA["A"]  # the earliest teenage observation


def test_parent_living_elsewhere_does_not_count():
    t = O.teen_observations(_panel(_family(f_code=8, m_code=2, mother_elsewhere=True)))
    row = t.set_index("pidp").loc[10]
    assert row["parent_nssec"] == "routine" and row["n_parents"] == 1


def test_last_job_used_when_parent_not_working():
    t = O.teen_observations(_panel(_family(f_code=np.nan, m_code=np.nan, f_last=4)))
    assert t.set_index("pidp").loc[10, "parent_nssec"] == "intermediate"  # file code 4 = intermediate occupations


def test_no_parent_in_household_means_no_teen_observation():
    rows = [_row(10, 0, 16, 100, "A", jbstat=7)]
    assert O.teen_observations(_panel(rows)).empty


def test_adult_observation_rule_30_then_31_41_then_down_to_25():
    obs = pd.DataFrame(
        [
            (1, 0, 26),
            (1, 1, 29),
            (1, 2, 30),
            (1, 3, 30),
            (1, 4, 33),  # age 30 twice: the earlier
            (2, 0, 27),
            (2, 1, 29),
            (2, 2, 32),
            (2, 3, 35),  # no 30: youngest of 31-41
            (3, 0, 25),
            (3, 1, 27),
            (3, 2, 28),  # missing age-30 wave and nothing older: closest below 30
            (4, 0, 24),
            (4, 1, 42),
        ],  # nothing in 25-41
        columns=["pidp", "wave_index", "age"],
    )
    got = O.choose_adult_observation(obs).set_index("pidp")
    assert got.loc[1, "age"] == 30 and got.loc[1, "wave_index"] == 2
    assert got.loc[2, "age"] == 32
    assert got.loc[3, "age"] == 28
    assert 4 not in got.index


def _life(moves: list[tuple[int, int, str]], years_offset=0):
    """A person (pidp 10) with a family teen observation, then adult interviews (wave, age, LA)."""
    rows = _family()
    for w, age, la in moves:
        rows.append(_row(10, w, age, 1000 + w, la, cur=3, income=1000.0, year=2000 + w + years_offset))
    return rows


def test_returner_is_a_stayer_and_flagged():
    s = O.build_sample(_panel(_life([(6, 22, "B"), (14, 30, "A")])), _geo(), None)
    r = s.set_index("pidp").loc[10]
    assert r["mover"] == 0 and bool(r["returner"]) and r["distance"] == 0
    assert r["age"] == 30


def test_mover_distance_region_and_outcomes():
    s = O.build_sample(_panel(_life([(14, 30, "C")])), _geo(), None, price_year=2019)
    r = s.set_index("pidp").loc[10]
    assert r["mover"] == 1 and not r["returner"]
    assert r["distance"] == pytest.approx(20.0)
    assert r["region_code"] == "E12000002"
    assert r["employed"] == 1 and r["higher"] == 1  # file code 3 = lower managerial -> class 1 of three
    cpi = {int(k): v for k, v in DICT["cpi"].items()}
    assert r["income"] == pytest.approx(1000.0 * cpi[2019] / cpi[2014])
    assert r["parent_nssec"] == "higher" and r["male"] == 1 and r["white"] == 1 and r["owner"] == 1


def test_missing_age_30_wave_and_year_window():
    # age 30 falls in 1999 (outside 2000-2019): the 31-year-old interview in 2000 is used instead
    rows = _family()
    rows.append(_row(10, 5, 30, 2001, "B", cur=6, year=1999))
    rows.append(_row(10, 6, 31, 2002, "B", cur=6, jbstat=3, year=2000))
    s = O.build_sample(_panel(rows), _geo(), None).set_index("pidp")
    assert s.loc[10, "age"] == 31 and s.loc[10, "year"] == 2000
    assert s.loc[10, "employed"] == 0 and np.isnan(s.loc[10, "income"])  # no income for people not in work
    assert np.isnan(s.loc[10, "higher"])  # not working and no last job: no occupational class
    # not working but with a last job: the class of the last job
    rows[-1] = _row(10, 6, 31, 2002, "B", jbstat=3, last=1, year=2000)
    s = O.build_sample(_panel(rows), _geo(), None).set_index("pidp")
    assert s.loc[10, "higher"] == 1


def test_adult_observation_must_follow_the_teen_one_and_be_a_full_interview():
    rows = _life([(14, 30, "B")])
    rows[-1]["responded"] = False
    with pytest.raises(InputError, match="no person"):
        O.build_sample(_panel(rows), _geo(), None)


def test_parameter_errors_name_the_parameter():
    p = _panel(_life([(14, 30, "B")]))
    with pytest.raises(InputError, match="years"):
        O.build_sample(p, _geo(), None, years=(2019, 2000))
    with pytest.raises(InputError, match="macro_area"):
        O.build_sample(p, _geo(), None, macro_area="origin")
    with pytest.raises(InputError, match="price_year"):
        O.build_sample(p, _geo(), None, price_year=1950)
    with pytest.raises(InputError, match="adult_target_age"):
        O.choose_adult_observation(pd.DataFrame(columns=["pidp", "wave_index", "age"]), target=45)


def test_unknown_la_code_is_reported():
    rows = _life([(14, 30, "B")])
    rows[-1]["la_code"] = "E06000099"
    with pytest.raises(InputError, match="E06000099"):
        O.build_sample(_panel(rows), _geo(), None)


def test_macro_variables_from_adult_or_teen_la():
    ind = pd.DataFrame(
        {"la_code": [LA["A"], LA["C"]], "year": [2014, 2014], "unemployment_rate": [4.0, 9.0], "prop_professional": [0.3, 0.2]}
    )
    p = _panel(_life([(14, 30, "C")]))
    assert O.build_sample(p, _geo(), ind).loc[0, "unemployment_rate"] == 9.0
    assert O.build_sample(p, _geo(), ind, macro_area="teen").loc[0, "unemployment_rate"] == 4.0


def test_formulas_of_models_1_to_3_and_interactions():
    f1, f2, f3 = (O.formula("employed", m) for m in (1, 2, 3))
    assert f1 == "employed ~ mover + distance + C(region_code) + C(year)"
    assert f2 == f1 + " + unemployment_rate + prop_professional"
    assert "degree" in f3 and "C(parent_nssec)" in f3
    fi = O.formula("income", 3, interact="degree")
    assert fi.startswith("income ~ mover * degree + distance") and fi.count("degree") == 1
    fp = O.formula("income", 3, interact="parent_nssec")
    assert "mover * C(parent_nssec)" in fp and fp.count("parent_nssec") == 1
    with pytest.raises(InputError):
        O.formula("income", 4)


def test_perfect_predictor_levels_are_dropped():
    d = pd.DataFrame({"y": [0, 0, 0, 1, 0, 1, 1], "year": [2000, 2000, 2001, 2001, 2002, 2002, 2003], "x": range(7)})
    kept, dropped = O.drop_perfect_predictors(d, "y ~ x + C(year)")
    assert dropped == {"year=2000": 2, "year=2003": 1}
    assert sorted(kept["year"].unique()) == [2001, 2002]


def test_motivation_table_percentages_and_test():
    s = pd.DataFrame(
        {
            "mover": [0] * 50 + [1] * 50,
            "reason2": ["Follow my career"] * 20
            + ["Enjoy working"] * 29
            + ["Other"] * 1
            + ["Follow my career"] * 5
            + ["Enjoy working"] * 45,
        }
    )
    t = O.motivation_table(s, "reason2", min_share=0.02)
    assert "Other" not in t.index  # 1 of 100 answers: under 2 %
    assert t.loc["Follow my career", "Stayer"] == pytest.approx(40.0)
    assert t.loc["Follow my career", "Mover"] == pytest.approx(10.0)
    assert t.loc["Follow my career", "Difference"] == pytest.approx(30.0)
    pooled = 25 / 100
    z = 0.3 / np.sqrt(pooled * (1 - pooled) * (2 / 50))
    from scipy.stats import norm

    assert t.loc["Follow my career", "pvalue"] == pytest.approx(2 * norm.sf(z))
    assert t["N_stayer"].iloc[0] + t["N_mover"].iloc[0] == 100 and not t.attrs  # no result carried in DataFrame.attrs


def test_true_effects_of_a_linear_model_by_group():
    model = {
        "kind": "linear",
        "coef": {"Intercept": 100.0, "mover": 50.0, "mover:male": 30.0, "male": 10.0},
        "region": {},
        "year": {},
    }
    s = pd.DataFrame({"mover": [0, 1, 1, 0], "male": [0, 0, 1, 1], "parent_nssec": "routine", "region_code": "R", "year": 2010})
    t = O.true_effects(s, model, by="male")
    assert t.loc[0] == pytest.approx(50.0) and t.loc[1] == pytest.approx(80.0)
    assert O.true_effects(s, model, price_factor=2.0).loc["All"] == pytest.approx(130.0)


def test_table23_through_the_checker_hides_minima_maxima_and_counts_the_smaller_category():
    n = 60
    s = pd.DataFrame(
        {
            "male": [1.0] * 30 + [0.0] * 30,
            "age": np.arange(n) % 17 + 25,
            "white": [1.0] * 55 + [0.0] * 5,
            "intl_migrant": [0.0] * n,
            "married": 0.5 * (np.arange(n) % 2 * 2),
            "has_children": 0.0,
            "n_children": 0.0,
            "degree": [1.0] * 20 + [0.0] * 40,
            "owner": 1.0,
            "parent_nssec": ["routine"] * 25 + ["intermediate"] * 27 + ["higher"] * 8,
        }
    )
    data = O.table23_data(s)
    assert data["parent_higher"].sum() == 8 and data["parent_routine"].sum() == 25
    chk = Checker("t", {}, active=True)
    t = chk.describe("Table 23", data, labels={c: r for r, c in O.TABLE23_ROWS.items()}, groups=[O.PARENT_DUMMIES])
    assert t.loc["Age", "Max."] == "[c]" and t.loc["Age", "Min."] == "[c]"  # one person's value
    assert t.loc["White", "Mean"] == "[c]"  # 5 non-white people: the smaller category
    assert t.loc["International migrant", "Mean"] == "[c]"  # nobody: a zero cell
    assert t.loc["Parent: higher managerial, admin and professional occ.", "Mean"] == "[c]"
    # the three parental shares add up to one: a second one is withheld so the first cannot be recovered
    parents = t.loc[[r for r, c in O.TABLE23_ROWS.items() if c in O.PARENT_DUMMIES], "Mean"]
    assert (parents == "[c]").sum() >= 2
    assert t.loc["Male", "Mean"] == pytest.approx(0.5)
    same = Checker("t", {}, active=False).describe("Table 23", data, labels={c: r for r, c in O.TABLE23_ROWS.items()})
    assert same.loc["Age", "Max."] == 41
