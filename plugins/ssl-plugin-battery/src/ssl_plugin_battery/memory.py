"""The peak memory of one GenEV step, from the batch, the views, the window and the BiLSTM (issue 14).

Every snippet goes through the BiLSTM with its ``K`` masked views (SimMTM, Dong et al. 2023, as
GenEVBattery uses it, Arunan et al. 2025): ``batch x (K + 1)`` series of ``window`` points. A
bidirectional LSTM layer (Hochreiter & Schmidhuber 1997) keeps per point and direction its four gates,
its cell and hidden states for the backward pass; the series-wise similarities are ``(batch (K + 1))^2``
and the point-wise reconstruction aggregates every series' features.
"""

from __future__ import annotations

from ssl_core.interfaces import SSLModule
from ssl_core.resources import FLOAT, MemoryEstimate, training_state_bytes
from ssl_plugin_battery.config import GenEVArgs
from ssl_plugin_battery.curves import CHANNELS
from ssl_plugin_battery.data import BatteryData

LSTM_FLOATS = 2 * 7
"""Floats kept per point, hidden unit and layer: two directions x (4 gates, cell, tanh(cell), hidden)."""


def lstm_bytes(args: GenEVArgs, batch: int) -> int:
    """Activation bytes of the BiLSTM over ``batch x (num_views + 1)`` snippets."""
    return FLOAT * batch * (args.num_views + 1) * args.window * args.hidden * LSTM_FLOATS * args.layers


def estimate_memory(args: GenEVArgs, data: BatteryData, module: SSLModule, batch: int) -> MemoryEstimate:
    """The estimated peak bytes of one pretraining step on ``batch`` snippets."""
    series = batch * (args.num_views + 1)
    heads = (
        FLOAT * series * args.window * (4 * args.hidden + 4 * len(CHANNELS)) + FLOAT * series * args.proj_dim
    )
    activations = lstm_bytes(args, batch) + heads + FLOAT * 3 * series * series
    state = training_state_bytes(module)
    lstm = (f"the BiLSTM over batch {batch} x {args.num_views + 1} views x {args.window} points x hidden "
            f"{args.hidden} x {args.layers} layers")  # fmt: skip
    params = sum(p.numel() for p in module.parameters())
    weights = f"the weights and Adam state of {params:,} parameters (the projector reads window x 2 hidden)"
    return MemoryEstimate(
        state + activations,
        f"mostly {lstm if activations >= state else weights}",
        (f"train.batch_size ({batch})", f"recipe_args.num_views ({args.num_views})",
         f"recipe_args.window ({args.window})", f"recipe_args.hidden ({args.hidden})",
         f"recipe_args.layers ({args.layers})"),
        source=str(args.data) if args.data else "<embedded NASA slice>",
    )  # fmt: skip
