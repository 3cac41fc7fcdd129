"""The embedding PCA of the report against a reference (eigen-decomposition of the covariance)."""

from __future__ import annotations

import numpy as np
import pytest

from ssl_core.report.figures import _pca2


def test_pca_matches_the_covariance_eigenvectors():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5)) @ np.diag([5.0, 2.0, 1.0, 0.5, 0.1]) + 3.0
    coords, share = _pca2(x)
    centred = x - x.mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov(centred, rowvar=False, ddof=0))
    order = np.argsort(values)[::-1]
    for k in range(2):
        ref = centred @ vectors[:, order[k]]
        sign = np.sign(ref @ coords[:, k])
        np.testing.assert_allclose(coords[:, k], sign * ref, rtol=1e-9, atol=1e-9)
    assert share == pytest.approx(values[order[:2]] / values.sum(), rel=1e-9)


def test_pca_of_one_dimension_pads_the_second_axis():
    coords, share = _pca2(np.arange(6, dtype=float)[:, None])
    assert coords.shape == (6, 2) and np.all(coords[:, 1] == 0) and share[0] == pytest.approx(1.0)
