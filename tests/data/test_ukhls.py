"""Synthetic BHPS-UKHLS panel: file layout, loader schema checks, and recovery of the true mover effects."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.data.geography import load_geography
from movers.data.ukhls import load_dictionary, load_panel
from movers.strands.micro import common as micro, movers_stayers as O

SCALE = 0.6


@pytest.fixture(scope="session")
def panel_world(tmp_path_factory):
    """A small synthetic world (geography, nomis, ukhls) generated through the package's own registry."""
    from movers.data.nomis import la_indicators
    from movers.synth import generate_world, read_truth

    root = tmp_path_factory.mktemp("ukhls_world") / "synthetic"
    generate_world(root, seed=11, scale=SCALE, only=["ukhls"], log=lambda *_: None)
    geo = load_geography(root / "geography")
    ind = la_indicators(root / "nomis")
    panel = load_panel(root / "ukhls")
    sample = O.build_sample(panel, geo, ind)
    return {
        "folder": root / "ukhls",
        "truth": read_truth(root / "ukhls"),
        "panel": panel,
        "sample": sample,
        "geo": geo,
        "ind": ind,
    }


def test_files_in_uk_data_service_layout(panel_world):
    folder = panel_world["folder"]
    for rel in (
        "bhps/ba_indresp.tab",
        "bhps/br_indall.tab",
        "ukhls/a_indresp.tab",
        "ukhls/k_hhresp.tab",
        "ukhls/xwavedat.tab",
        "special_licence/ba_oslaua_protect.tab",
        "bhps/bd_youth.tab",
    ):
        assert (folder / rel).exists(), rel
    head = pd.read_csv(folder / "bhps/ba_indresp.tab", sep="\t", nrows=5)
    assert {"pidp", "ba_hidp", "ba_jbstat", "ba_fimnlabgrs_dv", "ba_jbnssec8_dv"} <= set(head.columns)
    la = pd.read_csv(folder / "special_licence/a_oslaua_protect.tab", sep="\t", dtype=str)
    assert la["a_oslaua"].str.match(r"^[EW]0[6-9]\d{6}$").all()
    x = pd.read_csv(folder / "ukhls/xwavedat.tab", sep="\t")
    assert (x["sex"] == -9).any()  # UKDS missing codes are written as such ...
    assert panel_world["panel"].people["sex"].isna().any()  # ... and read back as missing
    assert not (panel_world["panel"].people["sex"] < 0).any()


def test_sample_sized_and_distributed_like_table_23(panel_world):
    s = panel_world["sample"]
    assert 0.75 * 2842 * SCALE < len(s) < 1.25 * 2842 * SCALE
    d = O.describe(s)
    for row, want, tol in (
        ("Male", 0.48, 0.05),
        ("White", 0.88, 0.04),
        ("Has a degree", 0.42, 0.06),
        ("Married", 0.26, 0.06),
        ("Parent: higher managerial, admin and professional occ.", 0.45, 0.06),
        ("International migrant", 0.04, 0.025),
    ):
        assert abs(d.loc[row, "Mean"] - want) < tol, (row, d.loc[row, "Mean"])
    assert d.loc["Age", "Min."] >= 25 and d.loc["Age", "Max."] <= 41
    assert 0.25 < s["mover"].mean() < 0.55
    assert s["returner"].sum() > 0 and (s.loc[s["returner"], "mover"] == 0).all()
    assert s["reason2"].notna().sum() > 100  # the youth questionnaire reaches part of the sample


def _z_scores(sample, truth, outcomes=("employed", "income", "higher")):
    """(estimate - truth) / SE for Model 3 and every Table 27 / Table 24 cell."""
    z = {}
    for o in outcomes:
        est = micro.mover_model(O.STRAND, sample, o, 3).coefs.loc["Mover"]
        true = micro.true_model3(O.STRAND, sample, [o], truth["models"])[O.OUTCOMES[o]]
        z[("Model 3", o)] = (est["estimate"] - true) / est["se"]
    tabs = micro.interaction_tables(O.STRAND, sample, list(outcomes))
    tr27, tr24 = micro.truth_tables(O.STRAND, tabs, truth["models"])
    for tab, tr in ((tabs.effects, tr27), (tabs.differences, tr24)):
        for col, res in tab.items():
            for r, v in res.coefs.iterrows():
                z[(r, col)] = (v["estimate"] - tr[(r, col)]) / v["se"]
    return pd.Series(z)


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.ConvergenceWarning")
def test_recovers_true_mover_effects_and_differences_within_3_se(panel_world):
    truth = panel_world["truth"]
    z = _z_scores(panel_world["sample"], truth)
    assert len(z) == 3 + 27 + 15
    # the mover effects of Model 3 and the Table 24 differences: each within 3 SE of the truth
    headline = z[[k for k in z.index if k[0] == "Model 3" or " versus " in k[0] or " vs " in k[0]]]
    assert len(headline) == 3 + 15
    assert headline.abs().max() < 3, headline[headline.abs() >= 3]
    # the 27 group effects of Table 27 jointly: Bonferroni bound for 27 two-sided tests at 1 % (3.56 SE)
    groups = z.drop(headline.index)
    assert groups.abs().max() < 3.5, groups[groups.abs() >= 3.5]
    assert (z**2).mean() < 2.0  # no systematic drift hidden under the bounds
    # the same check rejects a wrong truth: a mover x gender income interaction 400 pounds too large
    wrong = copy.deepcopy(truth)
    wrong["models"]["income"]["coef"]["mover:male"] += 400.0
    zw = _z_scores(panel_world["sample"], wrong, outcomes=("income",))
    assert zw.abs().max() > 3


