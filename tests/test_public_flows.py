"""The 2011-matrix analysis: descriptive rates by hand, and the NB gravity fit recovers known coefficients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from movers.data import geography as geo
from movers.data import public_flows as pf
from movers.errors import InputError


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
def simulated(geo_world):
    """NB2 flows between 120 synthetic authorities from known coefficients (a parameter-recovery world)."""
    g = geo.load_geography(geo_world / "geography")
    keep = g.las["la_code"].iloc[::3].tolist()[:120]
    rng = np.random.default_rng(11)
    order = ["Q1", "Q2", "Q3"]
    typ = pd.Series(rng.choice(order, size=len(keep)), index=keep)
    gva = pd.Series(rng.normal(0, 0.3, size=len(keep)), index=keep)
    pairs = pf.pair_frame(pd.DataFrame(columns=["origin", "destination", "moves"]), g, typ, {"log_gva": gva})
    truth = {"Q2": -0.4, "Q3": 0.3, "Share border": 1.8, "Distance between sending and receiving areas": -1.0, "GVA per capita, receiving area": 0.5}
    eta = (
        6.0
        + truth["Q2"] * (pairs["receiving"] == "Q2")
        + truth["Q3"] * (pairs["receiving"] == "Q3")
        + truth["Share border"] * pairs["border"]
        + truth["Distance between sending and receiving areas"] * pairs["log_distance"]
        + truth["GVA per capita, receiving area"] * pairs["log_gva_destination"]
    )
    alpha = 0.5  # NB2: var = mu + alpha mu^2, drawn as a gamma-Poisson mixture
    mu = np.exp(eta.to_numpy()) * rng.gamma(1 / alpha, alpha, size=len(pairs))
    pairs["moves"] = rng.poisson(mu)
    return pairs, order, truth


def test_nb_gravity_recovers_the_generating_coefficients(simulated):
    pairs, order, truth = simulated
    assert (pairs["moves"] == 0).any()  # zeros stay in, as in the census matrix
    m = pf.fit_nb(pairs, "receiving", order, "Q1", ["border", "log_distance", "log_gva_destination"], pf.LABELS)
    assert m.attrs["converged"] and m.attrs["nobs"] == len(pairs)
    for row, value in truth.items():
        z = (m.loc[row, "estimate"] - value) / m.loc[row, "se"]
        assert abs(z) < 4, f"{row}: {m.loc[row, 'estimate']:.3f} vs true {value} (z={z:.1f})"
    assert m.attrs["alpha"] == pytest.approx(0.5, rel=0.25)


def test_omitting_distance_biases_the_border_effect(simulated):
    """Why Model 2 matters: neighbours are near, so without log distance the border coefficient absorbs it."""
    pairs, order, truth = simulated
    m = pf.fit_nb(pairs, "receiving", order, "Q1", ["border"], pf.LABELS)
    assert m.loc["Share border", "estimate"] > truth["Share border"] + 1.0


def test_model_sets_and_missing_covariates(simulated, geo_world):
    pairs, order, _ = simulated
    out = pf.receiving_models(pairs, order, "Q1", specs={"Model 1": []})
    assert set(out) == set(order) and list(out["Q2"]["Model 1"].index) == ["Q2", "Q3"]
    g = geo.load_geography(geo_world / "geography")
    typ = pd.Series("Q1", index=g.las["la_code"][:5])
    with pytest.raises(InputError, match="log_gva: no value for 1 authorities"):
        pf.pair_frame(pd.DataFrame(columns=["origin", "destination", "moves"]), g, typ, {"log_gva": pd.Series(0.0, index=typ.index[:4])})


@pytest.fixture(scope="module")
def small_world(tmp_path_factory):
    """A small synthetic world with geography, covariates and flows (scale 0.05: quick)."""
    from movers.synth import generate_world

    root = tmp_path_factory.mktemp("flows_world") / "synthetic"
    generate_world(root, seed=5, scale=0.05, only=["flows"], log=lambda *_: None)
    return root


def test_synthetic_inputs_line_up_with_the_public_ones(small_world):
    from movers.data import public

    fi = public.synthetic_flow_inputs(small_world)
    units = set(fi.geography.las["la_code"])
    assert fi.notes["n_units"] == 348 and set(fi.od["origin"]) <= units
    assert (fi.od["origin"] != fi.od["destination"]).all() and fi.od["moves"].gt(0).all()
    assert len(fi.imd) == 326 and sorted(fi.imd["imd_quintile"].value_counts()) == [65, 65, 65, 65, 66]
    assert fi.imd["imd_rank"].is_monotonic_increasing and set(fi.imd["imd_group"]) == set(public.IMD_GROUPS)
    assert set(fi.gva_per_head.index) == units and set(fi.population.index) == units
    assert fi.truth["border"] == pytest.approx(1.984)
    with pytest.raises(InputError, match="parameter 'gva_year'.*no GVA per head for 1990"):
        public.synthetic_flow_inputs(small_world, gva_year=1990)
    with pytest.raises(InputError, match="parameter 'source'"):
        public.flow_inputs("restricted")
    # the generating border effect shows through: neighbours exchange far more than the log-distance trend predicts
    typ = fi.imd.set_index("la_code")["imd_group"]
    pairs = pf.pair_frame(fi.od, fi.geography, typ)
    m = pf.fit_nb(pairs, "sending", public.IMD_GROUPS, public.IMD_GROUPS[0], ["border", "log_distance"], pf.LABELS)
    assert 1.0 < m.loc["Share border", "estimate"] < 3.0 and -1.5 < m.loc["Distance between sending and receiving areas", "estimate"] < -0.5
