"""Recipe factories: ``speech/tera`` (TERA pretraining) and ``speech/vc`` (TERA + adversarial VC).

Both read a corpus folder (default: the embedded VCTK subset), hold out ``heldout_sentences``
(evaluation references for voice conversion and probes), fit global CMVN on the training
segments and build the SSL module. ``speech/vc`` additionally needs a ``target_speaker``; every
other speaker's audio is used as *unlabelled external data* (only "not the target" is used).
"""

from __future__ import annotations

from typing import Any

import torch

from ssl_core.data import TensorDictDataset
from ssl_core.errors import DataError
from ssl_core.interfaces import Recipe, SSLModule
from ssl_core.nn.sequence import lengths_to_mask
from ssl_plugin_speech.data import Corpus, load_corpus, segment_dataset
from ssl_plugin_speech.encoders import (
    AcousticModel,
    ContentEncoder,
    FrameDiscriminator,
    SpecHead,
    TERAEncoder,
)
from ssl_plugin_speech.features import DEFAULT_MEL, MelConfig
from ssl_plugin_speech.objectives import MaskedReconstructionLoss
from ssl_plugin_speech.recipe_args import TERAArgs, VCArgs
from ssl_plugin_speech.tera import SpeechFrontend, TERAMethod
from ssl_plugin_speech.vc import VoiceConversionMethod
from ssl_plugin_speech.views import tera_alteration


def split_corpus(corpus: Corpus, heldout: list[str]) -> Corpus:
    """The training part: every utterance whose sentence key is not held out."""
    train = Corpus(corpus.root, [u for u in corpus.utterances if u.sentence not in heldout])
    if not train.utterances:
        raise DataError(corpus.root, "heldout_sentences", f"holding out {heldout} leaves no training audio")
    return train


def build_tera(args: TERAArgs, mel: MelConfig = DEFAULT_MEL) -> TERAMethod:
    """A fresh (untrained, CMVN at identity) TERA module from ``args``."""
    encoder = TERAEncoder(mel.n_mels, args.dim, args.layers, args.heads, args.ffn, args.dropout)
    alteration = tera_alteration(time=args.time, freq=args.freq, magnitude=args.magnitude)
    return TERAMethod(
        SpeechFrontend(mel),
        encoder,
        SpecHead(args.dim, mel.n_mels),
        alteration,
        MaskedReconstructionLoss("l1"),
        feature_layer=args.feature_layer,
        context=args.segment_frames,
    )


def fit_cmvn(frontend: SpeechFrontend, data: dict[str, torch.Tensor], chunk: int = 64) -> None:
    """Fit the frontend's CMVN on the valid frames of the training segments."""
    with torch.no_grad():
        feats = torch.cat(
            [frontend.raw({"wave": data["wave"][i : i + chunk]}) for i in range(0, len(data["wave"]), chunk)]
        )
    frontend.cmvn.fit(feats, lengths_to_mask(data["n_frames"], feats.shape[1]))


def pretrained_tera(run_dir: str) -> TERAMethod:
    """The TERA module of a finished ``speech/tera`` (or ``speech/vc``) run, frozen."""
    from ssl_core.engine import load_run

    module = load_run(run_dir).module
    tera = module.tera if isinstance(module, VoiceConversionMethod) else module
    if not isinstance(tera, TERAMethod):
        raise DataError(run_dir, "tera_run", f"not a speech TERA run (module {type(module).__name__})")
    return tera.requires_grad_(False)  # type: ignore[return-value]


def pseudo_speaker_classes(frontend: SpeechFrontend, corpus: Corpus, target: str, k: int) -> torch.Tensor:
    """Per-utterance class: 0 for the target, ``1 + c`` for external utterances in k-means cluster ``c``.

    Clusters utterance-level mean and std of normalised log-mel, so no speaker labels are used.
    """
    from ssl_core.evaluation import kmeans

    with torch.no_grad():
        stats = []
        for u in corpus.utterances:
            feats = frontend.cmvn(frontend.raw({"wave": torch.from_numpy(u.wave)[None]}))[0]
            stats.append(torch.cat([feats.mean(0), feats.std(0)]))
    external = [i for i, u in enumerate(corpus.utterances) if u.speaker != target]
    if k > len(external):
        raise DataError(
            corpus.root, "pseudo_speakers", f"{k} clusters for {len(external)} external utterances"
        )
    labels, _ = kmeans(torch.stack([stats[i] for i in external]), k, seed=0)
    classes = torch.zeros(len(corpus.utterances), dtype=torch.long)
    classes[torch.tensor(external)] = labels + 1
    return classes


