"""Inference beyond the report: clustered SEs from the same fits, the count of surviving significance
claims, and PPML with fixed effects on a pair frame built as on the real files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from movers.data import geography as geo, public
from movers.strands.flows import inference, models as flows, public as census


@pytest.fixture(scope="module")
def world(geo_world, random_covariates):
    """Flows between 80 synthetic authorities with origin and destination effects the controls do not
    see (so pairs sharing an end are correlated), laid out as ``census.CensusInputs``."""
    g = geo.load_geography(geo_world / "geography")
    keep = sorted(g.las["la_code"].iloc[::3].tolist()[:80])
    rng = np.random.default_rng(5)
    n = len(keep)
    cov = random_covariates(keep, rng)
    types = pd.DataFrame({"imd": np.array(public.IMD_GROUPS)[rng.integers(0, 5, n)], "supergroup": np.nan}, index=keep)
    empty = pd.DataFrame({"origin": [], "destination": [], "moves": []})
    ci = census.CensusInputs(g, empty, cov, types, {}, {"census_year": 2011}, None)
    frame = census.census_frame(ci, "imd", include_zero=True)
    push = pd.Series(rng.normal(0, 0.5, n), index=keep)
    pull = pd.Series(rng.normal(0, 0.5, n), index=keep)
    eta = -2.0 + frame["log_pop"] + 1.5 * frame["border"] - 1.0 * frame["log_distance"] + 0.8 * frame["log_young"]
    eta += frame["origin"].map(push) + frame["destination"].map(pull)
    frame["moves"] = rng.poisson(np.exp(eta.to_numpy()) * rng.gamma(4.0, 0.25, size=len(frame))).astype(float)
    return frame


def test_clustered_ses_come_from_the_same_fit_and_grow_for_one_end_s_covariates(world):
    est = flows.fit_model(
        world, "sending", flows.levels("imd"), "imd", ["border", "log_distance", "log_young"], clusters=census.CLUSTERS
    )
    cl = est.extra["clustered_se"]
    assert list(cl.columns) == ["origin", "destination", "two-way"] and list(cl.index) == list(est.index)
    young = flows.LABELS["log_young"]
    # a sending-area covariate varies only between the 80 origins: clustering by origin must widen it a lot
    assert cl.loc[young, "origin"] > 2 * est.coefs.loc[young, "se"]
    assert cl.loc[young, "two-way"] == pytest.approx(cl.loc[young, "origin"], rel=0.35)
    plain = flows.fit_model(world, "sending", flows.levels("imd"), "imd", ["border", "log_distance", "log_young"])
    pd.testing.assert_frame_equal(plain.coefs, est.coefs)  # clustering changes nothing else


def test_ppml_with_fixed_effects_recovers_border_and_distance(world):
    """With origin and destination effects the unseen push and pull are absorbed; border and distance are
    recovered within a few SEs, and the sending dummies are reported with destination effects only."""
    fits = inference.ppml_models(world, "imd")
    od = fits["od"].coefs
    assert list(od.index) == [flows.LABELS["border"], flows.LABELS["log_distance"]]
    assert abs(od.iloc[0]["estimate"] - 1.5) < 4 * od.iloc[0]["se"]
    assert abs(od.iloc[1]["estimate"] + 1.0) < 4 * od.iloc[1]["se"]
    assert any(r.startswith("Sending:") for r in fits["sending"].index)
    assert not any(r.startswith("Sending:") for r in fits["receiving"].index)


def test_coefficient_kinds():
    assert inference.coefficient_kind("Sending: 2nd quintile", "Sending") == "Sending-type dummies"
    assert inference.coefficient_kind("2nd quintile", "High deprivation") == "Receiving-type dummies"
    assert inference.coefficient_kind(flows.LABELS["log_gva_d"], "Sending") == "Destination covariates"
    assert inference.coefficient_kind(flows.LABELS["tfr"], "Low deprivation") == "Origin covariates"
    assert inference.coefficient_kind(flows.LABELS["border"], "Sending") == "Pair covariates"


def test_surviving_claims_by_hand():
    """Four published coefficients, three with ** or ***; an estimate supports a claim when it has the
    published sign and is significant at 5 % with the SE named."""
    f = pd.DataFrame(
        {
            "sample": "non-zero",
            "estimate": [0.5, 0.5, -0.5, 0.5],
            "robust": [0.1, 0.1, 0.1, 0.1],
            "origin": [0.2, 0.4, 0.1, 0.1],
            "destination": [0.1, 0.1, 0.1, 0.1],
            "two-way": [0.3, 0.3, 0.1, 0.1],
            "published": [0.4, 0.4, 0.3, 0.2],
            "published_se": 0.05,
            "published_stars": ["***", "**", "***", "*"],
        }
    )
    c = inference.surviving_claims(f).loc["non-zero"]
    assert c["Published coefficients"] == 4 and c["Significant at 5 % in the report"] == 3
    assert c["Supported, robust (pairs) SE"] == 2  # the third has the wrong sign
    assert c["Supported, clustered by origin SE"] == 1  # 0.5 / 0.4 is not significant
    assert c["Supported, two-way (origin and destination) SE"] == 0


def test_se_ratios_are_medians_over_coefficients_in_kind_order():
    f = pd.DataFrame(
        {
            "sample": ["non-zero"] * 4,
            "kind": ["Origin covariates", "Sending-type dummies", "Sending-type dummies", "Sending-type dummies"],
            "robust": [1.0, 1.0, 2.0, 1.0],
            "origin": [3.0, 2.0, 8.0, 3.0],
            "destination": [1.0, 1.0, 2.0, 1.0],
            "two-way": [3.0, 2.0, 8.0, 3.0],
        }
    )
    r = inference.se_ratios(f)
    assert list(r.index.get_level_values("kind")) == ["Sending-type dummies", "Origin covariates"]
    assert r.loc[("non-zero", "Sending-type dummies"), "origin"] == 3.0  # median of 2, 4, 3
    assert r.loc[("non-zero", "Sending-type dummies"), "n"] == 3
