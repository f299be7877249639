"""Flows: loader schema checks, the NB2 estimator against statsmodels, frames and rates by hand,
and the bias of fitting non-zero flows only (recovery of the true coefficients by the full model:
tests/synth/test_flows_truth.py)."""

from __future__ import annotations

import dataclasses
import shutil

import numpy as np
import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.data import manifest, ons_flows
from movers.strands.flows import models as flows

YEARS = [2017, 2018]


@pytest.fixture(scope="module")
def world(tmp_path_factory, make_world):
    return make_world("flows", seed=11, scale=0.1)


@pytest.fixture(scope="module")
def data(world):
    return flows.load(world, YEARS)


# ------------------------------------------------------------------ loader


def _one_file(world, tmp_path, year=2017):
    dst = tmp_path / "flows"
    dst.mkdir()
    src = world / "flows" / f"Detailed_Estimates_{year}_Dataset_1.csv"
    shutil.copy(src, dst / src.name)
    return dst / src.name


def test_detailed_layout_nonzero_rows(world):
    df = pd.read_csv(world / "flows" / "Detailed_Estimates_2017_Dataset_1.csv", nrows=1000)
    assert list(df.columns) == ["OutLA", "InLA", "Age", "Sex", "Moves"]
    assert (df["Moves"] > 0).all() and set(df["Sex"]) <= {"M", "F"}


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d.drop(columns="Moves"), "Moves"),
        (lambda d: d.assign(Moves=np.where(d.index == 5, -1, d["Moves"])), "negative Moves"),
        (lambda d: d.assign(OutLA=np.where(d.index == 5, "E06XX0001", d["OutLA"])), "malformed OutLA"),
        (lambda d: d.assign(Sex=np.where(d.index == 5, "X", d["Sex"])), "Sex must be"),
        (lambda d: d.assign(Age=np.where(d.index == 5, 120, d["Age"])), "Age must be"),
    ],
)
def test_detailed_schema_errors(world, tmp_path, edit, message):
    path = _one_file(world, tmp_path)
    edit(pd.read_csv(path, nrows=200)).to_csv(path, index=False)
    with pytest.raises(InputError, match=message) as err:
        ons_flows.read_detailed_file(path)
    assert str(path) in str(err.value)


def test_detailed_unknown_code_and_years(world, tmp_path):
    path = _one_file(world, tmp_path)
    with pytest.raises(InputError, match="unknown OutLA"):
        ons_flows.read_detailed_file(path, known={"E06000001"})
    with pytest.raises(InputError, match="no detailed estimates for year"):
        ons_flows.read_detailed(path.parent, [2016, 2017])
    with pytest.raises(InputError, match="empty"):
        ons_flows.read_detailed(path.parent, [])
    bad = path.with_name("Detailed_Estimates_1890_Dataset_1.csv")
    shutil.copy(path, bad)
    with pytest.raises(InputError, match="out of range"):
        ons_flows.read_detailed_file(bad)


def test_census_groups_add_up(world, tmp_path):
    src = world / "flows" / "census2011_migration_nssec_la.csv"
    long = ons_flows.read_census_groups(src, "NS-SEC: ")
    assert long["group"].nunique() == 5
    df = pd.read_csv(src)
    df.iloc[0, 3] += 1
    df.to_csv(tmp_path / "c.csv", index=False)
    with pytest.raises(InputError, match="do not add up"):
        ons_flows.read_census_groups(tmp_path / "c.csv", "NS-SEC: ")


# ------------------------------------------------------------------ estimator


def test_fit_nb2_matches_statsmodels():
    """Our Newton NB2 fit and HC1 SEs agree with statsmodels' NegativeBinomial on a small sample."""
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    n = 1500
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.binomial(1, 0.4, n)])
    off = rng.normal(0, 0.3, n)
    mu = np.exp(X @ [0.5, -0.7, 0.4] + off)
    y = rng.poisson(rng.gamma(1 / 0.8, 0.8 * mu))
    ours = flows.fit_nb2(X, y, off)
    ref = sm.NegativeBinomial(y, X, offset=off, loglike_method="nb2").fit(disp=0, maxiter=200, cov_type="HC1")
    assert ours.converged
    np.testing.assert_allclose(ours.params, ref.params[:3], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.alpha, ref.params[3], rtol=1e-3)
    np.testing.assert_allclose(ours.se, ref.bse[:3], rtol=2e-2)
    assert abs(ours.loglik - ref.llf) < 1e-4 * abs(ref.llf)


