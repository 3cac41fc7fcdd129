"""Downstream representations: TERA feature layer and windows, instance norm, the frame speaker probe."""

from __future__ import annotations

import pytest
import torch
from speech_helpers import TINY_ARGS, parallel_utts
from ssl_plugin_speech.config import TERAArgs
from ssl_plugin_speech.method import build_tera
from ssl_plugin_speech.probes import frame_speaker_scores
from ssl_plugin_speech.vc import masked_instance_norm


def _tera(feature_layer: int | None, context: int | None = None):
    torch.manual_seed(0)
    tera = build_tera(TERAArgs(**{**TINY_ARGS, "layers": 2, "feature_layer": feature_layer}))
    tera.context = context
    return tera.eval()


def _clean(t: int = 30) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(1)
    return {"features": torch.randn(2, t, 80, generator=gen), "n_frames": torch.tensor([t, t - 7])}


def test_feature_layer_selects_the_hidden_state() -> None:
    clean = _clean()
    for layer in (0, 1, 2):
        tera = _tera(layer)
        expected = tera.encoder.hidden_states(clean)[layer]
        assert torch.equal(tera.features(clean), expected)
    last = _tera(None)
    assert last.feature_layer == 2
    assert torch.equal(last.features(clean), last.encoder(clean)["tokens"])
    assert not torch.allclose(_tera(1).features(clean), last.features(clean))


def test_features_run_in_windows_of_the_pretraining_context() -> None:
    tera, clean = _tera(1, context=12), _clean(30)
    got = tera.features(clean)
    pieces = []
    for start, n in ((0, [12, 12]), (12, [12, 11]), (24, [6, 1])):
        part = {"features": clean["features"][:, start : start + 12], "n_frames": torch.tensor(n)}
        pieces.append(tera.encoder.hidden_states(part)[1])
    assert got.shape == (2, 30, 32)
    assert torch.allclose(got, torch.cat(pieces, 1))
    whole = _tera(1, context=None).features(clean)
    assert not torch.allclose(got[:, 12:], whole[:, 12:], atol=1e-4)


def test_feature_layer_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="feature_layer must be in"):
        _tera(3)


def test_masked_instance_norm_against_per_row_reference() -> None:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 10, 4, generator=gen) * 3 + 5
    mask = torch.arange(10)[None] < torch.tensor([[10], [6]])
    got = masked_instance_norm(x, mask)
    for b, n in ((0, 10), (1, 6)):
        row = x[b, :n].double()
        ref = (row - row.mean(0)) / torch.sqrt(row.var(0, unbiased=False) + 1e-5)
        assert torch.allclose(got[b, :n].double(), ref, atol=1e-5)
    assert torch.equal(got[1, 6:], torch.zeros(4, 4))


def test_frame_speaker_probe_finds_per_frame_speaker_directions() -> None:
    utts = parallel_utts()
    gen = torch.Generator().manual_seed(0)
    codes, content = torch.randn(3, 6, generator=gen), torch.randn(4, 40, 6, generator=gen)
    frames = [
        codes[int(u.speaker[1:])] + content[int(u.sentence)] + 0.05 * torch.randn(40, 6, generator=gen)
        for u in utts
    ]
    assert frame_speaker_scores(frames, utts, stride=1)["utterance"] == 1.0
    assert frame_speaker_scores(frames, utts, stride=1, hidden=16)["utterance"] == 1.0
    same = [torch.randn(40, 6, generator=torch.Generator().manual_seed(7)) for _ in utts]
    assert frame_speaker_scores(same, utts)["utterance"] == pytest.approx(1 / 3)
