import pytest
import torch
from torch import nn

from ssl_core.data import TensorDictDataset
from ssl_core.ema import ema_update_
from ssl_core.engine import train
from ssl_core.interfaces import POOLED, TOKENS, Encoder, Recipe
from ssl_core.methods import JEPAMethod
from ssl_core.objectives import JEPAPredictor
from ssl_core.objectives.jepa_predictor import gather_tokens
from ssl_core.testing.configs import tiny_run_config
from ssl_core.views import ContextTargetMasks

NUM_FEATURES, HIDDEN = 8, 8


class FeatureTokenEncoder(Encoder):
    """One [REG] token + one token per feature; attends only among the context tokens when given."""

    def __init__(self):
        super().__init__()
        self.output_dim = HIDDEN
        self.weight = nn.Parameter(torch.randn(NUM_FEATURES, HIDDEN))
        self.bias = nn.Parameter(torch.zeros(NUM_FEATURES, HIDDEN))
        self.reg = nn.Parameter(torch.randn(1, HIDDEN))
        layer = nn.TransformerEncoderLayer(HIDDEN, 2, 16, dropout=0.0, batch_first=True)
        self.blocks = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)

    def forward(self, batch):
        x = batch["x"]
        tokens = x.unsqueeze(-1) * self.weight + self.bias
        tokens = torch.cat([self.reg.expand(x.shape[0], 1, HIDDEN), tokens], dim=1)
        if "context_idx" in batch:
            tokens = gather_tokens(tokens, batch["context_idx"])
        out = self.blocks(tokens)
        return {TOKENS: out, POOLED: out.mean(1)}


def _method(**kwargs):
    torch.manual_seed(0)
    masks = ContextTargetMasks(NUM_FEATURES, ctx_range=(0.3, 0.5), tgt_range=(0.2, 0.4), num_targets=3)
    predictor = JEPAPredictor(HIDDEN, 8, NUM_FEATURES + 1, depth=1, num_heads=2)
    return JEPAMethod(FeatureTokenEncoder(), predictor, masks, **kwargs), masks


@pytest.mark.parametrize("normalize", [False, True])
def test_loss_equals_manual_per_target_set_mse(normalize):
    method, masks = _method(normalize_targets=normalize)
    batch = {"x": torch.randn(5, NUM_FEATURES)}
    out = method(batch, torch.Generator().manual_seed(3))
    view = masks(batch, torch.Generator().manual_seed(3))["masks"]
    ctx = method.context_encoder(view)[TOKENS]
    full = method.target_encoder(batch)[TOKENS]
    if normalize:
        full = (full - full.mean(-1, keepdim=True)) / (
            full.var(-1, unbiased=False, keepdim=True) + 1e-5
        ).sqrt()
    losses = []
    for tgt in view["target_idx"]:
        pred = method.predictor(ctx, view["context_idx"], tgt)
        losses.append(((pred - gather_tokens(full, tgt)) ** 2).mean())
    torch.testing.assert_close(out.loss, torch.stack(losses).mean(), rtol=1e-5, atol=1e-6)
    assert "loss/jepa" in out.metrics and out.embeddings.shape == (5, HIDDEN)


def test_gradients_reach_context_encoder_and_predictor_not_teacher():
    method, _ = _method()
    out = method({"x": torch.randn(6, NUM_FEATURES)}, torch.Generator().manual_seed(0))
    out.loss.backward()
    assert all(p.grad is not None for p in method.context_encoder.parameters())
    assert all(p.grad is not None for p in method.predictor.parameters())
    assert all(not p.requires_grad and p.grad is None for p in method.target_encoder.parameters())


def test_ema_pairs_and_teacher_state():
    method, _ = _method()
    ((student, teacher),) = method.ema_pairs()
    assert student is method.context_encoder and teacher is method.target_encoder
    method.train()
    assert method.context_encoder.training and not method.target_encoder.training
    with torch.no_grad():
        for p in student.parameters():
            p.add_(1.0)
    before = teacher.reg.detach().clone()
    ema_update_(teacher, student, 0.9)
    torch.testing.assert_close(teacher.reg, 0.9 * before + 0.1 * student.reg.detach())
    assert any(k.startswith("target_encoder.") for k in method.state_dict())


def test_embed_uses_target_encoder_on_full_batch():
    method, _ = _method()
    batch = {"x": torch.randn(3, NUM_FEATURES), "context_idx": torch.zeros(3, 2, dtype=torch.long)}
    torch.testing.assert_close(method.embed(batch), method.target_encoder({"x": batch["x"]})[POOLED])


def test_missing_mask_keys_and_bad_options():
    method, _ = _method()
    method.masks = lambda batch, generator=None: {"masks": dict(batch)}
    with pytest.raises(KeyError, match="context_idx"):
        method({"x": torch.randn(2, NUM_FEATURES)})
    with pytest.raises(ValueError, match="embed_with"):
        JEPAMethod(FeatureTokenEncoder(), nn.Identity(), _method()[1], embed_with="student")


def tiny_config(name, **train_overrides):
    config = tiny_run_config(name, ckpt_every=100, monitor_every=100, log_every=100, **train_overrides)
    config.optim.name, config.optim.lr = "sgd", 0.01
    return config


def test_jepa_method_trains_and_updates_its_teacher(tmp_path):
    method, _ = _method()
    before = {k: v.clone() for k, v in method.target_encoder.state_dict().items()}
    data = TensorDictDataset({"x": torch.randn(16, NUM_FEATURES, generator=torch.Generator().manual_seed(0))})
    recipe = Recipe(name="core/test-jepa", module=method, train_data=data)
    result = train(tiny_config("core/test-jepa", steps=2, batch_size=8), tmp_path / "jepa", recipe=recipe)
    after = result.module.target_encoder.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before)
    assert result.step == 2 and "loss/jepa" in result.metrics
