"""Token initialisation on the full embedded Adult: T-JEPA's sigma 0.02 against sigma 1.0 (the default).

Each arm is the embedded default (``ssl-tabular pretrain``: 400 steps, batch 512) with
``recipe_args.token_std`` set, one pretraining per seed, then ``ssl-tabular evaluate`` (3 downstream
seeds); one thread per run, two runs at a time. Reported per arm over the pretraining seeds: the last
monitor row's RankMe and normalised feature std (``std * sqrt(D)``, about 1 when isotropic), how many
runs raised the collapse alarm, and the probe accuracy; then the probe of sigma 1.0 minus sigma 0.02,
paired over the seeds (t-interval)::

    python bench/tabular_token_init.py --seeds 0,1,2 --out /tmp/tok           # runs and summarises
    python bench/tabular_token_init.py --seeds 0,1,2 --out /tmp/tok --summarise-only
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ARMS = ("0.02", "1.0")


def run_arm(out: Path, arm: str, seed: int) -> None:
    """``ssl-tabular pretrain`` with ``token_std=arm`` then ``ssl-tabular evaluate`` (1 thread)."""
    run, env = out / f"{arm}-{seed}", {**os.environ, "OMP_NUM_THREADS": "1"}
    sets = ["--set", f"recipe_args.token_std={arm}"]
    base = ["ssl-tabular", "-q"]
    subprocess.run(
        [*base, "pretrain", "--seed", str(seed), "--run-dir", str(run), "--force", *sets], env=env, check=True
    )
    subprocess.run([*base, "evaluate", str(run)], env=env, check=True, stdout=subprocess.DEVNULL)


def read_run(run: Path) -> dict[str, Any]:
    """The last monitor row, whether the collapse alarm ever fired, and the probe's accuracies."""
    monitors = [
        json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines() if "monitor/rankme" in x
    ]
    rows = json.loads((run / "evaluation.json").read_text())["rows"]
    dim = 15 * 32  # ([REG] + 14 Adult features) x width 32 of the embedded default
    return {
        "rankme": monitors[-1]["monitor/rankme"],
        "std_norm": monitors[-1]["monitor/std"] * math.sqrt(dim),
        "alarm_ever": any(m.get("alarm/collapse") == 1 for m in monitors),
        "ssl": rows[0]["ssl"][0],
        "raw": rows[0]["baseline"][0],
        "hgb": rows[1]["baseline"][0],
    }


def summarise(out: Path, seeds: list[int]) -> str:
    from ssl_core.evaluation import ComparisonRow

    got = {arm: [read_run(out / f"{arm}-{s}") for s in seeds] for arm in ARMS}
    lines = ["| token_std | final RankMe (D 480) | std x sqrt(D) | collapse alarm | probe acc | raw MLP | HistGB |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for arm, runs in got.items():

        def span(key: str, fmt: str, runs: list[dict[str, Any]] = runs) -> str:
            values = [r[key] for r in runs]
            return f"{sum(values) / len(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"

        alarms = sum(r["alarm_ever"] for r in runs)
        lines.append(f"| {arm} | {span('rankme', '.2f')} | {span('std_norm', '.3f')} | {alarms} of {len(runs)} "
                     f"| {span('ssl', '.4f')} | {span('raw', '.4f')} | {span('hgb', '.4f')} |")  # fmt: skip
    row = ComparisonRow.from_seeds(
        "adult", "acc", [r["ssl"] for r in got["1.0"]], [r["ssl"] for r in got["0.02"]]
    )
    low, high = row.diff_ci or (math.nan, math.nan)
    lines.append(f"\nprobe, token_std 1.0 minus 0.02, paired over {len(seeds)} seeds: "
                 f"{row.delta:+.4f} [{low:+.4f}, {high:+.4f}] -> {row.verdict}")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--out", type=Path, default=Path("runs/bench/tabular_token_init"))
    parser.add_argument("--summarise-only", action="store_true", help="read existing runs under --out")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    if not args.summarise_only:
        args.out.mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(2) as pool:  # one arm per core, seeds in turn
            done = [pool.submit(lambda a=arm: [run_arm(args.out, a, s) for s in seeds]) for arm in ARMS]
            for future in done:
                future.result()
    print(summarise(args.out, seeds))


if __name__ == "__main__":
    main()
