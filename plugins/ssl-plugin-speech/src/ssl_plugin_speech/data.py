"""The data of a speech run: training segments, the fitted CMVN and the evaluation utterances.

:func:`build_data` reads the corpus once, holds out ``heldout_sentences``, fits the CMVN on the
training segments (or takes a ``tera_run``'s) and, for ``speech/vc``, picks the target speaker and
the pseudo-speaker classes. :meth:`SpeechData.state_dict` keeps in the run what ``evaluate``,
``embed`` and ``convert`` need, so they work once the corpus is gone (:func:`restore_data`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import Dataset

from ssl_core.errors import DataError, warn_data
from ssl_core.nn import lengths_to_mask
from ssl_plugin_speech.audio import SAMPLE_RATE, AudioReport
from ssl_plugin_speech.config import EMBEDDED_TARGET, TERA_ARCH, TERAArgs, VCArgs
from ssl_plugin_speech.corpus import Corpus, Utterance, load_corpus, segment_dataset
from ssl_plugin_speech.features import DEFAULT_MEL
from ssl_plugin_speech.tera import SpeechFrontend, TERAMethod


@dataclass
class SpeechData:
    """Training segments (``train``, ``None`` once restored) and what the evaluation reads.

    Attributes:
        utterances: the evaluation utterances (the corpus up to ``eval_max_utterances``; the probes split it).
        target_speaker: the voice-conversion target (``None`` for ``speech/tera``).
        tera_arch, pretrained: a ``tera_run``'s TERA arguments, and its frozen module while training.
    """

    utterances: list[Utterance]
    heldout: list[str]
    target_speaker: str | None
    cmvn_mean: Tensor
    cmvn_std: Tensor
    tera_arch: dict[str, Any] = field(default_factory=dict)
    sample_rate: int = SAMPLE_RATE
    train: Dataset[Any] | None = None
    pretrained: TERAMethod | None = None
    label_key: str = "speaker"

    @property
    def corpus(self) -> Corpus:
        """The evaluation utterances as a corpus (paths relative to the original folder)."""
        return Corpus(Path("."), self.utterances)

    def state_dict(self) -> dict[str, Any]:
        """CMVN, evaluation waveforms (concatenated) and their keys, target, held-out sentences."""
        utts = self.utterances
        return {
            **{name: getattr(self, name) for name in _KEPT},
            "waves": torch.from_numpy(np.concatenate([u.wave for u in utts])),
            "lengths": torch.tensor([len(u.wave) for u in utts], dtype=torch.long),
            "keys": [[u.path.as_posix(), u.speaker, u.utterance_id] for u in utts],
        }


_KEPT = ("heldout", "target_speaker", "cmvn_mean", "cmvn_std", "tera_arch", "sample_rate")  # kept as they are


def restore_data(args: TERAArgs, state: Mapping[str, Any]) -> SpeechData:
    """The data object of a finished run, from its saved state (no file is read)."""
    rate = int(state["sample_rate"])
    utterances = [
        Utterance(Path(path), speaker, uid, "", wave.numpy(), AudioReport(path, rate, 1, len(wave) / rate))
        for (path, speaker, uid), wave in zip(
            state["keys"], torch.split(state["waves"], state["lengths"].tolist())
        )
    ]
    return SpeechData(utterances, **{name: state[name] for name in _KEPT})


def split_corpus(corpus: Corpus, heldout: list[str]) -> Corpus:
    """The training part: every utterance whose sentence key is not held out."""
    train = Corpus(corpus.root, [u for u in corpus.utterances if u.sentence not in heldout])
    if not train.utterances:
        raise DataError(corpus.root, "heldout_sentences", f"holding out {heldout} leaves no training audio")
    return train


def pick_target(corpus: Corpus, target: str | None) -> str:
    """``target`` if given and present, else the speaker with the most audio."""
    speakers = corpus.speakers()
    if target is None:
        totals = {s: sum(len(u.wave) for u in corpus.utterances if u.speaker == s) for s in speakers}
        return max(speakers, key=lambda s: totals[s])
    if target not in speakers:
        raise DataError(corpus.root, "target_speaker", f"'{target}' is not one of the speakers {speakers}")
    return target


def fit_cmvn(frontend: SpeechFrontend, data: dict[str, Tensor], chunk: int = 64) -> None:
    """Fit the frontend's CMVN on the valid frames of the training segments."""
    with torch.no_grad():
        feats = torch.cat(
            [frontend.raw({"wave": data["wave"][i : i + chunk]}) for i in range(0, len(data["wave"]), chunk)]
        )
    frontend.cmvn.fit(feats, lengths_to_mask(data["n_frames"], feats.shape[1]))


