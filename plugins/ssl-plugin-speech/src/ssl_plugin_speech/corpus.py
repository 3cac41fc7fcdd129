"""Speech corpora: folders of WAV / FLAC / Ogg files with an optional ``metadata.tsv``.

Layout understood by :func:`load_corpus`::

    DIR/
      metadata.tsv            # optional: columns path, speaker, utterance_id, transcript (path required)
      <speaker>/<utt>.wav     # without metadata the speaker is the parent folder's name
      ...

Every file goes through :func:`ssl_plugin_speech.audio.load_audio` (validated, mono, 16 kHz,
trimmed, -25 dB). Training datasets are fixed-length waveform segments held in a
:class:`ssl_core.data.TensorDictDataset`; log-mel features are computed from them on the device.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import torch

from ssl_core.data import TensorDictDataset
from ssl_core.errors import DataError
from ssl_plugin_speech.audio import SAMPLE_RATE, SUPPORTED_SUFFIXES, AudioReport, load_audio
from ssl_plugin_speech.features import DEFAULT_MEL, MelConfig

METADATA_NAME = "metadata.tsv"
REFUSED_SUFFIXES = (".mp3", ".m4a", ".aac", ".wma", ".opus", ".aif", ".aiff", ".amr")
"""Audio formats found in folders that are refused with an error instead of silently skipped."""


@dataclass
class Utterance:
    """One loaded utterance."""

    path: Path
    speaker: str
    utterance_id: str
    transcript: str
    wave: np.ndarray
    report: AudioReport

    @property
    def sentence(self) -> str:
        """Sentence key of a parallel corpus: the id after the last ``_`` (VCTK ``p225_003`` -> ``003``)."""
        return self.utterance_id.rsplit("_", 1)[-1]


@dataclass
class Corpus:
    """Loaded utterances of one folder, in a stable (sorted path) order."""

    root: Path
    utterances: list[Utterance] = field(default_factory=list)

    def speakers(self) -> list[str]:
        """Sorted distinct speaker names."""
        return sorted({u.speaker for u in self.utterances})

    def notes(self) -> list[str]:
        """Everything the loader changed, one line per file that was changed."""
        return [f"{u.path.name}: {'; '.join(u.report.notes)}" for u in self.utterances if u.report.notes]


def read_metadata(path: Path) -> dict[str, dict[str, str]]:
    """Read ``metadata.tsv`` into ``{relative path: row}``; a ``path`` column is required."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader, None)
        if not header or "path" not in header:
            raise DataError(path, "path", "metadata.tsv needs a header row with a 'path' column")
        rows: dict[str, dict[str, str]] = {}
        for line_no, fields in enumerate(reader, start=2):
            if not fields:
                continue
            if len(fields) != len(header):
                raise DataError(path, f"line {line_no}", f"{len(fields)} fields, header has {len(header)}")
            row = dict(zip(header, fields))
            rows[row["path"]] = row
    return rows


def default_data_dir() -> Path:
    """The embedded default corpus: 40 VCTK utterances (CC BY 4.0, see assets/vctk/ATTRIBUTION.md)."""
    return Path(str(resources.files("ssl_plugin_speech") / "assets" / "vctk"))


def _audio_files(root: Path) -> list[Path]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    refused = [p for p in files if p.suffix.lower() in REFUSED_SUFFIXES]
    if refused:
        allowed = ", ".join(SUPPORTED_SUFFIXES)
        raise DataError(
            refused[0], "format", f"unsupported audio format '{refused[0].suffix}'; use {allowed}"
        )
    audio = [p for p in files if p.suffix.lower() in SUPPORTED_SUFFIXES]
    if not audio:
        raise DataError(root, "files", f"no audio files ({', '.join(SUPPORTED_SUFFIXES)}) found")
    return audio


def load_corpus(root: str | Path | None = None, *, sample_rate: int = SAMPLE_RATE) -> Corpus:
    """Load every audio file under ``root`` (default: the embedded VCTK subset); log the loader notes.

    Raises:
        DataError: missing folder, no audio, an unsupported format, a bad metadata row, or any
            file rejected by :func:`~ssl_plugin_speech.audio.load_audio`.
    """
    root = default_data_dir() if root is None else Path(root)
    if root.is_file():
        wave, report = load_audio(root, sample_rate=sample_rate)
        utterances, root = [Utterance(root, root.stem, root.stem, "", wave, report)], root.parent
    else:
        utterances = _load_folder(root, sample_rate)
    corpus = Corpus(root, utterances)
    for note in corpus.notes():
        logging.getLogger(__name__).warning("%s", note)  # shown once per file by pretrain and embed
    return corpus


