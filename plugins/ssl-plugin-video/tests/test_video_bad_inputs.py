"""The video plugin's share of the bad-input corpus (``ssl_core.testing.bad_inputs``)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import tvqa_records

from ssl_core.testing import BadInput, run_bad_input, shared_data_dir
from ssl_core.testing.faults import pretrain_fault_cases


def _edit(i: int, **changes: Any) -> str:
    """Four clips x two questions of TVQA+ JSON whose record ``i`` (0-based) gets ``changes`` (``None`` deletes)."""
    recs = tvqa_records(4, 2)
    for key, value in changes.items():
        if value is None:
            recs[i].pop(key)
        else:
            recs[i][key] = value
    return json.dumps(recs)


def _npy(rows: int, nan: bool = False) -> bytes:
    arr = np.ones((rows, 4), np.float32)
    if nan:
        arr[2, 1] = np.nan
    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()


def _case(
    name: str, files: dict[str, str | bytes], code: int, message: str, *extra: str, data: str = "qa.json"
) -> BadInput:
    argv = ("video", "pretrain", "--data", f"{{tmp}}/{data}", "--run-dir", "{tmp}/run", *extra)
    return BadInput(f"video-{name}", argv, code, message, files=files)


def _real_videos(root: Path) -> None:
    """The four clips' videos: links to the two real mp4 files (clip 3 is Big Buck Bunny, 5.3 s)."""
    (root / "videos").mkdir()
    for c in range(4):
        name = "bigbuckbunny.mp4" if c == 3 else "bikes.mp4"
        (root / "videos" / f"clip_0{c}.mp4").symlink_to(shared_data_dir("video") / "clips" / name)


def _tiny_run(root: Path) -> None:
    """A two-step run on TVQA+-style JSON (concept context) in ``root/run``."""
    from conftest import TINY_CLI, ssl_video

    data = root / "train.json"
    data.write_text(json.dumps(tvqa_records(8, 4)))
    result = ssl_video(
        "pretrain", "--data", str(data), "--run-dir", str(root / "run"), "--steps", "2", *TINY_CLI
    )
    assert result.exit_code == 0, result.output


def _answer(name: str, files: dict[str, str | bytes], message: str, *context: str) -> BadInput:
    argv = (
        "video",
        "answer",
        "{tmp}/run",
        "--question",
        "What does Penny hold ?",
        "--options",
        "a",
        "b",
        "c",
        "d",
        "e",
        *context,
    )
    return BadInput(f"video-answer-{name}", argv, 1, message, files=files, prepare=_tiny_run)


FEATS = {f"feats/clip_0{c}.npy": _npy(30) for c in range(4)}  # 10 s at 3 fps; the spans end by 4 s
VIDEO_ARGS = ("--videos", "{tmp}/videos")
CSV_HEAD = "video,frame_count,width,height,question,answer,qid,type,a0,a1,a2,a3,a4\n"

