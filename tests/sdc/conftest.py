"""Shared pieces of the disclosure-control tests: the LS page of issue 25 case 2 (376 people, nine without a
parental class, who drop out of Model 3) and the income data of case 3 (one income of 999,999)."""

import numpy as np
import pandas as pd
import pytest

from movers.estimators.results import Estimates
from movers.pages import ls_deprived as LS, micro as micro_pages
from movers.sdc.checker import Checker


def _effect(units, nobs=None):
    coefs = pd.DataFrame({"estimate": [0.1], "se": [0.01], "pvalue": [0.01]}, index=["Mover"])
    return Estimates(
        coefs, nobs=nobs or len(units), cells={"Mover": 100}, df_resid=300, units=pd.Index(units), influence={"Mover": 0.2}
    )


def _ls_like_sample():
    """376 people, nine of them without a parental class (the LS case)."""
    sample = pd.DataFrame({"parent_class": [1.0] * 367 + [np.nan] * 9, "mover": [0, 1] * 188})
    return sample


def _checker_with_facts(sample, threshold=10):
    chk = Checker("ls_deprived", {"threshold": threshold})
    n_no = int(sample["parent_class"].isna().sum())
    micro_pages.checked_facts(
        chk,
        "Sample (prose)",
        {"n_sample": len(sample), "pct_no_parent_class": 100 * n_no / len(sample)},
        {"n_sample": len(sample), "pct_no_parent_class": n_no},
        LS.LS_FORMATS,
    )
    micro_pages.register_sample(chk, sample, {"pct_no_parent_class": sample.index[sample["parent_class"].isna()]})
    return chk


def _income_world(outlier=False, n=400, seed=1):
    rng = np.random.default_rng(seed)
    d = pd.DataFrame(
        {"mover": rng.integers(0, 2, n), "nonwhite": (rng.random(n) < 0.12).astype(int), "age": rng.integers(25, 40, n)}
    )
    d["income"] = 20000 + 1000 * d["mover"] + 500 * d["nonwhite"] * d["mover"] + 100 * d["age"] + rng.normal(0, 8000, n)
    d["employed"] = (rng.random(n) < 0.7 + 0.05 * d["mover"]).astype(int)
    if outlier:
        d.loc[d.index[(d["nonwhite"] == 1) & (d["mover"] == 1)][0], "income"] = 999_999
    return d


@pytest.fixture
def effect():
    """A mover effect resting on 100 people, fitted on ``units``."""
    return _effect


@pytest.fixture
def ls_like_sample():
    return _ls_like_sample


@pytest.fixture
def checker_with_facts():
    """A checker that has released the LS prose facts of a sample and registered its counts of people."""
    return _checker_with_facts


@pytest.fixture
def income_world():
    """Incomes of movers and stayers, white and non-white, with one income of 999,999 if ``outlier``."""
    return _income_world
