"""Projection and predictor heads used by joint-embedding methods.

Defaults follow SimCLR (Chen et al., 2020, arXiv 2002.05709: 2-layer MLP projector to 128 dims),
VICReg / Barlow Twins (Bardes et al., 2022, arXiv 2105.04906; Zbontar et al., 2021, arXiv 2103.03230:
3-layer expander) and BYOL (Grill et al., 2020, arXiv 2006.07733: predictor ``D -> hidden -> D``).
"""

from __future__ import annotations

from ssl_core.nn.mlp import MLP, Act, Norm


def projection_head(
    in_dim: int,
    hidden_dim: int = 2048,
    out_dim: int = 128,
    num_layers: int = 2,
    norm: Norm = "batch",
    act: Act = "relu",
) -> MLP:
    """An ``num_layers``-linear projector ``in_dim -> hidden_dim ... -> out_dim``.

    Args:
        in_dim: encoder output width.
        hidden_dim: width of every hidden layer.
        out_dim: embedding width the objective sees.
        num_layers: number of linear layers (``>= 1``; ``1`` is a single linear map).
        norm: normalisation after each hidden linear.
        act: hidden activation.

    Raises:
        ValueError: if ``num_layers < 1``.
    """
    if num_layers < 1:
        raise ValueError(f"projection_head: num_layers must be >= 1, got {num_layers}")
    return MLP([in_dim, *([hidden_dim] * (num_layers - 1)), out_dim], norm=norm, act=act)


def predictor_head(dim: int, hidden_dim: int = 512, norm: Norm = "batch", act: Act = "relu") -> MLP:
    """BYOL / SimSiam predictor ``dim -> hidden_dim -> dim`` (a bottleneck in SimSiam)."""
    return MLP([dim, hidden_dim, dim], norm=norm, act=act)
