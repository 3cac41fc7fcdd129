"""Locally aligned attention: the mask is the window, no information crosses it, and it matches a naive loop."""

from __future__ import annotations

import torch
from ssl_plugin_video.attention import LocalAlignedAttention, local_window_mask


def test_mask_equals_the_window_definition():
    for t, w in ((1, 0), (6, 0), (7, 2), (5, 9)):
        mask = local_window_mask(t, w)
        ref = torch.tensor([[abs(i - j) <= w for j in range(t)] for i in range(t)])
        assert torch.equal(mask, ref)


def _inputs(b=2, t=7, k=3, h=8):
    gen = torch.Generator().manual_seed(0)
    tokens = torch.randn(b, t, k, h, generator=gen, requires_grad=True)
    frames = torch.randn(b, t, h, generator=gen, requires_grad=True)
    tmask = torch.ones(b, t, k)
    fmask = torch.ones(b, t, dtype=torch.bool)
    fmask[1, 5:] = False
    return tokens, tmask, frames, fmask


def test_no_information_leaks_across_windows():
    torch.manual_seed(0)
    att = LocalAlignedAttention(8, 2, window=1)
    tokens, tmask, frames, fmask = _inputs()
    for t in range(7):
        for b in range(2):
            out = att(tokens, tmask, frames, fmask)
            (g_frames,) = torch.autograd.grad(out[b, t].sum(), frames)
            touched = g_frames[b].abs().sum(-1) > 0
            allowed = torch.tensor([abs(t - u) <= 1 and bool(fmask[b, u]) for u in range(7)])
            assert not bool((touched & ~allowed).any()), (b, t, touched)
            assert bool(touched[allowed].all())  # and it does use every frame of its window
            assert float(g_frames[1 - b].abs().sum()) == 0.0  # nor other clips


def test_matches_a_naive_float64_loop():
    torch.manual_seed(1)
    att = LocalAlignedAttention(8, 2, window=2).double()
    tokens, tmask, frames, fmask = _inputs()
    tokens, frames = tokens.double(), frames.double()
    got = att(tokens, tmask.double(), frames, fmask)
    d = 4
    for b in range(2):
        for t in range(7):
            for k in range(3):
                q = att.q(tokens[b, t, k]).reshape(2, d)
                heads = []
                for hd in range(2):
                    keys = [u for u in range(7) if abs(t - u) <= 2 and fmask[b, u]]
                    kk = torch.stack([att.k(frames[b, u]).reshape(2, d)[hd] for u in keys])
                    vv = torch.stack([att.v(frames[b, u]).reshape(2, d)[hd] for u in keys])
                    w = torch.softmax(kk @ q[hd] / d**0.5, 0)
                    heads.append(w @ vv)
                ref = att.out(torch.cat(heads))
                assert torch.allclose(got[b, t, k], ref, atol=1e-10)


def test_a_window_without_valid_frames_gives_zero_not_nan():
    att = LocalAlignedAttention(8, 2, window=0)
    tokens, tmask, frames, _ = _inputs()
    fmask = torch.zeros(2, 7, dtype=torch.bool)
    out = att(tokens, tmask, frames, fmask)
    assert torch.isfinite(out).all()
