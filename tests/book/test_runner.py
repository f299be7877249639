"""The runner never lies (issue 17): its cache key covers every byte a chapter reads, on relative paths,
per dataset; stale pages are refused or visibly marked; a failed run keeps the last good output, stale;
Ctrl-C and SIGTERM cancel within seconds; a dead kernel is named and the other chapters still run.

These tests work on a tiny project in a temporary folder; the last ones start real kernels."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from movers.book import runner
from movers.core import paths
from movers.sdc.redact import SECURE_PATH

HEADER = "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\nkernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"


def make_project(root):
    """A project with two chapters: ``tiny`` reads the flows and nomis datasets, ``other`` only flows."""
    (root / "chapters").mkdir(parents=True)
    (root / "params").mkdir()
    world = root / "data" / "synthetic"
    for ds, text in (("flows", "OutLA,InLA,Moves\nE1,E2,5\n"), ("nomis", "LAD code,2017\nE1,10\n"), ("ukhls", "pidp\n1\n")):
        (world / ds).mkdir(parents=True)
        (world / ds / f"{ds}.csv").write_text(text)
    (world / "world.json").write_text('{"seed": 1}')
    (root / "data" / "dictionaries").mkdir()
    (root / "data" / "dictionaries" / "d.yml").write_text("a: 1\n")
    shutil.copy(paths.DATA / "sdc_rules.yml", root / "data" / "sdc_rules.yml")
    (root / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: chapters/tiny\n  - file: chapters/other\n")
    for name, reads in (("tiny", "[flows, nomis]"), ("other", "[flows]")):
        (root / "chapters" / f"{name}.md").write_text(
            HEADER
            + f"# {name}\n\n```{{code-cell}} ipython3\n:tags: [parameters]\n\nsource = 'synthetic'\ndata_path = ''\ndictionary = ''\nn = 1\n```\n"
        )
        (root / "params" / f"{name}.yml").write_text(
            f"source: synthetic\ndata_path: ''\ndictionary: ''\nn: 1\n_reads:\n  data_path: {reads}\n"
        )
    return root


def use_project(monkeypatch, root):
    monkeypatch.setattr(paths, "ROOT", root)
    monkeypatch.setattr(paths, "CHAPTERS", root / "chapters")
    monkeypatch.setattr(paths, "PARAMS", root / "params")
    monkeypatch.setattr(paths, "DATA", root / "data")
    monkeypatch.setattr(paths, "BUILD", root / "_build")
    monkeypatch.setenv("MOVERS_SYNTHETIC", str(root / "data" / "synthetic"))
    monkeypatch.setattr(runner, "INDEX", runner._ContentIndex())


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = make_project(tmp_path / "checkout")
    use_project(monkeypatch, root)
    return root


def fake_run(name, prm=None):
    """What a successful run leaves: an executed notebook recording its parameters and input digests."""
    from movers.book import params

    prm = prm or params.resolve(name)
    parts = runner.inputs(name, prm)
    nb = runner._finalise(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("page")]), name, prm, runner.digest_of(parts), 0.1, parts
    )
    runner.executed_dir().mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, runner.executed_path(name))
    return prm


def test_an_in_place_edit_is_seen_even_with_size_and_time_put_back(project):
    fake_run("tiny")
    assert runner.stale(["tiny"]) == []
    f = project / "data" / "synthetic" / "flows" / "flows.csv"
    st = f.stat()
    f.write_text(f.read_text().replace("5", "9"))  # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # same modification time
    assert runner.why_stale("tiny") == ["changed: data_path:flows"]


def test_a_truncated_data_file_makes_the_page_stale(project):
    fake_run("tiny")
    f = project / "data" / "synthetic" / "nomis" / "nomis.csv"
    f.write_text(f.read_text()[:10])
    assert runner.why_stale("tiny") == ["changed: data_path:nomis"]


def test_regenerating_one_dataset_reexecutes_only_the_chapters_that_read_it(project):
    fake_run("tiny"), fake_run("other")
    (project / "data" / "synthetic" / "nomis" / "nomis.csv").write_text("LAD code,2017\nE1,11\n")
    (project / "data" / "synthetic" / "world.json").write_text('{"seed": 1, "regenerated": "nomis"}')
    (project / "data" / "synthetic" / "ukhls" / "ukhls.csv").write_text("pidp\n2\n")  # read by neither
    assert runner.stale(["tiny", "other"]) == ["tiny"]


def test_moving_the_checkout_keeps_the_cache(project, tmp_path, monkeypatch):
    prm = fake_run("tiny")
    before = runner.input_hash("tiny", prm)
    moved = tmp_path / "elsewhere" / "checkout"
    shutil.copytree(project, moved)
    use_project(monkeypatch, moved)
    assert runner.input_hash("tiny", prm) == before
    assert runner.stale(["tiny"]) == []


def test_dictionary_and_aux_files_given_as_parameters_are_hashed(project):
    from movers.book import params

    mine = project / "my_dictionary.yml"
    mine.write_text("a: 1\n")
    prm = params.resolve("tiny", {"dictionary": "my_dictionary.yml"})
    before = runner.input_hash("tiny", prm)
    mine.write_text("a: 2\n")
    assert runner.input_hash("tiny", prm) != before
    # the project's own dictionaries too
    before = runner.input_hash("tiny", params.resolve("tiny"))
    (project / "data" / "dictionaries" / "d.yml").write_text("a: 3\n")
    assert runner.input_hash("tiny", params.resolve("tiny")) != before


def test_aux_path_datasets_are_hashed(project, tmp_path):
    from movers.book import params

    (project / "params" / "tiny.yml").write_text(
        "source: synthetic\ndata_path: ''\ndictionary: ''\naux_path: ''\nn: 1\n_reads:\n  data_path: [flows]\n  aux_path: [nomis]\n"
    )
    aux = tmp_path / "aux"
    (aux / "nomis").mkdir(parents=True)
    (aux / "nomis" / "x.csv").write_text("1\n")
    prm = params.resolve("tiny", {"aux_path": str(aux)})
    parts = runner.inputs("tiny", prm)
    assert "aux_path:nomis" in parts
    (aux / "nomis" / "x.csv").write_text("2\n")
    assert runner.inputs("tiny", prm)["aux_path:nomis"] != parts["aux_path:nomis"]


def test_package_versions_are_part_of_the_key(project, monkeypatch):
    import importlib.metadata

    (project / "requirements.lock").write_text("pandas==3.1.1 \\\n    --hash=sha256:00\n    # via movers\n")
    assert "pandas==" in runner.package_versions() and "sha256" not in runner.package_versions()
    fake_run("tiny")
    assert runner.stale(["tiny"]) == []
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.0.1")
    assert runner.why_stale("tiny") == ["changed: versions"]


def test_build_refuses_stale_pages_and_allow_stale_marks_each_one(project):
    from movers.book import params

    fake_run("tiny", params.resolve("tiny", {"n": 3})), fake_run("other")
    (project / "data" / "synthetic" / "nomis" / "nomis.csv").write_text("changed\n")
    message = runner.stale_message(runner.stale(["tiny", "other"]))
    assert "tiny: changed: data_path:nomis; run `python -m movers run tiny -p n=3`" in message and "other" not in message
    assert runner.mark_stale_pages(["tiny", "other"]) == ["tiny"]
    first = nbformat.read(runner.executed_path("tiny"), as_version=4).cells[0]
    assert (
        first.cell_type == "markdown" and first.source.startswith(":::{warning} Stale page") and "data_path:nomis" in first.source
    )
    assert "Stale page" not in nbformat.read(runner.executed_path("other"), as_version=4).cells[0].source
    # current again: the warning goes
    (project / "data" / "synthetic" / "nomis" / "nomis.csv").write_text("LAD code,2017\nE1,10\n")
    assert runner.mark_stale_pages(["tiny"]) == []
    assert [c.source for c in nbformat.read(runner.executed_path("tiny"), as_version=4).cells][0] != first.source


def test_a_failed_run_keeps_the_output_marked_stale_with_the_command_of_the_failed_parameters(project):
    fake_run("tiny")
    runner.mark_failed(
        runner.executed_path("tiny"),
        {"source": "synthetic", "data_path": "", "dictionary": "", "n": 7},
        "cell 2 raised ValueError",
    )
    assert runner.executed_path("tiny").exists()
    assert runner.why_stale("tiny")[0].startswith("a later run failed")
    assert "python -m movers run tiny -p n=7" in runner.stale_message(["tiny"])


def test_rerun_command_quotes_lists():
    assert runner.rerun_command("flows_ons", {"years": "2011,2014", "models": ["Model 1"], "source": "synthetic"}) == (
        "python -m movers run flows_ons -p years=2011,2014 -p 'models=[\"Model 1\"]'"
    )


def test_orphans_of_a_killed_run_are_swept(project):
    runner.running_dir().mkdir(parents=True)
    runner.executed_dir().mkdir(parents=True)
    dead = runner.running_dir() / "tiny.999999999.ipynb"
    legacy = runner.executed_dir() / "tiny.running.ipynb"
    mine = runner.running_dir() / f"other.{os.getppid()}.ipynb"  # a live process's scratch file stays
    for f in (dead, legacy, mine):
        f.write_text("{}")
    assert sorted(runner.sweep_scratch()) == sorted([dead, legacy])
    assert mine.exists()


# ----------------------------------------------------------------------------- real kernels

SLOW = (
    "```{code-cell} ipython3\n:tags: [parameters]\n\nsource = 'synthetic'\ndata_path = ''\ndelay = 0.0\ndie = False\nfail = False\n```\n\n"
    "```{code-cell} ipython3\nimport os, pathlib, time\npathlib.Path('kernel.pid').write_text(str(os.getpid()))\n"
    "if die:\n    os.kill(os.getpid(), 9)\nif fail:\n    raise ValueError(f'bad value in {data_path}/x.tab for pidp 68012345')\ntime.sleep(delay)\nprint('done', delay)\n```\n"
)


@pytest.fixture
def kernel_project(project):
    (project / "chapters" / "slow.md").write_text(HEADER + "# slow\n\n" + SLOW)
    (project / "params" / "slow.yml").write_text("source: synthetic\ndata_path: ''\ndelay: 0.0\ndie: false\nfail: false\n")
    (project / "_toc.yml").write_text(
        "format: jb-book\nroot: index\nchapters:\n  - file: chapters/slow\n  - file: chapters/other\n"
    )
    return project


def movers(project, *args, wait=True):
    env = {
        **os.environ,
        "MOVERS_ROOT": str(project),
        "MOVERS_SYNTHETIC": str(project / "data" / "synthetic"),
        "PYTHONPATH": str(Path(runner.__file__).parents[2]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "movers", *args], cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    if wait:
        _, err = proc.communicate(timeout=240)
        return proc.returncode, err
    return proc


def leftovers(project):
    return sorted(
        str(p.relative_to(project))
        for p in (project / "_build").rglob("*")
        if p.is_file() and ("running" in p.name or p.parent.name == "running" or p.name.endswith(".tmp"))
    )


def gone(pid, within=10.0):
    t0 = time.time()
    while time.time() - t0 < within:
        try:
            state = Path(f"/proc/{pid}/status").read_text()
            if "\nState:\tZ" in state:
                return True
        except FileNotFoundError:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow  # starts a kernel
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_cancels_within_seconds_and_keeps_the_last_good_output(kernel_project, sig):
    code, err = movers(kernel_project, "run", "slow")
    assert code == 0, err
    good = runner.executed_path("slow").read_bytes()
    pidfile = kernel_project / "kernel.pid"
    pidfile.unlink()
    proc = movers(kernel_project, "run", "slow", "-p", "delay=120", wait=False)
    t0 = time.time()
    while not pidfile.exists() and time.time() - t0 < 120:
        time.sleep(0.2)
    assert pidfile.exists(), "the kernel never started"
    time.sleep(0.5)
    t0 = time.time()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    seconds = time.time() - t0
    assert proc.returncode == 130, err
    assert seconds < 10, f"cancelling took {seconds:.1f} s"
    assert "cancelled" in err and "Traceback" not in err and "Kernel died" not in err
    assert runner.executed_path("slow").read_bytes() == good
    assert leftovers(kernel_project) == []
    assert gone(int(pidfile.read_text())), "the kernel survived"


@pytest.mark.slow  # starts a kernel
def test_a_dead_kernel_is_named_and_the_other_chapters_still_run(kernel_project):
    code, err = movers(kernel_project, "run", "slow")
    assert code == 0, err
    (kernel_project / "_build" / "failed").mkdir()
    (kernel_project / "_build" / "failed" / "slow.ipynb").write_text("{}")
    code, err = movers(kernel_project, "run", "slow", "other", "-p", "die=true")
    assert code == 1
    assert "chapter 'slow' failed: the kernel died" in err and "Traceback" not in err
    assert "other: executed" in err
    assert not (
        kernel_project / "_build" / "failed" / "slow.ipynb"
    ).exists()  # a dead kernel leaves no notebook; no older one stays either
    assert "python -m movers run slow -p die=true" in err
    assert runner.executed_path("slow").exists() and runner.why_stale("slow")[0].startswith("a later run failed")
    assert leftovers(kernel_project) == []


@pytest.mark.slow  # starts a kernel
def test_a_failed_restricted_run_names_the_cell_and_scrubs_its_notebook(kernel_project, tmp_path):
    secret = tmp_path / "secure" / "ukhls"
    secret.mkdir(parents=True)
    old_record = kernel_project / "_build" / "output_checking" / "slow" / "record.json"
    old_counts = kernel_project / "_build" / "output_checking" / "slow_counts.csv"
    old_record.parent.mkdir(parents=True)
    old_record.write_text("{}"), old_counts.write_text("cell,n\nx,3\n")
    code, err = movers(kernel_project, "run", "slow", "-p", "source=restricted", "-p", f"data_path={secret}", "-p", "fail=true")
    assert not old_record.exists() and not old_counts.exists(), "a checker's record of an earlier run survived a failed run"
    assert code == 1
    assert re.search(r"chapter 'slow' failed: cell \d+ raised ValueError: bad value in <restricted data>", err)
    failed = (kernel_project / "_build" / "failed" / "slow.ipynb").read_text()
    for text in (err, failed):
        assert str(secret) not in text and "68012345" not in text
    assert leftovers(kernel_project) == []


def test_book_build_refuses_a_stale_page_naming_why_and_the_command(project):
    from movers.book import build as book, params

    fake_run("tiny", params.resolve("tiny", {"n": 4})), fake_run("other")
    (project / "data" / "synthetic" / "flows" / "flows.csv").write_text("OutLA,InLA,Moves\nE1,E2,6\n")
    with pytest.raises(book.BuildError) as exc:
        book.stage(allow_stale=False)
    text = str(exc.value)
    assert "tiny: changed: data_path:flows; run `python -m movers run tiny -p n=4`" in text
    assert "other: changed: data_path:flows; run `python -m movers run other`" in text


@pytest.mark.slow  # starts a kernel
def test_a_restricted_run_leaves_no_path_in_its_notebook_or_box(kernel_project, tmp_path):
    secret = tmp_path / "secure" / "ukhls"
    secret.mkdir(parents=True)
    code, err = movers(kernel_project, "run", "slow", "-p", "source=restricted", "-p", f"data_path={secret}")
    assert code == 0, err
    nb = json.loads(runner.executed_path("slow").read_text())
    assert str(secret) not in json.dumps(nb)  # provenance included: it holds the redacted parameters
    assert nb["metadata"]["movers"]["parameters"]["data_path"] == SECURE_PATH
    # the real parameters stay beside the book (with the checker's files), so staleness is still judged on them
    assert runner.recorded(runner.executed_path("slow"))["parameters"]["data_path"] == str(secret)
    assert not runner.why_stale("slow")
    box = next(c for c in nb["cells"] if "movers-parameters" in c["metadata"].get("tags", []))
    assert SECURE_PATH in "".join(box["source"])


def test_a_parameters_cell_may_declare_several_names_on_one_line():
    cell = nbformat.v4.new_code_cell("a, b, c = [1, 2], 'x', 3\nd = None\n")
    cell.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[cell])
    assert runner.declared_parameters(nb) == {"a": [1, 2], "b": "x", "c": 3, "d": None}


def test_a_second_run_of_a_chapter_while_one_is_running_stops_with_a_message(project):
    """Issue 25 (13): two runs of one chapter at once silently lost one result (the second cleared the
    first's checker record and raced it to the output). Now one holds the chapter's lock, the other stops."""
    prm = runner.plan(["tiny"], {}, None)["tiny"]
    held = pytest.raises(runner.ChapterFailed, match=f"already being run \\(by process {os.getpid()}\\)")
    with runner.chapter_lock("tiny"), held:
        runner.run_chapter("tiny", prm, force=True)
    with runner.chapter_lock("tiny"), runner.chapter_lock("other"):  # released after a run; chapters lock apart
        pass


def test_a_kernel_shut_down_after_its_chapter_is_not_interrupted(monkeypatch):
    """jupyter_client interrupts every kernel before shutting it down; an idle kernel then printed
    "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel." into ``make book``'s output. The runner's
    kernel manager skips the interrupt of a shutdown (a cancelled run kills its kernels instead) and
    keeps any other interrupt."""
    import asyncio

    from jupyter_client import AsyncKernelManager

    sent = []

    async def interrupt(self):
        sent.append(self.shutting_down)

    monkeypatch.setattr(AsyncKernelManager, "_async_interrupt_kernel", interrupt)
    km = runner._kernel_manager_class()()
    km.shutting_down = True
    asyncio.run(km._async_interrupt_kernel())
    km.shutting_down = False
    asyncio.run(km._async_interrupt_kernel())
    assert sent == [False]
