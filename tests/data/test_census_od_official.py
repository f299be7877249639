"""The 2011 Census matrix's official source (Nomis MM01CUK_ALL) in the manifest, and its adapter reading the
official Nomis layout: the workplace mirror, laid out as a Nomis extract, reads to the same matrix."""

from __future__ import annotations

import pandas as pd
import pytest

from movers import fetch
from movers.data import public

MIRROR = "census2011_migration_od_la_simim/testdata.csv.gz"
CROSSWALK = "lad_code_harmonisation/lad_nmcd_changes.csv"


def test_manifest_names_the_official_table_and_keeps_the_file_as_an_unverified_mirror():
    d = fetch.load_manifest()["census2011_od"]
    assert d["table"] == "MM01CUK_ALL" and "MM01CUK_ALL" in d["query"]
    assert d["page"].startswith("https://www.ons.gov.uk/census/2011census/")
    assert d["verified"] is False and "mirror" in d["note"]
    assert d["adapter"] == "movers.data.public.read_census_od"


@pytest.mark.public
@pytest.mark.slow
def test_a_nomis_extract_reads_to_the_same_matrix_as_the_mirror(shared_public, tmp_path):
    raw = pd.read_csv(shared_public / MIRROR)
    nomis = raw.rename(
        columns={
            "O_GEOGRAPHY_CODE": "ADDRESS_ONE_YEAR_AGO_CODE",
            "D_GEOGRAPHY_CODE": "USUAL_RESIDENCE_CODE",
            "MIGRATIONS": "OBS_VALUE",
        }
    )[["ADDRESS_ONE_YEAR_AGO_CODE", "USUAL_RESIDENCE_CODE", "OBS_VALUE"]]
    nomis.to_csv(tmp_path / "mm01cuk_all.csv", index=False)
    crosswalk = public.read_crosswalk(shared_public / CROSSWALK)
    a = public.read_census_od(shared_public / MIRROR, crosswalk)
    b = public.read_census_od(tmp_path / "mm01cuk_all.csv", crosswalk)
    pd.testing.assert_frame_equal(a.drop(columns=["origin_people"], errors="ignore"), b)
