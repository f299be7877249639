"""Holm's step-down adjustment, by hand and against statsmodels."""

from __future__ import annotations

import numpy as np
import pytest

from movers.estimators.multiplicity import holm


def test_holm_by_hand():
    # sorted 0.01, 0.02, 0.03, 0.5: 4 x 0.01, max(0.04, 3 x 0.02), max(0.06, 2 x 0.03), max(0.06, 0.5)
    np.testing.assert_allclose(holm([0.03, 0.01, 0.5, 0.02]), [0.06, 0.04, 0.5, 0.06])
    np.testing.assert_allclose(holm([0.9, 0.8]), [1.0, 1.0])  # capped at one, never below the raw value


def test_holm_leaves_missing_values_out_of_the_family():
    out = holm([0.01, np.nan, 0.04])
    assert np.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2]], [0.02, 0.04])
    assert np.isnan(holm([np.nan])).all()


def test_holm_matches_statsmodels():
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    p = np.random.default_rng(3).uniform(0, 0.2, 15)
    np.testing.assert_allclose(holm(p), multitest.multipletests(p, method="holm")[1])
