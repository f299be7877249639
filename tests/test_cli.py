"""The command line: every ``movers run`` example of the README is accepted, and bad ones fail before a kernel starts."""

from __future__ import annotations

import re
import shlex

import pytest

from movers import cli, paths, runner
from movers.errors import InputError
from movers import params


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
    plan = runner.plan(args.chapters or None, overrides, args.scenario)
    assert plan


@pytest.mark.parametrize(
    "argv,message",
    [
        (["run", "flows_ons", "-p", "years=abc"], "parameter 'years' of chapter 'flows_ons' must be years"),
        (["run", "flows_hotcold", "-p", "models=[Model 5]"], "must be made of Model 1"),
        (["run", "flows_hotcold", "-p", "source=restricted"], "the yearly flows chapters run on the synthetic world only"),
        (["run", "movers_stayers", "-p", "price_year=1800"], "must lie in 1991-2020"),
        (["run", "flows_ons", "-p", "yeras=2017"], "no selected chapter has parameter"),
    ],
)
def test_bad_run_commands_exit_2_with_one_line(argv, message, capsys, monkeypatch):
    monkeypatch.setattr(runner, "run_chapter", lambda *a, **k: pytest.fail("a kernel was started"))
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err
