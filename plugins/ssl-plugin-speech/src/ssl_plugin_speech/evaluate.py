"""Evaluation of a speech run: SSL features versus the same model without SSL, and conversion quality.

``evaluate_recipe(module, recipe)`` (what ``ssl-speech evaluate RUN_DIR`` prints) returns comparison rows:

* content probe (sentence identity, leave-one-speaker-out): TERA features versus the same TERA
  encoder randomly initialised (raw log-mel shown alongside);
* for ``speech/vc`` runs, speaker-ID probe accuracy on the content embeddings versus on the TERA
  features they are computed from (lower is better: chance is 1 / #speakers). The probe is a
  frame-level MLP scored on single test frames (:func:`~ssl_plugin_speech.probes.frame_speaker_scores`),
  like the speaker discriminator. Alongside: its utterance-level score, the linear frame probe
  per frame and per utterance (a linear probe is blind to the speaker under instance
  normalisation, whose frames have zero mean per utterance), the mean+std pooled probe, and the
  content probe (sentence id) on the same content embeddings, which the adversary must not erase;
* mel-cepstral distortion of converted held-out sentences to the target speaker's parallel
  utterance, versus the unconverted source;
* cosine similarity of a speaker embedding (a small encoder trained here on the corpus speakers)
  of the converted audio to the target speaker's centroid, versus the source utterance's.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from ssl_core.evaluation import ComparisonRow, reinitialised
from ssl_core.interfaces import Recipe, SSLModule
from ssl_plugin_speech.data import Corpus, Utterance
from ssl_plugin_speech.encoders import SpeakerEncoder
from ssl_plugin_speech.metrics import cosine, mel_cepstral_distortion
from ssl_plugin_speech.probes import (
    FrameFn,
    frame_features,
    frame_speaker_scores,
    parallel_subset,
    sentence_probe,
    speaker_probe,
)
from ssl_plugin_speech.tera import TERAMethod
from ssl_plugin_speech.vc import VoiceConversionMethod


def tera_of(module: SSLModule) -> TERAMethod:
    """The TERA part of a TERA or VC module."""
    return module.tera if isinstance(module, VoiceConversionMethod) else module  # type: ignore[return-value]


def random_init_copy(tera: TERAMethod, seed: int = 0) -> TERAMethod:
    """The same TERA architecture with fresh random weights (CMVN statistics kept): "without SSL"."""
    fresh = copy.deepcopy(tera)
    fresh.encoder = reinitialised(tera.encoder, seed)
    return fresh


def tera_fn(tera: TERAMethod) -> FrameFn:
    """Frame features of the TERA encoder (eval mode)."""
    tera.eval()
    return lambda wave: tera.tokens({"wave": wave})


def logmel_fn(tera: TERAMethod) -> FrameFn:
    """Normalised log-mel frames (the raw-feature baseline)."""
    return lambda wave: tera.frontend({"wave": wave})["features"]


def content_fn(vc: VoiceConversionMethod) -> FrameFn:
    """Content-encoder frames of a VC module (eval mode)."""
    vc.eval()
    return lambda wave: vc.content_embed({"wave": wave})


def train_speaker_encoder(
    tera: TERAMethod, utterances: Sequence[Utterance], *, steps: int = 150, crop: int = 100, seed: int = 0
) -> tuple[SpeakerEncoder, list[str]]:
    """Train :class:`SpeakerEncoder` to classify the speakers of ``utterances`` from log-mel crops."""
    speakers = sorted({u.speaker for u in utterances})
    feats = frame_features(logmel_fn(tera), utterances)
    labels = torch.tensor([speakers.index(u.speaker) for u in utterances])
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = SpeakerEncoder(feats[0].shape[1], 64, len(speakers))
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    for _ in range(steps):
        idx = torch.randint(len(feats), (16,), generator=gen)
        crops = []
        for i in idx.tolist():
            start = int(torch.randint(max(len(feats[i]) - crop, 1), (1,), generator=gen))
            crops.append(feats[i][start : start + crop])
        loss = torch.nn.functional.cross_entropy(model(torch.stack(crops)), labels[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval(), speakers


def conversion_metrics(
    vc: VoiceConversionMethod,
    corpus: Corpus,
    target: str,
    heldout: Sequence[str],
    *,
    speaker_model: tuple[SpeakerEncoder, list[str]] | None = None,
) -> dict[str, Any]:
    """MCD and speaker cosine of converted held-out sentences (every non-target source speaker).

    ``speaker_model`` (from :func:`train_speaker_encoder`) is trained here when not given.
    """
    vc.eval()
    tera = vc.tera
    refs = {u.sentence: u for u in corpus.utterances if u.speaker == target and u.sentence in heldout}
    sources = [u for u in corpus.utterances if u.speaker != target and u.sentence in refs]
    if not sources:
        return {}
    enc, speakers = speaker_model or train_speaker_encoder(
        tera, [u for u in corpus.utterances if u.sentence not in heldout]
    )
    with torch.no_grad():
        logmel = {
            u.path: tera.frontend.raw({"wave": torch.from_numpy(u.wave)[None]})[0] for u in corpus.utterances
        }
        norm = {p: tera.frontend.cmvn(m) for p, m in logmel.items()}
        centroid = {
            s: torch.stack(
                [enc.embed(norm[u.path][None])[0] for u in corpus.utterances if u.speaker == s]
            ).mean(0)
            for s in speakers
        }
        mcd_conv, mcd_src, cos_tgt, cos_src = [], [], [], []
        for u in sources:
            conv = vc.convert({"wave": torch.from_numpy(u.wave)[None]})[0]
            ref = logmel[refs[u.sentence].path].numpy()
            mcd_conv.append(mel_cepstral_distortion(conv.numpy(), ref))
            mcd_src.append(mel_cepstral_distortion(logmel[u.path].numpy(), ref))
            emb = enc.embed(tera.frontend.cmvn(conv)[None])[0]
            cos_tgt.append(cosine(emb, centroid[target]))
            cos_src.append(cosine(emb, centroid[u.speaker]))
    return {
        "mcd_converted": (float(np.mean(mcd_conv)), float(np.std(mcd_conv))),
        "mcd_source": (float(np.mean(mcd_src)), float(np.std(mcd_src))),
        "cos_target": (float(np.mean(cos_tgt)), float(np.std(cos_tgt))),
        "cos_source": (float(np.mean(cos_src)), float(np.std(cos_src))),
        "n_pairs": len(sources),
    }


def _row(
    task: str,
    metric: str,
    ssl: float | tuple[float, float],
    base: float | tuple[float, float],
    higher: bool,
    **extra: Any,
) -> ComparisonRow:
    as_pair = lambda v: v if isinstance(v, tuple) else (float(v), 0.0)  # noqa: E731
    return ComparisonRow(task, metric, as_pair(ssl), as_pair(base), higher, extra)


def evaluate_module(
    module: SSLModule, corpus: Corpus, *, target: str | None, heldout: Sequence[str]
) -> list[ComparisonRow]:
    """The comparison rows of :mod:`ssl_plugin_speech.evaluate` for ``module`` on ``corpus``."""
    tera = tera_of(module)
    utts = parallel_subset(corpus.utterances)
    tera_feats = frame_features(tera_fn(tera), utts)
    rand_feats = frame_features(tera_fn(random_init_copy(tera)), utts)
    mel_feats = frame_features(logmel_fn(tera), utts)
    n_spk = len({u.speaker for u in utts})
    rows = [
        _row(
            "sentence id (held-out speaker)",
            "acc",
            sentence_probe(tera_feats, utts),
            sentence_probe(rand_feats, utts),
            True,
            baseline="same TERA encoder, random init",
            raw_logmel=round(sentence_probe(mel_feats, utts), 4),
        ),
    ]
    if isinstance(module, VoiceConversionMethod) and target is not None:
        content = frame_features(content_fn(module), utts)
        mlp_c, mlp_t = (frame_speaker_scores(f, utts, hidden=128) for f in (content, tera_feats))
        lin_c = frame_speaker_scores(content, utts)
        rows.append(
            _row(
                "speaker id on content emb. (frame MLP probe, per frame)",
                "acc",
                mlp_c["frame"],
                mlp_t["frame"],
                False,
                baseline="TERA features (input of the content encoder)",
                chance=round(1.0 / n_spk, 4),
                mlp_per_utterance=round(mlp_c["utterance"], 4),
                linear_per_frame=round(lin_c["frame"], 4),
                linear_per_utterance=round(lin_c["utterance"], 4),
                pooled_probe=round(speaker_probe(content, utts), 4),
                content_sentence_id=round(sentence_probe(content, utts), 4),
            )
        )
        conv = conversion_metrics(module, corpus, target, heldout)
        if conv:
            rows.append(
                _row(
                    f"VC -> {target}: MCD to parallel ref",
                    "dB",
                    conv["mcd_converted"],
                    conv["mcd_source"],
                    False,
                    baseline="unconverted source",
                    pairs=conv["n_pairs"],
                )
            )
            rows.append(
                _row(
                    f"VC -> {target}: spk-emb cosine to target",
                    "cos",
                    conv["cos_target"],
                    conv["cos_source"],
                    True,
                    baseline="cosine of converted to the source speaker",
                )
            )
    return rows


def evaluate_recipe(module: SSLModule, recipe: Recipe) -> dict[str, Any]:
    """``recipe.evaluate``: the comparison rows on the recipe's corpus (see the module docstring)."""
    args = recipe.extras["args"]
    rows = evaluate_module(
        module,
        recipe.extras["corpus"],
        target=recipe.extras.get("target_speaker"),
        heldout=args.heldout_sentences,
    )
    return {"rows": rows}
