"""The negative-binomial (NB2) engine of the flows chapters, in mathematical pieces.

NB2 has mean mu = exp(x'b + offset) and variance mu + alpha mu^2. The fit works
in theta = (b, log alpha) and is built from pieces that each have a test:

* ``loglik``: the log-likelihood;
* ``gradient`` / ``scores``: its gradient and the per-observation scores;
* ``hessian``: the analytic Hessian (``expected_information`` is the always
  positive-definite Fisher information of b, used when the Hessian is not
  negative definite far from the optimum);
* ``line_search``: backtracking that never returns a point with a lower
  likelihood (a failed search leaves theta where it was);
* ``sandwich``: the robust (or cluster-robust) covariance with Stata's scaling.

``fit_nb2`` fits the ordinary NB2; ``fit_ztnb`` the zero-truncated NB2 (the
standard estimator when, as in the ONS files, only non-zero counts are seen:
the likelihood of y given y > 0 is NB2's divided by 1 - P(y = 0)).

``covariance`` recomputes a fit's sandwich clustered one way or several (Cameron, Gelbach and Miller's
inclusion-exclusion, ``clustered_sandwich``); ``fit_poisson`` is PPML with absorbed fixed effects
(alternating projections, ``demean``), and the fit NB2 returns at its Poisson limit (``poisson_limit``).

Nothing assumes where the intercept is or how columns are scaled: start
values come from a least-squares fit of log(y + 1/2) - offset on X, Newton
steps are invariant to a rescaling of the columns, and convergence is judged
by the Newton decrement (the step's length in standard-error units). A design
with a second constant column, duplicate columns or an exact linear
dependence stops with an ``InputError`` naming the columns.

Speed: counts take few distinct values, so gammaln, digamma and trigamma are
evaluated on the distinct values of y only (``Counts``) and summed with their
multiplicities; per-observation values are gathered only for the scores.

Standard errors, as Stata computes them (the one place they are documented;
N observations, G clusters, K regressors; ``movers.strands.micro.common.fit`` follows the same table
for both microdata strands):

================================================  ==================================  =======================================
model (project function)                          Stata command                       scaling of the sandwich
================================================  ==================================  =======================================
NB2 flows, ``fit_nb2`` / ``fit_ztnb``             ``nbreg ..., vce(robust)``          N / (N - 1)
NB2 clustered, ``fit_nb2(groups=...)``            ``nbreg ..., vce(cluster g)``       G / (G - 1)
two-way clustered, ``covariance(groups=(o, d))``  ``vcemway`` / pyfixest ``CRV1``     G_o/(G_o-1), G_d/(G_d-1), G_od/(G_od-1)
PPML with effects, ``fit_poisson(fe=...)``        ``ppmlhdfe`` / pyfixest ``fepois``  as above (robust: N / (N - 1))
probit, BHPS-UKHLS (``micro.fit``)                ``probit ..., vce(cluster la)``     G / (G - 1)
OLS income, BHPS-UKHLS (``micro.fit``)            ``regress ..., vce(cluster la)``    G/(G-1) * (N-1)/(N-K)
probit, ONS LS (``micro.fit``)                    ``probit ...`` (plain, OIM)         none: inverse information
================================================  ==================================  =======================================

Stata treats ``vce(robust)`` of a maximum-likelihood estimator as clustering
with one observation per cluster, hence N/(N-1); only ``regress`` adds the
small-sample factor (N-1)/(N-K). The sandwich covers every parameter
including log alpha, and its coefficient block does not depend on how alpha
is parameterised. Reference numbers: Stata's output for the ships data
(McCullagh and Nelder) and Grunfeld, as shipped in statsmodels' test suite
(``tests/estimators/test_stata_reference.py``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy import special

from movers.core.errors import InputError

SUBSAMPLE = 100_000
CLIP = 50.0  # linear predictors are clipped to +-CLIP so exp() stays finite on wild trial steps
ALPHA_FLOOR = 0.05  # the smallest start value of alpha (a moment estimate at or below it hints at the Poisson limit)
STIRLING_FROM = 1e5  # above this 1/alpha, log Gamma differences use Stirling's series (no cancellation)


@dataclass
class NBFit:
    """A fitted NB2 (or zero-truncated NB2) model: estimates, robust covariance, alpha, log-likelihood."""

    names: list[str]
    params: np.ndarray
    cov: np.ndarray
    alpha: float
    loglik: float
    nobs: int
    iterations: int
    converged: bool
    seconds: float
    alpha_se: float = float("nan")
    scaling: str = "N/(N-1)"
    dropped: int = 0  # observations left out before the fit (``fit_poisson``: fixed-effect groups with no positive count)

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))


class Counts:
    """The distinct values of y with their multiplicities, so special functions are evaluated once per value."""

    def __init__(self, y: np.ndarray):
        self.y = y
        self.values, self.inverse, self.counts = np.unique(y, return_inverse=True, return_counts=True)
        self.inverse = self.inverse.ravel()
        self.n = len(y)
        self.lgamma_y1 = float(self.counts @ special.gammaln(self.values + 1))

    def sum_of(self, fn, r: float) -> float:
        """sum_i fn(y_i + r)."""
        return float(self.counts @ fn(self.values + r))

    def each(self, fn, r: float) -> np.ndarray:
        """fn(y_i + r) for every observation (gathered from the distinct values)."""
        return fn(self.values + r)[self.inverse]


def _trigamma(x):
    return special.polygamma(1, x)


def lgamma_ratio(v: np.ndarray, r: float) -> np.ndarray:
    """log Gamma(v + r) - log Gamma(r), accurate for any r > 0.

    Why not the plain difference: as alpha -> 0, r = 1/alpha grows and the two
    log Gammas (about r log r) cancel to nothing, so the likelihood becomes
    noise a line search can be fooled by. For large r the difference comes
    from Stirling's series, whose terms stay of the size of the result.
    """
    v = np.asarray(v, dtype=float)
    if r < STIRLING_FROM:
        return special.gammaln(v + r) - special.gammaln(r)
    return (r + v - 0.5) * np.log1p(v / r) + v * np.log(r) - v + (1.0 / (r + v) - 1.0 / r) / 12.0


# ---------------------------------------------------------------- the pieces


@dataclass
class _Point:
    """Quantities at theta shared by the likelihood and its derivatives."""

    eta: np.ndarray
    mu: np.ndarray
    den: np.ndarray  # 1 + alpha mu
    l1p: np.ndarray  # log(1 + alpha mu)
    a: float
    clipped: bool = False  # some linear predictor was beyond +-CLIP: the likelihood there is not computed


def _point(theta, X, offset) -> _Point:
    k = X.shape[1]
    eta = X @ theta[:k]
    if offset is not None:
        eta += offset
    clipped = bool(np.any(np.abs(eta) > CLIP))
    if clipped:
        np.clip(eta, -CLIP, CLIP, out=eta)
    a = float(np.exp(theta[k]))
    mu = np.exp(eta)
    am = a * mu
    return _Point(eta, mu, 1.0 + am, np.log1p(am), a, clipped)


def _nb2_loglik(p: _Point, c: Counts, la: float) -> float:
    r = 1.0 / p.a
    y = c.y
    return (
        float(c.counts @ lgamma_ratio(c.values, r))
        - c.lgamma_y1
        + float(y @ p.eta)
        + la * float(y.sum())
        - float((y + r) @ p.l1p)
    )


def _log_p0(p: _Point) -> np.ndarray:
    """log P(y = 0) = -log(1 + alpha mu) / alpha."""
    return -p.l1p / p.a


def loglik(theta, X, y, offset=None, truncated: bool = False, counts: Counts | None = None) -> float:
    """NB2 log-likelihood at theta = (b, log alpha); ``truncated`` conditions on y > 0 (subtracts log(1 - P(y=0))).

    -inf where a linear predictor exceeds +-CLIP (exp() would overflow) or alpha is not a positive finite
    number: such a point is never taken by the fit.
    """
    c = counts or Counts(np.asarray(y, dtype=float))
    return _loglik_at(_point(np.asarray(theta, dtype=float), X, offset), c, float(theta[-1]), truncated)


def _loglik_at(p: _Point, c: Counts, la: float, truncated: bool) -> float:
    if p.clipped or not 0.0 < p.a < np.inf:
        return -np.inf
    ll = _nb2_loglik(p, c, la)
    if truncated:
        ll -= float(np.log(-np.expm1(_log_p0(p))).sum())
    return ll


def _derivatives(theta, X, p: _Point, c: Counts, truncated: bool, per_obs: bool = False):
    """Per-observation derivatives of the log-likelihood with respect to eta = x'b and la = log alpha.

    Returns (g_eta, g_la, h_ee, h_el, h_ll): g_eta, h_ee and h_el per observation;
    g_la and h_ll summed unless ``per_obs`` (then g_la per observation, h_ll None).
    """
    y, a, mu, den, l1p = c.y, p.a, p.mu, p.den, p.l1p
    r = 1.0 / a
    resid = y - mu
    g_eta = resid / den
    h_ee = -mu * (1.0 + a * y) / den**2
    h_el = -a * mu * resid / den**2
    # d ll / d alpha (per observation): (psi(r) - psi(y + r) + log(1 + a mu)) / a^2 + (y - mu) / (a den)
    tail = l1p / a**2 + resid / (a * den)
    if per_obs:
        g_la = a * (special.digamma(r) / a**2 - c.each(special.digamma, r) / a**2 + tail)
        h_ll = None
    else:
        dg_sum = c.n * special.digamma(r) - c.sum_of(special.digamma, r) + float(l1p.sum())
        sa = dg_sum / a**2 + float((resid / (a * den)).sum())
        tg_sum = -c.n * _trigamma(r) + c.sum_of(_trigamma, r)
        haa = (
            -2 * dg_sum / a**3
            + (tg_sum / a**2 + float((mu / den).sum())) / a**2
            - float((resid * (1 + 2 * a * mu) / (a * den) ** 2).sum())
        )
        g_la = a * sa
        h_ll = a * a * haa + a * sa
    if truncated:
        lp0 = _log_p0(p)
        q = np.exp(lp0) / -np.expm1(lp0)  # P0 / (1 - P0)
        d_e = -mu / den  # d log P0 / d eta
        d_l = l1p / a - mu / den  # d log P0 / d la
        g_eta = g_eta + q * d_e
        w = q * (1.0 + q)
        h_ee = h_ee + w * d_e**2 - q * mu / den**2
        h_el = h_el + w * d_e * d_l + q * a * mu**2 / den**2
        if per_obs:
            g_la = g_la + q * d_l
        else:
            g_la += float((q * d_l).sum())
            h_ll += float((w * d_l**2 + q * (-l1p / a + mu / den + a * mu**2 / den**2)).sum())
    return g_eta, g_la, h_ee, h_el, h_ll


CHUNK = 8192  # rows per block of an X'WX pass: a block of the weighted design stays in cache


def _xtwx(X, w) -> np.ndarray:
    """X' diag(w) X: one weighted pass over the design (the unit the benchmarks count in), in row blocks
    (about 30% faster than weighting the whole design at once, and no copy of it)."""
    n, k = X.shape
    out = np.zeros((k, k))
    if np.all(w >= 0):
        sw = np.sqrt(w)
        buf = np.empty((min(CHUNK, n), k))
        for i in range(0, n, CHUNK):
            xb = X[i : i + CHUNK]
            b = buf[: len(xb)]
            np.multiply(xb, sw[i : i + CHUNK, None], out=b)
            out += b.T @ b
        return out
    for i in range(0, n, CHUNK):
        xb = X[i : i + CHUNK]
        out += (xb.T * w[i : i + CHUNK]) @ xb
    return out


def gradient(theta, X, y, offset=None, truncated: bool = False, counts: Counts | None = None) -> np.ndarray:
    """Gradient of ``loglik`` with respect to (b, log alpha)."""
    c = counts or Counts(np.asarray(y, dtype=float))
    p = _point(np.asarray(theta, dtype=float), X, offset)
    g_eta, g_la, *_ = _derivatives(theta, X, p, c, truncated)
    return np.append(X.T @ g_eta, g_la)


def scores(theta, X, y, offset=None, truncated: bool = False, counts: Counts | None = None) -> np.ndarray:
    """Per-observation scores (n x (k+1)); their column sums are the gradient."""
    c = counts or Counts(np.asarray(y, dtype=float))
    p = _point(np.asarray(theta, dtype=float), X, offset)
    g_eta, g_la, *_ = _derivatives(theta, X, p, c, truncated, per_obs=True)
    return np.column_stack([X * g_eta[:, None], g_la])


def _assemble(X, g_eta, g_la, h_ee, h_el, h_ll):
    k = X.shape[1]
    both = X.T @ np.column_stack([g_eta, h_el])  # one pass over X for the two products
    grad = np.append(both[:, 0], g_la)
    H = np.empty((k + 1, k + 1))
    H[:k, :k] = -_xtwx(X, -h_ee)
    H[:k, k] = H[k, :k] = both[:, 1]
    H[k, k] = h_ll
    return grad, H


def hessian(theta, X, y, offset=None, truncated: bool = False, counts: Counts | None = None) -> np.ndarray:
    """Analytic Hessian of ``loglik`` with respect to (b, log alpha)."""
    c = counts or Counts(np.asarray(y, dtype=float))
    p = _point(np.asarray(theta, dtype=float), X, offset)
    return _assemble(X, *_derivatives(theta, X, p, c, truncated))[1]


def expected_information(theta, X, offset=None) -> np.ndarray:
    """Fisher information of b at fixed alpha, X' diag(mu / (1 + alpha mu)) X: positive definite for any theta."""
    p = _point(np.asarray(theta, dtype=float), X, offset)
    return _xtwx(X, p.mu / p.den)


