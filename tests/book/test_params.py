import pytest

from movers.book import params
from movers.core.errors import InputError


@pytest.fixture
def pdir(tmp_path):
    (tmp_path / "ch.yml").write_text(
        "source: synthetic\nyears: [2017, 2018]\nalpha: 0.5\nn: 3\nflag: false\nlabel: ''\n"
        "_choices:\n  source: [synthetic, public, restricted]\n"
    )
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "other.yml").write_text("source: synthetic\nnot_mine: 1\n")
    (tmp_path / "scenarios" / "early.yml").write_text(
        "all:\n  source: public\n  not_mine: 1\nch:\n  years: [2011, 2012]\n  n: 5\n"
    )
    return tmp_path


def test_defaults_then_scenario_then_overrides(pdir):
    out = params.resolve("ch", {"n": 9}, "early", folder=pdir)
    assert out == {"source": "public", "years": [2011, 2012], "alpha": 0.5, "n": 9, "flag": False, "label": ""}


def test_unknown_parameter_lists_valid_ones(pdir):
    with pytest.raises(InputError, match="no parameter 'yeras'.*valid parameters: source.*years"):
        params.resolve("ch", {"yeras": [2011]}, folder=pdir)


@pytest.mark.parametrize(
    "key,value,kind",
    [
        ("years", 2011, "a list"),
        ("years", ["2011"], "a list"),
        ("n", 2.5, "an integer"),
        ("flag", "yes", "true/false"),
        ("alpha", "x", "a number"),
        ("n", True, "an integer"),
    ],
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


@pytest.mark.parametrize(
    "text,expected",
    [
        ("n=3", ("n", 3)),
        ("years=[2011, 2018]", ("years", [2011, 2018])),
        ("flag=true", ("flag", True)),
        ("label=hot spots", ("label", "hot spots")),
        ("label=", ("label", "")),
    ],
)
def test_parse_override(text, expected):
    assert params.parse_override(text) == expected


def test_parse_override_needs_equals():
    with pytest.raises(InputError, match="key=value"):
        params.parse_override("years")


def test_project_parameter_files_match_their_chapters():
    """Every chapter's params file and its parameters cell declare the same names (the runner relies on it)."""
    import jupytext

    from movers.book import runner
    from movers.core import paths

    for name in runner.toc_chapters():
        base, _ = params.defaults(name)
        runner.check_declared(name, jupytext.read(paths.CHAPTERS / f"{name}.md"), base)


# ------------------------------------------------------------------ issue 17: every parameter checked before a kernel starts


@pytest.fixture
def rich(tmp_path):
    (tmp_path / "fl.yml").write_text(
        "source: synthetic\nyears: '2017-2018'\nmodels: ['Model 1', 'Model 2']\nages: [15, 19]\nprice_year: 2019\n"
        "_choices:\n  source: [synthetic]\n  models: ['Model 1', 'Model 2']\n"
        "_why:\n  source: no open covariates\n"
        "_types:\n  years: years\n"
        "_range:\n  years: [2011, 2018]\n  ages: [10, 25]\n  price_year: [1991, 2020]\n"
        "_items:\n  models: {min: 1, unique: true}\n  ages: {length: 2, increasing: true}\n"
    )
    (tmp_path / "scenarios").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    "override,problem",
    [
        ({"years": "abc"}, "must be years like"),
        ({"years": "2019"}, "must lie in 2011-2018; got 2019"),
        ({"years": "2018-2011"}, "runs backwards"),
        ({"models": ["Model 5"]}, "must be made of Model 1, Model 2; got 'Model 5'"),
        ({"models": []}, "at least 1 element"),
        ({"models": ["Model 1", "Model 1"]}, "must not repeat"),
        ({"ages": [15]}, "exactly 2 elements"),
        ({"ages": [19, 15]}, "increasing order"),
        ({"ages": [15, 99]}, "must lie in 10-25; got 99"),
        ({"price_year": 1800}, "must lie in 1991-2020; got 1800"),
        ({"source": "restricted"}, r"must be one of synthetic; got 'restricted' \(no open covariates\)"),
    ],
)
def test_values_the_kernel_would_choke_on_are_refused(rich, override, problem):
    """Each of these ended as a raw ValueError/KeyError/IndexError inside the kernel (issue 17)."""
    with pytest.raises(InputError, match=problem) as exc:
        params.resolve("fl", override, folder=rich)
    assert str(exc.value).startswith("command line:") and f"parameter '{next(iter(override))}' of chapter 'fl'" in str(exc.value)