CASES = [
    _case("missing-question", {"qa.json": _edit(1, q=None)}, 1, "qa.json: record 2: q: missing field"),
    _case("missing-clip", {"qa.json": _edit(0, vid_name=None)}, 1, "qa.json: record 1: vid_name: missing field"),
    _case("answer-out-of-range", {"qa.json": _edit(2, answer_idx="7")}, 1, "record 3: answer_idx: 7 is out of range 0..4"),
    _case("answer-not-int", {"qa.json": _edit(2, answer_idx="two")}, 1, "record 3: answer_idx: not an integer: 'two'"),
    _case("four-options", {"qa.json": _edit(3, a4=None)}, 1, "record 4: options: expected exactly 5 options a0..a4"),
    _case("six-options", {"qa.json": _edit(0, a5="extra")}, 1, "record 1: options: expected exactly 5 options"),
    _case("ts-start-after-end", {"qa.json": _edit(1, ts=[5.0, 2.0])}, 1, "qa.json: record 2: ts: start 5.0 > end 2.0"),
    _case("ts-not-a-pair", {"qa.json": _edit(1, ts="soon")}, 1, "record 2: ts: expected [start, end] seconds"),
    _case("ts-negative", {"qa.json": _edit(1, ts=[-1, 2])}, 1, "record 2: ts: expected finite seconds >= 0"),
    _case("duplicate-qid", {"qa.json": _edit(5, qid=1000)}, 1, "record 6: qid: duplicate question id '1000' (first at record 1)"),
    _case("bad-bbox", {"qa.json": _edit(0, bbox=[1, 2])}, 1, "record 1: bbox: expected an object"),
    _case("not-a-list", {"qa.json": json.dumps({"q": "x"})}, 1, "qa.json: <file>: expected a JSON list"),
    _case("invalid-json", {"qa.json": "[{\"q\": "}, 1, "qa.json: <file>: invalid JSON"),
    _case("empty-json", {"qa.json": ""}, 1, "qa.json: <file>: empty file"),
    _case("jsonl-bad-line", {"qa.jsonl": json.dumps(tvqa_records(1, 1)[0]) + "\n{oops\n"}, 1,
          "qa.jsonl: line 2: invalid JSON", data="qa.jsonl"),
    _case("csv-missing-column", {"qa.csv": "video,answer,qid,a0,a1,a2,a3,a4\n1,0,1,a,b,c,d,e\n"}, 1,
          "qa.csv: <header>: missing column 'question'", data="qa.csv"),
    _case("csv-answer-out-of-range", {"qa.csv": CSV_HEAD + "7,1,1,1,why,0,1,CW,a,b,c,d,e\n8,1,1,1,how,5,2,CH,a,b,c,d,e\n"}, 1,
          "qa.csv: line 3: answer: 5 is out of range 0..4", data="qa.csv"),
    _case("unknown-suffix", {"qa.txt": "hello"}, 1, "expected a TVQA .json/.jsonl or a NExT-QA .csv", data="qa.txt"),
    _case("features-length-mismatch", {"qa.json": _edit(0), **FEATS, "feats/clip_00.npy": _npy(6)}, 1,
          "feats/clip_00.npy: qa.json: record 2: ts: span ends at 4.0 s but 6 feature rows at 3.0 fps last 2.00 s (length mismatch)",
          "--features", "{tmp}/feats"),
    _case("features-missing", {"qa.json": _edit(0), **{k: v for k, v in FEATS.items() if "clip_02" not in k}}, 1,
          "feats: clip_02: no file clip_02{.npy,.h5,.hdf5} for this clip", "--features", "{tmp}/feats"),
    _case("features-nan", {"qa.json": _edit(0), **FEATS, "feats/clip_01.npy": _npy(30, nan=True)}, 1,
          "clip_01.npy: <array>: non-finite values in row 2", "--features", "{tmp}/feats"),
    _case("features-not-npy", {"qa.json": _edit(0), **FEATS, "feats/clip_01.npy": b"garbage"}, 1,
          "clip_01.npy: <array>: not a readable feature array", "--features", "{tmp}/feats"),
    _case("video-unreadable", {"qa.json": _edit(0), **{f"videos/clip_0{c}.mp4": b"\x00not a video" * 40 for c in range(4)}},
          1, "<video>: unreadable video: Invalid data found when processing input", *VIDEO_ARGS),
    _case("video-zero-length", {"qa.json": _edit(0), **{f"videos/clip_0{c}.mp4": b"" for c in range(4)}}, 1,
          "<video>: zero-length video file (0 bytes)", *VIDEO_ARGS),
    BadInput("video-ts-beyond-the-video", ("video", "pretrain", "--data", "{tmp}/qa.json", "--run-dir", "{tmp}/run", *VIDEO_ARGS),
             1, "clip_03.mp4: qa.json: record 7: ts: span ends at 30.0 s but the video last 5.28 s (length mismatch)",
             files={"qa.json": _edit(6, ts=[2.0, 30.0])}, prepare=_real_videos),
    _answer("features-for-a-concept-run", {"f.npy": _npy(5)}, "f.npy: context: the run was trained with concepts only as context",
            "--features", "{tmp}/f.npy"),
    _answer("concepts-not-json", {"c.json": "{oops"}, "c.json: <file>: not a JSON object", "--concepts", "{tmp}/c.json"),
    _case("label-fraction-zero", {"qa.json": _edit(0)}, 2, "recipe_args.label_fraction: must be > 0 and <= 1, got 0.0",
          "--label-fraction", "0"),
    _case("features-and-videos", {"qa.json": _edit(0)}, 2, "give either a features folder or a videos folder",
          "--set", "recipe_args.features=a", "--set", "recipe_args.videos=b"),
    _case("max-c-len-negative", {"qa.json": _edit(0)}, 2, "recipe_args.max_c_len: must be >= 0, got -1",
          "--set", "recipe_args.max_c_len=-1"),
    _case("ft-lr-scratch-zero", {"qa.json": _edit(0)}, 2, "recipe_args.ft_lr_scratch: must be > 0, got 0",
          "--set", "recipe_args.ft_lr_scratch=0"),
    # resources estimated before work starts (issue 14): batch x 5 candidates BERT sequences
    BadInput("video-memory-big-batch", ("video", "pretrain", "--data", "{tmp}/qa.json", "--run-dir", "{tmp}/run",
             "--set", "train.batch_size=256"), 1,
             "qa.json: memory: this run needs about 2.4 GB at its peak (mostly BERT over 5 candidates x 68 tokens x "
             "width 128 x 2 layers x batch 256, plus the context stream over 48 bins), 268.4 MB is available "
             "($SSL_CORE_MEMORY_LIMIT); lower train.batch_size (256)", files={"qa.json": _edit(0)},
             env={"SSL_CORE_MEMORY_LIMIT": "256M"}),
]  # fmt: skip


# disk and permission faults (issue 14): a full disk at the first checkpoint, a read-only run folder
FAULT_FILES = {"qa.json": _edit(0)}
CASES += pretrain_fault_cases(
    "video",
    ("video", "pretrain", "--data", "{tmp}/qa.json", "--steps", "1", "--set", "train.progress=false"),
    FAULT_FILES,
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input(case: BadInput, tmp_path: Path) -> None:
    run_bad_input(case, tmp_path)
