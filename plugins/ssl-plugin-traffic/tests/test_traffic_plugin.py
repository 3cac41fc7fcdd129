"""The plugin table: registrations, the contract check (quick demo, evaluate, embed), CLI options."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import ssl_plugin_traffic.plugin as plugin
import torch
from ssl_plugin_traffic.encoders import GCRUEncoder, STEmbedding
from ssl_plugin_traffic.graph import sparse_support, sym_adj
from ssl_plugin_traffic.objectives import DeviationLoss, PrototypeTripletLoss, STSSDLObjective
from ssl_plugin_traffic.views import HistoryAnchorView
from traffic_helpers import write_input

from ssl_core.testing import check_plugin


def test_registered_components() -> None:
    from ssl_core.plugins import get_registries

    regs = get_registries()
    assert "traffic/stssdl" in regs.recipes.names()
    assert {"traffic/stssdl", "traffic/prototype-triplet", "traffic/deviation"} <= set(
        regs.objectives.names()
    )
    assert "traffic/history-anchor" in regs.view_generators.names()
    assert "traffic/gcru" in regs.encoders.names()
    assert "demos" not in plugin.PLUGIN.provides  # the demo is the core's (DomainSpec)


def _encoder() -> tuple[GCRUEncoder, dict[str, torch.Tensor]]:
    adj = sym_adj(np.eye(4) + np.roll(np.eye(4), 1, axis=1))
    encoder = GCRUEncoder(STEmbedding(4, 24, 2, 3, 3), sparse_support(adj), hidden=6)
    return encoder, {"x": torch.randn(3, 5, 4), "tod_x": torch.randint(0, 24, (3, 5))}


def _memory(n: int = 3) -> tuple[torch.Tensor, ...]:
    return tuple(torch.randn(2, 4, 5, requires_grad=True) for _ in range(n))


EXAMPLES = {
    "traffic/gcru": _encoder,
    "traffic/history-anchor": lambda: (
        HistoryAnchorView(torch.arange(24.0).view(8, 3)),
        {"x": torch.randn(2, 4, 3), "slot_x": torch.randint(0, 8, (2, 4)), "tod_x": torch.zeros(2, 4)},
    ),
    "traffic/stssdl": lambda: (
        STSSDLObjective(0.1, 1.0),
        (
            torch.rand(2, 3, 4, requires_grad=True),
            torch.rand(2, 3, 4) + 0.5,
            torch.randn(2, 4, 5),
            *_memory(2),
            torch.randn(2, 4, 5),
            _memory(1)[0],
        ),
    ),  # fmt: skip
    "traffic/prototype-triplet": lambda: (PrototypeTripletLoss(), (torch.randn(2, 4, 5), *_memory(2))),
    "traffic/deviation": lambda: (DeviationLoss(), (torch.randn(2, 4, 5), torch.randn(2, 4, 5), *_memory(2))),
}


@pytest.mark.timeout(180)
def test_plugin_contract(tmp_path: Path) -> None:
    """Quick demo (ST-SSDL + no-ssl run), evaluate rows with baselines, embed round trip."""
    check_plugin(plugin.TABLE, tmp_path=tmp_path, examples=EXAMPLES,
                 embed_input=lambda folder: write_input(folder / "recent.csv", nodes=8, steps=20))  # fmt: skip


def test_pretrain_options_come_from_the_args_dataclass(cli_runner) -> None:
    result = cli_runner.ssl("traffic", "pretrain", "--help")
    assert result.exit_code == 0, result.output
    for option in ("--graph", "--data", "--resume", "--force", "--steps", "--nproc-per-node", "--set"):
        assert option in result.output
    assert "*adj* / *distance* file next to --data" in " ".join(result.output.split())  # help wraps
    for gone in ("--epochs", "--threads", "--ablation"):
        assert gone not in result.output
    result = cli_runner.ssl("traffic", "--help")
    assert "forecast" in result.output and "train.num_threads" in result.output
