"""ST-SSDL as an :class:`~ssl_core.interfaces.SSLModule` (Gao et al., NeurIPS 2025, arXiv 2510.04908).

One training step: history-anchor view -> :class:`~ssl_plugin_traffic.model.STSSDLNet` (encoder,
prototype memory, per-sample-graph decoder with scheduled sampling) -> predictions back on the
original scale -> :class:`~ssl_plugin_traffic.objectives.STSSDLObjective` (masked MAE + lambda_c
triplet + lambda_d deviation). The scaled history table, the scaler and the scheduled-sampling
step counter are buffers, so a checkpoint is self-contained for forecasting.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ssl_core.interfaces import Batch, SSLModule, StepOutput

from .config import STSSDLArgs
from .data import TrafficData
from .graph import sparse_support, sym_adj
from .model import NetConfig, NetOutput, STSSDLNet, teacher_forcing_prob
from .objectives import STSSDLObjective
from .views import HistoryAnchorView
from .windows import Scaler

__all__ = ["STSSDL", "build_module"]


class STSSDL(SSLModule):
    """ST-SSDL forecaster trained with the deviation-learning losses (or the no-SSL ablation).

    Args:
        net: the network (``net.cfg.use_history=False`` for the ablation).
        objective: the loss (``lambda_c = lambda_d = 0`` for the ablation).
        scaler: the train-split z-score of the readings.
        table: ``(num_slots, N)`` raw history averages (unused by the ablation).
        cl_decay_steps: scheduled-sampling constant ``c``; ``0`` disables scheduled sampling.
    """

    scale: Tensor
    batches_seen: Tensor

    def __init__(
        self,
        net: STSSDLNet,
        objective: STSSDLObjective,
        scaler: Scaler,
        table: Tensor,
        cl_decay_steps: int = 2000,
    ) -> None:
        super().__init__()
        self.net, self.objective = net, objective
        self.register_buffer("scale", torch.tensor([scaler.mean, scaler.std], dtype=torch.float32))
        self.anchor = HistoryAnchorView(scaler.transform(table.float()))
        self.register_buffer("batches_seen", torch.zeros((), dtype=torch.long))
        self.cl_decay_steps = cl_decay_steps

    @property
    def scaler(self) -> Scaler:
        """The scaler stored in the checkpoint."""
        return Scaler(float(self.scale[0]), float(self.scale[1]))

    def run(self, batch: Batch, generator: torch.Generator | None = None) -> NetOutput:
        """Forward the network; predictions stay scaled. Scheduled sampling only in training mode."""
        x_his = self.anchor(batch)["anchor"]["x"] if self.net.cfg.use_history else None
        prob, labels = 0.0, None
        if self.training and self.cl_decay_steps > 0:
            prob = teacher_forcing_prob(int(self.batches_seen), self.cl_decay_steps)
            labels = self.scaler.transform(batch["y"])
        return self.net(batch["x"], batch["tod_x"], batch["tod_y"], x_his, labels, prob, generator)

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        out = self.run(batch, generator)
        pred = self.scaler.inverse(out.prediction)
        result = self.objective(pred, batch["y"], out.query, out.pos, out.neg, out.query_his, out.pos_his)
        if self.training:
            self.batches_seen += 1
        return StepOutput(result.loss, result.metrics, embeddings=out.hidden.mean(dim=1).detach())

    @torch.no_grad()
    def predict(self, batch: Batch) -> Tensor:
        """Forecast ``(B, horizon, N)`` on the original scale (eval mode, no teacher forcing)."""
        was_training = self.training
        self.eval()
        try:
            return self.scaler.inverse(self.run(batch).prediction)
        finally:
            self.train(was_training)

    def embed(self, batch: Batch) -> Tensor:
        """Node-mean of the encoder's last hidden state ``(B, rnn_units)``."""
        return self.net.encoder(batch)["pooled"]


def build_module(args: STSSDLArgs, data: TrafficData) -> STSSDL:
    """ST-SSDL sized for ``data`` (graph, scaler, history table); ``args.ssl = false``: the ablation.

    The ablation (Gao et al., NeurIPS 2025) has no history branch (the decoder graph sees only
    ``[h_t, v_t]``) and ``lambda_c = lambda_d = 0``; everything else is equal.
    """
    cfg = NetConfig(
        num_nodes=data.num_nodes,
        steps_per_day=data.steps_per_day,
        horizon=args.out_len,
        rnn_units=args.rnn_units,
        cheb_k=args.cheb_k,
        prototype_num=args.prototype_num,
        prototype_dim=args.prototype_dim,
        d_in=args.d_in,
        d_node=args.d_node,
        d_tod=args.d_tod,
        use_history=args.ssl,
        recompute=args.recompute,
    )
    net = STSSDLNet(cfg, sparse_support(sym_adj(data.adj)))
    weights = (args.lambda_c, args.lambda_d) if args.ssl else (0.0, 0.0)
    objective = STSSDLObjective(*weights, margin=args.margin)
    return STSSDL(net, objective, data.scaler, torch.from_numpy(data.table), args.cl_decay_steps)