# ------------------------------------------------------------------ frames and rates


def test_pair_frame_full_matrix_and_lags(data):
    fr = flows.pair_frame(data, "smi", YEARS, include_zero=True)
    n = data.types["smi"].notna().sum()
    assert len(fr) == n * (n - 1) * len(YEARS)
    assert fr["moves"].sum() == pytest.approx(
        data.totals[data.totals["origin"].isin(fr["origin"]) & data.totals["destination"].isin(fr["destination"])]["moves"].sum()
    )
    row = fr.iloc[12345]
    cov = data.covariates.set_index(["la_code", "year"])
    assert row["log_young"] == pytest.approx(np.log(cov.loc[(row["origin"], row["year"] - 1), "young_share"]))
    assert row["log_house_d"] == pytest.approx(np.log(cov.loc[(row["destination"], row["year"] - 1), "house_price"]))
    nz = flows.pair_frame(data, "smi", YEARS, include_zero=False)
    assert (nz["moves"] > 0).all() and len(nz) == (fr["moves"] > 0).sum()


def test_type_rate_by_hand(data):
    rates = flows.type_rates(data, "smi", YEARS)
    t = data.types.set_index("la_code")["smi"]
    tot = data.totals[data.totals["origin"].map(t).eq("Cold spot") & data.totals["destination"].map(t).eq("Hot spot")]
    pop = data.population[data.population["la_code"].map(t).eq("Cold spot")]["population"].sum()
    assert rates.loc["Cold spot", "Hot spot"] == pytest.approx(100 * tot["moves"].sum() / pop)


def test_bad_parameters(data):
    with pytest.raises(InputError, match="typology"):
        flows.levels("regions")
    with pytest.raises(InputError, match="years"):
        flows.parse_years("")
    with pytest.raises(InputError, match="exposure"):
        flows.fit_model(flows.pair_frame(data, "smi", [2018]), "sending", flows.levels("smi"), "smi", [], exposure="per head")


# ------------------------------------------------------------------ recovery


def _z(model, truth: dict) -> pd.Series:
    tv = pd.Series({r: truth[(r, "Model 4")] for r in model.index})
    return (model.coefs["estimate"] - tv) / model.coefs["se"]


# Recovery of the true type effects and controls needs the full model (the dummies of all three typologies,
# both sides): tests/synth/test_flows_truth.py. A one-typology model (a report table) targets a projection.


def test_nonzero_only_is_biased(data):
    """Dropping zero flows (the report's sample) moves the distance elasticity far from the truth."""
    fr = flows.pair_frame(data, "smi", YEARS, include_zero=False)
    m4 = flows.sending_models(fr, "smi", ["Model 4"])["Model 4"]
    assert _z(m4, flows.true_values(data.truth))[flows.LABELS["log_distance"]] > 3


# ------------------------------------------------------------------ one gravity module: shapes, labels, selections


def test_models_by_name_or_by_controls_and_bad_names(data):
    """The open-data chapter passes its own specifications (name -> controls) and gets the same Estimates."""
    fr = flows.pair_frame(data, "smi", [2018])
    by_name = flows.sending_models(fr, "smi", ["Model 2"])
    by_spec = flows.sending_models(fr, "smi", {"Gravity": ["border", "log_distance"]})
    assert by_spec["Gravity"].coefs.equals(by_name["Model 2"].coefs)
    assert by_name["Model 2"].extra["alpha"] > 0 and by_name["Model 2"].converged
    with pytest.raises(InputError, match="models"):
        flows.sending_models(fr, "smi", ["Model 5"])
    with pytest.raises(InputError, match="models"):
        flows.sending_models(fr, "smi", [])
    with pytest.raises(InputError, match="sending"):
        flows.receiving_models(fr, "smi", ["Model 1"], sending=["Lukewarm spot"])


