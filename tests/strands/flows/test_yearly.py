"""The sending models on authority totals (movers.strands.flows.yearly): recovery of known coefficients from NB2
totals drawn on hand-built authorities (and a miss when two type labels are swapped or the controls are not
lagged), the years each model can use, the page without open files, and the real MYEB3 figures beside the
report's Table 7 (skipped without ../shared)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from movers.estimators import agreement
from movers.pages import flows_yearly as pages
from movers.strands.flows import models as flows, yearly as ys

YEARS = list(range(2011, 2019))
TYPE_EFFECTS = dict(zip(flows.levels("supergroup"), [0.0, 0.25, -0.2, 0.4, 0.6, -0.5, -0.15, -0.3], strict=True))
COEFS = {
    "log_young": 0.8,
    "dependency": -0.9,
    "non_uk_born": 0.5,
    "tfr": 0.3,
    "unemp_o": -0.03,
    "log_gva_o": 0.2,
    "log_house_o": 0.15,
}
ALPHA = 0.03


def _world(seed: int = 3, n: int = 320) -> tuple[ys.SendingInputs, dict]:
    """``n`` authorities (a tenth Welsh) with random yearly covariates 2010-2018 and NB2 moves out in 2011-2018
    drawn from ``TYPE_EFFECTS`` and ``COEFS`` applied to the year before's covariates, population as exposure."""
    rng = np.random.default_rng(seed)
    codes = [f"{'W' if i % 10 == 0 else 'E'}{i:08d}" for i in range(n)]
    levels = flows.levels("supergroup")
    types = pd.DataFrame({"la_code": codes, "supergroup": [levels[i % len(levels)] for i in range(n)], "imd": None})
    base = rng.normal(size=(n, 7))
    rows = []
    for y in range(2010, 2019):
        shock = rng.normal(scale=0.6, size=(n, 7))  # yearly movement, so a missing lag shows
        z = 0.5 * base + shock
        rows.append(
            pd.DataFrame(
                {
                    "la_code": codes,
                    "year": y,
                    "young_share": 0.18 * np.exp(0.1 * z[:, 0]),
                    "dependency_ratio": 0.3 + 0.05 * z[:, 1],
                    "non_uk_born": 0.1 + 0.04 * z[:, 2],
                    "tfr": 1.8 + 0.15 * z[:, 3],
                    "unemployment_rate": 5 + 1.5 * z[:, 4],
                    "gva_per_head": 25000 * np.exp(0.2 * z[:, 5]),
                    "house_price": 200000 * np.exp(0.3 * z[:, 6] + 0.1 * z[:, 5]),
                }
            )
        )
    cov = pd.concat(rows, ignore_index=True)
    pop = pd.Series(rng.uniform(30_000, 300_000, n), index=codes)
    inputs = ys.SendingInputs(
        pd.DataFrame(
            {"la_code": codes * len(YEARS), "year": np.repeat(YEARS, n), "moves": 0.0, "population": np.tile(pop, len(YEARS))}
        ),
        cov,
        types,
        "synthetic",
    )
    f = ys.authority_frame(inputs, "supergroup", YEARS)
    eta = -3.2 + f["sending"].map(TYPE_EFFECTS) + 0.05 * (f["year"] - 2011) + 0.1 * f["wales_o"]
    eta = eta + sum(c * f[v] for v, c in COEFS.items())
    mu = np.exp(f["log_pop"] + eta - eta.mean() + np.log(0.04))  # about 4 per cent leave each year
    moves = rng.poisson(rng.gamma(1 / ALPHA, ALPHA * mu))
    totals = f[["la_code", "year"]].assign(moves=moves.astype(float), population=np.exp(f["log_pop"]))
    truth = {flows.type_label("Sending", k, "supergroup"): v for k, v in TYPE_EFFECTS.items() if v} | {
        flows.LABELS[v]: c for v, c in COEFS.items()
    }
    return ys.SendingInputs(totals, cov, types, "synthetic"), truth


@pytest.fixture(scope="module")
def world():
    return _world()


def _z(result: ys.SendingResult, truth: dict, model: str = "Model 4") -> pd.Series:
    c = result.fits[model].coefs
    return pd.Series({r: (c.loc[r, "estimate"] - v) / c.loc[r, "se"] for r, v in truth.items()})


def test_the_authority_models_are_the_book_s_models_less_the_pair_and_pull_controls():
    """One model list: the sending models on totals are ``models.MODELS`` without Model 2 and without the
    controls of a pair or of the receiving end, and their variables the pair frame's sending ones."""
    assert {m: [v for v in c if v not in ys.LEFT_OUT] for m, c in flows.MODELS.items() if m != "Model 2"} == ys.MODELS
    assert ys.specs(["unemployment_rate", "non_uk_born"]) == flows.without(ys.MODELS, ["unemployment_rate", "non_uk_born"])
    assert "unemp_o" not in ys.specs(["unemployment_rate"])["Model 4"]
    assert [v for v, _ in ys.VARIABLES.values()] == ys.MODELS["Model 4"]


