"""Core objectives, one per module; :func:`register` adds them to the objectives registry as ``core/<name>``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ssl_core.objectives.barlow import BarlowTwinsLoss
from ssl_core.objectives.byol import BYOLLoss, MLPPredictor
from ssl_core.objectives.clip import CLIPLoss
from ssl_core.objectives.directpred import DirectPredPredictor
from ssl_core.objectives.jepa import JEPALoss
from ssl_core.objectives.jepa_predictor import JEPAPredictor
from ssl_core.objectives.masked_reconstruction import MaskedReconstructionLoss
from ssl_core.objectives.matryoshka import MatryoshkaLoss
from ssl_core.objectives.ntxent import NTXentLoss
from ssl_core.objectives.position import PositionPredictionLoss
from ssl_core.objectives.vicreg import VICRegLoss
from ssl_core.objectives.weighting import FixedWeighting, UncertaintyWeighting

if TYPE_CHECKING:
    from ssl_core.registry import Registry

__all__ = [
    "OBJECTIVES",
    "BYOLLoss",
    "BarlowTwinsLoss",
    "CLIPLoss",
    "DirectPredPredictor",
    "FixedWeighting",
    "JEPALoss",
    "JEPAPredictor",
    "MLPPredictor",
    "MaskedReconstructionLoss",
    "MatryoshkaLoss",
    "NTXentLoss",
    "PositionPredictionLoss",
    "UncertaintyWeighting",
    "VICRegLoss",
    "register",
]

OBJECTIVES: dict[str, tuple[str, str]] = {
    "ntxent": (
        "ntxent:NTXentLoss",
        "NT-Xent / InfoNCE, multi-positive, negatives gathered across ranks (SimCLR)",
    ),
    "clip": ("clip:CLIPLoss", "CLIP symmetric InfoNCE with a learnable temperature clamped at 100"),
    "byol": ("byol:BYOLLoss", "BYOL / SimSiam 2 - 2cos, symmetrised; MLP or DirectPred predictor"),
    "byol-mlp-predictor": ("byol:MLPPredictor", "BYOL's MLP predictor D -> hidden -> D"),
    "directpred-predictor": (
        "directpred:DirectPredPredictor",
        "DirectPred linear predictor from the feature correlation",
    ),
    "vicreg": (
        "vicreg:VICRegLoss",
        "VICReg variance-invariance-covariance (25, 25, 1), global-batch statistics",
    ),
    "barlow-twins": ("barlow:BarlowTwinsLoss", "Barlow Twins cross-correlation (lambda 5e-3), global batch"),
    "masked-reconstruction": (
        "masked_reconstruction:MaskedReconstructionLoss",
        "L1 / MSE on masked positions only, optional per-token normalised targets (MAE / TERA)",
    ),
    "jepa": ("jepa:JEPALoss", "JEPA MSE to stop-gradient teacher latents, averaged over target sets"),
    "jepa-predictor": ("jepa_predictor:JEPAPredictor", "I-JEPA / T-JEPA transformer predictor"),
    "position-prediction": ("position:PositionPredictionLoss", "MP3 absolute-position classification"),
    "matryoshka": ("matryoshka:MatryoshkaLoss", "2D Matryoshka wrapper: nested dims + sampled shallow layer"),
    "fixed-weighting": ("weighting:FixedWeighting", "fixed weighted sum of named losses"),
    "uncertainty-weighting": (
        "weighting:UncertaintyWeighting",
        "learned uncertainty weighting of named losses",
    ),
}
"""``core/<name>`` -> (``module:attr`` under ``ssl_core.objectives``, description)."""


def register(registry: Registry) -> None:
    """Add every core objective to ``registry`` as a lazy ``core/<name>`` factory."""
    for name, (target, description) in OBJECTIVES.items():
        registry.add(f"core/{name}", f"ssl_core.objectives.{target}", description=description)
