"""Issue 25, the input side: restricted runs a secure lab can trust.

Every microdata and flows loader fed a damaged file (its header line lost, or its values moved one column
to the left) must stop with an ``InputError`` naming the file, the variable and the rule, and never
print a value of the file: a person's id, income or area must not reach a terminal or a failed notebook
that is meant to be safe to take out of the lab. Also here: stray copies of a file below the data folder,
duplicated YAML keys, the harmonisation table's one home, raw crashes that named no file, and impossible
input that used to pass.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from movers.core import config as yamlfile, paths
from movers.core.errors import InputError
from movers.data import codes as lacodes, ons_flows, ons_ls, ukhls
from movers.data.geography import load_geography

UKHLS_WAVE_YEAR = 1996  # BHPS wave f, which has a youth file
UKHLS_FILES = ("xwavedat", "bf_indall", "bf_indresp", "bf_hhresp", "bf_oslaua_protect", "bf_youth")
LS_FILES = tuple(ons_ls.load_dictionary()["files"][k]["name"] for k in ons_ls.FILE_KINDS)
FLOWS_FILES = (ons_flows.detailed_name(2011, 1), "census2011_migration_nssec_la.csv")
LA_CODE = re.compile(r"^[EWSN]\d{8}$")


@pytest.fixture(scope="module")
def ukhls_world(make_world):
    return make_world("ukhls", 25, 0.05) / "ukhls"


@pytest.fixture(scope="module")
def ls_world(make_world):
    return make_world("ons_ls", 25, 0.02) / "ons_ls"


@pytest.fixture(scope="module")
def flows_world(make_world):
    return make_world("flows", 25, 0.03)


def _sep(path: Path) -> str:
    return "," if path.suffix == ".csv" else "\t"


def headerless(path: Path) -> None:
    """The file without its first line (the variable names)."""
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[1:]))


def shifted(path: Path) -> None:
    """Every value moved one column to the left (the last column left blank), the header kept."""
    sep = _sep(path)
    lines = path.read_text().splitlines()
    out = [lines[0]] + [sep.join(line.split(sep)[1:] + [""]) for line in lines[1:]]
    path.write_text("\n".join(out) + "\n")


def widened(path: Path) -> None:
    """Every value moved one column to the right (a first value added to each data line), the header kept."""
    sep = _sep(path)
    lines = path.read_text().splitlines()
    out = [lines[0]] + [sep.join(["7"] + line.split(sep)) for line in lines[1:]]
    path.write_text("\n".join(out) + "\n")


DAMAGES = {"headerless": headerless, "shifted": shifted, "widened": widened}


def file_values(path: Path, public_codes: bool = False) -> set[str]:
    """The values of a file's data lines worth looking for in a message: three characters or more (shorter
    ones, such as a code 1 or an age 10, appear in any sentence), and not declared in a variable dictionary
    (census years, region codes: public metadata a message may quote as the rule). ``public_codes``: LA
    codes of an aggregate flows file are the published geography, not anyone's record, and may be named."""
    sep = _sep(path)
    values = set()
    for line in path.read_text().splitlines()[1:]:
        values |= {v.strip() for v in line.split(sep)}
    declared = set(re.findall(r"[\w.]+", "".join(p.read_text() for p in paths.DICTIONARIES.glob("*.yml"))))
    values = {v for v in values if len(v) >= 3 and v not in declared}
    if public_codes:
        values = {v for v in values if not LA_CODE.match(v)}
    return values


def leaked(message: str, values: set[str]) -> list[str]:
    """The values of ``values`` that appear in ``message`` as whole tokens."""
    tokens = set(re.findall(r"[\w.+-]+", message)) | set(re.findall(r"[\w.+-]+(?=[,;:)\]]|\s|$)", message))
    return sorted(v for v in values if v in tokens)


