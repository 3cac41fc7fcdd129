import pytest
import torch

from ssl_core.views import (
    FourierFrameView,
    GeometricMaskView,
    IdentityView,
    MaskingView,
    MultiView,
    WaveletFrameView,
    fourier_frame,
    inverse_fourier_frame,
    inverse_wavelet_frame,
    morlet_filters,
    wavelet_frame,
)


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("length", [12, 13, 64])
def test_fourier_frame_is_orthonormal_and_invertible(length):
    x = torch.randn(5, 2, length, dtype=torch.float64, generator=gen())
    c = fourier_frame(x)
    assert c.shape == (5, 4, length // 2 + 1)
    assert torch.allclose(c.pow(2).sum((1, 2)), x.pow(2).sum((1, 2)))
    assert torch.allclose(inverse_fourier_frame(c, length), x, atol=1e-12)
    # the basis matrix (images of the unit vectors) has orthonormal non-zero rows
    eye = torch.eye(length, dtype=torch.float64).unsqueeze(1)
    basis = fourier_frame(eye).reshape(length, -1)
    gram = basis @ basis.T
    assert torch.allclose(gram, torch.eye(length, dtype=torch.float64), atol=1e-12)


def test_fourier_frame_matches_naive_dft():
    length = 8
    x = torch.randn(1, 1, length, dtype=torch.float64, generator=gen(1))
    c = fourier_frame(x)[0]
    import math

    for k in range(length // 2 + 1):
        re = sum(float(x[0, 0, t]) * math.cos(2 * math.pi * k * t / length) for t in range(length))
        im = -sum(float(x[0, 0, t]) * math.sin(2 * math.pi * k * t / length) for t in range(length))
        w = 1.0 if k in (0, length // 2) else math.sqrt(2)
        assert c[0, k].item() == pytest.approx(w * re / math.sqrt(length), abs=1e-12)
        assert c[1, k].item() == pytest.approx(w * im / math.sqrt(length), abs=1e-12)


@pytest.mark.parametrize("length", [12, 33, 128])
def test_wavelet_frame_dual_reconstruction_and_real(length):
    x = torch.randn(3, 2, length, dtype=torch.float64, generator=gen())
    f = morlet_filters(length, 6)
    y = wavelet_frame(x, f)
    assert y.shape == (3, 2 * 13, length) and y.dtype == torch.float64
    assert torch.allclose(inverse_wavelet_frame(y, f), x, atol=1e-10)
    # the frame is overcomplete and each output is the FFT convolution with a real filter
    assert y.shape[1] > x.shape[1]
    kernel = torch.fft.ifft(f[0]).real
    naive = torch.stack(
        [sum(x[0, 0, (t - s) % length] * kernel[s] for s in range(length)) for t in range(length)]
    )
    assert torch.allclose(y[0, 0], naive, atol=1e-10)


def test_frame_views_drop_input_key_and_are_deterministic():
    b = {"x": torch.randn(4, 24), "label": torch.arange(4)}
    fv = FourierFrameView("x", out_key="fourier")(b)["fourier"]
    assert set(fv) == {"fourier", "label"} and fv["fourier"].shape == (4, 2, 13)
    wv = WaveletFrameView("x", out_key="wavelet", num_scales=4)(b, gen())["wavelet"]
    assert set(wv) == {"wavelet", "label"} and wv["wavelet"].shape == (4, 9, 24)
    again = WaveletFrameView("x", out_key="wavelet", num_scales=4)(b, gen(5))["wavelet"]
    assert torch.equal(again["wavelet"], wv["wavelet"])
    same = FourierFrameView("x")(b)["fourier"]
    assert set(same) == {"x", "label"}
    with pytest.raises(ValueError, match="frame views"):
        FourierFrameView("x")({"x": torch.zeros(2, 3, 4, 5)})


def test_multiview_composes_and_renames():
    b = {"x": torch.randn(4, 20)}
    mv = MultiView(
        [
            IdentityView("time"),
            FourierFrameView(out_key="f"),
            MaskingView(keep_original=False),
            MaskingView(keep_original=False),
        ]
    )
    assert mv.view_names == ("time", "fourier", "masked_2", "masked_3")
    views = mv(b, gen())
    assert list(views) == list(mv.view_names)
    assert not torch.equal(views["masked_2"]["mask"], views["masked_3"]["mask"])
    again = mv(b, gen())
    assert torch.equal(again["masked_3"]["x"], views["masked_3"]["x"])
    geo = MultiView([GeometricMaskView(num_views=1)])
    assert geo.view_names == ("original", "masked_0")
    with pytest.raises(ValueError, match="at least one"):
        MultiView([])