def test_model_4_recovers_the_generating_coefficients(world):
    inputs, truth = world
    res = ys.sending_analysis(inputs, "supergroup", YEARS)
    assert res.years["Model 4"] == YEARS and res.fits["Model 4"].nobs == len(inputs.totals)
    z = _z(res, truth)
    assert z.abs().max() < 4, z.round(1).to_dict()
    assert res.table == 7 and set(res.long["model"]) == {"Model 1", "Model 3", "Model 4"}
    assert list(res.agreement.index) == ["Model 1", "Model 3", "Model 4", "All"]


def test_recovery_fails_when_two_labels_are_swapped(world):
    inputs, truth = world
    a, b = "London Cosmopolitan", "Services and Industrial Legacy"
    swapped = ys.SendingInputs(
        inputs.totals,
        inputs.covariates,
        inputs.types.assign(supergroup=inputs.types["supergroup"].replace({a: b, b: a})),
        "synthetic",
    )
    z = _z(ys.sending_analysis(swapped, "supergroup", YEARS), truth)
    assert z[f"Sending: {a}"] > 4 or z[f"Sending: {a}"] < -4


def test_recovery_fails_when_the_controls_are_not_lagged(world):
    """The moves were drawn from the year before's covariates: read as this year's, the controls miss."""
    inputs, truth = world
    same_year = ys.SendingInputs(
        inputs.totals, inputs.covariates.assign(year=inputs.covariates["year"] - 1), inputs.types, "synthetic"
    )
    z = _z(ys.sending_analysis(same_year, "supergroup", YEARS[:-1]), truth)
    assert z[[flows.LABELS[v] for v in COEFS]].abs().max() > 4


def test_each_model_uses_the_years_its_lagged_controls_cover(world):
    inputs, _ = world
    cov = inputs.covariates.copy()
    cov.loc[(cov["year"] == 2013) & (cov["la_code"] == cov["la_code"].iloc[0]), "tfr"] = np.nan  # the lag of 2014
    cov.loc[cov["year"] >= 2015, "gva_per_head"] = np.nan  # as the open GVA file, which ends in 2014 here
    res = ys.sending_analysis(
        ys.SendingInputs(inputs.totals, cov, inputs.types, "synthetic", omitted=["non_uk_born"]), "supergroup", YEARS
    )
    assert res.years["Model 1"] == YEARS
    assert res.years["Model 3"] == [y for y in YEARS if y != 2014]
    assert res.years["Model 4"] == [2011, 2012, 2013, 2015]
    assert "Non-UK born ratio, sending area" not in res.fits["Model 3"].index  # left out, not filled in
    none = cov.assign(young_share=np.nan)
    res = ys.sending_analysis(ys.SendingInputs(inputs.totals, none, inputs.types, "synthetic"), "supergroup", YEARS)
    assert set(res.skipped) == {"Model 3", "Model 4"} and list(res.fits) == ["Model 1"]


def test_agreement_table_has_one_row_per_model_of_each_published_table(world):
    inputs, _ = world
    res = ys.sending_analysis(inputs, "supergroup", YEARS)
    t = pages.agreement_table([res])
    assert list(t.index) == ["Table 7, Model 1", "Table 7, Model 3", "Table 7, Model 4", "Table 7, all models"]
    assert t.loc["Table 7, all models", "Published coefficients"] == 21
    a = agreement.agreement(res.long[res.long["model"] == "Model 1"])
    assert t.loc["Table 7, Model 1", "Within 2 combined SEs (share)"] == pytest.approx(a["within_combined"])


@pytest.mark.public
@pytest.mark.slow
def test_real_myeb3_model_1_is_close_to_table_7(shared_public, tmp_path):
    """The issue's check: MYEB3 2011-2018 gives Table 7's Model 1 within a few hundredths (MAE 0.025 for the
    pooled log out-rate ratios); on the open files Models 3 and 4 have one year (mid-2011 populations by age)."""
    inputs = ys.public_inputs(shared_public, YEARS, cache=tmp_path / "controls")
    assert inputs.totals["la_code"].nunique() == 348 and sorted(inputs.totals["year"].unique()) == YEARS
    assert {"unemployment_rate", "non_uk_born"} <= set(inputs.omitted)
    res = ys.sending_analysis(inputs, "supergroup", YEARS)
    m1 = res.agreement.loc["Model 1"]
    assert m1["Mean absolute gap"] < 0.05 and m1["Correlation"] > 0.99 and m1["Same sign (share)"] == 1
    assert res.years["Model 3"] == [2012] and res.fits["Model 1"].nobs == 348 * 8
    imd = ys.sending_analysis(inputs, "imd", YEARS)
    assert imd.table is None and imd.fits["Model 1"].nobs == 326 * 8 and imd.agreement.empty
