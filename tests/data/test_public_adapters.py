"""Adapters of the part-two open files (MYEB3, single year of age, HPSSA, the 2011 LA classification, TFR,
IMD 2010 LA approximation) and the 2011 Census inputs built from them, on the real files.

Every test that reads a real file skips cleanly when ../shared/data/public is absent (the
``shared_public`` fixture); bad-input tests write their broken copies to tmp_path only.
"""

from __future__ import annotations

import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.data import codes as lacodes, public
from movers.strands.flows.public import census_inputs

MYEB3 = "mye_components_2001_2018/MYEB3_summary_components_of_change_series_UK_(2018).csv"
SYOA = "mye_syoa_2011_2018/mye_lad18_syoa_sex_2011_2018_nomis_NM_2002_1.csv.gz"
HPSSA = "house_prices_hpssa9/hpssa9_median_price_paid_lad_1995_2018.csv.gz"
CLASSIFICATION = "la_classification_2011/ons_la_classification_2011_v2_by_lad.csv"
TFR = "births_fertility_lad/tfr_lad21_2011_2018_DERIVED.csv"
IMD_APPROX = "imd2010_la_approx/imd2010_lad11_summary_DERIVED_unweighted.csv"


@pytest.mark.public
def test_myeb3_official_layout(shared_public):
    m = public.read_myeb3(shared_public / MYEB3)
    assert m["la_code"].nunique() == 391 and sorted(m["year"].unique()) == list(range(2002, 2019))
    ew = m[m["la_code"].str[0].isin(["E", "W"])]
    assert ew.loc[ew["year"] == 2018, "population"].sum() == 59_115_809  # the published E&W mid-2018 total
    assert ew.loc[ew["year"] == 2011, "population"].sum() == 56_170_927
    assert ew.loc[ew["year"] == 2017, "internal_in"].sum() == pytest.approx(3.28e6, rel=0.01)


@pytest.mark.public
def test_myeb3_rejects_a_file_without_flows(shared_public, tmp_path):
    df = pd.read_csv(shared_public / MYEB3, nrows=5)
    df[[c for c in df.columns if not c.startswith("internal_")]].to_csv(tmp_path / "m.csv", index=False)
    with pytest.raises(InputError, match="m.csv: no internal_in_YYYY columns"):
        public.read_myeb3(tmp_path / "m.csv")


@pytest.mark.public
def test_single_year_of_age_matches_myeb3_and_the_young_share(shared_public):
    s = public.read_syoa(shared_public / SYOA)
    assert len(s) == 142_324 and sorted(s["year"].unique()) == [2011, 2018] and s["age"].max() == 90
    m = public.read_myeb3(shared_public / MYEB3)
    tot = s[s["year"] == 2018].groupby("la_code")["population"].sum()
    assert (tot - m[m["year"] == 2018].set_index("la_code")["population"].reindex(tot.index)).abs().max() == 0
    ew = s[s["la_code"].str[0].isin(["E", "W"]) & (s["year"] == 2011)]
    young = ew.loc[ew["age"].between(15, 29), "population"].sum() / ew["population"].sum()
    assert young == pytest.approx(0.199, abs=0.001)  # MANIFEST: 19.9 per cent in 2011
    d = public.demography(s, 2011)
    assert d.loc["E08000003", "population"] == s.loc[(s["year"] == 2011) & (s["la_code"] == "E08000003"), "population"].sum()
    assert (
        d["dependency_ratio"].idxmin() == "E09000030" and d["dependency_ratio"].max() < 0.7
    )  # Tower Hamlets: fewest over-65s per working-age resident
    with pytest.raises(InputError, match="no population by age for 2015"):
        public.demography(s, 2015)


@pytest.mark.public
def test_hpssa_all_types(shared_public):
    h = public.read_hpssa(shared_public / HPSSA)
    june18 = h[(h["year"] == 2018) & (h["month"] == "Jun")].set_index("la_code")["price"]
    assert len(june18) == 348 and june18.idxmax() == "E09000020"  # Kensington and Chelsea
    assert june18.median() == pytest.approx(229_500, rel=0.01)
    with pytest.raises(InputError, match="no rows for house type 'bungalow'"):
        public.read_hpssa(shared_public / HPSSA, house_type="bungalow")


@pytest.mark.public
def test_classification_counts_per_supergroup(shared_public):
    c = public.read_la_classification(shared_public / CLASSIFICATION)
    assert len(c) == 391
    ew = c[c["la_code"].str[0].isin(["E", "W"])]["supergroup"].value_counts()
    assert ew["Countryside Living"] == 72 and ew["London Cosmopolitan"] == 12 and ew.sum() == 348
    assert ew["Business, Education and Heritage Centres"] == 30  # "&" read as "and"


@pytest.mark.public
def test_classification_rejects_unknown_supergroups(shared_public, tmp_path):
    df = pd.read_csv(shared_public / CLASSIFICATION, dtype=str)
    df.loc[3, "supergroup_name"] = "Seaside Towns"
    df.to_csv(tmp_path / "c.csv", index=False)
    with pytest.raises(InputError, match="c.csv: unknown supergroup name.*Seaside Towns"):
        public.read_la_classification(tmp_path / "c.csv")


