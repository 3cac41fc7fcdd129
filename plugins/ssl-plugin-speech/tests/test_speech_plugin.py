"""Registration and contract (check_plugin), engine runs, the data state and the CLI verbs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import ssl_plugin_speech.plugin as plugin
import torch
from speech_helpers import TINY_ARGS, TINY_VC_ARGS, voice
from ssl_plugin_speech.encoders import TERAEncoder
from ssl_plugin_speech.objectives import MaskedReconstructionLoss
from ssl_plugin_speech.views import tera_alteration

from ssl_core.testing import check_plugin

TINY_SETS = [f"recipe_args.{k}={v}" for k, v in TINY_VC_ARGS.items()]


def _clean() -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    return {"features": torch.randn(3, 20, 16, generator=gen), "n_frames": torch.tensor([20, 15, 9])}


def _recon() -> tuple[torch.Tensor, ...]:
    gen = torch.Generator().manual_seed(0)
    pred = torch.randn(2, 10, 8, generator=gen, requires_grad=True)
    return pred, torch.randn(2, 10, 8, generator=gen), torch.rand(2, 10, generator=gen) < 0.5


EXAMPLES = {
    "speech/tera": lambda: (TERAEncoder(16, 32, 2, 4, 64), _clean()),
    "speech/tera-alteration": lambda: (tera_alteration(), _clean()),
    "speech/tera-l1": lambda: (MaskedReconstructionLoss("l1"), _recon()),
}


def write_wavs(folder: Path) -> Path:
    """Two short voiced WAV files in ``folder/wavs`` (the embed input: a folder, one row per file)."""
    root = folder / "wavs"
    root.mkdir()
    for k, f0 in enumerate((120.0, 210.0)):
        sf.write(root / f"u{k}.wav", voice(f0, 0.5 + 0.3 * k, seed=k), 16_000)
    return root


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_plugin_contract(tmp_path: Path) -> None:
    """Manifest, component contracts, the quick demo on the embedded VCTK subset, evaluate, embed."""
    check_plugin(plugin.TABLE, tmp_path=tmp_path, examples=EXAMPLES, embed_input=write_wavs)


def test_default_config_runs_the_strong_adversary_and_recipe_defaults_the_paper_arm(corpus_dir: Path) -> None:
    from ssl_plugin_speech.config import EMBEDDED_TARGET, STRONG_ADVERSARY, VCArgs
    from ssl_plugin_speech.recipes import VC

    default = plugin.ssl_default_config("speech")
    assert default["recipe"] == "speech/vc" and plugin.ssl_default_config("tabular") is None
    args = default["recipe_args"]
    assert {k: args[k] for k in STRONG_ADVERSARY} == STRONG_ADVERSARY
    assert "target_speaker" not in args and EMBEDDED_TARGET == "p225"  # p225 only on the embedded data
    paper = VCArgs()
    assert (paper.disc_kernel, paper.lambda_spk, paper.grl_ramp, paper.segment_adversary) == (
        5,
        0.5,
        False,
        0.0,
    )
    tiny = {**TINY_VC_ARGS, **STRONG_ADVERSARY, "disc_hidden": 16}
    vc = VC(data=str(corpus_dir), target_speaker="alice", heldout_sentences=["003"], **tiny).module
    assert vc.segment_adversary == 1.0 and vc.grl.ramp and vc.spk_disc.optim_lr_scale == 20.0


def test_data_state_round_trip_restores_the_evaluation_utterances(corpus_dir: Path, tmp_path: Path) -> None:
    from ssl_plugin_speech.config import VCArgs
    from ssl_plugin_speech.data import build_data, restore_data
    from ssl_plugin_speech.method import vc_module

    args = VCArgs(data=str(corpus_dir), heldout_sentences=["003"], eval_max_utterances=8, **TINY_VC_ARGS)
    data = build_data(args)
    torch.save(data.state_dict(), tmp_path / "data.pt")
    back = restore_data(args, torch.load(tmp_path / "data.pt", weights_only=True))
    assert back.train is None and back.target_speaker == data.target_speaker  # the one with most audio
    assert data.target_speaker in {"alice", "bob", "carol"}
    assert [u.path for u in back.utterances] == [u.path for u in data.utterances] and len(
        back.utterances
    ) == 8
    assert all(not u.path.is_absolute() for u in back.utterances)
    assert all(np.array_equal(a.wave, b.wave) for a, b in zip(back.utterances, data.utterances))
    assert [u.sentence for u in back.utterances] == [u.sentence for u in data.utterances]
    torch.manual_seed(0)
    fresh = vc_module(args, data)
    torch.manual_seed(0)
    restored = vc_module(args, back)
    for (name, a), b in zip(fresh.state_dict().items(), restored.state_dict().values()):
        assert torch.equal(a, b), name  # same weights and the fitted CMVN, without the corpus


def test_tera_recipe_trains_and_reloads(ssl_pm, tiny_train_config, tmp_run_dir, corpus_dir: Path) -> None:
    from ssl_plugin_speech.recipes import VC

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
        big = {**TINY_VC_ARGS, "dim": 48, "heads": 4}  # VC's own TERA sizes differ from the tera run's
        vc = VC(data=str(corpus_dir), tera_run=str(tmp_run_dir), heldout_sentences=["003"], **big)
        assert vc.module.tera_weight == 0.0 and vc.data.target_speaker in {"alice", "bob", "carol"}
        assert not any(p.requires_grad for p in vc.module.tera.parameters())
        assert torch.equal(vc.module.tera.encoder.proj.weight, loaded.module.encoder.proj.weight)
        assert vc.data.tera_arch["dim"] == 32
        restored = VC.restore({"tera_run": "gone", **big}, vc.data.state_dict()).module
        assert restored.tera.encoder.proj.weight.shape == vc.module.tera.encoder.proj.weight.shape
        out = vc.module(vc.train_data.__getitems__(torch.arange(4)), torch.Generator().manual_seed(0))
        assert "loss/tera" not in out.metrics and torch.isfinite(out.loss)
        pseudo = VC(
            data=str(corpus_dir),
            target_speaker="alice",
            pseudo_speakers=2,
            heldout_sentences=["003"],
            **TINY_VC_ARGS,
        )
        t = pseudo.train_data.tensors
        assert torch.equal(t["spk_class"] == 0, t["is_target"].bool())
        assert set(t["spk_class"].tolist()) == {0, 1, 2} and pseudo.module.spk_disc.classes == 3
        batch = pseudo.train_data.__getitems__(torch.arange(len(t["utt"])))
        out = pseudo.module(batch, torch.Generator().manual_seed(0))
        assert torch.isfinite(out.metrics["loss/spk_disc"])


def _pretrain(cli_runner, data: Path, run_dir: Path, *extra: str):  # noqa: ANN202 - click Result
    sets = ["train.batch_size=4", "train.progress=false", *TINY_SETS]
    args = ["speech", "pretrain", "--data", str(data), "--steps", "2", "--run-dir", str(run_dir)]
    return cli_runner.ssl(
        *args, "--heldout-sentences", "003", *extra, *[a for s in sets for a in ("--set", s)]
    )


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_cli_pretrain_evaluate_convert_embed(ssl_pm, cli_runner, tmp_path: Path, corpus_dir: Path) -> None:
    with ssl_pm.registered(plugin):
        run_dir = tmp_path / "run"
        res = _pretrain(cli_runner, corpus_dir, run_dir, "--target-speaker", "bob")
        assert res.exit_code == 0, res.output
        assert f"run directory: {run_dir}" in res.output
        res = cli_runner.ssl("speech", "evaluate", str(run_dir))
        assert res.exit_code == 0, res.output
        assert "sentence id" in res.output and "MCD" in res.output and "speaker id on content" in res.output
        assert "content_sentence_id=" in res.output and "VC -> bob" in res.output
        assert all(len(line) <= 100 for line in res.output.splitlines())  # fits a 100-column terminal
        assert (
            "paired bootstrap over" in res.output
            and "test utterances" in res.output
            and "pairs" in res.output
        )
        src = tmp_path / "in.wav"
        sf.write(src, voice(140.0, 0.6), 22_050)
        out = tmp_path / "out.wav"
        res = cli_runner.ssl(
            "speech", "convert", str(run_dir), "--source", str(src), "-o", str(out), "--iters", "4"
        )
        assert res.exit_code == 0, res.output
        assert "resampled from 22050 Hz" in res.output and "-> target bob" in res.output
        audio, sr = sf.read(out)
        assert sr == 16_000 and len(audio) > 4000 and np.isfinite(audio).all()
        frames = tmp_path / "f.npy"
        res = cli_runner.ssl("speech", "frames", str(run_dir), str(src), "-o", str(frames))
        assert res.exit_code == 0, res.output
        assert "resampled from 22050 Hz" in res.output and np.load(frames).shape[1] == 32
        emb = tmp_path / "e.npy"
        res = cli_runner.ssl("speech", "embed", str(run_dir), str(corpus_dir), "-o", str(emb))
        assert res.exit_code == 0, res.output
        _embed_rows_match_each_file(run_dir, corpus_dir, np.load(emb))
        silent = tmp_path / "silent.wav"
        sf.write(silent, np.zeros(8000, np.float32), 16_000)
        bad = tmp_path / "bad.wav"
        res = cli_runner.ssl("speech", "convert", str(run_dir), "--source", str(silent), "-o", str(bad))
        assert res.exit_code != 0 and "silent" in res.output and not bad.exists()
        res = cli_runner.ssl("speech", "embed", str(run_dir), str(silent), "-o", str(tmp_path / "bad.npy"))
        assert res.exit_code != 0 and "silent" in res.output and not (tmp_path / "bad.npy").exists()
        assert "Traceback" not in res.output


def _embed_rows_match_each_file(run_dir: Path, corpus_dir: Path, rows: np.ndarray) -> None:
    """``embed`` of a folder (zero-padded batch) equals each file embedded alone, in path order."""
    from ssl_plugin_speech.corpus import load_corpus

    from ssl_core.engine import load_run

    module = load_run(run_dir).module.eval()
    utts = load_corpus(corpus_dir).utterances
    assert rows.shape == (len(utts), 32)
    with torch.no_grad():
        alone = torch.cat([module.embed({"wave": torch.from_numpy(u.wave)[None]}) for u in utts])
    np.testing.assert_allclose(rows, alone.numpy(), atol=1e-4, rtol=1e-4)


def test_cli_help_shows_examples_and_options(cli_runner, ssl_pm) -> None:
    with ssl_pm.registered(plugin):
        res = cli_runner.ssl("speech", "--help")
        assert res.exit_code == 0 and "ssl-speech convert" in res.output and "frames" in res.output
        res = cli_runner.ssl("speech", "pretrain", "--help")
    assert res.exit_code == 0, res.output
    for option in ("--target-speaker", "--pseudo-speakers", "--tera-run", "--resume", "--nproc-per-node"):
        assert option in res.output
    assert "k-means pseudo-" in res.output and "held out of training" in res.output  # help from config.py
