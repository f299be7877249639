"""Average discrete-change effects with interactions: hand-computed cases, finite differences, both formula engines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.stats import norm

from movers.estimators.margins import effect_differences, mover_effects


def _panel(n=1500, seed=1):
    """Binary mover interacted with a dummy and a 3-level factor; LA clusters; a few missing values."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "mover": rng.integers(0, 2, n),
            "male": rng.integers(0, 2, n),
            "nssec": rng.choice(["routine", "intermediate", "higher"], n, p=[0.3, 0.25, 0.45]),
            "x": rng.normal(size=n),
            "la": rng.integers(0, 60, n),
        }
    )
    la_shock = rng.normal(0, 0.4, 60)[df["la"]]
    idx = -0.2 + 0.3 * df["mover"] + 0.2 * df["male"] + 0.25 * df["mover"] * df["male"] + 0.4 * df["x"] + la_shock
    df["y"] = (idx + rng.normal(size=n) > 0).astype(int)
    df["income"] = (
        1500 + 300 * df["mover"] + 200 * df["mover"] * df["male"] + 100 * df["x"] + 400 * la_shock + rng.normal(0, 500, n)
    )
    df.loc[[5, 17], "x"] = np.nan
    return df


def _numeric_jacobian(result, frame, treat, groups):
    """d(group AME)/d(params) by central differences of statsmodels' own predictions."""
    on, off = frame.assign(**{treat: 1}), frame.assign(**{treat: 0})
    base = result.params.copy()

    def ame(p):
        pr1 = result.model.predict(p.to_numpy(), exog=_exog(result, on))
        pr0 = result.model.predict(p.to_numpy(), exog=_exog(result, off))
        d = pr1 - pr0
        return np.array([d[m].mean() for m in groups])

    jac = np.zeros((len(groups), len(base)))
    for j in range(len(base)):
        h = 1e-6 * max(1.0, abs(base.iloc[j]))
        up, dn = base.copy(), base.copy()
        up.iloc[j] += h
        dn.iloc[j] -= h
        jac[:, j] = (ame(up) - ame(dn)) / (2 * h)
    return jac


def _exog(result, frame):
    """Design matrix via statsmodels' own prediction machinery (independent of movers.estimators.margins.design)."""
    from statsmodels.formula._manager import FormulaManager

    mgr = FormulaManager()
    spec = result.model.data.model_spec
    return np.asarray(mgr.get_matrices(spec, frame, pandas=True, prediction=True)[result.params.index])


def test_ols_effects_equal_hand_computed_coefficient_sums():
    df = _panel()
    res = smf.ols("income ~ mover * male + x", df).fit(cov_type="cluster", cov_kwds={"groups": df.dropna()["la"]})
    result = mover_effects(res, df, "mover", by="male")
    eff = result.coefs
    b, v = res.params, res.cov_params()
    assert eff.loc[0, "estimate"] == pytest.approx(b["mover"])
    assert eff.loc[1, "estimate"] == pytest.approx(b["mover"] + b["mover:male"])
    assert eff.loc[0, "se"] == pytest.approx(np.sqrt(v.loc["mover", "mover"]))
    se1 = np.sqrt(v.loc["mover", "mover"] + v.loc["mover:male", "mover:male"] + 2 * v.loc["mover", "mover:male"])
    assert eff.loc[1, "se"] == pytest.approx(se1)
    diff = effect_differences(res, df, "mover", "male", reference=0).coefs
    assert list(diff.index) == ["1 versus 0"]
    assert diff.iloc[0]["estimate"] == pytest.approx(b["mover:male"])
    assert diff.iloc[0]["se"] == pytest.approx(res.bse["mover:male"])
    # OLS with clustered covariance uses t with G-1 df, as statsmodels does for the coefficient itself
    assert diff.iloc[0]["pvalue"] == pytest.approx(res.pvalues["mover:male"], rel=1e-6)
    assert result.nobs == len(df) - 2 and result.cov_type == "cluster" and result.converged
    assert sum(result.group_nobs.values()) == len(df) - 2
    assert list(result.influence) == [0, 1] and result.df_resid == res.df_resid


def test_probit_effect_matches_hand_formula_and_predictions():
    df = _panel()
    res = smf.probit("y ~ mover * male + x", df).fit(disp=0)
    used = df.dropna()
    b = res.params
    by_hand = {}
    for g in (0, 1):
        s = used[used["male"] == g]
        xb0 = b["Intercept"] + b["male"] * s["male"] + b["x"] * s["x"]
        xb1 = xb0 + b["mover"] + b["mover:male"] * s["male"]
        by_hand[g] = float((norm.cdf(xb1) - norm.cdf(xb0)).mean())
    eff = mover_effects(res, df, "mover", by="male").coefs
    assert eff.loc[0, "estimate"] == pytest.approx(by_hand[0], rel=1e-10)
    assert eff.loc[1, "estimate"] == pytest.approx(by_hand[1], rel=1e-10)
    # and equal to the average of statsmodels' own predictions with mover switched
    pred = res.predict(used.assign(mover=1)) - res.predict(used.assign(mover=0))
    assert eff.loc[1, "estimate"] == pytest.approx(pred[used["male"] == 1].mean(), rel=1e-10)


@pytest.mark.parametrize("cov", ["nonrobust", "cluster"])
def test_delta_method_se_matches_finite_difference_jacobian(cov):
    df = _panel()
    used = df.dropna()
    kw = {"cov_type": "cluster", "cov_kwds": {"groups": used["la"]}} if cov == "cluster" else {}
    res = smf.probit("y ~ mover * C(nssec) + male + x", df).fit(disp=0, **kw)
    eff = mover_effects(res, df, "mover", by="nssec").coefs
    groups = [(used["nssec"] == g).to_numpy() for g in eff.index]
    jac = _numeric_jacobian(res, used, "mover", groups)
    v = jac @ res.cov_params().to_numpy() @ jac.T
    np.testing.assert_allclose(eff["se"].to_numpy(), np.sqrt(np.diag(v)), rtol=1e-5)
    diff = effect_differences(res, df, "mover", "nssec", reference="routine").coefs
    assert list(diff.index) == ["higher versus routine", "intermediate versus routine"]
    r = list(eff.index).index("routine")
    for i, label in enumerate(diff.index):
        g = list(eff.index).index(label.split(" versus ")[0])
        var = v[g, g] + v[r, r] - 2 * v[g, r]
        assert diff.iloc[i]["se"] == pytest.approx(np.sqrt(var), rel=1e-5)
        assert diff.iloc[i]["estimate"] == pytest.approx(eff.iloc[g]["estimate"] - eff.iloc[r]["estimate"])


def test_clustered_covariance_carries_through():
    """Mover status and the outcome shock both vary by LA, so LA clustering must widen the effect's SE."""
    df = _panel().dropna().reset_index(drop=True)
    rng = np.random.default_rng(3)
    share = rng.uniform(0.05, 0.95, 60)
    shock = rng.normal(0, 0.8, 60)
    df["mover"] = (rng.random(len(df)) < share[df["la"]]).astype(int)
    df["y"] = (0.3 * df["mover"] + 0.2 * df["male"] + shock[df["la"]] * (1 + df["mover"]) + rng.normal(size=len(df)) > 0).astype(
        int
    )
    plain = smf.probit("y ~ mover * male + x", df).fit(disp=0)
    clus = smf.probit("y ~ mover * male + x", df).fit(disp=0, cov_type="cluster", cov_kwds={"groups": df["la"]})
    a, b = mover_effects(plain, df, by="male").coefs, mover_effects(clus, df, by="male").coefs
    np.testing.assert_allclose(a["estimate"], b["estimate"])
    assert (b["se"] > 1.2 * a["se"]).all()


def test_without_interactions_overall_effect_equals_statsmodels_dummy_margeff():
    df = _panel()
    res = smf.probit("y ~ mover + male + x", df).fit(disp=0)
    ours = mover_effects(res, df).coefs
    sm = res.get_margeff(at="overall", dummy=True).summary_frame()
    assert list(ours.index) == ["All"]
    assert ours.loc["All", "estimate"] == pytest.approx(sm.loc["mover", "dy/dx"], rel=1e-8)
    assert ours.loc["All", "se"] == pytest.approx(sm.loc["mover", "Std. Err."], rel=1e-4)


