import pytest
import torch
from torch import nn

from ssl_core.interfaces import POOLED, Encoder, ViewGenerator
from ssl_core.methods import TwoViewMethod
from ssl_core.objectives import BYOLLoss, DirectPredPredictor, NTXentLoss, VICRegLoss


class NoisyViews(ViewGenerator):
    """Two seeded additive-noise views of ``batch["x"]`` (deterministic given the generator)."""

    view_names = ("a", "b")

    def __call__(self, batch, generator=None):
        x = batch["x"]
        return {
            name: {**batch, "x": x + 0.1 * torch.randn(x.shape, generator=generator, dtype=x.dtype)}
            for name in self.view_names
        }


class LinearEncoder(Encoder):
    def __init__(self, d_in=6, d_out=5):
        super().__init__()
        self.output_dim = d_out
        self.lin = nn.Linear(d_in, d_out)

    def forward(self, batch):
        return {POOLED: self.lin(batch["x"])}


def _method(objective=None, **kwargs):
    torch.manual_seed(0)
    return TwoViewMethod(
        NoisyViews(), LinearEncoder(), nn.Linear(5, 4), objective or NTXentLoss(0.5), **kwargs
    )


def test_forward_equals_manual_composition():
    method = _method(objective_name="ntxent")
    batch = {"x": torch.randn(8, 6)}
    out = method(batch, torch.Generator().manual_seed(1))
    views = NoisyViews()(batch, torch.Generator().manual_seed(1))
    za, zb = (method.projector(method.encoder(views[k])[POOLED]) for k in ("a", "b"))
    expected = NTXentLoss(0.5)(za, zb).loss
    torch.testing.assert_close(out.loss, expected)
    assert {"loss/ntxent", "ntxent/acc", "monitor/alignment", "monitor/uniformity"} <= set(out.metrics)
    assert out.embeddings.shape == (8, 5) and not out.embeddings.requires_grad
    assert method.batch_coupled and method.supports_cached_accumulation
    assert method.embed(batch).shape == (8, 5)


def test_cached_embeddings_give_the_same_gradients_as_one_batch():
    """GradCache: encode two micro-batches without grad, loss on the concatenation, replay with grads."""
    batch = {"x": torch.randn(8, 6, dtype=torch.float64)}
    micro = [{"x": batch["x"][:4]}, {"x": batch["x"][4:]}]
    ref = _method(VICRegLoss()).double()
    gen = torch.Generator().manual_seed(2)
    full = [ref.encode(mb, gen) for mb in micro]
    ref.loss_from_embeddings({k: torch.cat([f[k] for f in full]) for k in full[0]}, batch).loss.backward()
    method = _method(VICRegLoss()).double()
    gen = torch.Generator().manual_seed(2)
    states, cached = [], []
    with torch.no_grad():
        for mb in micro:
            states.append(gen.get_state())
            cached.append(method.encode(mb, gen))
    leaves = {k: torch.cat([c[k] for c in cached]).requires_grad_() for k in cached[0]}
    out = method.loss_from_embeddings(leaves, batch)
    out.loss.backward()
    for state, mb, i in zip(states, micro, range(2)):
        gen.set_state(state)
        emb = method.encode(mb, gen)
        keys = [k for k in emb if k.startswith("z/")]
        torch.autograd.backward([emb[k] for k in keys], [leaves[k].grad[4 * i : 4 * i + 4] for k in keys])
    for (name, p), q in zip(ref.named_parameters(), method.parameters()):
        torch.testing.assert_close(q.grad, p.grad, msg=name)


def test_vicreg_training_reduces_loss():
    method = _method(VICRegLoss())
    opt = torch.optim.Adam(method.parameters(), lr=5e-2)
    gen = torch.Generator().manual_seed(0)
    batch = {"x": torch.randn(32, 6, generator=gen)}
    first = None
    for _ in range(15):
        out = method(batch, gen)
        first = first if first is not None else out.loss.item()
        opt.zero_grad()
        out.loss.backward()
        opt.step()
    assert out.loss.item() < 0.5 * first


def test_per_view_encoders_and_projectors():
    torch.manual_seed(0)
    enc = {"a": LinearEncoder(), "b": LinearEncoder()}
    method = TwoViewMethod(NoisyViews(), enc, {"a": nn.Linear(5, 3), "b": nn.Linear(5, 3)}, NTXentLoss())
    batch = {"x": torch.randn(4, 6)}
    out = method(batch, torch.Generator().manual_seed(0))
    out.loss.backward()
    assert all(p.grad is not None for p in method.parameters())
    torch.testing.assert_close(method.embed(batch), enc["a"](batch)[POOLED])
    with pytest.raises(ValueError, match="must match view_keys"):
        TwoViewMethod(NoisyViews(), {"a": LinearEncoder()}, None, NTXentLoss())


def test_missing_views_and_outputs_are_named():
    method = _method(view_keys=("a", "c"))
    with pytest.raises(KeyError, match=r"\['c'\] not produced"):
        method({"x": torch.randn(4, 6)})
    with pytest.raises(ValueError, match="at least two views"):
        _method(view_keys=("a",))

    class NoPooled(LinearEncoder):
        def forward(self, batch):
            return {"tokens": self.lin(batch["x"])}

    bad = TwoViewMethod(NoisyViews(), NoPooled(), None, NTXentLoss())
    with pytest.raises(KeyError, match="no 'pooled'"):
        bad({"x": torch.randn(4, 6)})


def test_byol_with_ema_teacher_and_directpred():
    torch.manual_seed(0)
    method = TwoViewMethod(
        NoisyViews(), LinearEncoder(), nn.Linear(5, 4), BYOLLoss(DirectPredPredictor(4)), ema_teacher=True
    )
    pairs = method.ema_pairs()
    assert [s for s, _ in pairs] == [method.encoder, method.projector]
    assert all(not p.requires_grad for _, t in pairs for p in t.parameters())
    with torch.no_grad():
        for p in method.encoder.parameters():
            p.add_(0.5)
    batch = {"x": torch.randn(6, 6)}
    out = method(batch, torch.Generator().manual_seed(4))
    views = NoisyViews()(batch, torch.Generator().manual_seed(4))
    teacher_enc, teacher_proj = method.teacher["encoder"], method.teacher["projector"]
    z = [method.projector(method.encoder(views[k])[POOLED]) for k in ("a", "b")]
    t = [teacher_proj(teacher_enc(views[k])[POOLED]) for k in ("a", "b")]
    reference = BYOLLoss(DirectPredPredictor(4))
    torch.testing.assert_close(out.loss, reference(*z, targets=t).loss)
    out.loss.backward()
    assert all(p.grad is not None for p in method.encoder.parameters())
    keys = set(method.encode(batch, torch.Generator().manual_seed(4)))
    assert keys == {"z/a", "z/b", "t/a", "t/b", "embedding"}
    with pytest.raises(ValueError, match="ema_teacher"):
        TwoViewMethod(NoisyViews(), LinearEncoder(), None, NTXentLoss(), ema_teacher=True)
