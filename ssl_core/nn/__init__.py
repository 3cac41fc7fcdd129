"""Small neural-network blocks shared by core methods and plugins (variable-length tools in :mod:`ssl_core.nn.sequence`)."""

from ssl_core.nn.grl import GradientReversal, grad_reverse
from ssl_core.nn.heads import predictor_head, projection_head
from ssl_core.nn.mlp import MLP
from ssl_core.nn.mlp_encoder import MLPEncoder
from ssl_core.nn.positional import sinusoidal_positions
from ssl_core.nn.regions import CompilesRegions, compile_regions
from ssl_core.nn.sequence import lengths_to_mask, masked_max, masked_mean
from ssl_core.nn.transformer import FastTransformerEncoder, self_attention, softmax_last

__all__ = [
    "MLP",
    "MLPEncoder",
    "CompilesRegions",
    "compile_regions",
    "FastTransformerEncoder",
    "GradientReversal",
    "grad_reverse",
    "lengths_to_mask",
    "masked_max",
    "masked_mean",
    "predictor_head",
    "projection_head",
    "self_attention",
    "sinusoidal_positions",
    "softmax_last",
]
