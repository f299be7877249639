"""The yearly flows chapters on open data (movers.data.open_yearly): the births adapter and TFR on the real
files, and the loaders' folder written from a download folder whose covariates are real and whose flows and
population are a synthetic world on the real 2014 authorities (no real detailed estimates of whole years
are on this machine). Skips cleanly without ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from movers import fetch
from movers.book import params
from movers.core import paths
from movers.core.errors import InputError
from movers.data import codes as lacodes, manifest as manifests, nomis, open_yearly, public
from movers.pages import flows
from movers.strands.flows import models as flow_models

BIRTHS = "births_fertility_lad/births_calendar_year_by_single_age_of_mother_lad21_1993_2021.csv.gz"


@pytest.mark.public
def test_births_adapter_reads_the_real_file_and_repairs_the_one_swapped_row(shared_public):
    fixed: list[str] = []
    b = open_yearly.read_births(shared_public / BIRTHS, fixed)
    assert fixed == ["E06000005 2013"]  # Darlington 2013: total and "40 and over" swapped in the compilation
    darlington = b[(b["la_code"] == "E06000005") & (b["year"] == 2013)]
    assert darlington.loc[darlington["age_mother"] == "40 and over", "births"].item() == 76
    ew2011 = b[(b["year"] == 2011) & b["la_code"].str[0].isin(["E", "W"])]["births"].sum()
    assert abs(ew2011 - 723_718) < 200  # ONS: 723,718 births to residents of England and Wales (ages stated)
    assert "total" not in set(b["age_mother"])


def test_births_adapter_rejects_ages_that_do_not_add_up_and_unknown_ages(tmp_path):
    rows = [("total", 100.0), ("Under 20", 10.0), ("40 and over", 5.0)] + [(str(a), 4.25) for a in range(20, 40)]
    good = pd.DataFrame(
        [(2011, "E06000001", "Hartlepool", a, v, "LAD22") for a, v in rows],
        columns=["year", "gss_code", "gss_name", "age_mother", "value", "geography"],
    )
    p = tmp_path / "births.csv"
    good.to_csv(p, index=False)
    assert open_yearly.read_births(p)["births"].sum() == 100
    bad = good.copy()
    bad.loc[bad["age_mother"] == "Under 20", "value"] = 60.0  # 50 more than the total: no swap explains it
    bad.to_csv(p, index=False)
    with pytest.raises(InputError, match=r"births.csv.*do not add up.*E06000001 2011"):
        open_yearly.read_births(p)
    good.replace({"Under 20": "15-19"}).to_csv(p, index=False)
    with pytest.raises(InputError, match="unknown age_mother value"):
        open_yearly.read_births(p)


@pytest.mark.public
def test_tfr_from_births_reproduces_the_derived_file(shared_public):
    births = open_yearly.read_births(shared_public / BIRTHS)
    syoa = public.read_syoa(manifests.local_path(shared_public, "population_syoa_2011_2018"))
    pop = syoa.assign(sex=syoa["sex"].map({"male": 1, "female": 2}))
    lad20x = lacodes.read_table(manifests.local_path(shared_public, "lad_harmonisation_lad20x")).members(lacodes.NORTHANTS_2021)
    ours = open_yearly.tfr_from_births(births, pop, lad20x).set_index(["la_code", "year"])["tfr"]
    derived = public.read_tfr(manifests.local_path(shared_public, "tfr_2011_2018")).dropna().set_index(["la_code", "year"])["tfr"]
    both = pd.concat([ours, derived], axis=1, join="inner", keys=["ours", "derived"])
    assert len(both) > 600  # both years, nearly every authority (the derived file's 2021 codes are our units)
    assert (both["ours"] - both["derived"]).abs().max() < 0.01
    assert 1.5 < ours.xs(2011, level="year").median() < 2.2


@pytest.fixture(scope="module")
def download_folder(shared_public, tmp_path_factory) -> Path:
    """A folder in the ``fetch`` layout: the real open covariates of ../shared, and a synthetic world on the real
    2014 authorities standing in for the detailed estimates (2012-2013) and MYEB1 (not on this machine)."""
    from movers.synth import generate_world

    world = tmp_path_factory.mktemp("real_geo_world") / "synthetic"
    generate_world(world, seed=11, scale=0.05, only=["flows"], log=lambda *_: None, options={"geography": {"kind": "real"}})
    root = tmp_path_factory.mktemp("downloads")
    manifest = fetch.load_manifest()
    for name in open_yearly.REQUIRED:  # the real open datasets, linked by their folder in the download layout
        folder = manifest[name]["folder"]
        (root / folder).symlink_to(shared_public / folder, target_is_directory=True)
    flows_dir = root / manifest["ons_detailed_2012"]["folder"]
    flows_dir.mkdir()
    for y in (2012, 2013):
        for part in (1, 2):
            name = f"Detailed_Estimates_{y}_Dataset_{part}.csv"
            (flows_dir / name).symlink_to(world / "flows" / name)
    mye = root / manifest["population_mye"]["folder"]
    mye.mkdir()
    (mye / manifest["population_mye"]["main"]).symlink_to(world / "nomis" / nomis.POPULATION_FILE)
    return root


@pytest.mark.public
def test_yearly_chapter_runs_on_open_files_and_leaves_out_the_controls_it_has_no_figure_for(
    download_folder, tmp_path, monkeypatch
):
    monkeypatch.setattr(flow_models, "OPEN_CACHE", tmp_path)
    ctx = _setup("flows_ons", source="public", data_path=str(download_folder), years="2012-2013", models=["Model 1", "Model 4"])
    assert ctx.source.kind == "public" and ctx.truth == {}
    assert ctx.data.omitted == ("unemployment_rate", "non_uk_born")
    assert "smi" in ctx.inputs.omitted  # no Social Mobility Index file: no hot and cold spots, said, not invented
    # never a substitute: the omitted controls are missing in the data and absent from the models
    assert ctx.data.covariates["unemployment_rate"].isna().all() and ctx.data.covariates["non_uk_born"].isna().all()
    assert not (tmp_path / "flows_ons" / "nomis" / nomis.UNEMPLOYMENT_FILE).exists()
    assert "unemp_o" not in ctx.specs["Model 4"] and "non_uk_born" not in ctx.specs["Model 4"]
    assert "log_gva_o" in ctx.specs["Model 4"] and "tfr" in ctx.specs["Model 4"]
    text = flows.setup_facts(ctx)["inputs_text"]
    assert "fitted without them" in text and "HPSSA" in text and "swapped back" in text
    fits = flows.sending(ctx).frames["fits"]
    rows = set(fits["Model 4"].index)
    assert "Share border" in rows and not any("nemployment" in r for r in rows)
    assert all(np.isfinite(e.index.size) and e.converged for e in fits.values())
    # the real covariates reached the frame: house prices are HPSSA's December medians of the year before
    hp = public.read_hpssa(manifests.local_path(download_folder, "hpssa9"))
    hartlepool = hp[(hp["la_code"] == "E06000001") & (hp["year"] == 2011) & (hp["month"] == "Dec")]["price"].item()
    row = ctx.frame[(ctx.frame["origin"] == "E06000001") & (ctx.frame["year"] == 2012)].iloc[0]
    assert row["log_house_o"] == pytest.approx(np.log(hartlepool))


@pytest.mark.public
def test_hot_and_cold_spots_need_the_social_mobility_index(download_folder, tmp_path, monkeypatch):
    monkeypatch.setattr(flow_models, "OPEN_CACHE", tmp_path)
    with pytest.raises(InputError, match="Social Mobility Index 2017"):
        _setup("flows_hotcold", source="public", data_path=str(download_folder), years="2012", typology="smi")


@pytest.mark.public
def test_years_without_open_flows_are_named_with_their_fetch_command(download_folder, tmp_path, monkeypatch):
    monkeypatch.setattr(flow_models, "OPEN_CACHE", tmp_path)
    with pytest.raises(InputError, match=r"2014 detailed estimates not found: run `python -m movers fetch ons_detailed_2014`"):
        _setup("flows_ons", source="public", data_path=str(download_folder), years="2013-2014")
    with pytest.raises(InputError, match="start with the year ending June 2012"):
        _setup("flows_ons", source="public", data_path=str(download_folder), years="2011-2012")


@pytest.mark.public
def test_scenario_lines_name_each_missing_input_and_each_control_run_without(download_folder):
    lines = fetch.missing_inputs("flows_ons", download_folder)
    assert any("needs ons_detailed_2014" in x and "fetch ons_detailed_2014" in x for x in lines)
    assert not any("population_mye" in x or "hpssa9" in x for x in lines)  # present: not named
    optional = fetch.optional_missing("flows_ons", download_folder)
    assert any(x.startswith("flows_ons: runs without unemployment_model_based") for x in optional)
    assert any("country_of_birth" in x and "no download link is pinned" in x for x in optional)
    hot = fetch.missing_inputs("flows_hotcold", download_folder)
    assert any("social_mobility_index_2017" in x for x in hot)


@pytest.mark.public
def test_the_folder_puts_later_merged_codes_on_each_former_district(download_folder, tmp_path):
    made = open_yearly.write_folder(download_folder, tmp_path / "out", [2012])
    tfr = nomis.read_wide(tmp_path / "out" / "nomis" / nomis.TFR_FILE, "Area code", "tfr")
    dorset_2011 = tfr[(tfr["year"] == 2011) & tfr["la_code"].isin(["E07000049", "E07000050", "E07000051"])]["tfr"]
    assert len(dorset_2011) == 3 and dorset_2011.nunique() == 1  # Dorset (2019) gives its rate to each district
    assert any("later merged code" in n for n in made.notes)
    assert os.path.islink(tmp_path / "out" / "flows" / "Detailed_Estimates_2012_Dataset_2.csv")


@pytest.mark.public
@pytest.mark.slow
def test_the_ons_chapter_renders_on_open_files(download_folder, tmp_path, chapter_runner):
    """The whole page on source=public: every glue of the prose produced, the inputs and the omitted controls said,
    no synthetic warning, the zero-flow section without a truth, the published columns withdrawn (other years)."""
    params = {"source": "public", "data_path": str(download_folder), "years": "2012-2013", "models": ["Model 1", "Model 4"]}
    glued, md = chapter_runner(paths.CHAPTERS / "flows_ons.md", tmp_path / "ons.ipynb", params)
    assert "The data are open files" in glued["inputs_text"] and "fitted without them" in glued["inputs_text"]
    assert "No true values are known" in glued["bias_text"] and "no truth" in glued["bias_caption"]
    assert "Synthetic data" not in md and "not findings" not in md
    assert "published figures withdrawn" in md.lower() or "withdrawn" in md


@pytest.mark.public
@pytest.mark.slow
def test_the_deprivation_chapter_runs_without_the_census_tables_and_says_so(download_folder, tmp_path, chapter_runner):
    params = {"source": "public", "data_path": str(download_folder), "years": "2012", "models": ["Model 1"]}
    glued, md = chapter_runner(paths.CHAPTERS / "flows_imd.md", tmp_path / "imd.ipynb", params)
    assert "census tables by group are not among the open files" in glued["census_text"]
    assert "prof_out" not in glued  # no census figure without the census file
    lines = fetch.optional_missing("flows_imd", download_folder)
    assert any(x.startswith("flows_imd: runs without census2011_groups") for x in lines)


def _setup(chapter: str, **overrides):
    """A gravity chapter set up as its page does: its parameters object from params/<chapter>.yml and ``overrides``."""
    return flows.chapter_setup(params=flows.PARAMS[chapter](**params.resolve(chapter, overrides)))
