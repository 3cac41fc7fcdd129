"""Small-data defaults on a real small table: ``ssl-tabular pretrain`` with no override on 200 Adult rows.

The table: rows 0, 163, 326, ... (every 163rd, the first 200) of UCI Adult's ``adult.data`` (CC BY
4.0, the copy embedded in the plugin; ``ssl_plugin_tabular.readers.write_adult_subset``), with a
header: 6 numeric columns, 8 categorical ones and the string label ``income``; the plugin's seeded
split keeps 128 rows for training.

Each arm pretrains with the plugin's defaults (the small-data rule adapts batch and steps) for each
seed, then runs the default ``evaluate`` (3 downstream seeds). Reported per arm, over the pretraining
seeds: the last monitor row's RankMe and feature std (of the flattened representation), whether the
collapse alarm ever fired, and the probe accuracy of T-JEPA features against raw features (paired
t-interval over the pretraining seeds)::

    python bench/tabular_small.py --seeds 0,1,2 --out /tmp/small       # defaults (token_std 1.0)
    python bench/tabular_small.py --seeds 0,1,2 --arm paper-init        # + recipe_args.token_std=0.02
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any

ARMS = {"default": (), "paper-init": ("recipe_args.token_std=0.02",)}


def one_run(csv: Path, run_dir: Path, seed: int, sets: tuple[str, ...]) -> dict[str, Any]:
    """Pretrain (defaults + ``sets``) and evaluate; the figures of one seed."""
    from ssl_core.lifecycle import PretrainOptions, evaluate_run, pretrain

    start = time.perf_counter()
    opts = PretrainOptions(
        data=csv, run_dir=run_dir, seed=seed, force=True, sets=sets, args={"target": "income"}
    )
    pretrain("tabular", opts, echo=lambda _line: None)
    train_s = time.perf_counter() - start
    rows = evaluate_run(run_dir, domain="tabular")
    monitors = [
        json.loads(line)
        for line in (run_dir / "metrics.jsonl").read_text().splitlines()
        if "monitor/rankme" in line
    ]
    config = (run_dir / "config.yaml").read_text()
    return {
        "seed": seed,
        "rankme": monitors[-1]["monitor/rankme"],
        "std": monitors[-1]["monitor/std"],
        "alarm_ever": any(m.get("alarm/collapse") == 1 for m in monitors),
        "ssl_acc": rows[0].ssl[0],
        "raw_acc": rows[0].baseline[0],
        "hgb_acc": rows[1].baseline[0],
        "batch_size": int(config.split("batch_size: ", 1)[1].split()[0]),
        "steps": int(config.split("\n  steps: ", 1)[1].split()[0]),
        "train_s": train_s,
        "total_s": time.perf_counter() - start,
    }


def _mean_ci(values: list[float]) -> str:
    from ssl_core.evaluation.intervals import t_quantile

    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return f"{mean:.4g} (n=1)"
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    return f"{mean:.4g} [{mean - half:.4g}, {mean + half:.4g}]"


def report(results: list[dict[str, Any]], arm: str) -> str:
    """Markdown lines: monitors with 95% t-intervals and the paired probe comparison."""
    from ssl_core.evaluation import ComparisonRow

    lines = [
        f"arm {arm}: {len(results)} seeds, batch {results[0]['batch_size']}, steps {results[0]['steps']}",
        f"- final RankMe {_mean_ci([r['rankme'] for r in results])}; feature std {_mean_ci([r['std'] for r in results])}",
        f"- collapse alarm fired in {sum(r['alarm_ever'] for r in results)} of {len(results)} runs",
        f"- pretrain + evaluate seconds: {_mean_ci([r['total_s'] for r in results])}",
    ]
    for key, name in (("raw_acc", "same MLP on raw features"), ("hgb_acc", "HistGradientBoosting")):
        row = ComparisonRow.from_seeds(
            "adult200", "acc", [r["ssl_acc"] for r in results], [r[key] for r in results]
        )
        low, high = row.diff_ci if row.diff_ci else (math.nan, math.nan)
        lines.append(
            f"- T-JEPA probe {row.ssl[0]:.3f} vs {name} {row.baseline[0]:.3f}: "
            f"diff {row.delta:+.3f} [{low:+.3f}, {high:+.3f}] -> {row.verdict}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--arm", choices=sorted(ARMS), default="default")
    parser.add_argument("--out", type=Path, default=Path("runs/bench/tabular_small"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from ssl_plugin_tabular.readers import write_adult_subset

    csv = write_adult_subset(args.out / "adult200.csv")
    results = []
    for seed in (int(s) for s in args.seeds.split(",")):
        result = one_run(csv, args.out / f"{args.arm}-{seed}", seed, ARMS[args.arm])
        print(json.dumps(result), flush=True)
        results.append(result)
    print(report(results, args.arm))


if __name__ == "__main__":
    main()
