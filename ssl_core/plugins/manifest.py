"""The manifest every plugin module exposes as ``PLUGIN``: readable without importing torch."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ssl_core.errors import PluginError
from ssl_core.hooks import HOOK_API_VERSION
from ssl_core.plugins.lifecycle import DomainSpec

COMPONENT_KINDS = (
    "encoders",
    "view_generators",
    "objectives",
    "methods",
    "recipes",
    "evaluators",
)
"""Kinds of components a plugin registers; one registry (and one hook) per kind."""

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
"""Allowed plugin names, domains and component names (lower case, digits, ``_.-``)."""

__all__ = ["COMPONENT_KINDS", "NAME_PATTERN", "PluginManifest", "check_key"]


def check_key(name: str) -> tuple[str, str]:
    """Split a component key ``"domain/name"`` into its two parts, raising ``PluginError`` if malformed."""
    domain, sep, short = name.partition("/") if isinstance(name, str) else ("", "", "")
    if not sep or not NAME_PATTERN.match(domain) or not NAME_PATTERN.match(short):
        raise PluginError(f"component name {name!r} must be 'domain/name' (lower case, digits, '_.-')")
    return domain, short


@dataclass(frozen=True)
class PluginManifest:
    """What a plugin is and what it provides, declared statically in its light ``plugin`` module.

    Attributes:
        name: short plugin name (by convention the entry-point name, e.g. ``"speech"``).
        domain: domain prefix of every component key the plugin registers (``"speech/..."``).
        description: one line shown by ``ssl plugins``.
        api_version: the :data:`ssl_core.hooks.HOOK_API_VERSION` the plugin targets.
        provides: component names per kind (``{"recipes": ["speech/tera"]}``) so listings need no import.
        cli: ``"module:attr"`` of a click group added lazily as ``ssl <domain> ...``.
        display_name: human-friendly name (defaults to ``name``).
        lifecycle: the domain lifecycle the core runs for this plugin (absolute references), if any.
    """

    name: str
    domain: str
    description: str = ""
    api_version: int = HOOK_API_VERSION
    provides: dict[str, list[str]] = field(default_factory=dict)
    cli: str | None = None
    display_name: str = ""
    lifecycle: DomainSpec | None = None

    def __post_init__(self) -> None:
        for label, value in (("name", self.name), ("domain", self.domain)):
            if not isinstance(value, str) or not NAME_PATTERN.match(value):
                raise ValueError(f"PluginManifest.{label}: {value!r} must match {NAME_PATTERN.pattern}")
        if not isinstance(self.api_version, int) or isinstance(self.api_version, bool):
            raise ValueError(f"PluginManifest.api_version: expected int, got {self.api_version!r}")
        for kind, names in self.provides.items():
            if kind not in COMPONENT_KINDS:
                raise ValueError(
                    f"PluginManifest.provides: unknown kind {kind!r}; known: {', '.join(COMPONENT_KINDS)}"
                )
            for key in names:
                if not key.startswith(f"{self.domain}/"):
                    raise ValueError(
                        f"PluginManifest.provides.{kind}: {key!r} must start with '{self.domain}/'"
                    )
        if self.cli is not None and ":" not in self.cli:
            raise ValueError(f"PluginManifest.cli: {self.cli!r} must be 'module:attr'")

    @property
    def title(self) -> str:
        """``display_name`` or ``name``."""
        return self.display_name or self.name
