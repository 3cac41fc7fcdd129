"""The ST-SSDL network: GCRU encoder, prototype memory, per-sample-graph GCRU decoder.

Gao et al., "ST-SSDL: Spatio-Temporal Self-Supervised Deviation Learning", NeurIPS 2025
(arXiv 2510.04908); follows the official ``STSSDL.py`` (Jimmy-7664/ST-SSDL):

* encoder: STE embedding + one GCRU layer over the static "symadj" graph, run on the current window
  and (when ``use_history``) on its history-average anchor in the same batched pass;
* memory: ``M`` prototypes ``P`` and query projection ``W_q`` (Xavier-normal); ``q = h W_q``,
  ``alpha = softmax(q P^T)``, ``v = alpha P``, top-1 / top-2 prototypes as positive / negative;
* decoder: one GCRU layer of width ``H + d`` started from ``[h_t | v_t]`` over the per-sample graph
  ``softmax(ReLU(E E^T))``, ``E = Linear([h_t, v_t, h_a, v_a])``; autoregressive with scheduled
  sampling (teacher forcing with probability ``c / (c + exp(step / c))``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .encoders import FactoredInput, GCRUCell, GCRUEncoder, STEmbedding, dynamic_propagator
from .recompute import activation_bytes, needs_recompute

__all__ = ["NetConfig", "NetOutput", "PrototypeMemory", "STSSDLNet", "teacher_forcing_prob"]


@dataclass
class NetConfig:
    """Sizes of the network (official METR-LA values as defaults)."""

    num_nodes: int
    steps_per_day: int = 288
    horizon: int = 12
    rnn_units: int = 128
    cheb_k: int = 3
    prototype_num: int = 20
    prototype_dim: int = 64
    d_in: int = 3
    d_node: int = 25
    d_tod: int = 20
    use_history: bool = True
    recompute: bool | None = False  # None: decided at the first training batch (memory.needs_recompute)


@dataclass
class NetOutput:
    """Scaled predictions ``(B, H, N)`` and the memory read-outs the SSL losses use."""

    prediction: Tensor
    query: Tensor
    pos: Tensor
    neg: Tensor
    hidden: Tensor
    query_his: Tensor | None = None
    pos_his: Tensor | None = None


def teacher_forcing_prob(step: int, decay_steps: int) -> float:
    """Scheduled-sampling probability ``c / (c + exp(step / c))`` (Bengio et al., 2015)."""
    return decay_steps / (decay_steps + float(np.exp(min(step / decay_steps, 700.0))))


class PrototypeMemory(nn.Module):
    """Learnable prototypes queried by attention (official ``query_prototypes``)."""

    def __init__(self, hidden: int, num: int, dim: int) -> None:
        super().__init__()
        self.prototypes = nn.Parameter(torch.empty(num, dim))
        self.query_proj = nn.Parameter(torch.empty(hidden, dim))
        nn.init.xavier_normal_(self.prototypes)
        nn.init.xavier_normal_(self.query_proj)

    def forward(self, hidden: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """``hidden`` ``(B, N, H)`` -> value, query, top-1 and top-2 prototypes, each ``(B, N, d)``."""
        query = hidden @ self.query_proj
        attention = torch.softmax(query @ self.prototypes.t(), dim=-1)
        value = attention @ self.prototypes
        top = attention.topk(2, dim=-1).indices
        return value, query, self.prototypes[top[..., 0]], self.prototypes[top[..., 1]]


class STSSDLNet(nn.Module):
    """ST-SSDL forecaster; ``use_history=False`` is the no-SSL ablation's network."""

    def __init__(self, cfg: NetConfig, support: Tensor) -> None:
        super().__init__()
        self.cfg = cfg
        self.embedding = STEmbedding(cfg.num_nodes, cfg.steps_per_day, cfg.d_in, cfg.d_node, cfg.d_tod)
        self.encoder = GCRUEncoder(self.embedding, support, cfg.rnn_units, cfg.cheb_k, cfg.recompute)
        self.memory = PrototypeMemory(cfg.rnn_units, cfg.prototype_num, cfg.prototype_dim)
        dec_dim = cfg.rnn_units + cfg.prototype_dim
        self.decoder = GCRUCell(self.embedding.output_dim, dec_dim, cfg.cheb_k)
        self.proj = nn.Linear(dec_dim, 1)
        self.hypernet = nn.Linear(dec_dim * (2 if cfg.use_history else 1), cfg.d_tod)
        self.recompute = bool(cfg.recompute)
        self._decided = cfg.recompute is not None

    def _decide_recompute(self, x: Tensor) -> None:
        """``cfg.recompute is None``: at the first training batch, recompute only if the activations need it."""
        if self._decided or not (self.training and torch.is_grad_enabled()):
            return
        batch, in_len, nodes = x.shape
        estimate = activation_bytes(batch, nodes, in_len, self.cfg.horizon, self.cfg.rnn_units,
                                    self.cfg.rnn_units + self.cfg.prototype_dim,
                                    encoder_windows=2 if self.cfg.use_history else 1)  # fmt: skip
        self.recompute = self.encoder.recompute = needs_recompute(estimate, x.device)
        self._decided = True

    def dynamic_graph(self, features: Tensor) -> Tensor:
        """Per-sample graph ``softmax(ReLU(E E^T))`` with ``E = hypernet(features)`` -> ``(B, N, N)``."""
        emb = self.hypernet(features)
        return torch.softmax(F.relu(emb @ emb.transpose(1, 2)), dim=-1)

    def forward(
        self,
        x: Tensor,
        tod_x: Tensor,
        tod_y: Tensor,
        x_his: Tensor | None = None,
        labels: Tensor | None = None,
        teacher_prob: float = 0.0,
        generator: torch.Generator | None = None,
    ) -> NetOutput:
        """Forecast ``horizon`` steps.

        Args:
            x: scaled input ``(B, T, N)``; ``tod_x`` ``(B, T)`` / ``tod_y`` ``(B, horizon)`` slot ids.
            x_his: scaled history-average anchor ``(B, T, N)`` (required when ``use_history``).
            labels: scaled targets ``(B, horizon, N)`` for scheduled sampling (training only).
            teacher_prob: probability of feeding the label instead of the prediction at each step.
        """
        self._decide_recompute(x)
        batch = x.shape[0]
        if self.cfg.use_history:
            if x_his is None:
                raise ValueError("x_his is required when use_history=True")
            hidden = self.encoder.encode(torch.cat((x, x_his)), torch.cat((tod_x, tod_x)))
            h_t, h_a = hidden[:batch], hidden[batch:]
        else:
            h_t, h_a = self.encoder.encode(x, tod_x), None
        value, query, pos, neg = self.memory(h_t)
        state = torch.cat((h_t, value), dim=-1)
        out = NetOutput(query.new_empty(0), query, pos, neg, h_t)
        if h_a is not None:
            value_a, out.query_his, out.pos_his, _ = self.memory(h_a)
            graph = self.dynamic_graph(torch.cat((state, h_a, value_a), dim=-1))
        else:
            graph = self.dynamic_graph(state)
        out.prediction = self._decode(state, graph, tod_y, labels, teacher_prob, generator)
        return out

    def _decode(
        self,
        state: Tensor,
        graph: Tensor,
        tod_y: Tensor,
        labels: Tensor | None,
        teacher_prob: float,
        generator: torch.Generator | None,
    ) -> Tensor:
        propagate = dynamic_propagator(graph)
        factors = self.decoder.input_factors(self.embedding)
        go = state.new_zeros(state.shape[:2])
        outputs = []
        for t in range(tod_y.shape[1]):
            step = FactoredInput(go, tod_y[:, t], factors, node_major=False)
            state = self.decoder.step(step, state, propagate, self.recompute)
            go = self.proj(state).squeeze(-1)
            outputs.append(go)
            if labels is not None and teacher_prob > 0:
                device = generator.device if generator is not None else go.device
                coin = float(torch.rand((), generator=generator, device=device))
                if coin < teacher_prob:
                    go = labels[:, t]
        return torch.stack(outputs, dim=1)
