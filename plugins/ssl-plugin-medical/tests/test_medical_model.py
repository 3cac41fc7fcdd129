"""Uni4Eye's numerics against references: Sobel (naive float64 loop), masking, the masked-patch loss,
patchify, shared 2D / 3D blocks, the AUC."""

from __future__ import annotations

import itertools

import numpy as np
import torch
from ssl_plugin_medical.config import Uni4EyeArgs
from ssl_plugin_medical.encoders import UnifiedViT
from ssl_plugin_medical.gradients import DERIV_5, SMOOTH_5, gradient_map
from ssl_plugin_medical.masking import random_masking
from ssl_plugin_medical.method import build_uni4eye
from ssl_plugin_medical.metrics import auc_score
from ssl_plugin_medical.objectives import DualBranchLoss, masked_patch_mse
from ssl_plugin_medical.patches import patchify, unpatchify
from ssl_plugin_medical.views import Uni4EyeAugment


def _reflect101(i: int, n: int) -> int:
    while i < 0 or i >= n:
        i = -i if i < 0 else 2 * (n - 1) - i
    return i


def naive_sobel_map(img: np.ndarray) -> np.ndarray:
    """cv2.Sobel(ksize=5) x and y on img*255 (BORDER_REFLECT_101), convertScaleAbs, 0.5/0.5, /255: float64 loops."""
    h, w = img.shape
    x = img.astype(np.float64) * 255.0
    kx = np.outer(SMOOTH_5, DERIV_5)
    out = np.zeros((h, w))
    for r in range(h):
        for c in range(w):
            gx = gy = 0.0
            for i in range(5):
                for j in range(5):
                    v = x[_reflect101(r + i - 2, h), _reflect101(c + j - 2, w)]
                    gx += kx[i, j] * v
                    gy += kx[j, i] * v
            out[r, c] = 0.5 * min(abs(gx), 255.0) + 0.5 * min(abs(gy), 255.0)
    return out / 255.0


def test_sobel_matches_a_naive_float64_loop():
    gen = torch.Generator().manual_seed(0)
    img = torch.rand(2, 1, 9, 11, generator=gen, dtype=torch.float64) * 0.05  # small: no saturation
    img[1] = torch.rand(1, 9, 11, generator=gen, dtype=torch.float64)  # large: saturates at 255
    got = gradient_map(img).numpy()
    for b in range(2):
        np.testing.assert_allclose(got[b, 0], naive_sobel_map(img[b, 0].numpy()), rtol=1e-10, atol=1e-12)
    assert got[1].max() == 1.0  # saturation happened in the second image


def test_sobel_of_a_volume_is_per_slice():
    vol = torch.rand(1, 1, 4, 8, 8, dtype=torch.float64)
    got = gradient_map(vol)
    for s in range(4):
        np.testing.assert_allclose(got[0, 0, s].numpy(), naive_sobel_map(vol[0, 0, s].numpy()), atol=1e-12)


def test_masking_keeps_exactly_a_quarter_visible_and_restores_order():
    m = random_masking(5, 64, 0.75, torch.Generator().manual_seed(0))
    assert m.keep.shape == (5, 16) and (m.mask.sum(1) == 48).all()
    for b in range(5):  # visible = unmasked, and restore inverts the shuffle
        assert set(m.keep[b].tolist()) == set((m.mask[b] == 0).nonzero().flatten().tolist())
    assert random_masking(5, 64, 0.75, torch.Generator().manual_seed(0)).keep.equal(m.keep)


def test_only_visible_patches_are_encoded():
    model = build_uni4eye(Uni4EyeArgs(dim=16, depth=1, heads=2, dec_dim=8, dec_heads=2), (2,))
    out = model.reconstruct(torch.rand(3, 1, 28, 28), torch.Generator().manual_seed(0))
    assert out["latent"].shape == (3, int(49 * 0.25), 16) and out["mask"].sum(1).eq(49 - 12).all()


