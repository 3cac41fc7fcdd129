"""A multi-layer perceptron with optional batch / layer normalisation, the building block of SSL heads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from torch import nn

Norm = Literal["batch", "layer"] | None
Act = Literal["relu", "gelu"]

_ACTS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "gelu": nn.GELU}


def _norm_layer(norm: Norm, dim: int) -> nn.Module | None:
    if norm is None:
        return None
    if norm == "batch":
        return nn.BatchNorm1d(dim)
    return nn.LayerNorm(dim)


class MLP(nn.Sequential):
    """``Linear -> [norm] -> act -> [dropout]`` for every hidden layer, then a final ``Linear``.

    The hidden linears drop their bias when followed by batch norm (the norm's shift replaces it).
    Inputs may be ``(B, D)`` or, with ``norm="layer"`` or ``None``, ``(..., D)``.

    Args:
        dims: ``[in, hidden..., out]``, at least two entries, all positive.
        norm: ``"batch"``, ``"layer"`` or ``None`` after each hidden linear.
        act: ``"relu"`` or ``"gelu"``.
        last_bias: whether the output linear has a bias.
        dropout: dropout probability after each hidden activation.

    Raises:
        ValueError: on fewer than two dims, a non-positive dim, or an unknown norm / activation.
    """

    def __init__(
        self,
        dims: Sequence[int],
        norm: Norm = "batch",
        act: Act = "relu",
        last_bias: bool = True,
        dropout: float = 0.0,
    ) -> None:
        dims = [int(d) for d in dims]
        if len(dims) < 2:
            raise ValueError(f"MLP: dims needs at least [in, out], got {dims}")
        if any(d <= 0 for d in dims):
            raise ValueError(f"MLP: every dim must be positive, got {dims}")
        if norm not in ("batch", "layer", None):
            raise ValueError(f"MLP: norm must be 'batch', 'layer' or None, got {norm!r}")
        if act not in _ACTS:
            raise ValueError(f"MLP: act must be one of {sorted(_ACTS)}, got {act!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"MLP: dropout must be in [0, 1), got {dropout}")
        layers: list[nn.Module] = []
        for d_in, d_out in zip(dims[:-2], dims[1:-1]):
            norm_layer = _norm_layer(norm, d_out)
            layers.append(nn.Linear(d_in, d_out, bias=norm != "batch"))
            if norm_layer is not None:
                layers.append(norm_layer)
            layers.append(_ACTS[act]())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(dims[-2], dims[-1], bias=last_bias))
        super().__init__(*layers)
        self.in_dim, self.out_dim = dims[0], dims[-1]
