"""NOMIS/ONS covariate loaders: the synthetic files load, typologies behave as specified, bad files are refused."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.data import nomis


@pytest.fixture(scope="module")
def world(tmp_path_factory, make_world):
    return make_world("nomis", seed=7, scale=0.1)


def _copy(world, tmp_path):
    dst = tmp_path / "nomis"
    shutil.copytree(world / "nomis", dst)
    return dst


def test_la_indicators_contract(world):
    df = nomis.la_indicators(world / "nomis")
    assert list(df.columns) == ["la_code", "year", "unemployment_rate", "prop_professional"]
    assert df["year"].min() == 2000 and df["year"].max() == 2019
    assert df["la_code"].nunique() == 348
    assert df["prop_professional"].between(0, 1).all()
    assert df["unemployment_rate"].between(0, 100).all()


def test_classifications_quintiles_and_wales(world):
    cl = nomis.classifications(world / "nomis")
    eng = cl[cl["la_code"].str.startswith("E")]
    wales = cl[cl["la_code"].str.startswith("W")]
    counts = eng["smi"].value_counts()
    assert abs(counts["Hot spot"] - len(eng) / 5) <= 1 and abs(counts["Cold spot"] - len(eng) / 5) <= 1
    assert wales["smi"].isna().all() and wales["imd"].isna().all()
    assert not set(wales["supergroup"]) & {"Affluent England", "Ethnically Diverse Metropolitan Living", "London Cosmopolitan"}
    assert cl["supergroup"].nunique() == 8
    # hot spots have the most professionals, high deprivation the most unemployment
    cov = nomis.covariates(world / "nomis").merge(cl, on="la_code")
    cov = cov[cov["year"].between(2011, 2018)]
    prof = cov.groupby("smi")["prop_professional"].mean()
    assert prof["Hot spot"] > prof["Medium spot"] > prof["Cold spot"]
    unemp = cov.groupby("imd")["unemployment_rate"].mean()
    assert unemp["High deprivation"] > unemp["Low deprivation"]


def test_table6_means_followed(world):
    """Supergroup means of 2011-2018 covariates sit near the report's Table 6 (relative error under 25%)."""
    from movers.synth.nomis import TABLE6, TABLE6_COLUMNS

    cov = nomis.covariates(world / "nomis").merge(nomis.classifications(world / "nomis"), on="la_code")
    means = (
        cov[cov["year"].between(2011, 2018)]
        .groupby("supergroup")[["gva_per_head", "house_price", "tfr", "young_share", "dependency_ratio"]]
        .mean()
    )
    for g, vals in TABLE6.items():
        want = dict(zip(TABLE6_COLUMNS, vals))
        for col in means.columns:
            assert abs(means.loc[g, col] / want[col] - 1) < 0.25, (g, col, means.loc[g, col], want[col])


def test_population_summary(world):
    s = nomis.population_summary(world / "nomis", years=[2016, 2017])
    assert set(s["year"]) == {2016, 2017}
    assert (s["population"] == s["population_male"] + s["population_female"]).all()
    assert s["young_share"].between(0.05, 0.5).all()


def test_missing_column(world, tmp_path):
    f = _copy(world, tmp_path)
    df = pd.read_csv(f / nomis.UNEMPLOYMENT_FILE).drop(columns="OBS_VALUE")
    df.to_csv(f / nomis.UNEMPLOYMENT_FILE, index=False)
    with pytest.raises(InputError, match="OBS_VALUE"):
        nomis.la_indicators(f)


def test_unknown_and_malformed_code(world, tmp_path):
    f = _copy(world, tmp_path)
    df = pd.read_csv(f / nomis.OCCUPATION_FILE, dtype=str)
    df.loc[3, "GEOGRAPHY_CODE"] = "E0X000001"
    df.to_csv(f / nomis.OCCUPATION_FILE, index=False)
    with pytest.raises(InputError, match="malformed LA code"):
        nomis.la_indicators(f)
    with pytest.raises(InputError, match="unknown LA code"):
        nomis.classifications(world / "nomis", known={"E06000001"})


def test_negative_count_and_bad_year(world, tmp_path):
    f = _copy(world, tmp_path)
    pop = pd.read_csv(f / nomis.POPULATION_FILE)
    pop.loc[10, "population_2015"] = -4
    pop.to_csv(f / nomis.POPULATION_FILE, index=False)
    with pytest.raises(InputError, match="negative population"):
        nomis.population(f)
    un = pd.read_csv(f / nomis.UNEMPLOYMENT_FILE)
    un.loc[0, "DATE"] = 2107
    un.to_csv(f / nomis.UNEMPLOYMENT_FILE, index=False)
    with pytest.raises(InputError, match="out of range"):
        nomis.la_indicators(f)
    with pytest.raises(InputError, match="no population for year"):
        nomis.population(world / "nomis", years=[1999])
