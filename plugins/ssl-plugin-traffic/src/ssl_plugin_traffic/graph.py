"""Road-graph loading and normalisation.

Formats:

* dense ``.csv`` adjacency, ``N x N`` with no header (T-GCN ``los_adj.csv``, ``sz_adj.csv``);
* distance edge list ``.csv`` with header ``from,to,cost`` (PEMS0x): turned into Gaussian-kernel
  weights as in DCRNN (Li et al., ICLR 2018): ``w_ij = exp(-(d_ij / std)^2)`` with ``std`` the
  standard deviation of the listed distances, weights below ``threshold`` (0.1) dropped, self loops 1;
* pickle-free ``.npz`` with key ``adj_mx`` (``metr_la_graph/adj_mx.npz``), optional ``sensor_ids``.

Pickles (``adj_mx.pkl``) are refused. The model uses the "symadj" normalisation of the official
ST-SSDL code (Graph WaveNet's ``sym_adj``): ``D^-1/2 A^T D^-1/2`` with ``D`` the row sums of ``A``.
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np
import torch

from ssl_core.errors import DataError, warn_data

__all__ = ["load_graph", "gaussian_kernel", "sym_adj", "sparse_support", "check_graph"]


def gaussian_kernel(
    edges: np.ndarray, num_nodes: int, *, threshold: float = 0.1, source: str = "<edges>"
) -> np.ndarray:
    """DCRNN Gaussian-kernel adjacency from ``(E, 3)`` rows of ``from, to, distance``."""
    if edges.ndim != 2 or edges.shape[1] != 3:
        raise DataError(source, "edges", f"expected rows of from,to,cost, got shape {edges.shape}")
    src, dst, cost = edges[:, 0].astype(np.int64), edges[:, 1].astype(np.int64), edges[:, 2]
    if not np.all(np.isfinite(cost)):
        raise DataError(source, "cost", "non-finite distance")
    if np.any(cost < 0):
        row = int(np.argmax(cost < 0)) + 2
        raise DataError(source, "cost", f"negative distance at line {row}")
    ids = np.concatenate([src, dst])
    if ids.size and (ids.min() < 0 or ids.max() >= num_nodes):
        raise DataError(source, "from/to", f"node id {int(ids.max())} outside 0..{num_nodes - 1}")
    dist = np.full((num_nodes, num_nodes), np.inf)
    dist[src, dst] = cost
    std = float(cost.std()) if cost.size > 1 and cost.std() > 0 else 1.0
    adj = np.exp(-np.square(dist / std))
    adj[adj < threshold] = 0.0
    np.fill_diagonal(adj, 1.0)
    return adj.astype(np.float32)


def _read_distance_csv(path: Path, num_nodes: int | None) -> np.ndarray:
    with path.open(newline="") as handle:
        rows = [r for r in csv.reader(handle) if r]
    try:
        edges = np.asarray(rows[1:], dtype=np.float64)
    except ValueError as err:
        raise DataError(path, "from,to,cost", f"non-numeric entry ({err})") from None
    if edges.size == 0:
        raise DataError(path, "edges", "no edges listed")
    if num_nodes is None:
        num_nodes = int(edges[:, :2].max()) + 1
    return gaussian_kernel(edges, num_nodes, source=str(path))


def _read_dense_csv(path: Path) -> np.ndarray:
    with path.open(newline="") as handle:
        rows = [r for r in csv.reader(handle) if r]
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise DataError(path, "rows", f"ragged matrix (row lengths {sorted(widths)})")
    try:
        return np.asarray(rows, dtype=np.float64)
    except ValueError as err:
        raise DataError(path, "adjacency", f"non-numeric entry ({err})") from None


def check_graph(adj: np.ndarray, source: str, num_nodes: int | None = None) -> np.ndarray:
    """Validate an adjacency: square, finite, non-negative, matching the series' sensor count, with edges.

    An all-zero adjacency is refused; one with only self-loops (no edge between two sensors) is
    accepted with a one-line warning on stderr.
    """
    if adj.ndim != 2 or adj.shape[0] != adj.shape[1]:
        raise DataError(source, "adjacency", f"must be square, got shape {adj.shape}")
    if not np.all(np.isfinite(adj)):
        raise DataError(source, "adjacency", "contains NaN or inf")
    if np.any(adj < 0):
        raise DataError(source, "adjacency", "negative edge weight")
    if num_nodes is not None and adj.shape[0] != num_nodes:
        raise DataError(
            source, "adjacency", f"has {adj.shape[0]} nodes but the series has {num_nodes} sensors"
        )
    if not np.any(adj):
        raise DataError(
            source, "adjacency", "every weight is 0: a graph without edges (the graph model needs some)"
        )
    if adj.shape[0] > 1 and not np.any(adj[~np.eye(adj.shape[0], dtype=bool)]):
        warn_data(
            source,
            "adjacency",
            "no edges between sensors (only self-loops); the graph convolutions see each sensor alone",
        )
    return adj.astype(np.float32)


def load_graph(path: str | Path, num_nodes: int | None = None) -> np.ndarray:
    """Load an adjacency ``(N, N)`` from a dense csv, a ``from,to,cost`` csv or an npz.

    Args:
        path: the graph file.
        num_nodes: the series' sensor count; a mismatch is an error.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(path, "file", "does not exist")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        with np.load(path, allow_pickle=False) as archive:
            key = "adj_mx" if "adj_mx" in archive.files else "adj" if "adj" in archive.files else None
            if key is None:
                raise DataError(path, "adj_mx", f"missing key (found {sorted(archive.files)})")
            adj = np.asarray(archive[key], dtype=np.float64)
    elif suffix == ".csv":
        with path.open(newline="") as handle:
            first = handle.readline().strip().lower().replace(" ", "")
        adj = _read_distance_csv(path, num_nodes) if first.startswith("from,to") else _read_dense_csv(path)
    elif suffix in (".pkl", ".pickle"):
        raise DataError(path, "format", "pickle files are never loaded (unsafe); use the .npz adjacency")
    else:
        raise DataError(path, "format", f"unknown graph format '{suffix}' (expected .csv or .npz)")
    return check_graph(adj, str(path), num_nodes)


def sym_adj(adj: np.ndarray) -> np.ndarray:
    """The official code's "symadj": ``D^-1/2 A^T D^-1/2`` with row-sum degrees (0 for isolated)."""
    adj = np.asarray(adj, dtype=np.float64)
    deg = adj.sum(axis=1)
    inv = np.zeros_like(deg)
    np.power(deg, -0.5, out=inv, where=deg > 0)
    return (inv[:, None] * adj.T * inv[None, :]).astype(np.float32)


def sparse_support(adj: np.ndarray) -> torch.Tensor:
    """The normalised adjacency as a torch CSR tensor, built with torch_geometric utilities."""
    from torch_geometric.utils import dense_to_sparse, to_torch_csr_tensor

    dense = torch.from_numpy(np.ascontiguousarray(adj, dtype=np.float32))
    edge_index, weight = dense_to_sparse(dense)
    with warnings.catch_warnings():  # torch's "sparse CSR is beta" notices
        warnings.simplefilter("ignore", UserWarning)
        return to_torch_csr_tensor(edge_index, weight, size=dense.shape)
