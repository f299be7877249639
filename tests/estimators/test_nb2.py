"""The NB2 engine piece by piece: derivatives against finite differences, the line search, the design
checks, convergence from any column order and scaling, and the zero-truncated fit's recovery of a known truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from movers.core.errors import InputError
from movers.estimators import nb2


def _data(n=800, seed=1, alpha=0.7, offset=True):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=n), np.ones(n), rng.binomial(1, 0.3, n), rng.uniform(0, 3, n)])
    off = rng.normal(0, 0.4, n) if offset else None
    beta = np.array([-0.5, 0.3, 0.6, 0.25])
    mu = np.exp(X @ beta + (0 if off is None else off))
    y = rng.poisson(rng.gamma(1 / alpha, alpha * mu)).astype(float)
    return X, y, off, beta


def _fd_gradient(f, theta, h=1e-6):
    g = np.zeros_like(theta)
    for j in range(len(theta)):
        e = np.zeros_like(theta)
        e[j] = h
        g[j] = (f(theta + e) - f(theta - e)) / (2 * h)
    return g


@pytest.mark.parametrize("truncated", [False, True])
def test_loglik_is_the_sum_of_negative_binomial_log_pmfs(truncated):
    X, y, off, beta = _data()
    if truncated:
        keep = y > 0
        X, y, off = X[keep], y[keep], off[keep]
    theta = np.append(beta, np.log(0.7))
    mu = np.exp(X @ beta + off)
    r = 1 / 0.7
    ref = stats.nbinom.logpmf(y, r, r / (r + mu))
    if truncated:
        ref = ref - np.log1p(-stats.nbinom.pmf(0, r, r / (r + mu)))
    assert nb2.loglik(theta, X, y, off, truncated) == pytest.approx(ref.sum(), rel=1e-12)


@pytest.mark.parametrize("truncated", [False, True])
def test_gradient_scores_and_hessian_match_finite_differences(truncated):
    X, y, off, beta = _data(n=400, seed=4)
    if truncated:
        keep = y > 0
        X, y, off = X[keep], y[keep], off[keep]
    theta = np.append(beta + 0.05, np.log(0.5))  # away from the optimum, so nothing vanishes

    def f(t):
        return nb2.loglik(t, X, y, off, truncated)

    g = nb2.gradient(theta, X, y, off, truncated)
    np.testing.assert_allclose(g, _fd_gradient(f, theta), rtol=1e-6, atol=1e-5)
    S = nb2.scores(theta, X, y, off, truncated)
    assert S.shape == (len(y), 5)
    np.testing.assert_allclose(S.sum(axis=0), g, rtol=1e-10, atol=1e-8)
    # per-observation scores: the gradient of one row's likelihood
    row = 7
    fd_row = _fd_gradient(lambda t: nb2.loglik(t, X[row : row + 1], y[row : row + 1], off[row : row + 1], truncated), theta)
    np.testing.assert_allclose(S[row], fd_row, rtol=1e-5, atol=1e-7)
    H = nb2.hessian(theta, X, y, off, truncated)
    fd_H = np.column_stack([_fd_gradient(lambda t, j=j: nb2.gradient(t, X, y, off, truncated)[j], theta) for j in range(5)])
    np.testing.assert_allclose(H, fd_H, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(H, H.T)


def test_expected_information_is_positive_definite_far_from_the_optimum():
    X, y, off, beta = _data()
    theta = np.append(beta + 3, np.log(20.0))
    np.linalg.cholesky(nb2.expected_information(theta, X, off))


def test_line_search_never_lowers_the_objective():
    """An uphill step is shortened until it pays; a direction that only goes down leaves theta where it was."""
    f = lambda t: -float(np.sum((t - 1.0) ** 2))  # noqa: E731
    theta = np.zeros(2)
    new, fn, s = nb2.line_search(f, theta, np.array([8.0, 8.0]), f(theta), slope=2 * 16.0)
    assert 0 < s < 1 and fn > f(theta)
    same, fs, s0 = nb2.line_search(f, theta, np.array([-1.0, -1.0]), f(theta), slope=4.0)
    assert s0 == 0 and fs == f(theta) and np.array_equal(same, theta)


def test_sandwich_scalings():
    """vce(robust): N/(N-1); vce(cluster): G/(G-1); one cluster per observation reproduces the robust one."""
    rng = np.random.default_rng(0)
    S = rng.normal(size=(50, 3))
    H = -(S.T @ S) - 5 * np.eye(3)
    Hinv = np.linalg.inv(H)
    rob, lab = nb2.sandwich(H, S)
    np.testing.assert_allclose(rob, Hinv @ S.T @ S @ Hinv * 50 / 49)
    assert lab == "N/(N-1)"
    own, _ = nb2.sandwich(H, S, groups=np.arange(50))
    np.testing.assert_allclose(own, rob)
    g = np.repeat(np.arange(10), 5)
    sums = np.vstack([S[g == i].sum(axis=0) for i in range(10)])
    clu, lab = nb2.sandwich(H, S, groups=g)
    np.testing.assert_allclose(clu, Hinv @ sums.T @ sums @ Hinv * 10 / 9)
    assert lab == "G/(G-1)"
    with pytest.raises(InputError, match="two clusters"):
        nb2.sandwich(H, S, groups=np.zeros(50))


def test_converges_from_any_column_order_and_scaling():
    """Permuting the columns and multiplying them by 1e-3..1e4 permutes and rescales the estimates, nothing else."""
    X, y, off, _ = _data(n=1500, seed=7)
    ref = nb2.fit_nb2(X, y, off)
    perm = [3, 2, 0, 1]
    scale = np.array([1e4, 1e-3, 250.0, 1.0])
    Xp = X[:, perm] * scale
    fit = nb2.fit_nb2(Xp, y, off)
    np.testing.assert_allclose(fit.params * scale, ref.params[perm], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(fit.se * scale, ref.se[perm], rtol=1e-6)
    assert fit.alpha == pytest.approx(ref.alpha, rel=1e-7)
    assert fit.loglik == pytest.approx(ref.loglik, rel=1e-12)
    # no offset, and no intercept at all
    nb2.fit_nb2(Xp, y)
    assert nb2.fit_nb2(X[:, [0, 2, 3]], y, off).converged


def test_far_start_still_converges():
    """A large offset shift (rates per 1e6 exposure) is absorbed by the least-squares start."""
    X, y, off, _ = _data(n=1000, seed=2)
    a = nb2.fit_nb2(X, y, off)
    b = nb2.fit_nb2(X, y, off + np.log(1e6))
    np.testing.assert_allclose(b.params[[0, 2, 3]], a.params[[0, 2, 3]], rtol=1e-6)
    assert b.params[1] == pytest.approx(a.params[1] - np.log(1e6), rel=1e-7)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda X: np.column_stack([X, 2 * np.ones(len(X))]), "more than one constant column: const, extra"),
        (lambda X: np.column_stack([X, X[:, 3]]), "duplicate .*uniform and extra"),
        (lambda X: np.column_stack([X, 0.5 * X[:, 0] - 2 * X[:, 3]]), "collinear columns: normal, uniform, extra"),
        (lambda X: np.column_stack([X, np.zeros(len(X))]), "extra are all zero"),
        (lambda X: np.column_stack([X, 1 - X[:, 2]]), "collinear columns: const, dummy, extra"),
    ],
)
def test_rank_deficient_designs_are_named(edit, message):
    X, y, off, _ = _data(n=300)
    bad = edit(X)
    with pytest.raises(InputError, match=message):
        nb2.fit_nb2(bad, y, off, names=["normal", "const", "dummy", "uniform", "extra"])


def test_bad_outcome_and_offset():
    X, y, off, _ = _data(n=100)
    with pytest.raises(InputError, match="non-negative"):
        nb2.fit_nb2(X, -y, off)
    with pytest.raises(InputError, match="offset"):
        nb2.fit_nb2(X, y, np.full(len(y), np.nan))
    with pytest.raises(InputError, match="positive counts"):
        nb2.fit_ztnb(X, y, off)


def test_zero_truncated_fit_recovers_truth_where_the_naive_fit_does_not():
    """Zeros dropped from a known NB2 world: the truncated fit finds the truth within 3 SE, the naive NB2 of the
    same rows does not, and a perturbed truth is rejected (so the check can fail)."""
    rng = np.random.default_rng(11)
    n, alpha = 20_000, 1.2
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.binomial(1, 0.4, n)])
    beta = np.array([-0.2, 0.8, -0.6])
    mu = np.exp(X @ beta)
    y = rng.poisson(rng.gamma(1 / alpha, alpha * mu)).astype(float)
    keep = y > 0
    zt = nb2.fit_ztnb(X[keep], y[keep])
    naive = nb2.fit_nb2(X[keep], y[keep])
    z_zt = (zt.params - beta) / zt.se
    z_naive = (naive.params - beta) / naive.se
    assert np.abs(z_zt).max() < 3, z_zt
    assert abs(np.log(zt.alpha / alpha)) < 3 * zt.alpha_se / zt.alpha
    assert np.abs(z_naive).max() > 3, z_naive
    wrong = beta + np.array([0.0, 0.1, 0.0])
    assert np.abs((zt.params - wrong) / zt.se).max() > 3


def test_lgamma_ratio_is_accurate_where_the_plain_difference_cancels():
    """log Gamma(v + r) - log Gamma(r) against the exact sum of log(r + j), j < v, for r up to 1e12; the plain
    difference of log Gammas is off by far more at r = 1e12 (so this test can fail)."""
    import math

    from scipy import special

    v = np.array([1.0, 2.0, 7.0, 40.0, 300.0])
    for r in (0.3, 50.0, 2e5, 1e8, 1e12):
        exact = np.array([math.fsum(math.log(r + j) for j in range(int(k))) for k in v])
        np.testing.assert_allclose(nb2.lgamma_ratio(v, r), exact, rtol=1e-12)
    plain = special.gammaln(v + 1e12) - special.gammaln(1e12)
    exact = np.array([math.fsum(math.log(1e12 + j) for j in range(int(k))) for k in v])
    assert np.abs(plain - exact).max() > 1e-3


def test_loglik_tends_to_poisson_as_alpha_vanishes_and_is_minus_inf_where_clipped():
    """With alpha = 1e-14 the NB2 (and truncated NB2) log-likelihood is the Poisson one; a point whose linear
    predictor passes CLIP has no likelihood (-inf), so a line search never takes it."""
    X, y, off, beta = _data()
    theta = np.append(beta, np.log(1e-14))
    mu = np.exp(X @ beta + off)
    pois = stats.poisson.logpmf(y, mu)
    assert nb2.loglik(theta, X, y, off) == pytest.approx(pois.sum(), rel=1e-9)
    keep = y > 0
    zt = pois[keep] - np.log(-np.expm1(-mu[keep]))
    assert nb2.loglik(theta, X[keep], y[keep], off[keep], truncated=True) == pytest.approx(zt.sum(), rel=1e-9)
    far = np.append(beta * 0 + [0, nb2.CLIP + 1, 0, 0], 0.0)
    assert nb2.loglik(far, X, y, off) == -np.inf


# ---------------------------------------------------------------- clustered covariances, PPML with fixed effects


def _gravity(seed=0, no=30, nd=25, shape=2.0):
    """A small origin x destination design (no self-pairs) with origin and destination effects."""
    rng = np.random.default_rng(seed)
    o, d = np.repeat(np.arange(no), nd), np.tile(np.arange(nd), no)
    o, d = o[o != d], d[o != d]
    n = len(o)
    X = np.column_stack([rng.normal(size=n), rng.binomial(1, 0.2, n).astype(float)])
    mu = np.exp(0.5 + rng.normal(size=no)[o] + rng.normal(size=nd)[d] + X @ [0.3, -0.7])
    y = rng.poisson(rng.gamma(shape, mu / shape)).astype(float)
    return X, y, o, d


def test_two_way_clustering_is_origin_plus_destination_minus_pairs():
    """Cameron-Gelbach-Miller: V(o, d) = V_o + V_d - V_od, each with its own G/(G-1); one way is fit_nb2's own."""
    X, y, o, d = _gravity()
    X = np.column_stack([np.ones(len(y)), X])
    fit = nb2.fit_nb2(X, y)
    one = nb2.covariance(fit, X, y, groups=o)
    np.testing.assert_allclose(one, nb2.fit_nb2(X, y, groups=o).cov, rtol=1e-6)
    np.testing.assert_allclose(nb2.covariance(fit, X, y), fit.cov, rtol=1e-8)
    S = nb2.scores(np.append(fit.params, np.log(fit.alpha)), X, y)
    H = nb2.hessian(np.append(fit.params, np.log(fit.alpha)), X, y)
    pair = o * 100 + d
    expected = nb2.sandwich(H, S, o)[0] + nb2.sandwich(H, S, d)[0] - nb2.sandwich(H, S, pair)[0]
    np.testing.assert_allclose(nb2.covariance(fit, X, y, groups=(o, d)), expected[:3, :3], rtol=1e-10)


