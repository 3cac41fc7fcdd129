"""Property-based tests (hypothesis) of the config parser and the ``--set`` grammar.

Whatever the input, parsing either succeeds or raises :class:`ssl_core.errors.ConfigError` (the one
line the CLI prints); it never raises anything else, and what it accepts round-trips.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ssl_core.config import (
    dump_config,
    load_run_config,
    parse_override,
    read_yaml,
    safe_load_unique,
)
from ssl_core.errors import ConfigError

FAST = settings(max_examples=150, deadline=None, database=None)  # nothing written in the tree
NAME = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)
SCALAR = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
)
ANY_VALUE = st.recursive(
    st.one_of(st.none(), SCALAR),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NAME, inner, max_size=3),
)


@FAST
@given(st.lists(NAME, min_size=1, max_size=4), SCALAR)
def test_set_round_trips_any_scalar(parts: list[str], value: object) -> None:
    text = yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("\n...").strip()
    keys, parsed = parse_override(".".join(parts) + "=" + text)
    assert keys == parts
    if isinstance(value, str) and not value.strip():
        return  # an empty or blank value is the empty string
    assert parsed == value or (isinstance(value, float) and math.isclose(parsed, value))


@FAST
@given(st.text(max_size=40))
def test_set_never_fails_with_anything_but_a_config_error(text: str) -> None:
    try:
        parts, _ = parse_override(text)
    except ConfigError as exc:
        assert exc.source == "--set"
    else:
        assert "=" in text and all(p and p == p.strip() for p in parts)


@FAST
@given(st.text(max_size=200))
def test_any_file_content_is_a_mapping_or_a_config_error(content: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.yaml"
        path.write_text(content, encoding="utf-8")
        try:
            data = read_yaml(path)
        except ConfigError as exc:
            assert exc.source == str(path)
        else:
            assert isinstance(data, dict)


@FAST
@given(st.dictionaries(st.sampled_from(["recipe", "train", "optim", "ema", "recipe_args", "x"]), ANY_VALUE))
def test_any_mapping_is_a_run_config_or_a_config_error(data: dict[str, object]) -> None:
    try:
        cfg = load_run_config(data)
    except ConfigError as exc:
        assert exc.source == "<dict>" and exc.key
    else:
        assert isinstance(cfg.recipe, str)


@FAST
@given(
    st.integers(-5, 10**6),
    st.integers(-5, 4096),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
)
def test_ranges_accept_exactly_the_documented_values(steps: int, batch: int, lr: float) -> None:
    sets = [f"train.steps={steps}", f"train.batch_size={batch}", f"optim.lr={lr!r}".replace("inf", ".inf")]
    ok = steps >= 1 and batch >= 1 and math.isfinite(lr) and lr > 0
    try:
        cfg = load_run_config({"recipe": "core/synthetic"}, sets)
    except ConfigError as exc:
        assert not ok and exc.key in ("train.steps", "train.batch_size", "optim.lr")
    else:
        assert ok and (cfg.train.steps, cfg.train.batch_size, cfg.optim.lr) == (steps, batch, lr)


@FAST
@given(st.lists(NAME, min_size=2, max_size=6), st.data())
def test_a_repeated_key_is_always_refused_with_its_lines(keys: list[str], data: st.DataObject) -> None:
    dup = data.draw(st.sampled_from(keys))
    lines = [f"{k}: {i}" for i, k in enumerate([*keys, dup])]
    first = keys.index(dup) + 1
    seen: set[str] = set()
    if len(set(keys)) != len(keys):  # the earliest repeat is reported
        for i, k in enumerate(keys):
            if k in seen:
                dup, first, second = k, keys.index(k) + 1, i + 1
                break
            seen.add(k)
    else:
        second = len(lines)
    try:
        safe_load_unique("\n".join(lines))
    except yaml.YAMLError as exc:
        assert f"duplicate key {dup!r} at line {second} (first at line {first})" in str(exc)
    else:
        raise AssertionError("a duplicate key was accepted")


@settings(max_examples=40, deadline=None, database=None)
@given(
    st.integers(1, 10**6),
    st.integers(1, 4096),
    st.floats(1e-8, 10.0),
    st.sampled_from(["auto", "cpu", "cuda", "cuda:1", "mps"]),
)
def test_valid_configs_round_trip_through_config_yaml(steps: int, batch: int, lr: float, device: str) -> None:
    cfg = load_run_config(
        {"recipe": "core/synthetic", "train": {"steps": steps, "batch_size": batch, "device": device}},
        [f"optim.lr={lr!r}"],
    )
    with tempfile.TemporaryDirectory() as tmp:
        assert load_run_config(dump_config(cfg, Path(tmp) / "config.yaml")) == cfg
