"""The peak memory of one STSSDL step, from the number of sensors and the model's size (issue 14).

The recurrent encoder and decoder (AGCRN-style graph GRU cells; Bai et al. 2020, STSSDL: Liu et al.
2024) keep, for every one of the ``in_len + out_len`` timesteps, each gate's ``cheb_k`` graph
propagations of ``batch x sensors x (d_in + rnn_units)`` features for the backward pass; the dense
adaptive adjacency adds ``sensors^2`` per support. Memory is linear in the batch and the window,
quadratic in the sensors only through the adjacency.
"""

from __future__ import annotations

from ssl_core.interfaces import SSLModule
from ssl_core.resources import FLOAT, MemoryEstimate, training_state_bytes

from .config import STSSDLArgs
from .data import TrafficData

GATE_COPIES = 8
"""Tensors of ``batch x sensors x width`` a gate keeps per timestep besides its propagations (inputs,
projections, the sigmoid / tanh outputs and their products)."""


def estimate_memory(args: STSSDLArgs, data: TrafficData, module: SSLModule, batch: int) -> MemoryEstimate:
    """The estimated peak bytes of one training step on ``batch`` windows of ``data``."""
    sensors = len(data.sensor_ids)
    width = args.d_in + args.rnn_units + args.prototype_dim
    per_step = 2 * batch * sensors * width * (args.cheb_k + GATE_COPIES)  # two gates per GRU cell
    recurrent = FLOAT * (args.in_len + args.out_len) * per_step
    adjacency = FLOAT * 4 * args.cheb_k * sensors * sensors
    return MemoryEstimate(
        training_state_bytes(module) + recurrent + adjacency,
        f"{sensors:,} sensors x batch {batch} x {args.in_len}+{args.out_len} timesteps x {args.rnn_units} units",
        (f"train.batch_size ({batch})", f"recipe_args.rnn_units ({args.rnn_units})", "the number of sensors"),
        source=data.source or "<simulated series>",
    )
