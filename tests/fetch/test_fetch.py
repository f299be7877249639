"""``python -m movers fetch``: the manifest, pooch downloads from local URLs, checksums, resume, offline."""

from __future__ import annotations

import hashlib
import http.server
import re
import threading
from pathlib import Path

import pytest
import yaml

from movers import fetch
from movers.core.errors import InputError
from movers.data import manifest


def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _manifest(tmp_path, files, name="demo", folder="demo"):
    path = tmp_path / "datasets.yml"
    path.write_text(
        yaml.safe_dump(
            {
                "datasets": {
                    name: {
                        "title": "Demo",
                        "publisher": "ONS",
                        "licence": "OGL v3",
                        "folder": folder,
                        "chapters": ["flows_public"],
                        "files": files,
                    }
                }
            }
        )
    )
    return path


@pytest.fixture
def source_file(tmp_path):
    src = tmp_path / "src" / "demo.csv"
    src.parent.mkdir()
    src.write_text("LAD14CD,value\n" + "".join(f"E0600{i:04d},{i}\n" for i in range(4000)))
    return src


def test_the_project_manifest_is_complete():
    m = fetch.load_manifest()
    for name, d in m.items():
        assert d["licence"].startswith("OGL v3"), name
        assert d["chapters"] or d.get("use"), name  # a dataset no chapter reads says what it is for
        for f in d["files"]:
            assert f["url"] is None or f["url"].startswith("https://"), (name, f["name"])
            assert f["sha256"] is None or re.fullmatch(r"[0-9a-f]{64}", f["sha256"])
            if f["url"] is None:
                assert f.get("source_url") and f["sha256"], (
                    f"{name}: a mirror-only file needs its checksum and the original's URL"
                )
    for needed in (
        "population_mye",
        "lad_boundaries_2014",
        "imd2010_lsoa",
        "area_classification_2011",
        "social_mobility_index_2017",
        "unemployment_model_based",
        "gva_la",
        "house_prices",
        "fertility",
        "country_of_birth",
        "occupation_soc12",
        "myeb3",
        "hpssa9",
    ):
        assert needed in m
    for year in range(2012, 2019):  # every year the yearly flows chapters read, in both of ONS's parts
        d = m[f"ons_detailed_{year}"]
        assert [f["unzip"] for f in d["files"]] == [[f"Detailed_Estimates_{year}_Dataset_{n}.csv"] for n in (1, 2)]
        assert all(f["url"].startswith("https://www.ons.gov.uk/file?uri=") for f in d["files"])
    for name in ("unemployment_model_based", "country_of_birth", "occupation_soc12"):  # APS through Nomis's NM_17_5
        d = m[name]
        assert "NM_17_5" in (d["files"][0]["url"] if d["files"] else d["query"]) and d["verified"] is False


@pytest.mark.public
def test_pinned_checksums_match_the_workplace_copy(shared_public):
    m = fetch.load_manifest()
    checked = 0
    for spec in fetch.file_specs(m):
        if spec.sha256 and m[spec.dataset].get("mirror") == "shared":
            assert _sha(shared_public / spec.folder / spec.name) == spec.sha256, spec.name
            checked += 1
    assert checked >= 10


def test_local_url_download_checks_the_hash_and_caches(tmp_path, source_file, monkeypatch, capsys):
    monkeypatch.setattr(
        fetch, "MANIFEST", _manifest(tmp_path, [{"name": "demo.csv", "url": source_file.as_uri(), "sha256": _sha(source_file)}])
    )
    cache = tmp_path / "cache"
    assert fetch.main(["demo"], cache=cache, mirror="", progress=False) == 0
    assert _sha(cache / "demo" / "demo.csv") == _sha(source_file)
    assert "copied" in capsys.readouterr().err
    assert fetch.main(["demo"], cache=cache, mirror="", progress=False) == 0
    assert "cached" in capsys.readouterr().err
    # a corrupted cached copy is replaced, because its hash no longer matches
    (cache / "demo" / "demo.csv").write_text("garbage")
    assert fetch.main(["demo"], cache=cache, mirror="", progress=False) == 0
    assert _sha(cache / "demo" / "demo.csv") == _sha(source_file)


