"""Chapter parameters: defaults in ``params/<chapter>.yml``, named scenarios, command-line overrides.

Parameters are data: a chapter's defaults file lists every name of its
papermill ``parameters`` cell. The type of each default is the type an
override must have (an int is accepted where a float is expected; a null
default accepts anything). Keys starting with ``_`` describe the parameters
rather than set them:

``_choices``  allowed values (for a list: allowed elements); ``_why`` says why others are refused
``_range``    ``[low, high]`` for a number, each element of a list or value of a mapping, or each year of a year spec
``_items``    list shape: ``min``/``max`` number of elements, ``length``, ``increasing``
``_types``    special kinds: ``years`` (``"2011-2018"``, ``"2011,2015"``, ``2017`` or ``[2011, 2014]``, normalised to the string form)
``_reads``    which datasets of which path parameter the chapter reads (for the runner's input hash)
``_help``     one line per parameter

Mistakes are caught before a kernel starts, naming the file they come from,
because a papermill run with a misspelt name silently uses the default and a
wrong value fails only after seconds of fitting, as a raw Python error.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from movers.core import config as yamlfile, paths
from movers.core.errors import InputError

META_KEYS = ("_choices", "_why", "_range", "_items", "_types", "_reads", "_help")


def _load_yaml(path: Path) -> dict:
    data = yamlfile.read(path, {})
    if not isinstance(data, dict):
        raise InputError(path, "must be a mapping of parameter names to values")
    return data


def param_file(chapter: str, folder: Path | None = None) -> Path:
    return Path(folder or paths.PARAMS) / f"{chapter}.yml"


def load(chapter: str, folder: Path | None = None) -> tuple[dict, dict]:
    """(defaults, meta) of a chapter: its parameter values and its ``_``-keys, checked for consistency."""
    path = param_file(chapter, folder)
    if not path.exists():
        raise InputError(path, f"no parameter file for chapter {chapter!r}")
    data = _load_yaml(path)
    meta = {k: data.pop(k) or {} for k in list(data) if k.startswith("_")}
    unknown = sorted(set(meta) - set(META_KEYS))
    if unknown:
        raise InputError(path, f"unknown meta key(s) {', '.join(unknown)}; known: {', '.join(META_KEYS)}")
    for key in META_KEYS:
        block = meta.get(key, {})
        if not isinstance(block, dict):
            raise InputError(path, f"{key} must map parameter names to settings")
        stray = sorted(set(block) - set(data))
        if stray:
            raise InputError(path, f"{key} names {', '.join(stray)} which is not a parameter")
    meta = {k: meta.get(k, {}) for k in META_KEYS}
    try:  # the defaults themselves must pass the checks (and are normalised as overrides are)
        data = validate(chapter, data, meta, dict(data), origin=path)
    except InputError as exc:
        raise InputError(path, f"a default is invalid: {exc.problem}") from None
    return data, meta


def defaults(chapter: str, folder: Path | None = None) -> tuple[dict, dict]:
    """(defaults, choices) of a chapter, read from ``params/<chapter>.yml``."""
    data, meta = load(chapter, folder)
    return data, meta["_choices"]


def chapters_with_params(folder: Path | None = None) -> list[str]:
    return sorted(p.stem for p in Path(folder or paths.PARAMS).glob("*.yml"))


def scenario(name: str, chapter: str, folder: Path | None = None, known: Mapping | None = None) -> dict:
    """Overrides a named scenario sets for ``chapter``: its ``all:`` block (the names the chapter has),
    then the chapter's own block. The whole file is checked first: a block that names no chapter and an
    ``all:`` key that no chapter has are errors naming the file (typos must not be silently ignored)."""
    path = Path(folder or paths.PARAMS) / "scenarios" / f"{name}.yml"
    if not path.exists():
        names = sorted(p.stem for p in path.parent.glob("*.yml"))
        raise InputError(path, f"no scenario {name!r}; known scenarios: {', '.join(names) or 'none'}")
    data = _load_yaml(path)
    chapters = chapters_with_params(folder)
    for block, body in data.items():
        if block != "all" and block not in chapters:
            raise InputError(path, f"block {block!r} names no chapter; chapters: {', '.join(chapters)} (or 'all')")
        if not isinstance(body, dict):
            raise InputError(path, f"block {block!r} must map parameter names to values")
    every = data.get("all") or {}
    if every:
        names = set().union(*(load(c, folder)[0] for c in chapters))
        stray = sorted(set(every) - names)
        if stray:
            raise InputError(path, f"all: sets {', '.join(stray)} which no chapter has")
    known = known if known is not None else load(chapter, folder)[0]
    out = {k: v for k, v in every.items() if k in known}
    out.update(data.get(chapter) or {})
    return out


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``key=value`` from the command line; the value is read as YAML (``2017``, ``[2011, 2018]``, ``true``)."""
    if "=" not in text:
        raise InputError("command line", f"parameter override {text!r} must look like key=value")
    key, raw = text.split("=", 1)
    try:
        value = yamlfile.parse(raw, f"parameter override {key.strip()!r}") if raw.strip() else ""
    except yamlfile.DuplicateKey:
        raise
    except InputError:
        value = raw
    return key.strip(), value


