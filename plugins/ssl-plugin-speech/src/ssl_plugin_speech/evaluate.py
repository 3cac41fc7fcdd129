"""Evaluation of a speech run: SSL features versus the same model without SSL, and conversion quality.

``evaluate(module, data, ctx)`` (``ssl eval RUN``, ``ssl-speech evaluate RUN``) returns comparison rows:

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
from torch import Tensor

from ssl_core.errors import DataError
from ssl_core.evaluation import ComparisonRow, mean_reduce, ratio_reduce, reinitialised
from ssl_core.interfaces import SSLModule
from ssl_core.lifecycle import EvalContext
from ssl_plugin_speech.corpus import Corpus, Utterance
from ssl_plugin_speech.data import SpeechData
from ssl_plugin_speech.encoders import SpeakerEncoder
from ssl_plugin_speech.metrics import cosine, mel_cepstral_distortion
from ssl_plugin_speech.probes import (
    PROBE_EPOCHS,
    FrameFn,
    frame_features,
    frame_speaker_items,
    frame_speaker_scores,
    parallel_subset,
    sentence_probe,
    sentence_probe_items,
    shared_sentences,
    speaker_probe,
)
from ssl_plugin_speech.tera import TERAMethod
from ssl_plugin_speech.vc import VoiceConversionMethod

QUICK_SPEAKER_STEPS = 30
"""Training steps of the speaker-embedding model under ``--quick`` (150 otherwise)."""
QUICK_PROBE_EPOCHS = 40
"""Probe training epochs under ``--quick`` (``probes.PROBE_EPOCHS`` otherwise)."""


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
        "items": {
            "mcd_converted": np.array(mcd_conv), "mcd_source": np.array(mcd_src),
            "cos_target": np.array(cos_tgt), "cos_source": np.array(cos_src),
        },  # per source utterance, paired (for a bootstrap over the pairs)
    }  # fmt: skip


def _row(task: str, metric: str, ssl: Any, base: Any, higher: bool, unit: str, **extra: Any) -> ComparisonRow:
    """A paired bootstrap row over items: ``(sum, count)`` rows (2-D) are pooled, 1-D items averaged."""
    reduce = ratio_reduce if np.ndim(ssl) == 2 else mean_reduce
    return ComparisonRow.from_items(task, metric, ssl, base, reduce=reduce, higher_is_better=higher,
                                    extra=extra, unit=unit)  # fmt: skip


def _speaker_row(
    vc: VoiceConversionMethod, utts: list[Utterance], tera: list[Tensor], quick: bool
) -> ComparisonRow:
    """Speaker ID on the content embeddings (frame MLP probe) versus on their TERA input, with a
    bootstrap over the test utterances (each keeps its frames together)."""
    epochs = QUICK_PROBE_EPOCHS if quick else PROBE_EPOCHS
    content = frame_features(content_fn(vc), utts)
    mlp_c, mlp_t = (frame_speaker_items(f, utts, hidden=128, epochs=epochs) for f in (content, tera))
    extra = {
        "chance": 1.0 / len({u.speaker for u in utts}),
        "mlp_per_utterance": float(mlp_c["utterance"].mean()),
    }
    if not quick:
        lin_c = frame_speaker_scores(content, utts)
        extra.update(linear_per_frame=lin_c["frame"], linear_per_utterance=lin_c["utterance"])
        extra["pooled_probe"] = speaker_probe(content, utts)
    extra["content_sentence_id"] = sentence_probe(content, utts, epochs=epochs)
    rounded: dict[str, Any] = {"probe": "frame MLP, scored per frame"}
    rounded.update({k: round(v, 4) for k, v in extra.items()})
    task = "speaker id on content emb."
    baseline = "TERA features (input of the content encoder)"
    return _row(
        task, "acc", mlp_c["frame"], mlp_t["frame"], False, "test utterances", baseline=baseline, **rounded
    )


def _conversion_rows(
    vc: VoiceConversionMethod, corpus: Corpus, target: str, heldout: Sequence[str], quick: bool
) -> list[ComparisonRow]:
    """MCD and speaker-embedding cosine of the converted held-out sentences (none without pairs),
    with a bootstrap over the converted (source, reference) pairs."""
    train = [u for u in corpus.utterances if u.sentence not in heldout]
    model = train_speaker_encoder(vc.tera, train, steps=QUICK_SPEAKER_STEPS) if quick else None
    conv = conversion_metrics(vc, corpus, target, heldout, speaker_model=model)
    if not conv:
        return []
    items = conv["items"]
    mcd, cos = f"VC -> {target}: MCD", f"VC -> {target}: spk-emb cos"
    return [
        _row(mcd, "dB", items["mcd_converted"], items["mcd_source"], False, "pairs", baseline="unconverted source",
             reference=f"{target}'s parallel utterance"),
        _row(cos, "cos", items["cos_target"], items["cos_source"], True, "pairs",
             baseline="cosine of converted to the source speaker", to=f"{target}'s centroid"),
    ]  # fmt: skip


def evaluate_module(
    module: SSLModule, corpus: Corpus, *, target: str | None, heldout: Sequence[str], quick: bool = False
) -> list[ComparisonRow]:
    """The comparison rows of :mod:`ssl_plugin_speech.evaluate` for ``module`` on ``corpus``.

    One probe seed: every interval is a paired bootstrap over the test items (utterances, pairs).
    """
    tera, utts = tera_of(module), parallel_subset(corpus.utterances)
    epochs = QUICK_PROBE_EPOCHS if quick else PROBE_EPOCHS
    tera_feats = frame_features(tera_fn(tera), utts)
    rand, mel = (frame_features(fn, utts) for fn in (tera_fn(random_init_copy(tera)), logmel_fn(tera)))
    ssl_i, rand_i, mel_i = (sentence_probe_items(f, utts, epochs=epochs) for f in (tera_feats, rand, mel))
    task, baseline = "sentence id (held-out speaker)", "same TERA encoder, random init"
    rows = [_row(task, "acc", ssl_i, rand_i, True, "test utterances", baseline=baseline,
                 raw_logmel=round(ratio_reduce(mel_i), 4))]  # fmt: skip
    if isinstance(module, VoiceConversionMethod) and target is not None:
        rows.append(_speaker_row(module, utts, tera_feats, quick))
        rows += _conversion_rows(module, corpus, target, heldout, quick)
    return rows


def evaluate(module: SSLModule, data: SpeechData, ctx: EvalContext) -> list[ComparisonRow]:
    """The rows on the evaluation utterances kept in the run (one probe seed, 0, on the CPU).

    ``ctx.quick``: no extra linear / pooled speaker probes, fewer probe epochs and speaker-model steps.
    """
    if len(shared_sentences(parallel_subset(data.utterances))) < 2:
        raise DataError(ctx.run_dir / "data.pt", "utterances", "no two sentences read by several speakers")
    module = module.to(torch.device("cpu"))
    return evaluate_module(
        module, data.corpus, target=data.target_speaker, heldout=data.heldout, quick=ctx.quick
    )
