"""Which areas do people leave? The report's sending models on ONS's own yearly estimates (MYEB3).

The report fits its sending models (Table 7: ONS supergroups) to pairs of
authorities and years from ONS's detailed estimates. Those are not all open,
but their margins are: MYEB3, ONS's summary components of change, gives each
authority's internal moves out in every year to mid-2011 ... mid-2018, the
total over destinations of the same patient-register estimates. This module
fits the sending models to those totals:

    E[Out_i,t] = Pop_i,t-1 * exp(a + b_k(i) + tau_t + w * Wales_i + c' X_i,t-1),

NB2 with robust (HC1) SEs on the project's engine (``flows.sending_models``),
one row per authority and year, with population a year earlier as exposure.

What an authority-level model can and cannot reproduce of the pair-level one:

* Model 1 exactly in expectation: if every pair follows the report's Model 1,
  E[M_ij,t] = Pop_i exp(a + b_k + tau_t + ...), the sum over destinations has
  the same form with the same b_k; only the destination (Welsh receiving)
  dummy folds into the constant. Besides sampling, the totals differ from the
  report's pairs in keeping the zero flows the report dropped and in counting
  moves to Scotland and Northern Ireland;
* Model 2 not at all: border and distance are attributes of a pair;
* Models 3 and 4 only in part: the sending area's controls enter as in the
  report, but without distance, border and the receiving area's (pull)
  controls, which the report's pair model holds fixed; the gaps there
  measure a different model as much as different data.

Controls are the covariates of the open files put on the December 2014
authorities by ``movers.data.open_yearly.write_controls`` (the yearly
chapters' own), lagged one year; a model is fitted on the years whose lagged
controls every authority has (``model_years``), so on open files without
MYEB1 (population by age for mid-2011 and mid-2018 only) Models 3 and 4 cover
one year. Controls with no open figure (APS unemployment, share born outside
the UK) are left out, never replaced (``SendingInputs.omitted``).

Results are objects (``SendingInputs``, ``SendingResult``); the words, tables and the
agreement table are the page layer's (``movers.pages.flows_yearly``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from movers.core import paths
from movers.core.errors import InputError, require_columns, require_nonempty
from movers.data import manifest as manifests, nomis, open_yearly, public
from movers.data.geography import load_geography
from movers.estimators import agreement
from movers.estimators.results import Estimates
from movers.strands.flows import models as flows, public as census

# Pair and pull controls of the report: an authority total has no form of them (Model 2 has nothing else).
LEFT_OUT = ("border", "log_distance", "unemp_d", "log_gva_d", "log_house_d")
NOT_ESTIMABLE = {"Model 2": "its controls, a shared border and the log distance, are attributes of a pair of authorities"}


def authority_models() -> dict[str, list[str]]:
    """The report's sending models at the authority level: the book's one model list (``flows.model_controls``)
    without them; read on first use (importing the module reads no file), also as ``yearly.MODELS``."""
    return {m: [v for v in c if v not in LEFT_OUT] for m, c in flows.model_controls().items() if m not in NOT_ESTIMABLE}


def __getattr__(name: str):
    if name == "MODELS":
        return authority_models()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The report's sending table of each typology (None: it publishes none; Table 16 is a receiving table).
SENDING_TABLE = {"supergroup": 7, "imd": None}
AREA = {"supergroup": "England and Wales", "imd": "England"}
# covariate (movers.data.nomis.covariates) -> the sending area's model variable built from it, lagged one year:
# the pair frame's own (``flows.SENDING_CONTROLS``, and the sending end of ``flows.BOTH_ENDS``)
VARIABLES = {col: (var, fn) for var, (col, fn) in flows.SENDING_CONTROLS.items()} | {
    col: (f"{var}_o", fn) for var, (col, fn) in flows.BOTH_ENDS.items()
}
PUBLIC_DATASETS = ("myeb3", *open_yearly.REQUIRED, "population_syoa_2011_2018")
CACHE = paths.BUILD / "yearly_sending"  # the controls folder written from the open files (a cache)


@dataclass
class SendingInputs:
    """Authority totals and controls of England and Wales by year.

    ``totals``: la_code, year (of moves, to mid-year), moves (internal moves out), population (mid-year a
    year earlier, the exposure); ``covariates``: la_code, year (the covariate's own year) and the controls of
    ``movers.data.nomis.covariates``; ``types``: la_code, supergroup, imd; ``omitted``: controls with no
    figure in these files; ``notes``: one line per input; ``folder``: where the files were read."""

    totals: pd.DataFrame
    covariates: pd.DataFrame
    types: pd.DataFrame
    source: str
    omitted: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    folder: Path | None = None


def _totals(components: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """MYEB3-layout components (la_code, year, population, internal_in, internal_out) -> moves out of each
    authority of England and Wales in each year and its population a year earlier (``census.myeb3_rates``)."""
    r = census.myeb3_rates(components, years=years)
    return r.rename(columns={"out": "moves"})[["la_code", "year", "moves", "population"]]


def _controls(folder: Path, known, omitted: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    omit = [*(c for c in omitted if c in nomis.OMITTABLE), "prop_professional"]
    cov = nomis.covariates(folder / "nomis", known, omit=sorted(set(omit)))
    types = nomis.classifications(folder / "nomis", known, omit=[c for c in omitted if c == "smi"])
    return cov, types[["la_code", "supergroup", "imd"]]


def public_inputs(root, years: Sequence[int], cache=CACHE, manifest: dict | None = None) -> SendingInputs:
    """MYEB3 out-moves and populations from ``root`` (the ``fetch`` layout), and the controls and types that
    ``open_yearly.write_controls`` puts on the 2014 authorities (written to ``cache``). Authorities of MYEB3
    missing from the boundaries, or the reverse, are an ``InputError``."""
    root, manifest = Path(root), manifest or manifests.load()
    myeb3 = public.read_myeb3(manifests.local_path(root, "myeb3", manifest))
    written = open_yearly.write_controls(root, cache, manifest)
    known = set(load_geography(Path(cache) / "geography").las["la_code"])
    totals = _totals(myeb3, years)
    unmatched = sorted(set(totals["la_code"]) ^ known)
    if unmatched:
        raise InputError(
            manifests.local_path(root, "myeb3", manifest),
            f"{len(unmatched)} authority code(s) not on both MYEB3 and the 2014 boundaries, e.g. {', '.join(unmatched[:5])}",
        )
    cov, types = _controls(Path(cache), known, written.omitted)
    notes = ["internal moves out and populations: ONS MYEB3 (mid-2018 edition, 2018 codes)", *written.notes]
    return SendingInputs(totals, cov, types, "public", written.omitted, notes, root)


def synthetic_inputs(folder, years: Sequence[int]) -> SendingInputs:
    """The synthetic world's equivalents: moves out of each authority summed from its detailed estimates
    (``census.synthetic_components``), its populations, controls and types, through the real-format loaders."""
    folder = Path(folder)
    known = set(load_geography(folder / "geography").las["la_code"])
    totals = _totals(census.synthetic_components(folder, years), years)
    cov, types = _controls(folder, known, [])
    notes = ["the synthetic world's detailed estimates (summed over destinations), populations, controls and types"]
    return SendingInputs(totals, cov, types, "synthetic", [], notes, folder)


def inputs_for(source: str, data_path: str = "", years: Sequence[int] = range(2011, 2019)) -> SendingInputs:
    """``SendingInputs`` of a chapter: the open files (``public``) or the synthetic world."""
    if source == "public":
        return public_inputs(paths.open_data_root(data_path), years)
    if source == "synthetic":
        return synthetic_inputs(paths.data_dir("synthetic", data_path or None), years)
    raise InputError("parameter 'source'", f"the yearly sending analysis runs on synthetic or public data, not {source!r}")


def missing_public(data_path: str = "", manifest: dict | None = None) -> list[str]:
    """The open inputs absent from the folder a public run would read: one line per dataset with its
    ``fetch`` command (empty when everything is there)."""
    manifest = manifest or manifests.load()
    try:
        root = paths.open_data_root(data_path)
    except InputError:  # neither the download cache nor the workplace copy holds open files: name the cache
        root = paths.download_cache()

    def absent(name: str) -> bool:
        try:
            manifests.local_path(root, name, manifest)
        except InputError:
            return True
        return False

    # population by age: ONS's MYEB1 when fetched (every year), else the Nomis extract of mid-2011 and mid-2018
    wanted = [n for n in PUBLIC_DATASETS if n != "population_syoa_2011_2018" or absent("population_mye")]
    return [f"{n} (not in {root}): run `python -m movers fetch {n}`" for n in wanted if absent(n)]


# --------------------------------------------------------------------------- the analysis


def authority_frame(inputs: SendingInputs, typology: str, years: Sequence[int]) -> pd.DataFrame:
    """One row per typed authority and year: moves, log_pop (the offset), sending (the type), wales_o,
    year, and the model variables of ``VARIABLES`` from the year before (NaN where the files give none)."""
    require_columns(inputs.totals, ["la_code", "year", "moves", "population"], "authority totals")
    t = inputs.types.set_index("la_code")[typology].dropna()
    require_nonempty(t, f"typology {typology!r}", "set of typed authorities")
    f = inputs.totals[inputs.totals["year"].isin(list(years)) & inputs.totals["la_code"].isin(t.index)].copy()
    require_nonempty(f, "authority totals", f"set of typed authority-years in {min(years)}-{max(years)}")
    if (f["population"] <= 0).any() or f["population"].isna().any():
        raise InputError("authority totals", "a population a year earlier is missing or not positive")
    f["log_pop"] = np.log(f["population"].to_numpy(dtype=float))
    f["sending"] = f["la_code"].map(t)
    f["wales_o"] = f["la_code"].str.startswith("W").astype(float)
    lag = inputs.covariates.assign(year=inputs.covariates["year"] + 1).set_index(["la_code", "year"])
    key = pd.MultiIndex.from_frame(f[["la_code", "year"]])
    for cov, (var, fn) in VARIABLES.items():
        v = lag[cov].reindex(key).to_numpy(dtype=float) if cov in lag else np.full(len(f), np.nan)
        f[var] = fn(v) if fn is not None else v
    return f.sort_values(["year", "la_code"], ignore_index=True)


def model_years(frame: pd.DataFrame, controls: Sequence[str]) -> list[int]:
    """The years of ``frame`` in which every authority has every one of ``controls``."""
    ok = frame[list(controls)].notna().all(axis=1) if controls else pd.Series(True, index=frame.index)
    full = ok.groupby(frame["year"]).all()
    return [int(y) for y in full.index[full]]


def specs(omitted: Sequence[str]) -> dict[str, list[str]]:
    """``MODELS`` without the variables of the covariates ``omitted`` (no figure in these files), as ``flows.without``."""
    return flows.without(authority_models(), omitted)


@dataclass
class SendingResult:
    """The sending models of one typology on authority totals, beside the report's table when there is one.

    ``fits``: model -> ``Estimates``; ``years``: model -> the years it was fitted on (``model_years``);
    ``skipped``: model -> why it was not fitted (no year with every control); ``long``: ``agreement.side_by_side``
    (estimate, se, published, published_se per row and model); ``agreement``: ``agreement.agreement_by`` per
    model and over all (empty without a published table)."""

    typology: str
    table: int | None
    fits: dict[str, Estimates]
    years: dict[str, list[int]]
    skipped: dict[str, str]
    long: pd.DataFrame
    agreement: pd.DataFrame
    omitted: list[str]
    controls: dict[str, list[str]]


def sending_analysis(inputs: SendingInputs, typology: str, years: Sequence[int]) -> SendingResult:
    """Models 1, 3 and 4 (``MODELS`` less the controls without a figure) of ``typology``'s sending dummies,
    each on the years its lagged controls cover, with year and country effects and the population a year
    earlier as exposure; the report's sending table beside them, and their agreement with it."""
    if typology not in SENDING_TABLE:
        raise InputError("parameter 'typology'", f"must be one of {', '.join(SENDING_TABLE)}, not {typology!r}")
    frame = authority_frame(inputs, typology, years)
    wanted = specs(inputs.omitted)
    fits, used, skipped = {}, {}, {}
    for model, controls in wanted.items():
        yrs = model_years(frame, controls)
        if not yrs:
            skipped[model] = "no year in which every authority has every lagged control"
            continue
        sub = frame[frame["year"].isin(yrs)]
        fits |= flows.sending_models(sub, typology, {model: controls})
        used[model] = yrs
    table = SENDING_TABLE[typology]
    rows = list(dict.fromkeys(r for e in fits.values() for r in e.index))
    long = agreement.side_by_side(fits, table, row_map=flows.row_map(table, rows) if table else None)
    long = long[long["row"].str.startswith("Sending: ")].reset_index(drop=True)
    agree = agreement.agreement_by(long, "model") if table is not None else pd.DataFrame()
    return SendingResult(typology, table, fits, used, skipped, long, agree, list(inputs.omitted), wanted)
