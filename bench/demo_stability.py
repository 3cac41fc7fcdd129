"""Do ``ssl demo``'s verdicts hold across thread counts? Three demos, one verdict table (issue #13).

Runs ``ssl demo`` in three settings, one after the other, each into ``OUT/<name>``, then compares
every row's verdict (better / worse / no clear difference) across the runs, reading each domain's
``evaluation.json``:

- ``parallel-1t``: the default, one process per thread (two one-thread processes on 2 cores);
- ``serial-2t``: ``--jobs 1``, the domains one after the other with two threads;
- ``serial-1t``: ``OMP_NUM_THREADS=1``, one after the other with one thread.

::

    python bench/demo_stability.py --out /tmp/stab                    # runs the three demos, compares
    python bench/demo_stability.py --compare /tmp/a /tmp/b /tmp/c     # compares existing demo folders

Prints one line per row (domain, task, metric, baseline, each run's SSL value and verdict) and the
number of rows whose verdicts agree; exits 1 when a verdict differs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SETTINGS = {
    "parallel-1t": ({}, []),
    "serial-2t": ({}, ["--jobs", "1"]),
    "serial-1t": ({"OMP_NUM_THREADS": "1"}, []),
}


def run_demo(root: Path, env: dict[str, str], args: list[str]) -> float:
    """``ssl demo --run-dir root ARGS`` with ``env``; its wall seconds."""
    start = time.perf_counter()
    subprocess.run(["ssl", "-q", "demo", "--run-dir", str(root), *args], env={**os.environ, **env}, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - start


def rows_of(root: Path) -> dict[tuple[str, ...], dict[str, Any]]:
    """``{(domain, task, metric, baseline): row}`` of every ``<domain>/evaluation.json`` under ``root``."""
    found = {}
    for path in sorted(root.glob("*/evaluation.json")):
        for row in json.loads(path.read_text())["rows"]:
            key = (path.parent.name, row["task"], row["metric"], str(row["extra"].get("baseline", "")))
            found[key] = row
    if not found:
        raise SystemExit(f"{root}: no <domain>/evaluation.json (not an ssl demo folder)")
    return found


def compare(roots: list[Path]) -> int:
    """Print the verdicts side by side; the number of rows whose verdicts differ."""
    runs = [rows_of(r) for r in roots]
    keys = [k for k in runs[0] if all(k in r for r in runs[1:])]
    differ = 0
    print("| domain | task | metric | baseline | " + " | ".join(r.name for r in roots) + " | agree |")
    print("|---" * (5 + len(roots)) + "|")
    for key in keys:
        cells = [f"{r[key]['ssl'][0]:.4g} {r[key]['verdict']}" for r in runs]
        same = len({r[key]["verdict"] for r in runs}) == 1
        differ += not same
        print(f"| {' | '.join(key)} | {' | '.join(cells)} | {'yes' if same else '**no**'} |")
    missing = sum(len(r) for r in runs) - len(keys) * len(runs)
    print(f"\n{len(keys) - differ} of {len(keys)} rows agree on the verdict across {len(roots)} runs"
          + (f"; {missing} rows not in every run" if missing else ""))  # fmt: skip
    return differ + (missing > 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/bench/demo_stability"))
    parser.add_argument("--compare", nargs="+", type=Path, help="existing demo folders: compare only")
    args = parser.parse_args()
    roots = args.compare
    if not roots:
        roots = []
        for name, (env, extra) in SETTINGS.items():
            seconds = run_demo(args.out / name, env, extra)
            print(f"{name}: {seconds:.0f} s wall", flush=True)
            roots.append(args.out / name)
    sys.exit(1 if compare(roots) else 0)


if __name__ == "__main__":
    main()
