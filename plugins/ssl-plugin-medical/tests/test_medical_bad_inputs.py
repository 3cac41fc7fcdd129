"""The medical plugin's share of the bad-input corpus (``ssl_core.testing.bad_inputs``).

Each case: a one-line error naming the file (or folder), the attribute / field and the reason, no
traceback, nothing written (``pretrain`` removes its run directory).
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pytest
from dicom_factory import write_series, write_slice

from ssl_core.testing import BadInput, core_run, run_bad_input
from ssl_core.testing.faults import pretrain_fault_cases


def _npz(**arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


GOOD_NPZ = _npz(train_images=np.zeros((6, 28, 28), np.uint8), train_labels=np.zeros(6, np.uint8))


def _pretrain(
    case: str, data: str, message: str, *, code: int = 1, files=None, prepare=None, extra=()
) -> BadInput:
    argv = ("medical", "pretrain", "--data", f"{{tmp}}/{data}", "--run-dir", "{tmp}/run", *extra)
    return BadInput(f"medical-{case}", argv, code, message, files=files or {}, prepare=prepare)


def _inspect(case: str, data: str, message: str, *, files=None, prepare=None) -> BadInput:
    return BadInput(f"medical-inspect-{case}", ("medical", "inspect", f"{{tmp}}/{data}"), 1, message,
                    files=files or {}, prepare=prepare)  # fmt: skip


def _nan_nifti(root: Path) -> None:
    import nibabel as nib

    vol = np.zeros((4, 4, 4), np.float32)
    vol[1, 1, 1] = np.nan
    nib.save(nib.Nifti1Image(vol, np.eye(4)), str(root / "nan.nii.gz"))


def _volume_64(root: Path) -> None:
    import nibabel as nib

    vol = np.random.default_rng(0).random((16, 16, 16)).astype(np.float32)
    nib.save(nib.Nifti1Image(vol, np.eye(4)), str(root / "v.nii.gz"))


def _png_folder(root: Path, labels: str) -> None:
    from PIL import Image

    (root / "imgs").mkdir()
    for i in range(3):
        Image.fromarray(np.full((8, 8), i * 40, np.uint8)).save(root / "imgs" / f"{i}.png")
    (root / "imgs" / "labels.csv").write_text(labels)


def _mixed(root: Path) -> None:
    write_series(root / "s", [0, 1])
    write_slice(root / "s" / "x.dcm", 2, series="1.2.3")


def _turned(root: Path) -> None:
    write_series(root / "s", [0, 1])
    write_slice(root / "s" / "x.dcm", 2, iop=(0, 1, 0, 0, 0, -1))


def _corrupt_png(root: Path) -> None:
    _png_folder(root, "file,label\n0.png,a\nbad.png,b\n")
    (root / "imgs" / "bad.png").write_bytes(b"png?")


def _bad_vr(root: Path) -> None:
    data = write_slice(root / "x" / "ok.dcm", 0).read_bytes()
    i = data.find(b"\x28\x00\x30\x00DS")  # PixelSpacing's VR
    (root / "vr.dcm").write_bytes(data[: i + 4] + b"ZZ" + data[i + 6 :])


CASES = [
    # DICOM files and series
    _pretrain("not-dicom", "notes.dcm", "notes.dcm: <file>: not a DICOM file (no DICM preamble or file meta",
              files={"notes.dcm": "hello"}),
    _pretrain("no-file-meta", "raw.dcm", "raw.dcm: <file>: not a DICOM file",
              files={"raw.dcm": b"\x08\x00\x05\x00CS\x0a\x00ISO_IR 100"}),
    _pretrain("truncated-pixels", "t.dcm", "t.dcm: PixelData: cannot decode the pixel data: The number of bytes",
              prepare=lambda r: (r / "t.dcm").write_bytes(write_slice(r / "x" / "t.dcm", 0).read_bytes()[:-40])),
    _pretrain("bad-vr", "vr.dcm", "vr.dcm: <file>: unreadable DICOM (corrupt header): Unknown Value Representation 'ZZ'",
              prepare=_bad_vr),
    _pretrain("non-image", "sr.dcm", "sr.dcm: PixelData: no pixel data: not an image object",
              prepare=lambda r: write_slice(r / "sr.dcm", 0, pixels=False) and None),
    _pretrain("unsupported-syntax", "jls.dcm",
              "jls.dcm: TransferSyntaxUID: no decoder for JPEG-LS Lossless Image Compression (1.2.840.10008.1.2.4.80): "
              "pip install pylibjpeg pylibjpeg-libjpeg",
              prepare=lambda r: write_slice(r / "jls.dcm", 0, syntax="1.2.840.10008.1.2.4.80") and None),
    _pretrain("corrupt-jpeg2000", "j2k.dcm", "j2k.dcm: PixelData: corrupt JPEG 2000 Image Compression (Lossless Only)",
              prepare=lambda r: write_slice(r / "j2k.dcm", 0, syntax="1.2.840.10008.1.2.4.90") and None),
    _pretrain("mixed-series", "s", "s/x.dcm: SeriesInstanceUID: the folder mixes 2 series",
              prepare=_mixed),
    _pretrain("missing-slice", "s", "s/s003.dcm: ImagePositionPatient: non-uniform slice spacing: 2 mm after s002.dcm",
              prepare=lambda r: write_series(r / "s", [0, 1, 2, 4]) and None),
    _pretrain("duplicate-slice", "s", "s/s002.dcm: ImagePositionPatient: duplicate slice at 1 (s001.dcm, s002.dcm)",
              prepare=lambda r: write_series(r / "s", [0, 1, 1, 2]) and None),
    _pretrain("inconsistent-orientation", "s", "s/x.dcm: ImageOrientationPatient: orientation differs from s000.dcm's",
              prepare=_turned),
    _pretrain("empty-folder", "empty", "empty: <folder>: empty: no DICOM series (*.dcm) and no PNG / JPEG images",
              prepare=lambda r: (r / "empty").mkdir()),
    _inspect("not-dicom", "notes.txt", "notes.txt: <file>: not a DICOM file", files={"notes.txt": "x"}),
    _inspect("missing-slice", "s", "non-uniform slice spacing", prepare=lambda r: write_series(r / "s", [0, 2, 3]) and None),
    # MedMNIST npz
    _pretrain("truncated-npz", "t.npz", "t.npz: <file>: not a readable .npz (truncated or corrupt?)",
              files={"t.npz": GOOD_NPZ[: len(GOOD_NPZ) // 2]}),
    _pretrain("npz-no-images", "n.npz", "n.npz: train_images: missing (keys: x)", files={"n.npz": _npz(x=np.zeros(3))}),
    _pretrain("npz-float-pixels", "f.npz", "f.npz: train_images: expected uint8 pixels, got float64",
              files={"f.npz": _npz(train_images=np.zeros((4, 28, 28)))}),
    _pretrain("npz-label-count", "l.npz", "l.npz: train_labels: expected 6 labels, got shape (5,)",
              files={"l.npz": _npz(train_images=np.zeros((6, 28, 28), np.uint8), train_labels=np.zeros(5, np.uint8))}),
    _pretrain("npz-pickle", "p.npz", "p.npz: <file>: not a readable .npz",
              files={"p.npz": _npz(train_images=np.array([{"a": 1}], dtype=object))}),
    # NIfTI
    _pretrain("nifti-garbage", "g.nii.gz", "g.nii.gz: <file>: unreadable NIfTI", files={"g.nii.gz": gzip.compress(b"xx")}),
    _pretrain("nifti-nan", "nan.nii.gz", "nan.nii.gz: <data>: non-finite voxel values", prepare=_nan_nifti),
    # PNG / JPEG folders
    _pretrain("labels-unknown-file", "imgs", "labels.csv: line 3: 'nope.png' is not an image in the folder",
              prepare=lambda r: _png_folder(r, "file,label\n0.png,a\nnope.png,b\n")),
    _pretrain("labels-missing-label", "imgs", "labels.csv: line 2: the label is missing",
              prepare=lambda r: _png_folder(r, "file,label\n0.png,\n")),
    _pretrain("labels-header", "imgs", "labels.csv: <header>: needs a file column",
              prepare=lambda r: _png_folder(r, "name,y\n0.png,a\n")),
    _pretrain("corrupt-png", "imgs", "bad.png: <file>: unreadable image",
              prepare=_corrupt_png),
    # arguments and run directories
    _pretrain("patch-size", "n.npz", "recipe_args.patch: size 28 must be a multiple (>= 2x) of the patch 5", code=2,
              files={"n.npz": GOOD_NPZ}, extra=("--set", "recipe_args.patch=5")),
    _pretrain("bad-window", "n.npz", "Invalid value for '--window'", code=2, files={"n.npz": GOOD_NPZ},
              extra=("--window", "liver")),
    BadInput("medical-evaluate-core-run", ("medical", "evaluate", "{tmp}/run"), 2, "core/synthetic", prepare=core_run),
    BadInput("medical-reconstruct-core-run", ("medical", "reconstruct", "{tmp}/run", "{tmp}/n.npz", "-o", "{tmp}/f.png"),
             2, "is a run of the 'core' plugin, not 'medical'", files={"n.npz": GOOD_NPZ}, prepare=core_run),
    # resources estimated before work starts (issue 14): one 64^3 volume in 4^3 patches is 4,096 tokens
    BadInput("medical-64cubed-volume-small-patches", ("medical", "pretrain", "--data", "{tmp}/v.nii.gz", "--run-dir",
             "{tmp}/run", "--set", "recipe_args.size=64", "--set", "recipe_args.patch_3d=4"), 1,
             "v.nii.gz: memory: this run needs about 15.1 GB at its peak (mostly the 3D step: 4,096 patch tokens "
             "(64^3 / 4^3) x width 64 x 4 layers x batch 16), 4.3 GB is available ($SSL_CORE_MEMORY_LIMIT); "
             "lower recipe_args.batch_3d (16), recipe_args.patch_3d (4)", prepare=_volume_64,
             env={"SSL_CORE_MEMORY_LIMIT": "4G"}),
]  # fmt: skip


# disk and permission faults (issue 14): a full disk at the first checkpoint, a read-only run folder
FAULT_FILES = {
    "m.npz": _npz(
        train_images=np.full((16, 28, 28), 7, np.uint8), train_labels=np.arange(16, dtype=np.uint8) % 2
    )
}
CASES += pretrain_fault_cases(
    "medical",
    ("medical", "pretrain", "--data", "{tmp}/m.npz", "--steps", "1", "--set", "train.progress=false"),
    FAULT_FILES,
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input(case: BadInput, tmp_path: Path) -> None:
    run_bad_input(case, tmp_path)
