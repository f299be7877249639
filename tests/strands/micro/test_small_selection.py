"""A selection too small to estimate is withheld with its reason, not a crash (issue 25, case 12: at
``--scale 0.1`` movers_stayers stopped on a singular motivation model; a small restricted selection
stopped the chapter)."""

from pathlib import Path

import numpy as np
import pandas as pd

from movers.core import source
from movers.pages import micro as micro_pages
from movers.sdc.checker import Checker
from movers.sdc.rules import REASONS, SUPPRESSED
from movers.strands.micro import common as micro


def _formula(outcome, model=3, interact=None, extra=()):
    return f"{outcome} ~ " + " + ".join(["mover", "x", "C(year)"][: model + 0] + list(extra))


STRAND = micro.Strand("toy", {"y": "Outcome"}, {}, _formula)


def _study(sample):
    chk = Checker("movers_stayers", {})
    src = source.DataSource("restricted", Path("."), rules={})
    return micro_pages.Study("movers_stayers", STRAND, sample, ["y"], [], chk, src)


def test_models_that_cannot_be_estimated_are_withheld_with_the_reason():
    rng = np.random.default_rng(4)
    n = 40
    sample = pd.DataFrame({"mover": rng.integers(0, 2, n), "x": rng.normal(size=n), "year": rng.choice([2000, 2001], n)})
    sample["y"] = 0  # nobody has the outcome: every year level predicts it perfectly
    study = _study(sample)
    models = micro_pages.mover_models(study)
    assert set(models["y"]) == set(micro.MODELS)
    assert all(np.isnan(e.coefs.loc["Mover", "estimate"]) for e in models["y"].values())
    w = study.chk.withheld()
    assert len(w) == 3 and set(w["rule"]) == {REASONS["not estimable"]}
    assert len(study.extra["not_estimable"]) == 3 and "no observations are left" in study.extra["not_estimable"][0]
    table = micro_pages.models_table(study, models, caption="caption", notes="notes", label="table-models", controls={})
    assert set(table.frame.loc["Outcome"]) == {SUPPRESSED}
