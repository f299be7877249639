"""Average marginal (discrete-change) effects of a binary treatment, by subgroup, with delta-method SEs.

Why this module exists: the report's Tables 24, 27 and 28 (and the ONS LS
Tables 31-32) show the mover-stayer difference *within* subgroups, from models
in which the mover dummy is interacted with gender, ethnicity, degree or
parental NS-SEC. statsmodels' ``get_margeff`` differentiates with respect to
each design column separately, so it ignores that switching ``mover`` from 0
to 1 also switches ``mover:male``; it also cannot average within a subgroup.

Here the effect is computed the way Stata's ``margins, dydx(mover) over(g)``
does for a factor variable: every row of the estimation sample is predicted
twice, with ``treat`` set to 1 and to 0, the design matrix being rebuilt from
the model's own formula (so every interaction is recomputed), and the
difference is averaged over the rows of each group. Standard errors use the
delta method with the fitted result's covariance matrix, so a result fitted
with ``cov_type="cluster"`` (local-authority clusters in the report) carries
its clustering into the effects and into differences between groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import patsy
from scipy import stats
from statsmodels.discrete.discrete_model import BinaryModel
from statsmodels.regression.linear_model import RegressionModel

from movers.estimators.results import Estimates, coef_frame


@dataclass
class _Effects:
    """Group effects and their covariance (from their Jacobian with respect to the parameters)."""

    labels: list
    estimate: np.ndarray  # (g,)
    cov: np.ndarray  # (g, g)
    counts: list[int]
    shifts: np.ndarray  # (n, g): the change in each effect when one estimation row is left out (``influence``)
    scale: np.ndarray  # (n,): the residual scale without that row relative to the full fit's (1 for a probit)


def _kind(result) -> str:
    """'binary' for index models with a link (probit, logit), 'linear' for least squares."""

    model = result.model
    if isinstance(model, BinaryModel):
        return "binary"
    if isinstance(model, RegressionModel):
        return "linear"
    raise TypeError(
        f"mover effects support statsmodels binary (probit/logit) and linear (OLS/WLS) models, not {type(model).__name__}"
    )


def _spec(result):
    """The fitted model's design specification (patsy DesignInfo or formulaic ModelSpec)."""
    data = result.model.data
    spec = getattr(data, "model_spec", None) or getattr(data, "design_info", None)
    if spec is None:
        raise TypeError(
            "the result was not fitted from a formula: fit it with statsmodels.formula.api so interactions can be rebuilt"
        )
    return spec


def design(result, frame: pd.DataFrame) -> np.ndarray:
    """Design matrix of ``frame`` under the fitted model's formula, columns in the order of ``result.params``.

    Categorical levels and stateful transforms are those learnt at fit time,
    so a frame that lacks some level (one subgroup, or treat fixed at 0) still
    yields the full set of columns.
    """
    spec = _spec(result)
    if hasattr(spec, "get_model_matrix"):  # formulaic
        mat = spec.get_model_matrix(frame, na_action="raise")
        mat = pd.DataFrame(np.asarray(mat), columns=list(mat.columns), index=frame.index)
    else:  # patsy
        mat = patsy.dmatrix(spec, frame, NA_action="raise", return_type="dataframe")
    names = list(result.params.index)
    missing = [n for n in names if n not in mat.columns]
    if missing:
        raise ValueError(f"rebuilt design lacks parameter column(s) {missing}")
    return mat[names].to_numpy(dtype=float)


