"""The encoders of Kim et al. (AAAI 2021): a BERT-style text encoder and the clip-context stream.

* :class:`TextEncoder`: ``transformers``' ``BertModel`` built from a small ``BertConfig`` (trained
  from scratch, no download) over ``[CLS] question [SEP] option [SEP]`` and, with a context, the
  clip's detected labels ``labels [SEP]`` (the paper's BERT input holds the object labels too); the
  ``[CLS]`` state.
* :class:`ContextEncoder`: per time bin, the concept tokens (TVQA+ labels) and optional frame
  features / frames (a small CNN); concept tokens attend locally (:mod:`ssl_plugin_video.attention`)
  and are pooled per bin.
* :class:`QAEncoder`: one joint vector per option: the text state, fused with the context bins
  (``[f_t ; f_t * h_k]``), a bidirectional GRU over time (the paper's RNN over the aligned context)
  and a max over time; per-bin start / end logits for temporal localisation.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import torch
from torch import Tensor, nn

from ssl_core.interfaces import POOLED, Encoder
from ssl_plugin_video.attention import LocalAlignedAttention
from ssl_plugin_video.text import PAD_ID, assemble

for _var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
    os.environ.setdefault(_var, "1")  # nothing is ever downloaded


class TextEncoder(nn.Module):
    """A BERT-style encoder from a ``transformers.BertConfig`` (random init): ``(N, L)`` ids -> ``(N, H)``."""

    def __init__(self, vocab_size: int, max_len: int, *, dim: int = 128, depth: int = 2, heads: int = 4,
                 ffn_dim: int = 256, dropout: float = 0.1) -> None:  # fmt: skip
        super().__init__()
        from transformers import BertConfig, BertModel

        config = BertConfig(vocab_size=vocab_size, hidden_size=dim, num_hidden_layers=depth, num_attention_heads=heads,
                            intermediate_size=ffn_dim, max_position_embeddings=max_len, hidden_dropout_prob=dropout,
                            attention_probs_dropout_prob=0.0, type_vocab_size=2, pad_token_id=PAD_ID)  # fmt: skip
        self.bert = BertModel(config, add_pooling_layer=False)
        self.output_dim = dim

    def forward(self, ids: Tensor, mask: Tensor, types: Tensor) -> Tensor:
        out = self.bert(input_ids=ids, attention_mask=mask, token_type_ids=types)
        return out.last_hidden_state[:, 0]  # type: ignore[no-any-return]


class FrameCNN(nn.Module):
    """A small CNN for decoded RGB frames ``(N, 3, S, S)`` uint8 -> ``(N, H)`` (the paper uses ResNet-101
    features; no pretrained weights may be downloaded here, so this one trains from scratch)."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, dim),
        )  # fmt: skip

    def forward(self, pixels: Tensor) -> Tensor:
        return self.net(pixels.float() / 255.0 - 0.5)  # type: ignore[no-any-return]


class ContextEncoder(nn.Module):
    """Per-bin context ``(B, T, H)``: concept embeddings + optional features / frames, locally attended.

    Args:
        n_concepts: concept vocabulary size (ids 0 = padding, 1 = unseen, 2.. = labels).
        max_frames: bins per clip.
        dim, heads, window: width, attention heads, half-width of the local window.
        feature_dim: width of pre-extracted frame features (0: none).
        frames: whether decoded frames (``pixels``) are given.
    """

    def __init__(self, n_concepts: int, max_frames: int, *, dim: int, heads: int, window: int,
                 feature_dim: int = 0, frames: bool = False) -> None:  # fmt: skip
        super().__init__()
        self.concepts = nn.Embedding(n_concepts + 2, dim, padding_idx=0)
        self.time = nn.Embedding(max_frames, dim)
        self.features = nn.Linear(feature_dim, dim) if feature_dim else None
        self.cnn = FrameCNN(dim) if frames else None
        self.local = LocalAlignedAttention(dim, heads, window)
        self.norm = nn.LayerNorm(dim)

    def forward(self, batch: Mapping[str, Tensor]) -> Tensor:
        concepts, frame_mask = batch["concepts"], batch["frame_mask"]
        token_mask = (concepts != 0).float()
        emb = self.concepts(concepts)  # (B, T, K, H)
        base = (emb * token_mask[..., None]).sum(2) / token_mask.sum(2, keepdim=True).clamp(min=1.0)
        base = base + self.time.weight[: concepts.shape[1]]
        if self.features is not None:
            base = base + self.features(batch["features"])
        if self.cnn is not None:
            pix = batch["pixels"]
            base = base + self.cnn(pix.flatten(0, 1)).reshape(*pix.shape[:2], -1)
        local = self.local(emb, token_mask, base, frame_mask)  # (B, T, K, H)
        pooled = (local * token_mask[..., None]).sum(2) / token_mask.sum(2, keepdim=True).clamp(min=1.0)
        return self.norm(base + pooled) * frame_mask[..., None]


