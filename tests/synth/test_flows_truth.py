"""Recovery of the synthetic flows world's generating model: area-type effects and controls.

The world (``movers.synth.flows``) gives every typology non-zero sending and
receiving effects and controls that differ from the report's estimates. The
model that holds them all is the full one: England's full pair-year matrix
(zeros included), with the sending and receiving dummies of the three
typologies at once, year effects and the twelve controls, and the sending
population as offset. Fitted on the small test world, every type dummy and
control lies within 3 SE of its true value; the same check rejects a wrong
reference category, two swapped level labels, and the report's published
controls in place of the true ones.
"""

from __future__ import annotations

import pandas as pd
import pytest

from movers.estimators import nb2
from movers.strands.flows import models as flows
from movers.synth import flows as synth_flows

YEARS = [2017, 2018]
CONTROLS = flows.MODELS["Model 4"]


@pytest.fixture(scope="module")
def data(tmp_path_factory, make_world):
    return flows.load(make_world("flows", seed=13, scale=0.1), YEARS, keep_detailed=False)


def full_frame(data, years, wales: bool = False) -> pd.DataFrame:
    """England's pair-year matrix with zeros (with ``wales``, England and Wales), every typology on both sides."""
    return flows.all_types_frame(data, "supergroup" if wales else "smi", years, include_zero=True)


def fit_full(fr, orders) -> pd.DataFrame:
    X, names, _shown = flows.all_types_design(fr, CONTROLS, orders)
    fit = nb2.fit_nb2(X, fr["moves"].to_numpy(dtype=float), fr["log_pop"].to_numpy(), names)
    return pd.DataFrame({"estimate": fit.params, "se": fit.se}, index=names)


def z_scores(est: pd.DataFrame, truth: dict) -> pd.Series:
    """(estimate - truth) / SE for every row with a true value (type dummies and controls)."""
    rows = [r for r in est.index if (r, "Model 4") in truth]
    tv = pd.Series({r: truth[(r, "Model 4")] for r in rows})
    return (est.loc[rows, "estimate"] - tv) / est.loc[rows, "se"]


def recovers(est, truth, limit: float = 3.0) -> bool:
    return bool(z_scores(est, truth).abs().max() < limit)


@pytest.fixture(scope="module")
def frame(data):
    return full_frame(data, YEARS)


@pytest.fixture(scope="module")
def orders():
    return {t: flows.levels(t) for t in flows.TYPOLOGIES}


@pytest.fixture(scope="module")
def fitted(frame, orders):
    return fit_full(frame, orders)


@pytest.fixture(scope="module")
def truth(data):
    return flows.true_values(data.truth)


def type_rows(truth) -> list[str]:
    return [r for (r, _m) in truth if r not in set(flows.LABELS.values())]


def test_world_states_nonzero_type_effects_and_controls_unlike_the_report(data, truth):
    """The Published and True columns are different numbers: no true control equals Table 2's Model 4
    estimate, and every non-reference type dummy has a true effect other than 0, distinct across levels."""
    from movers.data import published as reference

    pub = reference.published(2)
    pub = pub[pub["column"] == "Model 4"].set_index("row")["estimate"]
    low = {str(r).lower(): v for r, v in pub.items()}
    for k, label in flows.LABELS.items():
        assert truth[(label, "Model 4")] == synth_flows.COEFFICIENTS[k]
        assert label.lower() in low and truth[(label, "Model 4")] != pytest.approx(low[label.lower()], abs=0.02)
    effects = [truth[(r, "Model 4")] for r in type_rows(truth)]
    assert len(effects) == 2 * (2 + 7 + 4) and all(e != 0 for e in effects)
    for sides in data.truth["type_effects"].values():
        assert sides["sending"] != sides["receiving"] and len(set(sides["sending"].values())) == len(sides["sending"])


def test_full_model_recovers_type_effects_and_controls(fitted, truth):
    """Every type dummy (26) and control (12) of the full model within 3 SE of its generating value."""
    z = z_scores(fitted, truth)
    assert len(z) == 26 + 12
    types = z[type_rows(truth)]
    assert len(types) == 26
    assert types.abs().max() < 3, types.round(2).to_dict()
    assert z.abs().max() < 3, z.round(2).to_dict()


def test_england_and_wales_full_model_recovers_type_and_country_effects(data, orders, truth):
    """With Wales in (country dummies in the design), the full model recovers the same truth and the
    world's country effects."""
    fr = full_frame(data, YEARS, wales=True)
    assert fr["wales_o"].any() and fr["wales_d"].any()
    est = fit_full(fr, orders)
    countries = {(k, "Model 4"): v for k, v in data.truth["country_effects"].items()}
    z = z_scores(est, truth | countries)
    assert len(z) == 26 + 12 + 2
    assert z.abs().max() < 3, z.round(2).to_dict()


