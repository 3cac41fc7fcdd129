"""Torch log-mel against librosa's, and CMVN.

Tolerance: both paths compute the same quantities, torch in float32 and librosa in float64. The
power spectrum in float32 carries a relative error of order 1e-6 of the frame's largest bin, so
in the log domain the error stays far below 1e-3 (0.1% in power) wherever the mel energy is
more than ~1e-6 of the utterance maximum; bins near the log floor are compared with a looser
bound of 0.05 (where float32 cancellation error is a visible fraction of a tiny energy).
"""

from __future__ import annotations

import numpy as np
import torch
from speech_helpers import voice
from ssl_plugin_speech.audio import load_audio
from ssl_plugin_speech.features import CMVN, LogMel, MelConfig, SpeechFrontend, librosa_logmel

from ssl_core.nn.sequence import lengths_to_mask
from ssl_core.testing.data import shared_data_dir


def _compare(wave: np.ndarray) -> None:
    ref = librosa_logmel(wave)
    got = LogMel()(torch.from_numpy(wave)[None])[0].double().numpy()
    assert got.shape == ref.shape == (MelConfig().n_frames(len(wave)), 80)
    loud = ref > ref.max() + np.log(1e-6)
    assert loud.mean() > 0.5
    assert np.abs(got - ref)[loud].max() < 1e-3
    assert np.abs(got - ref).max() < 5e-2


def test_logmel_matches_librosa_on_synthetic_voice() -> None:
    _compare(voice(130.0, 0.8))


def test_logmel_matches_librosa_on_real_vctk() -> None:
    root = shared_data_dir("speech")
    wave, _ = load_audio(root / "vctk_autovc" / "p226" / "p226_003.wav")
    _compare(wave)


def test_logmel_is_batched_and_row_independent() -> None:
    a, b = voice(120.0, 0.5), voice(200.0, 0.5, seed=1)
    both = LogMel()(torch.from_numpy(np.stack([a, b])))
    single = LogMel()(torch.from_numpy(b)[None])
    assert torch.allclose(both[1:], single, atol=1e-5)


def test_cmvn_fit_and_inverse() -> None:
    x = torch.randn(3, 10, 4) * torch.tensor([1.0, 2.0, 3.0, 4.0]) + 5.0
    lengths = torch.tensor([10, 7, 3])
    mask = lengths_to_mask(lengths, 10)
    cmvn = CMVN(4).fit(x, mask)
    valid = x[mask].double()
    assert torch.allclose(cmvn.mean.double(), valid.mean(0), atol=1e-5)
    assert torch.allclose(cmvn.std.double(), valid.std(0), atol=1e-5)
    assert torch.allclose(cmvn.inverse(cmvn(x)), x, atol=1e-5)
    assert mask.sum() == 20 and mask[2, 3:].sum() == 0


def test_speech_frontend_normalises_keeps_lengths_and_saves_only_cmvn() -> None:
    front = SpeechFrontend()
    front.cmvn.mean.fill_(-5.0)
    front.cmvn.std.fill_(2.0)
    wave = torch.from_numpy(np.stack([voice(120.0, 0.3), voice(200.0, 0.3, seed=1)]))
    out = front({"wave": wave, "n_frames": torch.tensor([31, 12])})
    assert torch.allclose(out["features"], (LogMel()(wave) + 5.0) / 2.0)
    assert out["n_frames"].tolist() == [31, 12] and out["wave"] is wave
    assert front({"wave": wave})["n_frames"].tolist() == [31, 31]  # every frame valid
    assert front(out)["features"] is out["features"]  # a featurised batch passes through
    assert sorted(front.state_dict()) == ["cmvn.mean", "cmvn.std"]