def test_loss_is_over_masked_patches_only():
    gen = torch.Generator().manual_seed(1)
    pred, target = (
        torch.randn(3, 10, 7, generator=gen, dtype=torch.float64),
        torch.randn(3, 10, 7, generator=gen, dtype=torch.float64),
    )
    mask = (torch.rand(3, 10, generator=gen) < 0.7).double()
    ref = (
        sum(((pred[b, i] - target[b, i]) ** 2).mean() for b in range(3) for i in range(10) if mask[b, i])
        / mask.sum()
    )
    assert torch.allclose(masked_patch_mse(pred, target, mask), ref, atol=1e-12)
    changed = pred.clone()
    changed[mask == 0] += 100.0  # visible patches do not count
    assert torch.allclose(masked_patch_mse(changed, target, mask), ref, atol=1e-12)
    out = DualBranchLoss(0.5)(pred, target, pred, target * 0.0, mask)
    assert torch.allclose(out.loss, ref + 0.5 * masked_patch_mse(pred, target * 0.0, mask), atol=1e-12)


def test_patchify_round_trip_and_token_order():
    for shape, p in (((2, 1, 8, 12), 4), ((2, 1, 6, 9, 3), 3)):
        x = torch.randn(shape)
        tokens = patchify(x, p)
        grid = tuple(s // p for s in shape[2:])
        assert tokens.shape == (2, int(np.prod(grid)), p ** (len(shape) - 2))
        assert unpatchify(tokens, grid, p).equal(x)
    x = torch.arange(16.0).reshape(1, 1, 4, 4)  # token 1 = top-right 2x2 block, row-major inside
    assert patchify(x, 2)[0, 1].tolist() == [2.0, 3.0, 6.0, 7.0]


def test_2d_and_3d_share_the_transformer_blocks():
    enc = UnifiedViT(16, 2, 2, dims=(2, 3), patch=4, patch_3d=7)
    blocks = dict(enc.blocks.named_parameters())
    for key, shape in (("image", (2, 1, 28, 28)), ("volume", (2, 1, 28, 28, 28))):
        enc.zero_grad()
        enc({key: torch.rand(shape)})["pooled"].sum().backward()
        assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in blocks.values()), key
        other = "3d" if key == "image" else "2d"
        assert all(p.grad is None for p in enc.embed.proj[other].parameters())  # own patch embedding
    names = [n for n, _ in enc.named_parameters()]
    assert not any("3d" in n or "2d" in n for n in names if n.startswith("blocks."))


def test_augment_is_seeded_and_in_range():
    aug = Uni4EyeAugment()
    batch = {"image": torch.randint(0, 256, (4, 1, 28, 28), dtype=torch.uint8)}
    a, b = aug(batch, torch.Generator().manual_seed(0)), aug(batch, torch.Generator().manual_seed(0))
    assert (
        a["aug"]["image"].equal(b["aug"]["image"])
        and 0 <= a["aug"]["image"].min() <= a["aug"]["image"].max() <= 1
    )
    full = {"image": torch.rand(2, 1, 8, 8)}
    no_crop = Uni4EyeAugment(crop_scale=(1.0, 1.0))(full, torch.Generator().manual_seed(3))["aug"]["image"]
    for i in range(2):  # full-area crop: identity or a horizontal flip
        assert torch.allclose(no_crop[i], full["image"][i], atol=1e-5) or torch.allclose(
            no_crop[i], full["image"][i].flip(-1), atol=1e-5
        )


def test_auc_matches_the_pair_count():
    gen = np.random.default_rng(0)
    s, y = gen.integers(0, 5, 40).astype(float), gen.integers(0, 2, 40)
    pairs = [(a, b) for a, b in itertools.product(s[y == 1], s[y == 0])]
    ref = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a, b in pairs) / len(pairs)
    assert abs(auc_score(s, y) - ref) < 1e-12
    assert auc_score(np.arange(4.0), np.array([0, 0, 1, 1])) == 1.0
