"""The memory estimate (issue 14) against a naive count of the kept floats, and how it grows with its knobs."""

from __future__ import annotations

from types import SimpleNamespace

import torch
from ssl_plugin_video.config import VideoQAArgs
from ssl_plugin_video.memory import context_bytes, estimate_memory, text_bytes

MODULE = torch.nn.Linear(3, 2)  # 8 trainable parameters: 128 bytes of training state


def test_the_text_stream_matches_a_naive_count_of_its_floats() -> None:
    args = VideoQAArgs(max_q_len=24, max_a_len=16, dim=128, depth=2, heads=4, ffn_dim=256, qp_candidates=5)
    seqs, tokens = 8 * 5, 24 + 16 + 3  # batch x candidates sequences of [CLS] q [SEP] a [SEP]
    attention = seqs * 4 * tokens**2
    floats = 2 * (attention + seqs * tokens * (12 * 128 + 2 * 256)) + 2 * attention
    assert text_bytes(args, 8) == 4 * floats
    tokens = 24 + 16 + 3 + 24 + 1  # with a context: ... labels [SEP] (max_c_len 24)
    attention = seqs * 4 * tokens**2
    floats = 2 * (attention + seqs * tokens * (12 * 128 + 2 * 256)) + 2 * attention
    assert text_bytes(args, 8, context=True) == 4 * floats


def test_the_estimate_is_linear_in_batch_and_candidates_and_quadratic_in_length() -> None:
    data = SimpleNamespace(has_context=True)
    one, two = (estimate_memory(VideoQAArgs(), data, MODULE, b).peak_bytes - 128 for b in (16, 32))
    assert two == 2 * one
    assert text_bytes(VideoQAArgs(qp_candidates=10), 8) == 2 * text_bytes(VideoQAArgs(qp_candidates=5), 8)
    short, long = (text_bytes(VideoQAArgs(max_q_len=q, max_a_len=q, dim=8, ffn_dim=8), 8) for q in (50, 101))
    assert long > 3.5 * short  # twice the tokens: attention grows with their square
    without = estimate_memory(VideoQAArgs(), SimpleNamespace(has_context=False), MODULE, 16).peak_bytes - 128
    labels = text_bytes(VideoQAArgs(), 16, context=True) - text_bytes(VideoQAArgs(), 16)
    assert one - without == context_bytes(VideoQAArgs(), 16) + labels
    assert context_bytes(VideoQAArgs(), 16) > 0 and labels > 0
    assert text_bytes(VideoQAArgs(max_c_len=0), 16, context=True) == text_bytes(VideoQAArgs(), 16)
