"""Forward + backward of one optimizer step, with gradient accumulation over micro-batches.

Per-sample losses (masked reconstruction, JEPA ...) are accumulated the ordinary way: each of the
``k`` micro-batches back-propagates ``loss / k`` and only the last one synchronises gradients.

Batch-coupled losses (contrastive, VICReg, Barlow Twins ...) are *not* a sum over samples, so that
recipe silently trains a different objective. For them the engine uses cached-embedding accumulation
(GradCache, Gao et al., 2021, "Scaling Deep Contrastive Learning Batch Size under Memory Limited
Setup"): (1) embed every micro-batch without a graph, (2) compute the loss on the concatenated
embeddings and back-propagate it to the embeddings only, (3) re-embed each micro-batch with a graph
and back-propagate the cached embedding gradients. RNG states are replayed so step (3) sees exactly
the views and dropout masks of step (1): ``k`` micro-batches give the gradients of one batch of
``k`` times the size. Modules that are batch-coupled but do not implement ``encode`` /
``loss_from_embeddings`` are refused.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence

import torch
from torch import Tensor, nn

from ssl_core import distributed as dist
from ssl_core.engine.precision import Precision
from ssl_core.engine.rng import fork_state, restore_fork
from ssl_core.errors import ConfigError
from ssl_core.interfaces import Batch, SSLModule, StepOutput

__all__ = ["check_accumulation", "forward_backward", "forward_loss", "no_grad_sync", "split_batch"]


def check_accumulation(module: SSLModule, grad_accum: int, strategy: str) -> bool:
    """Validate ``train.grad_accum`` for ``module``; return whether GradCache is used.

    Raises:
        ConfigError: a batch-coupled module without ``encode``/``loss_from_embeddings`` and
            ``grad_accum > 1`` (naive accumulation would optimise a different loss), or GradCache
            requested under FSDP2.
    """
    if grad_accum < 1:
        raise ConfigError("<config>", "train.grad_accum", f"must be >= 1, got {grad_accum}")
    if grad_accum == 1 or not module.batch_coupled:
        return False
    if not module.supports_cached_accumulation:
        raise ConfigError(
            "<config>",
            "train.grad_accum",
            f"{type(module).__name__} has a batch-coupled loss: accumulating its micro-batch losses is not the "
            "loss of the large batch (negatives and batch statistics would come from each micro-batch only). "
            "Implement encode()/loss_from_embeddings() for cached-embedding accumulation, or use grad_accum=1.",
        )
    if strategy == "fsdp2":
        raise ConfigError(
            "<config>", "train.grad_accum", "cached-embedding accumulation is not supported with FSDP2"
        )
    return True


def split_batch(batch: Batch, parts: int) -> list[Batch]:
    """Split every tensor of ``batch`` into ``parts`` contiguous micro-batches (other values are shared)."""
    if parts == 1:
        return [batch]
    pieces: list[Batch] = [{} for _ in range(parts)]
    for key, value in batch.items():
        chunks = torch.tensor_split(value, parts) if isinstance(value, Tensor) else [value] * parts
        for piece, chunk in zip(pieces, chunks):
            piece[key] = chunk
    return pieces


@contextlib.contextmanager
def no_grad_sync(model: nn.Module, enabled: bool) -> Iterator[None]:
    """Skip the gradient all-reduce of this backward (DDP ``no_sync``; FSDP2 gradient sync off)."""
    no_sync = getattr(model, "no_sync", None)
    if enabled and callable(no_sync):
        with no_sync():
            yield
        return
    setter = getattr(model, "set_requires_gradient_sync", None)
    if not enabled or setter is None:
        yield
        return
    setter(False)
    try:
        yield
    finally:
        setter(True)


def _backward(loss: Tensor, scaler: torch.amp.GradScaler | None) -> None:
    (scaler.scale(loss) if scaler is not None else loss).backward()


def _merge(outputs: Sequence[StepOutput], loss: Tensor) -> StepOutput:
    if len(outputs) == 1:
        out = outputs[0]
        emb = out.embeddings.detach() if out.embeddings is not None else None
        return StepOutput(loss=loss, metrics={k: v.detach() for k, v in out.metrics.items()}, embeddings=emb)
    keys = outputs[0].metrics.keys()
    metrics = {k: torch.stack([o.metrics[k].detach().float() for o in outputs]).mean() for k in keys}
    embs = [o.embeddings.detach() for o in outputs if o.embeddings is not None]
    return StepOutput(loss=loss, metrics=metrics, embeddings=torch.cat(embs) if embs else None)


def forward_loss(
    model: nn.Module, batch: Batch, generator: torch.Generator | None, precision: Precision, scale: float
) -> tuple[StepOutput, Tensor]:
    """The forward half of a step: ``model(batch)`` under autocast, and its fp32 loss times ``scale``.

    This is the function ``train.compile`` compiles; it contains no graph break of its own.
    """
    with precision.autocast():
        out = model(batch, generator)
    loss = out.loss.float()
    return out, loss * scale if scale != 1.0 else loss


ForwardFn = Callable[
    [nn.Module, Batch, "torch.Generator | None", Precision, float], tuple[StepOutput, Tensor]
]


def _plain(
    forward: ForwardFn,
    model: nn.Module,
    micro: list[Batch],
    gen: torch.Generator | None,
    prec: Precision,
    scaler: torch.amp.GradScaler | None,
) -> StepOutput:
    k = len(micro)
    outputs, losses = [], []
    for i, mb in enumerate(micro):
        with no_grad_sync(model, i < k - 1):
            out, loss = forward(model, mb, gen, prec, 1.0 / k)
            _backward(loss, scaler)
        outputs.append(out)
        losses.append(loss.detach())
    return _merge(outputs, torch.stack(losses).sum() if k > 1 else losses[0])


def _all_reduce_grads(module: nn.Module) -> None:
    if not dist.is_initialized() or dist.world_size() == 1:
        return
    grads = [p.grad for p in module.parameters() if p.grad is not None]
    if grads:
        flat = torch.cat([g.reshape(-1) for g in grads])
        flat = dist.all_reduce_mean(flat)
        offset = 0
        for g in grads:
            g.copy_(flat[offset : offset + g.numel()].view_as(g))
            offset += g.numel()


def _grad_or_zeros(t: Tensor) -> Tensor:
    return t.grad if t.grad is not None else torch.zeros_like(t)


def _grad_cache(
    module: SSLModule,
    batch: Batch,
    micro: list[Batch],
    gen: torch.Generator | None,
    prec: Precision,
    scaler: torch.amp.GradScaler | None,
    device: torch.device,
) -> StepOutput:
    snapshots, cached = [], []
    with torch.no_grad():
        for mb in micro:
            snapshots.append(fork_state(gen, device))
            with prec.autocast():
                cached.append(module.encode(mb, gen))
    keys = list(cached[0].keys())
    leaves = {k: torch.cat([c[k] for c in cached]).detach().requires_grad_(True) for k in keys}
    with prec.autocast():
        out = module.loss_from_embeddings(leaves, batch)
    _backward(out.loss.float(), scaler)
    after = fork_state(gen, device)
    sizes = [next(iter(c.values())).shape[0] for c in cached]
    grads = {k: torch.split(_grad_or_zeros(leaves[k]), sizes) for k in keys}
    for i, mb in enumerate(micro):
        restore_fork(snapshots[i], gen, device)
        with prec.autocast():
            emb = module.encode(mb, gen)
        pairs = [(emb[k], grads[k][i]) for k in keys if emb[k].requires_grad]
        if pairs:
            torch.autograd.backward([p[0] for p in pairs], [p[1].to(p[0].dtype) for p in pairs])
    restore_fork(after, gen, device)
    _all_reduce_grads(module)
    return _merge([out], out.loss.detach().float())


def forward_backward(
    model: nn.Module,
    module: SSLModule,
    batch: Batch,
    *,
    grad_accum: int,
    grad_cache: bool,
    generator: torch.Generator | None,
    precision: Precision,
    scaler: torch.amp.GradScaler | None,
    device: torch.device,
    forward: ForwardFn = forward_loss,
) -> StepOutput:
    """Run forward and backward over ``grad_accum`` micro-batches of ``batch``; return detached outputs.

    Args:
        model: the (possibly DDP/FSDP2-wrapped) module called for the plain path.
        module: the unwrapped :class:`SSLModule` (GradCache calls its ``encode``).
        batch: this rank's share of the global batch, already on ``device``.
        grad_accum: number of micro-batches.
        grad_cache: use cached-embedding accumulation (see :func:`check_accumulation`).
        generator: the view generator.
        precision: autocast policy.
        scaler: fp16 GradScaler or ``None``.
        device: compute device (for RNG replay).
        forward: :func:`forward_loss`, or its ``torch.compile``-d version.
    """
    micro = split_batch(batch, grad_accum)
    if grad_cache:
        return _grad_cache(module, batch, micro, generator, precision, scaler, device)
    return _plain(forward, model, micro, generator, precision, scaler)
