import torch

from ssl_core.monitors import OnlineProbe


def _blobs(n: int, classes: int, dim: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    centers = torch.randn(classes, dim, generator=torch.Generator().manual_seed(99)) * 4
    y = torch.randint(classes, (n,), generator=g)
    return centers[y] + torch.randn(n, dim, generator=g), y


def test_online_probe_learns_and_grows_lazily():
    probe = OnlineProbe(8, lr=0.1, bank_size=256, k=5)
    assert probe.num_classes == 0
    x, y = _blobs(64, 2, 8, 0)
    probe.update(x, y)
    assert probe.num_classes == 2
    for step in range(30):
        x, y = _blobs(64, 3, 8, step + 1)
        out = probe.update(x, y)
    assert probe.num_classes == 3
    assert out["probe/linear_acc"] > 0.9
    assert out["probe/knn_acc"] > 0.9
    assert len(probe.bank) == 256


def test_online_probe_does_not_send_gradients():
    probe = OnlineProbe(4)
    emb = torch.randn(16, 4, requires_grad=True)
    probe.update(emb, torch.arange(16) % 2)
    assert emb.grad is None


def test_online_probe_state_dict_roundtrip():
    probe = OnlineProbe(8, bank_size=100)
    for step in range(5):
        x, y = _blobs(32, 4, 8, step)
        probe.update(x, y)
    fresh = OnlineProbe(8, bank_size=100)
    fresh.load_state_dict(probe.state_dict())
    x, _ = _blobs(32, 4, 8, 123)
    assert torch.equal(fresh.predict(x), probe.predict(x))
    assert torch.equal(fresh.bank, probe.bank)
    assert fresh.num_classes == 4
