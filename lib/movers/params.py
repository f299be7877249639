"""Chapter parameters: defaults in ``params/<chapter>.yml``, named scenarios, command-line overrides.

Parameters are data: a chapter's defaults file lists every name of its
papermill ``parameters`` cell. The type of each default is the type an
override must have (an int is accepted where a float is expected; a null
default accepts anything), and ``_choices`` restricts values. Mistakes are
caught before a kernel starts, with the list of valid parameters, because a
papermill run with a misspelt name silently uses the default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import yaml

from movers import paths
from movers.errors import InputError

META_KEYS = ("_choices", "_help")


def _load_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise InputError(path, f"not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(path, "must be a mapping of parameter names to values")
    return data


def defaults(chapter: str, folder: Path | None = None) -> tuple[dict, dict]:
    """(defaults, choices) of a chapter, read from ``params/<chapter>.yml``."""
    path = Path(folder or paths.PARAMS) / f"{chapter}.yml"
    if not path.exists():
        raise InputError(path, f"no parameter file for chapter {chapter!r}")
    data = _load_yaml(path)
    choices = data.pop("_choices", {}) or {}
    data.pop("_help", None)
    return data, choices


def scenario(name: str, chapter: str, folder: Path | None = None, known: Mapping | None = None) -> dict:
    """Overrides a named scenario sets for ``chapter``: its ``all:`` block (only the names the
    chapter has, when ``known`` is given), then the chapter's own block (checked in full)."""
    path = Path(folder or paths.PARAMS) / "scenarios" / f"{name}.yml"
    if not path.exists():
        names = sorted(p.stem for p in path.parent.glob("*.yml"))
        raise InputError(path, f"no scenario {name!r}; known scenarios: {', '.join(names) or 'none'}")
    data = _load_yaml(path)
    out = {k: v for k, v in (data.get("all") or {}).items() if known is None or k in known}
    out.update(data.get(chapter) or {})
    return out


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``key=value`` from the command line; the value is read as YAML (``2017``, ``[2011, 2018]``, ``true``)."""
    if "=" not in text:
        raise InputError("command line", f"parameter override {text!r} must look like key=value")
    key, raw = text.split("=", 1)
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
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
    return {bool: "true/false", int: "an integer", float: "a number", str: "a string", list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def validate(chapter: str, base: Mapping, choices: Mapping, overrides: Mapping, origin: str = "command line") -> dict:
    """Merge ``overrides`` into ``base`` after checking names, types and choices."""
    merged = dict(base)
    valid = ", ".join(f"{k} ({_describe(v)}, default {v!r})" for k, v in base.items())
    for key, value in overrides.items():
        if key not in base:
            raise InputError(origin, f"chapter {chapter!r} has no parameter {key!r}; valid parameters: {valid}")
        if not _type_ok(base[key], value):
            raise InputError(origin, f"parameter {key!r} of chapter {chapter!r} must be {_describe(base[key])}, got {value!r}")
        if key in choices and value not in choices[key]:
            raise InputError(origin, f"parameter {key!r} of chapter {chapter!r} must be one of {choices[key]}, got {value!r}")
        if isinstance(base[key], float) and isinstance(value, int):
            value = float(value)
        merged[key] = value
    return merged


def resolve(chapter: str, overrides: Mapping | None = None, scenario_name: str | None = None, folder: Path | None = None) -> dict:
    """Final parameters of a chapter: defaults, then the scenario, then command-line overrides."""
    base, choices = defaults(chapter, folder)
    merged = base
    if scenario_name:
        merged = validate(chapter, merged, choices, scenario(scenario_name, chapter, folder, known=base), origin=f"scenario {scenario_name}")
    return validate(chapter, merged, choices, overrides or {})
