"""Errors that name what went wrong and where, for bad configs, bad data and bad plugins."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CheckpointError",
    "ConfigError",
    "DataError",
    "PluginError",
    "ResourceError",
    "SSLCoreError",
    "warn_data",
]


class SSLCoreError(Exception):
    """Base class of every error ssl-core raises on purpose."""


class ConfigError(SSLCoreError, ValueError):
    """A configuration key is unknown, missing or of the wrong type.

    The message names the file (or ``<dict>``), the dotted key and the reason.
    """

    def __init__(self, source: str | Path, key: str, reason: str) -> None:
        self.source, self.key, self.reason = str(source), key, reason
        super().__init__(f"{self.source}: {key}: {reason}")


class DataError(SSLCoreError, ValueError):
    """Input data is malformed: names the file, the field (column, key, channel ...) and the reason."""

    def __init__(self, file: str | Path, field: str, reason: str) -> None:
        self.file, self.field, self.reason = str(file), field, reason
        super().__init__(f"{self.file}: {field}: {reason}")


class PluginError(SSLCoreError):
    """A plugin failed to load, is incompatible, or clashes with another plugin."""


class CheckpointError(SSLCoreError):
    """A checkpoint is missing, corrupt, or belongs to a different configuration."""


class ResourceError(SSLCoreError):
    """A run that would not fit: its estimated peak memory exceeds what is available (exit code 1)."""


def warn_data(file: object, field: str, reason: str) -> None:
    """One ``warning: <file>: <field>: <reason>`` line on stderr: degenerate but usable input.

    The counterpart of :class:`DataError` for data that can still be used (a constant column, a
    graph with only self-loops); plugins call it so every domain warns in the same words.
    """
    import sys

    print(f"warning: {file}: {field}: {reason}", file=sys.stderr)
