"""The command line: every ``movers run`` example of the README is accepted, and bad ones fail before a kernel starts."""

from __future__ import annotations

import re
import shlex

import pytest

from movers import cli
from movers.book import params, runner
from movers.core import paths


def readme_run_examples() -> list[list[str]]:
    """Argument lists of every ``python -m movers run ...`` line in the README's code blocks."""
    text = (paths.ROOT / "README.md").read_text()
    out = []
    for block in re.findall(r"```(?:bash|sh)?\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if "movers" in words and "run" in words[words.index("movers") + 1 : words.index("movers") + 2]:
                out.append(words[words.index("movers") + 1 :])
    return out


def test_readme_has_run_examples():
    examples = readme_run_examples()
    assert len(examples) >= 4
    assert any(any(w.startswith("years=[") for w in e) for e in examples)
    assert any("years=2017" in e for e in examples)


@pytest.mark.parametrize("argv", readme_run_examples(), ids=" ".join)
def test_every_readme_run_example_passes_the_checks(argv):
    args = cli._parser().parse_args(argv)
    overrides = dict(params.parse_override(p) for p in args.param)
    plan = runner.plan(args.chapters or None, overrides, args.scenario, check_paths=False)  # /secure/... is not here
    assert plan


@pytest.mark.parametrize(
    "argv,message",
    [
        (["run", "flows_ons", "-p", "years=abc"], "parameter 'years' of chapter 'flows_ons' must be years"),
        (["run", "flows_hotcold", "-p", "models=[Model 5]"], "must be made of Model 1"),
        (["run", "flows_hotcold", "-p", "source=restricted"], "no restricted flows exist"),
        (["run", "movers_stayers", "-p", "price_year=1800"], "must lie in 1991-2020"),
        (
            ["run", "flows_hotcold", "-p", "models=[]"],
            "parameter 'models' of chapter 'flows_hotcold' must have at least 1 element",
        ),
        (
            ["run", "movers_stayers", "-p", "teen_ages=[15]"],
            "parameter 'teen_ages' of chapter 'movers_stayers' must have exactly 2 elements",
        ),
        (["run", "ls_deprived", "-p", "outcomes=[employed, wages]"], "must be made of employed, professional; got 'wages'"),
        (["run", "flows_ons", "-p", "yeras=2017"], "no selected chapter has parameter"),
        (
            ["run", "ls_deprived", "-p", "dictionary=no/such.yml"],
            "no/such.yml: parameter 'dictionary' of chapter 'ls_deprived' names no file",
        ),
        (["run", "ls_deprived", "-p", "source=restricted"], "source=restricted needs the folder of your licensed files"),
    ],
)
def test_bad_run_commands_exit_2_with_one_line(argv, message, capsys, monkeypatch):
    monkeypatch.setattr(runner, "run_chapter", lambda *a, **k: pytest.fail("a kernel was started"))
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err


# ----------------------------------------------------------------------------- the project root (issue 17)


def test_the_root_is_the_working_directory_or_movers_root_never_the_install_location(tmp_path):
    project = tmp_path / "other_checkout"
    (project / "params").mkdir(parents=True)
    (project / "_toc.yml").write_text("format: jb-book\n")
    (project / "chapters" / "deep").mkdir(parents=True)
    assert paths.find_root(project / "chapters" / "deep", env={}) == project.resolve()
    assert paths.find_root(project, env={"MOVERS_ROOT": str(tmp_path)}) == tmp_path.resolve()
    nowhere = tmp_path / "no_project"
    nowhere.mkdir()
    assert paths.find_root(nowhere, env={}) == nowhere.resolve()  # not the package's checkout


def test_a_shared_environment_writes_into_the_checkout_it_is_run_from(tmp_path):
    """Two checkouts sharing one virtual environment: the command acts on the folder it runs in."""
    import os
    import subprocess
    import sys

    project = tmp_path / "second_checkout"
    (project / "params").mkdir(parents=True)
    (project / "chapters").mkdir()
    (project / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: chapters/only_here\n")
    (project / "params" / "only_here.yml").write_text("source: synthetic\n")
    env = {k: v for k, v in os.environ.items() if k != "MOVERS_ROOT"}
    env["PYTHONPATH"] = str(paths.ROOT / "lib") if (paths.ROOT / "lib" / "movers").is_dir() else env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-m", "movers", "chapters"], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["only_here", "source", "=", "'synthetic'"]
