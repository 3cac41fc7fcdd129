"""The engine's compiled forward step has no graph break of its own; ``train.compile_regions``."""

from __future__ import annotations

from pathlib import Path

import torch
from _engine_toy import NoisyContrastive, Regress, config, recipe, toy_data
from torch import nn

from ssl_core.engine import train
from ssl_core.engine.accumulation import forward_loss
from ssl_core.engine.precision import resolve_precision
from ssl_core.nn import CompilesRegions


def test_forward_step_has_no_graph_breaks() -> None:
    torch._dynamo.reset()
    batch = toy_data(8).__getitems__(torch.arange(8))
    for module in (Regress(), NoisyContrastive(noise=0.0)):
        for prec in ("fp32", "bf16"):
            explain = torch._dynamo.explain(forward_loss)(
                module, batch, None, resolve_precision(prec, torch.device("cpu")), 0.5
            )
            assert explain.graph_break_count == 0, explain.break_reasons
            assert explain.graph_count == 1
    torch._dynamo.reset()


def test_compiled_forward_matches_eager() -> None:
    torch._dynamo.reset()
    module = Regress()
    batch = toy_data(8).__getitems__(torch.arange(8))
    prec = resolve_precision("fp32", torch.device("cpu"))
    compiled = torch.compile(forward_loss, backend="eager", fullgraph=True)
    out_c, loss_c = compiled(module, batch, None, prec, 0.5)
    out_e, loss_e = forward_loss(module, batch, None, prec, 0.5)
    assert torch.allclose(loss_c, loss_e) and torch.allclose(out_c.embeddings, out_e.embeddings)
    torch._dynamo.reset()


class _Flag(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.switched = False

    def compile_regions(self) -> None:
        self.switched = True


class _RegressWithBlocks(Regress):
    def __init__(self) -> None:
        super().__init__()
        self.blocks = nn.ModuleList([_Flag(), _Flag()])


def test_engine_switches_every_block_only_when_asked(tmp_path: Path) -> None:
    assert isinstance(_Flag(), CompilesRegions) and not isinstance(nn.Linear(2, 2), CompilesRegions)
    for asked in (False, True):
        built = recipe(_RegressWithBlocks)
        train(config(steps=2, compile_regions=asked), tmp_path / str(asked), recipe=built)
        assert [b.switched for b in built.module.blocks] == [asked, asked]  # type: ignore[union-attr]
