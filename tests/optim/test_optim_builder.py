"""build_optimizer: parameter groups without decay on bias/norm, optimizer kinds, set_lr_wd."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ssl_core.errors import ConfigError
from ssl_core.optim import LARS, build_optimizer, param_groups, set_lr_wd
from ssl_core.schema import OptimConfig


class _Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4, 2)
        self.ln = nn.LayerNorm(2)
        self.pos = nn.Parameter(torch.zeros(1, 5, 2))
        self.frozen = nn.Linear(2, 2)
        self.frozen.requires_grad_(False)

    def no_weight_decay(self) -> set[str]:
        return {"pos"}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.ln(self.fc(self.bn(self.conv(x)).mean((2, 3))))


def _ids(params: list[torch.Tensor]) -> set[int]:
    return {id(p) for p in params}


def test_groups_exclude_bias_norm_and_named_params() -> None:
    net = _Net()
    groups = {g["name"]: g for g in param_groups(net, 0.05)}
    assert _ids(groups["decay"]["params"]) == _ids([net.conv.weight, net.fc.weight])
    assert _ids(groups["no_decay"]["params"]) == _ids(
        [net.conv.bias, net.bn.weight, net.bn.bias, net.fc.bias, net.ln.weight, net.ln.bias, net.pos]
    )
    assert groups["decay"]["weight_decay"] == 0.05 and groups["no_decay"]["weight_decay"] == 0.0
    assert not groups["no_decay"]["lars_adapt"] and groups["decay"]["lars_adapt"]


def test_optim_lr_scale_gives_a_module_its_own_groups_and_step_size() -> None:
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    net[1].optim_lr_scale = 10.0  # type: ignore[assignment]
    groups = {g["name"]: g for g in param_groups(net, 0.1)}
    assert list(groups) == ["decay", "no_decay", "decay@lr_x10", "no_decay@lr_x10"]
    assert _ids(groups["decay@lr_x10"]["params"]) == _ids([net[1].weight])
    assert groups["no_decay@lr_x10"]["lr_scale"] == 10.0 and groups["no_decay@lr_x10"]["weight_decay"] == 0.0
    before = [p.detach().clone() for p in net.parameters()]
    opt = torch.optim.SGD(param_groups(net, 0.0), lr=1.0)
    set_lr_wd(opt, 0.01, 0.0)
    net(torch.randn(5, 3)).sum().backward()
    grads = [p.grad.clone() for p in net.parameters()]
    opt.step()
    for p, b, g, s in zip(net.parameters(), before, grads, [1, 1, 10, 10], strict=True):
        torch.testing.assert_close(p.detach(), b - 0.01 * s * g)  # closed form of one SGD step
    net[1].optim_lr_scale = -1.0  # type: ignore[assignment]
    with pytest.raises(ValueError, match="optim_lr_scale"):
        param_groups(net, 0.1)


@pytest.mark.parametrize(
    ("name", "cls"),
    [("adamw", torch.optim.AdamW), ("adam", torch.optim.Adam), ("sgd", torch.optim.SGD), ("lars", LARS)],
)
def test_build_each_optimizer_and_step(name: str, cls: type) -> None:
    torch.manual_seed(0)
    net = _Net()
    opt = build_optimizer(net, OptimConfig(name=name, lr=0.1, weight_decay=0.1))  # type: ignore[arg-type]
    assert isinstance(opt, cls)
    before = net.bn.weight.detach().clone()
    net(torch.randn(2, 3, 6, 6)).pow(2).sum().backward()
    opt.step()
    assert not torch.equal(before, net.bn.weight)
    assert all(p.grad is None for p in net.frozen.parameters())
    assert sum(len(g["params"]) for g in opt.param_groups) == 9


def test_no_decay_group_really_gets_no_decay() -> None:
    """With zero gradients, AdamW only decays: decayed weights shrink, bias/norm stay put."""
    net = _Net()
    opt = build_optimizer(net, OptimConfig(name="adamw", lr=0.1, weight_decay=0.5))
    for p in net.parameters():
        p.grad = torch.zeros_like(p)
    w, b = net.fc.weight.detach().clone(), net.fc.bias.detach().clone()
    opt.step()
    torch.testing.assert_close(net.fc.weight.detach(), w * (1 - 0.1 * 0.5))
    assert torch.equal(net.fc.bias.detach(), b)


def test_set_lr_wd_keeps_no_decay_at_zero() -> None:
    opt = build_optimizer(_Net(), OptimConfig(name="sgd", lr=1.0, weight_decay=0.1))
    opt.add_param_group({"params": [nn.Parameter(torch.zeros(2, 2))], "weight_decay": 0.0})
    set_lr_wd(opt, 0.3, 0.02)
    by_name = {g.get("name", "extra"): g for g in opt.param_groups}
    assert [g["lr"] for g in opt.param_groups] == [0.3, 0.3, 0.3]
    assert by_name["decay"]["weight_decay"] == 0.02
    assert by_name["no_decay"]["weight_decay"] == 0.0 and by_name["extra"]["weight_decay"] == 0.0


def test_fused_default_off_on_cpu() -> None:
    opt = build_optimizer(_Net(), OptimConfig(name="adamw"))
    assert not opt.defaults.get("fused")


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("name", "rmsprop", "optim.name"),
        ("lr", -1.0, "optim.lr"),
        ("weight_decay", -0.1, "optim.weight_decay"),
    ],
)
def test_bad_config_names_key(field: str, value: object, key: str) -> None:
    cfg = OptimConfig()
    setattr(cfg, field, value)  # past the schema's own checks: the builder still refuses it
    with pytest.raises(ConfigError) as info:
        build_optimizer(_Net(), cfg)
    assert info.value.key == key


def test_no_trainable_parameters() -> None:
    net = nn.Linear(2, 2).requires_grad_(False)
    with pytest.raises(ConfigError, match="no trainable parameter"):
        build_optimizer(net, OptimConfig())
