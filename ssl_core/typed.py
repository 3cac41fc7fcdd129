"""Plain mappings (parsed YAML) -> typed dataclasses, strictly, with errors naming the key.

:func:`from_dict` checks unknown and missing keys and converts each value to its field's type
(``int``, ``float``, ``bool``, ``str``, ``Path``, ``Literal``, optionals and unions, lists, dicts,
nested dataclasses); a dataclass's own ``__post_init__`` checks become :class:`ConfigError` too.
:func:`to_plain` is the way back (what ``config.yaml`` holds).
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar, Union

from ssl_core.errors import ConfigError
from ssl_core.schema import FieldValueError

__all__ = ["describe", "from_dict", "to_plain"]

T = TypeVar("T")
_FLOAT_STR = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|nan)$", re.IGNORECASE)
"""Keys that do not change what a run computes, so ``config_hash`` ignores them (resume may extend a run)."""


def describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if tp is type(None):
        return "None"
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin in (Union, types.UnionType):
        return " | ".join(_type_name(a) for a in typing.get_args(tp))
    if origin is not None:
        args = ", ".join("..." if a is Ellipsis else _type_name(a) for a in typing.get_args(tp))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    return getattr(tp, "__name__", str(tp))


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _convert(tp: Any, value: Any, source: str, key: str) -> Any:
    """Validate and convert ``value`` to ``tp``; raise ``ConfigError`` naming ``key`` on mismatch."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)

    def fail() -> ConfigError:
        return ConfigError(source, key or "<root>", f"expected {_type_name(tp)}, got {describe(value)}")

    if tp is Any or tp is object:
        return value
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return from_dict(tp, value, source=source, prefix=key)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        for arg in (a for a in args if a is not type(None)):
            try:
                return _convert(arg, value, source, key)
            except ConfigError as exc:
                if len(args) == 2 and type(None) in args and exc.key != key:
                    raise  # a nested error inside the one real alternative: report it as is
        raise fail()
    if origin is Literal:
        for arg in args:
            if value == arg and type(value) is type(arg):
                return value
        raise fail()
    if tp in (bool, int):  # bool is an int in Python: a YAML `true` is not an int, 1 is not a bool
        if isinstance(value, tp) and isinstance(value, bool) == (tp is bool):
            return value
        raise fail()
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str) and _FLOAT_STR.match(value.strip()):
            return float(value)
        raise fail()
    if tp is str:
        if isinstance(value, str):
            return value
        raise fail()
    if tp is Path:
        if isinstance(value, (str, Path)):
            return Path(value)
        raise fail()
    if origin in (list, Sequence) or tp is list:
        if not isinstance(value, (list, tuple)):
            raise fail()
        item = args[0] if args else Any
        return [_convert(item, v, source, f"{key}[{i}]") for i, v in enumerate(value)]
    if origin is tuple or tp is tuple:
        if not isinstance(value, (list, tuple)):
            raise fail()
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, source, f"{key}[{i}]") for i, v in enumerate(value))
        if args and len(args) != len(value):
            raise ConfigError(source, key, f"expected {len(args)} items ({_type_name(tp)}), got {len(value)}")
        items = args or (Any,) * len(value)
        return tuple(_convert(a, v, source, f"{key}[{i}]") for i, (a, v) in enumerate(zip(items, value)))
    if origin in (dict, Mapping) or tp is dict:
        if not isinstance(value, Mapping):
            raise fail()
        kt, vt = args if args else (Any, Any)
        return {
            _convert(kt, k, source, key): _convert(vt, v, source, _join(key, str(k)))
            for k, v in value.items()
        }
    if isinstance(tp, type):
        if isinstance(value, tp):
            return value
        raise fail()
    return value


def from_dict(cls: type[T], data: Mapping[str, Any], source: str | Path = "<dict>", prefix: str = "") -> T:
    """Build dataclass ``cls`` from ``data``, strictly.

    Args:
        cls: the dataclass to build (nested dataclass fields are built recursively).
        data: a mapping as loaded from YAML.
        source: file name (or ``<dict>``) used in error messages.
        prefix: dotted key of ``data`` inside the whole config, used in error messages.

    Raises:
        ConfigError: unknown key, missing required key, or wrong type, naming ``source`` and the key.
    """
    source = str(source)
    if isinstance(data, cls):
        return data
    if not isinstance(data, Mapping):
        raise ConfigError(
            source, prefix or "<root>", f"expected a mapping for {cls.__name__}, got {describe(data)}"
        )
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    for key in data:
        if key not in fields:
            raise ConfigError(
                source, _join(prefix, str(key)), f"unknown key; expected one of: {', '.join(fields)}"
            )
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        key = _join(prefix, name)
        if name in data:
            kwargs[name] = _convert(hints.get(name, Any), data[name], source, key)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(source, key, "missing required key")
    try:
        return cls(**kwargs)
    except FieldValueError as exc:  # a declared range (ssl_core.schema): name the full dotted key
        raise ConfigError(source, _join(prefix, exc.field), exc.reason) from None
    except ConfigError as exc:  # a plugin's own check in __post_init__: re-attributed to this source
        key = exc.key if exc.key.startswith(f"{prefix}.") or not prefix else _join(prefix, exc.key)
        raise ConfigError(source, key, exc.reason) from None
    except (ValueError, TypeError) as exc:  # a dataclass's own __post_init__ checks: one clean line
        raise ConfigError(source, prefix or "<root>", str(exc)) from None


def to_plain(value: Any) -> Any:
    """Dataclasses, tuples and paths -> plain dicts, lists and strings (YAML/JSON-ready)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value
