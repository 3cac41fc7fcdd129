"""``ssl video ...`` and the ``ssl-video`` console script: the core's verbs plus ``answer``."""

from __future__ import annotations

from pathlib import Path

import click

from ssl_core.cli.domain import domain_group, domain_main

group = domain_group("video")

_RUN_DIR = click.Path(exists=True, file_okay=False, path_type=Path)
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@group.command()
@click.argument("run_dir", type=_RUN_DIR)
@click.option("--question", required=True, help="The question text.")
@click.option("--options", "options", required=True, nargs=5, help="The five answer options.")
@click.option("--concepts", type=_FILE, help="JSON: {frame index at 3 fps: [labels]} or TVQA+ bbox.")
@click.option("--features", type=_FILE, help="Frame features (.npy / .h5, frames x dim).")
@click.option("--video", type=_FILE, help="A video file decoded with PyAV.")
@click.option("--device", default="cpu", show_default=True)
def answer(run_dir: Path, question: str, options: tuple[str, ...], concepts: Path | None, features: Path | None,
           video: Path | None, device: str) -> None:  # fmt: skip
    """Rank the five OPTIONS of QUESTION with the run in RUN_DIR; print scores and the predicted span.

    Example: ssl-video answer runs/video/<ts> --question "what is Sheldon holding ?"
    --options "a cup" "a book" "a phone" "a laptop" "a bag" --concepts frames.json
    """
    from ssl_core.lifecycle import load_owned_run
    from ssl_plugin_video.answer import rank_options

    loaded = load_owned_run(run_dir, domain="video", device=device)
    result = rank_options(loaded, question, list(options), concepts=concepts, features=features, video=video)
    for rank, (idx, text, prob) in enumerate(result.ranked, 1):
        click.echo(f"{rank}. a{idx}  p={prob:.3f}  {text}")
    if result.span is not None:
        click.echo(f"span: {result.span[0]:.1f}-{result.span[1]:.1f} s")
    else:
        click.echo("span: none (the run has no visual context)")


main = domain_main("video")