def test_wrong_checksum_fails_and_leaves_nothing(tmp_path, source_file, monkeypatch, capsys):
    monkeypatch.setattr(
        fetch, "MANIFEST", _manifest(tmp_path, [{"name": "demo.csv", "url": source_file.as_uri(), "sha256": "0" * 64}])
    )
    cache = tmp_path / "cache"
    assert fetch.main(["demo"], cache=cache, mirror="", progress=False) == 1
    err = capsys.readouterr().err
    assert "demo/demo.csv" in err and "hash" in err.lower()
    assert not (cache / "demo" / "demo.csv").exists()


def test_unpinned_checksum_is_reported(tmp_path, source_file, monkeypatch, capsys):
    monkeypatch.setattr(
        fetch, "MANIFEST", _manifest(tmp_path, [{"name": "demo.csv", "url": source_file.as_uri(), "sha256": None}])
    )
    assert fetch.main(["demo"], cache=tmp_path / "c", mirror="", progress=False) == 0
    assert f"sha256 {_sha(source_file)}" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/demo.csv", "https://movers-offline-check.invalid/demo.csv"])
def test_offline_gives_one_clear_line(tmp_path, monkeypatch, capsys, url):
    monkeypatch.setattr(
        fetch,
        "MANIFEST",
        _manifest(tmp_path, [{"name": "demo.csv", "url": url, "sha256": None}, {"name": "b.csv", "url": url, "sha256": None}]),
    )
    assert fetch.main(["demo"], cache=tmp_path / "c", mirror="", progress=False) == fetch.OFFLINE_EXIT
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("fetch:")]
    assert len(lines) == 1
    assert lines[0].startswith("fetch: offline: cannot reach") and "0 of 2 file(s) ready" in lines[0]
    assert "Traceback" not in lines[0]


def test_mirror_serves_files_without_a_public_url(tmp_path, source_file, monkeypatch):
    files = [{"name": "demo.csv", "url": None, "source_url": "https://example.org/original.xls", "sha256": _sha(source_file)}]
    monkeypatch.setattr(fetch, "MANIFEST", _manifest(tmp_path, files, folder="src"))
    assert fetch.main(["demo"], cache=tmp_path / "c", mirror="", progress=False) == 1  # no mirror: nothing to download from
    assert fetch.main(["demo"], cache=tmp_path / "c", mirror=source_file.parent.parent.as_uri(), progress=False) == 0
    assert manifest.local_path(tmp_path / "c", "demo", fetch.load_manifest()).read_text() == source_file.read_text()


