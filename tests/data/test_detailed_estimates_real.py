"""The detailed-estimates loader on the real ONS slice (year ending June 2017, age 18, official layout),
read as the two parts ONS publishes; skips when ../shared/data/public is absent."""

from __future__ import annotations

import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.data import geography, ons_flows
from movers.data.geography import BOUNDARY_FILE

pytestmark = pytest.mark.public

SLICE = "ons_detailed_estimates_age18_subset/Detailed_Estimates_2017_age18_subset.csv"


@pytest.fixture(scope="module")
def real(shared_public):
    known = set(geography.read_boundaries(shared_public / "lad_boundaries_2014_sgcb" / BOUNDARY_FILE)["la_code"])
    return pd.read_csv(shared_public / SLICE, dtype={"OutLA": str, "InLA": str, "Sex": str}), known


def _write_parts(df, folder, cut):
    folder.mkdir(exist_ok=True)
    df.iloc[:cut].to_csv(folder / ons_flows.detailed_name(2017, 1), index=False)
    df.iloc[cut:].to_csv(folder / ons_flows.detailed_name(2017, 2), index=False)


def test_real_slice_reads_with_scotland_and_ni_counted(real, tmp_path):
    df, known = real
    assert len(df) == 23028 and round(df["Moves"].sum()) == 50893  # as MANIFEST.md, part three, describes it
    p = tmp_path / ons_flows.detailed_name(2017, 1)
    df.to_csv(p, index=False)
    table, dropped = ons_flows.read_part(p, known)
    assert set(table["origin"]) <= known and set(table["destination"]) <= known
    assert dropped.rows == int(df["OutLA"].str.match("^[SN]").sum() + df["InLA"].str.match("^[SN]").sum()) == len(df) - len(table)
    assert table["moves"].sum() + dropped.total == pytest.approx(df["Moves"].sum())
    assert (table["moves"] % 1 != 0).any()  # ONS's scaled, fractional estimates kept as they are


def test_real_slice_in_two_parts_reads_as_one_year(real, tmp_path):
    df, known = real
    mid = len(df) // 2
    cut = mid + int((df["OutLA"].iloc[mid:] != df["OutLA"].iloc[mid]).to_numpy().argmax())  # between two origins
    _write_parts(df, tmp_path / "flows", cut)
    report = []
    year = ons_flows.read_detailed(tmp_path / "flows", [2017], report=report)
    assert len(year) + sum(d.rows for d in report) == len(df)
    assert len(report) == 2  # both parts hold moves to or from Scotland and Northern Ireland


def test_real_slice_on_another_vintage_is_rejected_by_name(real, tmp_path):
    df, known = real
    p = tmp_path / ons_flows.detailed_name(2017, 1)
    df.assign(OutLA=df["OutLA"].replace({"E07000205": "E07000244", "E07000206": "E07000244"})).to_csv(
        p, index=False
    )  # 2019 East Suffolk
    with pytest.raises(
        InputError, match=r"E07000244 \((covers 2 authorities of the geography|created 2019 from E07000205, E07000206)"
    ):
        ons_flows.read_part(p, known)
