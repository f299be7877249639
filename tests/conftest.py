"""Shared fixtures: a small synthetic world generated once per test session, and a chapter runner."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SHARED_PUBLIC = Path(__file__).resolve().parents[2] / "shared" / "data" / "public"


def small_world(tmp_path_factory, dataset: str, seed: int, scale: float) -> Path:
    """A synthetic world holding ``dataset`` (and the datasets it requires) at ``scale``, generated quietly
    into a fresh temporary folder: the fixture body of every test module that needs generated files."""
    from movers.synth import generate_world

    root = tmp_path_factory.mktemp(f"{dataset}_world") / "synthetic"
    generate_world(root, seed=seed, scale=scale, only=[dataset], log=lambda *_: None)
    return root


@pytest.fixture(scope="session")
def make_world(tmp_path_factory):
    """``make_world(dataset, seed, scale)``: a quiet synthetic world with ``dataset`` in a fresh temporary folder."""
    return lambda dataset, seed, scale: small_world(tmp_path_factory, dataset, seed=seed, scale=scale)


@pytest.fixture(scope="session")
def flows_world(tmp_path_factory) -> Path:
    """One small flows world (seed 5, scale 0.05) for the session: the census chapter's analysis and page tests."""
    return small_world(tmp_path_factory, "flows", seed=5, scale=0.05)


@pytest.fixture(scope="session")
def chapter_runner():
    """``chapter_runner(src, out, parameters)``: run a chapter as the runner does; its glued values and markdown."""
    return run_chapter


@pytest.fixture(scope="session")
def geo_world(tmp_path_factory) -> Path:
    """A world holding only the synthetic geography (fast)."""
    from movers.synth import generate_world

    root = tmp_path_factory.mktemp("geo_world") / "synthetic"
    generate_world(root, seed=7, scale=1.0, only=["geography"], log=lambda *_: None)
    return root


@pytest.fixture(scope="session")
def random_covariates():
    """``random_covariates(codes, rng)``: plausible sending/receiving controls of the census models (population,
    young share, dependency ratio, TFR, house price, GVA per head) for the authorities ``codes``, drawn from ``rng``."""

    def draw(codes, rng):
        n = len(codes)
        return pd.DataFrame(
            {
                "population": rng.uniform(5e4, 5e5, n),
                "young_share": rng.uniform(0.14, 0.26, n),
                "dependency_ratio": rng.uniform(0.2, 0.45, n),
                "tfr": rng.uniform(1.5, 2.3, n),
                "house_price": np.exp(rng.normal(12.1, 0.3, n)),
                "gva_per_head": np.exp(rng.normal(10, 0.25, n)),
            },
            index=codes,
        )

    return draw


@pytest.fixture(scope="session")
def shared_public() -> Path:
    """The real open files copied beside the project, or skip when this machine has none."""
    if not SHARED_PUBLIC.is_dir():
        pytest.skip("../shared/data/public is not present on this machine")
    return SHARED_PUBLIC


def run_chapter(src: Path, out: Path, parameters: dict) -> tuple[dict, str]:
    """Execute a jupytext chapter with papermill (as the runner does) and return its glued values and the
    markdown it displayed; fails if the prose cites a glue name the run did not produce."""
    import jupytext
    import papermill as pm

    from movers.core import paths

    nb = jupytext.reads(src.read_text(), fmt="md:myst")
    # The kernel inherits MOVERS_BUILD: what the chapter writes beside the book (checker records) goes to a
    # temporary folder, never into the project's real _build/.
    before = os.environ.get("MOVERS_BUILD")
    os.environ["MOVERS_BUILD"] = str(out.parent / "_build")
    try:
        pm.execute_notebook(
            nb, str(out), parameters=parameters, kernel_name="python3", cwd=str(paths.ROOT), progress_bar=False, log_output=False
        )
    finally:
        if before is None:
            os.environ.pop("MOVERS_BUILD", None)
        else:
            os.environ["MOVERS_BUILD"] = before
    glued, markdown = {}, []
    for cell in json.loads(out.read_text())["cells"]:
        for o in cell.get("outputs", []):
            # warnings printed on a page leak install paths and noise to the reader (and, restricted, to checkers)
            assert not (o.get("output_type") == "stream" and o.get("name") == "stderr"), "".join(o.get("text", ""))[:300]
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                glued[name] = o["data"].get("application/papermill.record/text/plain")
            if "text/markdown" in o.get("data", {}):
                markdown.append("".join(o["data"]["text/markdown"]))
    used = set(re.findall(r"\{glue:text\}`(\w+)", src.read_text()))
    assert used <= set(glued), sorted(used - set(glued))
    return glued, "\n".join(markdown)


