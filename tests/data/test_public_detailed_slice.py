"""The real slice of the ONS detailed estimates (year ending June 2017, age 18), read through its manifest
entry and ``public.read_detailed_slice`` although its name is not ONS's; skips when ../shared is absent."""

from __future__ import annotations

import pytest

from movers import fetch
from movers.core.errors import InputError
from movers.data import geography, manifest, public
from movers.data.geography import BOUNDARY_FILE

pytestmark = pytest.mark.public


@pytest.fixture(scope="module")
def entry():
    return fetch.load_manifest()["ons_detailed_2017_age18_slice"]


def test_the_slice_reads_with_the_year_the_manifest_gives(shared_public, entry):
    path = manifest.local_path(shared_public, "ons_detailed_2017_age18_slice")
    known = set(geography.read_boundaries(shared_public / "lad_boundaries_2014_sgcb" / BOUNDARY_FILE)["la_code"])
    table, dropped = public.read_detailed_slice(path, entry["year"], known)
    assert set(table["year"]) == {2017} and set(table["age"]) == {18} and set(table["sex"]) == {"M", "F"}
    assert len(table) + dropped.rows == 23_028  # MANIFEST.md, part three: every row kept or counted as dropped
    assert table["moves"].sum() + dropped.total == pytest.approx(50_893, abs=1)
    assert set(table["origin"]) <= known and not table["origin"].str.match("^[SN]").any()


def test_the_slice_without_a_year_is_refused_by_name(shared_public):
    path = manifest.local_path(shared_public, "ons_detailed_2017_age18_slice")
    with pytest.raises(InputError, match="Detailed_Estimates_YYYY_Dataset_N.csv"):
        public.read_detailed_slice(path, None)


def test_the_slice_checksum_is_pinned(shared_public, entry):
    (f,) = entry["files"]
    assert fetch.sha256_of(shared_public / entry["folder"] / f["name"]) == f["sha256"]
