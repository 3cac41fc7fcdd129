"""Wheel smoke test: ssl-core and its plugins installed from built wheels, used as a user would.

Run by ``make smoke`` (part of ``make test``, hence of ``.ci/run``) after ``make build``::

    python .ci/wheel_smoke.py [--dist dist] [--quick] [--keep]

In a temporary folder outside the checkout (itself a git repository with one commit, like a user's
project around a venv), with no ``SSL_DATA_DIR`` and umask 022:

1. every wheel and sdist in ``dist/`` holds its LICENSE, all its package files and no build litter
   (``ssl_core.testing.wheelcheck``);
2. a fresh venv gets ``pip install --find-links dist -c constraints.txt ssl-core ssl-plugin-speech
   ssl-plugin-tabular ssl-plugin-traffic ...`` (every plugin under ``plugins/``; pip's report must show our packages
   came from ``dist/``);
3. ``ssl plugins`` lists them; the ``ssl --help`` example (``ssl init core``, ``ssl train``, ``ssl eval``)
   runs with no data directory; ``ssl-speech pretrain --steps 20``, ``evaluate``, ``convert``, ``embed``
   run; every other plugin runs ``pretrain`` for a few steps; then one ``ssl demo --quick --jobs 2``
   runs every plugin's quick demo (pretrain + evaluate) in two worker processes;
4. ``ssl new-plugin smoke`` is built into a wheel, checked, installed from it, listed, and its quick
   demo runs;
5. everything written is 0644 / 0755, and ``environment.json`` does not claim the enclosing
   repository's commit.

``--quick`` (local use) skips the tabular, traffic and video plugins and ``ssl-speech evaluate`` (the slowest
step). ``PIP_ARGS`` is passed to pip.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from ssl_core.testing.wheelcheck import check_sdist, check_wheel  # noqa: E402

SPEECH_STEPS = 20
OTHER_STEPS = 3
NEW_PLUGIN = "smoke"


class SmokeError(RuntimeError):
    """A step of the smoke test failed; the message names it."""


class Smoke:
    """One fresh venv in ``root`` (outside the checkout) and the commands a user would type."""

    def __init__(self, dist: Path, root: Path) -> None:
        self.dist, self.root = dist, root
        self.user = root / "user"  # the user's project folder: a git repository around the venv
        self.work = self.user / "work"  # where the commands run and write
        self.venv = self.user / "venv"
        self.bin = self.venv / "bin"
        drop = ("SSL_DATA_DIR", "SSL_CORE_", "PYTHON", "VIRTUAL_ENV")  # OpenSSL's SSL_CERT_* stay
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
        self.env.update(SSL_CORE_STRICT_PLUGINS="1", PATH=f"{self.bin}{os.pathsep}{os.environ['PATH']}")
        self.pip_args = shlex.split(os.environ.get("PIP_ARGS", ""))

    def run(self, *cmd: str | Path, cwd: Path | None = None, timeout: int = 900) -> str:
        """Run ``cmd``; print it with its wall time; raise :class:`SmokeError` with its output on failure."""
        args = [str(c) for c in cmd]
        start = time.perf_counter()
        proc = subprocess.run(
            args, cwd=cwd or self.work, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        print(f"  {time.perf_counter() - start:6.1f}s  {shlex.join(args)}", flush=True)
        if proc.returncode != 0:
            raise SmokeError(
                f"{shlex.join(args)} exited {proc.returncode}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
            )
        return proc.stdout

    def git(self, *args: str) -> str:
        who = ["-c", "user.name=smoke", "-c", "user.email=smoke@example.org", "-c", "commit.gpgsign=false"]
        return self.run("git", *who, *args, cwd=self.user).strip()

    def pip_install(self, *names: str, links: tuple[Path, ...] = ()) -> dict:
        """``pip install --find-links dist ... -c constraints.txt NAMES``; returns pip's JSON report."""
        report = self.root / "pip-report.json"
        finds = [a for link in (self.dist, *links) for a in ("--find-links", str(link))]
        pip = [self.bin / "python", "-m", "pip", "install", "-q", "--report", report, *finds]
        self.run(*pip, "-c", REPO / "constraints.txt", *self.pip_args, *names, timeout=1800)
        return json.loads(report.read_text())


