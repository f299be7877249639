"""Prose facts of the microdata chapters pass through the checker: a count or share resting on too few people
is glued as [c], the rest as formatted text; inactive (synthetic) checkers only format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from movers.core import source
from movers.estimators.results import Estimates, coef_frame
from movers.pages import ls_deprived as LS, micro as P, movers_stayers as MS
from movers.sdc.checker import Checker


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
    chk = Checker("t", {}, active=True)
    out = P.checked_facts(chk, "Sample (prose)", facts, MS.bhps_fact_counts(s), MS.BHPS_FORMATS)
    assert out["n_returners"] == "[c]"  # four returners
    assert out["pct_younger"] == "[c]"  # nobody younger: a zero cell
    assert out["n_sample"] == "200" and out["pct_movers"] == "40.0"
    assert ("Sample (prose)", "n_returners") in {(o, r) for o, r in zip(chk.withheld()["output"], chk.withheld()["row"])}
    plain = P.checked_facts(Checker("t", {}, active=False), "Sample (prose)", facts, MS.bhps_fact_counts(s), MS.BHPS_FORMATS)
    assert plain["n_returners"] == "4"


def test_quintile_words_follow_the_parameter():
    assert "most deprived" in LS.quintile_words(1) and "least deprived" in LS.quintile_words(5)
    assert LS.quintile_words(3).startswith("quintile 3 of 5")


def _study(chapter="movers_stayers"):
    from movers.strands.micro import movers_stayers as O

    facts = {"teen_lo": 15, "teen_hi": 19, "year_lo": 2000, "year_hi": 2019, "adult_lo": 25, "adult_hi": 41}
    return P.Study(
        chapter, O.strand("adult_la"), pd.DataFrame(), ["employed"], [], Checker(chapter, {}, active=False), None, facts=facts
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
    table = P.effects_table(
        _study(), {"Employed": Estimates(coefs, nobs=1234)}, name="Table 27", caption="Table 27: c", notes="n", label="table-27"
    )
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


# ----------------------------------------------------------------------------- counts in table notes (issue 25)


def _ls_study(movers: int, chk: Checker) -> P.Study:
    """An LS study of 376 people, ``movers`` of them movers, with every Table 30 attribute varied enough
    that no share is withheld for its own sake."""
    from movers.strands.micro import ls_deprived as ls

    n = 376
    rng = np.random.default_rng(5)
    sample = pd.DataFrame(
        {
            "mover": [1] * movers + [0] * (n - movers),
            "parent_class": rng.choice(["prof", "skilled", "semi"], n),
            "occ_class": rng.choice(["prof", "skilled", "semi"], n),
            **{k: rng.integers(0, 2, n).astype(float) for k in ("disabled", "degree", "employed")},
        }
    )
    src = source.DataSource("restricted", Path("/secure"))
    study = P.Study("ls_deprived", ls.strand(), sample, ["employed"], [], chk, src, facts={"quintile": 2})
    study.extra["child_censuses"] = [1971]
    P.register_sample(chk, sample)  # the prose prints the sample's 376
    return study


def test_a_count_in_a_table_note_is_checked_with_the_other_counts_of_the_page():
    """Table 30's note printed "Number of observations: 370 stayers and 6 movers" beside the prose's 376:
    six movers, and 376 - 370 = 6, whatever the shares above it withheld. The note's counts now pass the
    page-wide check like the prose's and the models'."""
    chk = Checker("ls_deprived", {})
    note = LS.table30(_ls_study(6, chk)).notes
    assert "370 stayers" not in note and "6 movers" not in note
    assert "[c] stayers and [c] movers" in note
    listed = chk.withheld()
    assert {"Table 30 (note): stayers", "Table 30 (note): movers"} <= set(listed["row"])
    # a note whose counts are safe prints them, and an inactive checker prints them whatever they are
    assert "188 stayers and 188 movers" in LS.table30(_ls_study(188, Checker("ls_deprived", {}))).notes
    assert "370 stayers and 6 movers" in LS.table30(_ls_study(6, Checker("ls_deprived", {}, active=False))).notes


def test_the_notes_written_for_the_synthetic_world_say_something_true_on_real_data():
    """Issue 25 (13): the book's prose checker (``tools/check_prose.py``) found an "empty glue" on every restricted
    page: the notes that set estimates beside the synthetic world's generating values were glued as "" on real
    data (``recovery_text``; ``note_models`` and ``note_28`` of ``movers_stayers``). Each now says, on real
    data, what the page does instead, and the synthetic wording is unchanged."""
    real = P.Study(
        "ls_deprived", None, pd.DataFrame(), [], [], Checker("t", {}), source.DataSource("restricted", Path("/secure"))
    )
    text = P.recovery_text(real, results=[], truths=[], what="cells of Tables 24 and 27")
    assert text and "generated" in text
    for synthetic in (True, False):
        notes = MS.model_notes(synthetic)
        assert set(notes) == {"note_models", "note_28"} and all(notes.values()), synthetic
    assert MS.model_notes(True)["note_models"].startswith("In the synthetic world the mover propensity depends on degree")
    assert not any("synthetic" in v for v in MS.model_notes(False).values())


def test_the_motivation_sample_in_prose_is_checked_with_the_table_notes_count():
    """The prose's "150 gave all four motivation answers" beside Table 25's note "Total observations 155" (those
    who answered its question) gave away the five who answered one question but not all four."""
    sample = pd.DataFrame({"mover": [0, 1] * 100})
    chk = Checker("movers_stayers", {})
    study = P.Study("movers_stayers", None, sample, [], [], chk, source.DataSource("restricted", Path("/secure")))
    P.register_sample(chk, sample)  # the prose's 200
    assert chk.count_text("Table 25 (note): total observations", sample.index[:155]) == "155"
    assert MS.motivation_facts(study, sample.iloc[:150])["n28"] == "[c]"  # 155 - 150 = 5
    assert MS.motivation_facts(study, sample.iloc[:140])["n28"] == "140"  # 15 apart: both may be printed