def pretrained_tera(run_dir: str) -> tuple[TERAMethod, dict[str, Any]]:
    """The frozen TERA module of a finished ``speech/tera`` (or ``speech/vc``) run, and its arguments."""
    from ssl_core.engine import load_run
    from ssl_plugin_speech.vc import VoiceConversionMethod

    run = load_run(run_dir)
    tera = run.module.tera if isinstance(run.module, VoiceConversionMethod) else run.module
    if not isinstance(tera, TERAMethod):
        raise DataError(run_dir, "tera_run", f"not a speech TERA run (module {type(run.module).__name__})")
    arch = {k: v for k, v in run.config.recipe_args.items() if k in TERA_ARCH}
    return tera.requires_grad_(False), arch  # type: ignore[return-value]


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
        raise DataError(corpus.root, "pseudo_speakers", f"{k} clusters, {len(external)} external utterances")
    labels, _ = kmeans(torch.stack([stats[i] for i in external]), k, seed=0)
    classes = torch.zeros(len(corpus.utterances), dtype=torch.long)
    classes[torch.tensor(external)] = labels + 1
    return classes


def _vc_target(args: VCArgs, corpus: Corpus, train: Corpus) -> str:
    wanted = args.target_speaker or (EMBEDDED_TARGET if args.data is None else None)
    target = pick_target(train, wanted)
    if len(train.speakers()) < 2:
        raise DataError(corpus.root, "speaker", "voice conversion needs external speakers besides the target")
    return target


MIN_FRAMES = 20
"""Frames (10 ms each) a clip needs to be worth training on: fewer than three of TERA's 7-frame masked
spans (Liu et al. 2021) leave too little unmasked context to reconstruct from."""


def check_clip_lengths(corpus: Corpus) -> None:
    """Refuse a corpus whose clips are all shorter than :data:`MIN_FRAMES`; warn about the short ones."""
    short = [u for u in corpus.utterances if DEFAULT_MEL.n_frames(len(u.wave)) < MIN_FRAMES]
    if not short:
        return
    seconds = MIN_FRAMES * DEFAULT_MEL.hop / DEFAULT_MEL.sample_rate
    if len(short) == len(corpus.utterances):
        raise DataError(corpus.root, "duration", f"every clip is shorter than {seconds:.2f} s after trimming "
                        f"silence ({len(short)} clips); TERA needs at least {MIN_FRAMES} frames per clip")  # fmt: skip
    warn_data(short[0].path, "duration", f"shorter than {seconds:.2f} s after trimming silence "
              f"({len(short)} of {len(corpus.utterances)} clips); it adds almost nothing to training")  # fmt: skip


def build_data(args: TERAArgs) -> SpeechData:
    """Read the corpus, cut the training segments, fit the CMVN (``speech/vc``: pick the target too)."""
    corpus = load_corpus(args.data)
    train = split_corpus(corpus, args.heldout_sentences)
    check_clip_lengths(train)
    vc = args if isinstance(args, VCArgs) else None
    target = _vc_target(vc, corpus, train) if vc else None
    dataset = segment_dataset(train, args.segment_frames, target_speaker=target)
    pretrained, arch = pretrained_tera(vc.tera_run) if vc and vc.tera_run else (None, {})
    frontend = pretrained.frontend if pretrained is not None else SpeechFrontend(DEFAULT_MEL)
    if pretrained is None:
        fit_cmvn(frontend, dataset.tensors)
    if vc and vc.pseudo_speakers > 0 and target is not None:
        classes = pseudo_speaker_classes(frontend, train, target, vc.pseudo_speakers)
        dataset.tensors["spk_class"] = classes[dataset.tensors["utt"]]
    head = corpus.utterances[: args.eval_max_utterances]
    kept = [replace(u, path=u.path.relative_to(corpus.root)) for u in head]
    cmvn = (frontend.cmvn.mean.detach().clone(), frontend.cmvn.std.detach().clone())
    return SpeechData(kept, list(args.heldout_sentences), target, *cmvn, arch, train=dataset, pretrained=pretrained)  # fmt: skip


def padded_waves(utterances: Sequence[Utterance]) -> dict[str, Tensor]:
    """``{"wave": (N, S_max) zero-padded, "n_frames": (N,) valid log-mel frames}`` of the utterances."""
    wave = pad_sequence([torch.from_numpy(u.wave) for u in utterances], batch_first=True)
    n_frames = torch.tensor([DEFAULT_MEL.n_frames(len(u.wave)) for u in utterances], dtype=torch.long)
    return {"wave": wave, "n_frames": n_frames}


def embed_input(path: Path, run: Any) -> dict[str, Tensor]:
    """``embed``'s INPUT: one audio file or a folder of them (sorted path order), one row per file."""
    data: SpeechData = run.recipe.data
    return padded_waves(load_corpus(path, sample_rate=data.sample_rate).utterances)