@pytest.mark.public
def test_to_units_counts_drops_and_rejects_unknown_codes(shared_public):
    c = public.read_la_classification(shared_public / CLASSIFICATION)
    units = sorted(set(c["la_code"][c["la_code"].str[0].isin(["E", "W"])]) - set(public.CENSUS_MERGED))
    h = public.to_units(c, "classification", units, ["supergroup"], "first")
    assert len(h.dropped) == 43 and sorted(h.merged) == sorted(public.CENSUS_MERGED) and h.kept == 346
    bad = pd.concat([c, pd.DataFrame({"la_code": ["E07000999"], "supergroup": ["Urban Settlements"]})])
    with pytest.raises(InputError, match="classification: 1 LA code.*E07000999"):
        public.to_units(bad, "classification", units, ["supergroup"], "first")


@pytest.fixture(scope="module")
def census(shared_public, tmp_path_factory):
    return census_inputs(shared_public, tmp_path_factory.mktemp("census_geo"))


@pytest.mark.public
def test_census_inputs_on_the_346_census_areas(census):
    assert census.notes["n_units"] == 346 and census.notes["n_england"] == 324
    assert census.notes["moves_dropped"] > 1e5  # moves involving Scotland: counted, not silently lost
    assert len(census.od) == 346 * 345 and census.od["moves"].sum() == 2_505_756
    assert census.covariates.notna().all().all() and census.notes["population_check"] == 0
    assert census.covariates["population"].sum() == 56_170_927  # mid-2011 E&W, City and Scilly inside their units
    assert census.types["supergroup"].value_counts()["London Cosmopolitan"] == 11  # City merged into Westminster
    assert sorted(census.types["imd"].value_counts()) == [64, 64, 65, 65, 66]
    assert census.types.loc["E08000012", "imd"] == "High deprivation"  # Liverpool, most deprived in IMD 2010
    # TFR of 2021 merged authorities given to each former district
    assert len(census.harmonised["tfr"].spread) == 8 and census.covariates["tfr"].between(1.2, 2.6).all()


@pytest.mark.public
def test_lad20x_knows_the_2019_to_2021_mergers(shared_public):
    h = lacodes.read_table(shared_public / lacodes.TABLE).members(lacodes.NORTHANTS_2021)
    assert "E07000150" in h["E06000061"] and "E07000048" in h["E06000058"]  # Corby; Christchurch in BCP


@pytest.mark.public
def test_classification_reads_the_official_workbook_layout(shared_public, tmp_path):
    """clustermembershipv2.xls: sheet "Clusters by Local Authority", nine lines of notes, then Code, Name, ... headers."""
    tidy = pd.read_csv(shared_public / CLASSIFICATION, dtype=str)
    sheet = tidy.rename(
        columns={
            "lad_code": "Code",
            "lad_name": "Name",
            "supergroup_name": "Supergroup Name",
            "group_name": "Group Name",
            "subgroup_name": "Subgroup Name",
        }
    )
    sheet = sheet[["Code", "Name", "Supergroup Name", "Group Name", "Subgroup Name"]]
    sheet["Supergroup Name"] = sheet["Supergroup Name"].str.replace(" and ", " & ", regex=False)
    with pd.ExcelWriter(tmp_path / "clustermembershipv2.xlsx") as xw:
        pd.DataFrame({"a": ["notes"] * 8}).to_excel(xw, sheet_name="Clusters by Local Authority", index=False)
        sheet.to_excel(xw, sheet_name="Clusters by Local Authority", index=False, startrow=9)
    a = public.read_la_classification(tmp_path / "clustermembershipv2.xlsx")
    b = public.read_la_classification(shared_public / CLASSIFICATION)
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    with pytest.raises(InputError, match="cannot read LA area classification \\(sheet 'Clusters by Local Authority'\\)"):
        sheet.to_excel(tmp_path / "other.xlsx", sheet_name="Sheet1", index=False)
        public.read_la_classification(tmp_path / "other.xlsx")


def test_nomis_download_dates_become_years_for_the_nomis_loader(tmp_path):
    from movers.data import nomis

    raw = tmp_path / "raw.csv"
    raw.write_text(
        "DATE,DATE_NAME,GEOGRAPHY_CODE,GEOGRAPHY_NAME,VARIABLE_NAME,MEASURES_NAME,OBS_VALUE\n"
        "2016-12,Jan 2016-Dec 2016,E06000001,Hartlepool,Unemployment rate - aged 16-64,Variable,7.9\n"
        "2017-12,Jan 2017-Dec 2017,E06000001,Hartlepool,Unemployment rate - aged 16-64,Variable,6.1\n"
    )
    out = public.write_nomis_years(raw, tmp_path / "nomis" / "nomis_aps_unemployment.csv")
    table = nomis.read_nomis(out)
    assert table["year"].tolist() == [2016, 2017] and table["value"].tolist() == [7.9, 6.1]
    raw.write_text(raw.read_text().replace("2017-12", "2017-06"))  # a year to June is not the calendar year
    with pytest.raises(InputError, match="2017-06"):
        public.write_nomis_years(raw, tmp_path / "x.csv")
