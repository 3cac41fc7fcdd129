import math

import pytest
import torch

from ssl_core.nn import sinusoidal_positions


def test_matches_naive_formula_even_and_odd_dims():
    for dim in (6, 7):
        table = sinusoidal_positions(5, dim, base=100.0, dtype=torch.float64)
        assert table.shape == (5, dim)
        for p in range(5):
            for j in range(dim):
                i = j // 2
                angle = p / 100.0 ** (2 * i / dim)
                expected = math.sin(angle) if j % 2 == 0 else math.cos(angle)
                assert table[p, j].item() == pytest.approx(expected, abs=1e-12)


def test_dtype_and_empty():
    assert sinusoidal_positions(0, 4).shape == (0, 4)
    assert sinusoidal_positions(3, 4, dtype=torch.float16).dtype == torch.float16


@pytest.mark.parametrize(("n", "dim", "base"), [(-1, 4, 10.0), (3, 0, 10.0), (3, 4, 1.0)])
def test_rejects_bad_arguments(n, dim, base):
    with pytest.raises(ValueError, match="sinusoidal_positions"):
        sinusoidal_positions(n, dim, base)
