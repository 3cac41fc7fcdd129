"""Registration, engine runs, the CLI (pretrain / evaluate / convert / embed) and the quick demo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import ssl_plugin_speech.plugin as plugin
from speech_helpers import TINY_ARGS, TINY_VC_ARGS, voice

TINY_SETS = [f"recipe_args.{k}={v}" for k, v in TINY_VC_ARGS.items()]


def test_registers_what_the_manifest_declares(ssl_pm) -> None:
    with ssl_pm.registered(plugin):
        regs = ssl_pm.registries()
        for kind, names in plugin.PLUGIN.provides.items():
            assert sorted(names) == [n for n in regs.by_kind(kind).names() if n.startswith("speech/")]
        assert [e.error for e in ssl_pm.errors] == []
        assert plugin.ssl_default_config("speech")["recipe"] == "speech/vc"
        assert plugin.ssl_default_config("tabular") is None


def test_default_config_runs_the_strong_adversary_and_recipe_defaults_the_paper_arm(corpus_dir: Path) -> None:
    from ssl_plugin_speech.recipe_args import STRONG_ADVERSARY, VCArgs
    from ssl_plugin_speech.recipes import vc_recipe

    default = plugin.ssl_default_config("speech")["recipe_args"]
    assert {k: default[k] for k in STRONG_ADVERSARY} == STRONG_ADVERSARY
    paper = VCArgs()
    assert (paper.disc_kernel, paper.lambda_spk, paper.grl_ramp, paper.segment_adversary) == (
        5,
        0.5,
        False,
        0.0,
    )
    args = {**TINY_VC_ARGS, **STRONG_ADVERSARY, "disc_hidden": 16}
    vc = vc_recipe(data=str(corpus_dir), target_speaker="alice", heldout_sentences=["003"], **args).module
    assert vc.segment_adversary == 1.0 and vc.grl.ramp and vc.spk_disc.optim_lr_scale == 20.0


def test_tera_recipe_trains_and_reloads(ssl_pm, tiny_train_config, tmp_run_dir, corpus_dir: Path) -> None:
    import torch

    from ssl_core.engine import load_run, train

    with ssl_pm.registered(plugin):
        config = tiny_train_config(
            "speech/tera", {"data": str(corpus_dir), "heldout_sentences": ["003"], **TINY_ARGS}
        )
        result = train(config, tmp_run_dir)
        assert result.step == 2 and np.isfinite(result.metrics["loss"])
        loaded = load_run(tmp_run_dir)
        assert torch.equal(loaded.module.frontend.cmvn.mean, result.module.frontend.cmvn.mean)
        assert loaded.module.embed({"wave": torch.zeros(2, 1600) + 0.01}).shape == (2, 32)
        from ssl_plugin_speech.recipes import vc_recipe

        vc = vc_recipe(
            data=str(corpus_dir), tera_run=str(tmp_run_dir), heldout_sentences=["003"], **TINY_VC_ARGS
        )
        assert vc.module.tera_weight == 0.0 and vc.extras["target_speaker"] in {"alice", "bob", "carol"}
        assert not any(p.requires_grad for p in vc.module.tera.parameters())
        assert torch.equal(vc.module.tera.encoder.proj.weight, loaded.module.encoder.proj.weight)
        out = vc.module(vc.train_data.__getitems__(torch.arange(4)), torch.Generator().manual_seed(0))
        assert "loss/tera" not in out.metrics and torch.isfinite(out.loss)
        pseudo = vc_recipe(
            data=str(corpus_dir),
            target_speaker="alice",
            pseudo_speakers=2,
            heldout_sentences=["003"],
            **TINY_VC_ARGS,
        )
        t = pseudo.train_data.tensors
        assert torch.equal(t["spk_class"] == 0, t["is_target"].bool()) and set(t["spk_class"].tolist()) == {
            0,
            1,
            2,
        }
        assert pseudo.module.spk_disc.classes == 3
        out = pseudo.module(
            pseudo.train_data.__getitems__(torch.arange(len(t["utt"]))), torch.Generator().manual_seed(0)
        )
        assert torch.isfinite(out.metrics["loss/spk_disc"])


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_cli_pretrain_evaluate_convert_embed(ssl_pm, cli_runner, tmp_path: Path, corpus_dir: Path) -> None:
    with ssl_pm.registered(plugin):
        run_dir = tmp_path / "run"
        res = cli_runner.ssl(
            "speech",
            "pretrain",
            "--data",
            str(corpus_dir),
            "--steps",
            "2",
            "--run-dir",
            str(run_dir),
            "--set",
            "train.batch_size=4",
            "--set",
            "train.progress=false",
            "--set",
            "recipe_args.heldout_sentences=['003']",
            *[a for s in TINY_SETS for a in ("--set", s)],
        )
        assert res.exit_code == 0, res.output
        assert f"run directory: {run_dir}" in res.output and "target speaker: " in res.output
        res = cli_runner.ssl("speech", "evaluate", str(run_dir))
        assert res.exit_code == 0, res.output
        assert "sentence id" in res.output and "MCD" in res.output and "speaker id on content" in res.output
        assert "content_sentence_id=" in res.output  # the content kept by the embeddings, beside the speaker
        src = tmp_path / "in.wav"
        sf.write(src, voice(140.0, 0.6), 22_050)
        out = tmp_path / "out.wav"
        res = cli_runner.ssl(
            "speech", "convert", str(run_dir), "--source", str(src), "-o", str(out), "--iters", "4"
        )
        assert res.exit_code == 0, res.output
        assert "resampled from 22050 Hz" in res.output
        audio, sr = sf.read(out)
        assert sr == 16_000 and len(audio) > 4000 and np.isfinite(audio).all()
        emb = tmp_path / "e.npy"
        res = cli_runner.ssl("speech", "embed", str(run_dir), str(src), "-o", str(emb))
        assert res.exit_code == 0, res.output and np.load(emb).shape[1] == 32
        res = cli_runner.ssl("speech", "embed", str(run_dir), str(corpus_dir), "-o", str(emb))
        assert np.load(emb).shape == (9, 32)
        silent = tmp_path / "silent.wav"
        sf.write(silent, np.zeros(8000, np.float32), 16_000)
        bad = tmp_path / "bad.wav"
        res = cli_runner.ssl("speech", "convert", str(run_dir), "--source", str(silent), "-o", str(bad))
        assert res.exit_code != 0 and "silent" in res.output and not bad.exists()
        res = cli_runner.ssl("speech", "embed", str(run_dir), str(silent), "-o", str(tmp_path / "bad.npy"))
        assert res.exit_code != 0 and "silent" in res.output and not (tmp_path / "bad.npy").exists()


def test_cli_help_shows_examples(cli_runner, ssl_pm) -> None:
    with ssl_pm.registered(plugin):
        res = cli_runner.ssl("speech", "--help")
        assert res.exit_code == 0 and "ssl-speech convert" in res.output


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_quick_demo(ssl_pm, tmp_path: Path) -> None:
    from ssl_plugin_speech.demo import demo

    with ssl_pm.registered(plugin):
        result = demo(tmp_path / "demo", quick=True)
    assert result.domain == "speech" and len(result.rows) == 4
    assert all(np.isfinite(r.ssl[0]) and np.isfinite(r.baseline[0]) for r in result.rows)
