"""YAML that refuses a repeated mapping key (YAML 1.2 forbids it; PyYAML keeps the last one silently).

``recipe: a`` followed later by ``recipe: b`` would otherwise train ``b`` without a word; here it is a
:class:`DuplicateKeyError` naming the key and both lines.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["DuplicateKeyError", "safe_load_unique"]


class _UniqueKeyLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a mapping with the same key twice (YAML 1.2 forbids it)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                if key in seen:
                    raise DuplicateKeyError(key, seen[key], line)
                seen[key] = line
            except TypeError:  # an unhashable key: the base class reports it
                continue
        return super().construct_mapping(node, deep=deep)


class DuplicateKeyError(yaml.YAMLError):
    """The same key twice in one YAML mapping."""

    def __init__(self, key: Any, first: int, line: int) -> None:
        self.key, self.first, self.line = key, first, line
        super().__init__(f"duplicate key {key!r} at line {line} (first at line {first})")


def safe_load_unique(text: str) -> Any:
    """``yaml.safe_load`` that raises :class:`DuplicateKeyError` on a repeated mapping key."""
    return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