def line_search(
    f,
    theta: np.ndarray,
    step: np.ndarray,
    f0: float,
    slope: float,
    shrink: float = 0.5,
    min_scale: float = 1e-10,
    armijo: float = 1e-4,
):
    """Backtrack along ``step`` until f rises by at least ``armijo`` x the predicted gain (Armijo's rule).

    Returns (theta, f, scale). When no trial point qualifies, returns the
    starting point and ``f0`` with scale 0: a failed search never lowers the
    likelihood because it never moves.
    """
    s = 1.0
    while s >= min_scale:
        cand = theta + s * step
        fc = f(cand)
        if np.isfinite(fc) and fc >= f0 + armijo * s * slope:
            return cand, fc, s
        s *= shrink
    return theta, f0, 0.0


def sandwich(H: np.ndarray, S: np.ndarray, groups: np.ndarray | None = None) -> tuple[np.ndarray, str]:
    """Robust covariance H^-1 B H^-1 as Stata's ``vce(robust)`` (B = S'S, x N/(N-1)) or
    ``vce(cluster g)`` (B = sums of scores within clusters, x G/(G-1)). Returns (covariance, scaling)."""
    n = S.shape[0]
    if groups is None:
        B, factor, label = S.T @ S, n / (n - 1), "N/(N-1)"
    else:
        codes, idx = np.unique(np.asarray(groups), return_inverse=True)
        g = len(codes)
        if g < 2:
            raise InputError("parameter 'groups'", "clustered standard errors need at least two clusters")
        sums = np.zeros((g, S.shape[1]))
        np.add.at(sums, idx.ravel(), S)
        B, factor, label = sums.T @ sums, g / (g - 1), "G/(G-1)"
    Hinv = np.linalg.inv(H)
    return Hinv @ B @ Hinv * factor, label