def test_poisson_fixed_effects_match_the_dummy_regression():
    """Absorbing origin and destination effects gives the coefficients of a Poisson GLM with every dummy,
    and drops the observations of a group with no positive count (whose effect is minus infinity)."""
    sm = pytest.importorskip("statsmodels.api")
    X, y, o, d = _gravity()
    y[o == 3] = 0.0  # origin 3 sends nobody
    fit = nb2.fit_poisson(X, y, names=["x1", "x2"], fe=(o, d))
    keep = np.bincount(o, weights=y)[o] > 0  # origin 3, and any other origin that sends nobody
    keep &= np.bincount(d[keep], weights=y[keep], minlength=25)[d] > 0  # and any destination then left with nobody
    D = np.column_stack(
        [
            np.ones(keep.sum()),
            X[keep],
            (o[keep, None] == np.arange(1, 30)).astype(float),
            (d[keep, None] == np.arange(1, 25)).astype(float),
        ]
    )
    D = D[:, D.any(axis=0)]
    ref = sm.GLM(y[keep], D, family=sm.families.Poisson()).fit(tol=1e-13)
    np.testing.assert_allclose(fit.params, ref.params[1:3], rtol=1e-8)
    assert fit.dropped == int((~keep).sum()) and fit.nobs == int(keep.sum()) and fit.alpha == 0.0


