"""Single source of the version shared (lockstep) by ssl-core and every in-repo plugin."""

__version__ = "0.1.0"
