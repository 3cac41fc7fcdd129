"""The peak memory of one T-JEPA step, from the table's width and the model's size (issue 14).

Every feature column is a token, so attention grows with the square of the column count: the
context encoder keeps ``heads x T_ctx^2`` weights per layer and sample for the backward pass, the
target encoder (no gradient) one layer of ``heads x T^2``, the predictor ``pred_heads x T_pred^2``
per target set and sample (Thimonier et al. 2025, T-JEPA; ``ssl_core.resources`` prices the layers).
"""

from __future__ import annotations

import math

from ssl_core.interfaces import SSLModule
from ssl_core.resources import MemoryEstimate, training_state_bytes, transformer_bytes
from ssl_plugin_tabular.config import TJEPAArgs
from ssl_plugin_tabular.data import PreparedTable


def estimate_memory(args: TJEPAArgs, data: PreparedTable, module: SSLModule, batch: int) -> MemoryEstimate:
    """The estimated peak bytes of one training step on ``batch`` rows of ``data``."""
    features = len(data.prep.schema.numeric) + len(data.prep.cardinalities)
    tokens = features + args.n_cls
    ctx = min(tokens, args.n_cls + math.ceil(args.ctx_range[1] * features))
    pred = min(tokens, ctx + math.ceil(args.tgt_range[1] * features))
    enc = {"dim": args.dim, "heads": args.heads, "ffn": args.ffn_dim, "layers": args.depth}
    targets = batch * args.num_targets
    parts = {
        f"the encoder's attention over {ctx:,} of {tokens:,} tokens x {args.heads} heads x batch {batch} "
        f"x {args.depth} layers": transformer_bytes(batch, ctx, **enc)
        + transformer_bytes(batch, tokens, **enc, grad=False),
        f"the predictor's attention over {pred:,} of {tokens:,} tokens x {args.pred_heads} heads x batch "
        f"{batch} x {args.num_targets} target sets x {args.pred_depth} layers": transformer_bytes(
            targets,
            pred,
            dim=args.pred_dim,
            heads=args.pred_heads,
            ffn=4 * args.pred_dim,
            layers=args.pred_depth,
        ),
    }
    main = max(parts, key=parts.__getitem__)
    return MemoryEstimate(
        training_state_bytes(module) + sum(parts.values()),
        f"{features:,} feature columns; mostly {main}",
        (
            f"train.batch_size ({batch})",
            f"recipe_args.depth ({args.depth}) / pred_depth ({args.pred_depth})",
            f"recipe_args.num_targets ({args.num_targets})",
            "the number of feature columns (memory grows with its square)",
        ),  # fmt: skip
        source=str(args.data) if args.data else "<embedded Adult>",
    )
