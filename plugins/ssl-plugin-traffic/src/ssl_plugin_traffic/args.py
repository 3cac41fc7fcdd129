"""Arguments of the ``traffic/stssdl`` recipe: a plain dataclass, importable without torch."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["STSSDLArgs"]


@dataclass
class STSSDLArgs:
    """Arguments of ``traffic/stssdl`` (``recipe_args`` in a run config).

    ``data`` is a series file (``.h5``/``.npz``/``.csv``, see :mod:`ssl_plugin_traffic.data`) or
    ``None`` for the embedded simulator; ``graph`` an adjacency file (found next to ``data`` when
    omitted and unambiguous). Model sizes default to the official METR-LA settings.
    """

    data: str | None = None
    graph: str | None = None
    start: str | None = None
    interval_minutes: int | None = None
    channel: int = 0
    in_len: int = 12
    out_len: int = 12
    ssl: bool = True
    rnn_units: int = 128
    prototype_num: int = 20
    prototype_dim: int = 64
    d_in: int = 3
    d_node: int = 25
    d_tod: int = 20
    cheb_k: int = 3
    lambda_c: float = 0.01
    lambda_d: float = 1.0
    margin: float = 0.5
    cl_decay_steps: int = 2000
    recompute: bool = True
    sim_nodes: int = 40
    sim_days: int = 28
    sim_seed: int = 0
