"""The ST-SSDL SSLModule and network on a tiny graph: shapes, gradients, ablation, determinism."""

from __future__ import annotations

import numpy as np
import torch
from ssl_plugin_traffic.data import TrafficData
from ssl_plugin_traffic.graph import sparse_support, sym_adj
from ssl_plugin_traffic.method import STSSDL
from ssl_plugin_traffic.model import NetConfig, STSSDLNet
from ssl_plugin_traffic.objectives import STSSDLObjective
from traffic_helpers import make_series, ring_adjacency


def tiny(ssl: bool = True, recompute: bool = False) -> tuple[STSSDL, TrafficData]:
    torch.manual_seed(0)
    data = TrafficData.build(make_series(steps=300, nodes=5), ring_adjacency(5), 6, 4)
    cfg = NetConfig(
        num_nodes=5,
        steps_per_day=24,
        horizon=4,
        rnn_units=8,
        prototype_num=4,
        prototype_dim=4,
        d_node=3,
        d_tod=3,
        use_history=ssl,
        recompute=recompute,
    )
    net = STSSDLNet(cfg, sparse_support(sym_adj(data.adj)))
    objective = STSSDLObjective(0.1, 1.0) if ssl else STSSDLObjective(0.0, 0.0)
    return STSSDL(net, objective, data.scaler, torch.from_numpy(data.table), cl_decay_steps=20), data


def batch_of(data: TrafficData, n: int = 4) -> dict[str, torch.Tensor]:
    return {k: v[:n] for k, v in data.tensors("train").items()}


def test_forward_loss_metrics_and_gradients() -> None:
    module, data = tiny()
    out = module(batch_of(data), torch.Generator().manual_seed(0))
    assert set(out.metrics) == {"mae", "l_c", "l_d"} and out.embeddings.shape == (4, 8)
    out.loss.backward()
    for name, p in module.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
    assert int(module.batches_seen) == 1
    assert module.net.hypernet.in_features == 2 * (8 + 4)  # [h_t, v_t, h_a, v_a]


def test_ablation_has_no_history_branch() -> None:
    module, data = tiny(ssl=False)
    out = module(batch_of(data))
    assert float(out.metrics["l_c"]) == 0 and float(out.metrics["l_d"]) == 0
    assert module.net.hypernet.in_features == 8 + 4  # [h_t, v_t] only
    torch.testing.assert_close(out.loss, out.metrics["mae"])


def test_predict_is_deterministic_and_original_scale() -> None:
    module, data = tiny()
    batch = batch_of(data)
    a, b = module.predict(batch), module.predict(batch)
    torch.testing.assert_close(a, b)
    assert a.shape == (4, 4, 5) and module.training
    assert abs(float(a.mean()) - data.scaler.mean) < 5 * data.scaler.std


def test_recompute_matches_plain_backward() -> None:
    grads = []
    for recompute in (False, True):
        module, data = tiny(recompute=recompute)
        module.eval()  # no scheduled-sampling coin flips
        module(batch_of(data)).loss.backward()
        grads.append([p.grad for p in module.parameters()])
    for a, b in zip(*grads):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_history_anchor_view_uses_table() -> None:
    module, data = tiny()
    batch = batch_of(data)
    anchor = module.anchor(batch)["anchor"]["x"]
    expect = data.scaler.transform(
        torch.from_numpy(data.table[data.slots[data.starts["train"][:4, None] + np.arange(6)]])
    )
    torch.testing.assert_close(anchor, expect)


def test_scheduled_sampling_uses_labels_early() -> None:
    module, data = tiny()
    batch = batch_of(data)
    gen = torch.Generator().manual_seed(0)
    module.train()
    out_forced = module.run(batch, gen)  # batches_seen=0: p = 20/21, teacher forcing almost surely
    module.eval()
    out_free = module.run(batch)
    assert not torch.allclose(out_forced.prediction[:, 1:], out_free.prediction[:, 1:])
    torch.testing.assert_close(out_forced.prediction[:, 0], out_free.prediction[:, 0])


def reference_prediction(net: STSSDLNet, batch: dict[str, torch.Tensor], x_his: torch.Tensor) -> torch.Tensor:
    """The network with the STE input formed and concatenated (official layout), batch-major throughout."""
    adj = net.encoder._matrix("support").to_dense()

    def encode(value: torch.Tensor, tod: torch.Tensor) -> torch.Tensor:
        state = value.new_zeros(value.shape[0], value.shape[2], net.cfg.rnn_units)
        for t in range(value.shape[1]):
            step = net.embedding(value[:, t], tod[:, t])
            state = net.encoder.cell(step, state, lambda v: adj @ v)
        return state

    h_t, h_a = encode(batch["x"], batch["tod_x"]), encode(x_his, batch["tod_x"])
    value, *_ = net.memory(h_t)
    state = torch.cat((h_t, value), -1)
    graph = net.dynamic_graph(torch.cat((state, h_a, net.memory(h_a)[0]), -1))
    go, outputs = state.new_zeros(state.shape[:2]), []
    for t in range(batch["tod_y"].shape[1]):
        state = net.decoder(net.embedding(go, batch["tod_y"][:, t]), state, lambda v: torch.bmm(graph, v))
        go = net.proj(state).squeeze(-1)
        outputs.append(go)
    return torch.stack(outputs, 1)


def test_network_equals_reference_with_formed_inputs_float64() -> None:
    module, data = tiny()
    module.double().eval()
    batch = {k: v.double() if v.is_floating_point() else v for k, v in batch_of(data).items()}
    x_his = module.anchor(batch)["anchor"]["x"]
    net = module.net
    got = net(batch["x"], batch["tod_x"], batch["tod_y"], x_his).prediction
    torch.testing.assert_close(got, reference_prediction(net, batch, x_his))
