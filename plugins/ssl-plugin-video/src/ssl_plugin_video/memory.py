"""The peak memory of one question-prediction step, from the sequence lengths and the model (issue 14).

Each of the batch's questions is scored against ``qp_candidates`` candidate questions, each paired
with the answer as one BERT input ``[CLS] q [SEP] a [SEP]`` of ``max_q_len + max_a_len + 3`` tokens
(with a context, plus the clip's labels ``c [SEP]``: ``max_c_len + 1`` more)
(Kim et al. 2021, AAAI, arXiv 2009.08043; Devlin et al. 2019, BERT): ``batch x candidates`` sequences
through ``depth`` layers, priced by ``ssl_core.resources``. The context stream adds per clip bin its
concepts' local attention and, per candidate, the fused features and the BiGRU over the bins.
"""

from __future__ import annotations

from ssl_core.interfaces import SSLModule
from ssl_core.resources import FLOAT, MemoryEstimate, training_state_bytes, transformer_bytes
from ssl_plugin_video.config import VideoQAArgs
from ssl_plugin_video.data import PreparedQA
from ssl_plugin_video.text import text_length

CONTEXT_FLOATS = 8
"""Floats kept per bin and width unit for the backward pass (embeddings, attention, fusion, GRU gates)."""


def text_bytes(args: VideoQAArgs, batch: int, context: bool = False) -> int:
    """Activation bytes of the BERT text stream: ``batch x qp_candidates`` sequences (with the clip's
    label segment when ``context``)."""
    seq = text_length(args, context)
    return transformer_bytes(batch * args.qp_candidates, seq, dim=args.dim, heads=args.heads,
                             ffn=args.ffn_dim, layers=args.depth)  # fmt: skip


def context_bytes(args: VideoQAArgs, batch: int) -> int:
    """Activation bytes of the context stream: concepts per bin, then fused per candidate."""
    per_bin = args.max_concepts * args.dim + args.qp_candidates * args.dim
    return FLOAT * CONTEXT_FLOATS * batch * args.max_frames * per_bin


def estimate_memory(args: VideoQAArgs, data: PreparedQA, module: SSLModule, batch: int) -> MemoryEstimate:
    """The estimated peak bytes of one pretraining step on ``batch`` questions."""
    seq = text_length(args, data.has_context)
    text = text_bytes(args, batch, data.has_context)
    context = context_bytes(args, batch) if data.has_context else 0
    return MemoryEstimate(
        training_state_bytes(module) + text + context,
        f"mostly BERT over {args.qp_candidates} candidates x {seq} tokens x width {args.dim} x {args.depth} "
        f"layers x batch {batch}" + (f", plus the context stream over {args.max_frames} bins" if context else ""),
        (f"train.batch_size ({batch})", f"recipe_args.qp_candidates ({args.qp_candidates})",
         f"recipe_args.max_q_len ({args.max_q_len}) / max_a_len ({args.max_a_len}) / max_c_len ({args.max_c_len})",
         f"recipe_args.depth ({args.depth}) / dim ({args.dim})", f"recipe_args.max_frames ({args.max_frames})"),
        source=str(args.data) if args.data else "<embedded NExT-QA slice>",
    )  # fmt: skip
