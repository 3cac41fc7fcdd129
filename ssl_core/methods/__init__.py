"""Generic SSL methods (:class:`ssl_core.interfaces.SSLModule`) composed from views, encoders and objectives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ssl_core.methods.frontend import run_frontend
from ssl_core.methods.jepa import JEPAMethod
from ssl_core.methods.masked_reconstruction import MaskedReconstructionMethod
from ssl_core.methods.two_view import TwoViewMethod

if TYPE_CHECKING:
    from ssl_core.registry import Registry

__all__ = ["METHODS", "JEPAMethod", "MaskedReconstructionMethod", "TwoViewMethod", "register", "run_frontend"]

METHODS: dict[str, tuple[str, str]] = {
    "two-view": (
        "two_view:TwoViewMethod",
        "views -> encoder -> projector -> embedding objective (GradCache-ready)",
    ),
    "masked-reconstruction": (
        "masked_reconstruction:MaskedReconstructionMethod",
        "masked view -> encoder -> head -> loss on masked positions",
    ),
    "jepa": ("jepa:JEPAMethod", "context encoder + predictor regress an EMA target encoder's latents"),
}
"""``core/<name>`` -> (``module:attr`` under ``ssl_core.methods``, description)."""


def register(registry: Registry) -> None:
    """Add the generic methods to the methods registry as lazy ``core/<name>`` factories."""
    for name, (target, description) in METHODS.items():
        registry.add(f"core/{name}", f"ssl_core.methods.{target}", description=description)