def _load_folder(root: Path, sample_rate: int) -> list[Utterance]:
    """The utterances of a folder (speaker and id from metadata.tsv, else from the path)."""
    if not root.is_dir():
        raise DataError(root, "path", "no such file or folder")
    meta_path = root / METADATA_NAME
    meta = read_metadata(meta_path) if meta_path.is_file() else {}
    files = _audio_files(root)
    known = {p.relative_to(root).as_posix() for p in files}
    for rel in meta:
        if rel not in known:
            raise DataError(meta_path, "path", f"listed file '{rel}' does not exist under {root}")
    utterances = []
    for path in files:
        row = meta.get(path.relative_to(root).as_posix(), {})
        speaker = row.get("speaker") or (path.parent.name if path.parent != root else path.stem)
        wave, report = load_audio(path, sample_rate=sample_rate)
        uid = row.get("utterance_id") or path.stem
        utterances.append(Utterance(path, speaker, uid, row.get("transcript", ""), wave, report))
    return utterances


def segment_waves(
    waves: Sequence[np.ndarray], segment_samples: int, *, min_fraction: float = 0.5
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Cut waveforms into non-overlapping fixed-length segments (the last one zero-padded).

    Args:
        waves: 1-d float waveforms.
        segment_samples: segment length in samples.
        min_fraction: a tail shorter than this fraction of a segment is dropped (unless it is the
            whole waveform).

    Returns:
        ``(segments (N, segment_samples), lengths (N,) valid samples, source (N,) index into waves)``.
    """
    segs, lengths, source = [], [], []
    for i, wave in enumerate(waves):
        for start in range(0, max(len(wave), 1), segment_samples):
            piece = wave[start : start + segment_samples]
            if len(piece) < min_fraction * segment_samples and start > 0:
                continue
            padded = np.zeros(segment_samples, dtype=np.float32)
            padded[: len(piece)] = piece
            segs.append(padded)
            lengths.append(len(piece))
            source.append(i)
    return (
        torch.from_numpy(np.stack(segs)),
        torch.tensor(lengths, dtype=torch.long),
        torch.tensor(source, dtype=torch.long),
    )


def segment_dataset(
    corpus: Corpus,
    segment_frames: int,
    *,
    mel: MelConfig = DEFAULT_MEL,
    target_speaker: str | None = None,
    balance: bool = True,
) -> TensorDictDataset:
    """Fixed-length training segments of ``corpus`` as a ``TensorDictDataset``.

    Keys: ``wave`` ``(N, S)``, ``n_frames`` (valid log-mel frames), ``speaker`` (index into
    :meth:`Corpus.speakers`), ``utt`` (index into ``corpus.utterances``) and ``is_target`` (1.0 for
    ``target_speaker``'s segments). With ``balance`` the target's segments are repeated so that
    about half of all segments are the target speaker's (the any-to-one setting of Zhao et al. 2023).
    """
    if not corpus.utterances:
        raise DataError(corpus.root, "files", "the corpus is empty")
    samples = (segment_frames - 1) * mel.hop
    waves, lengths, source = segment_waves([u.wave for u in corpus.utterances], samples)
    speakers = corpus.speakers()
    spk = torch.tensor([speakers.index(corpus.utterances[i].speaker) for i in source.tolist()])
    if target_speaker is not None and target_speaker not in speakers:
        raise DataError(corpus.root, "speaker", f"target speaker '{target_speaker}' not in {speakers}")
    is_target = (spk == speakers.index(target_speaker)).float() if target_speaker else torch.zeros(len(spk))
    index = torch.arange(len(spk))
    n_target = int(is_target.sum())
    if balance and 0 < n_target < len(spk) - n_target:
        reps = (len(spk) - n_target) // n_target
        index = torch.cat([index] + [index[is_target.bool()]] * (reps - 1))
    n_frames = torch.tensor([mel.n_frames(int(n)) for n in lengths]).clamp_max(segment_frames)
    return TensorDictDataset(
        {
            "wave": waves[index],
            "n_frames": n_frames[index],
            "speaker": spk[index],
            "utt": source[index],
            "is_target": is_target[index],
        },
        source=str(corpus.root),
    )
