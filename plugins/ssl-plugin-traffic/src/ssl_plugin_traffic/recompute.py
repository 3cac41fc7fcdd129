"""When to recompute ST-SSDL's recurrent steps: an activation-memory estimate against free memory.

Recomputing each GCRU step in backward (activation checkpointing, Chen et al., 2016, arXiv
1604.06174) keeps only each step's input and state, at about a third more compute. It is only worth
that compute when the activations would not fit. ``recompute: null`` (the recipe default) decides at
the first training batch from :func:`activation_bytes` and the memory free on the batch's device, and
prints the decision once.
"""

from __future__ import annotations

import sys

import torch

from ssl_core.resources import available_memory

#: Saved floats per node, recurrent step and hidden unit without recomputation (gate, candidate,
#: Chebyshev terms, elementwise products). Calibrated on Los-loop at the official size (batch 64,
#: 207 nodes, H 128, d 64, fp32): the peak RSS without recompute minus with it, 4.65 - 2.47 GiB
#: (peers.md 2026-12-04), over ``B N (2 T_in H + T_out (H + d))`` = 71 M units: 2.2 GiB / (71 M x 4 B) = 8.3.
FLOATS_PER_UNIT = 8.0
#: Recompute when the estimate exceeds this share of the free memory (room for weights, data, optimizer).
FREE_SHARE = 0.5


def activation_bytes(batch: int, nodes: int, in_len: int, out_len: int, hidden: int, decoder_width: int,
                     encoder_windows: int = 2, element_size: int = 4) -> int:  # fmt: skip
    """Estimated bytes the recurrent steps keep for backward without recomputation.

    The encoder runs ``encoder_windows`` windows (current + history anchor) of ``in_len`` steps of
    width ``hidden``; the decoder ``out_len`` steps of width ``decoder_width``.
    """
    units = batch * nodes * (encoder_windows * in_len * hidden + out_len * decoder_width)
    return int(FLOATS_PER_UNIT * units * element_size)


def free_bytes(device: torch.device) -> int:
    """Free memory on ``device``, as the core's memory check sees it
    (:func:`ssl_core.resources.available_memory`: ``$SSL_CORE_MEMORY_LIMIT``, free GPU memory or the
    available RAM); unknown or switched off (``0``): plenty, so recompute stays off."""
    found, _ = available_memory(str(device))
    return found if found else 1 << 62


def needs_recompute(estimate: int, device: torch.device, *, announce: bool = True) -> bool:
    """``estimate > FREE_SHARE * free memory``; prints the decision (to stderr) when ``announce``."""
    free = free_bytes(device)
    choice = estimate > FREE_SHARE * free
    if announce:
        gib = 1024.0**3
        print(f"traffic/stssdl: recompute {'on' if choice else 'off'} (recurrent activations about "
              f"{estimate / gib:.1f} GiB, {free / gib:.1f} GiB free on {device.type}; set recipe_args.recompute "
              "to choose)", file=sys.stderr, flush=True)  # fmt: skip
    return choice
