"""Declare a plugin's components once, as a table: the manifest and the registration hooks follow.

A plugin's light module lists every component it provides as a :class:`Component` row of a
:class:`PluginTable`. The table builds the :class:`~ssl_core.plugins.manifest.PluginManifest`
(``provides`` is derived from the rows, so it cannot drift from what the hooks register) and one
``@hookimpl`` function per declared kind. pluggy only finds hook implementations among a module's
attributes, so bind them at module level::

    from ssl_core import Component, PluginTable

    TABLE = PluginTable(
        name="foo",
        package="ssl_plugin_foo",
        description="One line for `ssl plugins`",
        cli=".cli:group",
        components=[
            Component("encoders", "mlp", ".encoders:FooEncoder", "MLP over 'x'"),
            Component("recipes", "default", ".recipes:make_recipe", "toy run", config_cls=".recipes:Args"),
        ],
    )
    PLUGIN = TABLE.manifest
    globals().update(TABLE.hookimpls())  # ssl_register_encoders, ssl_register_recipes

References that start with ``.`` are relative to ``package``. Factories stay lazy ``"module:attr"``
strings (imported when a component is built) and a string ``config_cls`` is imported when the hooks
run, so importing the light module never imports torch.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ssl_core.errors import PluginError
from ssl_core.hooks import HOOK_API_VERSION, hookimpl
from ssl_core.plugins.lifecycle import DomainSpec
from ssl_core.plugins.manifest import COMPONENT_KINDS, NAME_PATTERN, PluginManifest

if TYPE_CHECKING:
    from ssl_core.registry import Registry

StarterConfig = Mapping[str, Any] | Callable[[], dict[str, Any]] | str
"""A starter config: a dict (copied per call), a function returning one, or its ``"module:attr"``."""


@dataclass(frozen=True)
class Component:
    """One row of a :class:`PluginTable`: what ``registry.add`` receives for one component.

    Attributes:
        kind: component kind, one of :data:`~ssl_core.plugins.manifest.COMPONENT_KINDS`.
        name: short name; the registered key is ``"<domain>/<name>"``.
        factory: lazy ``"module:attr"`` (``".module:attr"`` is relative to the table's package) or a
            callable (avoid in light modules: it must be imported to be referenced).
        description: one line for ``ssl components``.
        config_cls: dataclass validating the factory's keyword arguments, or its lazy reference.
    """

    kind: str
    name: str
    factory: Callable[..., Any] | str
    description: str = ""
    config_cls: type | str | None = None

    def __str__(self) -> str:
        return f"{self.kind} {self.name!r}"


@dataclass(frozen=True, kw_only=True)
class PluginTable:
    """A plugin's manifest fields plus its components; builds the manifest and the hooks.

    Attributes:
        name: plugin name (by convention the entry-point name).
        components: the rows; a (kind, name) pair may appear once.
        package: package that relative references (``".module:attr"``) live in.
        domain: key prefix of every component (defaults to ``name``).
        description: one line shown by ``ssl plugins``.
        display_name: human-friendly name (defaults to ``name``).
        cli: ``"module:attr"`` (or relative) of the click group added as ``ssl <domain> ...``.
        api_version: the hook API version targeted (:data:`ssl_core.hooks.HOOK_API_VERSION`).
        default_config: starter config returned by the generated ``ssl_default_config`` hook for
            ``domain``; ``None`` generates no such hook (write one by hand for custom logic).
        lifecycle: the domain lifecycle (:class:`~ssl_core.plugins.lifecycle.DomainSpec`): with it
            the core provides ``pretrain / evaluate / embed / demo`` for the domain.
    """

    name: str
    components: Sequence[Component]
    package: str = ""
    domain: str = ""
    description: str = ""
    display_name: str = ""
    cli: str | None = None
    api_version: int = HOOK_API_VERSION
    default_config: StarterConfig | None = field(default=None, compare=False)
    lifecycle: DomainSpec | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "components", tuple(self.components))
        object.__setattr__(self, "domain", self.domain or self.name)
        seen: set[tuple[str, str]] = set()
        for row in self.components:
            self._check(row)
            if (row.kind, row.name) in seen:
                raise ValueError(f"PluginTable {self.name!r}: {row} is declared twice")
            seen.add((row.kind, row.name))
        if isinstance(self.default_config, str):
            self.qualify(self.default_config)
        if self.lifecycle is not None:
            self._check_lifecycle(self.lifecycle)
        _ = self.manifest  # validate the manifest fields (name, domain, cli) at import time

    def _check(self, row: Component) -> None:
        where = f"PluginTable {self.name!r}: {row}"
        if row.kind not in COMPONENT_KINDS:
            raise ValueError(f"{where}: unknown kind; known: {', '.join(COMPONENT_KINDS)}")
        if not isinstance(row.name, str) or not NAME_PATTERN.match(row.name):
            raise ValueError(f"{where}: name must match {NAME_PATTERN.pattern}")
        if isinstance(row.factory, str):
            self.qualify(row.factory)
        elif not callable(row.factory):
            raise ValueError(f"{where}: factory must be 'module:attr' or callable, got {row.factory!r}")
        if isinstance(row.config_cls, str):
            self.qualify(row.config_cls)
        elif row.config_cls is not None and not (
            isinstance(row.config_cls, type) and dataclasses.is_dataclass(row.config_cls)
        ):
            raise ValueError(f"{where}: config_cls {row.config_cls!r} is not a dataclass")

    def _check_lifecycle(self, spec: DomainSpec) -> None:
        recipes = {row.name for row in self.rows("recipes")}
        if spec.recipe not in recipes:
            raise ValueError(
                f"PluginTable {self.name!r}: lifecycle recipe {spec.recipe!r} is not a declared recipe"
            )
        if self.default_config is None:
            raise ValueError(
                f"PluginTable {self.name!r}: a lifecycle needs default_config (the embedded default)"
            )
        spec.qualified(self.qualify)

    # -- what the table declares -------------------------------------------------------------------
    def qualify(self, ref: str) -> str:
        """``ref`` as an absolute ``"module:attr"`` (a leading ``.`` is relative to ``package``)."""
        module, sep, attr = ref.partition(":")
        if not sep or not module or not attr:
            raise ValueError(f"PluginTable {self.name!r}: reference {ref!r} must be 'module:attr'")
        if not module.startswith("."):
            return ref
        if not self.package:
            raise ValueError(f"PluginTable {self.name!r}: relative reference {ref!r} needs package=")
        return f"{self.package}{module}:{attr}"

    def key(self, row: Component) -> str:
        """The registry key ``"<domain>/<name>"`` of ``row``."""
        return f"{self.domain}/{row.name}"

    def kinds(self) -> list[str]:
        """Declared kinds, in :data:`~ssl_core.plugins.manifest.COMPONENT_KINDS` order."""
        declared = {row.kind for row in self.components}
        return [kind for kind in COMPONENT_KINDS if kind in declared]

    def rows(self, kind: str) -> list[Component]:
        """The rows of ``kind``, in declaration order."""
        return [row for row in self.components if row.kind == kind]

    @cached_property
    def manifest(self) -> PluginManifest:
        """The ``PLUGIN`` manifest; ``provides`` lists every row's key per kind."""
        return PluginManifest(
            name=self.name,
            domain=self.domain,
            description=self.description,
            api_version=self.api_version,
            provides={kind: [self.key(row) for row in self.rows(kind)] for kind in self.kinds()},
            cli=self.qualify(self.cli) if self.cli else None,
            display_name=self.display_name,
            lifecycle=self.lifecycle.qualified(self.qualify) if self.lifecycle else None,
        )

    # -- what the hooks do -------------------------------------------------------------------------
    def register(self, registry: Registry, kind: str) -> None:
        """``registry.add`` every row of ``kind`` (lazy ``config_cls`` strings are imported here)."""
        from ssl_core.plugins.refs import resolve_object

        for row in self.rows(kind):
            config_cls = row.config_cls
            if isinstance(config_cls, str):
                config_cls = resolve_object(self.qualify(config_cls))
            factory = self.qualify(row.factory) if isinstance(row.factory, str) else row.factory
            registry.add(self.key(row), factory, description=row.description, config_cls=config_cls)

    def starter_config(self) -> dict[str, Any]:
        """A fresh copy of :attr:`default_config` (calling or importing it as needed)."""
        source = self.default_config
        if source is None:
            raise PluginError(f"plugin {self.name!r} declares no default_config")
        if isinstance(source, str):
            from ssl_core.plugins.refs import resolve_object

            source = resolve_object(self.qualify(source))
        result = copy.deepcopy(dict(source)) if isinstance(source, Mapping) else source()
        if not isinstance(result, dict):
            raise PluginError(
                f"plugin {self.name!r}: default_config returned {type(result).__name__}, expected dict"
            )
        return result

    # -- the hook implementations ------------------------------------------------------------------
    def hook(self, kind: str) -> Callable[[Registry], None]:
        """The ``@hookimpl`` function ``ssl_register_<kind>`` registering the rows of ``kind``."""
        if kind not in self.kinds():
            raise ValueError(f"PluginTable {self.name!r} declares no {kind}")

        def register(registry: Registry) -> None:
            self.register(registry, kind)

        keys = ", ".join(self.key(row) for row in self.rows(kind))
        return hookimpl(_named(register, f"ssl_register_{kind}", f"Register {keys} (from the table)."))

    def default_config_hook(self) -> Callable[[str], dict[str, Any] | None]:
        """The ``@hookimpl`` function ``ssl_default_config``: :meth:`starter_config` for ``domain``."""

        def default_config(domain: str) -> dict[str, Any] | None:
            return self.starter_config() if domain == self.domain else None

        doc = f"Starter config of ``ssl init {self.domain}`` (from the table)."
        return hookimpl(_named(default_config, "ssl_default_config", doc))

    def hookimpls(self) -> dict[str, Callable[..., Any]]:
        """Every generated hook by name: bind them with ``globals().update(TABLE.hookimpls())``.

        ``ssl_register_<kind>`` for each declared kind, plus ``ssl_default_config`` when
        :attr:`default_config` is set. Built once: later calls return the same functions.
        """
        return dict(self._hookimpls)

    @cached_property
    def _hookimpls(self) -> dict[str, Callable[..., Any]]:
        hooks: dict[str, Callable[..., Any]] = {
            f"ssl_register_{kind}": self.hook(kind) for kind in self.kinds()
        }
        if self.default_config is not None:
            hooks["ssl_default_config"] = self.default_config_hook()
        return hooks


def _named(fn: Callable[..., Any], name: str, doc: str) -> Callable[..., Any]:
    """Give a generated hook its hook name (pluggy strips no argument of an undotted qualname)."""
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn
