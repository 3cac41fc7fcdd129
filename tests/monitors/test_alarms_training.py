"""The alarms end to end on the toy lifecycle domain: a collapsing encoder fires, a healthy one is silent."""

from __future__ import annotations

import dataclasses
import json

import torch
import toy_domain

from ssl_core.evaluation import format_comparison
from ssl_core.lifecycle import PretrainOptions, evaluate_run, pretrain

SETS = ("train.monitor_every=2", "train.log_every=2", "train.steps=24", "train.ckpt_every=24")


def _monitor_rows(run_dir):
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [r for r in rows if "monitor/rankme" in r]


def _collapsed_forward(self, batch):
    """The toy encoder with its output multiplied by 0: every sample maps to the same point."""
    return {"pooled": self.net(batch["x"]) * 0.0 + torch.linspace(-1.0, 1.0, self.output_dim)}


def test_a_collapsing_encoder_fires_the_alarm_everywhere(toy_pm, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(toy_domain.ToyEncoder, "forward", _collapsed_forward)
    spec = toy_pm.domain_specs()["toy"]
    advised = dataclasses.replace(spec, alarm_advice={"collapse": "try --width 64"})
    monkeypatch.setattr(toy_pm, "domain_specs", lambda: {"toy": advised})
    pretrain("toy", PretrainOptions(run_dir=tmp_path / "run", sets=SETS), echo=lambda _: None)
    err = capsys.readouterr().err
    assert err.count("warning: collapse alarm at step 2: RankMe 1") == 2  # main run and its baseline
    assert "learning rate" in err and "; try --width 64" in err  # generic, then the plugin's advice
    rows = _monitor_rows(tmp_path / "run")
    assert len(rows) == 12 and all(r["alarm/collapse"] == 1 for r in rows)
    table_rows = evaluate_run(tmp_path / "run", domain="toy", quick=True)
    assert table_rows and all("collapsed at step 24 (RankMe 1" in r.extra["alarm"] for r in table_rows)
    assert "representation collapsed at step 24" in " ".join(format_comparison(table_rows).split())


def test_a_healthy_toy_run_stays_silent(toy_pm, tmp_path, capsys):
    sets = (*SETS, "optim.lr=0.01")  # the toy learns at this rate (its default barely moves in 24 steps)
    pretrain("toy", PretrainOptions(run_dir=tmp_path / "run", sets=sets), echo=lambda _: None)
    assert "alarm" not in capsys.readouterr().err
    rows = _monitor_rows(tmp_path / "run")
    assert len(rows) == 12
    assert all(r["alarm/collapse"] == 0 and r["alarm/stalled"] == 0 for r in rows)
    assert all("alarm" not in r.extra for r in evaluate_run(tmp_path / "run", domain="toy", quick=True))