def _copy(files, src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for name in files:
        found = next(src.rglob(f"{name}.tab"), None) or next(src.rglob(name), None)
        shutil.copy(found, dst / found.name)
    return dst


def _message(call) -> str:
    with pytest.raises(InputError) as err:
        call()
    return str(err.value)


@pytest.mark.parametrize("damage", sorted(DAMAGES))
@pytest.mark.parametrize("name", UKHLS_FILES)
def test_ukhls_damaged_file_names_it_and_prints_no_value(ukhls_world, tmp_path, name, damage):
    folder = _copy(UKHLS_FILES, ukhls_world, tmp_path / "ukhls")
    target = folder / f"{name}.tab"
    values = file_values(target)
    DAMAGES[damage](target)
    message = _message(lambda: ukhls.load_panel(folder, years=(UKHLS_WAVE_YEAR, UKHLS_WAVE_YEAR)))
    assert target.name in message, message
    assert not leaked(message, values), (leaked(message, values)[:5], message)


@pytest.mark.parametrize("damage", sorted(DAMAGES))
@pytest.mark.parametrize("name", LS_FILES)
def test_ls_damaged_file_names_it_and_prints_no_value(ls_world, tmp_path, name, damage):
    folder = _copy(LS_FILES, ls_world, tmp_path / "ls")
    target = folder / name
    values = file_values(target)
    DAMAGES[damage](target)
    message = _message(lambda: ons_ls.load_extract(folder))
    assert target.name in message, message
    assert not leaked(message, values), (leaked(message, values)[:5], message)


@pytest.mark.parametrize("damage", sorted(DAMAGES))
@pytest.mark.parametrize("name", FLOWS_FILES)
def test_flows_damaged_file_names_it_and_prints_no_value(flows_world, tmp_path, name, damage):
    known = set(load_geography(flows_world / "geography").las["la_code"])
    target = tmp_path / name
    shutil.copy(flows_world / "flows" / name, target)
    values = file_values(target, public_codes=True)
    DAMAGES[damage](target)
    if name.startswith("Detailed"):
        message = _message(lambda: ons_flows.read_part(target, known))
    else:
        message = _message(lambda: ons_flows.read_census_groups(target, "NS-SEC: ", known))
    assert target.name in message, message
    assert not leaked(message, values), (leaked(message, values)[:5], message)


# ------------------------------------------------------------------ the scrubber (cases 1 and 9)


def test_scrubber_removes_numbers_followed_by_a_comma():
    from movers.sdc.redact import scrub

    out = scrub("missing variable(s) pidp; found 68000006, 210065567, 2011, 1814.43, 1,234,567,")
    assert "68000006" not in out and "210065567" not in out and "1,234,567" not in out, out
    assert scrub("Table 30: 0.45 of 2,824 people, 13,006 rows") == "Table 30: 0.45 of 2,824 people, 13,006 rows"


def test_scrubbed_message_names_the_file_relative_to_data_path(tmp_path):
    from movers.sdc.redact import scrub

    lab = tmp_path / "SecureLab" / "UKDA-6931-tab"
    message = f"{lab}/tab/bhps_w6/bf_indresp.tab: bf_age_dv must be 0-120: 3 row(s) out of range"
    out = scrub(message, [lab])
    assert out == "<restricted data>/tab/bhps_w6/bf_indresp.tab: bf_age_dv must be 0-120: 3 row(s) out of range"
    assert scrub("copied /elsewhere/bf_indresp.tab", [lab]) == "copied <data file>"  # outside data_path: hidden
    bare = "bf_indresp.tab: 2 respondent(s) (pidp) not enumerated in bf_indall.tab"
    assert scrub(bare, [lab]) == bare


# ------------------------------------------------------------------ stray copies (case 4)


def test_ukhls_stray_copy_of_a_wave_file_is_an_error_naming_both(ukhls_world, tmp_path):
    folder = _copy(UKHLS_FILES, ukhls_world, tmp_path / "ukhls")
    (folder / "backup").mkdir()
    shutil.copy(folder / "bf_indresp.tab", folder / "backup" / "bf_indresp.tab")
    message = _message(lambda: ukhls.load_panel(folder, years=(UKHLS_WAVE_YEAR, UKHLS_WAVE_YEAR)))
    assert "backup/bf_indresp.tab" in message and " bf_indresp.tab" in message and "2 files" in message, message


def test_ukhls_same_file_as_tab_and_dta_is_an_error(ukhls_world, tmp_path):
    folder = _copy(UKHLS_FILES, ukhls_world, tmp_path / "ukhls")
    (folder / "xwavedat.dta").write_bytes(b"")
    message = _message(lambda: ukhls.load_panel(folder, years=(UKHLS_WAVE_YEAR, UKHLS_WAVE_YEAR)))
    assert "xwavedat.dta" in message and "xwavedat.tab" in message, message


def test_ls_stray_delivery_folder_is_an_error_naming_both(ls_world, tmp_path):
    folder = _copy(LS_FILES, ls_world, tmp_path / "ls")
    (folder / "2019_delivery").mkdir()
    shutil.copy(folder / LS_FILES[0], folder / "2019_delivery" / LS_FILES[0])
    message = _message(lambda: ons_ls.load_extract(folder))
    assert f"2019_delivery/{LS_FILES[0]}" in message and f" {LS_FILES[0]}" in message, message


# ------------------------------------------------------------------ duplicated YAML keys (case 6)


def _twice(text: str, line: str, again: str) -> str:
    """``text`` with ``again`` inserted after its line ``line`` (a key repeated in the same mapping)."""
    assert line in text, line
    return text.replace(line, line + again, 1)


def test_dictionary_mapping_a_variable_twice_is_an_error(tmp_path):
    text = (paths.DICTIONARIES / "ons_ls.yml").read_text()
    bad = tmp_path / "ons_ls.yml"
    bad.write_text(_twice(text, "      econ_activity: econact ", "\n      econ_activity: llti  #"))
    with pytest.raises(InputError, match="'econ_activity' appears twice"):
        ons_ls.load_dictionary(bad)


def test_datasets_and_sdc_rules_with_a_repeated_key_are_errors(tmp_path):
    from movers.core import source
    from movers.data import manifest

    rules = tmp_path / "sdc_rules.yml"
    rules.write_text((paths.DATA / "sdc_rules.yml").read_text() + "threshold: 3\n")
    with pytest.raises(InputError, match="'threshold' appears twice"):
        source.load_rules(rules)
    datasets = tmp_path / "datasets.yml"
    datasets.write_text((paths.DATA / "datasets.yml").read_text() + "datasets: {}\n")
    with pytest.raises(InputError, match="'datasets' appears twice"):
        manifest.load(datasets)


def test_params_and_scenarios_with_a_repeated_key_or_block_are_errors(tmp_path):
    from movers.book import params

    folder = tmp_path / "params"
    shutil.copytree(paths.PARAMS, folder)
    text = (folder / "ls_deprived.yml").read_text()
    (folder / "ls_deprived.yml").write_text(text + "\nsource: restricted\n")
    with pytest.raises(InputError, match="'source' appears twice"):
        params.load("ls_deprived", folder)
    (folder / "ls_deprived.yml").write_text(text)
    (folder / "scenarios" / "twice.yml").write_text("flows_ons:\n  years: '2012-2016'\nflows_ons:\n  source: public\n")
    with pytest.raises(InputError, match="'flows_ons' appears twice"):
        params.scenario("twice", "flows_ons", folder)
    with pytest.raises(InputError, match="appears twice"):
        params.parse_override("weights={a: 1, a: 2}")


def test_package_reads_yaml_only_through_the_one_helper():
    """No module parses YAML itself (runner.py and book.py read _toc.yml and _config.yml, the book's own
    files, and are another helper's this round: listed until they move)."""
    offenders = [
        str(p.relative_to(paths.ROOT))
        for p in sorted((paths.ROOT / "lib" / "movers").rglob("*.py"))
        if p.name != "config.py" and re.search(r"yaml\.(safe_load|load|full_load|unsafe_load)\(", p.read_text())
    ]
    assert not offenders, offenders


# ------------------------------------------------------------------ the harmonisation table's one home (case 8)


@pytest.fixture
def open_folders(tmp_path, monkeypatch):
    """An empty fetch cache and no ../shared beside the project (a secure lab)."""
    cache, beside = tmp_path / "public", tmp_path / "shared_public"
    cache.mkdir()
    monkeypatch.setenv("MOVERS_PUBLIC", str(cache))
    monkeypatch.setattr(paths, "SHARED_PUBLIC", beside)
    return cache, beside


def _table(folder: Path) -> None:
    (folder / lacodes.TABLE).parent.mkdir(parents=True, exist_ok=True)
    (folder / lacodes.TABLE).write_text("LADCD,LAD20XCD\nE07000048,E06000059\nE06000059,E06000059\n")


def test_restricted_harmonisation_reads_the_fetch_cache_without_shared(open_folders):
    cache, _ = open_folders
    _table(cache)
    assert lacodes.resolve("auto", "restricted") == "shared"
    assert lacodes.harmonisation("shared").units["E07000048"] == "E06000059"


def test_restricted_harmonisation_absent_everywhere_says_what_to_fetch(open_folders):
    with pytest.raises(InputError) as err:
        lacodes.resolve("auto", "restricted")
    assert f"fetch {lacodes.DATASET}" in str(err.value) and "data/public/lad_code_harmonisation" in str(err.value)


def test_cache_is_preferred_to_shared(open_folders):
    cache, beside = open_folders
    _table(beside)
    assert lacodes.shared_table() == beside / lacodes.TABLE
    _table(cache)
    assert lacodes.shared_table() == cache / lacodes.TABLE


# ------------------------------------------------------------------ impossible input (case 11)


def test_ls_member_whose_age_does_not_follow_the_censuses_is_an_error(ls_world, tmp_path):
    import pandas as pd

    folder = _copy(LS_FILES, ls_world, tmp_path / "ls")
    path = folder / LS_FILES[0]
    rec = pd.read_csv(path)
    counts = rec.groupby("lsnum")["census"].transform("size")
    first = rec[(rec["census"] == 1971) & (counts > 1)].iloc[0]["lsnum"]
    later = (rec["lsnum"] == first) & (rec["census"] == 1981)
    assert later.any()
    rec.loc[later, "age"] = 45  # aged 10-16 in 1971, 45 ten years on
    rec.to_csv(path, index=False)
    message = _message(lambda: ons_ls.load_extract(folder))
    assert "age and census disagree for 1 member" in message and str(first) not in message, message


@pytest.fixture(scope="module")
def nomis_world(make_world):
    return make_world("nomis", 25, 0.05)


@pytest.mark.parametrize("name", ["social_mobility_index_2017.csv", "imd2010_la_summary.csv"])
def test_authority_missing_from_smi_or_imd_is_an_error(nomis_world, tmp_path, name):
    import pandas as pd

    from movers.data import nomis

    folder = tmp_path / "nomis"
    shutil.copytree(nomis_world / "nomis", folder)
    df = pd.read_csv(folder / name, dtype=str)
    code = next(c for c in df.iloc[:, 0] if c not in nomis.SMI_UNRANKED)
    df[df.iloc[:, 0] != code].to_csv(folder / name, index=False)
    message = _message(lambda: nomis.classifications(folder))
    assert name in message and "1 English authority of the area classification has no" in message and code in message


# ------------------------------------------------------------------ raw crashes that named no file (case 10)


def _edit_csv(path: Path, column: str, value, row: int = 0) -> None:
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[df.index[row], column] = value
    df.to_csv(path, index=False)


@pytest.mark.parametrize("column", ["OutLA", "InLA"])
def test_blank_la_code_in_flows_is_an_input_error(flows_world, tmp_path, column):
    known = set(load_geography(flows_world / "geography").las["la_code"])
    target = tmp_path / FLOWS_FILES[0]
    shutil.copy(flows_world / "flows" / FLOWS_FILES[0], target)
    _edit_csv(target, column, "")
    message = _message(lambda: ons_flows.read_part(target, known))
    assert f"{column} code missing in 1 row(s) (first in row 2)" in message, message


@pytest.mark.parametrize(
    ("name", "column"), [("social_mobility_index_2017.csv", "LA code"), ("nomis_aps_unemployment.csv", "GEOGRAPHY_CODE")]
)
def test_blank_la_code_in_nomis_files_is_an_input_error(nomis_world, tmp_path, name, column):
    from movers.data import nomis

    folder = tmp_path / "nomis"
    shutil.copytree(nomis_world / "nomis", folder)
    _edit_csv(folder / name, column, "")
    call = nomis.classifications if name.startswith("social") else nomis.covariates
    assert "code missing in 1 row(s)" in _message(lambda: call(folder))


def test_malformed_ukhls_la_code_is_counted_not_shown(ukhls_world, tmp_path):
    folder = _copy(UKHLS_FILES, ukhls_world, tmp_path / "ukhls")
    path = folder / "bf_oslaua_protect.tab"
    lines = path.read_text().splitlines()
    cells = lines[1].split("\t")
    cells[1] = "Q99ZZ777"
    lines[1] = "\t".join(cells)
    path.write_text("\n".join(lines) + "\n")
    message = _message(lambda: ukhls.load_panel(folder, years=(UKHLS_WAVE_YEAR, UKHLS_WAVE_YEAR)))
    assert "bf_oslaua: 1 row(s) with a malformed LA code" in message and "Q99ZZ777" not in message, message


def test_utf16_files_are_input_errors(flows_world, ls_world, tmp_path):
    detailed = tmp_path / FLOWS_FILES[0]
    detailed.write_bytes((flows_world / "flows" / FLOWS_FILES[0]).read_text().encode("utf-16"))
    assert "not UTF-8 text" in _message(lambda: ons_flows.read_part(detailed))
    folder = _copy(LS_FILES, ls_world, tmp_path / "ls")
    records = folder / LS_FILES[0]
    records.write_bytes(records.read_text().encode("utf-16"))
    assert LS_FILES[0] in _message(lambda: ons_ls.load_extract(folder))


def test_impossible_number_of_moves_is_an_input_error(flows_world, tmp_path):
    target = tmp_path / FLOWS_FILES[0]
    shutil.copy(flows_world / "flows" / FLOWS_FILES[0], target)
    _edit_csv(target, "Moves", "1e300")
    assert "Moves must be 0-1000000: 1 row(s) out of range" in _message(lambda: ons_flows.read_part(target))


def test_motivation_share_no_answer_reaches_is_a_parameter_error():
    import pandas as pd

    from movers.strands.micro import movers_stayers as outcomes

    sample = pd.DataFrame({"reason2": [1, 2, 3, 1, 2, 3], "mover": [0, 1, 0, 1, 0, 1]})
    assert len(outcomes.motivation_table(sample, "reason2", 0.02)) == 3
    with pytest.raises(InputError, match="parameter 'motivation_min_share'"):
        outcomes.motivation_table(sample, "reason2", 1.0)


@pytest.mark.parametrize(("loader", "kind", "name"), [(ons_ls, "records", "econ_activity"), (ukhls, "indresp", "income")])
def test_dictionary_lacking_a_variable_is_an_input_error(tmp_path, loader, kind, name):
    d = yamlfile.read(loader.DEFAULT_DICTIONARY)
    del d["files"][kind]["variables"][name]
    path = tmp_path / "mine.yml"
    path.write_text(yaml.safe_dump(d))
    with pytest.raises(InputError, match=f"files.{kind}.variables lacks {name}"):
        loader.load_dictionary(path)


def test_very_long_path_is_an_input_error(tmp_path):
    from movers.book import params

    long = str(tmp_path / ("a" * 5000))
    message = _message(lambda: paths.data_dir("restricted", long))
    assert "cannot be used as a path" in message and "(5," in message and len(message) < 400, message
    message = _message(lambda: params.check_paths("ls_deprived", {"source": "restricted", "data_path": long}))
    assert "cannot be used as a path" in message and len(message) < 400, message


# ------------------------------------------------------------------ a restricted chapter run on a damaged file


@pytest.mark.slow
def test_restricted_chapter_on_a_headerless_file_fails_naming_it_without_a_value(ls_world, tmp_path):
    """The LS chapter run by the CLI on an extract whose records file lost its header: the terminal and the
    failed notebook (the one meant to be safe to take out) name the file relative to data_path and quote
    no value of it."""
    import json
    import os
    import subprocess
    import sys

    secure = tmp_path / "secure lab" / "extract"
    folder = _copy(LS_FILES, ls_world, secure)
    target = folder / LS_FILES[0]
    values = file_values(target)
    headerless(target)
    env = dict(os.environ, MOVERS_BUILD=str(tmp_path / "_build"))
    run = subprocess.run(
        [sys.executable, "-m", "movers", "run", "ls_deprived", "-p", "source=restricted", "-p", f"data_path={folder}"],
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 1, run.stderr
    failed = tmp_path / "_build" / "failed" / "ls_deprived.ipynb"
    errors = [o for c in json.loads(failed.read_text())["cells"] for o in c.get("outputs", [])]
    assert errors and all(o["output_type"] == "error" for o in errors)
    for text in (run.stderr, failed.read_text()):
        assert f"<restricted data>/{LS_FILES[0]}" in text and "header line is missing" in text, text[-2000:]
        assert str(secure) not in text
        assert not leaked(text, values), leaked(text, values)[:5]


def test_a_file_away_from_the_folder_the_dictionary_names_is_an_error(ls_world, tmp_path):
    d = ons_ls.load_dictionary()
    d["files"]["records"]["folder"] = "census"
    folder = _copy(LS_FILES, ls_world, tmp_path / "ls")
    message = _message(lambda: ons_ls.load_extract(folder, d))
    assert "the dictionary puts it in census/" in message, message
    (folder / "census").mkdir()
    (folder / LS_FILES[0]).rename(folder / "census" / LS_FILES[0])
    assert len(ons_ls.load_extract(folder, d).records)


def test_ukhls_dictionary_folders_with_wave_and_survey(ukhls_world, tmp_path):
    d = ukhls.load_dictionary()
    d["files"]["indresp"]["folder"] = "{survey}/{w}"
    folder = _copy(UKHLS_FILES, ukhls_world, tmp_path / "ukhls")
    assert "puts it in bhps/bf/" in _message(lambda: ukhls.load_panel(folder, d, years=(UKHLS_WAVE_YEAR, UKHLS_WAVE_YEAR)))
    (folder / "bhps" / "bf").mkdir(parents=True)
    (folder / "bf_indresp.tab").rename(folder / "bhps" / "bf" / "bf_indresp.tab")
    assert len(ukhls.load_panel(folder, d, years=(UKHLS_WAVE_YEAR, UKHLS_WAVE_YEAR)).person_waves)


def test_found_names_quotes_a_header_and_hides_a_record():
    from movers.core.errors import found_names

    assert found_names(["LAD code", "LA name", "2000", "2001"]) == "found LAD code, LA name, 2000, 2001"
    hidden = found_names(["68000006", "210065567", "2011", "1814.43"])
    assert "header line is missing" in hidden and "68000006" not in hidden and "3 of its 4 entries" in hidden
