import pytest

from movers import params
from movers.errors import InputError


@pytest.fixture
def pdir(tmp_path):
    (tmp_path / "ch.yml").write_text(
        "source: synthetic\nyears: [2017, 2018]\nalpha: 0.5\nn: 3\nflag: false\nlabel: ''\n"
        "_choices:\n  source: [synthetic, public, restricted]\n"
    )
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "early.yml").write_text("all:\n  source: public\n  not_mine: 1\nch:\n  years: [2011, 2012]\n  n: 5\n")
    return tmp_path


def test_defaults_then_scenario_then_overrides(pdir):
    out = params.resolve("ch", {"n": 9}, "early", folder=pdir)
    assert out == {"source": "public", "years": [2011, 2012], "alpha": 0.5, "n": 9, "flag": False, "label": ""}


def test_unknown_parameter_lists_valid_ones(pdir):
    with pytest.raises(InputError, match="no parameter 'yeras'.*valid parameters: source.*years"):
        params.resolve("ch", {"yeras": [2011]}, folder=pdir)


@pytest.mark.parametrize(
    "key,value,kind",
    [("years", 2011, "a list"), ("years", ["2011"], "a list"), ("n", 2.5, "an integer"), ("flag", "yes", "true/false"), ("alpha", "x", "a number"), ("n", True, "an integer")],
)
def test_wrong_types_are_rejected(pdir, key, value, kind):
    with pytest.raises(InputError, match=f"parameter '{key}'.*must be {kind}"):
        params.resolve("ch", {key: value}, folder=pdir)


def test_int_is_accepted_for_float_and_converted(pdir):
    out = params.resolve("ch", {"alpha": 1}, folder=pdir)
    assert out["alpha"] == 1.0 and isinstance(out["alpha"], float)


def test_choices(pdir):
    with pytest.raises(InputError, match="must be one of"):
        params.resolve("ch", {"source": "real"}, folder=pdir)


def test_unknown_scenario_and_chapter(pdir):
    with pytest.raises(InputError, match="no scenario 'late'; known scenarios: early"):
        params.resolve("ch", {}, "late", folder=pdir)
    with pytest.raises(InputError, match="no parameter file"):
        params.defaults("nope", folder=pdir)


@pytest.mark.parametrize("text,expected", [("n=3", ("n", 3)), ("years=[2011, 2018]", ("years", [2011, 2018])), ("flag=true", ("flag", True)), ("label=hot spots", ("label", "hot spots")), ("label=", ("label", ""))])
def test_parse_override(text, expected):
    assert params.parse_override(text) == expected


def test_parse_override_needs_equals():
    with pytest.raises(InputError, match="key=value"):
        params.parse_override("years")


def test_project_parameter_files_match_their_chapters():
    """Every chapter's params file and its parameters cell declare the same names (the runner relies on it)."""
    import jupytext

    from movers import paths, runner

    for name in runner.toc_chapters():
        base, _ = params.defaults(name)
        runner.check_declared(name, jupytext.read(paths.CHAPTERS / f"{name}.md"), base)