def estimation_rows(result, data: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``data`` the model was fitted on.

    A formula fit silently drops rows with missing values; averaging effects
    over rows the model never saw would change the estimand. When ``data`` holds
    every row label the model kept, those rows are used; otherwise ``data`` is
    taken to be the estimation sample already.
    """
    rows = getattr(result.model.data, "row_labels", None)
    if rows is not None and len(rows) != len(data) and pd.Index(rows).isin(data.index).all():
        return data.loc[rows]
    return data


def _group_labels(col: pd.Series) -> list:
    """Group labels in a stable order: category order for categoricals, else sorted."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        present = set(col.dropna().unique())
        return [c for c in col.cat.categories if c in present]
    return sorted(col.dropna().unique().tolist())


def _effects(result, data: pd.DataFrame, treat: str, by: str | None) -> _Effects:
    if treat not in data.columns:
        raise KeyError(f"treatment column {treat!r} not in the data")
    if by is not None and by not in data.columns:
        raise KeyError(f"group column {by!r} not in the data")
    frame = estimation_rows(result, data)
    kind = _kind(result)
    params = result.params.to_numpy(dtype=float)
    on, off = frame.copy(), frame.copy()
    on[treat] = np.ones(len(frame), dtype=frame[treat].dtype if frame[treat].dtype != bool else bool)
    off[treat] = np.zeros(len(frame), dtype=frame[treat].dtype if frame[treat].dtype != bool else bool)
    x1, x0 = design(result, on), design(result, off)
    if kind == "binary":
        xb1, xb0 = x1 @ params, x0 @ params
        diff = result.model.cdf(xb1) - result.model.cdf(xb0)
        grad = result.model.pdf(xb1)[:, None] * x1 - result.model.pdf(xb0)[:, None] * x0
    else:
        grad = x1 - x0
        diff = grad @ params
    if by is None:
        labels, masks = ["All"], [np.ones(len(frame), dtype=bool)]
    else:
        labels = _group_labels(frame[by])
        masks = [(frame[by] == g).to_numpy() for g in labels]
    est = np.array([diff[m].mean() for m in masks])
    jac = np.vstack([grad[m].mean(axis=0) for m in masks])
    cov = jac @ np.asarray(result.cov_params(), dtype=float) @ jac.T
    step, scale = leave_one_out(result, kind)
    shifts = step @ jac.T
    for j, m in enumerate(masks):  # the left-out row also leaves the average of its own group
        k = int(m.sum())
        if k > 1:
            shifts[m, j] += (est[j] - diff[m]) / (k - 1)
    return _Effects(labels, est, cov, [int(m.sum()) for m in masks], shifts, scale)


def leave_one_out(result, kind: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The change in the parameters when each estimation row is left out (rows x parameters), and the
    residual scale without that row relative to the full fit's.

    Least squares: exact, ``(X'X)^-1 x_i e_i / (1 - h_i)``, and the leave-one-out residual standard error
    (as statsmodels' DFBETAS uses). A binary model: one Newton step from the full fit, ``H^-1 s_i`` with
    ``s_i`` the row's score and ``H`` the Hessian of the log-likelihood (the cheap approximation
    of Pregibon 1981); the scale is 1. Cost: one pass over the design matrix, no refitting."""
    kind = kind or _kind(result)
    x = np.asarray(result.model.exog, dtype=float)
    params = np.asarray(result.params, dtype=float)
    n = x.shape[0]
    if kind == "linear":
        inv = np.asarray(result.normalized_cov_params, dtype=float)
        resid = np.asarray(result.model.endog, dtype=float) - x @ params
        hat = np.einsum("ij,jk,ik->i", x, inv, x)
        keep = np.clip(1.0 - hat, 1e-12, None)
        step = -(x * (resid / keep)[:, None]) @ inv
        dof = max(n - x.shape[1], 2)
        rss = float(resid @ resid)
        s2 = rss / dof
        s2_out = np.clip(rss - resid**2 / keep, 0, None) / (dof - 1)
        scale = np.sqrt(s2_out / s2) if s2 > 0 else np.ones(n)
        return step, scale
    score = np.asarray(result.model.score_obs(params), dtype=float)
    hess = np.asarray(result.model.hessian(params), dtype=float)
    step = score @ np.linalg.pinv(hess).T
    return step, np.ones(n)


def _influence(shifts: np.ndarray, scale: np.ndarray, se: np.ndarray) -> np.ndarray:
    """For each effect, the largest change that leaving out one row makes, in standard errors of the
    fit without that row (least squares) or of the full fit (binary): the ``influence`` rule's measure."""
    if shifts.size == 0:
        return np.zeros(shifts.shape[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.abs(shifts) / (scale[:, None] * se[None, :])
    ratio = np.where(np.isfinite(ratio), ratio, np.inf)
    return ratio.max(axis=0)


def _pvalues(result, est: np.ndarray, se: np.ndarray) -> np.ndarray:
    """Two-sided p-values: t with the result's inference degrees of freedom when it uses t, else normal."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.abs(est / se)
    if getattr(result, "use_t", False):
        df = getattr(result, "df_resid_inference", None) or result.df_resid
        return 2 * stats.t.sf(z, df)
    return 2 * stats.norm.sf(z)


def _result(result, labels, est, se, shifts, scale, name: str, group_nobs=None) -> Estimates:
    """The effects as an ``Estimates``: the fit's nobs, residual df, covariance type and convergence, and
    each effect's largest one-person change in standard errors (``influence``), by row label."""
    coefs = coef_frame(labels, est, se, _pvalues(result, est, se))
    coefs.index.name = name
    return Estimates(
        coefs,
        nobs=int(result.nobs),
        converged=bool(getattr(result, "mle_retvals", {}).get("converged", True)),
        cov_type=str(getattr(result, "cov_type", "")),
        df_resid=float(result.df_resid),
        group_nobs=dict(group_nobs or {}),
        influence=dict(zip(labels, _influence(shifts, scale, se).tolist())),
    )


def mover_effects(result, data: pd.DataFrame, treat: str = "mover", by: str | None = None) -> Estimates:
    """Average discrete-change effect of ``treat`` (0 -> 1) overall or within each group of ``by``.

    Returns an ``Estimates`` whose rows are the group labels of ``by`` (or ``["All"]``) with
    ``estimate``, ``se`` (delta method, the result's own covariance) and ``pvalue``; ``nobs`` is the
    model's number of observations, ``group_nobs`` the rows behind each group and ``influence`` the
    largest change one row's removal makes in each effect, in standard errors (``leave_one_out``).
    For a probit the effect is a difference in probabilities, for OLS a
    difference in the outcome's units.
    """
    eff = _effects(result, data, treat, by)
    se = np.sqrt(np.clip(np.diag(eff.cov), 0, None))
    return _result(result, eff.labels, eff.estimate, se, eff.shifts, eff.scale, by or "group", zip(eff.labels, eff.counts))


def effect_differences(result, data: pd.DataFrame, treat: str, by: str, reference) -> Estimates:
    """Difference between each group's treatment effect and the ``reference`` group's, with delta-method SEs.

    This is the report's test of whether "migrant status has a stronger effect
    on the outcomes experienced by one group compared with the other" (Tables
    24, 28). The covariance between the two groups' effects is kept, so the SE
    is that of the difference, not of two independent estimates. Rows:
    ``"<group> versus <reference>"``, in an ``Estimates`` as ``mover_effects``.
    """
    eff = _effects(result, data, treat, by)
    if reference not in eff.labels:
        raise KeyError(f"reference group {reference!r} not among the groups of {by!r}: {eff.labels}")
    r = eff.labels.index(reference)
    others = [i for i in range(len(eff.labels)) if i != r]
    est = np.array([eff.estimate[i] - eff.estimate[r] for i in others])
    var = np.array([eff.cov[i, i] + eff.cov[r, r] - 2 * eff.cov[i, r] for i in others])
    se = np.sqrt(np.clip(var, 0, None))
    labels = [f"{eff.labels[i]} versus {reference}" for i in others]
    shifts = np.column_stack([eff.shifts[:, i] - eff.shifts[:, r] for i in others]) if others else eff.shifts[:, :0]
    return _result(result, labels, est, se, shifts, eff.scale, "contrast")


def group_key(g):
    """A group label as returned for a 0/1 or integer column (1.0 or '1.0') turned back into 1, so
    labels can be looked up by the values the data hold; other labels pass unchanged."""
    try:
        f = float(g)
        return int(f) if f.is_integer() else f
    except (TypeError, ValueError):
        return g


__all__ = ["group_key", "mover_effects", "effect_differences", "design", "estimation_rows", "leave_one_out"]