def pick_target(corpus: Corpus, target: str | None) -> str:
    """``target`` if given and present, else the speaker with the most audio."""
    speakers = corpus.speakers()
    if target is None:
        totals = {s: sum(len(u.wave) for u in corpus.utterances if u.speaker == s) for s in speakers}
        return max(speakers, key=lambda s: totals[s])
    if target not in speakers:
        raise DataError(corpus.root, "target_speaker", f"'{target}' is not one of the speakers {speakers}")
    return target


def _evaluate(module: SSLModule, recipe: Recipe) -> dict[str, Any]:
    from ssl_plugin_speech.evaluate import evaluate_recipe

    return evaluate_recipe(module, recipe)


def _recipe(
    name: str,
    module: SSLModule,
    corpus: Corpus,
    train: Corpus,
    dataset: TensorDictDataset,
    extras: dict[str, Any],
) -> Recipe:
    return Recipe(
        name=name,
        module=module,
        train_data=dataset,
        label_key="speaker",
        evaluate=_evaluate,
        extras={"corpus": corpus, "train_corpus": train, "mel": MelConfig(), **extras},
    )


def tera_recipe(**kwargs: object) -> Recipe:
    """``speech/tera``: TERA pretraining on a corpus folder (default: embedded VCTK subset)."""
    args = TERAArgs(**kwargs)  # type: ignore[arg-type]
    corpus = load_corpus(args.data)
    train = split_corpus(corpus, args.heldout_sentences)
    dataset = segment_dataset(train, args.segment_frames)
    module = build_tera(args)
    fit_cmvn(module.frontend, dataset.tensors)
    return _recipe("speech/tera", module, corpus, train, dataset, {"args": args})


def vc_recipe(**kwargs: object) -> Recipe:
    """``speech/vc``: TERA + any-to-one VC with speaker and mel adversaries (Zhao et al., ICME 2023)."""
    args = VCArgs(**kwargs)  # type: ignore[arg-type]
    corpus = load_corpus(args.data)
    train = split_corpus(corpus, args.heldout_sentences)
    target = pick_target(train, args.target_speaker)
    if len(train.speakers()) < 2:
        raise DataError(corpus.root, "speaker", "voice conversion needs external speakers besides the target")
    dataset = segment_dataset(train, args.segment_frames, target_speaker=target)
    tera = pretrained_tera(args.tera_run) if args.tera_run else build_tera(args)
    if not args.tera_run:
        fit_cmvn(tera.frontend, dataset.tensors)
    classes = 1
    if args.pseudo_speakers > 0:
        dataset.tensors["spk_class"] = pseudo_speaker_classes(
            tera.frontend, train, target, args.pseudo_speakers
        )[dataset.tensors["utt"]]
        classes = args.pseudo_speakers + 1
    n_mels = tera.frontend.cmvn.mean.numel()
    module = VoiceConversionMethod(
        tera,
        ContentEncoder(tera.encoder.output_dim, args.content_hidden, args.content_dim),
        AcousticModel(args.content_dim, args.acoustic_hidden, n_mels, blocks=3),
        FrameDiscriminator(
            args.content_dim, args.disc_hidden, args.disc_layers, classes=classes, kernel=args.disc_kernel
        ),
        FrameDiscriminator(n_mels, args.disc_hidden),
        lambda_spk=args.lambda_spk,
        lambda_mel=args.lambda_mel,
        tera_weight=0.0 if args.tera_run else args.tera_weight,
        instance_norm=args.instance_norm,
        grl_ramp=args.grl_ramp,
        disc_lr_scale=args.disc_lr_scale,
        segment_adversary=args.segment_adversary,
    )
    return _recipe("speech/vc", module, corpus, train, dataset, {"args": args, "target_speaker": target})
