"""The peak memory of one Uni4Eye step, from the input size, the patch sides and the model (issue 14).

A step trains on either a batch of 2D images or of at most ``batch_3d`` volumes. Its ``(size /
patch) ** ndim`` patch tokens set the cost: the ViT encoder runs on the visible ``(1 - mask_ratio)``
share of them, the decoder on all of them (Cai et al. 2022, Uni4Eye, after He et al. 2022, MAE);
``ssl_core.resources`` prices the transformer layers. A 64^3 volume cut into 4^3 patches is 4,096
tokens per volume: the big case.
"""

from __future__ import annotations

import math

from ssl_core.interfaces import SSLModule
from ssl_core.resources import FLOAT, MemoryEstimate, training_state_bytes, transformer_bytes
from ssl_plugin_medical.config import Uni4EyeArgs
from ssl_plugin_medical.data import MedicalData


def step_bytes(args: Uni4EyeArgs, ndim: int, batch: int) -> tuple[int, int, int]:
    """``(activation bytes, tokens per item, items)`` of one ``ndim``-D step on ``batch`` items."""
    patch = args.patch if ndim == 2 or args.patch_3d is None else args.patch_3d
    items = batch if ndim == 2 else min(batch, args.batch_3d)
    tokens = (args.size // patch) ** ndim
    visible = max(1, math.floor(tokens * (1 - args.mask_ratio)))
    enc = transformer_bytes(
        items, visible, dim=args.dim, heads=args.heads, ffn=4 * args.dim, layers=args.depth
    )
    dec = transformer_bytes(
        items, tokens, dim=args.dec_dim, heads=args.dec_heads, ffn=4 * args.dec_dim, layers=args.dec_depth
    )
    pixels = FLOAT * items * args.size**ndim * 8  # input, views, gradient map, targets and predictions
    return enc + dec + pixels, tokens, items


def estimate_memory(args: Uni4EyeArgs, data: MedicalData, module: SSLModule, batch: int) -> MemoryEstimate:
    """The estimated peak bytes of one training step (the larger of the 2D and the 3D step)."""
    steps = {d: step_bytes(args, d, batch) for d in data.dims}
    ndim = max(steps, key=lambda d: steps[d][0])
    need, tokens, items = steps[ndim]
    patch = args.patch if ndim == 2 or args.patch_3d is None else args.patch_3d
    knobs = [f"train.batch_size ({batch})", f"recipe_args.depth ({args.depth}) / dim ({args.dim})"]
    if ndim == 3:
        knobs = [f"recipe_args.batch_3d ({args.batch_3d})", f"recipe_args.patch_3d ({patch})", *knobs]
    else:
        knobs.insert(1, f"recipe_args.patch ({patch})")
    return MemoryEstimate(
        training_state_bytes(module) + need,
        f"mostly the {ndim}D step: {tokens:,} patch tokens ({args.size}^{ndim} / {patch}^{ndim}) x width "
        f"{args.dim} x {args.depth} layers x batch {items}",
        (*knobs, f"recipe_args.size ({args.size})"),
        source=str(args.data) if args.data else "<embedded MedMNIST>",
    )
