"""Prose facts of the microdata chapters pass through the checker: a count or share resting on too few people
is glued as [c], the rest as formatted text; inactive (synthetic) checkers only format."""

from __future__ import annotations

import pandas as pd

from movers import sdc
from movers.estimators.results import Estimates
from movers.pages import micro as P
from movers.pages.tables import coef_frame


def _sample():
    return pd.DataFrame(
        {
            "mover": [1] * 80 + [0] * 120,
            "returner": [True] * 4 + [False] * 196,
            "age": [30] * 100 + [31] * 100,
            "distance": 12.0,
            "reason2": ["x"] * 50 + [None] * 150,
            "n_parents": [2] * 150 + [1] * 50,
        }
    )


def test_small_counts_in_prose_are_withheld_on_restricted_data():
    s = _sample()
    facts = {
        "n_sample": 200,
        "n_movers": 80,
        "pct_movers": 40.0,
        "n_returners": 4,
        "pct_age30": 50.0,
        "pct_older": 50.0,
        "pct_younger": 0.0,
        "median_distance": 12.0,
        "n_motivation": 50,
        "pct_two_parents": 75.0,
    }
    chk = sdc.Checker("t", {}, active=True)
    out = P.checked_facts(chk, "Sample (prose)", facts, P.bhps_fact_counts(s), P.BHPS_FORMATS)
    assert out["n_returners"] == "[c]"  # four returners
    assert out["pct_younger"] == "[c]"  # nobody younger: a zero cell
    assert out["n_sample"] == "200" and out["pct_movers"] == "40.0"
    assert ("Sample (prose)", "n_returners") in {(o, r) for o, r in zip(chk.withheld()["output"], chk.withheld()["row"])}
    plain = P.checked_facts(sdc.Checker("t", {}, active=False), "Sample (prose)", facts, P.bhps_fact_counts(s), P.BHPS_FORMATS)
    assert plain["n_returners"] == "4"


def test_quintile_words_follow_the_parameter():
    assert "most deprived" in P.quintile_words(1) and "least deprived" in P.quintile_words(5)
    assert P.quintile_words(3).startswith("quintile 3 of 5")


def _study(chapter="movers_stayers"):
    from movers.strands.micro import movers_stayers as O

    facts = {"teen_lo": 15, "teen_hi": 19, "year_lo": 2000, "year_hi": 2019, "adult_lo": 25, "adult_hi": 41}
    return P.Study(
        chapter, O.strand("adult_la"), pd.DataFrame(), ["employed"], [], sdc.Checker(chapter, {}, active=False), None, facts=facts
    )


def test_a_model_that_cannot_be_estimated_names_table_model_selection_and_reason(monkeypatch):
    """Issue 17: a singular design on a small sample is reported naming the table, the model, the selection
    and why, not 'LinAlgError: Singular matrix in cell 7'. Issue 25 (12): it no longer stops the page; the
    model is withheld and listed with its reason."""
    import numpy as np
    import pytest

    from movers.strands.micro import common as micro

    def singular(*args, **kwargs):
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(micro, "fit_model", singular)
    study = _study()
    models = P.mover_models(study)
    assert all(np.isnan(e.coefs.loc["Mover", "estimate"]) for per in models.values() for e in per.values())
    first = study.extra["not_estimable"][0]
    assert first.startswith("Models 1-3: Model 1 of employed") and "singular design" in first
    text = P.output_checking(study).data
    assert "teenagers aged 15-19 with a parent, adult observations 2000-2019 at ages 25-41" in text and first in text
    with pytest.raises(micro.NotEstimable, match="Model 3 with a, b of employed"):
        micro.mover_model(_study().strand, pd.DataFrame(), "employed", 3, ("a", "b"))


def test_groups_not_estimable_are_listed_with_the_selection_on_unrestricted_pages():
    study = _study()
    study.extra["not_estimable"] = ["Table 27 and Table 24: Model 3 of Employed interacted with ethnicity: perfect separation"]
    text = P.output_checking(study).data
    assert (
        "cannot be estimated on this selection (teenagers aged 15-19" in text
        and "interacted with ethnicity: perfect separation" in text
    )


def test_tables_read_estimates_not_dataframe_attrs():
    """Regression tables of the microdata pages are fed ``Estimates`` (coefs, nobs): the Observations row and
    the unrounded values come from them, with no result carried in ``DataFrame.attrs``."""
    from movers.estimators.results import Estimates

    coefs = pd.DataFrame({"estimate": [0.1, -0.2], "se": [0.05, 0.1], "pvalue": [0.04, 0.05]}, index=["White", "Non-white"])
    table = P.effects_table(_study(), {"Employed": Estimates(coefs, nobs=1234)}, "Table 27", "Table 27: c", "n", "table-27")
    assert table.frame.loc["Observations", "Employed"] == "1,234"
    assert table.values is not None and set(table.values["nobs"]) == {1234}
    assert not coefs.attrs


def test_group_difference_tests_carry_holm_adjusted_p_values():
    """Three tests at p = 0.01, 0.03, 0.04: all significant alone; Holm (x3, x2, x1, running maximum) keeps
    only the first. A withheld row (no p-value) is in neither count nor the family."""
    est = Estimates(
        coef_frame(
            ["Male versus female", "Degree versus none", "White versus non-white"],
            [0.1, 0.2, -0.1],
            [1, 1, 1],
            [0.01, 0.03, 0.04],
        )
    )
    withheld = Estimates(coef_frame(["Male versus female"], [float("nan")], [float("nan")], [float("nan")]))
    facts = P.significant_text({"Employed": est, "Hours": withheld})
    assert (facts["n_sig"], facts["n_sig_holm"]) == (3, 1)
    assert facts["sig_holm_text"].startswith("Male versus female (Employed")
    table = P.holm_table({"Employed": est, "Hours": withheld}, "caption", "label")
    assert list(table.frame["Holm-adjusted p-value"]) == ["0.030", "0.060", "0.060"]
    assert len(table.frame) == 3