# Markers are written in the test files (``pytestmark = pytest.mark.slow`` or ``@pytest.mark.slow``), never
# inferred from file names. A fixture that implies a marker makes a test that uses it, directly or through
# another fixture, carry that marker: a test without it is a collection error naming the test.
MARKED_FIXTURES = {
    "shared_public": "public",  # reads the real open files of ../shared/data/public
    "chapter_runner": "slow",  # executes a chapter in a kernel (papermill)
    "kernel_project": "slow",  # tests/book/test_runner.py: a project whose chapter `movers run` executes in a kernel
}


def unmarked(items) -> list[str]:
    """'<test id> uses <fixture> but is not marked <marker>' for every item that lacks a marker its fixtures imply."""
    return [
        f"{item.nodeid} uses the fixture {fixture!r} but is not marked @pytest.mark.{mark}"
        for item in items
        for fixture, mark in MARKED_FIXTURES.items()
        if fixture in getattr(item, "fixturenames", ()) and item.get_closest_marker(mark) is None
    ]


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    """A module (or class) whose tests lack a marker their fixtures imply fails to collect, naming each test, in
    every selection (``make test`` runs ``-m "not slow"`` then ``-m slow``: a missing marker would move a test to
    the wrong run, or a ../shared reader to a machine without it). Reported as a collection error, also by xdist."""
    report = yield
    if report.passed and isinstance(collector, pytest.Module | pytest.Class):
        problems = unmarked([x for x in report.result if isinstance(x, pytest.Function)])
        if problems:
            report.outcome, report.result = "failed", []
            report.longrepr = "tests without the marker their fixtures need:\n  " + "\n  ".join(problems)
    return report


def _real_build_files() -> set[str]:
    build = Path(__file__).resolve().parents[1] / "_build"
    return {str(p) for p in build.rglob("*")} if build.is_dir() else set()


def pytest_sessionstart(session):
    session.config._real_build_before = _real_build_files()


def pytest_sessionfinish(session, exitstatus):
    """No test may write into the project's real _build/ (tests build books and run chapters in temporary folders)."""
    new = sorted(_real_build_files() - getattr(session.config, "_real_build_before", set()))
    if new:
        print(f"\nERROR: tests wrote {len(new)} file(s) into the project's _build/, e.g. {new[:3]}")
        session.exitstatus = 1


# ----------------------------------------------------------------------------- ACRO's results layout

ACRO_SAMPLE = Path(__file__).parent / "samples" / "acro_results.json"


def _shape(x):
    """The JSON type of a value, as the sample file fixes it."""
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}.get(type(x), "null")


def _validate_acro(results: dict, sample: dict, folder: Path) -> list[str]:
    """What in ``results`` does not follow the layout of the hand-written ACRO sample (the keys and types of
    ``acro.record.Records.finalise_json``) or what the SACRO viewer checks when it opens a folder."""
    bad = []
    major, minor = results["version"].split(".")[:2]
    smajor, sminor = sample["version"].split(".")[:2]
    if (major, minor) != (smajor, sminor):
        bad.append(f"version {results['version']} is not ACRO {smajor}.{sminor}")
    ref = next(iter(sample["results"].values()))
    for uid, res in results["results"].items():
        for key, value in ref.items():
            if key not in res or (value is not None and _shape(res[key]) != _shape(value)):
                bad.append(f"{uid}: {key} missing or not {_shape(value)}")
        if res.get("status") not in ("pass", "fail", "review") or res.get("uid") != uid:
            bad.append(f"{uid}: status or uid")
        for f in res.get("files", []) or [None]:
            if not f or "name" not in f or not (folder / f["name"]).is_file():
                bad.append(f"{uid}: a file entry without an existing file")
                continue
            for key in ref["files"][0]["sdc"]:
                if key not in f.get("sdc", {}):
                    bad.append(f"{uid}: sdc.{key} missing")
            for flag, where in f["sdc"].get("cells", {}).items():
                if flag not in ref["files"][0]["sdc"]["cells"] or any(
                    len(xy) != 2 or not all(isinstance(v, int) for v in xy) for xy in where
                ):
                    bad.append(f"{uid}: sdc.cells.{flag}")
            digest = folder / "checksums" / f"{f['name']}.txt"
            if not digest.is_file() or digest.read_text() != hashlib.sha256((folder / f["name"]).read_bytes()).hexdigest():
                bad.append(f"{uid}: checksum of {f['name']}")
        if not all(isinstance(v, dict) and all(isinstance(t, str) for t in v.values()) for v in res.get("outcome", {}).values()):
            bad.append(f"{uid}: outcome is not {{column: {{row: text}}}}")
    return bad


@pytest.fixture(scope="session")
def acro_layout():
    """(the hand-written ACRO sample, ``validate(results, sample, folder) -> problems``) for tests of the
    output checker's ``acro/results.json``."""
    return json.loads(ACRO_SAMPLE.read_text()), _validate_acro
