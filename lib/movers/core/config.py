"""Reading YAML the one way the project does: safely, and with a repeated key an error.

Why: PyYAML keeps the last of two equal keys of a mapping without a word, so a dictionary that maps
``econ_activity`` twice, or a scenario that sets one parameter twice (or repeats a chapter block), ran
with whichever came last. Every YAML file the package reads (variable dictionaries, ``datasets.yml``,
``sdc_rules.yml``, ``citations.yml``, parameter files, scenarios) goes through :func:`read` or
:func:`parse`, which reject such a file with an ``InputError`` naming the key and both lines.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from movers.core.errors import InputError


class DuplicateKey(InputError):
    """A mapping of a YAML text holds one key twice."""


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` refusing a mapping that holds one key twice."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":  # ``<<: *base`` may be overridden on purpose
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.get(key)
        except TypeError:  # an unhashable key: construct_mapping reports it
            continue
        if first is not None:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice in one mapping (lines {first + 1} and {key_node.start_mark.line + 1})"
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def parse(text: str, source: str | Path | None = None):
    """The YAML document ``text`` (``source`` names it in errors); a repeated key is an ``InputError``."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None)
        if problem and "appears twice" in problem:
            raise DuplicateKey(source, problem) from None
        raise InputError(source, f"not valid YAML ({exc})") from None


def read(path: str | Path, empty=None):
    """The YAML file ``path`` (``empty`` when it holds nothing); a missing file, invalid YAML or a repeated
    key is an ``InputError`` naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read ({type(exc).__name__}: {exc})") from None
    data = parse(text, path)
    return empty if data is None else data


__all__ = ["DuplicateKey", "parse", "read"]
