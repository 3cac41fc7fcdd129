"""Kim et al. (AAAI 2021) as an SSL module: question-prediction pre-training and the main stage.

* :meth:`VideoQA.forward` (what ``pretrain`` optimises, self-supervised): the question-prediction
  task: given the clip context and an answer, score the true question against questions of other QA
  pairs (:class:`~ssl_plugin_video.views.QuestionCandidates`), cross-entropy over the candidates.
* :meth:`VideoQA.main_loss` (the main stage, run by ``evaluate`` and the bench on labelled questions):
  ``L = CE_answer + lambda_loc * L_loc + lambda_con * L_con`` (answer scores softmaxed over the 5
  options; localisation of ``ts``; masked-answer contrastive).
* :meth:`VideoQA.embed`: the clean option representations, flattened ``(B, O * H)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ssl_core.interfaces import Batch, SSLModule, StepOutput
from ssl_plugin_video.config import VideoQAArgs
from ssl_plugin_video.data import PreparedQA
from ssl_plugin_video.encoders import ContextEncoder, QAEncoder, TextEncoder
from ssl_plugin_video.objectives import MaskedAnswerContrastive, QuestionPredictionLoss, SpanLocalisationLoss
from ssl_plugin_video.text import text_length
from ssl_plugin_video.views import AnswerMasking, QuestionCandidates


@dataclass(frozen=True)
class MainStage:
    """Weights of the main stage's auxiliary losses (0 switches one off) and the masking rate (defaults:
    chosen on the TVQA+ validation split, as :class:`~ssl_plugin_video.config.VideoQAArgs`)."""

    lambda_loc: float = 1.0
    lambda_con: float = 0.5
    tau: float = 0.1
    mask_prob: float = 0.5


class VideoQA(SSLModule):
    """The QA model (:class:`QAEncoder` + a linear answer score) with both training stages."""

    def __init__(self, encoder: QAEncoder, n_candidates: int = 5) -> None:
        super().__init__()
        self.encoder = encoder
        self.score_head = nn.Linear(encoder.text.output_dim, 1)
        self.candidates = QuestionCandidates(n_candidates)
        self.qp_loss = QuestionPredictionLoss()
        self.loc_loss = SpanLocalisationLoss()

    def score(self, batch: Batch) -> tuple[Tensor, Tensor, Tensor | None]:
        """Answer scores ``(B, O)``, option vectors ``(B, O, H)`` and localisation logits ``(B, O, T, 2)``."""
        a = batch["a"]
        z, loc = self.encoder.options(batch["q"][:, None].expand(-1, a.shape[1], -1), a, batch)
        return self.score_head(z).squeeze(-1), z, loc

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        view = self.candidates(batch, generator)["qp"]
        cand, option = view["cand"], view["option"]
        a = batch["a"][torch.arange(len(option), device=option.device), option]  # (B, La)
        q = batch["q"][cand]  # (B, n, Lq)
        z, _ = self.encoder.options(q, a[:, None].expand(-1, cand.shape[1], -1), batch)
        loss, metrics = self.qp_loss(self.score_head(z).squeeze(-1))
        return StepOutput(loss, metrics, embeddings=z[:, 0].detach())

    def main_loss(
        self, batch: Batch, stage: MainStage, generator: torch.Generator | None = None
    ) -> StepOutput:
        """The main stage's loss on labelled questions (``answer >= 0``)."""
        answer = batch["answer"]
        scores, z, loc = self.score(batch)
        ce = F.cross_entropy(scores, answer)
        metrics = {"loss/ce": ce.detach(), "acc/answer": (scores.argmax(1) == answer).float().mean()}
        loss = ce
        rows = torch.arange(len(answer), device=answer.device)
        if stage.lambda_loc > 0 and loc is not None:
            loc_loss, m = self.loc_loss(loc[rows, answer], batch["span"])
            loss, metrics = loss + stage.lambda_loc * loc_loss, {**metrics, **m}
        if stage.lambda_con > 0:
            masked = AnswerMasking(stage.mask_prob)(batch, generator)["masked"]
            z_masked, _ = self.encoder.options(masked["q"][:, None], masked["a"][:, None], batch)
            con, m = MaskedAnswerContrastive(stage.tau)(z_masked[:, 0], z, answer)
            loss, metrics = loss + stage.lambda_con * con, {**metrics, **m}
        return StepOutput(loss, metrics)

    @torch.no_grad()
    def embed(self, batch: Batch) -> Tensor:
        """Clean option representations, flattened ``(B, O * H)``."""
        return self.encoder(batch)["pooled"]


def build_videoqa(vocab_size: int, n_concepts: int, args: VideoQAArgs, *, context: bool = True,
                  feature_dim: int = 0, frames: bool = False, n_options: int = 5) -> VideoQA:  # fmt: skip
    """The model sized by ``args``; ``context=False`` is the language-only model."""
    text = TextEncoder(vocab_size, text_length(args, context), dim=args.dim, depth=args.depth,
                       heads=args.heads, ffn_dim=args.ffn_dim, dropout=args.dropout)  # fmt: skip
    ctx = None
    if context:
        ctx = ContextEncoder(n_concepts, args.max_frames, dim=args.dim, heads=args.heads, window=args.window,
                             feature_dim=feature_dim, frames=frames)  # fmt: skip
    return VideoQA(QAEncoder(text, ctx, n_options), args.qp_candidates)


def build_module(args: VideoQAArgs, data: PreparedQA) -> VideoQA:
    """The recipe's module phase: sized from the fitted tokenizer, concept vocabulary and context tensors."""
    from ssl_plugin_video.text import load_tokenizer

    split = next(iter(data.splits.values()))
    feats = split.clips.get("features")
    return build_videoqa(
        load_tokenizer(data.tokenizer).get_vocab_size(), len(data.concept_vocab), args, context=data.has_context,
        feature_dim=0 if feats is None else int(feats.shape[-1]), frames="pixels" in split.clips,
        n_options=int(split.tensors["a"].shape[1]),
    )  # fmt: skip