def _type_ok(default, value) -> bool:
    if default is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, list):
        if not isinstance(value, list):
            return False
        kinds = {type(x) for x in default}
        return not default or all(_type_ok(default[0] if len(kinds) == 1 else None, v) for v in value)
    if isinstance(default, dict):
        return isinstance(value, dict)
    return isinstance(value, type(default))


def _describe(value) -> str:
    if isinstance(value, list) and value and len({type(x) for x in value}) == 1:
        return f"a list of {_describe(value[0]).removeprefix('a ').removeprefix('an ')}s"
    return {bool: "true/false", int: "an integer", float: "a number", str: "a string", list: "a list", dict: "a mapping"}.get(
        type(value), type(value).__name__
    )


def parse_years(value) -> list[int]:
    """A year spec (``"2017-2018"``, ``"2011,2015"``, ``2017``, ``[2011, 2014]``) as a sorted list of years."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a year")
    if isinstance(value, int):
        return [value]
    if isinstance(value, list):
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise ValueError("a list of years must hold whole numbers")
        years = list(value)
    elif isinstance(value, str):
        years = []
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            lo, sep, hi = part.partition("-")
            if not lo.strip().isdigit() or (sep and not hi.strip().isdigit()):
                raise ValueError(f"{part!r} is neither a year nor a range like 2011-2018")
            a, b = int(lo), int(hi) if sep else int(lo)
            if b < a:
                raise ValueError(f"the range {part!r} runs backwards")
            years += range(a, b + 1)
    else:
        raise ValueError(f"{value!r} is not a year spec")
    if not years:
        raise ValueError("no years given")
    return sorted(set(years))


def format_years(years: list[int]) -> str:
    """The string form of a list of years: ``2011-2014`` for a run, else ``2011,2014``."""
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ",".join(str(y) for y in years)


def _check_one(chapter, key, default, value, meta, origin):
    def bad(problem):
        raise InputError(origin, f"parameter {key!r} of chapter {chapter!r} {problem}")

    kind = meta["_types"].get(key)
    if kind == "years":
        try:
            years = parse_years(value)
        except ValueError as exc:
            bad(f"must be years like 2017, 2011-2018, 2011,2015 or [2011, 2014]: {exc}")
        elements, value = years, format_years(years)
    elif kind is not None:
        raise InputError(param_file(chapter), f"_types: unknown kind {kind!r} for {key!r} (known: years)")
    else:
        if not _type_ok(default, value):
            bad(f"must be {_describe(default)}, got {value!r}")
        if isinstance(default, float) and isinstance(value, int):
            value = float(value)
        if isinstance(default, list) and default and isinstance(default[0], float):
            value = [float(v) for v in value]
        elements = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else [value]
    if key in meta["_choices"]:
        allowed = meta["_choices"][key]
        wrong = [v for v in elements if v not in allowed]
        if wrong:
            why = meta["_why"].get(key)
            bad(
                f"must be {'made of' if isinstance(value, list) else 'one of'} {', '.join(map(str, allowed))}; got {', '.join(map(repr, wrong))}"
                + (f" ({why})" if why else "")
            )
    if key in meta["_range"]:
        lo, hi = meta["_range"][key]
        out = [v for v in elements if isinstance(v, (int, float)) and not (lo <= v <= hi)]
        if out:
            bad(f"must lie in {lo}-{hi}; got {', '.join(map(str, out))}")
    if key in meta["_items"] and isinstance(value, list):
        rule = meta["_items"][key]
        n = len(value)
        if "length" in rule and n != rule["length"]:
            bad(f"must have exactly {rule['length']} elements, got {value!r}")
        if n < rule.get("min", 0):
            bad(f"must have at least {rule['min']} element(s), got {value!r}")
        if "max" in rule and n > rule["max"]:
            bad(f"must have at most {rule['max']} elements, got {value!r}")
        if rule.get("increasing") and any(b < a for a, b in zip(value, value[1:])):
            bad(f"must be in increasing order (low, high), got {value!r}")
        if rule.get("unique") and len(set(map(repr, value))) != n:
            bad(f"must not repeat an element, got {value!r}")
    return value


def validate(
    chapter: str, base: Mapping, choices_or_meta: Mapping, overrides: Mapping, origin: str | Path = "command line"
) -> dict:
    """Merge ``overrides`` into ``base`` after checking names, types, choices, ranges and list shapes.

    ``choices_or_meta`` is the ``meta`` of :func:`load` (or, for older callers, a ``_choices`` mapping)."""
    is_meta = any(str(k).startswith("_") for k in choices_or_meta)
    meta = dict(choices_or_meta) if is_meta else {"_choices": dict(choices_or_meta)}
    meta = {k: meta.get(k) or {} for k in META_KEYS}
    merged = dict(base)
    valid = ", ".join(f"{k} ({_describe(v)}, default {v!r})" for k, v in base.items())
    for key, value in overrides.items():
        if key not in base:
            raise InputError(origin, f"chapter {chapter!r} has no parameter {key!r}; valid parameters: {valid}")
        merged[key] = _check_one(chapter, key, base[key], value, meta, origin)
    return merged


PATH_PARAMETERS = ("data_path", "aux_path", "dictionary", "sdc_rules")


def check_paths(chapter: str, prm: Mapping, root: Path | None = None) -> None:
    """Path parameters name something that exists (relative paths are read from the project root), and
    restricted data come from a folder the user names: checked before a kernel starts, naming the path."""
    root = Path(root or paths.ROOT)
    for key in PATH_PARAMETERS:
        value = prm.get(key)
        if value:
            p = Path(str(value)).expanduser()
            p = p if p.is_absolute() else root / p
            found = paths.kind(p)
            if found is None:
                raise InputError(paths.shown(p), f"parameter {key!r} of chapter {chapter!r} names no file or folder")
            if key == "dictionary" and found != "file":
                raise InputError(paths.shown(p), f"parameter 'dictionary' of chapter {chapter!r} must name a YAML file")
    if prm.get("source") == "restricted" and "data_path" in prm and not prm.get("data_path"):
        raise InputError(
            "command line", f"chapter {chapter!r}: source=restricted needs the folder of your licensed files (-p data_path=/path)"
        )


def resolve(chapter: str, overrides: Mapping | None = None, scenario_name: str | None = None, folder: Path | None = None) -> dict:
    """Final parameters of a chapter: defaults, then the scenario, then command-line overrides."""
    base, meta = load(chapter, folder)
    merged = base
    if scenario_name:
        spath = Path(folder or paths.PARAMS) / "scenarios" / f"{scenario_name}.yml"
        merged = validate(chapter, merged, meta, scenario(scenario_name, chapter, folder, known=base), origin=spath)
    return validate(chapter, merged, meta, overrides or {})
