"""Frozen-feature probes on a parallel multi-speaker corpus (VCTK-style sentence keys).

* Content probe: *which sentence* an utterance reads, from pyramid-pooled frame features, trained on
  some speakers and tested on a held-out speaker (leave-one-speaker-out, averaged).
* Speaker probe: *who* speaks, from mean+std pooled frame features, trained on some sentences and
  tested on the others (so sentence content cannot help).
* Frame speaker probe: the same split, but a classifier on single frames (what a frame-level
  speaker discriminator sees), scored per test frame and per test utterance (mean of its frames'
  log-probabilities). It also sees speaker information that mean+std pooling removes (e.g. after
  instance normalisation).

The pooled probes use the core's :func:`ssl_core.evaluation.linear_probe`, the frame probe its
:func:`~ssl_core.evaluation.mlp_head` and :func:`~ssl_core.evaluation.fit_head`. All three speaker
probes share one sentence split (:func:`speaker_split`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import Tensor

from ssl_core.evaluation import fit_head, linear_probe, mlp_head, probe_items, ratio_reduce, standardisation
from ssl_plugin_speech.corpus import Utterance
from ssl_plugin_speech.metrics import mean_std_pool, pyramid_pool

FrameFn = Callable[[Tensor], Tensor]
"""``fn(wave (1, S)) -> (1, T, D)`` frame features of one utterance."""

PROBE_EPOCHS = 200
PROBE_WD = 1e-3


@torch.no_grad()
def frame_features(fn: FrameFn, utterances: Sequence[Utterance]) -> list[Tensor]:
    """``fn`` applied to each whole utterance (no padding), as ``(T, D)`` CPU tensors."""
    return [fn(torch.from_numpy(u.wave)[None])[0].float().cpu() for u in utterances]


def shared_sentences(utterances: Sequence[Utterance]) -> list[str]:
    """Sentence keys read by every speaker of ``utterances`` (sorted)."""
    speakers = {u.speaker for u in utterances}
    by_sentence: dict[str, set[str]] = {}
    for u in utterances:
        by_sentence.setdefault(u.sentence, set()).add(u.speaker)
    return sorted(s for s, spk in by_sentence.items() if spk == speakers)


def parallel_subset(utterances: Sequence[Utterance]) -> list[Utterance]:
    """Utterances of the speakers that read at least two sentences also read by another speaker.

    Drops e.g. single-speaker LibriSpeech clips mixed into a VCTK folder, which no probe can use.
    """
    readers: dict[str, set[str]] = {}
    for u in utterances:
        readers.setdefault(u.sentence, set()).add(u.speaker)
    shared = {u.speaker: 0 for u in utterances}
    for u in utterances:
        shared[u.speaker] += len(readers[u.sentence]) > 1
    return [u for u in utterances if shared[u.speaker] >= 2]


def _probe(x: Tensor, y: Tensor, train: np.ndarray, seed: int, epochs: int = PROBE_EPOCHS) -> float:
    tr, te = torch.from_numpy(train), torch.from_numpy(~train)
    res = linear_probe(x[tr], y[tr], x[te], y[te], epochs=epochs, weight_decay=PROBE_WD, seed=seed)
    return float(res["acc"])


def _probe_hits(x: Tensor, y: Tensor, train: np.ndarray, seed: int, epochs: int) -> np.ndarray:
    """1/0 correctness of each test row of the linear probe :func:`_probe` trains."""
    tr, te = torch.from_numpy(train), torch.from_numpy(~train)
    return probe_items(x[tr], y[tr], x[te], y[te], epochs=epochs, weight_decay=PROBE_WD, seed=seed)["acc"]


def sentence_probe(
    feats: Sequence[Tensor],
    utterances: Sequence[Utterance],
    *,
    train_speakers: int | None = None,
    seed: int = 0,
    epochs: int = PROBE_EPOCHS,
) -> float:
    """Leave-one-speaker-out sentence-identification accuracy, averaged over held-out speakers.

    Args:
        feats: ``(T, D)`` frame features per utterance.
        utterances: the matching utterances.
        train_speakers: train on only this many of the remaining speakers (few labels); all when None.
            The accuracy is then averaged over every rotation of the remaining speakers, so each
            held-out speaker is tested against each choice of training speaker(s).
        seed: probe initialisation seed.
        epochs: probe training epochs.
    """
    return ratio_reduce(
        sentence_probe_items(feats, utterances, train_speakers=train_speakers, seed=seed, epochs=epochs)
    )


def sentence_probe_items(
    feats: Sequence[Tensor],
    utterances: Sequence[Utterance],
    *,
    train_speakers: int | None = None,
    seed: int = 0,
    epochs: int = PROBE_EPOCHS,
) -> np.ndarray:
    """The test utterances behind :func:`sentence_probe` as ``(hit * w, w)`` rows, ``(n, 2)``.

    One row per tested utterance (and training choice), weighted ``w = 1 / (fold size * folds)``
    so that :func:`~ssl_core.evaluation.ratio_reduce` of the rows is :func:`sentence_probe`'s mean
    of per-fold accuracies; rows can be resampled for a bootstrap interval. Arguments as there.
    """
    sentences = shared_sentences(utterances)
    if len(sentences) < 2:
        raise ValueError("the content probe needs at least two sentences read by every speaker")
    keep = [i for i, u in enumerate(utterances) if u.sentence in sentences]
    x = torch.stack([pyramid_pool(feats[i]) for i in keep])
    y = torch.tensor([sentences.index(utterances[i].sentence) for i in keep])
    spk = np.array([utterances[i].speaker for i in keep])
    speakers = sorted(set(spk))
    folds = []
    for held in speakers:
        others = [s for s in speakers if s != held]
        choices = [others]
        if train_speakers is not None:
            choices = [
                [others[(r + j) % len(others)] for j in range(train_speakers)] for r in range(len(others))
            ]
        for chosen in choices:
            train = np.isin(spk, chosen)
            rows = train | (spk == held)
            folds.append(_probe_hits(x[rows], y[rows], train[rows], seed, epochs))
    w = [np.full(len(hits), 1.0 / (len(hits) * len(folds))) for hits in folds]
    return np.stack([np.concatenate(folds) * np.concatenate(w), np.concatenate(w)], 1)


def speaker_split(utterances: Sequence[Utterance]) -> tuple[list[str], np.ndarray]:
    """Sorted speakers, and per utterance whether it is in the test half (every second sentence key).

    The speaker probes train on the other sentences, so sentence content cannot help them.
    """
    sentences = sorted({u.sentence for u in utterances})
    test_sentences = set(sentences[1::2])
    speakers = sorted({u.speaker for u in utterances})
    return speakers, np.array([u.sentence in test_sentences for u in utterances])


def speaker_probe(
    feats: Sequence[Tensor], utterances: Sequence[Utterance], *, seed: int = 0, epochs: int = PROBE_EPOCHS
) -> float:
    """Speaker-identification accuracy, trained on half of the sentences and tested on the rest."""
    speakers, is_test = speaker_split(utterances)
    x = torch.stack([mean_std_pool(f) for f in feats])
    y = torch.tensor([speakers.index(u.speaker) for u in utterances])
    return _probe(x, y, ~is_test, seed, epochs)


def _frame_predictions(
    feats: Sequence[Tensor],
    utterances: Sequence[Utterance],
    *,
    stride: int,
    hidden: int,
    seed: int,
    epochs: int,
) -> tuple[list[str], list[bool], list[Tensor], list[Tensor]]:
    """Speakers, and per test utterance: whether the mean frame log-prob picks the speaker, the
    per-frame predictions and the true labels (the probe of :func:`frame_speaker_scores`)."""
    speakers, is_test = speaker_split(utterances)
    train, test = np.flatnonzero(~is_test).tolist(), np.flatnonzero(is_test).tolist()
    x = torch.cat([feats[i][::stride] for i in train]).float()
    y = torch.cat(
        [torch.full((len(feats[i][::stride]),), speakers.index(utterances[i].speaker)) for i in train]
    )
    torch.manual_seed(seed)
    head = mlp_head(x.shape[1], hidden, len(speakers))
    fit_head(head, x, y, x[:1], y[:1], task="classification", epochs=epochs, lr=1e-2, weight_decay=PROBE_WD)
    mean, std = standardisation(x)  # the statistics fit_head standardised with
    utt_hits, pred, true = [], [], []
    with torch.no_grad():
        for i in test:
            logp = head((feats[i].float() - mean) / std).log_softmax(-1)
            label = speakers.index(utterances[i].speaker)
            utt_hits.append(int(logp.mean(0).argmax()) == label)
            pred.append(logp.argmax(-1))
            true.append(torch.full((len(logp),), label))
    return speakers, utt_hits, pred, true


def frame_speaker_items(
    feats: Sequence[Tensor], utterances: Sequence[Utterance], *, stride: int = 4, hidden: int = 0, seed: int = 0,
    epochs: int = PROBE_EPOCHS,
) -> dict[str, np.ndarray]:  # fmt: skip
    """Per test utterance, the items behind :func:`frame_speaker_scores` (same arguments):
    ``"frame"``: ``(correct frames, frames)`` rows (``ratio_reduce`` gives the per-frame accuracy;
    resampling utterances keeps each utterance's correlated frames together), ``"utterance"``: 1/0."""
    _, hits, pred, true = _frame_predictions(
        feats, utterances, stride=stride, hidden=hidden, seed=seed, epochs=epochs
    )
    frames = np.array([[float((p == t).sum()), float(len(t))] for p, t in zip(pred, true)])
    return {"frame": frames, "utterance": np.array(hits, dtype=np.float64)}


def frame_speaker_scores(
    feats: Sequence[Tensor],
    utterances: Sequence[Utterance],
    *,
    stride: int = 4,
    hidden: int = 0,
    seed: int = 0,
    target: str | None = None,
    epochs: int = PROBE_EPOCHS,
) -> dict[str, float]:
    """Speaker-ID accuracies of one frame-level probe (same sentence split as :func:`speaker_probe`).

    Linear, or with ``hidden > 0`` one hidden ReLU layer, trained on every ``stride``-th frame of
    the training utterances. Returns:

    * ``"frame"``: the fraction of *all* test frames whose own prediction is the speaker (no
      aggregation: what a frame-level speaker discriminator could exploit);
    * ``"utterance"``: the fraction of test utterances whose *mean frame log-probability* picks the
      speaker. Under instance-normalised content a linear probe's mean logit is the same for every
      utterance (each channel has mean 0), so this aggregate can sit at chance while single frames
      still carry the speaker: read it next to ``"frame"``;
    * with ``target``, ``"target_frame"``: balanced per-frame accuracy of "is it ``target``?" read
      off the same predictions (chance 0.5): what the paper's binary adversary tries to remove.
    """
    speakers, utt_hits, pred, true = _frame_predictions(
        feats, utterances, stride=stride, hidden=hidden, seed=seed, epochs=epochs
    )
    p, t = torch.cat(pred), torch.cat(true)
    out = {"utterance": float(np.mean(utt_hits)), "frame": float((p == t).float().mean())}
    if target is not None:
        k = speakers.index(target)
        hit_t = (p[t == k] == k).float().mean() if (t == k).any() else torch.tensor(0.5)
        hit_o = (p[t != k] != k).float().mean() if (t != k).any() else torch.tensor(0.5)
        out["target_frame"] = float((hit_t + hit_o) / 2)
    return out