def test_cross_section_without_years_or_offset(data):
    """A frame of one cross-section (no year column) and no population fits with exposure='none'."""
    fr = flows.pair_frame(data, "smi", [2018]).drop(columns=["year", "log_pop", "wales_o", "wales_d"])
    est = flows.sending_models(fr, "smi", ["Model 2"], exposure="none")["Model 2"]
    assert list(est.index) == [
        "Sending: medium spot",
        "Sending: cold spot",
        "Share border",
        "Distance between sending and receiving areas",
    ]


def test_table_1_comes_from_the_dictionary():
    t1 = flows.variable_table()
    assert list(t1.index) == list(flows.LABELS.values()) and len(t1) == 12
    assert t1.loc["Share border", "Variable category"] == "GeoP_ij"
    assert sum(map(len, flows.BLOCKS.values())) == 12 and flows.MODELS["Model 4"][-1] == "log_house_d"


def test_true_values_of_type_effects_by_level():
    truth = {
        "coefficients": {"border": 1.0},
        "type_effects": {"smi": {"sending": {"Cold spot": -0.2}, "receiving": {"Cold spot": 0.1}}},
    }
    tv = flows.true_values(truth)
    assert tv[("Sending: cold spot", "Model 4")] == -0.2 and tv[("Receiving: cold spot", "Model 4")] == 0.1
    assert tv[("Sending: medium spot", "Model 4")] == 0.0 and tv[("Share border", "Model 4")] == 1.0


def test_prepare_checks_parameters_before_loading(world):
    with pytest.raises(InputError, match="sex"):
        flows.prepare("flows_hotcold", "synthetic", str(world), "2018", sex="X")
    with pytest.raises(InputError, match="exposure"):
        flows.prepare("flows_hotcold", "synthetic", str(world), "2018", exposure="per head")
    with pytest.raises(InputError, match="no flows chapter"):
        flows.prepare("flows_elsewhere", "synthetic", str(world), "2018")


# ------------------------------------------------------------------ Table 6: the London Cosmopolitan GVA figure


def _gva_files(tmp_path):
    (tmp_path / "gva.csv").write_text(
        "Region,GEOGRAPHY_CODE,LAD name,2011,2012\nLondon,E09000001,City of London,90,100\n"
        "London,E09000007,Camden,18,20\nNorth West,E08000001,Bolton,5,5\n"
    )
    (tmp_path / "myeb3.csv").write_text(
        "ladcode18,laname18,country,population_2011,internal_in_2012,internal_out_2012,population_2012\n"
        "E09000001,City of London,E,900,1,1,1000\nE09000007,Camden,E,390,1,1,400\nE08000001,Bolton,E,280000,1,1,280000\n"
    )
    (tmp_path / "class.csv").write_text(
        "lad_code,lad_name,supergroup_name\nE09000001,City of London,London Cosmopolitan\n"
        "E09000007,Camden,London Cosmopolitan\nE08000001,Bolton,Urban Settlements\n"
    )
    return {"gva_la": tmp_path / "gva.csv", "myeb3": tmp_path / "myeb3.csv", "la_classification_2011": tmp_path / "class.csv"}


def test_london_gva_readings_by_hand(tmp_path):
    """GVA per head = £m x 1e6 / population, averaged over the supergroup's authority-years the GVA file shares with
    the selection (2012 only here: MYEB3 has no internal moves for 2011); other supergroups stay out."""
    table, f = flows.london_gva_readings(_gva_files(tmp_path), [2012, 2013])
    assert f["city_gva"] == pytest.approx(100_000) and f["lc_without_city"] == pytest.approx(50_000)
    assert f["lc_with_city"] == pytest.approx(75_000) and f["lc_n_las"] == 2 and f["lc_gva_years"] == (2012,)
    assert f["lc_published"] == 726_621 and f["lc_digit"] == pytest.approx(72_662.1)
    assert table["GVA per head (£)"].tolist() == pytest.approx([726_621, 72_662.1, 75_000, 50_000, 100_000])


