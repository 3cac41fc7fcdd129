"""Small deterministic SSL modules and recipes for the engine tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import torch
from torch import Tensor, nn

from ssl_core.data import TensorDictDataset
from ssl_core.interfaces import Batch, Recipe, SSLModule, StepOutput
from ssl_core.schema import RunConfig, TrainConfig


def toy_data(n: int = 64, dim: int = 8, seed: int = 0, classes: int = 3) -> TensorDictDataset:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, dim, generator=gen)
    y = torch.randint(0, classes, (n,), generator=gen)
    return TensorDictDataset({"x": x, "y": y})


class Regress(SSLModule):
    """Per-sample loss, deterministic: predict a fixed random projection of x."""

    def __init__(self, dim: int = 8, hidden: int = 16) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, hidden), nn.Tanh(), nn.Linear(hidden, dim))
        self.register_buffer("target", torch.randn(dim, dim))

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        x = batch["x"]
        z = self.net(x)
        loss = (z - x @ self.target).pow(2).mean()
        return StepOutput(loss=loss, metrics={"loss/mse": loss.detach()}, embeddings=z.detach())


class NoisyContrastive(SSLModule):
    """Batch-coupled: two noisy views (from ``generator``) + dropout, InfoNCE over the batch."""

    batch_coupled = True

    def __init__(self, dim: int = 8, hidden: int = 16, noise: float = 0.1, dropout: float = 0.0) -> None:
        super().__init__()
        self.enc = nn.Sequential(
            nn.Linear(dim, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, hidden)
        )
        self.noise = noise

    def _views(self, x: Tensor, generator: torch.Generator | None) -> tuple[Tensor, Tensor]:
        if self.noise == 0:
            return x, x.flip(-1)
        n1 = torch.randn(x.shape, generator=generator, device=x.device)
        n2 = torch.randn(x.shape, generator=generator, device=x.device)
        return x + self.noise * n1, x + self.noise * n2

    def encode(self, batch: Batch, generator: torch.Generator | None = None) -> dict[str, Tensor]:
        a, b = self._views(batch["x"], generator)
        return {"a": self.enc(a), "b": self.enc(b)}

    def loss_from_embeddings(self, embeddings: Mapping[str, Tensor], batch: Batch) -> StepOutput:
        from ssl_core import distributed as dist

        a = nn.functional.normalize(embeddings["a"], dim=1)
        b = nn.functional.normalize(dist.gather_with_grad(embeddings["b"]), dim=1)
        logits = a @ b.T / 0.5  # local rows against every rank's columns
        labels = torch.arange(len(a), device=a.device) + dist.rank() * len(a)
        loss = nn.functional.cross_entropy(logits, labels)
        return StepOutput(loss=loss, metrics={"loss/nce": loss.detach()}, embeddings=embeddings["a"].detach())

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        return self.loss_from_embeddings(self.encode(batch, generator), batch)


class CoupledNoCache(NoisyContrastive):
    """Batch-coupled without GradCache support."""

    encode = SSLModule.encode  # type: ignore[assignment]

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        return self.loss_from_embeddings(NoisyContrastive.encode(self, batch, generator), batch)


class Poisoned(Regress):
    """Regress whose loss (or only its gradient) is NaN on chosen forward calls."""

    def __init__(
        self, bad_loss: set[int] = frozenset(), bad_grad: set[int] = frozenset(), after: int | None = None
    ):
        super().__init__()
        self.calls, self.bad_loss, self.bad_grad, self.after = 0, set(bad_loss), set(bad_grad), after

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        out = super().forward(batch, generator)
        self.calls += 1
        loss = out.loss
        if self.calls in self.bad_loss or (self.after is not None and self.calls > self.after):
            loss = loss * float("nan")
        if self.calls in self.bad_grad:
            loss.register_hook(lambda g: g * float("inf"))
        return StepOutput(loss=loss, metrics=out.metrics, embeddings=out.embeddings)


class WithTeacher(Regress):
    """Regress + an EMA teacher copy of ``net``."""

    def __init__(self) -> None:
        super().__init__()
        from ssl_core.ema import make_teacher

        self.teacher = make_teacher(self.net)

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        out = super().forward(batch, generator)
        with torch.no_grad():
            t = self.teacher(batch["x"])
        return StepOutput(
            loss=out.loss + 0.1 * (out.embeddings - t).pow(2).mean() * 0,
            metrics=out.metrics,
            embeddings=out.embeddings,
        )

    def ema_pairs(self) -> Sequence[tuple[nn.Module, nn.Module]]:
        return [(self.net, self.teacher)]


def recipe(factory: Callable[[], SSLModule] = Regress, n: int = 64, label_key: str | None = None) -> Recipe:
    """A toy recipe whose module is built from a fixed seed (identical weights on every call)."""
    torch.manual_seed(0)
    return Recipe(name="test/toy", module=factory(), train_data=toy_data(n), label_key=label_key)


def config(**train: object) -> RunConfig:
    base = dict(
        steps=6, batch_size=16, device="cpu", progress=False, log_every=1, ckpt_every=3, monitor_every=2
    )
    base.update(train)
    return RunConfig(recipe="test/toy", train=TrainConfig(**base))  # type: ignore[arg-type]
