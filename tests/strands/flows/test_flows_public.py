"""The 2011-matrix analysis: descriptive rates by hand, the census pair frame, and the gravity fit of
``movers.strands.flows.models`` on it recovers known coefficients (and misses them when two labels are swapped)."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.data import geography as geo, public
from movers.strands.flows import models as flows, public as pf


def test_typology_rates_by_hand():
    od = pd.DataFrame(
        {
            "origin": ["A", "A", "A", "B", "B", "C", "C"],
            "destination": ["A", "B", "C", "A", "C", "A", "B"],
            "moves": [500, 10, 30, 20, 5, 7, 3],
        }
    )
    pop = pd.Series({"A": 1000.0, "B": 2000.0, "C": 500.0})
    typ = pd.Series({"A": "hot", "B": "cold", "C": "cold"})
    r = pf.typology_rates(od, pop, typ, ["hot", "cold"])
    assert r.loc["hot", "hot"] == 0  # the within-A 500 moves are not migration between authorities
    assert r.loc["hot", "cold"] == pytest.approx(100 * 40 / 1000)
    assert r.loc["cold", "hot"] == pytest.approx(100 * 27 / 2500)
    assert r.loc["cold", "cold"] == pytest.approx(100 * 8 / 2500)
    assert pf.out_rates(od, pop)["A"] == pytest.approx(4.0)
    with pytest.raises(InputError, match="not in the order given: warm"):
        pf.typology_rates(od, pop, typ.replace({"hot": "warm"}), ["hot", "cold"])


@pytest.fixture(scope="module")
def simulated(geo_world, random_covariates):
    """NB2 flows between 150 synthetic authorities from known coefficients (a parameter-recovery world),
    laid out as ``pf.CensusInputs`` so ``census_frame`` builds the pairs as on the real files."""
    g = geo.load_geography(geo_world / "geography")
    keep = sorted(g.las["la_code"].iloc[::2].tolist()[:150])
    rng = np.random.default_rng(11)
    n = len(keep)
    cov = random_covariates(keep, rng)
    imd = pd.Series(np.array(public.IMD_GROUPS)[rng.integers(0, 5, n)], index=keep)
    types = pd.DataFrame({"imd": imd, "supergroup": np.nan})
    ci = pf.CensusInputs(
        g, pd.DataFrame({"origin": [], "destination": [], "moves": []}), cov, types, {}, {"census_year": 2011}, None
    )
    frame = pf.census_frame(ci, "imd", include_zero=True)
    truth = {
        "2nd quintile": -0.3,
        "3rd quintile": 0.25,
        "4th quintile": 0.0,
        "Low deprivation": -0.6,
        "Share border": 1.8,
        "Distance between sending and receiving areas": -1.0,
        "GVA per capita, receiving area": 0.5,
        "House prices, receiving area": -0.4,
    }
    cols = {
        "2nd quintile": frame["receiving"] == "2nd quintile",
        "3rd quintile": frame["receiving"] == "3rd quintile",
        "4th quintile": frame["receiving"] == "4th quintile",
        "Low deprivation": frame["receiving"] == "Low deprivation",
        "Share border": frame["border"],
        "Distance between sending and receiving areas": frame["log_distance"],
        "GVA per capita, receiving area": frame["log_gva_d"],
        "House prices, receiving area": frame["log_house_d"],
    }
    eta = -2.0 + frame["log_pop"] + sum(truth[k] * cols[k].astype(float) for k in truth)
    alpha = 0.5  # NB2: var = mu + alpha mu^2, drawn as a gamma-Poisson mixture
    frame["moves"] = rng.poisson(np.exp(eta.to_numpy()) * rng.gamma(1 / alpha, alpha, size=len(frame)))
    ci.od = frame[["origin", "destination", "moves"]]
    return ci, frame, truth


CONTROLS = ["border", "log_distance", "log_gva_d", "log_house_d"]


def test_nb_gravity_recovers_the_generating_coefficients(simulated):
    _, frame, truth = simulated
    assert (frame["moves"] == 0).any()  # zeros stay in, as in the census matrix
    m = flows.fit_model(frame, "receiving", flows.levels("imd"), "imd", CONTROLS)
    assert m.converged and m.nobs == len(frame)
    for row, value in truth.items():
        z = (m.coefs.loc[row, "estimate"] - value) / m.coefs.loc[row, "se"]
        assert abs(z) < 4, f"{row}: {m.coefs.loc[row, 'estimate']:.3f} vs true {value} (z={z:.1f})"
    assert m.extra["alpha"] == pytest.approx(0.5, rel=0.25)


def test_recovery_fails_when_two_labels_are_swapped(simulated):
    """A mislabelled receiving type is caught: swap 2nd quintile and Low deprivation in the frame."""
    _, frame, truth = simulated
    swapped = frame.assign(
        receiving=frame["receiving"].replace({"2nd quintile": "Low deprivation", "Low deprivation": "2nd quintile"})
    )
    m = flows.fit_model(swapped, "receiving", flows.levels("imd"), "imd", CONTROLS)
    z = (m.coefs.loc["Low deprivation", "estimate"] - truth["Low deprivation"]) / m.coefs.loc["Low deprivation", "se"]
    assert abs(z) > 4


def test_census_frame_samples_and_missing_controls(simulated):
    ci, frame, _ = simulated
    nz = pf.census_frame(ci, "imd", include_zero=False)
    assert len(nz) == int((frame["moves"] > 0).sum()) and nz["moves"].gt(0).all()
    bad = pf.CensusInputs(
        ci.geography,
        ci.od,
        ci.covariates.assign(tfr=lambda d: d["tfr"].where(d.index != d.index[3])),
        ci.types,
        {},
        ci.notes,
        None,
    )
    with pytest.raises(InputError, match=r"missing value\(s\) of tfr for 1 authorities"):
        pf.census_frame(bad, "imd")


def test_published_tables_of_each_model_set():
    assert pf.published_table("supergroup", None) == 7 and pf.published_table("supergroup", "Urban Settlements") == 15
    assert pf.published_table("imd", "High deprivation") == 16 and pf.published_table("imd", None) is None


def test_myeb3_rates_by_hand():
    m = pd.DataFrame(
        {
            "la_code": ["E1", "E1", "W1", "W1", "S1", "S1"],
            "year": [2011, 2012] * 3,
            "population": [1000, 1100, 500, 500, 10, 10],
            "internal_in": [0, 30, 0, 20, 0, 1],
            "internal_out": [0, 50, 0, 10, 0, 1],
        }
    )
    r = pf.myeb3_rates(m, years=[2012])
    assert set(r["la_code"]) == {"E1", "W1"} and r.set_index("la_code").loc["E1", "out_rate"] == pytest.approx(5.0)
    g = pf.rates_by_group(r, pd.Series({"E1": "a", "W1": "a"}))
    assert g.loc[2012, "a"] == pytest.approx(100 * 60 / 1500)
    assert pf.country_rates(r).loc["In-migration, Wales", 2012] == pytest.approx(4.0)
    with pytest.raises(InputError, match="no figures for 2013"):
        pf.myeb3_rates(m, years=[2013])


@pytest.fixture(scope="module")
def small_world(flows_world):
    """A small synthetic world with geography, covariates and flows (scale 0.05: quick)."""
    return flows_world


def test_synthetic_inputs_line_up_with_the_public_ones(small_world):
    ci = pf.synthetic_census_inputs(small_world)
    units = set(ci.geography.las["la_code"])
    assert ci.notes["n_units"] == 348 and set(ci.od["origin"]) <= units
    assert ci.covariates.notna().all().all() and set(ci.covariates.index) == units
    assert sorted(ci.types["imd"].value_counts()) == [65, 65, 65, 65, 66]
    with pytest.raises(InputError, match="parameter 'source'"):
        pf.census_inputs_for("restricted")
    comp = pf.synthetic_components(small_world, [2012])
    assert comp.loc[comp["year"] == 2012, "internal_out"].sum() == pytest.approx(
        comp.loc[comp["year"] == 2012, "internal_in"].sum()
    )


def _rates(values):
    """A ``myeb3_rates``-like frame: two authorities, one year, out moves ``values`` over 1,000 people each."""
    return pd.DataFrame({"la_code": ["E06000001", "W06000001"], "year": 2012, "population": 1000.0, "out": values, "in": values})


def test_rates_beside_puts_each_group_s_two_series_together():
    groups = pd.Series({"E06000001": "Affluent England", "W06000001": "Urban Settlements"})
    t = pf.rates_beside(_rates([10.0, 30.0]), groups, _rates([50.0, 70.0]), groups, ["Affluent England", "Urban Settlements"])
    assert list(t.index) == [
        "Affluent England, synthetic world",
        "Affluent England, MYEB3 (real)",
        "Urban Settlements, synthetic world",
        "Urban Settlements, MYEB3 (real)",
    ]
    assert t[2012].tolist() == [1.0, 5.0, 3.0, 7.0]
    c = pf.country_beside(_rates([10.0, 30.0]), _rates([50.0, 70.0]))
    assert (
        c.loc["Out-migration, Wales, MYEB3 (real)", 2012] == 7.0 and c.loc["Out-migration, England, synthetic world", 2012] == 1.0
    )


def test_the_census_models_are_the_book_s_models_less_the_controls_without_open_figures():
    """One model list: the census chapter's is ``models.MODELS`` less the omitted controls, derived, not typed.
    Before, ``public.MODELS`` was a dict literal equal to the derivation (so only the source check failed)."""
    assert flows.without(flows.MODELS, pf.OMITTED_COVARIATES) == pf.MODELS
    assert set(pf.OMITTED_COVARIATES) == {"unemployment_rate", "non_uk_born"}
    tree = ast.parse(Path(pf.__file__).read_text())
    (fn,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "census_models"]
    (ret,) = [n for n in ast.walk(fn) if isinstance(n, ast.Return)]
    assert isinstance(ret.value, ast.Call) and ast.unparse(ret.value.func) == "flows.without", (
        "public.MODELS must be derived from models.MODELS"
    )


def test_the_census_pairs_are_the_book_s_pair_frame(simulated):
    """One pair-frame builder: the census frame is ``models.pairs`` + ``models.pair_year`` on the census inputs,
    row for row the frame ``models.pair_frame`` builds from the same figures laid out as a census year."""
    ci, _, _ = simulated
    frame = pf.census_frame(ci, "imd", include_zero=True)
    codes = sorted(ci.types["imd"].dropna().index)
    data = flows.FlowData(
        totals=ci.od.assign(year=2011),
        detailed=None,
        covariates=ci.covariates.rename_axis("la_code").reset_index().assign(year=2010),
        population=ci.covariates["population"].rename_axis("la_code").reset_index().assign(year=2011),
        types=ci.types.rename_axis("la_code").reset_index(),
        geography=ci.geography,
        truth={},
        omitted=pf.OMITTED_COVARIATES,
    )
    yearly = flows.pair_frame(data, "imd", [2011], include_zero=True)
    assert len(frame) == len(codes) * (len(codes) - 1)
    pd.testing.assert_frame_equal(frame, yearly)
