"""The memory estimate (issue 14) against a naive count of the kept floats, and how it grows with its knobs."""

from __future__ import annotations

from types import SimpleNamespace

import torch
from ssl_plugin_medical.config import Uni4EyeArgs
from ssl_plugin_medical.memory import estimate_memory, step_bytes

MODULE = torch.nn.Linear(3, 2)  # 8 trainable parameters: 4 x 4 x 8 = 128 bytes of training state


def _naive_layer_floats(batch: int, tokens: int, dim: int, heads: int, layers: int) -> int:
    """Per layer: heads x tokens^2 attention weights and tokens x (12 dim + 2 x 4 dim) activations;
    plus two layers' transient attention scores."""
    attention = batch * heads * tokens**2
    return layers * (attention + batch * tokens * 20 * dim) + 2 * attention


def test_the_3d_step_matches_a_naive_count_of_its_floats() -> None:
    args = Uni4EyeArgs(size=64, patch_3d=4, dim=64, depth=4, heads=4, dec_dim=32, dec_heads=4, batch_3d=16)
    tokens, visible = 16**3, 1024  # (64 / 4)^3 patches, a quarter of them visible
    floats = (
        _naive_layer_floats(16, visible, 64, 4, 4)
        + _naive_layer_floats(16, tokens, 32, 4, 1)
        + 16 * 64**3 * 8
    )
    assert step_bytes(args, 3, 64) == (4 * floats, tokens, 16)


def test_smaller_3d_patches_cost_more_than_their_token_count() -> None:
    big, small = (step_bytes(Uni4EyeArgs(size=64, patch_3d=p), 3, 16)[0] for p in (8, 4))
    assert small > 8 * big  # 8x the tokens, attention grows with their square


def test_the_estimate_grows_linearly_with_batch_3d_and_only_the_3d_step_uses_it() -> None:
    data = SimpleNamespace(dims=(2, 3))
    one, two = (
        estimate_memory(Uni4EyeArgs(size=32, patch_3d=4, batch_3d=b), data, MODULE, 64) for b in (4, 8)
    )
    assert two.peak_bytes - 128 == 2 * (one.peak_bytes - 128)
    assert "recipe_args.batch_3d (8)" in two.knobs[0] and "3D step" in two.detail
    flat = [
        estimate_memory(Uni4EyeArgs(batch_3d=b), SimpleNamespace(dims=(2,)), MODULE, 64).peak_bytes
        for b in (4, 8)
    ]
    assert flat[0] == flat[1]
