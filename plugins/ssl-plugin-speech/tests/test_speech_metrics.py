"""MCD, pooling and probes against closed forms / naive computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.fft
import torch
from speech_helpers import parallel_utts
from ssl_plugin_speech.metrics import mean_std_pool, mel_cepstral_distortion, pyramid_pool
from ssl_plugin_speech.probes import sentence_probe, shared_sentences, speaker_probe


def test_mcd_zero_for_identical_and_closed_form_for_constant_offset() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(40, 80))
    assert mel_cepstral_distortion(a, a) == 0.0
    shift = np.zeros(80)
    shift[:40] = 0.2
    b = a + shift
    c = scipy.fft.dct(0.5 * shift, type=2, norm="ortho")[1:25]
    expected = 10 / math.log(10) * math.sqrt(2 * float(np.sum(c**2)))
    assert abs(mel_cepstral_distortion(b, a) - expected) < 1e-6


def test_pooling_against_manual() -> None:
    x = torch.arange(12.0).reshape(6, 2)
    got = pyramid_pool(x, (1, 2))
    assert torch.allclose(got, torch.cat([x.mean(0), x[:3].mean(0), x[3:].mean(0)]))
    assert torch.allclose(mean_std_pool(x), torch.cat([x.mean(0), x.std(0, unbiased=False)]))


def test_probes_read_what_the_features_carry() -> None:
    utts = parallel_utts()
    gen = torch.Generator().manual_seed(0)
    sent_codes, spk_codes = torch.randn(4, 8, generator=gen) * 3, torch.randn(3, 8, generator=gen) * 3
    content_only = [
        sent_codes[int(u.sentence)].expand(10, 8) + 0.1 * torch.randn(10, 8, generator=gen) for u in utts
    ]
    speaker_only = [
        spk_codes[int(u.speaker[1:])].expand(10, 8) + 0.1 * torch.randn(10, 8, generator=gen) for u in utts
    ]
    assert shared_sentences(utts) == ["000", "001", "002", "003"]
    assert sentence_probe(content_only, utts) == 1.0
    assert sentence_probe(content_only, utts, train_speakers=1) == 1.0
    assert speaker_probe(speaker_only, utts) == 1.0
    assert sentence_probe(speaker_only, utts) <= 0.5


def test_probe_items_reduce_to_the_probe_scores() -> None:
    from ssl_plugin_speech.probes import (
        PROBE_WD,
        frame_speaker_items,
        frame_speaker_scores,
        sentence_probe_items,
    )

    from ssl_core.evaluation import linear_probe, ratio_reduce

    utts = parallel_utts()
    gen = torch.Generator().manual_seed(1)
    codes = torch.randn(4, 8, generator=gen)
    feats = [codes[int(u.sentence)].expand(10, 8) + 1.5 * torch.randn(10, 8, generator=gen) for u in utts]
    items = sentence_probe_items(feats, utts, epochs=30)
    # naive: the mean over held-out speakers of each fold's linear-probe accuracy
    sentences = shared_sentences(utts)
    x = torch.stack([pyramid_pool(f) for f in feats])
    y = torch.tensor([sentences.index(u.sentence) for u in utts])
    spk = np.array([u.speaker for u in utts])
    accs = []
    for held in sorted(set(spk)):
        tr, te = torch.from_numpy(spk != held), torch.from_numpy(spk == held)
        accs.append(linear_probe(x[tr], y[tr], x[te], y[te], epochs=30, weight_decay=PROBE_WD)["acc"])
    assert items.shape == (len(utts), 2) and ratio_reduce(items) == pytest.approx(np.mean(accs))
    assert sentence_probe(feats, utts, epochs=30) == pytest.approx(np.mean(accs))
    frames = frame_speaker_items(feats, utts, stride=1, epochs=20)
    scores = frame_speaker_scores(feats, utts, stride=1, epochs=20)
    assert ratio_reduce(frames["frame"]) == pytest.approx(scores["frame"])
    assert frames["utterance"].mean() == pytest.approx(scores["utterance"])
    assert frames["frame"][:, 1].tolist() == [10.0] * len(frames["utterance"])
