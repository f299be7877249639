"""ONS's *Internal migration in England and Wales* time series (movers.data.ons_timeseries), on files written
here in its layout: a CSV with a year column or a workbook with a sheet per year, later LA codes, put on
the common units that every vintage nests in, and handed to the detailed-estimates loader."""

from __future__ import annotations

import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.data import codes as lacodes, ons_flows, ons_timeseries as ts

CORBY, KETTERING, NORTH_NORTHANTS = "E07000150", "E07000153", "E06000061"
BOURNEMOUTH, POOLE, BCP = "E06000028", "E06000029", "E06000058"
LEEDS, YORK = "E08000035", "E06000014"

# A stand-in for lad_lad20x.csv: the 2019 BCP merger is in the table; the 2021 Northamptonshire one is not.
TABLE = lacodes.Harmonisation(
    {BOURNEMOUTH: BCP, POOLE: BCP, BCP: BCP, CORBY: CORBY, KETTERING: KETTERING, LEEDS: LEEDS, YORK: YORK}, "test"
)


def rows(year, pairs):
    return pd.DataFrame(
        [(year, o, d, a, s, m) for o, d, a, s, m in pairs], columns=["Year", "OutLA", "InLA", "Age", "Sex", "Moves"]
    )


@pytest.fixture
def csv_file(tmp_path):
    df = pd.concat(
        [
            rows(2012, [(CORBY, LEEDS, 25, "M", 1.5), (KETTERING, LEEDS, 25, "M", 2.0), (CORBY, KETTERING, 30, "F", 4.0)]),
            rows(2013, [(BOURNEMOUTH, YORK, 20, "F", 3.25), (LEEDS, POOLE, 40, "M", 1.0), (POOLE, BOURNEMOUTH, 22, "F", 7.0)]),
            rows(2022, [(NORTH_NORTHANTS, LEEDS, 25, "M", 5.0), (BCP, YORK, 20, "F", 2.5)]),
        ],
        ignore_index=True,
    )
    path = tmp_path / "internal_migration_timeseries.csv"
    df.to_csv(path, index=False)
    return path


def test_csv_with_a_year_column_reads_as_the_loaders_table(csv_file):
    t = ts.read_timeseries(csv_file)
    assert list(t.columns) == ["year", "origin", "destination", "age", "sex", "moves"]
    assert sorted(t["year"].unique()) == [2012, 2013, 2022] and t["moves"].sum() == pytest.approx(26.25)
    assert list(ts.read_timeseries(csv_file, years=[2013])["year"].unique()) == [2013]
    with pytest.raises(InputError, match="no moves for year"):
        ts.read_timeseries(csv_file, years=[2015])


def test_workbook_with_a_sheet_per_year_skips_other_sheets(tmp_path):
    path = tmp_path / "detailedestimates.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"Contents": ["notes"]}).to_excel(xl, sheet_name="Contents", index=False)
        rows(0, [(CORBY, LEEDS, 25, "M", 1.5)]).drop(columns="Year").to_excel(xl, sheet_name="2021 on 2023 LAs", index=False)
        rows(0, [(NORTH_NORTHANTS, LEEDS, 25, "F", 2.5)]).drop(columns="Year").to_excel(
            xl, sheet_name="2022 on 2023 LAs", index=False
        )
    t = ts.read_timeseries(path)
    assert t.set_index("year")["origin"].to_dict() == {2021: CORBY, 2022: NORTH_NORTHANTS}
    assert set(t["sex"]) == {"M", "F"}


def test_bad_rows_are_refused_with_the_file_named(tmp_path):
    bad = rows(2012, [(CORBY, LEEDS, 25, "X", 1.0)])
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(InputError, match="bad.csv.*Sex must be M or F"):
        ts.read_timeseries(tmp_path / "bad.csv")
    rows(2012, [(CORBY, LEEDS, 25, "M", 1.0)]).drop(columns="Year").to_csv(tmp_path / "noyear.csv", index=False)
    with pytest.raises(InputError, match="no year column"):
        ts.read_timeseries(tmp_path / "noyear.csv")


def test_old_and_later_codes_land_in_one_common_unit():
    units = lacodes.common_units(TABLE)
    assert units[CORBY] == units[KETTERING] == units[NORTH_NORTHANTS]  # merged in 2021: not in the table
    assert units[BOURNEMOUTH] == units[POOLE] == units[BCP] == BCP  # merged in 2019: the table's own unit
    assert units[LEEDS] == LEEDS and units[CORBY] != units[LEEDS]


def test_harmonise_adds_up_moves_and_drops_those_inside_a_merged_unit(csv_file):
    t = ts.read_timeseries(csv_file)
    out, done = ts.harmonise(t, lacodes.common_units(TABLE))
    nn = lacodes.common_units(TABLE)[CORBY]
    y12 = out[out["year"] == 2012]
    assert len(y12) == 1 and y12.iloc[0][["origin", "destination"]].tolist() == [nn, LEEDS]
    assert y12["moves"].sum() == pytest.approx(3.5)  # Corby + Kettering to Leeds, same age and sex
    assert done["rows_within_unit"] == 2 and done["moves_within_unit"] == pytest.approx(
        11.0
    )  # Corby-Kettering, Poole-Bournemouth
    assert {CORBY, KETTERING, BOURNEMOUTH, POOLE} <= set(done["codes_recoded"])
    # the same flow on 2023 codes (2022) and on 2012 codes sits on the same unit
    assert set(out.loc[out["year"] == 2022, "origin"]) == {nn, BCP}
    assert out["moves"].sum() + done["moves_within_unit"] == pytest.approx(t["moves"].sum())


def test_written_parts_read_back_through_the_detailed_estimates_loader(csv_file, tmp_path):
    out, _ = ts.harmonise(ts.read_timeseries(csv_file), lacodes.common_units(TABLE))
    written = ts.write_detailed_parts(out, tmp_path / "flows")
    assert [p.name for p in written[:2]] == ["Detailed_Estimates_2012_Dataset_1.csv", "Detailed_Estimates_2012_Dataset_2.csv"]
    for year in (2012, 2013, 2022):
        back = ons_flows.read_year(tmp_path / "flows", year)
        assert back["moves"].sum() == pytest.approx(out.loc[out["year"] == year, "moves"].sum())


@pytest.mark.public
def test_common_units_on_the_shared_harmonisation_table(shared_public):
    units = lacodes.common_units(lacodes.read_table(shared_public / lacodes.TABLE))
    assert units[CORBY] == units[NORTH_NORTHANTS] == units["E07000156"]  # Wellingborough
    assert units["E07000026"] == units["E06000063"] != units["E06000064"] == units["E07000031"]  # Cumbria split in two
    assert units[BOURNEMOUTH] == units[BCP] and units["E09000001"] == units["E09000033"]  # City with Westminster
