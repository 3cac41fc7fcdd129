"""The run's data: annotations (+ context files) -> clip-split, tokenised question sets with a fitted state.

The split is **by clip**, seeded (no clip in two splits). The WordPiece tokenizer (questions, answers
and concept labels) and the concept vocabulary are fitted on the training split and kept in the run's
``data.pt`` with the encoded splits, so ``evaluate``, ``embed`` and ``answer`` work after the annotation files are gone. The
training set of ``pretrain`` (question prediction, Kim et al., AAAI 2021) holds every training
question; ``labelled`` marks the ``label_fraction`` whose answers the main stage may use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from ssl_core.data import TensorDictDataset
from ssl_core.errors import DataError
from ssl_plugin_video.config import VideoQAArgs
from ssl_plugin_video.context import (
    ContextSpec,
    build_clips,
    fit_concept_vocab,
    label_text,
    others_concepts,
    span_bins,
)
from ssl_plugin_video.readers import QARecord, read_annotations
from ssl_plugin_video.text import encode_texts, load_tokenizer, train_tokenizer


class ClipQADataset(TensorDictDataset):
    """Question tensors (``q``, ``a``, ``answer``, ``labelled``, ``span``, ``clip``) plus per-clip context
    tensors gathered by each question's ``clip`` index when a batch is read (clips are stored once)."""

    def __init__(
        self, items: Mapping[str, Tensor], clips: Mapping[str, Tensor], *, source: str = "<qa>"
    ) -> None:
        super().__init__(items, source=source)
        self.clips = dict(clips)

    def _with_clips(self, batch: dict[str, Tensor]) -> dict[str, Tensor]:
        idx = batch["clip"]
        return {
            **batch,
            **{
                k: v.index_select(0, idx.reshape(-1)).reshape(*idx.shape, *v.shape[1:])
                for k, v in self.clips.items()
            },
        }

    def __getitem__(self, index: int) -> dict[str, Tensor]:
        return self._with_clips(super().__getitem__(index))

    def __getitems__(self, indices: Sequence[int] | Tensor) -> dict[str, Tensor]:
        return self._with_clips(super().__getitems__(indices))

    def subset(self, mask: Tensor) -> ClipQADataset:
        """The questions where ``mask`` is true (same clip tensors)."""
        return ClipQADataset({k: v[mask] for k, v in self.tensors.items()}, self.clips)

    def state(self) -> dict[str, Any]:
        """Tensors only (``torch.load(weights_only=True)``)."""
        return {"items": dict(self.tensors), "clips": dict(self.clips)}


@dataclass
class PreparedQA:
    """Encoded ``train`` / ``val`` / ``test`` question sets and the fitted tokenizer and concept vocabulary."""

    name: str
    tokenizer: str
    concept_vocab: list[str]
    splits: dict[str, ClipQADataset] = field(default_factory=dict)
    has_context: bool = True

    @property
    def train(self) -> ClipQADataset | None:
        """What ``pretrain`` (question prediction) trains on."""
        return self.splits.get("train")

    def state_dict(self) -> dict[str, Any]:
        """Tokenizer, vocabulary and every encoded split."""
        return {"name": self.name, "tokenizer": self.tokenizer, "concept_vocab": list(self.concept_vocab),
                "has_context": self.has_context, "splits": {k: v.state() for k, v in self.splits.items()}}  # fmt: skip


def split_by_clip(
    records: Sequence[QARecord], val: float, test: float, seed: int
) -> dict[str, list[QARecord]]:
    """Seeded split of the clips (not the questions) into train / val / test."""
    clips = sorted({r.clip for r in records})
    order = np.random.default_rng(seed).permutation(len(clips))
    n_test, n_val = round(test * len(clips)), round(val * len(clips))
    if len(clips) - n_test - n_val < 1:
        raise DataError(
            records[0].where.split(":")[0], "<clips>", f"only {len(clips)} clip(s): too few to split by clip"
        )
    names = {"test": order[:n_test], "val": order[n_test : n_test + n_val], "train": order[n_test + n_val :]}
    which = {clips[i]: split for split, idx in names.items() for i in idx}
    out: dict[str, list[QARecord]] = {"train": [], "val": [], "test": []}
    for rec in records:
        out[which[rec.clip]].append(rec)
    return {k: v for k, v in out.items() if v}


