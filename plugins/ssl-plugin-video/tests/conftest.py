"""Shared helpers: small synthetic TVQA+-style annotation files; the CLI run in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ssl_core.testing import ConsoleRun, run_console

NAMES = ("Sheldon", "Penny", "Raj", "Howard", "Leonard", "Amy")
THINGS = ("cup", "couch", "door", "laptop", "table", "phone")


def tvqa_records(n_clips: int = 6, per_clip: int = 4) -> list[dict[str, Any]]:
    """TVQA+-format records: templated questions whose answer is the thing visible in the span."""
    out = []
    for c in range(n_clips):
        for j in range(per_clip):
            i = c * per_clip + j
            who, thing = NAMES[i % 6], THINGS[(i * 5 + c) % 6]
            start = 3.0 * j
            options = [f"{who} holds a {t}" for t in THINGS[:5]]
            answer = THINGS[:5].index(thing) if thing in THINGS[:5] else 0
            frames = {str(int(start * 3) + k): [{"label": who, "left": 0, "top": 0, "width": 5, "height": 5},
                                                 {"label": THINGS[answer], "left": 0, "top": 0, "width": 5, "height": 5}]
                      for k in range(3)}  # fmt: skip
            rec = {"qid": 1000 + i, "vid_name": f"clip_{c:02d}", "q": f"What does {who} hold in the room ?",
                   "answer_idx": str(answer), "ts": [start, start + 1.0], "bbox": frames}  # fmt: skip
            rec.update({f"a{k}": o for k, o in enumerate(options)})
            out.append(rec)
    return out


def write_json(path: Path, records: Any) -> Path:
    """``records`` as JSON at ``path``."""
    path.write_text(json.dumps(records))
    return path


Ran = ConsoleRun


def ssl_video(*args: str) -> Ran:
    """``ssl-video ARGS``: the console script's ``main`` in-process."""
    from ssl_plugin_video.cli import main

    return run_console(main, *args)


TINY = {"dim": 16, "depth": 1, "heads": 2, "ffn_dim": 16, "vocab_size": 200, "max_q_len": 10, "max_a_len": 6,
        "max_frames": 8, "ft_steps": 3, "ft_batch": 8, "eval_seeds": 1}  # fmt: skip
TINY_CLI = [x for k, v in TINY.items() for x in ("--set", f"recipe_args.{k}={v}")] + [
    "--set", "train.batch_size=8", "--set", "train.progress=false", "--set", "train.ckpt_every=2",
    "--set", "train.monitor_every=2", "--set", "train.device=cpu",
]  # fmt: skip
