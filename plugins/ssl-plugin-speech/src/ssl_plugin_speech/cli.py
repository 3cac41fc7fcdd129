"""``ssl speech ...`` / ``ssl-speech``: the core's pretrain, evaluate, embed, demo plus ``convert`` and ``frames``."""

from __future__ import annotations

from pathlib import Path

import click

from ssl_core.cli.domain import domain_group, domain_main, save_npy

group = domain_group("speech")


_RUN_DIR = click.Path(exists=True, file_okay=False, path_type=Path)
_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_OUTPUT = click.Path(dir_okay=False, path_type=Path)


@group.command()
@click.argument("run_dir", type=_RUN_DIR)
@click.option("--source", required=True, type=_FILE, help="Audio file to convert (.wav/.flac/.ogg).")
@click.option("-o", "--output", required=True, type=_OUTPUT, help="Output .wav.")
@click.option("--iters", type=click.IntRange(min=1), default=32, show_default=True, help="Griffin-Lim iterations.")  # fmt: skip
@click.option("--device", default="cpu", show_default=True)
def convert(run_dir: Path, source: Path, output: Path, iters: int, device: str) -> None:
    """Convert SOURCE to the target speaker of the voice-conversion run in RUN_DIR; write a WAV.

    Example: ssl-speech convert runs/speech/<timestamp> --source p226_021.wav -o p226_as_p225.wav
    """
    from ssl_core.lifecycle import load_owned_run
    from ssl_plugin_speech.convert import convert_file

    loaded = load_owned_run(run_dir, domain="speech", device=device)
    path, report, log_mel = convert_file(loaded.module, source, output, n_iter=iters, device=device)  # type: ignore[arg-type]
    for note in report.notes:
        click.echo(f"note: {source.name}: {note}")
    target = loaded.recipe.data.target_speaker  # type: ignore[union-attr]
    click.echo(f"wrote {path} ({log_mel.shape[0] * 0.01:.2f} s) -> target {target}")


@group.command()
@click.argument("run_dir", type=_RUN_DIR)
@click.argument("input_path", metavar="INPUT", type=_FILE)
@click.option("-o", "--output", required=True, type=_OUTPUT, help="Output .npy (T, D) float32.")
@click.option("--device", default="cpu", show_default=True)
def frames(run_dir: Path, input_path: Path, output: Path, device: str) -> None:
    """Frame features (T, D) of the audio file INPUT, one row per 10 ms (`embed`: one row per file).

    Example: ssl-speech frames runs/speech/<timestamp> in.wav -o frames.npy
    """
    import torch

    from ssl_core.lifecycle import load_owned_run
    from ssl_plugin_speech.audio import load_audio
    from ssl_plugin_speech.evaluate import tera_of

    loaded = load_owned_run(run_dir, domain="speech", device=device)
    wave, report = load_audio(input_path)
    with torch.no_grad():
        tera = tera_of(loaded.module).eval()
        array = tera.tokens({"wave": torch.from_numpy(wave)[None].to(device)})[0].cpu().numpy()
    save_npy(array.astype("float32"), output)
    for note in report.notes:
        click.echo(f"note: {input_path.name}: {note}")
    click.echo(f"wrote {output} {tuple(array.shape)}")


main = domain_main("speech")
