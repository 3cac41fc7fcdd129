"""TERA = the core MaskedReconstructionMethod with the speech front-end: equal to the old speech method.

``assets/tera_v1_golden.pt`` was recorded with the speech plugin's own TERA method before it was
replaced by the core method (state dict, waveform batch, loss, metrics, gradients, embeddings and
frame features for fixed seeds); loading that state dict must work unchanged (same key names) and
reproduce every recorded output. :func:`_reference_step` spells the old forward out from the
building blocks, for an exact comparison on fresh modules.
"""

from __future__ import annotations

from pathlib import Path

import torch
from speech_helpers import TINY_ARGS
from ssl_plugin_speech.config import TERAArgs
from ssl_plugin_speech.method import build_tera

from ssl_core.interfaces import POOLED, TOKENS
from ssl_core.nn.sequence import lengths_to_mask, masked_mean

GOLDEN = Path(__file__).parent / "assets" / "tera_v1_golden.pt"


def _step(tera, batch, seed: int = 11):  # noqa: ANN001, ANN202 - module and batch of the plugin
    """One training step on a fresh graph: (StepOutput, {parameter name: gradient})."""
    tera.zero_grad(set_to_none=True)
    tera.train()
    torch.manual_seed(seed)
    out = tera(batch, torch.Generator().manual_seed(5))
    out.loss.backward()
    return out, {k: p.grad.clone() for k, p in tera.named_parameters()}


def _reference_step(tera, batch, seed: int = 11):  # noqa: ANN001, ANN202
    """The old speech forward, written out: front-end, alteration, encoder, head, L1 on the altered entries."""
    tera.zero_grad(set_to_none=True)
    tera.train()
    torch.manual_seed(seed)
    clean = tera.frontend(batch)
    view = tera.views(clean, torch.Generator().manual_seed(5))["altered"]
    reps = tera.encoder(view)
    pred = tera.head(reps[TOKENS])
    weight = view["mask"].to(torch.float32)
    errors = (pred - clean["features"]).abs()
    loss = torch.where(weight > 0, errors * weight, torch.zeros_like(errors)).sum() / weight.sum().clamp(
        min=1.0
    )
    loss.backward()
    return loss.detach(), reps[POOLED].detach(), {k: p.grad.clone() for k, p in tera.named_parameters()}


def _batch() -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(2)
    return {"wave": 0.1 * torch.randn(3, 47 * 160, generator=gen), "n_frames": torch.tensor([48, 30, 9])}


def test_old_checkpoint_loads_and_reproduces_the_old_method() -> None:
    golden = torch.load(GOLDEN, weights_only=True)
    tera = build_tera(TERAArgs(**golden["args"]))
    tera.load_state_dict(golden["state_dict"])  # strict: the key names did not change
    assert sorted(tera.state_dict()) == sorted(golden["state_dict"])
    batch = {"wave": golden["wave"], "n_frames": golden["n_frames"]}
    out, grads = _step(tera, batch)
    close = {"rtol": 1e-5, "atol": 1e-6}
    torch.testing.assert_close(out.loss.detach(), golden["loss"], **close)
    assert sorted(out.metrics) == sorted(golden["metrics"])
    for key, value in golden["metrics"].items():
        torch.testing.assert_close(out.metrics[key], value, **close)
    torch.testing.assert_close(out.embeddings, golden["pooled"], **close)
    assert sorted(grads) == sorted(golden["grads"])
    for key, grad in golden["grads"].items():
        torch.testing.assert_close(grads[key], grad, **close)
    tera.eval()
    with torch.no_grad():
        torch.testing.assert_close(tera.embed(batch), golden["embed"], **close)
        torch.testing.assert_close(tera.tokens(batch), golden["tokens"], **close)


def test_step_equals_the_written_out_reference_exactly() -> None:
    torch.manual_seed(0)
    tera = build_tera(TERAArgs(**{**TINY_ARGS, "layers": 2}))
    batch = _batch()
    out, grads = _step(tera, batch)
    ref_loss, ref_pooled, ref_grads = _reference_step(tera, batch)
    assert torch.equal(out.loss.detach(), ref_loss)
    assert torch.equal(out.metrics["loss/tera"], ref_loss)
    assert torch.equal(out.embeddings, ref_pooled)
    assert all(torch.equal(grads[k], ref_grads[k]) for k in ref_grads)
    assert all(g.abs().sum() > 0 for k, g in grads.items() if k.startswith(("encoder.proj", "head.")))


def test_loss_against_float64_l1_and_embedding_against_a_loop() -> None:
    torch.manual_seed(0)
    tera = build_tera(TERAArgs(**{**TINY_ARGS, "layers": 2}))
    batch = _batch()
    out, _ = _step(tera, batch)
    tera.train()
    torch.manual_seed(11)
    clean = tera.frontend(batch)
    view = tera.views(clean, torch.Generator().manual_seed(5))["altered"]
    pred = tera.head(tera.encoder(view)[TOKENS]).double()
    mask = view["mask"]
    ref = (pred - clean["features"].double()).abs()[mask].mean()
    assert abs(out.loss.item() - ref.item()) <= 1e-6 * ref.item()
    tera.eval()
    with torch.no_grad():
        frames = tera.tokens(batch)
        valid = lengths_to_mask(batch["n_frames"], frames.shape[1])
        expected = torch.stack([frames[b, : int(n)].mean(0) for b, n in enumerate(batch["n_frames"])])
        torch.testing.assert_close(tera.embed(batch), expected, rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(masked_mean(frames, valid, dim=1), expected, rtol=1e-5, atol=1e-6)
