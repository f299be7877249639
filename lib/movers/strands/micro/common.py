"""The microdata models of both individual-level strands: BHPS-UKHLS (Tables 23-28) and the ONS LS (Tables 30-32).

Why one module: the two strands ask the same question of different data. Each
fits Models 1-3 (a probit, or OLS for income) of an outcome on a mover dummy
with fixed effects and growing blocks of controls, then Model 3 once per
characteristic with a mover x characteristic interaction, and reports the
average mover-stayer difference within each group and the difference of those
differences. The fitting, the dropping of perfect predictors (as Stata does),
the marginal effects, the cells behind each group and the true values of the
synthetic world live here once; ``outcomes`` and ``ls`` only prepare their
data and declare their ``Strand`` (outcomes, characteristics, formula, standard
errors). Results are ``movers.estimators.results.Estimates``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from movers.core.errors import InputError, require_nonempty
from movers.core.truth import linear_index
from movers.estimators.margins import effect_differences, group_key, mover_effects
from movers.estimators.results import Estimates
from movers.sdc import redact

MODELS = ("Model 1", "Model 2", "Model 3")
COV_TYPES = ("nonrobust", "HC0", "HC1")


# ----------------------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Characteristic:
    """A characteristic whose groups get their own mover-stayer difference (Tables 24, 27, 28, 31, 32).

    ``column`` holds the groups, ``labels`` maps each group value to its row label and ``reference`` is
    the group the others are compared with. In Model 3 with the interaction, ``term`` (default
    ``column``) is multiplied by mover and the controls in ``replaces`` (default ``column``) leave the
    demographic block (the report's Demo'). ``difference_labels`` names the rows of the test of
    differences (default "<group> versus <reference group>")."""

    column: str
    labels: Mapping[Any, str]
    reference: Any
    term: str | None = None
    replaces: tuple[str, ...] = ()
    difference_labels: Mapping[Any, str] | None = None

    @property
    def interaction_term(self) -> str:
        return self.term or self.column

    @property
    def dropped_controls(self) -> tuple[str, ...]:
        return self.replaces or (self.column,)

    @property
    def others(self) -> list:
        return [g for g in self.labels if g != self.reference]

    def difference_label(self, group) -> str:
        names = self.difference_labels or {}
        return names.get(group, f"{self.labels[group]} versus {self.labels[self.reference]}")

    def cells(self, data: pd.DataFrame, treat: str = "mover") -> dict[str, int]:
        """The smaller of movers and stayers in each group (what disclosure control checks), by row label."""
        n = data.groupby([data[self.column].map(group_key), treat], observed=True).size()
        out = {}
        for g, label in self.labels.items():
            per = n.xs(g, level=0) if g in n.index.get_level_values(0) else pd.Series(dtype=int)
            out[label] = int(per.reindex([0, 1], fill_value=0).min())
        return out

    def difference_cells(self, cells: Mapping[str, int]) -> dict[str, int]:
        """Both groups of a difference count: its cell is the smaller of the two groups' cells."""
        ref = cells.get(self.labels[self.reference], 0)
        return {self.difference_label(g): min(cells.get(self.labels[g], 0), ref) for g in self.others}


@dataclass(frozen=True)
class Strand:
    """What distinguishes the two strands' models: outcomes, characteristics, the formula of Models 1-3
    (``formula(outcome, model, characteristic, extra)``), the outcomes fitted by OLS, the standard errors
    (clustered by ``cluster``, or ``cov_type``), fixed effects exempt from perfect-predictor dropping,
    columns read as text, and the region column of the generating model."""

    name: str
    outcomes: Mapping[str, str]
    characteristics: Mapping[str, Characteristic]
    formula: Callable[..., str]
    linear: tuple[str, ...] = ()
    cluster: str | None = None
    cov_type: str = "nonrobust"
    keep_levels: tuple[str, ...] = ()
    text_columns: tuple[str, ...] = ()
    region_column: str = "region"
    truth_columns: Callable[[pd.DataFrame], pd.DataFrame] | None = None

    def kind(self, outcome: str) -> str:
        return "ols" if outcome in self.linear else "probit"

    def with_(self, **changes) -> Strand:
        return replace(self, **changes)

    def check(self, outcomes: Sequence[str] = (), characteristics: Sequence[str] = ()) -> None:
        """Stop with the parameter's name on an unknown outcome or characteristic."""
        for param, names, known in (
            ("outcomes", outcomes, self.outcomes),
            ("characteristics", characteristics, self.characteristics),
        ):
            bad = [n for n in names if n not in known]
            if bad:
                raise InputError(f"parameter {param!r}", f"unknown {param[:-1]} {bad[0]!r}; choose from {', '.join(known)}")


