"""The ``tabular/tjepa`` recipe: a table (embedded Adult by default) + the T-JEPA module.

T-JEPA, Thimonier et al. (ICLR 2025, arXiv 2410.05016). The optimisation settings of the paper
(AdamW lr 3.66e-4, warmup + cosine, weight decay off for biases / norms, gradient value clip 1.0,
EMA momentum linear 0.996 -> 1.0, batch 512) are in :func:`paper_config`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ssl_core.data import TensorDictDataset
from ssl_core.errors import ConfigError
from ssl_core.interfaces import Recipe, SSLModule
from ssl_plugin_tabular.evaluate import ProbeSettings, compare, select_epochs
from ssl_plugin_tabular.method import build_tjepa
from ssl_plugin_tabular.recipe_args import TJEPAArgs
from ssl_plugin_tabular.tables import PreparedTable, TableSpec, prepare_table

RECIPE = "tabular/tjepa"


def paper_config(steps: int = 1000, warmup_steps: int = 100) -> dict[str, Any]:
    """The paper's training settings as a run-config dict (``train``, ``optim``, ``ema``)."""
    return {
        "train": {"steps": steps, "batch_size": 512, "clip_value": 1.0, "drop_last": True},
        "optim": {
            "name": "adamw",
            "lr": 3.66e-4,
            "weight_decay": 0.0,
            "schedule": {"name": "warmup_cosine", "warmup_steps": warmup_steps, "final_ratio": 0.0},
        },
        "ema": {"base": 0.996, "final": 1.0, "schedule": "linear"},
    }


def prepare_from_args(args: TJEPAArgs) -> PreparedTable:
    """Read and encode the table named by ``args``."""
    spec = TableSpec(args.target, args.numeric, args.categorical, args.drop, args.task)
    return prepare_table(
        args.data,
        spec,
        val_fraction=args.val_fraction,
        test_fraction=args.test_fraction,
        seed=args.split_seed,
    )


def make_evaluate(prepared: PreparedTable, args: TJEPAArgs) -> Any:
    """``(module, recipe) -> {"rows": [...]}``: MLP on T-JEPA features vs raw features vs HistGradientBoosting."""
    settings = ProbeSettings(epochs=args.probe_epochs, lr=args.probe_lr, hidden=args.probe_hidden,
                             select_epochs=select_epochs(args.probe_epochs, args.probe_select_every))  # fmt: skip

    def evaluate(module: SSLModule, recipe: Recipe) -> dict[str, Any]:
        module.eval()
        device = next(module.parameters()).device
        rows = compare(
            module.embed, prepared, seeds=range(args.eval_seeds), settings=settings, max_train=args.eval_max_train,
            device=device,
        )  # fmt: skip
        return {"rows": rows}

    return evaluate


def _pair(values: list[float], key: str) -> tuple[float, float]:
    if len(values) != 2:
        raise ConfigError("<recipe_args>", key, f"expected [low, high], got {values}")
    return float(values[0]), float(values[1])


def tjepa_recipe(**kwargs: Any) -> Recipe:
    """Build ``tabular/tjepa`` from :class:`~ssl_plugin_tabular.recipe_args.TJEPAArgs` fields."""
    args = TJEPAArgs(**kwargs)
    prepared = prepare_from_args(args)
    prep = prepared.prep
    module = build_tjepa(
        len(prep.schema.numeric),
        prep.cardinalities,
        dim=args.dim, depth=args.depth, heads=args.heads, ffn_dim=args.ffn_dim, dropout=args.dropout,
        n_cls=args.n_cls, pred_dim=args.pred_dim, pred_depth=args.pred_depth, pred_heads=args.pred_heads,
        ctx_range=_pair(args.ctx_range, "ctx_range"), tgt_range=_pair(args.tgt_range, "tgt_range"), num_targets=args.num_targets,
    )  # fmt: skip
    train = prepared.splits["train"]
    val = prepared.splits.get("val")
    labelled = prepared.task is not None
    # the engine's online probe is a classifier: give it labels only for classification tables
    probe_labels = prepared.task == "classification"
    return Recipe(
        name=RECIPE,
        module=module,
        train_data=TensorDictDataset(train.tensors(), source=prepared.name),
        eval_data=TensorDictDataset(val.tensors(), source=prepared.name) if val is not None else None,
        label_key="y" if probe_labels else None,
        evaluate=make_evaluate(prepared, args) if labelled and "test" in prepared.splits else None,
        extras={"prepared": prepared, "preprocessor": prep, "args": asdict(args)},
    )