def test_loader_reads_stata_files_too(panel_world, tmp_path):
    src = panel_world["folder"]
    dst = tmp_path / "mixed"
    shutil.copytree(src, dst)
    for rel in ("ukhls/c_indresp.tab", "special_licence/bb_oslaua_protect.tab", "ukhls/xwavedat.tab"):
        p = dst / rel
        df = pd.read_csv(p, sep="\t")
        df.to_stata(p.with_suffix(".dta"), write_index=False, version=118)
        p.unlink()
    a = panel_world["panel"].person_waves
    b = load_panel(dst).person_waves
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)


def _broken(panel_world, tmp_path, rel, edit):
    dst = tmp_path / "broken"
    shutil.copytree(panel_world["folder"], dst)
    p = dst / rel
    df = pd.read_csv(p, sep="\t", dtype=str)
    edit(df).to_csv(p, sep="\t", index=False)
    return dst, p


def test_missing_variable_names_file_and_variable(panel_world, tmp_path):
    dst, p = _broken(panel_world, tmp_path, "ukhls/d_indresp.tab", lambda df: df.drop(columns=["d_jbstat"]))
    with pytest.raises(InputError, match=r"d_indresp\.tab.*d_jbstat"):
        load_panel(dst)


def test_malformed_la_code_is_rejected(panel_world, tmp_path):
    dst, p = _broken(panel_world, tmp_path, "special_licence/e_oslaua_protect.tab", lambda df: df.assign(e_oslaua="00AA"))
    with pytest.raises(InputError, match=r"e_oslaua_protect\.tab.*malformed LA code"):
        load_panel(dst)


def test_duplicate_person_and_non_numeric_values_are_rejected(panel_world, tmp_path):
    dst, p = _broken(panel_world, tmp_path, "bhps/bc_indall.tab", lambda df: pd.concat([df, df.head(1)]))
    with pytest.raises(InputError, match=r"bc_indall\.tab.*not unique"):
        load_panel(dst)
    dst2 = tmp_path / "b2"
    shutil.move(dst, dst2)
    p2 = dst2 / "bhps/bc_indall.tab"
    df = pd.read_csv(p2, sep="\t", dtype=str).drop_duplicates("pidp")
    df.loc[df.index[0], "bc_age_dv"] = "thirty"
    df.to_csv(p2, sep="\t", index=False)
    with pytest.raises(InputError, match=r"bc_indall\.tab.*bc_age_dv is not numeric"):
        load_panel(dst2)


def test_missing_la_file_and_empty_folder(panel_world, tmp_path):
    dst = tmp_path / "nola"
    shutil.copytree(panel_world["folder"], dst)
    (dst / "special_licence/f_oslaua_protect.tab").unlink()
    with pytest.raises(InputError, match="f_oslaua_protect.*not found"):
        load_panel(dst)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="xwavedat"):
        load_panel(tmp_path / "empty")


def test_dictionary_renames_reach_the_loader(panel_world, tmp_path):
    """A release with another name for a variable is handled by editing a copy of the dictionary, not the code."""
    import yaml

    dst, p = _broken(panel_world, tmp_path, "ukhls/xwavedat.tab", lambda df: df.rename(columns={"racel_dv": "racel"}))
    with pytest.raises(InputError, match="racel_dv"):
        load_panel(dst)
    d = yaml.safe_load(Path(load_dictionary()["_path"]).read_text())
    d["files"]["xwave"]["variables"]["ethnicity"] = "racel"
    alt = tmp_path / "alt.yml"
    alt.write_text(yaml.safe_dump(d))
    assert load_panel(dst, alt).people["ethnicity"].notna().all()


def test_generator_is_registered_with_its_requirements(panel_world):
    from movers.synth import generators

    gens = generators()
    assert gens["ukhls"].REQUIRES == ("geography", "nomis")
    truth = panel_world["truth"]
    assert set(truth["models"]) == {"employed", "higher", "income"}
    assert truth["scale"] == SCALE and truth["seed"] == 11
    # every generating coefficient is named as the analysis names its variables (parental class dummies
    # are the levels of parent_nssec, which true_effects expands)
    known = set(panel_world["sample"].columns) | {"parent_intermediate", "parent_higher"}
    for m in truth["models"].values():
        for term in m["coef"]:
            assert term == "Intercept" or all(part in known for part in term.split(":")), term


def test_old_style_la_codes_are_mapped_through_the_dictionary_lookup(panel_world, tmp_path):
    """Pre-2009 Special Licence files carry old ONS codes (00AA...): a lookup named in the dictionary maps them."""
    import yaml

    real = pd.read_csv(panel_world["folder"] / "special_licence/e_oslaua_protect.tab", sep="\t", dtype=str)["e_oslaua"]
    old = {code: f"{i:02d}XX" for i, code in enumerate(sorted(real.unique()))}
    dst, p = _broken(
        panel_world, tmp_path, "special_licence/e_oslaua_protect.tab", lambda df: df.assign(e_oslaua=df["e_oslaua"].map(old))
    )
    with pytest.raises(InputError, match="malformed LA code"):
        load_panel(dst)
    pd.DataFrame({"OLD": list(old.values()), "NEW": list(old)}).to_csv(dst / "lookup.csv", index=False)
    d = yaml.safe_load(Path(load_dictionary()["_path"]).read_text())
    d["la_lookup"] = {"file": "lookup.csv", "from": "OLD", "to": "NEW"}
    alt = tmp_path / "alt.yml"
    alt.write_text(yaml.safe_dump(d))
    got = load_panel(dst, alt).person_waves
    want = panel_world["panel"].person_waves
    pd.testing.assert_series_equal(got["la_code"].reset_index(drop=True), want["la_code"].reset_index(drop=True))
