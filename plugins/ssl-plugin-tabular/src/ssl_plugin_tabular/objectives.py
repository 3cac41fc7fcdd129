"""T-JEPA's objective: MSE in latent space between predicted and EMA-target feature tokens.

Nothing tabular-specific: this re-exports the core's :class:`ssl_core.objectives.JEPALoss` and
:class:`ssl_core.objectives.JEPAPredictor` (Thimonier et al., ICLR 2025, eq. 1: the loss over the
``num_preds = 4`` target sets, with the target encoder's tokens under stop-gradient).
"""

from __future__ import annotations

from ssl_core.objectives import JEPALoss, JEPAPredictor

__all__ = ["JEPALoss", "JEPAPredictor"]
