"""The official launch configuration (``OFFICIAL_LAUNCH_ARGS``) builds the official model size."""

from __future__ import annotations

import pytest
import torch.nn.functional as F
from ssl_plugin_tabular.config import OFFICIAL_LAUNCH_ARGS, TJEPAArgs
from ssl_plugin_tabular.method import build_tjepa

from ssl_core.schema import FieldValueError


def test_official_launch_args_build_the_official_predictor() -> None:
    args = TJEPAArgs(**OFFICIAL_LAUNCH_ARGS)  # type: ignore[arg-type]
    model_args = {k: v for k, v in OFFICIAL_LAUNCH_ARGS.items() if k not in ("ctx_range", "tgt_range")}
    module = build_tjepa(6, [9, 16, 7, 15, 6, 5, 2, 42], **model_args)  # type: ignore[arg-type]  # Adult's columns
    layer = module.predictor.blocks.layers[0]
    assert layer.linear1.out_features == 256 and layer.activation is F.relu and not layer.norm_first
    assert layer.dropout.p == pytest.approx(0.0019307456645321797)
    assert module.context_encoder.transformer.layers[0].dropout.p == pytest.approx(args.dropout)
    # 156,032 = the official predictor's parameters (peers.md: 156k), without its 272-parameter output stack
    assert sum(p.numel() for p in module.predictor.parameters()) == 156_032


def test_defaults_keep_the_smaller_predictor_and_bad_values_are_rejected() -> None:
    module = build_tjepa(2, [3])
    layer = module.predictor.blocks.layers[0]
    assert layer.linear1.out_features == 64 and layer.norm_first and layer.activation is F.gelu
    with pytest.raises(FieldValueError, match="pred_ffn_dim"):
        TJEPAArgs(pred_ffn_dim=0)
    with pytest.raises(FieldValueError, match="pred_activation"):
        TJEPAArgs(pred_activation="tanh")
    with pytest.raises(FieldValueError, match="pred_dropout"):
        TJEPAArgs(pred_dropout=1.5)
