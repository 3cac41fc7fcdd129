"""``ssl plugins``, ``ssl components`` and ``ssl env``: what is installed, registered and running."""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import Any

import click

from ssl_core._version import __version__
from ssl_core.cli.errors import CONTEXT_SETTINGS
from ssl_core.plugins.manifest import COMPONENT_KINDS

#: Every environment variable ssl-core reads (docs/cli.md documents each). ``ssl env`` shows these and
#: nothing else with an ``SSL_`` prefix (OpenSSL's ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` are not ours).
SSL_CORE_ENV = (
    "SSL_CORE_DEBUG",
    "SSL_CORE_DISABLE_PLUGINS",
    "SSL_CORE_LOAD_PLUGINS",
    "SSL_CORE_LOG_DIR",
    "SSL_CORE_MEMORY_LIMIT",
    "SSL_CORE_STRICT_PLUGINS",
    "SSL_CORE_TEST_KILL_AT",
    "SSL_CORE_TRACE_PLUGINS",
    "SSL_DATA_DIR",
)
#: Variables torch reads that decide devices and threads (shown apart from ssl-core's own).
TORCH_ENV = ("CUDA_VISIBLE_DEVICES", "OMP_NUM_THREADS")


def format_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain aligned text table."""
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _pm() -> Any:
    from ssl_core.plugins.manager import get_plugin_manager

    return get_plugin_manager()


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plugins(as_json: bool) -> None:
    """List installed plugins (from their manifests, without importing torch) and load errors.

    \b
    Environment: SSL_CORE_LOAD_PLUGINS=a,b (only these), SSL_CORE_DISABLE_PLUGINS=a,
    SSL_CORE_STRICT_PLUGINS=1 (a broken plugin is fatal), SSL_CORE_TRACE_PLUGINS=1.
    """
    pm = _pm()
    infos = [i.to_dict() for i in pm.plugins()]
    errors = pm.errors_as_dicts()
    if as_json:
        click.echo(json.dumps({"plugins": infos, "errors": errors}, indent=2))
        return
    rows = []
    for i in infos:
        provided = ", ".join(f"{len(v)} {k}" for k, v in i["components"].items() if v) or "-"
        cli = f"ssl {i['domain']}" if i["cli"] else "-"
        rows.append(
            [i["name"], i["distribution"], i["version"], i["domain"], cli, provided, i["description"]]
        )
    click.echo(
        format_table(["name", "distribution", "version", "domain", "cli", "provides", "description"], rows)
    )
    if errors:
        click.echo(f"\n{len(errors)} plugin(s) failed to load and were skipped:")
        for e in errors:
            click.echo(f"  {e['entry_point']} ({e['distribution']} {e['version']}): {e['error']}")


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--kind", type=click.Choice(COMPONENT_KINDS), default=None, help="Only this kind.")
@click.option("--domain", default=None, help="Only components whose key starts with DOMAIN/.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def components(kind: str | None, domain: str | None, as_json: bool) -> None:
    """List registered components: kind, key (domain/name), providing plugin, description."""
    from ssl_core.plugins.manager import get_registries

    regs = get_registries()
    entries = [
        e for r in regs.all() if kind in (None, r.kind) for e in r.entries() if domain in (None, e.domain)
    ]
    if as_json:
        payload = [
            {
                "kind": e.kind,
                "name": e.name,
                "plugin": e.plugin,
                "description": e.description,
                "config": e.config_cls.__name__ if e.config_cls else None,
            }
            for e in entries
        ]
        click.echo(json.dumps(payload, indent=2))
        return
    click.echo(
        format_table(
            ["kind", "name", "plugin", "description"],
            [[e.kind, e.name, e.plugin, e.description] for e in entries],
        )
    )


def environment_info() -> dict[str, Any]:
    """Versions, devices, threads, plugins and the variables ssl-core reads (what ``ssl env`` prints)."""
    info: dict[str, Any] = {
        "ssl-core": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }
    for dist in ("torch", "numpy", "pluggy", "click", "PyYAML"):
        try:
            info[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            info[dist] = "not installed"
    try:
        import torch

        info["torch.threads"] = torch.get_num_threads()
        info["cuda"] = torch.cuda.is_available()
        info["cuda.devices"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        info["mps"] = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    except ImportError as exc:
        info["torch.error"] = str(exc)
    info["cpus"] = os.cpu_count()
    info["plugins"] = {i.name: f"{i.distribution} {i.version}" for i in _pm().plugins()}
    info["plugin_errors"] = [str(e) for e in _pm().errors]
    info["env"] = {k: os.environ[k] for k in SSL_CORE_ENV if k in os.environ}
    info["torch.env"] = {k: os.environ[k] for k in TORCH_ENV if k in os.environ}
    return info


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def env(as_json: bool) -> None:
    """Show versions, devices, threads, plugins and ssl-core's settings (paste this into bug reports).

    Only the variables ssl-core reads are shown (SSL_DATA_DIR, SSL_CORE_*), plus torch's
    CUDA_VISIBLE_DEVICES and OMP_NUM_THREADS; OpenSSL's SSL_CERT_FILE / SSL_CERT_DIR are not listed.
    """
    info = environment_info()
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    for key, value in info.items():
        click.echo(f"{key:<16} {value}")