# ---------------------------------------------------------------- design checks and start values


def check_design(
    X: np.ndarray, names: Sequence[str], gram: np.ndarray | None = None, source: str = "regression design"
) -> np.ndarray:
    """Stop with an ``InputError`` naming the columns when the design is not of full rank; returns X'X.

    Catches an all-zero column, more than one constant column (two intercepts),
    duplicate (or proportional) columns, and any other exact linear dependence
    (e.g. a full set of dummies beside the constant), found from the smallest
    eigenvalues of the unit-diagonal Gram matrix.
    """
    names = list(names)
    n, k = X.shape
    if not np.all(np.isfinite(X)):
        bad = [names[j] for j in range(k) if not np.all(np.isfinite(X[:, j]))]
        raise InputError(source, f"column(s) {', '.join(bad)} hold missing or infinite values")
    G = _xtwx(X, np.ones(n)) if gram is None else gram
    d = np.diag(G).copy()
    zero = [names[j] for j in range(k) if d[j] == 0]
    if zero:
        raise InputError(source, f"column(s) {', '.join(zero)} are all zero")
    mean = X.sum(axis=0) / n
    var = d / n - mean**2
    const = [j for j in range(k) if var[j] <= 1e-12 * d[j] / n]
    if len(const) > 1:
        raise InputError(source, f"more than one constant column: {', '.join(names[j] for j in const)} (keep one intercept)")
    s = 1.0 / np.sqrt(d)
    C = G * s[:, None] * s[None, :]
    dup = [(names[i], names[j]) for i in range(k) for j in range(i + 1, k) if abs(C[i, j]) > 1 - 1e-10]
    if dup:
        raise InputError(source, "duplicate (proportional) columns: " + "; ".join(f"{a} and {b}" for a, b in dup))
    w, v = np.linalg.eigh(C)
    if w[0] < 1e-10 * k:
        involved = [names[j] for j in np.nonzero(np.abs(v[:, 0]) > 0.05)[0]]
        raise InputError(source, f"collinear columns: {', '.join(involved)} are linearly dependent")
    return G