def test_poisson_without_fixed_effects_is_the_glm_with_robust_errors():
    sm = pytest.importorskip("statsmodels.api")
    X, y, o, d = _gravity(seed=3)
    X = np.column_stack([np.ones(len(y)), X])
    fit = nb2.fit_poisson(X, y, offset=np.full(len(y), 0.2))
    ref = sm.GLM(y, X, family=sm.families.Poisson(), offset=np.full(len(y), 0.2)).fit(cov_type="HC0", tol=1e-13)
    np.testing.assert_allclose(fit.params, ref.params, rtol=1e-9)
    n = len(y)
    np.testing.assert_allclose(fit.se, ref.bse * np.sqrt(n / (n - 1)), rtol=1e-7)


def test_poisson_names_the_columns_the_fixed_effects_absorb():
    X, y, o, d = _gravity()
    origin_level = np.random.default_rng(1).normal(size=30)[o]  # a sending-side covariate
    with pytest.raises(InputError, match="origin_level are absorbed"):
        nb2.fit_poisson(np.column_stack([X, origin_level]), y, names=["x1", "x2", "origin_level"], fe=(o, d))
    nb2.fit_poisson(np.column_stack([X, origin_level]), y, names=["x1", "x2", "origin_level"], fe=(d,))


@pytest.mark.slow  # importing pyfixest takes seconds
def test_poisson_fixed_effects_agree_with_pyfixest_fepois():
    """The project's PPML against pyfixest's ``fepois``: coefficients and two-way clustered SEs (each term
    with its own G/(G-1), no (N-1)/(N-K) factor) on a small gravity design."""
    pf = pytest.importorskip("pyfixest")
    X, y, o, d = _gravity(seed=5)
    fit = nb2.fit_poisson(X, y, names=["x1", "x2"], fe=(o, d), groups=(o, d))
    df = pd.DataFrame({"y": y, "x1": X[:, 0], "x2": X[:, 1], "o": o, "d": d})
    ref = pf.fepois(
        "y ~ x1 + x2 | o + d", data=df, vcov={"CRV1": "o+d"}, ssc=pf.ssc(k_adj=False, G_adj=True, G_df="conventional")
    )
    np.testing.assert_allclose(fit.params, ref.coef().to_numpy(), rtol=1e-7)
    np.testing.assert_allclose(fit.se, ref.se().to_numpy(), rtol=1e-4)


def test_nb2_returns_the_poisson_limit_when_the_counts_are_underdispersed():
    """Moves per 1,000 residents (fractions far below one) have variance below the mean: NB2's maximum is
    alpha = 0, where Newton in log alpha never converged (it raised). The fit is now Poisson's, alpha 0."""
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(2)
    n = 3000
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.binomial(1, 0.4, n)])
    pop = rng.uniform(5e4, 5e5, n)
    y = 1000 * rng.poisson(np.exp(X @ [-8.5, 0.3, 0.5]) * pop) / pop
    fit = nb2.fit_nb2(X, y)
    assert fit.alpha == 0.0
    ref = sm.GLM(y, X, family=sm.families.Poisson()).fit(tol=1e-13)
    np.testing.assert_allclose(fit.params, ref.params, rtol=1e-8)
    assert nb2.poisson_limit(*_data()[:2]) is None  # overdispersed counts: NB2 proper
