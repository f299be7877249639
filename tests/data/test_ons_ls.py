"""Synthetic ONS LS extract: layout and sizes, loader schema errors, and recovery of the true subgroup
mover effects within 3 SE (with proof that the check rejects a perturbed truth)."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.data.ons_ls import load_dictionary, load_extract
from movers.strands.micro import common as micro, ls_deprived as ls
from movers.synth import generate_world, read_truth

SCALE = 0.3
SEED = 11


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("ls_world") / "synthetic"
    generate_world(root, seed=SEED, scale=SCALE, only=["ons_ls"], log=lambda *_: None)
    folder = root / "ons_ls"
    extract = load_extract(folder)
    sample = ls.build_sample(extract).frame
    return {"folder": folder, "extract": extract, "sample": sample, "truth": read_truth(folder)}


@pytest.fixture(scope="module")
def fits(world):
    """Tables 31 and 32 (group effects, differences, estimation rows) on the test world."""
    return micro.interaction_tables(ls.STRAND, world["sample"], list(ls.OUTCOMES))


def test_files_in_extract_layout_with_missing_codes(world):
    folder = world["folder"]
    d = load_dictionary()
    for kind in ("records", "parents", "regions"):
        assert (folder / d["files"][kind]["name"]).exists()
    raw = pd.read_csv(folder / d["files"]["records"]["name"], nrows=20000)
    assert set(d["files"]["records"]["variables"].values()) == set(raw.columns)
    assert (raw["ethnic"] == -8).any()  # ethnicity was not asked in 1971/1981: written as not applicable ...
    recs = world["extract"].records
    assert recs["ethnic_group"].isna().any() and not (recs["ethnic_group"] < 0).any()  # ... and read as missing
    assert recs.groupby("lsnum")["census"].nunique().max() == 3  # child, middle and adult censuses
    assert set(world["extract"].regions["region"]) == set(d["regions"])
    assert set(world["extract"].regions["census"]) == {1971, 1981, 1991, 2001, 2011}


def test_sample_sized_and_distributed_like_table_30(world):
    s = world["sample"]
    n_stay, n_move = int((s["mover"] == 0).sum()), int((s["mover"] == 1).sum())
    assert abs(n_stay - 24969 * SCALE) < 0.12 * 24969 * SCALE, n_stay
    assert abs(n_move - 6859 * SCALE) < 0.15 * 6859 * SCALE, n_move
    v = ls.describe(s).values
    for row in (
        "Degree holder",
        "Parent: professional and technical occupations",
        "Professional and technical occupations",
        "Employed",
    ):
        assert v.loc[row, "Movers"] > v.loc[row, "Stayers"], row
    assert v.loc["Disabled", "Movers"] < v.loc["Disabled", "Stayers"]
    assert abs(v.loc["Degree holder", "Movers"] - 0.44) < 0.06 and abs(v.loc["Degree holder", "Stayers"] - 0.16) < 0.04
    assert s["child_age"].between(10, 16).all() and s["age"].between(30, 36).all()
    assert (s["quintile"] == 1).all()
    # the quintile is population-weighted: its regions hold about a fifth of the people at each child census
    q = ls.region_quintiles(world["extract"].regions)
    for c in (1971, 1981, 1991):
        sub = q[q["census"] == c]
        share = sub.loc[sub["quintile"] == 1, "population"].sum() / sub["population"].sum()
        assert 0.1 < share < 0.3


def test_same_seed_same_extract(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    generate_world(a, seed=3, scale=0.02, only=["ons_ls"], log=lambda *_: None)
    generate_world(b, seed=3, scale=0.02, only=["ons_ls"], log=lambda *_: None)
    name = load_dictionary()["files"]["records"]["name"]
    assert (a / "ons_ls" / name).read_bytes() == (b / "ons_ls" / name).read_bytes()


# ----------------------------------------------------------------------------- loader errors


@pytest.fixture
def small_copy(world, tmp_path):
    """A copy of the extract cut to a few hundred members, for editing."""
    d = load_dictionary()
    out = tmp_path / "extract"
    out.mkdir()
    keep = None
    for kind in ("records", "parents", "regions"):
        name = d["files"][kind]["name"]
        df = pd.read_csv(world["folder"] / name, dtype=str)
        if kind == "records":
            keep = set(df["lsnum"].unique()[:300])
        if kind != "regions":
            df = df[df["lsnum"].isin(keep)]
        df.to_csv(out / name, index=False)
    load_extract(out)  # the untouched copy loads
    return out


def _edit(folder, kind, fn):
    name = load_dictionary()["files"][kind]["name"]
    df = pd.read_csv(folder / name, dtype=str)
    fn(df).to_csv(folder / name, index=False)
    return folder / name


@pytest.mark.parametrize(
    "kind, edit, message",
    [
        ("records", lambda df: df.drop(columns=["llti"]), "missing variable\\(s\\) llti"),
        (
            "records",
            lambda df: df.assign(age=df["age"].where(df.index != 3, "3O")),
            "age is not numeric in 1 row\\(s\\) \\(first in row 5\\)$",
        ),
        (
            "records",
            lambda df: pd.concat([df, df.iloc[[0]]]),
            "duplicated key: lsnum x census is not unique, 2 row\\(s\\) share a value \\(",
        ),
        (
            "records",
            lambda df: df.assign(gor=df["gor"].where(df.index != 0, "E12000099")),
            "gor must be one of E12000001.*: 1 row\\(s\\) outside them$",
        ),
        (
            "records",
            lambda df: df.assign(census=df["census"].where(df.index != 0, "1975")),
            "census must be one of the declared values 1971, 1981, 1991, 2001, 2011: 1 row\\(s\\) outside them$",
        ),
        (
            "records",
            lambda df: df.assign(sclass=df["sclass"].where(df.index != 1, "7")),
            "sclass must be one of the declared values 1, 2, 3, 4, 5, 6: 1 row\\(s\\) outside them$",
        ),
        ("records", lambda df: df.assign(lsnum=df["lsnum"].where(df.index != 0, "")), "lsnum has missing values in 1 row\\(s\\)"),
        (
            "parents",
            lambda df: df.assign(relation=df["relation"].where(df.index != 0, "3")),
            "relation must be one of the declared values 1, 2: 1 row\\(s\\) outside them$",
        ),
        ("parents", lambda df: pd.concat([df, df.iloc[[0]].assign(lsnum="999999999")]), "not enumerated at that census"),
        ("regions", lambda df: df[~((df["gor"] == "E12000007") & (df["census"] == "1971"))], "no indicators"),
        (
            "regions",
            lambda df: df.assign(prop_prof=df["prop_prof"].where(df.index != 0, "35")),
            "prop_prof must be 0-1: 1 row\\(s\\) out of range$",
        ),
        (
            "regions",
            lambda df: df.assign(population=df["population"].where(df.index != 0, "0")),
            "population must be 1-100000000: 1 row\\(s\\) out of range$",
        ),
    ],
)
def test_loader_errors_name_file_and_problem(small_copy, kind, edit, message):
    path = _edit(small_copy, kind, edit)
    with pytest.raises(InputError, match=message) as exc:
        load_extract(small_copy)
    assert str(path) in str(exc.value) or str(small_copy) in str(exc.value)


def test_missing_file_and_folder(small_copy, tmp_path):
    name = load_dictionary()["files"]["parents"]["name"]
    (small_copy / name).unlink()
    with pytest.raises(InputError, match="file not found"):
        load_extract(small_copy)
    with pytest.raises(InputError, match="does not exist"):
        load_extract(tmp_path / "nowhere")


def test_tab_delimited_extract_reads_the_same(small_copy):
    d = load_dictionary()
    before = load_extract(small_copy).records
    name = d["files"]["records"]["name"]
    pd.read_csv(small_copy / name, dtype=str).to_csv(small_copy / name.replace(".csv", ".tab"), sep="\t", index=False)
    (small_copy / name).unlink()
    after = load_extract(small_copy).records
    pd.testing.assert_frame_equal(before, after)


def test_bad_dictionary(tmp_path):
    p = tmp_path / "d.yml"
    p.write_text("files: {}\ncodes: {}\nregions: {}\ncensuses: [1971]\n")
    with pytest.raises(
        InputError, match="does not match ons_ls_dictionary.schema.json: .*files: 'records' is a required property"
    ):
        load_dictionary(p)
    p.write_text("files: [\n")
    with pytest.raises(InputError, match="not valid YAML"):
        load_dictionary(p)


def test_public_source_refused():
    with pytest.raises(InputError, match="not public"):
        ls.check_source("public")


# ----------------------------------------------------------------------------- recovery


def _z(fits, models):
    """(estimate - truth) / SE for every group effect and difference of Tables 31 and 32."""
    te, td = micro.truth_tables(ls.STRAND, fits, models)
    out = []
    for label in fits.effects:
        for res, tru in ((fits.effects[label], te), (fits.differences[label], td)):
            out.append(micro.z_scores(res.coefs, {r: tru[(r, label)] for r in res.index if (r, label) in tru}))
    return pd.concat(out)


def test_true_subgroup_effects_recovered_within_3_se(world, fits):
    z = _z(fits, world["truth"]["models"])
    assert z.notna().sum() == 2 * (9 + 5)
    assert z.abs().max() < 3, z.round(2).to_dict()
    assert (z**2).mean() < 2.0  # not merely within 3 SE each: no inflated spread overall


def test_model3_effect_recovered(world):
    for o in ls.OUTCOMES:
        est = micro.mover_model(ls.STRAND, world["sample"], o, 3).coefs.loc["Mover"]
        true = micro.true_model3(ls.STRAND, world["sample"], [o], world["truth"]["models"])[ls.OUTCOMES[o]]
        assert abs(est["estimate"] - true) < 3 * est["se"], (o, est["estimate"], true)


def test_recovery_check_rejects_a_perturbed_truth(world, fits):
    wrong = copy.deepcopy(world["truth"]["models"])
    wrong["professional"]["coef"]["mover:male"] += 0.3  # men's effect larger, women's unchanged
    wrong["employed"]["coef"]["mover"] -= 0.25
    z = _z(fits, wrong)
    assert z.abs().max() > 3
    assert abs(z["Male versus Female"]).max() > 3  # the difference test sees the shifted interaction


def test_stata_extract_reads_the_same(small_copy):
    pyreadstat = pytest.importorskip("pyreadstat")
    d = load_dictionary()
    before = load_extract(small_copy)
    for kind in ("records", "parents"):
        name = d["files"][kind]["name"]
        df = pd.read_csv(small_copy / name)
        pyreadstat.write_dta(df, str(small_copy / name.replace(".csv", ".dta")))
        (small_copy / name).unlink()
    after = load_extract(small_copy)
    for kind in ("records", "parents"):
        a, b = getattr(before, kind), getattr(after, kind)
        pd.testing.assert_frame_equal(a, b, check_dtype=False)  # Stata stores the codes as doubles