def start_values(X: np.ndarray, y: np.ndarray, offset: np.ndarray | None, gram: np.ndarray | None = None) -> np.ndarray:
    """Least squares of log(y + 1/2) - offset on X, and a moment estimate of alpha: no assumption on column order."""
    z = np.log(y + 0.5) - (0.0 if offset is None else offset)
    G = X.T @ X if gram is None else gram
    s = 1.0 / np.sqrt(np.diag(G))
    b = s * np.linalg.solve(G * s[:, None] * s[None, :], s * (X.T @ z))
    eta = np.clip(X @ b + (0.0 if offset is None else offset), -CLIP, CLIP)
    mu = np.exp(eta)
    # E[(y - mu)^2 - y] = alpha mu^2: a regression through the origin, kept in a sane range
    alpha = float(np.sum(((y - mu) ** 2 - y) * mu**2) / max(np.sum(mu**4), 1e-300))
    return np.append(b, np.log(np.clip(alpha, ALPHA_FLOOR, 20.0)))


# ---------------------------------------------------------------- the fit


def _newton(theta, X, c: Counts, offset, truncated: bool, tol: float, maxiter: int):
    """Damped Newton on (b, log alpha) with a positive-definite fallback.

    Returns (theta, ll, iterations, converged, H): H is the Hessian at the
    returned theta when the fit stopped where it was computed, else None.
    Each iteration: the Hessian; if it is negative definite, the Newton step
    (converged when its decrement g'(-H)^-1 g, the squared length of the step in
    standard-error units, is below tol^2); otherwise the scoring step (Fisher
    information for b, a safeguarded Newton step for log alpha). A Newton
    step whose line search fails is replaced by the scoring step (whose
    X'WX pass is made only then); when both fail theta stays put and the fit
    stops unconverged.
    """
    k = X.shape[1]
    last = {}

    def f(t):
        # the point of the last evaluation is kept: a successful line search ends on it
        p = _point(np.asarray(t, dtype=float), X, offset)
        last["theta"], last["p"] = t, p
        return _loglik_at(p, c, float(t[-1]), truncated)

    def point(t):
        return last["p"] if last.get("theta") is t else _point(t, X, offset)

    def scoring(p, g, H):
        info = _xtwx(X, p.mu / p.den)
        step_b = np.linalg.lstsq(info, g[:k], rcond=None)[0]
        step_a = -g[k] / H[k, k] if H[k, k] < 0 else np.sign(g[k]) * 0.5
        return np.append(step_b, np.clip(step_a, -1.0, 1.0))

    ll = f(theta)
    for it in range(1, maxiter + 1):
        p = point(theta)
        g, H = _assemble(X, *_derivatives(theta, X, p, c, truncated))
        steps = []
        d = 1.0 / np.sqrt(np.maximum(np.abs(np.diag(H)), 1e-300))
        try:
            L = np.linalg.cholesky(-(H * d[:, None] * d[None, :]))
            step = d * np.linalg.solve(L.T, np.linalg.solve(L, d * g))
            decrement = float(g @ step)
            if decrement < tol**2 and np.isfinite(ll):
                return theta, ll, it, True, H
            noise = 1e-13 * (abs(ll) + 1.0)  # rounding error of a sum of many log-likelihood terms
            if np.isfinite(ll) and decrement < 2 * noise:
                # the predicted gain is below what the sum can resolve: the quadratic model is exact here,
                # so the Newton step is taken unless the likelihood falls by more than its rounding error
                cand = theta + step
                fc = f(cand)
                if np.isfinite(fc) and fc >= ll - noise:
                    return cand, fc, it, True, None
                return theta, ll, it, True, H
            steps.append(step)
        except np.linalg.LinAlgError:
            pass
        steps.append(None)  # the scoring step, computed only if needed
        moved = False
        for step in steps:
            if step is None:
                step = scoring(p, g, H)
            slope = float(g @ step)
            if slope <= 0:
                continue
            theta, ll, s = line_search(f, theta, step, ll, slope)
            if s > 0:
                moved = True
                break
        if not moved:
            return theta, ll, it, False, None
    return theta, ll, maxiter, False, None