def check_dist(dist: Path) -> list[str]:
    """Every repository distribution has a wheel and an sdist in ``dist`` that pass the wheel check."""
    projects = [
        REPO,
        *sorted(p for p in (REPO / "plugins").glob("ssl-plugin-*") if (p / "pyproject.toml").is_file()),
    ]
    names = []
    for project in projects:
        name = "ssl-core" if project == REPO else project.name
        stem = name.replace("-", "_")
        wheels, sdists = sorted(dist.glob(f"{stem}-*.whl")), sorted(dist.glob(f"{stem}-*.tar.gz"))
        if len(wheels) != 1 or len(sdists) != 1:
            raise SmokeError(f"{dist}: expected one wheel and one sdist of {name}, found {wheels + sdists}")
        problems = check_wheel(project, wheels[0]) + check_sdist(sdists[0])
        if problems:
            raise SmokeError(f"{name}: " + "; ".join(problems))
        names.append(name)
    return names


def check_came_from(report: dict, names: list[str], folders: tuple[Path, ...]) -> None:
    """pip's install report shows each of ``names`` installed from a wheel in one of ``folders``."""
    where = {item["metadata"]["name"]: item["download_info"]["url"] for item in report["install"]}
    for name in names:
        url = where.get(name, "")
        if not any(url.startswith(folder.resolve().as_uri() + "/") for folder in folders):
            raise SmokeError(f"{name} was installed from {url or 'nowhere'}, not from {folders}")


def check_listed(smoke: Smoke, expected: set[str]) -> None:
    payload = json.loads(smoke.run("ssl", "plugins", "--json"))
    listed = {p["distribution"] for p in payload["plugins"]}
    if not expected <= listed or payload["errors"]:
        raise SmokeError(
            f"ssl plugins lists {sorted(listed)} with errors {payload['errors']}; expected {sorted(expected)}"
        )


def core_example(smoke: Smoke) -> None:
    """The example of ``ssl --help``: the core's own recipe from a wheel, with no data directory."""
    smoke.run("ssl", "init", "core", "-o", smoke.work / "run.yaml")
    run = smoke.work / "runs" / "core"
    out = smoke.run("ssl", "train", smoke.work / "run.yaml", "--set", "train.steps=20", "--run-dir", run)
    if "finished step 20" not in out:
        raise SmokeError(f"ssl train of `ssl init core` did not finish 20 steps:\n{out[-2000:]}")
    if "random init" not in smoke.run("ssl", "eval", run):
        raise SmokeError("ssl eval of the core run printed no comparison with the random-init encoder")


def speech(smoke: Smoke, quick: bool) -> None:
    """The speech plugin end to end, as its README shows it (``evaluate`` skipped when ``quick``)."""
    run = smoke.work / "runs" / "speech"
    smoke.run("ssl-speech", "pretrain", "--steps", SPEECH_STEPS, "--run-dir", run)
    if not quick:
        smoke.run("ssl-speech", "evaluate", run)  # most of the smoke test's time
    code = "import importlib.resources as r; print(sorted(r.files('ssl_plugin_speech').joinpath('assets/vctk').iterdir())[-1])"
    audio = smoke.run(smoke.bin / "python", "-c", code).strip()
    smoke.run(
        "ssl-speech", "convert", run, "--source", audio, "-o", smoke.work / "converted.wav", "--iters", 4
    )
    smoke.run("ssl-speech", "embed", run, audio, "-o", smoke.work / "frames.npy")
    for out in ("converted.wav", "frames.npy"):
        if not (smoke.work / out).stat().st_size:
            raise SmokeError(f"{out} is empty")


def other_plugin(smoke: Smoke, domain: str) -> None:
    """Briefly: its console script pretrains a few steps (its quick demo runs in :func:`all_demos`).

    (``ssl-<domain> evaluate`` on the full embedded data takes minutes on CI's two cores; the quick
    demo runs the same evaluation code on a subset.)
    """
    smoke.run(f"ssl-{domain}", "pretrain", "--steps", OTHER_STEPS, "--run-dir", smoke.work / "runs" / domain)


def all_demos(smoke: Smoke, domains: list[str]) -> None:
    """Every installed plugin's quick demo in one ``ssl demo --jobs 2``: worker processes of the
    installed wheels, one table, each domain's run directory with its report."""
    out = smoke.run("ssl", "demo", "--quick", "--jobs", "2", "--run-dir", smoke.work / "demo")
    missing = [d for d in domains if not (smoke.work / "demo" / d / "report.html").is_file()]
    if missing or out.count("diff [95% CI]") != 1:
        raise SmokeError(
            f"ssl demo --quick --jobs 2: one table and a report per domain expected; missing {missing}"
        )


