"""Turning JSON objects into the SDK's dataclasses and back.

Field names are snake_case in Python and camelCase on the wire; a field may name its wire form explicitly with
``field(metadata={"json": "name"})``. Parsing ignores fields it does not know (a newer server may send more) but
refuses a response that lacks a field the model needs, because that means the server broke its own contract.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, TypeVar, Union

from .errors import ProtocolError

T = TypeVar("T")

_hints_cache: dict[type, dict[str, Any]] = {}
_MISSING = object()


def json_name(field: dataclasses.Field[Any]) -> str:
    """The wire name of a dataclass field: its ``json`` metadata, else the camelCase form of its name."""
    explicit = field.metadata.get("json")
    if isinstance(explicit, str):
        return explicit
    head, *rest = field.name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def type_hints(cls: type) -> dict[str, Any]:
    """Resolved annotations of a dataclass (cached: resolving them evaluates strings)."""
    hints = _hints_cache.get(cls)
    if hints is None:
        hints = typing.get_type_hints(cls)
        _hints_cache[cls] = hints
    return hints


def unwrap_optional(tp: Any) -> tuple[Any, bool]:
    """``X | None`` → ``(X, True)``; anything else → ``(tp, False)``."""
    origin = typing.get_origin(tp)
    if origin is Union or origin is types.UnionType:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) != len(typing.get_args(tp)):
            return (args[0] if len(args) == 1 else Union[tuple(args)]), True
    return tp, False


def from_json(cls: type[T], data: Any, where: str = "") -> T:
    """Builds ``cls`` (a dataclass) from a decoded JSON object."""
    where = where or cls.__name__
    if not isinstance(data, dict):
        raise ProtocolError(f"{where}: expected a JSON object, got {type(data).__name__}")
    hints = type_hints(cls)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        if not field.init:
            continue
        name = json_name(field)
        tp, optional = unwrap_optional(hints[field.name])
        raw = data.get(name, _MISSING)
        if raw is _MISSING or raw is None:
            if optional:
                values[field.name] = None
            elif raw is None:
                raise ProtocolError(f"{where}.{name}: null where a value is required")
            elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                raise ProtocolError(f"{where}: the server's answer has no {name!r}")
            continue
        values[field.name] = _convert(tp, raw, f"{where}.{name}")
    return cls(**values)


def _convert(tp: Any, value: Any, where: str) -> Any:
    tp, optional = unwrap_optional(tp)
    if value is None:
        if optional:
            return None
        raise ProtocolError(f"{where}: null where a value is required")
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return from_json(tp, value, where)
    origin = typing.get_origin(tp)
    if origin is list:
        if not isinstance(value, list):
            raise ProtocolError(f"{where}: expected a list")
        (item,) = typing.get_args(tp) or (Any,)
        return [_convert(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ProtocolError(f"{where}: expected an object")
        _, item = typing.get_args(tp) or (str, Any)
        return {k: _convert(item, v, f"{where}.{k}") for k, v in value.items()}
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    # Literal enums stay plain strings: a value added by a newer server is passed through rather than refused.
    return value


def to_json(obj: Any) -> Any:
    """A dataclass (or list/dict of them) as JSON-ready data; fields that are None are left out."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for field in dataclasses.fields(obj):
            value = getattr(obj, field.name)
            if value is not None:
                out[json_name(field)] = to_json(value)
        return out
    if isinstance(obj, (list, tuple)):
        return [to_json(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_json(v) for k, v in obj.items()}
    return obj
