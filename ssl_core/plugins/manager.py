"""Typed facade over pluggy's ``PluginManager("ssl_core")``: loading, listing and registries.

Loading follows kedro/npe2 rather than bare pluggy: each entry point is filtered by the environment
*before* import, checked for compatibility, imported and registered inside its own ``try``; a
failure is recorded as a :class:`PluginLoadError` and the plugin is skipped, unless
``SSL_CORE_STRICT_PLUGINS=1`` makes it fatal.

The ``SSL_CORE_*`` switches (which plugins load, strict mode, tracing) are in
:mod:`ssl_core.plugins.selection`.
The core plugin (:mod:`ssl_core.builtin`) is registered directly and is always present.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from importlib import metadata
from typing import Any

import pluggy

from ssl_core import builtin, hooks
from ssl_core._version import __version__
from ssl_core.errors import PluginError
from ssl_core.plugins.compat import core_requirement_problem
from ssl_core.plugins.lifecycle import DomainSpec
from ssl_core.plugins.manifest import COMPONENT_KINDS, PluginManifest
from ssl_core.plugins.records import PluginInfo, PluginLoadError
from ssl_core.plugins.selection import STRICT_ENV, TRACE_ENV, check_env_names, env_flag, selected
from ssl_core.registry import Registries

__all__ = [
    "PluginInfo",
    "PluginLoadError",
    "SSLPluginManager",
    "get_plugin_manager",
    "get_registries",
    "reset_plugin_manager",
]


class SSLPluginManager:
    """One typed method per use of the hooks, so the rest of ssl-core never touches ``pm.hook``.

    Args:
        autoload: load ``ssl_core.plugins`` entry points in :meth:`load` (tests turn it off).
        environ: environment to read the ``SSL_CORE_*`` switches from (default ``os.environ``).
    """

    def __init__(self, *, autoload: bool = True, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ
        self.autoload = autoload
        self.pm = pluggy.PluginManager(hooks.PROJECT_NAME)
        self.pm.add_hookspecs(hooks)
        self.errors: list[PluginLoadError] = []
        self._infos: dict[str, PluginInfo] = {}
        self._registries: Registries | None = None
        self._loaded = False
        if env_flag(self.environ, TRACE_ENV):
            self.pm.trace.root.setwriter(sys.stderr.write)
            self.pm.enable_tracing()

    @property
    def strict(self) -> bool:
        """Whether plugin errors are fatal (``SSL_CORE_STRICT_PLUGINS=1``)."""
        return env_flag(self.environ, STRICT_ENV)

    # -- loading -------------------------------------------------------------------------------
    def load(self) -> SSLPluginManager:
        """Register the core plugin and (if ``autoload``) every entry point; idempotent."""
        if self._loaded:
            return self
        eps = sorted(metadata.entry_points(group=hooks.ENTRY_POINT_GROUP), key=lambda e: e.name)
        if self.autoload:
            check_env_names(self.environ, eps)
        self._loaded = True
        self.register(builtin, "core", distribution="ssl-core", version=__version__)
        if self.autoload:
            for ep in eps:
                self.load_entry_point(ep)
        return self

    def load_entry_point(self, ep: metadata.EntryPoint) -> PluginInfo | None:
        """Check, import and register one entry point; errors are recorded (or raised if strict)."""
        dist = getattr(ep, "dist", None)
        dist_name = dist.metadata["Name"] if dist is not None else "<unknown>"
        version = dist.version if dist is not None else ""
        if not selected(self.environ, ep, dist_name):
            return None
        label = f"{ep.name} = {ep.value}"
        try:
            if ep.name in self._infos:
                raise PluginError(
                    f"plugin name {ep.name!r} is already taken by {self._infos[ep.name].distribution}"
                )
            problem = core_requirement_problem(dist.requires if dist is not None else None, __version__)
            if problem:
                raise PluginError(problem)
            module = ep.load()
            return self.register(module, ep.name, distribution=dist_name, version=version)
        except Exception as exc:
            self.record_error(PluginLoadError(label, dist_name, version, f"{type(exc).__name__}: {exc}"), exc)
            return None

    def record_error(self, error: PluginLoadError, exc: BaseException | None = None) -> None:
        """Remember a plugin error, or raise it as :class:`PluginError` in strict mode."""
        if self.strict:
            raise PluginError(f"{error} ({STRICT_ENV}=1)") from exc
        self.errors.append(error)

    def register(
        self, plugin: object, name: str | None = None, *, distribution: str = "<local>", version: str = ""
    ) -> PluginInfo:
        """Register a plugin module or object (validating its ``PLUGIN`` manifest, if any)."""
        manifest = getattr(plugin, "PLUGIN", None)
        if manifest is not None and not isinstance(manifest, PluginManifest):
            raise PluginError(
                f"{plugin!r}: PLUGIN must be a ssl_core.PluginManifest, got {type(manifest).__name__}"
            )
        name = name or (manifest.name if manifest else getattr(plugin, "__name__", None))
        if not name:
            raise PluginError(f"{plugin!r}: pass name= (no PLUGIN manifest)")
        if manifest is not None and manifest.api_version != hooks.HOOK_API_VERSION:
            raise PluginError(
                f"plugin {name!r} targets hook API version {manifest.api_version}; "
                f"ssl-core {__version__} provides version {hooks.HOOK_API_VERSION}"
            )
        if manifest is not None:
            clash = [i.name for i in self._infos.values() if i.domain == manifest.domain]
            if clash:
                raise PluginError(
                    f"plugin {name!r}: domain {manifest.domain!r} is already provided by plugin {clash[0]!r}"
                )
        if name in self._infos:
            raise PluginError(f"plugin name {name!r} is already registered")
        self.pm.register(plugin, name=name)
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            self.pm.unregister(name=name)
            raise PluginError(f"plugin {name!r}: {exc}") from exc
        module = getattr(plugin, "__name__", type(plugin).__name__)
        info = PluginInfo(name, distribution, version, manifest, module)
        self._infos[name] = info
        self._registries = None
        return info

    def unregister(self, name: str) -> None:
        """Remove a registered plugin (its components disappear from the registries)."""
        self.pm.unregister(name=name)
        self._infos.pop(name, None)
        self._registries = None

    @contextmanager
    def registered(self, plugin: object, name: str | None = None) -> Iterator[PluginInfo]:
        """Register ``plugin`` for the duration of a ``with`` block."""
        info = self.register(plugin, name)
        try:
            yield info
        finally:
            self.unregister(info.name)

    # -- queries -------------------------------------------------------------------------------
    def plugins(self) -> list[PluginInfo]:
        """Loaded plugins, core first, then by name."""
        self.load()
        return sorted(self._infos.values(), key=lambda i: (i.name != "core", i.name))

    def get_plugin(self, name: str) -> PluginInfo:
        """The loaded plugin called ``name``."""
        self.load()
        if name not in self._infos:
            raise PluginError(f"no plugin {name!r}; loaded: {', '.join(sorted(self._infos))}")
        return self._infos[name]

    def registries(self) -> Registries:
        """Registries filled by every plugin's registration hooks (built once, then cached)."""
        self.load()
        if self._registries is None:
            self._registries = self._build_registries()
        return self._registries

    def _build_registries(self) -> Registries:
        regs = Registries.empty()
        failed: dict[str, PluginError] = {}
        for kind in COMPONENT_KINDS:
            registry = regs.by_kind(kind)
            for impl in getattr(self.pm.hook, f"ssl_register_{kind}").get_hookimpls():
                if impl.plugin_name in failed or impl.hookwrapper or impl.wrapper:
                    continue
                info = self._infos.get(impl.plugin_name)
                registry.current_plugin = impl.plugin_name
                registry.current_domain = info.domain if info and info.domain else None
                try:
                    impl.function(**{arg: registry for arg in impl.argnames})
                except Exception as exc:
                    failed[impl.plugin_name] = exc if isinstance(exc, PluginError) else PluginError(str(exc))
                    self._fail_registration(impl.plugin_name, kind, exc)
            registry.current_plugin, registry.current_domain = "<direct>", None
        for name in failed:
            for registry in regs.all():
                registry.remove_plugin(name)
        return regs

    def _fail_registration(self, name: str, kind: str, exc: Exception) -> None:
        info = self._infos.get(name)
        label = f"{name} = {info.module}" if info else name
        error = f"ssl_register_{kind} failed: {type(exc).__name__}: {exc}"
        dist, version = (info.distribution, info.version) if info else ("<local>", "")
        self.record_error(PluginLoadError(label, dist, version, error), exc)

    def default_config(self, domain: str) -> dict[str, Any] | None:
        """The starter config a plugin returns for ``domain`` (``ssl init``), or ``None``."""
        self.load()
        result: dict[str, Any] | None = self.pm.hook.ssl_default_config(domain=domain)
        return result

    def cli_commands(self) -> dict[str, str]:
        """``{domain: "module:attr"}`` of the click groups plugins declare in their manifest."""
        return {i.domain: i.manifest.cli for i in self.plugins() if i.manifest and i.manifest.cli}

    def domain_specs(self) -> dict[str, DomainSpec]:
        """``{domain: DomainSpec}`` of the plugins that declare a lifecycle (``ssl-<domain> pretrain`` ...)."""
        return {i.domain: i.manifest.lifecycle for i in self.plugins() if i.manifest and i.manifest.lifecycle}

    def domain_spec(self, domain: str) -> DomainSpec:
        """The lifecycle of ``domain``; :class:`PluginError` naming the installed domains otherwise."""
        specs = self.domain_specs()
        if domain not in specs:
            known = ", ".join(sorted(specs)) or "none"
            raise PluginError(
                f"no installed plugin runs the lifecycle of domain {domain!r} (installed: {known})"
            )
        return specs[domain]

    def errors_as_dicts(self) -> list[dict[str, str]]:
        """Recorded load errors, JSON-ready."""
        return [asdict(e) for e in self.errors]


_MANAGER: SSLPluginManager | None = None


def get_plugin_manager() -> SSLPluginManager:
    """The process-wide plugin manager (created and loaded on first use)."""
    global _MANAGER
    if _MANAGER is None:
        manager = SSLPluginManager()
        manager.load()  # strict mode raises here; nothing half-loaded is kept for the next call
        _MANAGER = manager
    return _MANAGER.load()


def reset_plugin_manager(manager: SSLPluginManager | None = None) -> SSLPluginManager | None:
    """Replace the process-wide manager (``None``: rebuild on next use); returns the previous one."""
    global _MANAGER
    previous, _MANAGER = _MANAGER, manager
    return previous


def get_registries(pm: SSLPluginManager | None = None) -> Registries:
    """The registries filled by every loaded plugin (the process-wide plugin manager by default)."""
    return (pm or get_plugin_manager()).registries()
