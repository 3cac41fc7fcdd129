"""Graph loaders, the DCRNN Gaussian kernel, the symadj normalisation and bad graphs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from ssl_plugin_traffic.graph import gaussian_kernel, load_graph, sparse_support, sym_adj

from ssl_core.errors import DataError
from ssl_core.testing.data import shared_data_dir


def test_gaussian_kernel_matches_formula() -> None:
    edges = np.array([[0, 1, 100.0], [1, 2, 300.0], [2, 0, 50.0]])
    adj = gaussian_kernel(edges, 3, threshold=0.1)
    std = edges[:, 2].std()
    expect = np.eye(3)
    for i, j, d in edges:
        w = np.exp(-((d / std) ** 2))
        expect[int(i), int(j)] = w if w >= 0.1 else 0.0
    np.testing.assert_allclose(adj, expect, rtol=1e-6)


def test_distance_csv(tmp_path: Path) -> None:
    path = tmp_path / "PEMS_distance.csv"
    path.write_text("from,to,cost\n0,1,10\n1,3,12\n2,3,30\n")
    adj = load_graph(path, num_nodes=4)
    assert adj.shape == (4, 4) and adj[0, 1] > 0 and adj[1, 3] > 0
    assert adj[2, 3] == 0 and adj[0, 3] == 0  # far edge below the 0.1 threshold; no edge
    path.write_text("from,to,cost\n0,1,10\n1,2,-5\n")
    with pytest.raises(DataError, match="cost: negative distance at line 3"):
        load_graph(path, num_nodes=3)
    path.write_text("from,to,cost\n0,9,10\n")
    with pytest.raises(DataError, match="outside"):
        load_graph(path, num_nodes=3)


def test_bad_dense_graphs(tmp_path: Path) -> None:
    path = tmp_path / "adj.csv"
    path.write_text("1,0,0\n0,1,0\n")
    with pytest.raises(DataError, match="must be square"):
        load_graph(path)
    path.write_text("1,0\n0,1\n")
    with pytest.raises(DataError, match="has 2 nodes but the series has 3 sensors"):
        load_graph(path, num_nodes=3)
    path.write_text("1,-1\n0,1\n")
    with pytest.raises(DataError, match="negative edge weight"):
        load_graph(path)
    (tmp_path / "adj.pkl").write_bytes(b"x")
    with pytest.raises(DataError, match="pickle"):
        load_graph(tmp_path / "adj.pkl")
    (tmp_path / "adj.json").write_text("{}")
    with pytest.raises(DataError, match="unknown graph format"):
        load_graph(tmp_path / "adj.json")


def test_sym_adj_matches_official_formula() -> None:
    rng = np.random.default_rng(0)
    adj = rng.random((6, 6)) * (rng.random((6, 6)) > 0.5)
    adj[5] = 0  # isolated row: degree 0 -> 0, not inf
    d = adj.sum(1)
    inv = np.where(d > 0, d**-0.5, 0.0)
    expect = (adj @ np.diag(inv)).T @ np.diag(inv)  # Graph WaveNet's sym_adj
    np.testing.assert_allclose(sym_adj(adj), expect, rtol=1e-5, atol=1e-7)


def test_sparse_support_equals_dense() -> None:
    adj = sym_adj(np.random.default_rng(1).random((7, 7)))
    x = torch.randn(7, 4)
    torch.testing.assert_close(sparse_support(adj) @ x, torch.from_numpy(adj) @ x)


@pytest.mark.data
def test_real_graphs() -> None:
    root = shared_data_dir("traffic")
    metr = load_graph(root / "metr_la_graph" / "adj_mx.npz", num_nodes=207)
    assert (metr > 0).sum() == 1722
    los = load_graph(root / "los_loop" / "los_adj.csv", num_nodes=207)
    assert (los > 0).sum() == 2833
    sz = load_graph(root / "sz_taxi" / "sz_adj.csv", num_nodes=156)
    assert sz.sum() == 532
    pems = load_graph(root / "pems_graphs" / "PEMS08_distance.csv", num_nodes=170)
    assert pems.shape == (170, 170) and np.all(np.diag(pems) == 1)
    with pytest.raises(DataError, match="pickle"):
        load_graph(root / "metr_la_graph" / "adj_mx.pkl")


def test_self_loops_only_are_warned_about(tmp_path, capsys):
    """An adjacency with no edge between two sensors is accepted with one warning line naming the file."""
    path = tmp_path / "adj.csv"
    np.savetxt(path, np.eye(3), delimiter=",")
    adj = load_graph(path, 3)
    np.testing.assert_array_equal(adj, np.eye(3))
    assert capsys.readouterr().err == (
        f"warning: {path}: adjacency: no edges between sensors (only self-loops); "
        "the graph convolutions see each sensor alone\n"
    )


def test_a_graph_with_edges_gives_no_warning(tmp_path, capsys):
    path = tmp_path / "adj.csv"
    np.savetxt(path, np.eye(3) + np.eye(3, k=1), delimiter=",")
    load_graph(path, 3)
    assert capsys.readouterr().err == ""