def new_plugin(smoke: Smoke) -> None:
    """``ssl new-plugin`` output: built, checked, installed from its wheel, listed, its demo run."""
    project, out = smoke.user / f"ssl-plugin-{NEW_PLUGIN}", smoke.root / "dist-new"
    smoke.run("ssl", "new-plugin", NEW_PLUGIN, "-o", project)
    # Built with the checkout's tools, as an author would with theirs (build + setuptools).
    smoke.run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, project, cwd=smoke.root)
    problems = check_wheel(project, next(out.glob("*.whl"))) + check_sdist(next(out.glob("*.tar.gz")))
    if problems:
        raise SmokeError(f"ssl-plugin-{NEW_PLUGIN}: " + "; ".join(problems))
    report = smoke.pip_install(f"ssl-plugin-{NEW_PLUGIN}", links=(out,))
    check_came_from(report, [f"ssl-plugin-{NEW_PLUGIN}"], (out,))
    check_listed(smoke, {f"ssl-plugin-{NEW_PLUGIN}"})
    smoke.run("ssl", "demo", "--domain", NEW_PLUGIN, "--quick", "--run-dir", smoke.work / "demo")


def check_modes(*folders: Path) -> None:
    """Every file is 0644 and every folder 0755 (umask 022), build caches aside."""
    wrong = []
    for folder in folders:
        for path in [folder, *folder.rglob("*")]:
            if {"__pycache__", "build"} & set(path.parts) or any(p.endswith(".egg-info") for p in path.parts):
                continue
            want = 0o755 if path.is_dir() else 0o644
            if stat.S_IMODE(path.stat().st_mode) != want:
                wrong.append(f"{path} {oct(stat.S_IMODE(path.stat().st_mode))}")
    if wrong:
        raise SmokeError("modes not following umask 022: " + ", ".join(wrong[:10]))


def check_provenance(run: Path, enclosing_commit: str, version: str) -> None:
    env = json.loads((run / "environment.json").read_text())
    core = env["provenance"]["ssl-core"]
    if core != {"version": version, "commit": "unknown", "dirty": None} or enclosing_commit in json.dumps(
        env
    ):
        raise SmokeError(
            f"{run}/environment.json: provenance {env['provenance']} (enclosing repo {enclosing_commit})"
        )


def smoke_test(dist: Path, root: Path, quick: bool) -> None:
    smoke = Smoke(dist.resolve(), root)
    ours = check_dist(smoke.dist)
    print(f"wheels and sdists ok: {', '.join(ours)}", flush=True)
    smoke.work.mkdir(parents=True)
    (smoke.user / "README").write_text("a user's project\n")
    smoke.git("init", "-q")
    smoke.git("add", "README")
    smoke.git("commit", "-q", "-m", "user project")
    enclosing = smoke.git("rev-parse", "HEAD")
    smoke.run(sys.executable, "-m", "venv", smoke.venv, cwd=smoke.root)
    wanted = [n for n in ours if not quick or n in ("ssl-core", "ssl-plugin-speech")]
    check_came_from(smoke.pip_install(*wanted), wanted, (smoke.dist,))
    check_listed(smoke, set(wanted))
    core_example(smoke)
    speech(smoke, quick)
    for name in wanted:
        if name not in ("ssl-core", "ssl-plugin-speech"):
            other_plugin(smoke, name.removeprefix("ssl-plugin-"))
    all_demos(smoke, [n.removeprefix("ssl-plugin-") for n in wanted if n != "ssl-core"])
    new_plugin(smoke)
    version = smoke.run(smoke.bin / "python", "-c", "import ssl_core; print(ssl_core.__version__)").strip()
    check_provenance(smoke.work / "runs" / "speech", enclosing, version)
    check_modes(smoke.work, smoke.user / f"ssl-plugin-{NEW_PLUGIN}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--dist", type=Path, default=REPO / "dist", help="folder of the built wheels and sdists"
    )
    parser.add_argument(
        "--quick", action="store_true", help="ssl-core, speech (no evaluate) and a new plugin only"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    os.umask(0o022)
    root = Path(tempfile.mkdtemp(prefix="ssl-wheel-smoke-"))
    start = time.perf_counter()
    try:
        smoke_test(args.dist, root, args.quick)
    except (SmokeError, subprocess.TimeoutExpired) as exc:
        print(f"wheel smoke test FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(
        f"wheel smoke test passed in {time.perf_counter() - start:.0f}s ({'quick' if args.quick else 'full'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