def context_spec(args: VideoQAArgs) -> ContextSpec:
    """The context settings of ``args``."""
    return ContextSpec(args.bin_seconds, args.max_frames, args.max_concepts, args.features, args.features_fps,
                       args.videos, args.frame_size)  # fmt: skip


def encode_records(
    records: Sequence[QARecord], tok: Any, vocab: Sequence[str], args: VideoQAArgs
) -> ClipQADataset:
    """Tokenised questions / options, answers, spans (bins) and the clips' context tensors."""
    spec = context_spec(args)
    table = build_clips(records, vocab, spec)
    index = {name: i for i, name in enumerate(table.names)}
    n_opt = len(records[0].options)
    options = encode_texts(tok, [o for r in records for o in r.options], args.max_a_len)
    items = {
        "q": torch.from_numpy(encode_texts(tok, [r.question for r in records], args.max_q_len)),
        "a": torch.from_numpy(options.reshape(len(records), n_opt, args.max_a_len)),
        "answer": torch.tensor([-1 if r.answer is None else r.answer for r in records]),
        "labelled": torch.tensor([r.answer is not None for r in records]),
        "span": torch.tensor([span_bins(r, spec) for r in records], dtype=torch.long),
        "clip": torch.tensor([index[r.clip] for r in records]),
    }
    clips: dict[str, Tensor] = {"frame_mask": torch.from_numpy(table.frame_mask)}
    # the concepts: per clip with every question's boxes, or per question without its own (the default)
    if args.own_concepts:
        held, grids, texts = clips, table.concepts, table.texts
    else:
        held = items
        grids, texts = others_concepts(records, vocab, spec)
    held["concepts"] = torch.from_numpy(grids)
    if args.use_context and args.max_c_len > 0:
        held["concept_text"] = torch.from_numpy(encode_texts(tok, texts, args.max_c_len))
    if table.features is not None:
        clips["features"] = torch.from_numpy(table.features)
    if table.pixels is not None:
        clips["pixels"] = torch.from_numpy(table.pixels)
    return ClipQADataset(items, clips, source=records[0].where.split(":")[0])


def prepare(args: VideoQAArgs, records: Sequence[QARecord], name: str) -> PreparedQA:
    """Split by clip, fit the tokenizer and concept vocabulary on train, encode every split."""
    parts = split_by_clip(records, args.val_fraction, args.test_fraction, args.split_seed)
    train = parts["train"]
    texts = [t for r in train for t in (r.question, *r.options)]
    texts += [label_text([r]) for r in train if r.concepts] if args.use_context else []
    tok = train_tokenizer(texts, args.vocab_size)
    vocab = fit_concept_vocab(train) if args.use_context else []
    splits = {k: encode_records(v, tok, vocab, args) for k, v in parts.items()}
    rng = np.random.default_rng(args.split_seed + 1)
    keep = torch.from_numpy(rng.random(len(train)) < args.label_fraction)
    splits["train"].tensors["labelled"] &= keep
    has_context = args.use_context and (bool(vocab) or bool(args.features) or bool(args.videos))
    return PreparedQA(name, tok.to_str(), vocab, splits, has_context)


def build_data(args: VideoQAArgs) -> PreparedQA:
    """The recipe's data phase: read ``args.data`` (or the embedded slice) and :func:`prepare` it."""
    path = Path(args.data) if args.data else None
    records = read_annotations(path)
    return prepare(args, records, path.stem if path else "nextqa-slice")


def restore_data(args: VideoQAArgs, state: Mapping[str, Any]) -> PreparedQA:
    """The data of a finished run from its ``data.pt`` state (no file is read)."""
    splits = {k: ClipQADataset(v["items"], v["clips"]) for k, v in state["splits"].items()}
    return PreparedQA(str(state["name"]), str(state["tokenizer"]), list(state["concept_vocab"]), splits,
                      bool(state["has_context"]))  # fmt: skip


def embed_input(path: Path, run: Any) -> ClipQADataset:
    """``embed``'s INPUT: an annotation file encoded with the run's tokenizer and concept vocabulary."""
    data: PreparedQA = run.recipe.data
    args = VideoQAArgs(**run.config.recipe_args)
    records = read_annotations(Path(path))
    return encode_records(records, load_tokenizer(data.tokenizer), data.concept_vocab, args)
