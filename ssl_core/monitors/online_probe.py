"""Online evaluation during pre-training: a stop-gradient linear probe plus kNN over a memory bank.

The linear classifier (after a non-affine running standardisation, as in the online probes of
SimCLR / solo-learn) is trained by SGD on detached embeddings of labelled batches; it never
sends gradients into the encoder. It is sized lazily to the number of classes seen so far. The
kNN classifier (Wu et al. 2018, cosine similarity, majority vote of ``k`` neighbours) uses a
bounded FIFO memory bank of past embeddings. Everything is in buffers / parameters, so the state
is checkpointable with ``state_dict`` / ``load_state_dict``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ssl_core.evaluation.knn import knn_predict


class OnlineProbe(nn.Module):
    """Stop-grad linear probe and kNN accuracy on labelled batches.

    Args:
        dim: embedding dimension.
        lr: SGD learning rate of the linear classifier.
        momentum: SGD momentum.
        bank_size: maximum number of embeddings kept for kNN.
        k: number of neighbours.
        stat_momentum: momentum of the running mean / variance used to standardise inputs.
    """

    weight_mom: Tensor
    bias_mom: Tensor
    running_mean: Tensor
    running_var: Tensor
    bank: Tensor
    bank_labels: Tensor

    def __init__(
        self,
        dim: int,
        *,
        lr: float = 0.1,
        momentum: float = 0.9,
        bank_size: int = 4096,
        k: int = 20,
        stat_momentum: float = 0.1,
    ) -> None:
        super().__init__()
        self.dim, self.lr, self.momentum, self.k = dim, lr, momentum, k
        self.bank_size, self.stat_momentum = bank_size, stat_momentum
        self.weight = nn.Parameter(torch.zeros(0, dim), requires_grad=False)
        self.bias = nn.Parameter(torch.zeros(0), requires_grad=False)
        self.register_buffer("weight_mom", torch.zeros(0, dim))
        self.register_buffer("bias_mom", torch.zeros(0))
        self.register_buffer("running_mean", torch.zeros(dim))
        self.register_buffer("running_var", torch.ones(dim))
        self.register_buffer("bank", torch.zeros(0, dim))
        self.register_buffer("bank_labels", torch.zeros(0, dtype=torch.long))

    @property
    def num_classes(self) -> int:
        """Number of classes the classifier currently has."""
        return int(self.weight.shape[0])

    def _grow(self, num_classes: int) -> None:
        extra = num_classes - self.num_classes
        if extra <= 0:
            return
        dev = self.weight.device
        self.weight.data = torch.cat([self.weight.data, torch.zeros(extra, self.dim, device=dev)])
        self.bias.data = torch.cat([self.bias.data, torch.zeros(extra, device=dev)])
        self.weight_mom = torch.cat([self.weight_mom, torch.zeros(extra, self.dim, device=dev)])
        self.bias_mom = torch.cat([self.bias_mom, torch.zeros(extra, device=dev)])

    def _standardise(self, x: Tensor) -> Tensor:
        m = self.stat_momentum
        self.running_mean.lerp_(x.mean(0), m)
        self.running_var.lerp_(x.var(0, unbiased=False), m)
        return (x - self.running_mean) / (self.running_var + 1e-5).sqrt()

    def _sgd_step(self, x: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        logits = x @ self.weight.T + self.bias
        loss = F.cross_entropy(logits, labels)
        grad_logits = (logits.softmax(-1) - F.one_hot(labels, self.num_classes).to(x.dtype)) / len(x)
        self.weight_mom.mul_(self.momentum).add_(grad_logits.T @ x)
        self.bias_mom.mul_(self.momentum).add_(grad_logits.sum(0))
        self.weight.data.sub_(self.lr * self.weight_mom)
        self.bias.data.sub_(self.lr * self.bias_mom)
        return loss, logits

    @torch.no_grad()
    def update(self, emb: Tensor, labels: Tensor) -> dict[str, float]:
        """Evaluate on ``(emb, labels)`` then learn from them (predictions come before the update).

        Returns ``probe/linear_acc``, ``probe/linear_loss`` and, once the bank is non-empty,
        ``probe/knn_acc``. Labels are class indices ``>= 0`` (negative labels are ignored).
        """
        emb, labels = emb.detach().float(), labels.detach().long().reshape(-1)
        keep = labels >= 0
        emb, labels = emb[keep], labels[keep]
        if len(labels) == 0:
            return {}
        self.to(emb.device)
        self._grow(int(labels.max()) + 1)
        out: dict[str, float] = {}
        if len(self.bank) > 0:
            pred = knn_predict(self.bank, self.bank_labels, emb, k=self.k, num_classes=self.num_classes)
            out["probe/knn_acc"] = float((pred == labels).float().mean())
        loss, logits = self._sgd_step(self._standardise(emb), labels)
        out["probe/linear_acc"] = float((logits.argmax(-1) == labels).float().mean())
        out["probe/linear_loss"] = float(loss)
        self.bank = torch.cat([self.bank, F.normalize(emb, dim=1)])[-self.bank_size :]
        self.bank_labels = torch.cat([self.bank_labels, labels])[-self.bank_size :]
        return out

    @torch.no_grad()
    def predict(self, emb: Tensor) -> Tensor:
        """Linear-probe class predictions for ``emb`` (no statistics update)."""
        x = (emb.float() - self.running_mean) / (self.running_var + 1e-5).sqrt()
        return (x @ self.weight.T + self.bias).argmax(-1)

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False
    ) -> Any:
        """Resize the lazily-sized tensors to the checkpoint's shapes, then load it."""
        for name in ("weight", "bias", "weight_mom", "bias_mom", "bank", "bank_labels"):
            if name in state_dict:
                ref = state_dict[name]
                current = getattr(self, name)
                new = torch.zeros(ref.shape, dtype=ref.dtype, device=current.device)
                if isinstance(current, nn.Parameter):
                    current.data = new
                else:
                    setattr(self, name, new)
        return super().load_state_dict(state_dict, strict=strict, assign=assign)
