"""Every core objective passes the testing kit's contract check and is registered as ``core/<name>``."""

import pytest
import torch

from ssl_core.objectives import (
    BarlowTwinsLoss,
    BYOLLoss,
    CLIPLoss,
    DirectPredPredictor,
    FixedWeighting,
    JEPALoss,
    MaskedReconstructionLoss,
    MatryoshkaLoss,
    MLPPredictor,
    NTXentLoss,
    PositionPredictionLoss,
    UncertaintyWeighting,
    VICRegLoss,
)
from ssl_core.testing.contracts import check_objective


def _emb(n_views: int, rows: int = 6, dim: int = 8, extra: tuple[int, ...] = ()) -> tuple[torch.Tensor, ...]:
    gen = torch.Generator().manual_seed(n_views)
    return tuple(torch.randn(rows, *extra, dim, generator=gen).requires_grad_() for _ in range(n_views))


def _recon_inputs():
    gen = torch.Generator().manual_seed(0)
    pred = torch.randn(2, 5, 3, generator=gen).requires_grad_()
    return pred, torch.randn(2, 5, 3, generator=gen), torch.rand(2, 5, generator=gen) < 0.5


CASES = {
    "ntxent-2": (lambda: NTXentLoss(), lambda: _emb(2)),
    "ntxent-3": (lambda: NTXentLoss(0.1), lambda: _emb(3)),
    "clip": (CLIPLoss, lambda: _emb(2)),
    "byol-mlp": (lambda: BYOLLoss(MLPPredictor(8, 16)), lambda: _emb(2)),
    "simsiam-directpred": (lambda: BYOLLoss(DirectPredPredictor(8)), lambda: _emb(2)),
    "vicreg": (VICRegLoss, lambda: _emb(2)),
    "barlow": (BarlowTwinsLoss, lambda: _emb(2)),
    "masked-l1": (lambda: MaskedReconstructionLoss("l1", norm_targets=True), _recon_inputs),
    "jepa": (JEPALoss, lambda: (_emb(1, extra=(3,))[0], torch.randn(6, 3, 8))),
    "position": (lambda: PositionPredictionLoss(8, 4), lambda: _emb(1, extra=(4,))),
    "matryoshka": (lambda: MatryoshkaLoss(NTXentLoss(), dims=[2, 4]), lambda: _emb(2, extra=(3,))),
    "fixed": (lambda: FixedWeighting({"a": 1.0, "b": 0.5}), lambda: _emb(2, rows=1, dim=1, extra=())),
    "uncertainty": (lambda: UncertaintyWeighting(["a", "b"]), lambda: _emb(2, rows=1, dim=1, extra=())),
}


def _scalar(inputs):
    return tuple(x.sum().detach().requires_grad_() for x in inputs)


@pytest.mark.parametrize("case", sorted(CASES))
def test_objective_contract(case):
    factory, make_inputs = CASES[case]
    inputs = make_inputs()
    if case in ("fixed", "uncertainty"):
        inputs = _scalar(inputs)
    out = check_objective(factory(), inputs)
    assert out.loss.dim() == 0


def test_flags():
    coupled = {NTXentLoss, CLIPLoss, VICRegLoss, BarlowTwinsLoss, MatryoshkaLoss}
    for cls in (
        *coupled,
        BYOLLoss,
        JEPALoss,
        MaskedReconstructionLoss,
        PositionPredictionLoss,
        FixedWeighting,
    ):
        assert cls.batch_coupled is (cls in coupled), cls
    assert BYOLLoss.needs_teacher and JEPALoss.needs_teacher and not NTXentLoss.needs_teacher


def test_core_objectives_are_registered_and_build(ssl_pm):
    registry = ssl_pm.registries().objectives
    assert len(registry.names()) == 14 and all(name.startswith("core/") for name in registry.names())
    assert isinstance(registry.build("core/vicreg", lambda_=10.0), VICRegLoss)
    assert isinstance(registry.build("core/ntxent", temperature=0.2), NTXentLoss)
    for name in registry.names():
        assert callable(registry.get(name).load())


@pytest.mark.parametrize("cls", [NTXentLoss, CLIPLoss, VICRegLoss, BarlowTwinsLoss])
def test_batch_coupled_losses_run_in_float32_under_autocast(cls):
    views = [v.detach().to(torch.bfloat16) for v in _emb(2)]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = cls()(*views)
    assert out.loss.dtype == torch.float32
    torch.testing.assert_close(out.loss, cls()(*(v.float() for v in views)).loss)
