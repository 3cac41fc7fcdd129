"""``ssl medical ...`` / ``ssl-medical``: the core's pretrain, evaluate, embed, demo plus ``inspect`` and
``reconstruct``.

``pretrain --data`` takes a DICOM file or series folder, a NIfTI file, a MedMNIST npz or a PNG / JPEG
folder (without ``--data``: the embedded BreastMNIST + AdrenalMNIST3D, joint 2D + 3D). No command
prints, logs or stores a patient attribute: the loaders keep pixels and geometry only.
"""

from __future__ import annotations

from pathlib import Path

import click

from ssl_core.cli.domain import domain_group, domain_main

group = domain_group("medical")

_PATH = click.Path(exists=True, path_type=Path)
_RUN_DIR = click.Path(exists=True, file_okay=False, path_type=Path)
_OUTPUT = click.Path(dir_okay=False, path_type=Path)


@group.command()
@click.argument("path", type=_PATH)
def inspect(path: Path) -> None:
    """What the loader sees in PATH: modality, shape, spacing, orientation, transfer syntax, value range.

    Never a patient attribute. PATH: a DICOM file or series folder, a NIfTI file, a MedMNIST npz, or
    a PNG / JPEG folder.

    Example: ssl-medical inspect ct_series_folder/
    """
    from ssl_plugin_medical.medmnist import read_medmnist
    from ssl_plugin_medical.sources import kind_of, read_scans

    if kind_of(path) == "medmnist":
        ndim, splits = read_medmnist(path)
        for split, (x, y) in splits.items():
            labels = "unlabelled" if y is None else f"labels {sorted(set(y.tolist()))}"
            click.echo(f"{path.name}: {split}: {len(x)} {ndim}D items of {'x'.join(map(str, x.shape[1:]))} uint8, "
                       f"range {int(x.min())} .. {int(x.max())}, {labels}")  # fmt: skip
        return
    scans = read_scans(path)
    click.echo(f"{path.name}: {len(scans)} {'item' if len(scans) == 1 else 'items'}")
    for scan in scans[:20]:
        fields = scan.describe()
        click.echo("  " + "; ".join(f"{k}: {v}" for k, v in fields.items()))
    if len(scans) > 20:
        click.echo(f"  ... {len(scans) - 20} more")


@group.command()
@click.argument("run_dir", type=_RUN_DIR)
@click.argument("input_path", metavar="INPUT", type=_PATH)
@click.option("-o", "--output", required=True, type=_OUTPUT, help="Output PNG figure.")
@click.option(
    "--index", type=click.IntRange(min=0), default=0, show_default=True, help="Which item of INPUT."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random mask.")
def reconstruct(run_dir: Path, input_path: Path, output: Path, index: int, seed: int) -> None:
    """Save the original, the mask, the reconstruction and the gradient-map reconstruction of INPUT.

    Example: ssl-medical reconstruct runs/medical/<timestamp> scan.nii.gz -o fig.png
    """
    from ssl_core.errors import DataError
    from ssl_core.lifecycle import load_owned_run
    from ssl_plugin_medical.data import embed_input
    from ssl_plugin_medical.reconstruct import panels, save_figure

    loaded = load_owned_run(run_dir, domain="medical")
    batch = embed_input(input_path, loaded)
    x = next(iter(batch.values()))
    if index >= len(x):
        raise DataError(input_path, "--index", f"{index} is out of range: INPUT holds {len(x)} items")
    save_figure(panels(loaded.module, x[index], seed), output)  # type: ignore[arg-type]
    click.echo(f"wrote {output}")


main = domain_main("medical")