def test_london_gva_readings_skip_cleanly(tmp_path):
    """No files, or no year in common: no table, the published figure still there (and the GVA file's years)."""
    table, f = flows.london_gva_readings(None, [2017])
    assert table is None and f == {"lc_published": 726_621, "lc_digit": pytest.approx(72_662.1)}
    table, f = flows.london_gva_readings(_gva_files(tmp_path), [2017])
    assert table is None and f["lc_gva_file_years"] == (2011, 2012)


@pytest.mark.public
def test_london_gva_readings_on_the_real_files(shared_public):
    """On the real ONS files the City of London's GVA per head (millions of pounds) lifts the supergroup mean to
    the order of the published £726,621, while without it the mean is of the order of a tenth of that."""
    try:
        files = {d: manifest.local_path(shared_public, d) for d in flows.GVA_FILES}
    except InputError as exc:
        pytest.skip(str(exc))
    table, f = flows.london_gva_readings(files, range(2011, 2019))
    assert f["lc_gva_years"] == (2011, 2012, 2013, 2014, 2015) and f["lc_n_las"] == 12
    assert f["city_gva"] > 4e6
    assert 4e5 < f["lc_with_city"] < 1e6 and 5e4 < f["lc_without_city"] < 1e5
    assert len(table) == 5


# ------------------------------------------------------------------ 2011 Census flows by group


def test_census_flows_out_of_and_into_each_quintile_by_hand(tmp_path):
    """Three authorities: A (most deprived), B (most deprived), C (least). A->B counts out of and into the most
    deprived quintile; within-authority moves and moves with an authority outside the typology don't count."""
    (tmp_path / "flows").mkdir()
    head = "Area of usual residence one year ago code,Area of usual residence code,Ethnic group: All categories,Ethnic group: White,Ethnic group: Other than White\n"
    rows = [
        "E06000001,E06000002,10,8,2",
        "E06000001,E06000003,30,15,15",
        "E06000003,E06000001,20,20,0",
        "E06000001,E06000001,99,99,0",
        "E06000003,W06000001,50,25,25",
    ]
    (tmp_path / "flows" / "census2011_migration_ethnicity_la.csv").write_text(head + "\n".join(rows) + "\n")
    types = pd.DataFrame(
        {
            "la_code": ["E06000001", "E06000002", "E06000003", "W06000001"],
            "imd": ["High deprivation", "High deprivation", "Low deprivation", None],
        }
    )
    data = flows.FlowData(None, None, None, None, types, None, {})
    t = flows.census_flows(tmp_path, data, "ethnicity")
    out, into = t.loc["High deprivation: out of"], t.loc["High deprivation: into"]
    assert (out["Movers"], into["Movers"]) == (40, 30) and out["Net gain"] == into["Net gain"] == -10
    assert out["White"] == pytest.approx(100 * 23 / 40) and into["Other than White"] == pytest.approx(100 * 2 / 30)
    assert t.loc["Low deprivation: into", "Movers"] == 30 and t.loc["2nd quintile: out of", "Movers"] == 0
    net = flows.census_net(t, "High deprivation")
    assert net["White"] == pytest.approx(28 - 23) and net["Other than White"] == pytest.approx(2 - 17)
    with pytest.raises(InputError, match="census_breakdown"):
        flows.census_flows(tmp_path, data, "religion")


def test_an_area_type_without_authorities_has_no_rate_not_zero(data):
    """Issue 25 (13): an area type with no authorities showed "0.00" rates."""
    t = data.types.set_index("la_code")["smi"]
    gone = "Hot spot"
    kept = data.types[t.reindex(data.types["la_code"]).to_numpy() != gone]
    rates = flows.type_rates(dataclasses.replace(data, types=kept), "smi", YEARS)
    assert rates.loc[gone].isna().all() and rates[gone].isna().all()
    others = [lev for lev in rates.index if lev != gone]
    assert rates.loc[others, others].notna().all().all()