def test_receiving_model_by_sending_type_recovers_truth(frame, orders, truth):
    """The report's receiving models are fitted on flows out of one sending type: the full model on that
    selection (its sending-SMI dummies dropped) targets the same receiving effects and controls."""
    est = fit_full(frame[frame["smi_o"] == "Medium spot"], orders)
    z = z_scores(est, truth)
    receiving = [flows.type_label("Receiving", lev, t) for t in flows.TYPOLOGIES for lev in orders[t][1:]]
    assert set(receiving) | set(flows.LABELS.values()) <= set(z.index)
    assert z.abs().max() < 3, z.round(2).to_dict()


def test_perturbed_controls_are_rejected(fitted, truth):
    """The distance elasticity shifted by 0.1, or the border effect by 0.4: rejected."""
    for key, shift in ((flows.LABELS["log_distance"], 0.1), (flows.LABELS["border"], -0.4)):
        perturbed = dict(truth)
        perturbed[(key, "Model 4")] += shift
        assert not recovers(fitted, perturbed)


def test_wrong_reference_category_is_rejected(frame, orders, truth, fitted):
    """The IMD dummies measured against the least deprived quintile (not the report's most deprived):
    the labels still match truth rows, but the check rejects the estimates."""
    wrong = dict(orders)
    imd = orders["imd"]
    wrong["imd"] = [imd[-1]] + imd[:-1]
    est = fit_full(frame, wrong)
    assert recovers(fitted, truth)
    assert not recovers(est, truth)


@pytest.mark.parametrize(
    "typology, a, b",
    [
        ("smi", "Medium spot", "Cold spot"),
        ("supergroup", "Countryside Living", "Urban Settlements"),
        ("imd", "2nd quintile", "4th quintile"),
    ],
)
def test_swapped_level_labels_are_rejected(frame, orders, truth, fitted, typology, a, b):
    """Two levels of one typology swapped in the data (a mislabelled dummy on both sides): rejected."""
    swapped = frame.copy()
    for col in (f"{typology}_o", f"{typology}_d"):
        swapped[col] = swapped[col].replace({a: b, b: a})
    est = fit_full(swapped, orders)
    assert recovers(fitted, truth)
    assert not recovers(est, truth)


def test_swapped_truth_labels_and_published_controls_are_rejected(fitted, truth):
    """The same estimates checked against a truth with two labels exchanged, or with zero type effects
    (the old world), or with the report's controls: each is rejected."""
    rows = type_rows(truth)
    a, b = (flows.type_label("Receiving", lev, "supergroup") for lev in ("Countryside Living", "Services and Industrial Legacy"))
    swapped = dict(truth)
    swapped[(a, "Model 4")], swapped[(b, "Model 4")] = truth[(b, "Model 4")], truth[(a, "Model 4")]
    assert not recovers(fitted, swapped)
    zero = dict(truth) | {(r, "Model 4"): 0.0 for r in rows}
    assert not recovers(fitted, zero)
    from movers.data import published as reference

    pub = reference.published(2)
    pub = {str(r).lower(): v for r, v in pub[pub["column"] == "Model 4"].set_index("row")["estimate"].items()}
    published = dict(truth) | {(lab, "Model 4"): pub[lab.lower()] for lab in flows.LABELS.values()}
    assert not recovers(fitted, published)


@pytest.mark.parametrize("typology", ["smi", "supergroup"])
def test_zero_truncated_fit_recovers_truth_on_nonzero_flows_where_the_naive_fit_does_not(data, typology):
    """``flows.zero_flow_bias``: on the non-zero flows (the ONS files' sample) the zero-truncated NB2 has every
    shown coefficient within 3 SE of the truth, the naive NB2 of the same rows does not (distance far off);
    the full matrix recovers the truth too. Supergroups run over England and Wales."""
    bias = flows.zero_flow_bias(data, typology, YEARS)
    z = bias.set_index(["sample", "row"])["z"]
    n_types = 2 * (len(flows.levels(typology)) - 1)
    for sample in ("Non-zero flows, zero-truncated NB2", "Full matrix"):
        assert len(z[sample]) == n_types + 12
        assert z[sample].abs().max() < 3, z[sample].round(2).to_dict()
    naive = z["Non-zero flows only"]
    assert naive[flows.LABELS["log_distance"]] > 3 and naive.abs().max() > 3
    nobs = bias.groupby("sample")["nobs"].first()
    assert nobs["Non-zero flows only"] == nobs["Non-zero flows, zero-truncated NB2"] < nobs["Full matrix"]