def _warm_start(theta, X, c: Counts, offset, truncated: bool) -> np.ndarray:
    """A rough optimum (decrement below 1e-4) to start the final climb from. A zero-truncated fit first climbs
    the untruncated likelihood: the least-squares start of a truncated sample (and its moment alpha) is
    far from the truncated optimum, where the Hessian is indefinite and steps crawl; the naive NB2 fit
    is near and well-behaved (8 + 7 Newton steps instead of 41 on the test world)."""
    if truncated:
        naive = _newton(theta, X, c, offset, False, 1e-2, 50)[0]
        if np.all(np.isfinite(naive)):
            theta = naive
    return _newton(theta, X, c, offset, truncated, 1e-2, 50)[0]


def _arrays(X, y, names, source: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The design as a contiguous float matrix, the outcome as floats, and one name per column (``x0``, ``x1``...
    when none are given); names that do not match the columns are an ``InputError`` naming ``source``."""
    X = np.ascontiguousarray(X, dtype=float)
    names = list(names) if names is not None else [f"x{i}" for i in range(X.shape[1])]
    if len(names) != X.shape[1]:
        raise InputError(source, f"{len(names)} names for {X.shape[1]} columns")
    return X, np.asarray(y, dtype=float), names


def _fit(X, y, offset, names, groups, truncated: bool, tol: float, maxiter: int, source: str) -> NBFit:
    t0 = time.perf_counter()
    X, y, names = _arrays(X, y, names, source)
    n, k = X.shape
    offset = None if offset is None else np.asarray(offset, dtype=float)
    if n <= k + 1:
        raise InputError(source, f"{n} observations for {k + 1} parameters")
    if np.any(y < 0) or not np.all(np.isfinite(y)):
        raise InputError(source, "the outcome must be finite and non-negative")
    if truncated and np.any(y <= 0):
        raise InputError(source, "a zero-truncated fit needs positive counts only")
    if offset is not None and not np.all(np.isfinite(offset)):
        raise InputError(source, "the offset holds missing or infinite values")
    G = check_design(X, names, source=source)
    theta = start_values(X, y, offset, G)
    if not truncated and theta[k] <= np.log(ALPHA_FLOOR):
        # the moment estimate of alpha is at its floor: the maximum may be the Poisson limit, found in one cheap fit
        limit = poisson_limit(X, y, offset, names, groups, source)
        if limit is not None:
            return limit
    c = Counts(y)
    warm = False
    if n > 2 * SUBSAMPLE:
        # the climb from the start runs on a fixed random subsample; its optimum lies within a few
        # standard errors of the full one, so a few full-data Newton steps finish the job
        idx = np.sort(np.random.default_rng(0).choice(n, SUBSAMPLE, replace=False))
        Xs = X[idx]
        if np.all(np.abs(Xs).sum(axis=0) > 0):
            sub = _warm_start(theta, Xs, Counts(y[idx]), None if offset is None else offset[idx], truncated)
            if np.all(np.isfinite(sub)):
                theta, warm = sub, True
    if truncated and not warm:
        theta = _warm_start(theta, X, c, offset, truncated)
    theta, ll, it, converged, H = _newton(theta, X, c, offset, truncated, tol, maxiter)
    if not converged and not truncated:
        limit = poisson_limit(X, y, offset, names, groups, source)
        if limit is not None:
            return limit
    if not converged:
        raise RuntimeError(f"NB2 fit did not converge in {it} Newton steps (n={n}, k={k})")
    p = _point(theta, X, offset)
    if H is None:  # the fit's last step moved theta: the Hessian there is new
        H = _assemble(X, *_derivatives(theta, X, p, c, truncated))[1]
    g_eta, g_la, *_ = _derivatives(theta, X, p, c, truncated, per_obs=True)
    cov, label = _sandwich_parts(H, X, g_eta, g_la, groups)
    a = float(np.exp(theta[k]))
    return NBFit(
        names,
        theta[:k],
        cov[:k, :k],
        a,
        float(ll),
        n,
        it,
        converged,
        time.perf_counter() - t0,
        alpha_se=float(a * np.sqrt(cov[k, k])),
        scaling=label,
    )


def _sandwich_parts(H, X, g_eta, g_la, groups):
    """``sandwich`` without forming the n x (k+1) score matrix when there are no clusters (one weighted pass)."""
    if groups is not None:
        return sandwich(H, np.column_stack([X * g_eta[:, None], g_la]), groups)
    n, k = X.shape
    B = np.empty((k + 1, k + 1))
    B[:k, :k] = _xtwx(X, g_eta**2)
    B[:k, k] = B[k, :k] = X.T @ (g_eta * g_la)
    B[k, k] = float(g_la @ g_la)
    Hinv = np.linalg.inv(H)
    return Hinv @ B @ Hinv * n / (n - 1), "N/(N-1)"


def fit_nb2(
    X,
    y,
    offset=None,
    names: Sequence[str] | None = None,
    tol: float = 1e-8,
    maxiter: int = 100,
    groups=None,
    source: str = "regression design",
) -> NBFit:
    """Maximum-likelihood NB2 (variance mu + alpha mu^2) with Stata's robust covariance.

    ``offset`` is log exposure (Stata's ``exposure()``); ``groups`` gives
    cluster-robust SEs (``vce(cluster g)``), else ``vce(robust)``. Why our own:
    statsmodels' ``NegativeBinomial`` takes minutes on the report's 966,048
    pair-years; this takes seconds. A fit that does not converge raises rather
    than print unreliable estimates.
    """
    return _fit(X, y, offset, names, groups, False, tol, maxiter, source)


def fit_ztnb(
    X,
    y,
    offset=None,
    names: Sequence[str] | None = None,
    tol: float = 1e-8,
    maxiter: int = 100,
    groups=None,
    source: str = "regression design",
) -> NBFit:
    """Zero-truncated NB2 of positive counts: the model of y given y > 0 when zeros are never observed.

    Same parameters as the untruncated NB2 (b and alpha of the full population),
    so its estimates are comparable with a fit of the full matrix; robust SEs as ``fit_nb2``.
    """
    return _fit(X, y, offset, names, groups, True, tol, maxiter, source)


# ---------------------------------------------------------------- clustered covariances at a fit


def _cluster_codes(groups) -> list[np.ndarray]:
    """One-way (an array) or multi-way (a tuple or list of arrays) clusters as lists of integer codes."""
    dims = list(groups) if isinstance(groups, (tuple, list)) else [groups]
    return [np.unique(np.asarray(g), return_inverse=True)[1].ravel() for g in dims]


def _intersection(codes: Sequence[np.ndarray]) -> np.ndarray:
    """Integer codes of the cells where every dimension's code is the same (e.g. origin-destination pairs)."""
    out = np.zeros(len(codes[0]), dtype=np.int64)
    for c in codes:
        out = out * (int(c.max()) + 1) + c
    return np.unique(out, return_inverse=True)[1].ravel()


def clustered_sandwich(H: np.ndarray, S: np.ndarray, groups) -> tuple[np.ndarray, str]:
    """``sandwich`` for one-way clusters (an array) or multi-way clusters (a tuple of arrays).

    Multi-way is Cameron, Gelbach and Miller's (2011) inclusion-exclusion: with two dimensions
    V = V_origin + V_destination - V_(origin x destination), each term clustered by its own cells
    and scaled by its own G/(G-1), as Stata's ``vcemway`` and pyfixest do. The sum need not be
    positive definite; a negative variance is returned as it is (its SE is then missing).
    """
    if groups is None:
        return sandwich(H, S)
    codes = _cluster_codes(groups)
    if len(codes) == 1:
        return sandwich(H, S, codes[0])
    V = np.zeros_like(H)
    for r in range(1, len(codes) + 1):
        for subset in combinations(codes, r):
            V += (-1) ** (r + 1) * sandwich(H, S, _intersection(subset))[0]
    return V, f"{len(codes)}-way, G/(G-1) each"


def covariance(fit: NBFit, X, y, offset=None, groups=None, truncated: bool = False) -> np.ndarray:
    """The covariance of b at a fit's estimates: robust (``groups`` None), clustered by ``groups`` (an
    array) or multi-way clustered (a tuple of arrays, ``clustered_sandwich``).

    Why apart from the fit: one fit gives the report's robust SEs and the clustered ones beside them.
    A fit at the Poisson limit (alpha 0) gets the Poisson sandwich.
    """
    X = np.ascontiguousarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    k = X.shape[1]
    if fit.alpha == 0.0:
        eta = X @ fit.params + (0.0 if offset is None else np.asarray(offset, dtype=float))
        mu = np.exp(eta)
        H, S = -_xtwx(X, mu), X * (y - mu)[:, None]
    else:
        theta = np.append(fit.params, np.log(fit.alpha))
        c = Counts(y)
        p = _point(theta, X, None if offset is None else np.asarray(offset, dtype=float))
        H = _assemble(X, *_derivatives(theta, X, p, c, truncated))[1]
        g_eta, g_la, *_ = _derivatives(theta, X, p, c, truncated, per_obs=True)
        S = np.column_stack([X * g_eta[:, None], g_la])
    return clustered_sandwich(H, S, groups)[0][:k, :k]


# ---------------------------------------------------------------- Poisson (PPML), with fixed effects


def demean(M: np.ndarray, w: np.ndarray, fe: Sequence[np.ndarray], tol: float = 1e-11, maxiter: int = 5000) -> np.ndarray:
    """M minus its w-weighted projection on the dummies of every fixed-effect dimension in ``fe`` (integer codes).

    Alternating projections (the method of ``reghdfe``, ``ppmlhdfe`` and pyfixest): subtract the weighted
    group means of one dimension after another until a sweep changes nothing; one dimension takes one sweep.
    """
    out = np.array(M, dtype=float, copy=True)
    wsum = [np.bincount(c, weights=w) for c in fe]
    for _ in range(maxiter):
        before = out.copy()
        for c, ws in zip(fe, wsum):
            means = np.column_stack([np.bincount(c, weights=w * out[:, j], minlength=len(ws)) for j in range(out.shape[1])])
            out -= (means / ws[:, None])[c]
        if len(fe) == 1 or np.max(np.abs(out - before)) <= tol * (1.0 + np.max(np.abs(out))):
            return out
    raise RuntimeError(f"fixed effects: the alternating projections did not settle in {maxiter} sweeps")


def _positive_groups(y: np.ndarray, fe: Sequence[np.ndarray]) -> np.ndarray:
    """Observations in no fixed-effect group whose counts are all zero (such a group's effect is minus
    infinity and its observations carry no information), repeated until no such group is left."""
    keep = np.ones(len(y), dtype=bool)
    while True:
        bad = np.zeros(len(y), dtype=bool)
        for c in fe:
            tot = np.bincount(c[keep], weights=y[keep], minlength=int(c.max()) + 1)
            bad |= keep & (tot[c] <= 0)
        if not bad.any():
            return keep
        keep &= ~bad


def fit_poisson(
    X,
    y,
    offset=None,
    names: Sequence[str] | None = None,
    fe: Sequence = (),
    groups=None,
    tol: float = 1e-10,
    maxiter: int = 200,
    source: str = "regression design",
) -> NBFit:
    """Poisson pseudo-maximum likelihood (PPML) with any number of absorbed fixed effects.

    ``fe``: one array of group labels per fixed-effect dimension (origin, destination); X then has no
    constant and no column that the effects absorb (such a column stops with an ``InputError`` naming
    it). ``groups``: None (robust, N/(N-1)), one array (clustered) or a tuple (multi-way,
    ``clustered_sandwich``). Observations of a fixed-effect group with no positive count are dropped
    (``dropped``). The fit is iteratively reweighted least squares on the demeaned working response
    (``demean``), stopped when the deviance changes by less than ``tol`` relatively; the returned
    ``NBFit`` has alpha 0. Why: PPML is consistent for any mean exp(x'b) whatever the variance and keeps
    the zero flows, the field's standard gravity estimator (Santos Silva and Tenreyro 2006).
    """
    t0 = time.perf_counter()
    X, y, names = _arrays(X, y, names, source)
    n, k = X.shape
    if np.any(y < 0) or not np.all(np.isfinite(y)):
        raise InputError(source, "the outcome must be finite and non-negative")
    off = np.zeros(n) if offset is None else np.asarray(offset, dtype=float)
    if not np.all(np.isfinite(off)):
        raise InputError(source, "the offset holds missing or infinite values")
    codes = [np.unique(np.asarray(f), return_inverse=True)[1].ravel() for f in fe]
    keep = _positive_groups(y, codes) if codes else np.ones(n, dtype=bool)
    dropped = int(n - keep.sum())
    X, y, off = X[keep], y[keep], off[keep]
    codes = [np.unique(c[keep], return_inverse=True)[1].ravel() for c in codes]
    if groups is not None:
        groups = tuple(np.asarray(g)[keep] for g in groups) if isinstance(groups, (tuple, list)) else np.asarray(groups)[keep]
    n = len(y)
    if n <= k + 1:
        raise InputError(source, f"{n} observations for {k} coefficients")
    if not codes:
        check_design(X, names, source=source)
    mu = (y + y.mean()) / 2.0
    eta = np.log(mu)

    def deviance(m):
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(y > 0, y * np.log(y / m), 0.0)
        return 2.0 * float(np.sum(t - (y - m)))

    dev = np.inf  # the start is no point of the model: the first step is taken whatever its deviance
    converged = False
    for it in range(1, maxiter + 1):
        z = eta - off + (y - mu) / mu
        M = np.column_stack([z, X])
        Mt = demean(M, mu, codes) if codes else M
        zt, Xt = Mt[:, 0], Mt[:, 1:]
        if it == 1 and codes:
            scale = np.sqrt(_xtwx(X, mu).diagonal())
            absorbed = [names[j] for j in range(k) if np.sqrt(mu @ Xt[:, j] ** 2) <= 1e-7 * scale[j]]
            if absorbed:
                raise InputError(source, f"column(s) {', '.join(absorbed)} are absorbed by the fixed effects")
        b = np.linalg.solve(_xtwx(Xt, mu), Xt.T @ (mu * zt))
        target = z - (zt - Xt @ b) + off
        for _ in range(30):  # step halving: the deviance never rises
            mu_new = np.exp(np.clip(target, -CLIP, CLIP))
            dev_new = deviance(mu_new)
            if np.isfinite(dev_new) and dev_new <= dev * (1 + 1e-12) + 1e-12:
                break
            target = (target + eta) / 2.0
        else:
            raise RuntimeError(f"Poisson fit: no step lowers the deviance (n={n}, k={k})")
        change = abs(dev - dev_new) / max(abs(dev_new), 0.1)
        eta, mu, dev = target, mu_new, dev_new
        if change < tol:
            converged = True
            break
    if not converged:
        raise RuntimeError(f"Poisson fit did not converge in {maxiter} iterations (n={n}, k={k})")
    Xt = demean(X, mu, codes) if codes else X
    H, S = -_xtwx(Xt, mu), Xt * (y - mu)[:, None]
    cov, label = clustered_sandwich(H, S, groups)
    ll = float(y @ eta - mu.sum() - special.gammaln(y + 1).sum())
    return NBFit(names, b, cov, 0.0, ll, n, it, True, time.perf_counter() - t0, scaling=label, dropped=dropped)


def poisson_limit(X, y, offset=None, names=None, groups=None, source: str = "regression design") -> NBFit | None:
    """The Poisson fit when it is NB2's maximum, else None.

    NB2's likelihood tends to Poisson's as alpha -> 0, and its slope in alpha at alpha = 0 is
    sum((y - mu)^2 - y) / 2 at the Poisson estimates (the overdispersion score of Cameron and Trivedi).
    When that sum is not positive the likelihood falls as alpha leaves 0: the maximum is on the
    boundary, where Newton's method in log alpha walks to minus infinity and never converges (moves per
    1,000 residents, fractions far below one, are underdispersed). The Poisson fit is then the NB2
    estimate, with alpha 0 and the Poisson sandwich.
    """
    fit = fit_poisson(X, y, offset, names, groups=groups, source=source)
    mu = np.exp(np.asarray(X, dtype=float) @ fit.params + (0.0 if offset is None else np.asarray(offset, dtype=float)))
    y = np.asarray(y, dtype=float)
    return fit if float(np.sum((y - mu) ** 2 - y)) <= 0 else None


__all__ = [
    "NBFit",
    "Counts",
    "loglik",
    "gradient",
    "scores",
    "hessian",
    "expected_information",
    "line_search",
    "sandwich",
    "check_design",
    "start_values",
    "fit_nb2",
    "fit_ztnb",
    "clustered_sandwich",
    "covariance",
    "demean",
    "fit_poisson",
    "poisson_limit",
]