class _RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Serves one file and honours ``Range: bytes=N-`` (the standard library handler does not)."""

    ranges: list = []

    def do_GET(self):  # noqa: N802
        data = Path(self.server.payload).read_bytes()
        rng = self.headers.get("Range")
        type(self).ranges.append(rng)
        if rng:
            start = int(rng.split("=")[1].rstrip("-"))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            body = data[start:]
        else:
            self.send_response(200)
            body = data
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_interrupted_download_resumes_with_a_range_request(tmp_path, source_file, monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RangeHandler)
    server.payload = source_file
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/demo.csv"
        monkeypatch.setattr(
            fetch, "MANIFEST", _manifest(tmp_path, [{"name": "demo.csv", "url": url, "sha256": _sha(source_file)}])
        )
        cache = tmp_path / "cache"
        (cache / "demo").mkdir(parents=True)
        half = source_file.read_bytes()[:20000]
        (cache / "demo" / "demo.csv.part").write_bytes(half)  # what an interrupted run leaves
        _RangeHandler.ranges = []
        assert fetch.main(["demo"], cache=cache, mirror="", progress=False) == 0
        assert _RangeHandler.ranges == ["bytes=20000-"]
        assert _sha(cache / "demo" / "demo.csv") == _sha(source_file)
        assert not (cache / "demo" / "demo.csv.part").exists()
    finally:
        server.shutdown()


def test_unknown_dataset_and_broken_manifest(tmp_path, monkeypatch):
    with pytest.raises(InputError, match="unknown dataset.*nope.*known: lad_boundaries_2014"):
        fetch.main(["nope"], cache=tmp_path)
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "datasets:\n  x: {title: t, publisher: p, licence: OGL v3, folder: f, chapters: [a], files: [{name: a.csv, url: null}]}\n"
    )
    monkeypatch.setattr(fetch, "MANIFEST", bad)
    with pytest.raises(InputError, match="every file needs name, url and sha256"):
        fetch.load_manifest()


def test_cli_reports_unknown_dataset(capsys):
    from movers import cli

    assert cli.main(["fetch", "no_such_dataset"]) == 2
    assert "unknown dataset(s) no_such_dataset" in capsys.readouterr().err


@pytest.mark.public
def test_fetch_from_the_workplace_mirror_derives_the_region_lookup(shared_public, tmp_path):
    cache = tmp_path / "public"
    assert fetch.main(["lad_boundaries_2014", "gva_la"], cache=cache, mirror=shared_public.as_uri(), progress=False) == 0
    from movers.data.geography import load_geography

    g = load_geography(cache / "lad_boundaries_2014_sgcb")
    assert len(g.las) == 348
    assert (cache / "lad_boundaries_2014_sgcb" / "LAD14_RGN14_EW_LU.csv").exists()


@pytest.mark.public
def test_derived_files_are_in_the_loaders_layouts(shared_public, tmp_path):
    """After fetching, the geography and nomis loaders of the flows chapters read the derived files."""
    import pandas as pd

    from movers.data import nomis

    cache = tmp_path / "public"
    assert (
        fetch.main(
            ["lad_boundaries_2014", "gva_la", "imd2010_lsoa", "imd2015_lsoa"],
            cache=cache,
            mirror=str(shared_public),
            progress=False,
        )
        == 0
    )
    from movers.data.geography import load_geography

    g = load_geography(cache / "geography")
    assert len(g.las) == 348
    imd = pd.read_csv(cache / "nomis" / "imd2010_la_summary.csv")
    assert len(imd) == 326 and imd.loc[imd["Rank of average score"] == 1, "LA NAME"].item() == "Liverpool"
    # the same quintile rule as the synthetic world's loader
    q = nomis.quintile_groups(imd.set_index("LA CODE")["Rank of average score"], nomis.IMD_GROUPS)
    assert q["E08000012"] == "High deprivation" and q.value_counts().min() == 65


def test_zip_resources_are_unpacked(tmp_path, monkeypatch, capsys):
    import zipfile

    src = tmp_path / "src"
    src.mkdir()
    with zipfile.ZipFile(src / "detailedestimates2017dataset1.zip", "w") as zf:
        zf.writestr("Detailed_Estimates_2017_Dataset_1.csv", "OutLA,InLA,Age,Sex,Moves\nE06000001,E06000002,18,F,1.5\n")
        zf.writestr("readme.txt", "notes")
    z = src / "detailedestimates2017dataset1.zip"
    monkeypatch.setattr(
        fetch,
        "MANIFEST",
        _manifest(
            tmp_path, [{"name": z.name, "url": z.as_uri(), "sha256": _sha(z), "unzip": ["Detailed_Estimates_2017_Dataset_1.csv"]}]
        ),
    )
    cache = tmp_path / "cache"
    assert fetch.main(["demo"], cache=cache, mirror="", progress=False) == 0
    assert (cache / "demo" / "Detailed_Estimates_2017_Dataset_1.csv").read_text().startswith("OutLA,InLA")
    assert not (cache / "demo" / "readme.txt").exists() and "unpacked" in capsys.readouterr().err
    # a member the zip lacks is one error naming the zip and what it holds
    monkeypatch.setattr(
        fetch,
        "MANIFEST",
        _manifest(
            tmp_path, [{"name": z.name, "url": z.as_uri(), "sha256": _sha(z), "unzip": ["Detailed_Estimates_2017_Dataset_2.csv"]}]
        ),
    )
    assert fetch.main(["demo"], cache=cache, mirror="", progress=False) == 1
    assert "no member 'Detailed_Estimates_2017_Dataset_2.csv'" in capsys.readouterr().err
    (tmp_path / "bad.zip").write_text("<html>not found</html>")
    with pytest.raises(InputError, match="bad.zip: not a zip file"):
        fetch.unpack(tmp_path / "bad.zip", "all")


def test_every_dataset_names_its_edition_and_an_adapter_that_exists():
    import importlib

    m = fetch.load_manifest()
    for name, d in m.items():
        assert d.get("edition"), name
        assert "adapter" in d, name
        if d["adapter"] is None:
            assert d.get("note") or not d["files"], f"{name}: no adapter, and no note saying why"
            continue
        module, func = d["adapter"].rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), func)), d["adapter"]
    zips = [f for d in m.values() for f in d["files"] if f["name"].endswith(".zip")]
    assert zips and all(f.get("unzip") for f in zips)  # every zip resource is unpacked after download


# --------------------------------------------------------------------------- what --scenario public can run


def test_missing_inputs_name_each_dataset_and_its_fetch_command(tmp_path):
    lines = fetch.missing_inputs("flows_public", tmp_path)
    wanted = [n for n, d in fetch.load_manifest().items() if "flows_public" in d["chapters"] and not d.get("optional")]
    assert len(lines) == len(wanted) >= 10
    for name, line in zip(wanted, lines):
        assert line.startswith(f"flows_public: needs {name} (not in ") and line.endswith(f"run `python -m movers fetch {name}`")


@pytest.mark.public
def test_missing_inputs_on_the_workplace_copy(shared_public):
    assert fetch.missing_inputs("flows_public", shared_public) == []  # the real-data chapter has every input
    ons = fetch.missing_inputs("flows_ons", shared_public)
    assert "flows_ons: needs ons_detailed_2012 (not in" in ons[0] and ons[0].endswith(
        "`python -m movers fetch ons_detailed_2012`"
    )
    assert not any("lad_boundaries_2014" in line for line in ons)  # present: not named
    assert any(line.startswith("flows_ons: needs population_mye") for line in ons)  # MYEB1: not in the workplace copy
    assert not any("does not read open data" in line for line in ons)  # the yearly chapters read source=public
    assert fetch.missing_inputs("annex", shared_public) == []  # reads only the project's own classification tables


def test_chapters_no_open_download_feeds_get_one_line(tmp_path):
    (line,) = fetch.missing_inputs("movers_stayers", tmp_path)
    assert line.startswith("movers_stayers: needs the BHPS-UKHLS Special Licence files") and "not run on open data" in line


def test_open_chapters_keeps_only_what_open_data_feeds(tmp_path):
    said = []
    assert fetch.open_chapters(["annex", "flows_public", "ls_deprived"], tmp_path, log=said.append) == ["annex"]
    assert any(s.startswith("flows_public: needs census2011_od") for s in said) and any(
        s.startswith("ls_deprived: needs") for s in said
    )
    assert said[-1].startswith("open data: running annex; 2 chapter(s) not run")


def test_public_scenario_never_runs_a_chapter_on_synthetic_data(capsys):
    from movers.book import runner

    assert runner.run(["movers_stayers"], scenario="public") == []  # nothing executed, nothing planned
    err = capsys.readouterr().err
    assert "movers_stayers: needs the BHPS-UKHLS Special Licence files" in err and "running no chapter" in err


def test_fetch_derives_the_nomis_loader_file_from_an_aps_download(tmp_path):
    manifest = {
        "unemployment_model_based": {
            "title": "APS",
            "folder": "nomis",
            "derive": "nomis_aps_unemployment.csv",
            "chapters": ["flows_ons"],
            "files": [{"name": "raw.csv"}],
        }
    }
    (tmp_path / "nomis").mkdir()
    (tmp_path / "nomis" / "raw.csv").write_text(
        "DATE,GEOGRAPHY_CODE,VARIABLE_NAME,OBS_VALUE\n2017-12,E06000001,Unemployment rate - aged 16-64,6.1\n"
    )
    said = []
    (out,) = fetch.derive(tmp_path, manifest, log=said.append)
    assert out == tmp_path / "nomis" / "nomis_aps_unemployment.csv" and out.read_text().splitlines()[1].startswith(
        "2017,E06000001"
    )
    assert "APS rates by calendar year" in said[0]
