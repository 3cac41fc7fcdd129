"""YAML configs validated into dataclasses: strict, typed, with ``--set a.b=c`` overrides.

Unknown keys, missing required keys and wrong types are :class:`ssl_core.errors.ConfigError` naming
the file, the dotted key and the reason, e.g. ``run.yaml: train.batch_size: expected int, got str
'abc'``. Supported field types: ``bool``, ``int``, ``float`` (ints and numeric strings such as
``1e-3`` are accepted), ``str``, ``Path``, ``Literal[...]``, ``X | None``, unions, ``list[X]``,
``tuple[X, ...]`` / ``tuple[X, Y]``, ``dict[str, X]``, nested dataclasses and ``Any``.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import re
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar, Union

import yaml

from ssl_core.errors import ConfigError
from ssl_core.schema import FieldValueError, RunConfig
from ssl_core.utils.atomic import atomic_writer
from ssl_core.utils.yaml_keys import DuplicateKeyError, safe_load_unique

__all__ = [
    "HASH_IGNORED",
    "apply_overrides",
    "blame_override",
    "config_hash",
    "config_source",
    "config_to_dict",
    "dump_config",
    "dump_yaml",
    "from_dict",
    "load_run_config",
    "parse_override",
    "read_yaml",
    "read_yaml_resource",
    "safe_load_unique",
    "to_plain",
]

T = TypeVar("T")
_FLOAT_STR = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|nan)$", re.IGNORECASE)
HASH_IGNORED = ("train.steps", "train.epochs", "train.progress", "train.log_every", "train.num_threads")
"""Keys that do not change what a run computes, so ``config_hash`` ignores them (resume may extend a run)."""


def _describe(value: Any) -> str:
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
        return ConfigError(source, key or "<root>", f"expected {_type_name(tp)}, got {_describe(value)}")

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
            source, prefix or "<root>", f"expected a mapping for {cls.__name__}, got {_describe(data)}"
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


def config_to_dict(cfg: RunConfig) -> dict[str, Any]:
    """The config as a plain nested dict (what ``config.yaml`` holds)."""
    plain: dict[str, Any] = to_plain(cfg)
    return plain


def parse_override(text: str) -> tuple[list[str], Any]:
    """``"train.batch_size=64"`` -> ``(["train", "batch_size"], 64)`` (the value is a YAML scalar)."""
    key, sep, raw = text.partition("=")
    parts = key.strip().split(".")
    if not sep or not all(p.strip() for p in parts):
        raise ConfigError("--set", key.strip() or text, f"override {text!r} must look like key.sub=value")
    try:
        value = safe_load_unique(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise ConfigError("--set", key, f"cannot parse value {raw!r} as YAML: {exc}") from None
    return [p.strip() for p in parts], value


def _apply_raw(data: dict[str, Any], overrides: Sequence[str]) -> None:
    """Apply ``"a.b=c"`` overrides to a raw dict in place."""
    for text in overrides:
        parts, value = parse_override(text)
        node = data
        for i, part in enumerate(parts[:-1]):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            if not isinstance(child, dict):
                raise ConfigError(
                    "--set", ".".join(parts[: i + 1]), f"is {_describe(child)}, cannot set {text!r}"
                )
            node = child
        node[parts[-1]] = value


def blame_override(exc: ConfigError, source: str, overrides: Sequence[str]) -> ConfigError:
    """``exc`` re-attributed to the ``--set`` override that wrote its key, if one did (else ``exc``).

    ``ssl train cfg.yaml --set train.batch_size=abc`` then reports
    ``cfg.yaml (--set train.batch_size=abc): train.batch_size: expected int, got str 'abc'``.
    """
    for text in reversed(overrides):
        key = ".".join(p.strip() for p in text.partition("=")[0].strip().split("."))
        if exc.key == key or exc.key.startswith(key + ".") or exc.key.startswith(key + "["):
            return ConfigError(f"{source} (--set {text})", exc.key, exc.reason)
    return exc


def _validate(data: dict[str, Any], source: str, overrides: Sequence[str]) -> RunConfig:
    try:
        return from_dict(RunConfig, data, source=source)
    except ConfigError as exc:
        raise blame_override(exc, source, overrides) from None


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping from ``path``; errors name the file and the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "<file>", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, "<file>", f"cannot read: {exc}") from None
    try:
        data = safe_load_unique(text)
    except DuplicateKeyError as exc:
        raise ConfigError(
            path, str(exc.key), f"duplicate key at line {exc.line} (first at line {exc.first})"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(path, "<yaml>", f"invalid YAML: {where}{problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(path, "<root>", f"expected a mapping at the top level, got {_describe(data)}")
    return data


def read_yaml_resource(name: str) -> dict[str, Any]:
    """A YAML file shipped in ``ssl_core/configs/``."""
    from importlib import resources

    data = yaml.safe_load(resources.files("ssl_core").joinpath("configs", name).read_text(encoding="utf-8"))
    return dict(data or {})


def config_source(path_or_dict: str | Path | Mapping[str, Any]) -> str:
    """How errors name a config: its file name, or ``<dict>`` for an already-loaded mapping."""
    return "<dict>" if isinstance(path_or_dict, Mapping) else str(path_or_dict)


def load_run_config(path_or_dict: str | Path | Mapping[str, Any], overrides: Sequence[str] = ()) -> RunConfig:
    """Read, override and validate a run config against the schema (:class:`ssl_core.schema.RunConfig`).

    ``recipe_args`` stay a plain mapping here: checking them against the recipe's registered
    ``config_cls`` is the plugin manager's step, :func:`ssl_core.plugins.recipe_args.validate_recipe_args`.

    Args:
        path_or_dict: a YAML file or an already-loaded mapping.
        overrides: ``"a.b=c"`` strings; values are parsed as YAML scalars (``64``, ``true``, ``[1, 2]``).
    """
    data = copy.deepcopy(dict(path_or_dict)) if isinstance(path_or_dict, Mapping) else read_yaml(path_or_dict)
    _apply_raw(data, overrides)
    return _validate(data, config_source(path_or_dict), overrides)


def apply_overrides(cfg: RunConfig, overrides: Sequence[str]) -> RunConfig:
    """A new config with ``"a.b=c"`` overrides applied and validated (``cfg`` is not modified)."""
    if not overrides:
        return cfg
    data = config_to_dict(cfg)
    _apply_raw(data, overrides)
    return _validate(data, "<config>", overrides)


def dump_yaml(data: Mapping[str, Any], path: str | Path) -> Path:
    """Write ``data`` as YAML atomically (temp file + rename: never a partial file)."""
    path = Path(path)
    text = yaml.safe_dump(to_plain(data), sort_keys=False, default_flow_style=False)
    with atomic_writer(path) as fh:
        fh.write(text.encode("utf-8"))
    return path


def dump_config(cfg: RunConfig, path: str | Path) -> Path:
    """Write the resolved config to ``path`` (YAML, atomically); ``load_run_config`` reads it back equal."""
    return dump_yaml(config_to_dict(cfg), path)


def config_hash(cfg: RunConfig) -> str:
    """sha256 of the canonical config, ignoring :data:`HASH_IGNORED` (run length, progress, log cadence)."""
    data = config_to_dict(cfg)
    for dotted in HASH_IGNORED:
        section, _, key = dotted.partition(".")
        data.get(section, {}).pop(key, None)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
