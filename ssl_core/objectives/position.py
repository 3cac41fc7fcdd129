"""Position prediction (MP3): classify each token's absolute position from its content.

Zhai, Jaitly, Ramapuram et al., 2022, "Position Prediction as an Effective Pretraining Strategy",
arXiv 2207.07611. The encoder has *no* position embeddings; optionally a random subset of tokens is
dropped from the attention keys / values (:func:`drop_keys_mask`) so the context is partial.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ssl_core.interfaces import Objective, ObjectiveOutput
from ssl_core.objectives._checks import detached_metrics


def drop_keys_mask(
    batch: int,
    num_tokens: int,
    ratio: float,
    generator: torch.Generator | None = None,
    device: torch.device | None = None,
) -> Tensor:
    """A ``(B, T)`` bool mask, ``True`` for the ``round(ratio * T)`` tokens dropped from keys / values.

    Usable as ``src_key_padding_mask`` of :class:`torch.nn.TransformerEncoder`; at least one token per
    row is always kept. Every row drops a uniformly random subset of the same size.

    Raises:
        ValueError: if ``ratio`` is outside ``[0, 1)``.
    """
    if not 0.0 <= ratio < 1.0:
        raise ValueError(f"drop_keys_mask: ratio must be in [0, 1), got {ratio}")
    n_drop = min(round(ratio * num_tokens), num_tokens - 1)
    scores = torch.rand(batch, num_tokens, generator=generator, device=device)
    ranks = scores.argsort(dim=1).argsort(dim=1)
    return ranks < n_drop


class PositionPredictionLoss(Objective):
    """``L = mean_{b,t} CE(W h_bt, pos_bt)``: a linear head over ``num_positions`` classes.

    Args:
        dim: token width of the encoder.
        num_positions: number of absolute positions (classes).

    Raises:
        ValueError: on non-positive sizes, or (in ``forward``) bad shapes / out-of-range positions.
    """

    def __init__(self, dim: int, num_positions: int) -> None:
        super().__init__()
        if dim < 1 or num_positions < 2:
            raise ValueError(
                f"PositionPredictionLoss: need dim >= 1 and num_positions >= 2, got {dim}, {num_positions}"
            )
        self.num_positions = num_positions
        self.head = nn.Linear(dim, num_positions)

    def forward(self, tokens: Tensor, positions: Tensor | None = None) -> ObjectiveOutput:
        """Loss over ``(B, T, D)`` tokens whose true positions are ``positions`` (default ``0..T-1``)."""
        if tokens.dim() != 3:
            raise ValueError(f"PositionPredictionLoss: tokens must be (B, T, D), got {tuple(tokens.shape)}")
        if positions is None:
            positions = torch.arange(tokens.shape[1], device=tokens.device).expand(tokens.shape[:2])
        if positions.shape != tokens.shape[:2]:
            raise ValueError(
                f"PositionPredictionLoss: positions must be {tuple(tokens.shape[:2])}, got {tuple(positions.shape)}"
            )
        if int(positions.min()) < 0 or int(positions.max()) >= self.num_positions:
            raise ValueError(f"PositionPredictionLoss: positions outside [0, {self.num_positions})")
        logits = self.head(tokens).flatten(0, 1)
        target = positions.reshape(-1).long()
        loss = F.cross_entropy(logits, target)
        accuracy = (logits.argmax(dim=-1) == target).float().mean()
        return ObjectiveOutput(loss, detached_metrics(**{"mp3/loss": loss, "mp3/acc": accuracy}))
