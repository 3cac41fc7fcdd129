"""The view generators, monitors and evaluators on a CUDA device (skipped on CPU-only machines)."""

import pytest
import torch

from ssl_core import views
from ssl_core.evaluation import GSimCLRBatchSampler, kmeans, knn_classify, linear_probe
from ssl_core.monitors import OnlineProbe, label_free_metrics
from ssl_core.testing.contracts import check_view_generator

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def _series():
    return {
        "x": torch.randn(6, 32, 3, device="cuda"),
        "lengths": torch.tensor([32, 20, 10, 32, 5, 31], device="cuda"),
    }


@pytest.mark.parametrize(
    "make",
    [
        lambda: (views.MaskingView("x", kind="span", span=4, lengths_key="lengths"), _series(), True),
        lambda: (views.GeometricMaskView("x", num_views=2), _series(), True),
        lambda: (views.TERAAlteration("x", magnitude_p=1.0), _series(), True),
        lambda: (views.FeatureSubsetView("x"), {"x": torch.randn(6, 10, device="cuda")}, True),
        lambda: (
            views.FeatureSubsetView("x", "correlated", mi=torch.rand(10, 10)),
            {"x": torch.randn(6, 10, device="cuda")},
            True,
        ),
        lambda: (views.FourierFrameView("x"), {"x": torch.randn(6, 24, device="cuda")}, False),
        lambda: (views.WaveletFrameView("x", num_scales=3), {"x": torch.randn(6, 24, device="cuda")}, False),
    ],
)
def test_views_on_cuda(make):
    generator, batch, stochastic = make()
    out = check_view_generator(generator, batch, stochastic=stochastic)
    for view in out.values():
        assert all(v.device.type == "cuda" for v in view.values() if isinstance(v, torch.Tensor))


def test_context_target_masks_on_cuda_match_shapes():
    ctx, tgt = views.ContextTargetMasks(20).sample(8, torch.Generator(device="cuda").manual_seed(0), "cuda")
    assert ctx.device.type == "cuda" and tgt.device.type == "cuda" and tgt.shape[1] == 8


def test_frames_invertible_on_cuda():
    x = torch.randn(3, 2, 40, device="cuda", dtype=torch.float64)
    assert torch.allclose(views.inverse_fourier_frame(views.fourier_frame(x), 40), x, atol=1e-10)
    f = views.morlet_filters(40, 5, device="cuda")
    assert torch.allclose(views.inverse_wavelet_frame(views.wavelet_frame(x, f), f), x, atol=1e-10)


def test_evaluators_and_monitors_on_cuda():
    g = torch.Generator(device="cuda").manual_seed(0)
    x = torch.randn(400, 8, device="cuda", generator=g)
    y = (x[:, 0] > 0).long()
    assert linear_probe(x[:300], y[:300], x[300:], y[300:], epochs=200, lr=5e-2)["acc"] > 0.9
    assert knn_classify(x[:300], y[:300], x[300:], y[300:], k=5) > 0.7
    labels, _ = kmeans(x, 8, seed=0)
    assert labels.device.type == "cuda"
    sampler = GSimCLRBatchSampler(x, batch_size=4, num_clusters=8)
    assert torch.equal(sampler.labels, labels.cpu())
    for batch in sampler:
        assert len({int(sampler.labels[i]) for i in batch}) == len(batch) == 4
    assert set(label_free_metrics(x)) == {"monitor/rankme", "monitor/std"}
    probe = OnlineProbe(8)
    out = probe.update(x[:200], y[:200])
    out = probe.update(x[200:], y[200:])
    assert probe.bank.device.type == "cuda" and "probe/knn_acc" in out
