"""Which plugins load: the ``SSL_CORE_*`` switches, read before any plugin module is imported.

``SSL_CORE_LOAD_PLUGINS=a,b`` loads only these entry points / distributions (empty: none);
``SSL_CORE_DISABLE_PLUGINS=a`` never imports them; a name no installed plugin has is an error.
``SSL_CORE_STRICT_PLUGINS=1`` makes every plugin error fatal; ``SSL_CORE_TRACE_PLUGINS=1`` prints
every hook call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import metadata

from ssl_core.errors import PluginError
from ssl_core.plugins.compat import normalize_name

__all__ = ["DISABLE_ENV", "LOAD_ENV", "STRICT_ENV", "TRACE_ENV", "check_env_names", "env_flag", "selected"]

STRICT_ENV = "SSL_CORE_STRICT_PLUGINS"
LOAD_ENV = "SSL_CORE_LOAD_PLUGINS"
DISABLE_ENV = "SSL_CORE_DISABLE_PLUGINS"
TRACE_ENV = "SSL_CORE_TRACE_PLUGINS"


def env_flag(environ: Mapping[str, str], key: str) -> bool:
    """Whether ``key`` is set to a true value (``1``, ``true``, ``yes``, ``on``)."""
    return environ.get(key, "").strip().lower() in {"1", "true", "yes", "on"}


def _env_names(environ: Mapping[str, str], key: str) -> set[str] | None:
    if key not in environ:
        return None
    return {normalize_name(n) for n in environ[key].split(",") if n.strip()}


def check_env_names(environ: Mapping[str, str], eps: Iterable[metadata.EntryPoint]) -> None:
    """Refuse a name in ``SSL_CORE_LOAD_PLUGINS`` / ``_DISABLE_PLUGINS`` that no plugin has.

    Raises:
        PluginError: naming the variable, the unknown names and the installed ones.
    """
    known = {"core", "ssl-core"}
    for ep in eps:
        dist = getattr(ep, "dist", None)
        known |= {normalize_name(ep.name), normalize_name(dist.metadata["Name"] if dist else ep.name)}
    for key in (LOAD_ENV, DISABLE_ENV):
        unknown = sorted((_env_names(environ, key) or set()) - known)
        if unknown:
            raise PluginError(
                f"{key}: unknown plugin name(s) {', '.join(unknown)}; installed: {', '.join(sorted(known))}"
            )


def selected(environ: Mapping[str, str], ep: metadata.EntryPoint, dist_name: str) -> bool:
    """Whether entry point ``ep`` of distribution ``dist_name`` passes the load / disable switches."""
    names = {normalize_name(ep.name), normalize_name(dist_name)}
    only, disabled = _env_names(environ, LOAD_ENV), _env_names(environ, DISABLE_ENV)
    if only is not None and not names & only:
        return False
    return not (disabled and names & disabled)