def test_get_margeff_would_be_wrong_with_interactions():
    """The reason this module exists: statsmodels' margeff treats mover:male as a separate regressor."""
    df = _panel()
    res = smf.probit("y ~ mover * male + x", df).fit(disp=0)
    ours = mover_effects(res, df).coefs.loc["All", "estimate"]
    sm = res.get_margeff(at="overall", dummy=True).summary_frame().loc["mover", "dy/dx"]
    assert abs(ours - sm) > 0.01


def test_formulaic_engine_gives_the_same_effects():
    import statsmodels.formula as smfo

    df = _panel()
    res_p = smf.probit("y ~ mover * C(nssec) + x", df).fit(disp=0)
    old = smfo.options.formula_engine
    try:
        smfo.options.formula_engine = "formulaic"
        res_f = smf.probit("y ~ mover * C(nssec) + x", df).fit(disp=0)
        assert hasattr(res_f.model.data.model_spec, "get_model_matrix")
        eff_f = mover_effects(res_f, df, by="nssec").coefs
    finally:
        smfo.options.formula_engine = old
    eff_p = mover_effects(res_p, df, by="nssec").coefs
    np.testing.assert_allclose(eff_f["estimate"], eff_p["estimate"], rtol=1e-6)
    np.testing.assert_allclose(eff_f["se"], eff_p["se"], rtol=1e-5)


def test_categorical_group_order_and_bad_arguments():
    df = _panel()
    df["nssec"] = pd.Categorical(df["nssec"], categories=["routine", "intermediate", "higher"])
    res = smf.ols("income ~ mover * nssec + x", df).fit()
    eff = mover_effects(res, df, by="nssec").coefs
    assert list(eff.index) == ["routine", "intermediate", "higher"]
    with pytest.raises(KeyError):
        effect_differences(res, df, "mover", "nssec", reference="professional")
    with pytest.raises(KeyError):
        mover_effects(res, df, treat="migrant")
    with pytest.raises(TypeError):
        import statsmodels.api as sm

        mover_effects(sm.OLS(df.dropna()["income"], df.dropna()[["mover", "x"]]).fit(), df.dropna())


def test_recovers_true_subgroup_effects_of_a_known_probit():
    """Simulated probit with known parameters: the estimated group AMEs lie within 3 SE of the
    AMEs the true parameters imply on the same rows, and a perturbed truth is rejected."""
    rng = np.random.default_rng(11)
    n = 6000
    df = pd.DataFrame({"mover": rng.integers(0, 2, n), "male": rng.integers(0, 2, n), "x": rng.normal(size=n)})
    true = {"Intercept": -0.1, "mover": 0.15, "male": 0.1, "mover:male": 0.3, "x": 0.5}
    idx = (
        true["Intercept"]
        + true["mover"] * df.mover
        + true["male"] * df.male
        + true["mover:male"] * df.mover * df.male
        + true["x"] * df.x
    )
    df["y"] = (idx + rng.normal(size=n) > 0).astype(int)
    res = smf.probit("y ~ mover * male + x", df).fit(disp=0)
    eff = mover_effects(res, df, by="male").coefs
    diff = effect_differences(res, df, "mover", "male", 0).coefs

    def true_ame(p, g):
        s = df[df.male == g]
        xb0 = p["Intercept"] + p["male"] * s.male + p["x"] * s.x
        return float((norm.cdf(xb0 + p["mover"] + p["mover:male"] * s.male) - norm.cdf(xb0)).mean())

    t = {g: true_ame(true, g) for g in (0, 1)}
    for g in (0, 1):
        assert abs(eff.loc[g, "estimate"] - t[g]) < 3 * eff.loc[g, "se"]
    assert abs(diff.iloc[0]["estimate"] - (t[1] - t[0])) < 3 * diff.iloc[0]["se"]
    wrong = dict(true, **{"mover:male": 0.0})
    assert abs(diff.iloc[0]["estimate"] - (true_ame(wrong, 1) - true_ame(wrong, 0))) > 3 * diff.iloc[0]["se"]
