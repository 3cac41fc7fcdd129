"""A thin layer over ``torch.distributed``: process group, gathers with gradient, model wrapping.

Everything degrades to the single-process case: with no process group, ``world_size()`` is 1,
``gather_with_grad`` is the identity and ``all_reduce_mean`` returns its input.

Convention for batch-coupled objectives (contrastive, VICReg, Barlow ...): each rank computes a
loss over its local rows against the rows gathered from all ranks with :func:`gather_with_grad`,
normalised so that the MEAN of the per-rank losses equals the loss of one process on the global
batch. DDP averages parameter gradients over ranks, so the gradients then equal the single-process
gradients (see ``docs/distributed.md``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel

__all__ = [
    "STRATEGIES",
    "all_reduce_mean",
    "barrier",
    "destroy",
    "gather_with_grad",
    "init_from_env",
    "is_initialized",
    "is_main",
    "local_rank",
    "rank",
    "relaunch_with_torchrun",
    "unwrap",
    "world_size",
    "wrap_model",
]

STRATEGIES = ("auto", "none", "ddp", "fsdp2")


def is_initialized() -> bool:
    """Whether a default process group exists."""
    return dist.is_available() and dist.is_initialized()


def world_size() -> int:
    """Number of ranks (1 without a process group)."""
    return dist.get_world_size() if is_initialized() else 1


def rank() -> int:
    """Global rank of this process (0 without a process group)."""
    return dist.get_rank() if is_initialized() else 0


def local_rank() -> int:
    """Rank on this node, from ``LOCAL_RANK`` (set by torchrun); 0 if unset."""
    return int(os.environ.get("LOCAL_RANK", "0"))


def is_main() -> bool:
    """Whether this process is rank 0 (the one that logs, prints and writes checkpoints)."""
    return rank() == 0


def barrier() -> None:
    """Wait for every rank; no-op without a process group."""
    if is_initialized():
        dist.barrier()


def init_from_env() -> bool:
    """Initialise the default process group from torchrun's environment variables.

    Uses NCCL when CUDA is available (and sets the CUDA device to ``LOCAL_RANK``), gloo otherwise.
    Returns True when a process group exists afterwards, False for a single-process run
    (``WORLD_SIZE`` unset or 1).
    """
    if is_initialized():
        return True
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return False
    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank())
        dist.init_process_group("nccl", device_id=torch.device("cuda", local_rank()))
    else:
        dist.init_process_group("gloo")
    return True


def destroy(*, barrier_first: bool = True) -> None:
    """Destroy the default process group; no-op without one.

    Call it at the end of a process that created the group: left to interpreter teardown, gloo's
    background threads can abort a rank after its work is done ("terminate called without an
    active exception", exit code -6). With ``barrier_first`` every rank waits for the others
    first; pass False on an error path, where another rank may never arrive.
    """
    if not is_initialized():
        return
    if barrier_first:
        dist.barrier()
    dist.destroy_process_group()


class _GatherWithGrad(torch.autograd.Function):
    """All-gather along dim 0 whose backward keeps the gradients of the gathered rows.

    Backward: every rank holds the gradient of ITS loss w.r.t. all gathered rows; summing these
    with ``all_reduce`` gives the gradient of the sum of all ranks' losses, of which this rank
    keeps its own slice. (Plain ``dist.all_gather`` cuts the graph, so gradients flowing to other
    ranks' rows are lost.)
    """

    @staticmethod
    def forward(ctx: Any, t: Tensor) -> Tensor:  # type: ignore[override]
        ctx.rank, ctx.rows = dist.get_rank(), t.shape[0]
        t = t.contiguous()
        parts = [torch.empty_like(t) for _ in range(dist.get_world_size())]
        dist.all_gather(parts, t)
        return torch.cat(parts, dim=0)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:  # type: ignore[override]
        grad = grad.contiguous().clone()
        dist.all_reduce(grad, op=dist.ReduceOp.SUM)
        return grad[ctx.rank * ctx.rows : (ctx.rank + 1) * ctx.rows]


def gather_with_grad(t: Tensor) -> Tensor:
    """Concatenate ``t`` from all ranks along dim 0, keeping gradients to every rank's rows.

    Every rank must pass a tensor of the same shape (equal local batch sizes; the engine's
    ``drop_last`` sampler guarantees this). Identity without a process group.
    """
    if not is_initialized() or dist.get_world_size() == 1:
        return t
    return _GatherWithGrad.apply(t)


def all_reduce_mean(t: Tensor) -> Tensor:
    """The mean of ``t`` over ranks (a new tensor; no gradient); ``t`` itself without a group."""
    if not is_initialized() or dist.get_world_size() == 1:
        return t
    out = t.detach().clone()
    dist.all_reduce(out, op=dist.ReduceOp.SUM)
    return out / dist.get_world_size()


def unwrap(module: nn.Module) -> nn.Module:
    """The user's module inside DDP and ``torch.compile`` wrappers (FSDP2 shards in place)."""
    while True:
        if isinstance(module, DistributedDataParallel):
            module = module.module
        elif isinstance(getattr(module, "_orig_mod", None), nn.Module):
            module = module._orig_mod  # type: ignore[assignment]
        else:
            return module


def _all_reduce_grad_mean(p: Tensor) -> None:
    """Post-accumulate-grad hook averaging a replicated (non-sharded) parameter's gradient."""
    if p.grad is not None:
        dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
        p.grad.div_(dist.get_world_size())


def _fsdp2(module: nn.Module, device: torch.device) -> nn.Module:
    """Shard with FSDP2: each element of every ``ModuleList`` / ``Sequential`` (blocks), then the root.

    FSDP2 cannot shard 0-d parameters (e.g. a learnable temperature): those stay replicated,
    are broadcast from rank 0 and get their gradient averaged over ranks by a hook, as DDP would.
    """
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard

    mesh = init_device_mesh(device.type, (dist.get_world_size(),))
    scalars = {p for p in module.parameters() if p.ndim == 0}
    for p in scalars:
        dist.broadcast(p.data, src=0)
        if p.requires_grad:
            p.register_post_accumulate_grad_hook(_all_reduce_grad_mean)
    for container in list(module.modules()):
        if isinstance(container, (nn.ModuleList, nn.Sequential)):
            for block in container:
                if any(p.requires_grad for p in block.parameters()):
                    fully_shard(block, mesh=mesh, ignored_params=scalars & set(block.parameters()) or None)
    fully_shard(module, mesh=mesh, ignored_params=scalars or None)
    return module


def wrap_model(
    module: nn.Module,
    strategy: str,
    device: torch.device | str,
    *,
    find_unused_parameters: bool | None = None,
) -> nn.Module:
    """Move ``module`` to ``device`` and wrap it for data parallelism.

    Args:
        module: the model (an SSLModule).
        strategy: ``"none"``, ``"ddp"``, ``"fsdp2"`` or ``"auto"`` (DDP when the world size is
            above 1, else none).
        device: target device. On CUDA, BatchNorm layers are converted to SyncBatchNorm under
            DDP (SyncBatchNorm does not run on CPU).
        find_unused_parameters: DDP option for modules that leave some trainable parameters
            unused in a step; ``None`` reads the module's ``find_unused_parameters`` attribute
            (default False, the fast path).

    Raises:
        ValueError: unknown strategy, or ``ddp``/``fsdp2`` without an initialised process group.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"train.strategy: unknown strategy {strategy!r}; expected one of {STRATEGIES}")
    device = torch.device(device)
    if strategy == "auto":
        strategy = "ddp" if world_size() > 1 else "none"
    module = module.to(device)
    if strategy == "none":
        return module
    if not is_initialized():
        raise ValueError(
            f"train.strategy: {strategy!r} needs a process group; launch with torchrun "
            "or `ssl train --nproc-per-node N`"
        )
    if strategy == "fsdp2":
        return _fsdp2(module, device)
    if find_unused_parameters is None:
        find_unused_parameters = bool(getattr(module, "find_unused_parameters", False))
    if device.type == "cuda":
        module = nn.SyncBatchNorm.convert_sync_batchnorm(module)
        index = device.index if device.index is not None else torch.cuda.current_device()
        return DistributedDataParallel(
            module, device_ids=[index], find_unused_parameters=find_unused_parameters
        )
    return DistributedDataParallel(module, find_unused_parameters=find_unused_parameters)


def relaunch_with_torchrun(nproc_per_node: int, argv: list[str]) -> int:
    """Run ``python -m torch.distributed.run --standalone --nproc-per-node N -m ssl_core.cli argv``.

    Returns the launcher's exit code (0 when every rank succeeded).
    """
    if nproc_per_node < 1:
        raise ValueError(f"--nproc-per-node must be >= 1, got {nproc_per_node}")
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc-per-node",
        str(nproc_per_node),
        "-m",
        "ssl_core.cli",
        *argv,
    ]
    return subprocess.run(cmd, check=False).returncode
