"""Estimators against Stata's own output on textbook data.

The reference numbers are Stata's, as printed in statsmodels' test suite
(``statsmodels/discrete/tests/results/results_count_robust_cluster.py``,
``results_discrete.py`` and ``regression/tests/results/results_grunfeld_ols_robust_cluster.py``);
only the numbers are used. The data are those shipped with statsmodels: the
ships accident counts of McCullagh and Nelder (34 ship-type x period cells with
service months), Spector and Mazzeo's PSI teaching experiment (32 students) and
Grunfeld's investment panel (first 200 rows, 10 firms).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels

from movers.estimators import nb2
from movers.estimators.margins import mover_effects
from movers.strands.flows import models as flows
from movers.strands.micro import common as micro

SHIPS = Path(statsmodels.__file__).parent / "discrete" / "tests" / "results" / "ships.csv"

# nbreg accident yr_con op_75_79, exposure(service) vce(cluster ship)   [Stata, N = 34, 5 clusters]
NBREG_EXPOSURE_CLUSTER = dict(
    b=[0.28503762550355, 0.17127003537767, -6.5908639033905],
    se=[0.14270989695062, 0.17997186802799, 0.62542746996715],
    lnalpha=(-1.4034722260565, 0.86579403765571),
    alpha=0.24574220834903,
    ll=-82.49115612464289,
    cov=[
        [0.02036611468766, -0.00330004038514, -0.08114367170947],
        [-0.00330004038514, 0.03238987328148, -0.03020509748676],
        [-0.08114367170947, -0.03020509748676, 0.39115952018952],
    ],
)
# nbreg accident yr_con op_75_79, vce(robust)   [Stata, N = 34]
NBREG_ROBUST = dict(
    b=[-0.03536709401845, 0.23211570238882, 2.2952623989519],
    se=[0.26106873337039, 0.56245325203342, 0.76040210713867],
    lnalpha=(0.84599628895555, 0.24005700345444),
    alpha=2.3302983089051,
    ll=-109.0877965183258,
)
# nbreg accident yr_con op_75_79, vce(cluster ship)
NBREG_CLUSTER_SE = [0.27216090050938, 0.09972456245386, 1.2335785495143]
# regress invest mvalue kstock, vce(cluster company)   [Stata, N = 200, 10 clusters]
REGRESS_CLUSTER = dict(
    b=[0.11556215606596, 0.23067848754982, -42.714369016733], se=[0.01589433647768, 0.08496711097464, 20.425202580078]
)
# logit grade gpa tuce i.psi ; margins, dydx(*)   [Stata 11, Spector data]
LOGIT = dict(b=[2.82611297201, 0.0951576702557, 2.37868772835, -13.0213483201], psi_dydx=0.35751515254729, psi_dydx_se=0.1420034)
# probit grade gpa tuce psi   [Stata 11]
PROBIT = dict(
    b=[1.62581025407, 0.051728948442, 1.42633236818, -7.45232041607],
    se=[0.693882522754, 0.083890261293, 0.595037920474, 2.54247249731],
    ll=-12.8188033249334,
)


@pytest.fixture(scope="module")
def ships():
    return pd.read_csv(SHIPS).dropna().reset_index(drop=True)


def _check(fit, ref, rtol=1e-6):
    np.testing.assert_allclose(fit.params, ref["b"], rtol=rtol, atol=1e-7)
    np.testing.assert_allclose(fit.se, ref["se"], rtol=rtol)
    assert fit.alpha == pytest.approx(ref["alpha"], rel=rtol)
    assert fit.loglik == pytest.approx(ref["ll"], rel=1e-9)
    # alpha's delta-method SE = alpha x SE(log alpha)
    assert fit.alpha_se == pytest.approx(ref["alpha"] * ref["lnalpha"][1], rel=rtol)


@pytest.mark.parametrize("const_at", [0, 1, 2])
def test_nbreg_with_exposure_and_clusters_wherever_the_constant_is(ships, const_at):
    """The 34-row textbook example: the fit matches Stata to 1e-6 with the constant first, in the middle or last."""
    cols = [ships["yr_con"].to_numpy(float), ships["op_75_79"].to_numpy(float)]
    cols.insert(const_at, np.ones(len(ships)))
    order = [0, 1]
    order.insert(const_at, 2)  # where each reference coefficient sits in our column order
    fit = nb2.fit_nb2(np.column_stack(cols), ships["accident"], np.log(ships["service"]), groups=ships["ship"].to_numpy())
    ref = dict(NBREG_EXPOSURE_CLUSTER)
    ref = dict(ref, b=np.array(ref["b"])[order], se=np.array(ref["se"])[order])
    _check(fit, ref)
    cov = np.array(NBREG_EXPOSURE_CLUSTER["cov"])[np.ix_(order, order)]
    np.testing.assert_allclose(fit.cov, cov, rtol=1e-5)
    assert fit.iterations <= 10 and fit.scaling == "G/(G-1)"


def test_nbreg_robust_is_scaled_n_over_n_minus_1(ships):
    """vce(robust): N/(N-1). The old n/(n-k) scaling would be 4.9 % too large here (sqrt(33/30))."""
    X = np.column_stack([ships["yr_con"], ships["op_75_79"], np.ones(len(ships))]).astype(float)
    fit = flows.fit_nb2(X, ships["accident"].to_numpy(float))
    _check(fit, NBREG_ROBUST)
    assert fit.scaling == "N/(N-1)"
    clu = nb2.fit_nb2(X, ships["accident"].to_numpy(float), groups=ships["ship"].to_numpy())
    np.testing.assert_allclose(clu.se, NBREG_CLUSTER_SE, rtol=1e-6)


def test_wrong_scalings_would_be_caught(ships):
    """The reference numbers tell the scalings apart: n/(n-k) and no scaling both miss Stata by more than the tolerance."""
    X = np.column_stack([ships["yr_con"], ships["op_75_79"], np.ones(len(ships))]).astype(float)
    fit = nb2.fit_nb2(X, ships["accident"].to_numpy(float))
    n = len(ships)
    for factor in ((n - 1) / (n - 4), (n - 1) / n):
        assert not np.allclose(fit.se * np.sqrt(factor), NBREG_ROBUST["se"], rtol=1e-3)


def test_regress_cluster_matches_stata():
    """micro.fit(kind='ols'): regress, vce(cluster): G/(G-1) (N-1)/(N-K), t with G-1 degrees of freedom."""
    from statsmodels.datasets import grunfeld

    g = grunfeld.load_pandas().data.iloc[:200].copy()
    g = g.rename(columns={"value": "mvalue", "capital": "kstock"})
    g["region_code"] = "x"  # a region column as the BHPS-UKHLS samples have for its region effects
    res = micro.fit(g, "invest ~ mvalue + kstock", "ols", cluster="firm").result
    np.testing.assert_allclose(res.params[["mvalue", "kstock", "Intercept"]], REGRESS_CLUSTER["b"], rtol=1e-8)
    np.testing.assert_allclose(res.bse[["mvalue", "kstock", "Intercept"]], REGRESS_CLUSTER["se"], rtol=1e-7)
    assert res.df_resid_inference == 9


def _spector():
    from statsmodels.datasets import spector

    d = spector.load_pandas().data
    d["region_code"] = "x"
    d["la"] = np.arange(len(d)) // 4  # 8 pseudo-clusters for the clustered probit
    return d


def test_probit_matches_stata_and_cluster_scaling_is_g_over_g_minus_1():
    """probit grade gpa tuce psi (plain SEs, as the LS models); with clusters, micro.fit scales the
    cluster sandwich by G/(G-1) only (Stata's probit, vce(cluster)), not statsmodels' default."""
    import statsmodels.formula.api as smf

    d = _spector()
    plain = smf.probit("GRADE ~ GPA + TUCE + PSI", d).fit(disp=0)
    np.testing.assert_allclose(plain.params[["GPA", "TUCE", "PSI", "Intercept"]], PROBIT["b"], rtol=1e-6)
    np.testing.assert_allclose(plain.bse[["GPA", "TUCE", "PSI", "Intercept"]], PROBIT["se"], rtol=1e-6)
    assert plain.llf == pytest.approx(PROBIT["ll"], rel=1e-7)
    res = micro.fit(d, "GRADE ~ GPA + TUCE + PSI", "probit", cluster="la").result
    # the cluster sandwich by hand: H^-1 (sum over clusters of score sums)^2 H^-1 x G/(G-1)
    S = plain.model.score_obs(plain.params.to_numpy())
    sums = pd.DataFrame(S).groupby(d["la"].to_numpy()).sum().to_numpy()
    Hinv = np.linalg.inv(plain.model.hessian(plain.params.to_numpy()))
    G = 8
    np.testing.assert_allclose(res.cov_params().to_numpy(), Hinv @ sums.T @ sums @ Hinv * G / (G - 1), rtol=1e-8)


def test_logit_margins_for_a_binary_regressor_match_stata():
    """margins, dydx(i.psi) after logit: the average discrete change and its delta-method SE."""
    import statsmodels.formula.api as smf

    d = _spector()
    res = smf.logit("GRADE ~ GPA + TUCE + PSI", d).fit(disp=0)
    np.testing.assert_allclose(res.params[["GPA", "TUCE", "PSI", "Intercept"]], LOGIT["b"], rtol=1e-6)
    eff = mover_effects(res, d, treat="PSI").coefs
    assert eff.loc["All", "estimate"] == pytest.approx(LOGIT["psi_dydx"], rel=1e-6)
    assert eff.loc["All", "se"] == pytest.approx(LOGIT["psi_dydx_se"], rel=1e-5)


# tnbreg docvis aget totchr if docvis > 0   [Stata, OIM; results_truncated_st.py, data of test_gmm_poisson.py]
TNBREG = dict(
    b=[0.01798960271895, 0.23731215078822, 1.4035619564653],
    lnalpha=-0.53039277265033,
    se=[0.01237555909354, 0.01166878414467, 0.0366296524502, 0.04237842368148],
    ll=-9335.541732372312,
    n=3237,
)
RACD = Path(statsmodels.__file__).parent / "sandbox" / "regression" / "tests" / "racd10data_with_transformed.csv"


def test_zero_truncated_nb2_matches_stata_tnbreg():
    """The zero-truncated NB2 against Stata's ``tnbreg`` on the doctor-visits data: coefficients, alpha and
    log-likelihood to 1e-6, and the inverse of our analytic Hessian equals Stata's OIM covariance."""
    d = pd.read_csv(RACD)
    d = d[~((d["private"] == 1) & (d["medicaid"] == 1)) & (d["docvis"] <= 70) & (d["docvis"] > 0)]
    assert len(d) == TNBREG["n"]
    X = np.column_stack([d["aget"], d["totchr"], np.ones(len(d))])
    y = d["docvis"].to_numpy(float)
    fit = nb2.fit_ztnb(X, y, names=["aget", "totchr", "_cons"])
    np.testing.assert_allclose(fit.params, TNBREG["b"], rtol=1e-6)
    assert np.log(fit.alpha) == pytest.approx(TNBREG["lnalpha"], rel=1e-6)
    assert fit.loglik == pytest.approx(TNBREG["ll"], rel=1e-10)
    theta = np.append(fit.params, np.log(fit.alpha))
    oim = np.linalg.inv(-nb2.hessian(theta, X, y, truncated=True))
    np.testing.assert_allclose(np.sqrt(np.diag(oim)), TNBREG["se"], rtol=1e-5)
    # the untruncated likelihood at the same point is not Stata's: the check can fail
    assert nb2.loglik(theta, X, y) != pytest.approx(TNBREG["ll"], rel=1e-3)