class QAEncoder(Encoder):
    """Joint per-option representations ``(B, O, H)`` and localisation logits ``(B, O, T, 2)``.

    ``forward(batch)`` (the :class:`~ssl_core.interfaces.Encoder` contract) reads ``q (B, Lq)``,
    ``a (B, O, La)`` and the context keys and returns ``pooled``: the option vectors flattened,
    ``(B, O * H)`` (and ``span_logits`` ``(B, O, T, 2)`` with a context). :meth:`options` is the general call (any question per option).
    """

    def __init__(self, text: TextEncoder, context: ContextEncoder | None, n_options: int = 5) -> None:
        super().__init__()
        dim = text.output_dim
        self.text, self.context = text, context
        self.n_options = n_options
        self.output_dim = n_options * dim
        if context is not None:
            self.fuse = nn.Linear(2 * dim, dim)
            self.gru = nn.GRU(dim, dim // 2, batch_first=True, bidirectional=True)
            self.loc = nn.Linear(dim, 2)
        self.norm = nn.LayerNorm(dim)

    def options(self, q: Tensor, a: Tensor, batch: Mapping[str, Tensor]) -> tuple[Tensor, Tensor | None]:
        """``q (B, O, Lq)`` and ``a (B, O, La)`` with each row's clip context -> ``z (B, O, H)`` and
        localisation logits ``(B, O, T, 2)`` (``None`` without context)."""
        b, o = a.shape[:2]
        c = batch.get("concept_text") if self.context is not None else None
        ids, mask, types = assemble(q, a, None if c is None else c[:, None].expand(b, o, -1))
        h = self.text(ids.flatten(0, 1), mask.flatten(0, 1), types.flatten(0, 1)).reshape(b, o, -1)
        if self.context is None:
            return self.norm(h), None
        frames, frame_mask = self.context(batch), batch["frame_mask"]  # (B, T, H), (B, T)
        t = frames.shape[1]
        f = frames[:, None].expand(b, o, t, -1)
        g = torch.relu(self.fuse(torch.cat([f, f * h[:, :, None]], dim=-1))).flatten(0, 1)
        g, _ = self.gru(g)  # (B*O, T, H)
        m = frame_mask[:, None].expand(b, o, t).flatten(0, 1)
        v = g.masked_fill(~m[..., None], float("-inf")).amax(1).nan_to_num(0.0, neginf=0.0)
        logits = self.loc(g).masked_fill(~m[..., None], -1e4).reshape(b, o, t, 2)
        return self.norm(h + v.reshape(b, o, -1)), logits

    def forward(self, batch: Mapping[str, Tensor]) -> dict[str, Tensor]:
        a = batch["a"]
        q = batch["q"][:, None].expand(-1, a.shape[1], -1)
        z, loc = self.options(q, a, batch)
        return {POOLED: z.flatten(1)} if loc is None else {POOLED: z.flatten(1), "span_logits": loc}
