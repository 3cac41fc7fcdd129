"""Registries of components, one per kind, keyed ``domain/name``.

Plugins fill them from their registration hooks (see :mod:`ssl_core.hooks`); the engine and the CLI
read them through :func:`ssl_core.plugins.manager.get_registries`. A factory may be a callable or a
lazy ``"module:attr"`` string, so registering never imports heavy code::

    reg = get_registries()
    objective = reg.objectives.build("core/vicreg", sim_coeff=25.0)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ssl_core.config import from_dict
from ssl_core.errors import PluginError
from ssl_core.plugins.manifest import COMPONENT_KINDS, check_key
from ssl_core.plugins.refs import resolve_object

__all__ = ["Entry", "Registries", "Registry"]


@dataclass(frozen=True)
class Entry:
    """One registered component.

    Attributes:
        name: ``domain/name`` key.
        kind: registry kind (``"encoders"``, ``"recipes"`` ...).
        factory: callable or lazy ``"module:attr"`` string.
        description: one line for ``ssl components``.
        config_cls: dataclass validating the factory's keyword arguments, or ``None``.
        plugin: name of the plugin that registered it.
    """

    name: str
    kind: str
    factory: Callable[..., Any] | str
    description: str = ""
    config_cls: type | None = None
    plugin: str = "<unknown>"

    @property
    def domain(self) -> str:
        """The ``domain`` part of the key."""
        return self.name.split("/", 1)[0]

    def load(self) -> Callable[..., Any]:
        """The factory, importing it first when it was registered as a lazy string."""
        factory = resolve_object(self.factory) if isinstance(self.factory, str) else self.factory
        if not callable(factory):
            raise PluginError(
                f"{self.kind} {self.name!r} (plugin {self.plugin}): factory {factory!r} is not callable"
            )
        return factory

    def validate(self, kwargs: dict[str, Any], source: str | None = None, prefix: str = "") -> dict[str, Any]:
        """Validate ``kwargs`` with :attr:`config_cls` (defaults filled in); identity without one."""
        if self.config_cls is None:
            return dict(kwargs)
        cfg: Any = from_dict(
            self.config_cls, kwargs, source=source or f"<{self.name} arguments>", prefix=prefix
        )
        return {f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg)}

    def build(self, **kwargs: Any) -> Any:
        """Validate ``kwargs`` and call the factory with them."""
        return self.load()(**self.validate(kwargs))


class Registry:
    """Components of one kind, keyed ``domain/name``; a duplicate key is an error naming both plugins."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Entry] = {}
        self.current_plugin = "<direct>"
        """Plugin credited with ``add`` calls; the plugin manager sets it around each hook call."""
        self.current_domain: str | None = None
        """When set, keys must live under this domain (the calling plugin's manifest domain)."""

    def add(
        self,
        name: str,
        factory: Callable[..., Any] | str,
        *,
        description: str = "",
        config_cls: type | None = None,
    ) -> Entry:
        """Register ``factory`` under ``name`` (``"domain/name"``) and return the new entry."""
        domain, _ = check_key(name)
        if self.current_domain is not None and domain != self.current_domain:
            raise PluginError(
                f"plugin {self.current_plugin!r} (domain {self.current_domain!r}) cannot register "
                f"{self.kind} {name!r}: keys must start with '{self.current_domain}/'"
            )
        if not (callable(factory) or isinstance(factory, str)):
            raise PluginError(
                f"{self.kind} {name!r}: factory must be callable or 'module:attr', got {factory!r}"
            )
        if isinstance(factory, str) and ":" not in factory:
            raise PluginError(f"{self.kind} {name!r}: lazy factory {factory!r} must be 'module:attr'")
        if config_cls is not None and not dataclasses.is_dataclass(config_cls):
            raise PluginError(f"{self.kind} {name!r}: config_cls {config_cls!r} is not a dataclass")
        if name in self._entries:
            other = self._entries[name].plugin
            raise PluginError(
                f"duplicate {self.kind} {name!r}: registered by plugin {other!r} and again by plugin {self.current_plugin!r}"
            )
        entry = Entry(name, self.kind, factory, description, config_cls, self.current_plugin)
        self._entries[name] = entry
        return entry

    def remove_plugin(self, plugin: str) -> None:
        """Drop every entry registered by ``plugin`` (used when its hook fails half-way)."""
        self._entries = {k: e for k, e in self._entries.items() if e.plugin != plugin}

    def get(self, name: str) -> Entry:
        """The entry for ``name``; an unknown name is a ``PluginError`` listing the known ones."""
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise PluginError(f"unknown {self.kind} {name!r}; registered: {known}") from None

    def build(self, name: str, /, **kwargs: Any) -> Any:
        """Build ``name`` with ``kwargs`` (validated with its ``config_cls`` when it has one)."""
        return self.get(name).build(**kwargs)

    def names(self) -> list[str]:
        """Sorted registered keys."""
        return sorted(self._entries)

    def entries(self) -> list[Entry]:
        """Entries sorted by key."""
        return [self._entries[k] for k in self.names()]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {self.names()!r})"


@dataclass
class Registries:
    """One :class:`Registry` per component kind."""

    encoders: Registry
    view_generators: Registry
    objectives: Registry
    methods: Registry
    recipes: Registry
    evaluators: Registry

    @classmethod
    def empty(cls) -> Registries:
        """Fresh empty registries."""
        return cls(**{kind: Registry(kind) for kind in COMPONENT_KINDS})

    def by_kind(self, kind: str) -> Registry:
        """The registry of ``kind`` (``"encoders"``, ``"recipes"`` ...)."""
        if kind not in COMPONENT_KINDS:
            raise PluginError(f"unknown component kind {kind!r}; known: {', '.join(COMPONENT_KINDS)}")
        reg: Registry = getattr(self, kind)
        return reg

    def all(self) -> list[Registry]:
        """Every registry in :data:`COMPONENT_KINDS` order."""
        return [self.by_kind(kind) for kind in COMPONENT_KINDS]
