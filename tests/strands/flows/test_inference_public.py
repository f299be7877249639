"""The flows models on the real 2011 Census matrix (../shared/data/public; skipped without it): the
``exposure=rate`` fit that used to stop with "did not converge", and the estuary pairs' borders."""

from __future__ import annotations

import pytest

from movers.pages import flows_public as pages, maps
from movers.strands.flows import models as flows, public as census

pytestmark = [pytest.mark.public, pytest.mark.slow]


@pytest.fixture(scope="module")
def real(shared_public, tmp_path_factory):
    return census.census_inputs(shared_public, tmp_path_factory.mktemp("census_geo"))


def test_rate_exposure_fits_the_real_matrix(real):
    """Moves per 1,000 residents are underdispersed (fractions far below one): NB2's maximum is the Poisson
    limit. Before the fix Model 4 raised "NB2 fit did not converge in 27 Newton steps"; now it returns the
    Poisson fit (alpha 0), and Model 1, whose rates are overdispersed, stays a proper NB2."""
    frame = census.census_frame(real, "supergroup", include_zero=True)
    fits = flows.sending_models(frame, "supergroup", {"Model 1": [], "Model 4": census.MODELS["Model 4"]}, "rate")
    assert fits["Model 4"].converged and fits["Model 4"].extra["alpha"] == 0.0
    assert fits["Model 1"].extra["alpha"] > 0
    assert fits["Model 4"].coefs["se"].notna().all() and (fits["Model 4"].coefs["se"] > 0).all()


def test_estuary_neighbours_get_no_border_on_the_real_boundaries(real):
    bounds = maps.load_boundaries(real.boundary_file, units=real.units)
    facts = pages.border_facts("public", real, bounds)
    for a, b in census.ESTUARY_PAIRS:
        assert real.geography.share_border([a], [b])[0] == 0
    assert facts["estuary_text"].startswith("Of the three pairs of authorities that face each other across an estuary, 3 get no")
    assert real.geography.share_border(["E06000010"], ["E06000011"])[0] == 1  # Hull and the East Riding: land border
    assert facts["n_border_pairs"] == 881