@dataclass(frozen=True)
class Fit:
    """A fitted statsmodels result with the rows it was fitted on and the perfect-predictor rows dropped."""

    result: Any
    data: pd.DataFrame
    dropped: Mapping[str, int] = field(default_factory=dict)
    seconds: float = float("nan")

    @property
    def nobs(self) -> int:
        return int(self.result.nobs)

    @property
    def df_resid(self) -> float:
        return float(self.result.df_resid)


# ----------------------------------------------------------------------------- small rules


def flag(values: pd.Series, codes: Sequence) -> np.ndarray:
    """1.0 when the code is one of ``codes``, 0.0 otherwise, NaN when the value is missing."""
    s = pd.Series(values)
    return s.isin(list(codes)).astype(float).where(s.notna()).to_numpy()


def check_band(name: str, band: Sequence[int]) -> tuple[int, int]:
    """A parameter [first, last] of two whole numbers with first <= last, or an ``InputError`` naming it."""
    vals = list(band)
    if len(vals) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in vals) or vals[0] > vals[1]:
        raise InputError(f"parameter {name!r}", f"must be two whole numbers [first, last] with first <= last, not {vals}")
    return int(vals[0]), int(vals[1])


def model_columns(f: str) -> list[str]:
    """The variable names a formula uses."""
    return sorted(set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", f)) - {"C"})


def drop_perfect_predictors(data: pd.DataFrame, f: str, keep: Sequence[str] = ()) -> tuple[pd.DataFrame, dict]:
    """Drop the rows of fixed-effect levels (``C(var)``) in which a binary outcome never (or always) occurs.

    Such a level predicts the outcome perfectly and has no finite probit estimate; Stata, which the
    report used, drops those observations and says so. Doing the same keeps the likelihood well
    defined; the count dropped per level is returned for the chapter. Variables in ``keep`` are left alone."""
    outcome = f.split("~")[0].strip()
    dropped: dict = {}
    for var in re.findall(r"C\(([A-Za-z_][A-Za-z_0-9]*)\)", f):
        if var in keep or var not in data.columns:
            continue
        m = data.groupby(var, observed=True)[outcome].agg(["min", "max", "size"])
        bad = m[m["min"] == m["max"]]
        dropped.update({f"{var}={level}": int(r["size"]) for level, r in bad.iterrows()})
        if len(bad):
            data = data[~data[var].isin(bad.index)]
    return data, dropped


# ----------------------------------------------------------------------------- fitting


def fit(
    sample: pd.DataFrame,
    f: str,
    kind: str = "probit",
    cluster: str | None = None,
    cov_type: str = "nonrobust",
    keep_levels: Sequence[str] = (),
    text_columns: Sequence[str] = (),
) -> Fit:
    """A probit (binary outcome) or OLS on the complete cases of the formula's columns.

    Standard errors: clustered by ``cluster`` and scaled as Stata's ``probit, vce(cluster)`` (G/(G-1))
    and ``regress, vce(cluster)`` (G/(G-1) (N-1)/(N-K)) (the table in ``movers.estimators.nb2``); without a cluster,
    ``cov_type``: plain inverse information (Stata's default), ``HC1`` (N/(N-K)) or ``HC0``."""
    if kind not in ("probit", "ols"):
        raise ValueError(f"kind must be 'probit' or 'ols', not {kind!r}")
    if cov_type not in COV_TYPES:
        raise InputError("parameter 'cov_type'", f"must be one of {', '.join(COV_TYPES)}, not {cov_type!r}")
    cols = [c for c in model_columns(f) if c in sample.columns] + ([cluster] if cluster else [])
    data = sample.dropna(subset=list(dict.fromkeys(cols))).copy()
    require_nonempty(data, "sample", f"set of complete observations for {f}")
    for c in text_columns:
        if c in data.columns:
            data[c] = data[c].astype(str)
    dropped: dict = {}
    if kind == "probit":
        data, dropped = drop_perfect_predictors(data, f, keep_levels)
        if data.empty or data[f.split("~")[0].strip()].nunique() < 2:
            raise NothingLeft("every level of a fixed effect predicts the outcome perfectly: no observations are left")
    start = time.perf_counter()
    mod = smf.probit(f, data) if kind == "probit" else smf.ols(f, data)
    if cluster:
        groups = pd.factorize(data[cluster])[0]
        kw = {"groups": groups}
        if kind == "probit":  # statsmodels applies G/(G-1) (N-1)/(N-K); probit's vce(cluster) is G/(G-1) alone
            n, k = mod.exog.shape
            kw["scaling_factor"] = (n - k) / (n - 1)
        args = {"cov_type": "cluster", "cov_kwds": kw}
    else:
        args = {"cov_type": cov_type}
    res = mod.fit(disp=0, maxiter=200, **args) if kind == "probit" else mod.fit(**args)
    return Fit(res, data, dropped, time.perf_counter() - start)


def fit_model(
    strand: Strand,
    sample: pd.DataFrame,
    outcome: str,
    model: int = 3,
    characteristic: str | None = None,
    extra: Sequence[str] = (),
) -> Fit:
    """Model ``model`` of ``outcome`` in ``strand`` (with the interaction of ``characteristic`` if given)."""
    ch = strand.characteristics[characteristic] if characteristic else None
    f = strand.formula(outcome, model, ch, tuple(extra))
    return fit(sample, f, strand.kind(outcome), strand.cluster, strand.cov_type, strand.keep_levels, strand.text_columns)


def _estimates(eff: Estimates, ft: Fit, cells: Mapping[str, int] | None = None) -> Estimates:
    """The effects ``eff`` (from ``margins``, with each row's largest one-person influence) with what
    disclosure control checks besides: the cells behind each row, the residual df and the rows fitted
    on (``units``: the people an observation count on the page stands for)."""
    return eff.with_(
        nobs=ft.nobs,
        cells=dict(cells or {}),
        seconds=ft.seconds,
        converged=bool(getattr(ft.result, "mle_retvals", {}).get("converged", True)),
        df_resid=ft.df_resid,
        units=ft.data.index,
    )


class NothingLeft(np.linalg.LinAlgError):
    """No usable observations once perfectly predicted levels are dropped (a small selection): a singular
    design, so ``redact.estimable`` and ``mover_model`` withhold it like one."""


class NotEstimable(InputError):
    """A model that cannot be estimated on its selection: which model of which outcome, and why
    (``redact.estimable``'s reason: a singular design, perfect separation, a single cluster). The page
    function that knows the table and the selection re-raises it naming them (``micro_pages``)."""

    def __init__(self, outcome: str, model: int, reason: str, extra: Sequence[str] = ()):
        self.outcome, self.model, self.reason = outcome, model, reason
        self.what = f"Model {model}{' with ' + ', '.join(extra) if extra else ''} of {outcome}"
        super().__init__(None, f"{self.what} cannot be estimated: {reason}")


def mover_model(strand: Strand, sample: pd.DataFrame, outcome: str, model: int = 3, extra: Sequence[str] = ()) -> Estimates:
    """One model of one outcome: the average effect of being a mover (probit AME, OLS coefficient), row
    ``Mover``, with the smaller of movers and stayers as its cell. A model that cannot be estimated raises
    ``NotEstimable`` with the reason, never a bare ``LinAlgError``."""
    try:  # a singular design only: perfect predictors are dropped by ``fit`` and a separation warning is no stop here
        ft = fit_model(strand, sample, outcome, model, extra=extra)
    except NothingLeft as err:
        raise NotEstimable(outcome, model, str(err), extra) from None
    except np.linalg.LinAlgError:
        raise NotEstimable(
            outcome, model, "singular design matrix: the selection is too small or a variable has no variation", extra
        ) from None
    eff = mover_effects(ft.result, ft.data, "mover").relabel({"All": "Mover"})
    n = ft.data["mover"].value_counts().reindex([0, 1], fill_value=0)
    return _estimates(eff, ft, {"Mover": int(n.min())})


def mover_models(strand: Strand, sample: pd.DataFrame, outcome: str, extra: Sequence[str] = ()) -> dict[str, Estimates]:
    """Models 1-3 of one outcome (``mover_model``)."""
    return {name: mover_model(strand, sample, outcome, m, extra) for m, name in enumerate(MODELS, start=1)}


@dataclass(frozen=True)
class Interaction:
    """Model 3 with mover x one characteristic: the mover effect within each group, the differences from
    the reference group, and the rows it was fitted on (``None`` with ``reason`` if it could not be fitted)."""

    characteristic: str
    effects: Estimates | None
    differences: Estimates | None
    rows: pd.DataFrame | None
    reason: str = ""


def interaction(
    strand: Strand, sample: pd.DataFrame, outcome: str, characteristic: str, extra: Sequence[str] = ()
) -> Interaction:
    """One interacted Model 3. A group too small to estimate (a singular design, perfect separation) gives
    an ``Interaction`` without estimates and with the reason, not a crash."""
    ch = strand.characteristics[characteristic]
    ft = redact.estimable(fit_model, strand, sample, outcome, 3, characteristic, extra)
    if isinstance(ft, redact.Withheld):
        return Interaction(characteristic, None, None, None, ft.reason)
    eff = mover_effects(ft.result, ft.data, "mover", by=ch.column)
    keys = [group_key(g) for g in eff.index]
    eff = eff.relabel({g: ch.labels[k] for g, k in zip(eff.index, keys)})  # the labels shown, with their influence
    eff = eff.select([lab for lab in ch.labels.values() if lab in eff.index])
    ref = next(g for g in ft.data[ch.column].dropna().unique() if group_key(g) == ch.reference)
    diff = effect_differences(ft.result, ft.data, "mover", ch.column, reference=ref)
    others = [k for k in keys if k != ch.reference]
    diff = diff.relabel(dict(zip(diff.index, (ch.difference_label(k) for k in others))))
    eff, diff = (e.with_(coefs=e.coefs.rename_axis(None)) for e in (eff, diff))  # rows named by their labels alone
    cells = ch.cells(ft.data)
    return Interaction(characteristic, _estimates(eff, ft, cells), _estimates(diff, ft, ch.difference_cells(cells)), ft.data)


def _stack(parts: Sequence[Estimates], filler: Mapping[str, Sequence[str]]) -> Estimates:
    """Several interacted models' rows in one result: the largest nobs (the report prints one), the
    smallest residual df, and NaN rows for the groups of models that could not be fitted."""
    frames = [p.coefs for p in parts]
    for rows in filler.values():
        frames.append(pd.DataFrame({"estimate": np.nan, "se": np.nan, "pvalue": np.nan}, index=list(rows)))
    cells = {k: v for p in parts for k, v in p.cells.items()}
    nobs = [p.nobs for p in parts]
    dof = [np.nan if p.df_resid is None else p.df_resid for p in parts]
    largest = max(parts, key=lambda p: p.nobs or 0) if parts else None  # the observations the table prints
    return Estimates(
        pd.concat(frames) if frames else pd.DataFrame(columns=["estimate", "se", "pvalue"]),
        nobs=max(nobs) if nobs else None,
        cells=cells,
        seconds=float(sum(p.seconds for p in parts)),
        converged=all(p.converged for p in parts),
        df_resid=min(dof) if dof else np.nan,
        influence={k: v for p in parts for k, v in (p.influence or {}).items()},
        units=None if largest is None else largest.units,
        missing_groups=dict(filler),
    )


@dataclass(frozen=True)
class InteractionTables:
    """Per outcome (by its label): the stacked group effects (Tables 27, 31, 32), the stacked differences
    (Tables 24, 28), every interacted model, and the groups that could not be estimated with the reason."""

    effects: dict[str, Estimates]
    differences: dict[str, Estimates]
    models: dict[tuple[str, str], Interaction]

    def not_estimable(self) -> dict[tuple[str, str], str]:
        return {k: m.reason for k, m in self.models.items() if m.effects is None}


def interaction_tables(
    strand: Strand,
    sample: pd.DataFrame,
    outcomes: Sequence[str],
    characteristics: Sequence[str] | None = None,
    extra: Sequence[str] = (),
) -> InteractionTables:
    """The interacted Model 3 of every outcome and characteristic, stacked per outcome."""
    characteristics = list(characteristics if characteristics is not None else strand.characteristics)
    strand.check(outcomes, characteristics)
    effects, diffs, models = {}, {}, {}
    for o in outcomes:
        done = [interaction(strand, sample, o, ch, extra) for ch in characteristics]
        models.update({(o, m.characteristic): m for m in done})
        ok = [m for m in done if m.effects is not None]
        lost = {
            m.characteristic: list(strand.characteristics[m.characteristic].labels.values()) for m in done if m.effects is None
        }
        lost_diff = {c: [strand.characteristics[c].difference_label(g) for g in strand.characteristics[c].others] for c in lost}
        label = strand.outcomes[o]
        effects[label] = _stack([m.effects for m in ok], lost)
        diffs[label] = _stack([m.differences for m in ok], lost_diff)
    return InteractionTables(effects, diffs, models)


# ----------------------------------------------------------------------------- truth (synthetic data)


def true_effects(
    strand: Strand, rows: pd.DataFrame, model: Mapping, by: str | None = None, price_factor: float = 1.0
) -> pd.Series:
    """Average effect of mover (0 -> 1) that a generating model implies on ``rows``, overall or by group.

    This is the estimand of ``movers.estimators.margins.mover_effects`` evaluated with the true coefficients on the
    same rows. A probit with a random LA shock of standard deviation ``la_sd`` is averaged over it:
    P(y=1|x) = Phi(x'b / sqrt(1 + la_sd^2)), the probability a probit without the shock estimates.
    ``price_factor`` rescales a linear (income) model to other prices."""
    x = strand.truth_columns(rows) if strand.truth_columns else rows
    i1 = linear_index(x.assign(mover=1), model, strand.region_column)
    i0 = linear_index(x.assign(mover=0), model, strand.region_column)
    if model.get("kind", "probit") == "probit":
        s = 1.0 / np.sqrt(1.0 + float(model.get("la_sd", 0.0)) ** 2)
        d = stats.norm.cdf(s * i1) - stats.norm.cdf(s * i0)
    else:
        d = (i1 - i0) * price_factor
    d = pd.Series(d, index=rows.index)
    if by is None:
        return pd.Series({"All": float(d.mean())})
    return d.groupby(rows[by], observed=True).mean()


def true_groups(
    strand: Strand, sample: pd.DataFrame, models: Mapping[str, Mapping], price_factor: float = 1.0
) -> tuple[dict, dict]:
    """True group effects and differences of every outcome in ``models`` and every characteristic, on the
    rows of ``sample`` that have the outcome: {(row label, outcome label): value}, without fitting anything.

    Why: the distance between a synthetic world's truth and the report's figures is a property of the
    world (``tests/synth/test_micro_truth.py``); ``truth_tables`` gives the same values on a fitted
    model's own rows."""
    eff, diff = {}, {}
    for o, model in models.items():
        if o not in strand.outcomes:
            continue
        rows = sample.dropna(subset=[o])
        label = strand.outcomes[o]
        for ch in strand.characteristics.values():
            t = true_effects(strand, rows, model, by=ch.column, price_factor=price_factor)
            t.index = [group_key(g) for g in t.index]
            eff.update({(ch.labels[g], label): float(v) for g, v in t.items() if g in ch.labels})
            diff.update({(ch.difference_label(g), label): float(t[g] - t[ch.reference]) for g in ch.others if g in t.index})
    return eff, diff


def true_model3(
    strand: Strand,
    sample: pd.DataFrame,
    outcomes: Sequence[str],
    models: Mapping[str, Mapping],
    price_factor: float = 1.0,
    extra: Sequence[str] = (),
) -> dict[str, float]:
    """The true average mover effect of each outcome on the rows of its Model 3 (by outcome label)."""
    out = {}
    for o in outcomes:
        ft = fit_model(strand, sample, o, 3, extra=extra)
        out[strand.outcomes[o]] = float(true_effects(strand, ft.data, models[o], price_factor=price_factor).loc["All"])
    return out


def truth_tables(
    strand: Strand, tabs: InteractionTables, models: Mapping[str, Mapping], price_factor: float = 1.0
) -> tuple[dict, dict]:
    """True group effects and differences on each interacted model's rows: {(row label, outcome label): value}."""
    eff, diff = {}, {}
    for (o, c), m in tabs.models.items():
        if m.rows is None:
            continue
        ch = strand.characteristics[c]
        t = true_effects(strand, m.rows, models[o], by=ch.column, price_factor=price_factor)
        t.index = [group_key(g) for g in t.index]
        label = strand.outcomes[o]
        eff.update({(ch.labels[g], label): float(v) for g, v in t.items() if g in ch.labels})
        diff.update(
            {
                (ch.difference_label(g), label): float(t[g] - t[ch.reference])
                for g in ch.others
                if g in t.index and ch.reference in t.index
            }
        )
    return eff, diff


def z_scores(estimates: pd.DataFrame, truth: Mapping[str, float]) -> pd.Series:
    """(estimate - truth) / SE per row: the recovery check (``|z| > 3`` flags a broken estimator or generator)."""
    t = pd.Series({k: truth.get(k, np.nan) for k in estimates.index}, dtype=float)
    return (estimates["estimate"] - t) / estimates["se"]


# ----------------------------------------------------------------------------- variable definitions (Tables 21, 29)


def _file_variable(dictionary: Mapping, name: str) -> str:
    """Where an analysis variable comes from: the file's variable and the file (``{w}`` is the wave prefix)."""
    for kind, spec in (dictionary.get("files") or {}).items():
        var = (spec.get("variables") or {}).get(name)
        if var is not None:
            return f"{var} ({str(spec.get('name', kind)).replace('{w}_', '')})"
    return ""


def definitions(dictionary: Mapping) -> pd.DataFrame:
    """The variable definitions of a strand (report Tables 21 and 29) from its dictionary's ``definitions``:
    role in the model, what it measures, its values (with the codes they rest on) and its source variables."""
    rows = dictionary.get("definitions") or []
    if not rows:
        raise InputError(
            dictionary.get("_path", "variable dictionary"),
            "has no 'definitions' section (Tables 21 and 29 are generated from it)",
        )
    recs = []
    for d in rows:
        values = str(d["values"])
        if d.get("codes"):
            codes = (dictionary.get("codes") or {}).get(d["codes"])
            if codes is None:
                raise InputError(
                    dictionary.get("_path", "variable dictionary"),
                    f"definition of {d['variable']} names unknown codes.{d['codes']}",
                )
            values += f" (codes {', '.join(map(str, codes))})"
        sources = d.get("from") or []
        sources = [sources] if isinstance(sources, str) else sources
        recs.append(
            {
                "Variable": d["variable"],
                "Category": d["category"],
                "Description": d["description"],
                "Values": values,
                "Source": "; ".join(filter(None, (_file_variable(dictionary, f) for f in sources))),
            }
        )
    return pd.DataFrame(recs).set_index("Variable")


__all__ = [
    "definitions",
    "Characteristic",
    "Strand",
    "Fit",
    "Interaction",
    "InteractionTables",
    "MODELS",
    "flag",
    "check_band",
    "model_columns",
    "drop_perfect_predictors",
    "fit",
    "fit_model",
    "mover_model",
    "mover_models",
    "interaction",
    "interaction_tables",
    "true_effects",
    "true_model3",
    "true_groups",
    "truth_tables",
    "z_scores",
]