@pytest.mark.parametrize(
    "value,expected",
    [
        (2017, "2017"),
        ([2011, 2014], "2011,2014"),
        ([2011, 2012, 2013], "2011-2013"),
        ("2011, 2015", "2011,2015"),
        ("2011-2012,2014", "2011,2012,2014"),
    ],
)
def test_year_specs_are_accepted_in_every_form_and_normalised(rich, value, expected):
    assert params.resolve("fl", {"years": value}, folder=rich)["years"] == expected


def test_a_default_that_breaks_its_own_rules_names_the_parameter_file(rich):
    (rich / "bad.yml").write_text("n: 0\n_range:\n  n: [1, 5]\n")
    with pytest.raises(InputError, match=r"bad\.yml: a default is invalid.*must lie in 1-5"):
        params.load("bad", folder=rich)
    (rich / "bad.yml").write_text("n: 1\n_range:\n  m: [1, 5]\n")
    with pytest.raises(InputError, match=r"bad\.yml: _range names m which is not a parameter"):
        params.load("bad", folder=rich)


def test_scenario_typos_are_errors_naming_the_file(pdir):
    (pdir / "scenarios" / "typo.yml").write_text("cch:\n  n: 5\n")
    with pytest.raises(InputError, match=r"scenarios/typo\.yml: block 'cch' names no chapter; chapters: ch, other"):
        params.resolve("ch", {}, "typo", folder=pdir)
    (pdir / "scenarios" / "typo.yml").write_text("all:\n  yeras: [2011]\n")
    with pytest.raises(InputError, match=r"scenarios/typo\.yml: all: sets yeras which no chapter has"):
        params.resolve("ch", {}, "typo", folder=pdir)
    (pdir / "scenarios" / "typo.yml").write_text("ch:\n  n: 2.5\n")
    with pytest.raises(InputError, match=r"scenarios/typo\.yml: parameter 'n'.*must be an integer"):
        params.resolve("ch", {}, "typo", folder=pdir)


def test_project_source_choices_list_only_what_works():
    """restricted only where a restricted loader exists; public only where the chapter reads open data."""
    offered = {c: set(params.load(c)[1]["_choices"]["source"]) for c in params.chapters_with_params()}
    restricted = {c for c, s in offered.items() if "restricted" in s}
    assert restricted == {"movers_stayers", "ls_deprived"}
    for c in ("flows_hotcold", "flows_imd", "flows_ons"):
        assert offered[c] == {"synthetic", "public"}  # open data through movers.data.open_yearly
        with pytest.raises(InputError, match=r"must be one of synthetic, public; got 'restricted' \(public: open downloads"):
            params.resolve(c, {"source": "restricted"})
    assert "public" not in offered["movers_stayers"] | offered["ls_deprived"]
    assert "public" in offered["flows_public"]


def test_project_scenarios_are_valid():
    for path in sorted(params.paths.PARAMS.glob("scenarios/*.yml")):
        for c in params.chapters_with_params():
            params.resolve(c, {}, path.stem)


def test_mapping_values_are_range_checked():
    with pytest.raises(InputError, match=r"parameter 'thresholds' of chapter 'qualitative' must lie in 0-1; got 5"):
        params.resolve("qualitative", {"thresholds": {"many": 5, "some": 0.2, "few": 0.0}})


def test_project_chapters_declare_the_datasets_they_read():
    """The runner's cache key hashes the datasets of ``_reads``: a typo there would leave a dataset unhashed."""
    from movers.core import paths

    try:
        generated = {p.name for p in paths.data_dir("synthetic").iterdir() if p.is_dir()}
    except InputError:  # no world generated on this machine: the names are not checked
        generated = set()
    for chapter in params.chapters_with_params():
        base, meta = params.load(chapter)
        if "data_path" in base:
            assert meta["_reads"].get("data_path"), f"params/{chapter}.yml declares no _reads for data_path"
        for key, datasets in meta["_reads"].items():
            assert key in base, f"params/{chapter}.yml: _reads names {key}, not a parameter"
            if generated:
                assert set(datasets) <= generated, (
                    f"params/{chapter}.yml: _reads names {set(datasets) - generated}, not datasets of the world"
                )
