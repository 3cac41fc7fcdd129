"""YAML configs validated into dataclasses: strict, typed, with ``--set a.b=c`` overrides.

Unknown keys, missing required keys and wrong types are :class:`ssl_core.errors.ConfigError` naming
the file, the dotted key and the reason, e.g. ``run.yaml: train.batch_size: expected int, got str
'abc'``. Supported field types: ``bool``, ``int``, ``float`` (ints and numeric strings such as
``1e-3`` are accepted), ``str``, ``Path``, ``Literal[...]``, ``X | None``, unions, ``list[X]``,
``tuple[X, ...]`` / ``tuple[X, Y]``, ``dict[str, X]``, nested dataclasses and ``Any``.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from ssl_core.errors import ConfigError
from ssl_core.schema import RunConfig
from ssl_core.typed import describe, from_dict, to_plain
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

HASH_IGNORED = (
    "train.steps",
    "train.epochs",
    "train.progress",
    "train.log_every",
    "train.num_threads",
    "train.loggers",
    "train.mlflow_uri",
    "train.mlflow_experiment",
)


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
                    "--set", ".".join(parts[: i + 1]), f"is {describe(child)}, cannot set {text!r}"
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
        raise ConfigError(path, "<root>", f"expected a mapping at the top level, got {describe(data)}")
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
