"""Check that a batch-coupled objective gives the same loss and gradients on N ranks as on one.

The convention (``ssl_core.distributed``): each rank computes a loss on its local rows, gathering
the other ranks' rows with :func:`ssl_core.distributed.gather_with_grad`, such that the mean of the
per-rank losses is the single-process loss on the global batch. DDP then averages parameter
gradients over ranks. So, with rows split in rank order:

* ``mean_r loss_r == loss_global``;
* ``mean_r dloss_r/dtheta == dloss_global/dtheta`` for every objective parameter;
* for inputs, rank ``r``'s gradient w.r.t. its local rows equals ``world_size`` times the rows
  ``r`` of the global gradient (the gather's backward sums every rank's contribution, and the
  global loss is the mean over ranks), i.e. ``grad_r / world_size == grad_global[rows of r]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn

from ssl_core.testing.world import run_world

ObjectiveFactory = Callable[[], nn.Module]


def _loss_and_grads(
    objective_factory: ObjectiveFactory, inputs: tuple[Tensor, ...]
) -> tuple[Tensor, list[Tensor | None], dict[str, Tensor | None]]:
    """Build the objective (seed 0), run it on ``inputs`` and return loss, input and parameter grads."""
    torch.manual_seed(0)
    objective = objective_factory()
    leaves = [x.detach().clone().requires_grad_(x.is_floating_point()) for x in inputs]
    out = objective(*leaves)
    loss = out.loss if hasattr(out, "loss") else out
    if not isinstance(loss, Tensor) or loss.ndim != 0:
        raise TypeError(
            f"the objective must return a scalar loss or an ObjectiveOutput, got {type(out).__name__}"
        )
    loss.backward()
    params = {n: (None if p.grad is None else p.grad.detach()) for n, p in objective.named_parameters()}
    return loss.detach(), [x.grad if x.requires_grad else None for x in leaves], params


def _rank_fn(
    rank: int, world_size: int, objective_factory: ObjectiveFactory, inputs: tuple[Tensor, ...]
) -> tuple[Tensor, list[Tensor | None], dict[str, Tensor | None]]:
    """One rank: take this rank's rows of every input and compute loss and gradients."""
    local = tuple(x.chunk(world_size, dim=0)[rank] for x in inputs)
    return _loss_and_grads(objective_factory, local)


def _close(got: Tensor | None, want: Tensor | None, what: str, rtol: float, atol: float) -> None:
    if (got is None) != (want is None):
        raise AssertionError(
            f"{what}: gradient is None on one side only (ranks: {got is None}, global: {want is None})"
        )
    if got is not None and want is not None:
        torch.testing.assert_close(
            got.double(),
            want.double(),
            rtol=rtol,
            atol=atol,
            msg=lambda m: f"{what} differs from one process:\n{m}",
        )


def check_matches_global_batch(
    objective_factory: ObjectiveFactory,
    inputs: tuple[Tensor, ...],
    *,
    world_size: int = 2,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    timeout: float = 120.0,
) -> dict[str, Any]:
    """Assert that ``world_size`` gloo ranks reproduce the single-process loss and gradients.

    Args:
        objective_factory: picklable zero-argument callable building the objective (a class or a
            module-level function / ``functools.partial``); it is called after
            ``torch.manual_seed(0)`` in every process so parameters start equal.
        inputs: positional inputs of the objective; every one is split into ``world_size`` equal
            row blocks (dim 0), rank ``r`` getting block ``r``. Floating inputs get gradients.
        world_size: number of spawned ranks.
        rtol, atol: tolerances of the comparisons.
        timeout: seconds before the spawned world is killed.

    Returns:
        ``{"loss": single-process loss, "rank_losses": [...]}`` for further assertions.

    Raises:
        AssertionError: the loss, an input gradient or a parameter gradient differs.
        ValueError: an input's batch size is not divisible by ``world_size``.
    """
    for i, x in enumerate(inputs):
        if x.shape[0] % world_size:
            raise ValueError(f"inputs[{i}] has {x.shape[0]} rows, not divisible by world_size={world_size}")
    loss, in_grads, p_grads = _loss_and_grads(objective_factory, inputs)
    ranks = run_world(_rank_fn, world_size, args=(objective_factory, inputs), timeout=timeout)
    rank_losses = torch.stack([r[0] for r in ranks])
    _close(rank_losses.mean(), loss, "mean over ranks of the loss", rtol, atol)
    for i, want in enumerate(in_grads):
        if want is None:
            continue
        for r, (_, grads, _) in enumerate(ranks):
            got = grads[i]
            _close(
                None if got is None else got / world_size,
                want.chunk(world_size)[r],
                f"inputs[{i}] grad, rank {r}",
                rtol,
                atol,
            )
    for name, want in p_grads.items():
        per_rank = [rk[2][name] for rk in ranks]
        got = None if any(g is None for g in per_rank) else torch.stack(per_rank).mean(0)  # type: ignore[misc]
        _close(got, want, f"parameter {name!r} grad (averaged over ranks, as DDP)", rtol, atol)
    return {"loss": loss, "rank_losses": rank_losses.tolist()}
