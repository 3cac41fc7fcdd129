"""Core objectives, one per module; :mod:`ssl_core.builtin` registers them as ``core/<name>``."""

from __future__ import annotations

from ssl_core.objectives.barlow import BarlowTwinsLoss
from ssl_core.objectives.byol import BYOLLoss, MLPPredictor
from ssl_core.objectives.clip import CLIPLoss
from ssl_core.objectives.directpred import DirectPredPredictor
from ssl_core.objectives.jepa import JEPALoss
from ssl_core.objectives.jepa_predictor import JEPAPredictor
from ssl_core.objectives.masked_reconstruction import MaskedReconstructionLoss, masked_mean
from ssl_core.objectives.matryoshka import MatryoshkaLoss
from ssl_core.objectives.ntxent import NTXentLoss
from ssl_core.objectives.position import PositionPredictionLoss
from ssl_core.objectives.vicreg import VICRegLoss
from ssl_core.objectives.weighting import FixedWeighting, UncertaintyWeighting

__all__ = [
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
    "masked_mean",
]
