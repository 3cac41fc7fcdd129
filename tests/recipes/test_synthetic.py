"""``core/synthetic``: seeded Gaussian clusters, the two-view module, argument checks, and that it learns."""

from __future__ import annotations

import pytest
import torch

from ssl_core.config import load_run_config, read_yaml_resource
from ssl_core.engine import train
from ssl_core.errors import ConfigError
from ssl_core.evaluation import generic_report
from ssl_core.plugins.manager import get_registries
from ssl_core.recipes.synthetic import gaussian_clusters, synthetic_recipe


def test_gaussian_clusters_statistics_against_float64_reference():
    centres = torch.tensor([[0.0, 0.0, 0.0], [5.0, -3.0, 1.0], [-4.0, 2.0, 6.0]])
    data = gaussian_clusters(30000, centres, 2, torch.Generator().manual_seed(0))
    assert data["x"].shape == (30000, 3) and torch.equal(data["label"], data["cluster"] % 2)
    for c in range(3):
        x = data["x"][data["cluster"] == c].double()
        assert torch.allclose(x.mean(0), centres[c].double(), atol=0.05)
        assert torch.allclose(x.var(0), torch.ones(3, dtype=torch.float64), atol=0.06)
    counts = torch.bincount(data["cluster"], minlength=3).double() / 30000
    assert torch.allclose(counts, torch.full((3,), 1 / 3, dtype=torch.float64), atol=0.02)


def test_recipe_is_seeded_and_eval_set_is_labelled():
    a, b = synthetic_recipe(n_train=64, n_eval=32), synthetic_recipe(n_train=64, n_eval=32)
    assert torch.equal(a.train_data.tensors["x"], b.train_data.tensors["x"])
    assert set(a.train_data.tensors) == {"x"} and a.label_key == "label"
    assert set(a.eval_data.tensors["label"].tolist()) <= set(range(4))
    c = synthetic_recipe(n_train=64, n_eval=32, data_seed=1)
    assert not torch.equal(a.train_data.tensors["x"], c.train_data.tensors["x"])


@pytest.mark.parametrize("objective", ["vicreg", "ntxent"])
def test_module_two_masked_views_forward_backward(objective):
    recipe = synthetic_recipe(n_train=64, n_eval=16, objective=objective)
    batch = recipe.train_data.__getitems__(torch.arange(32))
    views = recipe.module.views(batch, torch.Generator().manual_seed(0))
    first, second = (v["x"] for v in views.values())
    assert len(views) == 2 and not torch.equal(first, second)
    assert ((first == 0).float().mean() - 0.25).abs() < 0.05  # mask_ratio of the features zeroed
    out = recipe.module(batch, torch.Generator().manual_seed(0))
    assert torch.isfinite(out.loss) and out.embeddings.shape == (32, 64)
    out.loss.backward()
    assert all(p.grad is not None for p in recipe.module.encoder.parameters())
    assert recipe.module.embed(batch).shape == (32, 64)


@pytest.mark.parametrize(
    ("args", "key"),
    [({"n_train": 0}, "recipe_args.n_train"), ({"n_classes": 17}, "recipe_args.n_classes"),
     ({"mask_ratio": 1.0}, "recipe_args.mask_ratio")],
)  # fmt: skip
def test_bad_arguments_are_config_errors(args, key):
    with pytest.raises(ConfigError) as info:
        synthetic_recipe(**args)
    assert info.value.key == key


def test_registered_with_validated_args(ssl_pm):
    entry = get_registries().recipes.get("core/synthetic")
    assert entry.validate({"dim": 8})["dim"] == 8
    with pytest.raises(ConfigError, match="objective"):
        entry.validate({"objective": "mse"})


@pytest.mark.timeout(120)
def test_starter_config_trains_in_seconds_and_beats_random_init(ssl_pm, tmp_path):
    config = load_run_config(read_yaml_resource("core.yaml"), ["train.device=cpu", "train.progress=false"])
    result = train(config, tmp_path / "run")
    assert result.step == 300
    report = generic_report(result.module, result.recipe, seeds=(0,))
    assert report["probe/acc"][0] > report["random/acc"][0] + 0.05
    assert report["probe/acc"][0] > 0.9
