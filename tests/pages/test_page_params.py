"""Issue 22 (4): the micro and qualitative chapters hand their parameters to page functions as one frozen object,
by keyword; the defaults live in ``params/<chapter>.yml`` only.

Before: ``bhps_study`` took 14 values by position (``teen_ages`` beside ``adult_ages``, which would swap without a
word) and carried a second copy of every default in its signature, as did ``ls_study`` and the qualitative
functions (50 Python defaults equal to a YAML default)."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from movers.book import params
from movers.core.errors import InputError
from movers.pages import flows as F, ls_deprived as LS, micro as P, movers_stayers as MS
from movers.strands.qual import qualitative as Q

CHAPTERS = ("ls_deprived", "movers_stayers", "qualitative", "flows_hotcold", "flows_imd", "flows_ons")
# every function a micro or qualitative chapter calls with its parameters, and the modules that hold them
MODULES = (P, MS, LS, Q, F)
KEYWORD_ONLY = {  # function: its parameters that may be given by position (the rest must be named)
    MS.bhps_study: (),
    LS.ls_study: (),
    P.effects_table: ("study", "results"),
    P.comparison: ("study", "results"),
    P.models_table: ("study", "models"),
    P.recovery_text: ("study",),
    Q.quotes: ("project",),
    Q.quote_facts: ("source",),
    F.chapter_setup: (),
    F.breakdowns: ("ctx",),
    F.table6: ("ctx",),
}


def _defaults(chapter: str, **overrides) -> dict:
    return params.resolve(chapter, overrides)


def _object(chapter: str) -> type:
    return {"movers_stayers": MS.BhpsParams, "ls_deprived": LS.LsParams, "qualitative": Q.QualParams, **F.PARAMS}[chapter]


def test_swapped_age_pairs_are_refused():
    """Given by name the pairs cannot swap by position; given swapped by name, the object says so."""
    with pytest.raises(InputError, match=r"'teen_ages' \[25, 41\] must end before parameter 'adult_ages' \[15, 19\]"):
        MS.BhpsParams(**_defaults("movers_stayers") | {"teen_ages": [25, 41], "adult_ages": [15, 19]})
    with pytest.raises(InputError, match=r"'child_ages' \[30, 36\] must end before parameter 'adult_ages'"):
        LS.LsParams(**_defaults("ls_deprived") | {"child_ages": [30, 36], "adult_ages": [10, 16]})
    ok = MS.BhpsParams(**_defaults("movers_stayers"))
    assert ok.teen_ages == (15, 19) and ok.adult_ages == (25, 41)


def test_page_functions_refuse_positional_arguments():
    for f, positional in KEYWORD_ONLY.items():
        shown = [p.name for p in inspect.signature(f).parameters.values() if p.kind is not inspect.Parameter.KEYWORD_ONLY]
        assert shown == list(positional), f"{f.__qualname__}: {shown} may be given by position"
    prm = MS.BhpsParams(**_defaults("movers_stayers"))
    with pytest.raises(TypeError, match="positional"):
        MS.bhps_study(prm)
    with pytest.raises(TypeError, match="positional"):
        LS.ls_study(LS.LsParams(**_defaults("ls_deprived")))
    with pytest.raises(InputError, match="by name"):
        MS.BhpsParams(*_defaults("movers_stayers").values())


def test_a_misspelt_name_a_missing_one_or_a_wrong_type_is_one_error_naming_the_parameter():
    good = _defaults("movers_stayers")
    with pytest.raises(InputError, match=r"no parameter 'teen_age'; valid parameters: source, data_path"):
        MS.BhpsParams(**{**good, "teen_age": [15, 19]})
    with pytest.raises(InputError, match=r"parameter\(s\) 'cluster' not given"):
        MS.BhpsParams(**{k: v for k, v in good.items() if k != "cluster"})
    with pytest.raises(InputError, match=r"parameter 'price_year' must be an integer, got '2019'"):
        MS.BhpsParams(**{**good, "price_year": "2019"})
    with pytest.raises(InputError, match=r"parameter 'teen_ages' must be a list of 2 integers, got \[15, 19, 21\]"):
        MS.BhpsParams(**{**good, "teen_ages": [15, 19, 21]})
    with pytest.raises(InputError, match=r"parameter 'quote_count' must be an integer, got True"):
        Q.QualParams(**_defaults("qualitative", quote_count=2) | {"quote_count": True})
    with pytest.raises(InputError, match=r"parameters of chapter 'ls_deprived'.*'child_censuses' must be a list of integers"):
        LS.LsParams(**{**_defaults("ls_deprived"), "child_censuses": ["1971"]})
    frozen = MS.BhpsParams(**good)
    with pytest.raises(AttributeError):
        frozen.price_year = 2020  # built once: a page cannot change what the chapter was run with


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_parameters_object_declares_exactly_the_yml_parameters(chapter):
    """The object's fields are the names of ``params/<chapter>.yml`` (a parameter without a YAML default, or a
    YAML parameter the pages never receive, fails here), the YAML defaults have the declared types, and the
    chapter builds the object from every one of them."""
    kind = _object(chapter)
    assert kind.chapter == chapter
    declared = list(params.load(chapter)[0])
    assert [f.name for f in dataclasses.fields(kind)] == declared
    built = kind(**params.load(chapter)[0])  # the defaults themselves pass the type checks
    assert dataclasses.asdict(built) == {k: tuple(v) if isinstance(v, list) else v for k, v in params.load(chapter)[0].items()}
    text = (params.paths.CHAPTERS / f"{chapter}.md").read_text()
    call = text[text.index(f"{kind.__name__}(") : text.index(")\n", text.index(f"{kind.__name__}("))]
    assert [name for name in declared if f"{name}={name}" not in call] == []


def test_no_python_default_duplicates_a_yml_default():
    """Every parameter of a page function (and of the qualitative functions the chapter calls) named like a
    chapter parameter has no default of its own: the value comes from the parameters object, whose defaults
    are the YAML file's. ``None`` (meaning "the study's own") is not a second default."""
    names = set().union(*(params.load(c)[0] for c in CHAPTERS))
    twice = [
        f"{m.__name__}.{name}({p.name}={p.default!r})"
        for m in MODULES
        for name, f in inspect.getmembers(m, inspect.isfunction)
        if f.__module__ == m.__name__
        for p in inspect.signature(f).parameters.values()
        if p.name in names and p.default is not inspect.Parameter.empty and p.default is not None
    ]
    assert twice == []
