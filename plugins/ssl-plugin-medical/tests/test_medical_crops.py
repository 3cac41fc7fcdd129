"""Extra 3D pretraining data (``recipe_args.extra_3d``): the real CT / MR series and NIfTI volumes as crops."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import ssl
from ssl_plugin_medical.config import Uni4EyeArgs
from ssl_plugin_medical.crops import FOREGROUND, extra_crops, grid_crops, isotropic
from ssl_plugin_medical.data import build_data
from test_medical_privacy import phi_values

from ssl_core.errors import DataError
from ssl_core.testing import shared_data_dir

#: Kept 28^3 crops at 1.4 mm per source (the MR EPI series: 10 time points).
COUNTS = {
    "ct_series_totalsegmentator": 60,
    "mr_epi_series_nih_ge": 152,
    "totalsegmentator_example_ct_sm.nii.gz": 113,
    "totalsegmentator_example_mr_sm.nii.gz": 47,
}


@pytest.fixture(scope="module")
def root():
    return shared_data_dir("medical")


@pytest.fixture(scope="module")
def volumes(root):
    return [str(root / "dicom" / "ct_series_totalsegmentator"), str(root / "dicom" / "mr_epi_series_nih_ge"),
            *sorted(str(p) for p in (root / "nifti").glob("*.nii.gz"))]  # fmt: skip


def test_grid_crops_are_centred_non_overlapping_slices():
    vol = torch.arange(30 * 61 * 9, dtype=torch.float32).reshape(30, 61, 9)
    crops = grid_crops(vol, 4)
    assert crops.shape == (7 * 15 * 2, 4, 4, 4)
    assert torch.equal(crops[0], vol[1:5, 0:4, 0:4])  # 30 = 7 x 4 + 2: one voxel left at each end
    assert torch.equal(crops[-1], vol[25:29, 56:60, 4:8])
    assert len(torch.unique(crops)) == crops.numel()  # no voxel twice
    assert grid_crops(vol, 10).shape == (0, 10, 10, 10)  # 9 < 10 along the last axis: no crop


def test_isotropic_resamples_to_the_target_spacing():
    unit = np.random.default_rng(0).random((20, 64, 64), dtype=np.float32)
    assert isotropic(unit, (2.0, 0.5, 0.5), 1.0).shape == (40, 32, 32)
    assert isotropic(unit, None, 1.4).shape == (20, 64, 64)  # no spacing: voxels taken as the target


def test_real_volumes_give_foreground_crops(volumes):
    crops, counts = extra_crops(volumes, 28, 1.4, "auto", 0.25)
    assert counts == COUNTS and crops.shape == (372, 1, 28, 28, 28) and crops.dtype == torch.uint8
    assert int(crops.min()) == 0 and int(crops.max()) == 255
    fg = (crops.float() / 255 >= FOREGROUND - 1 / 510).flatten(1).float().mean(1)
    assert bool((fg >= 0.25).all())
    assert len({c.numpy().tobytes() for c in crops}) == len(crops)  # no duplicated crop
    none, _ = extra_crops(volumes[:1], 28, 1.4, "auto", 1.0)
    assert len(none) < 60


def test_non_volumes_are_refused(root):
    with pytest.raises(DataError, match="extra_3d"):
        extra_crops([root / "dicom" / "single" / "CT_small.dcm"], 28, 1.4, "auto", 0.25)
    with pytest.raises(DataError, match="extra_3d"):
        extra_crops([root / "medmnist" / "breastmnist.npz"], 28, 1.4, "auto", 0.25)


def test_build_data_adds_crops_to_3d_pretraining_only(volumes):
    plain = build_data(Uni4EyeArgs())
    data = build_data(Uni4EyeArgs(extra_3d=volumes))
    assert data.train is not None and data.train.items["volume"].shape[0] == 1188 + 372
    assert data.train.items["image"].shape[0] == 546
    assert len(data.splits["train"][3].x) == 1188 and data.labelled(3)  # the labelled split is unchanged
    assert data.stats[2] == plain.stats[2] and data.stats[3] != plain.stats[3]
    with pytest.raises(DataError, match="no 3D training data"):
        build_data(Uni4EyeArgs(dims="2d", extra_3d=volumes[:1]))


@pytest.mark.timeout(240)
def test_pretrain_with_extra_volumes_leaks_no_phi(root, volumes, tmp_path):
    phi = {
        v for v in phi_values(root) if any(c.isalnum() for c in v)
    }  # "----" placeholders match pixel bytes
    tiny = ["--set", "recipe_args.dim=8", "--set", "recipe_args.depth=1", "--set", "recipe_args.heads=2",
            "--set", "recipe_args.dec_dim=8", "--set", "recipe_args.dec_heads=2", "--set", "train.batch_size=4",
            "--set", "train.progress=false", "--set", "recipe_args.max_items=16",
            "--set", f"recipe_args.extra_3d=[{','.join(volumes[:2])}]"]  # fmt: skip
    ran = ssl("medical", "pretrain", "--steps", "2", "--run-dir", str(tmp_path / "run"), *tiny)
    assert ran.exit_code == 0, ran.output
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    for value in sorted(phi):
        assert value not in ran.output, f"PHI value {value!r} printed"
        assert not [p.name for p in written if value.encode() in p.read_bytes()], (
            f"PHI value {value!r} stored"
        )
