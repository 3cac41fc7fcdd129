"""What the plugin manager records of each plugin: a loaded plugin, or one reported and skipped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ssl_core import hooks
from ssl_core.plugins.manifest import PluginManifest

__all__ = ["PluginInfo", "PluginLoadError"]


@dataclass(frozen=True)
class PluginLoadError:
    """A plugin that was reported and skipped: its entry point, distribution, version and the error."""

    entry_point: str
    distribution: str
    version: str
    error: str

    def __str__(self) -> str:
        return f"plugin {self.entry_point} ({self.distribution} {self.version}): {self.error}"


@dataclass(frozen=True)
class PluginInfo:
    """A loaded plugin: its manifest plus where it came from."""

    name: str
    distribution: str
    version: str
    manifest: PluginManifest | None
    module: str

    @property
    def domain(self) -> str:
        """The manifest's domain (empty for an ad-hoc plugin without a manifest)."""
        return self.manifest.domain if self.manifest else ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (what ``ssl plugins --json`` prints)."""
        m = self.manifest
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "domain": self.domain,
            "display_name": m.title if m else self.name,
            "description": m.description if m else "",
            "api_version": m.api_version if m else hooks.HOOK_API_VERSION,
            "components": {k: list(v) for k, v in m.provides.items()} if m else {},
            "cli": m.cli if m else None,
            "module": self.module,
        }
