"""A chapter's parameters as one typed, frozen object, built once in the chapter and passed by keyword.

Why: a chapter used to hand a dozen values to a page function by position, and two adjacent pairs of ages
would have swapped without a word. A subclass of :class:`ChapterParams` names every parameter of one
chapter, with its type and without a default: the defaults live in ``params/<chapter>.yml`` only (the
runner reads them, ``movers.book.params`` checks ranges and choices before a kernel starts, and papermill
puts them into the chapter's ``parameters`` cell). Building the object checks what the runner cannot see
from outside a notebook: every name is known, none is missing, and every value has its declared type,
each failure an ``InputError`` naming the parameter. Lists become tuples, so the object is immutable.

Supported annotations: ``str``, ``int``, ``float`` (an int is accepted), ``bool``, ``tuple[X, ...]``,
``tuple[X, X]`` (that many elements) and ``dict[str, X]``, X one of the scalars.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from movers.core.errors import InputError

_SCALARS = {str: "a string", int: "an integer", float: "a number", bool: "true/false"}
_PLURAL = {str: "strings", int: "integers", float: "numbers", bool: "true/false values"}


def _scalar(kind: type, value: Any) -> Any:
    """``value`` as ``kind`` (an int for a float), or raise ``TypeError``."""
    if isinstance(value, bool) and kind is not bool:
        raise TypeError
    if kind is float and isinstance(value, int):
        return float(value)
    if not isinstance(value, kind):
        raise TypeError
    return value


def _describe(hint: Any) -> str:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return f"a list of {_PLURAL[args[0]]}"
    if origin is tuple:
        return f"a list of {len(args)} {_PLURAL[args[0]]}"
    if origin is dict:
        return f"a mapping of names to {_PLURAL[args[1]]}"
    return _SCALARS.get(hint, getattr(hint, "__name__", str(hint)))


def _convert(hint: Any, value: Any) -> Any:
    """``value`` in the form ``hint`` declares (lists as tuples), or raise ``TypeError``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise TypeError
        kinds = [args[0]] * len(value) if len(args) == 2 and args[1] is Ellipsis else list(args)
        if len(kinds) != len(value):
            raise TypeError
        return tuple(_scalar(k, v) for k, v in zip(kinds, value))
    if origin is dict:
        if not isinstance(value, dict):
            raise TypeError
        return {_scalar(args[0], k): _scalar(args[1], v) for k, v in value.items()}
    if isinstance(hint, type) and hint in _SCALARS:
        return _scalar(hint, value)
    raise InputError("movers.core.parameters", f"unsupported parameter annotation {hint!r}")


@dataclass(frozen=True, kw_only=True)
class ChapterParams:
    """Base of one chapter's parameters; subclasses are ``@dataclass(frozen=True, kw_only=True)`` with typed
    fields and no defaults, and set ``chapter`` (the name of ``params/<chapter>.yml``)."""

    chapter: ClassVar[str] = ""

    def __new__(cls, *args, **kwargs):
        # names are checked before the dataclass's own __init__, so a misspelt one is an InputError listing the valid ones
        if args:
            raise InputError(cls.origin(), "parameters are given by name (keyword), never by position")
        if kwargs:
            known = [f.name for f in fields(cls)]
            unknown = sorted(set(kwargs) - set(known))
            if unknown:
                raise InputError(
                    cls.origin(), f"no parameter {', '.join(map(repr, unknown))}; valid parameters: {', '.join(known)}"
                )
            missing = [k for k in known if k not in kwargs]
            if missing:
                raise InputError(cls.origin(), f"parameter(s) {', '.join(map(repr, missing))} not given (no default here)")
        return super().__new__(cls)

    @classmethod
    def origin(cls) -> str:
        """Where the parameters come from, for the first part of an ``InputError``."""
        return f"parameters of chapter {cls.chapter!r} (params/{cls.chapter}.yml)"

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for f in fields(self):
            value = getattr(self, f.name)
            try:
                converted = _convert(hints[f.name], value)
            except TypeError:
                raise InputError(
                    self.origin(), f"parameter {f.name!r} must be {_describe(hints[f.name])}, got {value!r}"
                ) from None
            object.__setattr__(self, f.name, converted)


__all__ = ["ChapterParams"]
