"""Generic SSL methods (:class:`ssl_core.interfaces.SSLModule`) composed from views, encoders and objectives.

:mod:`ssl_core.builtin` registers them as ``core/<name>``.
"""

from __future__ import annotations

from ssl_core.methods.frontend import run_frontend
from ssl_core.methods.jepa import JEPAMethod
from ssl_core.methods.masked_reconstruction import MaskedReconstructionMethod
from ssl_core.methods.two_view import TwoViewMethod

__all__ = ["JEPAMethod", "MaskedReconstructionMethod", "TwoViewMethod", "run_frontend"]
