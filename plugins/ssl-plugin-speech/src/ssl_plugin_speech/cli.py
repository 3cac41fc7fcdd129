"""``ssl speech ...`` and the ``ssl-speech`` console script (identical)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ssl_core.cli.domain import (
    PretrainOptions,
    domain_main,
    evaluate_command,
    make_group,
    pretrain_options,
    save_npy,
)

group = make_group(
    "speech",
    """TERA self-supervised speech features and any-to-one voice conversion with adversarial
    speaker disentanglement (Liu et al. 2021; Zhao et al. 2023).

    \b
    Examples:
      ssl-speech pretrain                                  # embedded VCTK subset, about 2 minutes
      ssl-speech pretrain --data my_corpus/ --set recipe_args.target_speaker=alice
      ssl-speech pretrain --recipe tera --data my_corpus/ --steps 2000
      ssl-speech evaluate runs/speech/<timestamp>
      ssl-speech convert runs/speech/<timestamp> --source in.wav -o converted.wav
      ssl-speech embed runs/speech/<timestamp> in.wav -o frames.npy
    """,
)


def build_config(recipe: str, data: Path | None, overrides: list[str]) -> Any:
    """The default config for ``recipe`` (``vc`` or ``tera``) on ``data`` with ``overrides`` applied."""
    from ssl_core.config import load_run_config
    from ssl_plugin_speech.recipe_args import default_config

    cfg = default_config()
    if recipe == "tera":
        cfg["recipe"], cfg["recipe_args"] = "speech/tera", {}
    elif data is not None:
        cfg["recipe_args"]["target_speaker"] = None
    if data is not None:
        cfg["recipe_args"]["data"] = str(data)
    return load_run_config(cfg, overrides)


@group.command()
@pretrain_options
@click.option(
    "--recipe",
    type=click.Choice(["vc", "tera"]),
    default="vc",
    show_default=True,
    help="vc: TERA + voice conversion (needs several speakers); tera: TERA pretraining only.",
)
def pretrain(opts: PretrainOptions, recipe: str) -> None:
    """Pretrain on DATA (a folder of .wav/.flac/.ogg, optional metadata.tsv; default: embedded VCTK subset).

    Without --data the target speaker is p225; with --data it is the speaker with the most audio
    unless --set recipe_args.target_speaker=NAME is given.
    """
    from ssl_core.cli.domain import run_pretrain
    from ssl_core.plugins import get_registries

    config = build_config(recipe, opts.data, opts.overrides())
    built = get_registries().recipes.build(config.recipe, **config.recipe_args)
    corpus = built.extras["corpus"]
    click.echo(
        f"data: {corpus.root} ({len(corpus.utterances)} files, speakers {', '.join(corpus.speakers())})"
    )
    for note in corpus.notes():
        click.echo(f"  note: {note}")
    if "target_speaker" in built.extras:
        click.echo(f"target speaker: {built.extras['target_speaker']}")
    run_pretrain(config, opts.run_dir, domain="speech", recipe=built)


@group.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--source",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Audio file to convert (.wav/.flac/.ogg).",
)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Output .wav."
)
@click.option(
    "--iters", type=click.IntRange(min=1), default=32, show_default=True, help="Griffin-Lim iterations."
)
@click.option("--device", default="cpu", show_default=True)
def convert(run_dir: Path, source: Path, output: Path, iters: int, device: str) -> None:
    """Convert SOURCE to the target speaker of the voice-conversion run in RUN_DIR; write a WAV.

    Example: ssl-speech convert runs/speech/<timestamp> --source p226_021.wav -o p226_as_p225.wav
    """
    from ssl_core.engine import load_run
    from ssl_plugin_speech.convert import convert_file

    loaded = load_run(run_dir, device=device)
    path, report, log_mel = convert_file(loaded.module, source, output, n_iter=iters, device=device)  # type: ignore[arg-type]
    for note in report.notes:
        click.echo(f"note: {source.name}: {note}")
    click.echo(
        f"wrote {path} ({log_mel.shape[0] * 0.01:.2f} s) -> target {loaded.recipe.extras.get('target_speaker')}"
    )


@group.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Output .npy."
)
@click.option("--pooled", is_flag=True, help="One mean-pooled vector per file instead of frame features.")
@click.option("--device", default="cpu", show_default=True)
def embed(run_dir: Path, input_path: Path, output: Path, pooled: bool, device: str) -> None:
    """Embed INPUT with the TERA encoder of RUN_DIR into OUT.npy (float32).

    A file gives its frame features (T, D), one row per 10 ms (or (1, D) with --pooled); a folder
    gives one pooled row per file (N, D), in sorted path order.

    Example: ssl-speech embed runs/speech/<timestamp> in.wav -o frames.npy
    """
    import torch

    from ssl_core.engine import load_run
    from ssl_plugin_speech.data import load_corpus
    from ssl_plugin_speech.evaluate import tera_of

    loaded = load_run(run_dir, device=device)
    tera = tera_of(loaded.module).eval()
    corpus = load_corpus(input_path)
    with torch.no_grad():
        frames = [
            tera.tokens({"wave": torch.from_numpy(u.wave)[None].to(device)})[0] for u in corpus.utterances
        ]
    if input_path.is_file() and not pooled:
        array = frames[0].cpu().numpy()
    else:
        array = torch.stack([f.mean(0) for f in frames]).cpu().numpy()
    save_npy(array.astype("float32"), output)
    for note in corpus.notes():
        click.echo(f"note: {note}")
    click.echo(f"wrote {output} {tuple(array.shape)}")


group.add_command(evaluate_command())
main = domain_main("speech")
