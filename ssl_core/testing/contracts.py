"""Contract checks every registered component should pass (use them as plain test functions).

Each check raises ``AssertionError`` with a message naming the component and what broke:

* :func:`check_encoder`: output shapes, finiteness, seeded determinism, gradients reach every parameter.
* :func:`check_view_generator`: views keep the batch dimension and device, equal seeds give equal
  views, every random number comes from the given generator (the global RNG is untouched).
* :func:`check_objective`: a finite scalar loss, detached finite metrics, seeded determinism,
  gradients reach every input that requires grad and every trainable parameter.

For the distributed half of the objective contract (2 ranks == 1 process on the global batch),
use :func:`ssl_core.testing.distributed_checks.check_matches_global_batch`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import Tensor, nn

from ssl_core.interfaces import POOLED, TOKENS, ObjectiveOutput


def _name(obj: object) -> str:
    return type(obj).__name__


def _batch_size(batch: Mapping[str, Any]) -> int:
    for value in batch.values():
        if isinstance(value, Tensor) and value.dim() > 0:
            return int(value.shape[0])
    raise AssertionError("batch holds no tensor with a leading batch dimension")


def _snapshot(tree: Any) -> Any:
    if isinstance(tree, Tensor):
        return tree.detach().clone()
    if isinstance(tree, Mapping):
        return {k: _snapshot(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_snapshot(v) for v in tree)
    return tree


def _assert_same(a: Any, b: Any, what: str) -> None:
    if isinstance(a, Tensor):
        assert isinstance(b, Tensor), f"{what}: tensor became {type(b).__name__}"
        assert a.shape == b.shape and a.dtype == b.dtype, (
            f"{what}: {a.shape}/{a.dtype} vs {b.shape}/{b.dtype}"
        )
        assert torch.equal(a, b), f"{what}: values differ"
    elif isinstance(a, Mapping):
        assert isinstance(b, Mapping) and set(a) == set(b), (
            f"{what}: keys {sorted(a)} vs {sorted(b) if isinstance(b, Mapping) else b}"
        )
        for k in a:
            _assert_same(a[k], b[k], f"{what}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), f"{what}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f"{what}[{i}]")


def _check_grads(module: nn.Module, owner: str, ignore: Sequence[str]) -> None:
    missing, bad = [], []
    for name, p in module.named_parameters():
        if not p.requires_grad or any(name.startswith(i) for i in ignore):
            continue
        if p.grad is None or not bool(p.grad.abs().sum() > 0):
            missing.append(name)
        elif not bool(torch.isfinite(p.grad).all()):
            bad.append(name)
    assert not missing, f"{owner}: no gradient reaches parameters {missing}"
    assert not bad, f"{owner}: non-finite gradients in {bad}"


def _probe_loss(outputs: Mapping[str, Tensor], seed: int = 0) -> Tensor:
    """A random linear functional of every floating output (zero only by accident)."""
    gen = torch.Generator().manual_seed(seed)
    total: Tensor | None = None
    for value in outputs.values():
        if isinstance(value, Tensor) and value.is_floating_point() and value.requires_grad:
            weights = torch.randn(value.shape, generator=gen, dtype=torch.float32).to(value.device)
            term = (value.float() * weights).sum()
            total = term if total is None else total + term
    assert total is not None, "encoder outputs carry no gradient"
    return total


def check_encoder(
    encoder: nn.Module, batch: Mapping[str, Any], *, ignore_params: Sequence[str] = ()
) -> dict[str, Tensor]:
    """Check an :class:`ssl_core.interfaces.Encoder` on ``batch``; returns its output.

    Args:
        encoder: the encoder (left in train mode).
        batch: a small batch it accepts.
        ignore_params: parameter-name prefixes allowed to receive no gradient.
    """
    owner = _name(encoder)
    dim = getattr(encoder, "output_dim", None)
    assert isinstance(dim, int) and dim > 0, f"{owner}: output_dim must be a positive int, got {dim!r}"
    size, before = _batch_size(batch), _snapshot(batch)
    encoder.train()
    encoder.zero_grad(set_to_none=True)
    out = encoder(batch)
    assert isinstance(out, Mapping) and POOLED in out, f"{owner}: must return a dict with {POOLED!r}"
    pooled = out[POOLED]
    assert tuple(pooled.shape) == (size, dim), (
        f"{owner}: {POOLED} has shape {tuple(pooled.shape)}, expected {(size, dim)}"
    )
    assert pooled.is_floating_point(), f"{owner}: {POOLED} must be floating point, got {pooled.dtype}"
    if TOKENS in out:
        tokens = out[TOKENS]
        assert tokens.dim() == 3 and tokens.shape[0] == size and tokens.shape[2] == dim, (
            f"{owner}: {TOKENS} has shape {tuple(tokens.shape)}, expected ({size}, T, {dim})"
        )
    for key, value in out.items():
        if isinstance(value, Tensor) and value.is_floating_point():
            assert bool(torch.isfinite(value).all()), f"{owner}: output {key!r} is not finite"
    _probe_loss(out).backward()
    _check_grads(encoder, owner, ignore_params)
    _assert_same(before, batch, f"{owner}: input batch was modified in place")
    runs = []
    for _ in range(2):
        twin = copy.deepcopy(encoder)
        torch.manual_seed(0)
        with torch.no_grad():
            runs.append(_snapshot(dict(twin(batch))))
    _assert_same(runs[0], runs[1], f"{owner}: equally seeded forward passes differ")
    encoder.zero_grad(set_to_none=True)
    return dict(out)


def _device_of(batch: Mapping[str, Any]) -> torch.device:
    for value in batch.values():
        if isinstance(value, Tensor):
            return value.device
    return torch.device("cpu")


def check_view_generator(
    generator: Any, batch: Mapping[str, Any], *, stochastic: bool | None = None
) -> dict[str, Any]:
    """Check a :class:`ssl_core.interfaces.ViewGenerator` on ``batch``; returns the views for seed 0.

    Args:
        generator: the view generator.
        batch: a small batch it accepts.
        stochastic: if True, seeds 0 and 1 must give different views; if False, equal ones; None: no check.

    A generator whose outputs carry the batch on another dimension declares it as a class attribute
    ``batch_dims = {key: dim}`` (e.g. JEPA target indices ``(num_targets, B, n)``: ``{"target_idx": 1}``).
    """
    owner = _name(generator)
    size, device, before = _batch_size(batch), _device_of(batch), _snapshot(batch)
    batch_dims: Mapping[str, int] = getattr(generator, "batch_dims", {}) or {}

    def run(seed: int) -> dict[str, Any]:
        gen = torch.Generator(device=device).manual_seed(seed)
        rng = torch.get_rng_state()
        views = generator(dict(batch), gen)
        assert torch.equal(rng, torch.get_rng_state()), (
            f"{owner}: used the global RNG instead of the generator"
        )
        return views  # type: ignore[no-any-return]

    views = run(0)
    assert isinstance(views, Mapping) and views, f"{owner}: must return a non-empty dict of views"
    missing = set(getattr(generator, "view_names", ()) or ()) - set(views)
    assert not missing, f"{owner}: declared view_names {sorted(missing)} missing from output {sorted(views)}"
    for name, view in views.items():
        assert isinstance(view, Mapping), (
            f"{owner}: view {name!r} must be a dict (a batch), got {type(view).__name__}"
        )
        for key, value in view.items():
            if isinstance(value, Tensor) and value.dim() > 0:
                dim = batch_dims.get(key, 0)
                assert value.shape[dim] == size, (
                    f"{owner}: {name}[{key!r}] has batch dim {value.shape[dim]} (dim {dim}), expected {size}"
                )
                assert value.device == device, (
                    f"{owner}: {name}[{key!r}] on {value.device}, batch on {device}"
                )
    _assert_same(_snapshot(views), _snapshot(run(0)), f"{owner}: equal seeds gave different views")
    _assert_same(before, batch, f"{owner}: input batch was modified in place")
    if stochastic is not None:
        try:
            _assert_same(_snapshot(views), _snapshot(run(1)), "")
            same = True
        except AssertionError:
            same = False
        assert same != stochastic, f"{owner}: seeds 0 and 1 gave {'identical' if same else 'different'} views"
    return dict(views)


def check_objective(
    objective: nn.Module, inputs: tuple[Tensor, ...], *, ignore_params: Sequence[str] = ()
) -> ObjectiveOutput:
    """Check an :class:`ssl_core.interfaces.Objective` called as ``objective(*inputs)``; returns its output.

    Inputs created with ``requires_grad=True`` must receive finite gradients, as must every
    trainable parameter of the objective (e.g. a learnable temperature or a predictor).
    """
    owner = _name(objective)
    assert isinstance(getattr(objective, "batch_coupled", False), bool), (
        f"{owner}: batch_coupled must be a bool"
    )
    assert isinstance(getattr(objective, "needs_teacher", False), bool), (
        f"{owner}: needs_teacher must be a bool"
    )
    before = _snapshot(inputs)
    for x in inputs:
        x.grad = None
    objective.zero_grad(set_to_none=True)
    out = objective(*inputs)
    assert isinstance(out, tuple) and len(out) == 2, f"{owner}: must return ObjectiveOutput(loss, metrics)"
    loss, metrics = out
    assert isinstance(loss, Tensor) and loss.dim() == 0, (
        f"{owner}: loss must be a scalar tensor, got {getattr(loss, 'shape', loss)}"
    )
    assert loss.is_floating_point() and bool(torch.isfinite(loss)), (
        f"{owner}: loss {loss} is not a finite float"
    )
    assert isinstance(metrics, Mapping), f"{owner}: metrics must be a dict"
    for key, value in metrics.items():
        assert isinstance(key, str), f"{owner}: metric key {key!r} must be a str"
        tensor = torch.as_tensor(value)
        assert tensor.numel() == 1 and not tensor.requires_grad, (
            f"{owner}: metric {key!r} must be a detached scalar"
        )
        assert bool(torch.isfinite(tensor.float())), f"{owner}: metric {key!r} is not finite"
    assert loss.requires_grad, f"{owner}: loss does not depend on any input requiring grad"
    loss.backward()
    for i, x in enumerate(inputs):
        if x.requires_grad:
            assert x.grad is not None, f"{owner}: no gradient reaches input {i}"
            assert bool(torch.isfinite(x.grad).all()), f"{owner}: non-finite gradient for input {i}"
    _check_grads(objective, owner, ignore_params)
    _assert_same(before, _snapshot(inputs), f"{owner}: inputs were modified in place")
    runs = []
    for _ in range(2):
        twin = copy.deepcopy(objective)
        torch.manual_seed(0)
        with torch.no_grad():
            runs.append(twin(*[x.detach() for x in inputs]).loss.detach())
    _assert_same(runs[0], runs[1], f"{owner}: equally seeded calls give different losses")
    return ObjectiveOutput(loss, dict(metrics))
