"""Patient privacy: no patient attribute of any DICOM under ``$SSL_DATA_DIR/medical`` reaches a run
directory, a report, an embedding file or the output of ``inspect`` / ``pretrain`` / ``evaluate``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pydicom
import pytest
from conftest import ssl

from ssl_core.testing import shared_data_dir

PHI_TAGS = (
    "PatientName", "PatientID", "PatientBirthDate", "PatientBirthTime", "OtherPatientIDs", "AccessionNumber",
    "InstitutionName", "InstitutionAddress", "ReferringPhysicianName", "PerformingPhysicianName", "OperatorsName",
    "StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate", "StudyTime", "SeriesTime", "AcquisitionTime",
    "ContentTime", "StudyID", "StationName", "DeviceSerialNumber", "PatientAddress",
)  # fmt: skip


def phi_values(root: Path) -> set[str]:
    """Every non-trivial PHI value of every DICOM file under ``root`` (strings of 4+ characters)."""
    values = set()
    for path in root.rglob("*.dcm"):
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        for tag in PHI_TAGS:
            value = str(ds.get(tag, "") or "").strip()
            if len(value) >= 4 and set(value) - set("0. "):
                values.add(value)
                values.update(p for p in value.split("^") if len(p) >= 4)
    return values


@pytest.mark.timeout(240)
def test_no_phi_in_run_directories_reports_or_output(tmp_path):
    root = shared_data_dir("medical")
    phi = phi_values(root)
    assert {"CompressedSamples^CT1", "Test^Regression", "NIH FMRIF", "20180918"} <= phi  # the scan is real
    out = []
    sources = [root / "dicom" / "ct_series_totalsegmentator", root / "dicom" / "mr_epi_series_nih_ge",
               *sorted((root / "dicom" / "single").glob("*.dcm"))]  # fmt: skip
    for src in sources:
        out.append(ssl("medical", "inspect", str(src)).output)
    tiny = ["--set", "recipe_args.dim=8", "--set", "recipe_args.depth=1", "--set", "recipe_args.heads=2",
            "--set", "recipe_args.dec_dim=8", "--set", "recipe_args.dec_heads=2", "--set", "train.batch_size=4",
            "--set", "train.progress=false"]  # fmt: skip
    for i, src in enumerate(sources[:2] + sources[2:3]):
        ran = ssl(
            "medical",
            "pretrain",
            "--data",
            str(src),
            "--steps",
            "2",
            "--run-dir",
            str(tmp_path / f"run{i}"),
            *tiny,
        )
        assert ran.exit_code == 0, ran.output
        out.append(ran.output)
        out.append(
            ssl("medical", "evaluate", str(tmp_path / f"run{i}")).output
        )  # no labels: a one-line error
        ran = ssl("medical", "embed", str(tmp_path / f"run{i}"), str(src), "-o", str(tmp_path / f"e{i}.npy"))
        assert ran.exit_code == 0, ran.output
        out.append(ran.output)
    mixed = tmp_path / "mixed"  # an error path: two series in one folder
    mixed.mkdir()
    shutil.copy(next((root / "dicom" / "ct_series_totalsegmentator").glob("*.dcm")), mixed / "a.dcm")
    shutil.copy(next((root / "dicom" / "mr_epi_series_nih_ge").glob("*.dcm")), mixed / "b.dcm")
    ran = ssl("medical", "pretrain", "--data", str(mixed), "--run-dir", str(tmp_path / "bad"))
    assert ran.exit_code == 1 and "SeriesInstanceUID" in ran.output
    out.append(ran.output)
    text = "\n".join(out)
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != mixed]
    assert any(p.name == "data.pt" for p in written)
    for value in sorted(phi):
        assert value not in text, f"PHI value {value!r} printed"
        needle = value.encode()
        hits = [p.name for p in written if needle in p.read_bytes()]
        assert not hits, f"PHI value {value!r} stored in {hits}"
