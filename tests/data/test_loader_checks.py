"""Issue 17's faulty inputs, one test each: duplicated flow rows, a file cut short, LA codes in lower case or of
another vintage, out-of-range microdata codes, a missing UKHLS file or wave, and rows dropped on purpose.
Each faulty input must end in one InputError naming the file and the problem (and, for microdata, no
value or identifier of a person)."""

from __future__ import annotations

import logging
import shutil

import pandas as pd
import pytest

from movers.core.errors import InputError
from movers.data import codes as lacodes, nomis, ons_flows, ons_ls, schema, ukhls
from movers.data.geography import load_geography
from movers.synth import generate_world

YEAR = 2017


@pytest.fixture(scope="module")
def flows_world(tmp_path_factory):
    root = tmp_path_factory.mktemp("checks_flows") / "synthetic"
    generate_world(root, seed=5, scale=0.05, only=["flows"], log=lambda *_: None)
    return root


@pytest.fixture(scope="module")
def known(flows_world):
    return set(load_geography(flows_world / "geography").las["la_code"])


@pytest.fixture
def flows_copy(flows_world, tmp_path):
    """Both parts of one year, copied for editing."""
    dst = tmp_path / "flows"
    dst.mkdir()
    for part in (1, 2):
        name = ons_flows.detailed_name(YEAR, part)
        shutil.copy(flows_world / "flows" / name, dst / name)
    return dst


def _part(folder, part):
    return folder / ons_flows.detailed_name(YEAR, part)


def _edit(path, fn):
    df = pd.read_csv(path, dtype=str)
    fn(df).to_csv(path, index=False)


# ------------------------------------------------------------------ detailed estimates


def test_the_world_writes_both_parts_and_they_read_as_one_year(flows_copy, known, flows_world):
    from movers.core.truth import read_truth

    one, two = (pd.read_csv(_part(flows_copy, p)) for p in (1, 2))
    assert len(one) and len(two)
    assert not set(one["OutLA"]) & set(two["OutLA"])  # split between origins
    year = ons_flows.read_year(flows_copy, YEAR, known)
    assert len(year) == len(one) + len(two) == read_truth(flows_world / "flows")["counts"][str(YEAR)]["detailed_rows"]


def test_duplicated_flow_rows_are_rejected(flows_copy, known):
    p1 = _part(flows_copy, 1)
    _edit(p1, lambda df: pd.concat([df, df.iloc[[5]]]))
    with pytest.raises(InputError, match=r"duplicated key: OutLA x InLA x Age x Sex is not unique, 2 row\(s\)") as exc:
        ons_flows.read_detailed(flows_copy, [YEAR], known)
    assert str(p1) in str(exc.value)


def test_a_row_in_both_parts_is_rejected(flows_copy, known):
    row = pd.read_csv(_part(flows_copy, 1), dtype=str).iloc[[0]]
    _edit(_part(flows_copy, 2), lambda df: pd.concat([df, row]))
    with pytest.raises(InputError, match="share a key across the two parts"):
        ons_flows.read_detailed(flows_copy, [YEAR], known)


@pytest.mark.parametrize("part", [1, 2])
def test_a_part_cut_at_a_line_boundary_is_rejected(flows_copy, known, part):
    p = _part(flows_copy, part)
    lines = p.read_text().splitlines(keepends=True)
    p.write_text("".join(lines[: int(len(lines) * 0.3)]))  # 70 % gone, the last line complete
    with pytest.raises(InputError, match=r"authorit(y|ies) of the geography send no moves in 2017 .*cut short") as exc:
        ons_flows.read_detailed(flows_copy, [YEAR], known)
    assert ons_flows.detailed_name(YEAR, 1) in str(exc.value)


