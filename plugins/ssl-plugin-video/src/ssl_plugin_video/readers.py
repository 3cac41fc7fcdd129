"""Readers of multiple-choice video-QA annotations: TVQA / TVQA+ JSON or JSONL and NExT-QA CSV.

Every record is validated on load and becomes a :class:`QARecord`; a malformed record raises
:class:`ssl_core.errors.DataError` naming the file, the record (``record N``, 1-based, or ``line N``)
and the field. TVQA+ (Lei et al., ACL 2020) gives ``q``, ``a0``..``a4``, ``answer_idx``, ``ts``
(seconds), ``vid_name``, ``qid`` and ``bbox`` (frame index at 3 fps -> boxes with a ``label``);
NExT-QA (Xiao et al., CVPR 2021) gives ``video, question, answer, qid, a0..a4`` per CSV row.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ssl_core.errors import DataError

N_OPTIONS = 5
TVQA_FPS = 3.0
EMBEDDED = "nextqa_val_slice.csv"


@dataclass
class QARecord:
    """One multiple-choice question about a clip.

    Attributes:
        qid: the question id (unique within a dataset).
        clip: the clip (video) it is about.
        question: the question text.
        options: the answer options (``N_OPTIONS``).
        answer: index of the correct option, ``None`` when unlabelled.
        ts: ``(start, end)`` seconds of the span needed to answer, ``None`` when not given.
        concepts: frame index (at ``TVQA_FPS``) -> labels of what is visible in that frame.
        where: ``"file: record N"`` for error messages.
    """

    qid: str
    clip: str
    question: str
    options: list[str]
    answer: int | None
    ts: tuple[float, float] | None = None
    concepts: dict[int, list[str]] = field(default_factory=dict)
    where: str = ""


def _text(path: Path, where: str, rec: Mapping[str, Any], key: str) -> str:
    if key not in rec or rec[key] is None:
        raise DataError(path, f"{where}: {key}", "missing field")
    value = str(rec[key]).strip()
    if not value:
        raise DataError(path, f"{where}: {key}", "empty text")
    return value


def _options(path: Path, where: str, rec: Mapping[str, Any], n_options: int) -> list[str]:
    found = sorted(k for k in rec if len(k) >= 2 and k[0] == "a" and k[1:].isdigit())
    expected = [f"a{i}" for i in range(n_options)]
    if found != expected:
        raise DataError(
            path,
            f"{where}: options",
            f"expected exactly {n_options} options a0..a{n_options - 1}, found {found}",
        )
    return [_text(path, where, rec, k) for k in expected]


def _answer(path: Path, where: str, value: Any, n_options: int, key: str = "answer_idx") -> int:
    try:
        idx = int(str(value).strip())
    except ValueError as exc:
        raise DataError(path, f"{where}: {key}", f"not an integer: {value!r}") from exc
    if not 0 <= idx < n_options:
        raise DataError(path, f"{where}: {key}", f"{idx} is out of range 0..{n_options - 1}")
    return idx


def _ts(path: Path, where: str, value: Any) -> tuple[float, float]:
    try:
        start, end = (float(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise DataError(path, f"{where}: ts", f"expected [start, end] seconds, got {value!r}") from exc
    if not (math.isfinite(start) and math.isfinite(end)) or start < 0:
        raise DataError(path, f"{where}: ts", f"expected finite seconds >= 0, got {value!r}")
    if start > end:
        raise DataError(path, f"{where}: ts", f"start {start} > end {end}")
    return start, end


def _concepts(path: Path, where: str, value: Any) -> dict[int, list[str]]:
    if not isinstance(value, Mapping):
        raise DataError(path, f"{where}: bbox", "expected an object: frame index -> list of boxes")
    out: dict[int, list[str]] = {}
    for frame, boxes in value.items():
        if not str(frame).isdigit() or not isinstance(boxes, list):
            raise DataError(path, f"{where}: bbox[{frame}]", "expected a frame index -> list of boxes")
        labels = [str(b["label"]) for b in boxes if isinstance(b, Mapping) and b.get("label")]
        if labels:
            out[int(frame)] = labels
    return out


def tvqa_record(path: Path, where: str, rec: Any, n_options: int = N_OPTIONS) -> QARecord:
    """One TVQA / TVQA+ record (``answer_idx`` optional: unlabelled test questions)."""
    if not isinstance(rec, Mapping):
        raise DataError(path, where, f"expected an object, got {type(rec).__name__}")
    answer = rec.get("answer_idx")
    ts = _ts(path, where, rec["ts"]) if rec.get("ts") is not None else None
    return QARecord(
        qid=_text(path, where, rec, "qid"),
        clip=_text(path, where, rec, "vid_name"),
        question=_text(path, where, rec, "q"),
        options=_options(path, where, rec, n_options),
        answer=None if answer is None else _answer(path, where, answer, n_options),
        ts=ts,
        concepts=_concepts(path, where, rec["bbox"]) if "bbox" in rec else {},
        where=f"{path.name}: {where}",
    )


def read_tvqa(path: Path, n_options: int = N_OPTIONS) -> list[QARecord]:
    """A TVQA / TVQA+ ``.json`` (a list of records) or ``.jsonl`` (one record a line)."""
    text = _read_text(path)
    if path.suffix == ".jsonl":
        items: Iterable[tuple[str, Any]] = (
            (f"line {n}", _json(path, f"line {n}", line))
            for n, line in enumerate(text.splitlines(), 1)
            if line.strip()
        )
    else:
        data = _json(path, "<file>", text)
        if not isinstance(data, list):
            raise DataError(path, "<file>", "expected a JSON list of question records")
        items = ((f"record {n}", rec) for n, rec in enumerate(data, 1))
    records = [tvqa_record(path, where, rec, n_options) for where, rec in items]
    return _check_unique(path, records)


def read_nextqa(path: Path | None = None, n_options: int = N_OPTIONS) -> list[QARecord]:
    """A NExT-QA-style CSV (``None``: the embedded MIT slice of NExT-QA val)."""
    if path is None:
        text = resources.files("ssl_plugin_video").joinpath("data_files", EMBEDDED).read_text("utf-8")
        path = Path(EMBEDDED)
    else:
        text = _read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    for col in ("video", "question", "qid"):
        if col not in (reader.fieldnames or []):
            raise DataError(path, "<header>", f"missing column {col!r}")
    records = []
    for row in reader:
        where = f"line {reader.line_num}"
        answer = row.get("answer")
        options = _options(path, where, {k: v for k, v in row.items() if k is not None}, n_options)
        records.append(QARecord(
            qid=f"{_text(path, where, row, 'video')}_{_text(path, where, row, 'qid')}",
            clip=_text(path, where, row, "video"), question=_text(path, where, row, "question"), options=options,
            answer=None if answer in (None, "") else _answer(path, where, answer, n_options, "answer"),
            where=f"{path.name}: {where}",
        ))  # fmt: skip
    if not records:
        raise DataError(path, "<rows>", "no question rows")
    return _check_unique(path, records)


def read_annotations(path: Path | None) -> list[QARecord]:
    """Any supported annotation file by its suffix (``.json``/``.jsonl``: TVQA, ``.csv``: NExT-QA)."""
    if path is None or path.suffix == ".csv":
        return read_nextqa(path)
    if path.suffix in (".json", ".jsonl"):
        return read_tvqa(path)
    raise DataError(path, "<file>", "expected a TVQA .json/.jsonl or a NExT-QA .csv annotation file")


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise DataError(path, "<file>", "file not found")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(path, "<file>", f"not UTF-8 text at byte {exc.start}") from exc
    if not text.strip():
        raise DataError(path, "<file>", "empty file")
    return text


def _json(path: Path, where: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(
            path, where, f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc


def _check_unique(path: Path, records: list[QARecord]) -> list[QARecord]:
    seen: dict[str, str] = {}
    for rec in records:
        if rec.qid in seen:
            raise DataError(
                path,
                f"{rec.where.split(': ', 1)[1]}: qid",
                f"duplicate question id {rec.qid!r} (first at {seen[rec.qid]})",
            )
        seen[rec.qid] = rec.where.split(": ", 1)[1]
    return records
