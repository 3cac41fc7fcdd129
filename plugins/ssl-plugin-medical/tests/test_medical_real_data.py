"""The loaders on the real files under ``$SSL_DATA_DIR/medical`` (skipped with a reason when unset)."""

from __future__ import annotations

import numpy as np
import pytest
from ssl_plugin_medical.dicom import read_file
from ssl_plugin_medical.medmnist import read_medmnist
from ssl_plugin_medical.nifti import read_nifti
from ssl_plugin_medical.preprocess import prepare
from ssl_plugin_medical.series import read_series

from ssl_core.testing import shared_data_dir


@pytest.fixture(scope="module")
def root():
    return shared_data_dir("medical")


def test_ct_series_jpeg2000_sorted_rescaled_with_geometry(root):
    (vol,) = read_series(root / "dicom" / "ct_series_totalsegmentator")
    assert vol.array.shape == (20, 512, 512) and vol.modality == "CT"
    assert "1.2.840.10008.1.2.4.90" in (vol.transfer_syntax or "")  # JPEG 2000 lossless, decoded
    assert vol.array.min() == -1024 and vol.array.max() == 1839  # HU after RescaleIntercept -1024
    assert vol.spacing == pytest.approx((2.0, 0.9765625, 0.9765625))  # slice step from the positions
    assert vol.orientation == "SPL"  # slices ordered inferior -> superior along the normal
    grid = prepare(vol, 28)
    assert grid.shape == (1, 28, 28, 28) and grid.dtype.is_floating_point is False


def test_mr_epi_series_gives_one_volume_per_time_point(root):
    vols = read_series(root / "dicom" / "mr_epi_series_nih_ge")
    assert len(vols) == 10 and all(v.array.shape == (15, 64, 64) for v in vols)
    assert vols[0].spacing == pytest.approx((5.0, 3.75, 3.75))
    assert not np.array_equal(vols[0].array, vols[1].array)


def test_single_files(root):
    ct = read_file(root / "dicom" / "single" / "CT_small.dcm")
    assert ct.array.shape == (128, 128) and ct.spacing == pytest.approx((0.661468, 0.661468))
    assert ct.array.min() == -896  # rescaled (intercept -1024)
    multi = read_file(root / "dicom" / "single" / "emri_small.dcm")
    assert multi.array.shape == (10, 64, 64) and multi.ndim == 3  # multi-frame -> volume
    us = read_file(root / "dicom" / "single" / "US1_UNCR.dcm")
    assert us.array.shape == (480, 640) and us.modality == "US"  # RGB -> luminance
    mr = read_file(root / "dicom" / "single" / "MR2_UNCR.dcm")
    assert mr.array.shape == (1024, 1024) and mr.array.min() == pytest.approx(6.1e-05)  # intercept applied
    assert mr.orientation == "IP"


def test_nifti_keeps_spacing_and_orientation(root):
    (ct,) = read_nifti(root / "nifti" / "totalsegmentator_example_ct_sm.nii.gz")
    assert ct.array.shape == (30, 101, 122) and ct.spacing == pytest.approx((3.0, 3.0, 3.0))
    assert ct.orientation == "SAR"
    (mr,) = read_nifti(root / "nifti" / "totalsegmentator_example_mr_sm.nii.gz")
    assert sorted(mr.array.shape) == sorted((117, 91, 20))


def test_medmnist_2d_and_3d(root):
    ndim, splits = read_medmnist(root / "medmnist" / "breastmnist.npz")
    assert ndim == 2 and [len(splits[s][0]) for s in ("train", "val", "test")] == [546, 78, 156]
    ndim, splits = read_medmnist(root / "medmnist3d" / "adrenalmnist3d.npz")
    x, y = splits["test"]
    assert ndim == 3 and x.shape == (298, 28, 28, 28) and int(y.sum()) == 69


def test_embedded_copies_equal_the_shared_files(root):
    from importlib import resources

    for name, sub in (("breastmnist.npz", "medmnist"), ("adrenalmnist3d.npz", "medmnist3d")):
        packaged = (resources.files("ssl_plugin_medical") / "assets" / name).read_bytes()
        assert packaged == (root / sub / name).read_bytes()