def test_a_part_cut_within_a_line_is_rejected(flows_copy, known):
    p = _part(flows_copy, 2)
    text = p.read_text()
    p.write_text(text[: len(text) // 2].rstrip("\n")[:-3])
    with pytest.raises(InputError, match="last line is incomplete") as exc:
        ons_flows.read_detailed(flows_copy, [YEAR], known)
    assert str(p) in str(exc.value)


def test_a_missing_part_is_rejected(flows_copy, known):
    _part(flows_copy, 2).unlink()
    with pytest.raises(InputError, match="part 2 of the 2017 detailed estimates is missing"):
        ons_flows.read_detailed(flows_copy, [YEAR], known)


def test_lower_case_la_codes_are_rejected_not_dropped(flows_copy, known):
    p = _part(flows_copy, 1)
    _edit(p, lambda df: df.assign(InLA=df["InLA"].where(df.index % 50 != 0, df["InLA"].str.lower())))
    with pytest.raises(InputError, match=r"InLA code\(s\) in lower case: [ew]0") as exc:
        ons_flows.read_detailed(flows_copy, [YEAR], known)
    assert str(p) in str(exc.value)


def test_scotland_and_northern_ireland_are_dropped_counted_and_reported(flows_copy, known, caplog):
    p = _part(flows_copy, 1)
    la = sorted(known)[0]
    extra = pd.DataFrame(
        {
            "OutLA": [la, "S92000003", la],
            "InLA": ["N92000002", la, "S92000003"],
            "Age": ["20", "21", "22"],
            "Sex": ["M", "F", "M"],
            "Moves": ["1.5", "2", "3"],
        }
    )
    _edit(p, lambda df: pd.concat([df, extra]))
    report = []
    with caplog.at_level(logging.INFO, logger="movers.data"):
        det = ons_flows.read_detailed(flows_copy, [YEAR], known, report=report)
    assert len(report) == 1 and report[0].rows == 3 and report[0].total == pytest.approx(6.5)
    assert report[0].file == str(p) and "Scotland or Northern Ireland" in report[0].reason
    assert "3 row(s) (6 in all) dropped on purpose" in caplog.text
    assert not det["origin"].str.match("^[SN]").any()


# ------------------------------------------------------------------ LA vintages


def test_codes_of_another_vintage_are_mapped_or_rejected_by_name():
    known = {"E08000037", "E06000028", "E06000029", "E07000048"}
    table = {
        "E08000020": "E08000037",
        "E08000037": "E08000037",
        "E06000058": "E06000058",
        "E06000028": "E06000058",
        "E06000029": "E06000058",
        "E07000048": "E06000058",
    }
    codes = pd.Series(["E08000020", "E06000028"])
    assert list(schema.la_codes(codes, "f.csv", known, table=table)) == ["E08000037", "E06000028"]  # a recode is mapped
    with pytest.raises(
        InputError, match=r"^f\.csv: 1 unknown LA code\(s\) .*E06000058 \(covers 3 authorities of the geography; created 2019"
    ):
        schema.la_codes(pd.Series(["E06000058", "E08000037"]), "f.csv", known, table=table)  # a merger cannot be split
    with pytest.raises(
        InputError, match=r"unknown LA code\(s\) not in the geography: E06000058 \(created 2019 .*code-harmonisation table"
    ):
        schema.la_codes(pd.Series(["E06000058"]), "f.csv", known, table=None)
    with pytest.raises(InputError, match="two vintages for the same authority"):
        schema.la_codes(pd.Series(["E08000020", "E08000037"]), "f.csv", known, table=table)


@pytest.mark.public
def test_the_real_harmonisation_table_maps_the_2013_recodes(shared_public):
    table = lacodes.read_table(shared_public / lacodes.TABLE).units
    known = {"E08000037", "E06000057", "E07000240"}  # Gateshead, Northumberland, St Albans on 2014 codes
    mapped = schema.la_codes(pd.Series(["E08000020", "E06000048", "E07000100"]), "f.csv", known, table=table)
    assert list(mapped) == ["E08000037", "E06000057", "E07000240"]


# ------------------------------------------------------------------ NOMIS / ONS tables


@pytest.fixture(scope="module")
def nomis_world(tmp_path_factory):
    root = tmp_path_factory.mktemp("checks_nomis") / "synthetic"
    generate_world(root, seed=5, scale=0.05, only=["nomis"], log=lambda *_: None)
    return root


@pytest.fixture
def nomis_copy(nomis_world, tmp_path):
    dst = tmp_path / "nomis"
    shutil.copytree(nomis_world / "nomis", dst)
    return dst


def test_population_file_cut_at_a_line_boundary_is_rejected(nomis_copy, nomis_world):
    known = set(load_geography(nomis_world / "geography").las["la_code"])
    p = nomis_copy / nomis.POPULATION_FILE
    lines = p.read_text().splitlines(keepends=True)
    p.write_text("".join(lines[: len(lines) - 100]))
    with pytest.raises(InputError, match=r"incomplete file: .* combinations of LA x sex x age have no row") as exc:
        nomis.population(nomis_copy, known)
    assert str(p) in str(exc.value)
    p.write_text("".join(lines[: len(lines) * 3 // 10]))  # whole authorities gone: seen against the geography
    with pytest.raises(InputError, match="incomplete file"):
        nomis.population(nomis_copy, known)


def test_nomis_duplicated_and_missing_rows_are_rejected(nomis_copy):
    p = nomis_copy / nomis.UNEMPLOYMENT_FILE
    df = pd.read_csv(p, dtype=str)
    pd.concat([df, df.iloc[[3]]]).to_csv(p, index=False)
    with pytest.raises(InputError, match="duplicated key"):
        nomis.read_nomis(p)
    df.drop(index=7).to_csv(p, index=False)
    with pytest.raises(InputError, match=r"incomplete file: 1 of [\d,]+ combinations"):
        nomis.read_nomis(p)


# ------------------------------------------------------------------ microdata


@pytest.fixture(scope="module")
def ls_world(tmp_path_factory):
    root = tmp_path_factory.mktemp("checks_ls") / "synthetic"
    generate_world(root, seed=5, scale=0.02, only=["ons_ls"], log=lambda *_: None)
    return root / "ons_ls"


@pytest.mark.parametrize("variable, value, rule", [("econact", "99", "econact must be 1-8"), ("age", "999", "age must be 0-120")])
def test_ls_codes_out_of_range_are_errors_without_values(ls_world, tmp_path, variable, value, rule):
    dst = tmp_path / "ls"
    shutil.copytree(ls_world, dst)
    p = dst / ons_ls.load_dictionary()["files"]["records"]["name"]
    _edit(p, lambda df: df.assign(**{variable: df[variable].where(df.index % 7 != 0, value)}))
    n = len(range(0, len(pd.read_csv(p)), 7))
    with pytest.raises(InputError, match=rf"{rule}: {n} row\(s\) out of range$") as exc:
        ons_ls.load_extract(dst)
    assert str(p) in str(exc.value) and value not in str(exc.value).replace(str(p), "")  # the temporary path may hold digits


@pytest.fixture(scope="module")
def ukhls_world(tmp_path_factory):
    root = tmp_path_factory.mktemp("checks_ukhls") / "synthetic"
    generate_world(root, seed=5, scale=0.1, only=["ukhls"], log=lambda *_: None)
    return root / "ukhls"


@pytest.fixture
def ukhls_copy(ukhls_world, tmp_path):
    dst = tmp_path / "ukhls"
    shutil.copytree(ukhls_world, dst)
    return dst


def test_ukhls_code_out_of_range_is_an_error_without_values(ukhls_copy):
    p = next(ukhls_copy.rglob("c_indresp.tab"))
    df = pd.read_csv(p, sep="\t", dtype=str)
    i = df.index[df["c_jbstat"].astype(int) > 0][0]
    pidp = df.loc[i, "pidp"]
    df.loc[i, "c_jbstat"] = "99"
    df.to_csv(p, sep="\t", index=False)
    with pytest.raises(InputError, match=r"c_jbstat must be one of the declared values .*: 1 row\(s\) outside them$") as exc:
        ukhls.load_panel(ukhls_copy)
    assert (
        str(p) in str(exc.value)
        and pidp not in str(exc.value)
        and "99" not in str(exc.value).split(": ", 1)[1].split("values")[0]
    )


def test_ukhls_duplicate_person_message_names_no_pidp(ukhls_copy):
    p = next(ukhls_copy.rglob("d_indall.tab"))
    df = pd.read_csv(p, sep="\t", dtype=str)
    pd.concat([df, df.iloc[[0]]]).to_csv(p, sep="\t", index=False)
    with pytest.raises(InputError, match=r"duplicated key: pidp is not unique, 2 row\(s\) share a value \(") as exc:
        ukhls.load_panel(ukhls_copy)
    assert df.loc[0, "pidp"] not in str(exc.value)


def test_ukhls_missing_indresp_file_is_an_error_not_a_dropped_wave(ukhls_copy):
    p = next(ukhls_copy.rglob("e_indresp.tab"))
    p.unlink()
    with pytest.raises(InputError, match=r"e_indresp: wave e \(2013\) is incomplete: e_indresp not found"):
        ukhls.load_panel(ukhls_copy)


def test_ukhls_missing_wave_is_an_error(ukhls_copy):
    for p in ukhls_copy.rglob("f_*"):
        p.unlink()
    with pytest.raises(InputError, match=r"1 wave\(s\) missing between .*: f \(2014\)"):
        ukhls.load_panel(ukhls_copy)
    panel = ukhls.load_panel(ukhls_copy, years=(2015, 2030))  # waves outside the years asked are not needed
    assert set(panel.person_waves["wave"]) >= {"g"} and "f" not in set(panel.person_waves["wave"])


# ------------------------------------------------------------------ YAML against JSON schemas


def test_project_yaml_files_match_their_schemas():
    from movers import fetch
    from movers.core import paths

    assert fetch.load_manifest()
    schema.validate_yaml(paths.DICTIONARIES / "ukhls.yml", "ukhls_dictionary")
    schema.validate_yaml(paths.DICTIONARIES / "ons_ls.yml", "ons_ls_dictionary")


def test_bad_yaml_is_rejected_with_every_problem_named(tmp_path):
    import yaml

    from movers.core import paths

    d = yaml.safe_load((paths.DICTIONARIES / "ukhls.yml").read_text())
    d["valid"]["jbstat"] = [1]
    d["surveys"]["bhps"]["letters"] = "AB"
    p = tmp_path / "ukhls.yml"
    p.write_text(yaml.safe_dump(d))
    with pytest.raises(
        InputError,
        match=r"ukhls\.yml: does not match ukhls_dictionary\.schema\.json: surveys\.bhps\.letters: .*; valid\.jbstat: ",
    ):
        ukhls.load_dictionary(p)
    m = yaml.safe_load((paths.DATA / "datasets.yml").read_text())
    first = next(iter(m["datasets"].values()))
    first["files"][0]["sha256"] = "not-a-checksum-" * 5
    first["files"][0]["url"] = "htps://typo"
    p = tmp_path / "datasets.yml"
    p.write_text(yaml.safe_dump(m))
    with pytest.raises(InputError, match=r"datasets\.yml: .*sha256|datasets\.yml: .*url"):
        schema.validate_yaml(p, "datasets")


def test_population_rows_of_scotland_and_ni_are_dropped_and_reported(nomis_copy):
    p = nomis_copy / nomis.POPULATION_FILE
    df = pd.read_csv(p, dtype=str)
    extra = df.iloc[:2].assign(ladcode18=["S12000033", "N09000001"])
    pd.concat([df, extra]).to_csv(p, index=False)
    report = []
    pop = nomis.population(nomis_copy, report=report)
    assert [(d.rows, d.file) for d in report] == [(2, str(p))]
    assert not pop["la_code"].str.match("^[SN]").any()
