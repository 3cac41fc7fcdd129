"""Real in-service EV packs (Deng et al., J. Energy Chem. 89, 2024): ``BatPackdata.mat``, MATLAB v7.3.

A 10 x 1 struct array ``BatPackdata`` with ``Veh``, ``Cn`` (rated Ah), ``SOH`` (the label) and
``data.Inf``: one struct per charging segment with 1 Hz ``I_load`` (A, negative while charging), ``Q``
(charged Ah), ``Vmax`` and ``Vmean`` (cell V). Each segment becomes one charge curve of cell
``veh<N>``: current sign flipped to + = charge, voltage = mean cell voltage, no temperature.
Academic, non-commercial research use only: read from ``--data``, never shipped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ssl_core.errors import DataError
from ssl_plugin_battery.curves import ChargeCurve, check_series, make_curve

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def mat_version(path: Path) -> str:
    """``"7.3"`` (HDF5), ``"5"`` (classic MAT) or ``"unknown"`` from the file's header."""
    with open(path, "rb") as fh:
        head = fh.read(128)
        fh.seek(512)
        hdf = fh.read(8)
    if hdf == HDF5_MAGIC or head[:8] == HDF5_MAGIC:
        return "7.3"
    if head.startswith(b"MATLAB 5.0") or head.startswith(b"MATLAB 7"):
        return "5"
    return "unknown"


def read_packs(path: Path) -> list[ChargeCurve]:
    """The charge segments of every vehicle, labelled with the pack's SOH (capacity = SOH x Cn)."""
    import h5py

    version = mat_version(path)
    if version != "7.3":
        raise DataError(path, "<file>", f"MATLAB v{version} file: EV-pack data must be MATLAB v7.3 (HDF5); "
                                        "save with -v7.3")  # fmt: skip
    with h5py.File(path, "r") as f:
        if "BatPackdata" not in f:
            raise DataError(
                path,
                "BatPackdata",
                f"struct not found (top-level names: {', '.join(k for k in f if k != '#refs#')})",
            )
        bat = f["BatPackdata"]
        for key in ("Veh", "Cn", "SOH", "data"):
            if key not in bat:
                raise DataError(path, f"BatPackdata.{key}", "field not found")
        curves = []
        for n in range(bat["Veh"].shape[0]):
            veh, rated, soh = (
                float(np.asarray(f[bat[k][n, 0]][()]).ravel()[0]) for k in ("Veh", "Cn", "SOH")
            )
            inf = f[bat["data"][n, 0]]["Inf"]
            for s in range(inf.shape[0]):
                seg = f[inf[s, 0]]
                arr = {k: np.asarray(seg[k][()], np.float64).ravel() for k in ("I_load", "Q", "Vmean")}
                where = f"BatPackdata({n + 1}).data.Inf({s + 1})."
                t = np.arange(len(arr["Q"]), dtype=np.float64)
                check_series(path, where, {"I_load": arr["I_load"], "Q": arr["Q"], "Vmean": arr["Vmean"], "t": t},
                             np.arange(1, len(t) + 1), time="t", current="I_load", max_current=None)  # fmt: skip
                curves.append(make_curve(f"veh{int(veh)}", s + 1, t, arr["Vmean"], -arr["I_load"], None, soh * rated,
                                         rated, q=arr["Q"] - arr["Q"][0]))  # fmt: skip
    return curves
