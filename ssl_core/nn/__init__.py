"""Small neural-network blocks shared by core methods and plugins."""

from ssl_core.nn.grl import GradientReversal, grad_reverse
from ssl_core.nn.heads import predictor_head, projection_head
from ssl_core.nn.mlp import MLP
from ssl_core.nn.positional import sinusoidal_positions

__all__ = [
    "MLP",
    "GradientReversal",
    "grad_reverse",
    "predictor_head",
    "projection_head",
    "sinusoidal_positions",
]
