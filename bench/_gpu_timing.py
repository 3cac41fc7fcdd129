"""Timing helpers of ``bench/gpu_workloads.py``: time-stamping dataset, matmul ceiling, FLOP count."""

from __future__ import annotations

import time
from typing import Any

import torch
from torch import Tensor
from torch.utils.flop_counter import FlopCounterMode

from ssl_core.data import TensorDictDataset
from ssl_core.interfaces import Batch, SSLModule


class TimedData(TensorDictDataset):
    """Device-resident batches; stamps the (synchronised) time when batch ``i`` in ``marks`` is fetched."""

    def __init__(self, tensors: dict[str, Tensor], marks: set[int]) -> None:
        super().__init__(tensors, source="<bench>")
        self.marks, self.calls = marks, 0
        self.times: list[float] = []
        self.device = next(iter(tensors.values())).device

    def __getitems__(self, indices: Any) -> Batch:  # type: ignore[override]
        if self.calls in self.marks:
            if self.device.type == "cuda":
                torch.cuda.synchronize()
            self.times.append(time.perf_counter())
        self.calls += 1
        idx = torch.as_tensor(indices, dtype=torch.long).to(self.device, non_blocking=True)
        return {k: v.index_select(0, idx) for k, v in self.tensors.items()}


def matmul_ceiling(device: torch.device, n: int = 8192) -> float:
    """Measured FLOP/s of an ``n^3`` matmul (bf16 on CUDA, fp32 on CPU)."""
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    a, b = torch.randn(n, n, device=device, dtype=dtype), torch.randn(n, n, device=device, dtype=dtype)
    for _ in range(3):
        a @ b
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    sync()
    t0 = time.perf_counter()
    for _ in range(10):
        a @ b
    sync()
    return 2 * n**3 * 10 / (time.perf_counter() - t0)


def count_flops(module: SSLModule, batch: Batch, bf16: bool, device: torch.device) -> int:
    """FLOPs of one forward + backward of ``module`` on ``batch``."""
    with FlopCounterMode(display=False) as fc:
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            loss = module(batch).loss
        loss.backward()
    module.zero_grad(set_to_none=True)
    return int(fc.get_total_flops())
