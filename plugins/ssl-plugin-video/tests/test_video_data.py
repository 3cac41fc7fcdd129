"""Readers and contexts on the real files under $SSL_DATA_DIR/video and on small synthetic ones."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import torch
from conftest import tvqa_records, write_json
from ssl_plugin_video.config import VideoQAArgs
from ssl_plugin_video.context import ContextSpec, build_clips, span_bins
from ssl_plugin_video.data import build_data, split_by_clip
from ssl_plugin_video.method import build_module
from ssl_plugin_video.readers import read_nextqa, read_tvqa

from ssl_core.testing import shared_data_dir


def test_real_tvqa_plus_reads_and_splits_by_clip():
    recs = read_tvqa(shared_data_dir("video") / "tvqa_plus" / "tvqa_plus_val.json")
    assert len(recs) == 3017 and len({r.clip for r in recs}) == 431
    assert all(len(r.options) == 5 and r.answer is not None and r.ts is not None for r in recs)
    assert sum(bool(r.concepts) for r in recs) > 2900 and "Sheldon" in {
        x for r in recs for v in r.concepts.values() for x in v
    }
    parts = split_by_clip(recs, 0.15, 0.25, seed=0)
    clips = {k: {r.clip for r in v} for k, v in parts.items()}
    assert (
        not (clips["train"] & clips["val"])
        and not (clips["train"] & clips["test"])
        and not (clips["val"] & clips["test"])
    )
    assert sum(len(v) for v in parts.values()) == 3017
    again = split_by_clip(recs, 0.15, 0.25, seed=0)
    assert {k: [r.qid for r in v] for k, v in again.items()} == {
        k: [r.qid for r in v] for k, v in parts.items()
    }
    other = split_by_clip(recs, 0.15, 0.25, seed=1)
    assert {r.clip for r in other["test"]} != clips["test"]


def test_real_nextqa_and_the_embedded_slice():
    recs = read_nextqa(shared_data_dir("video") / "nextqa" / "val.csv")
    assert len(recs) == 4996 and len({r.clip for r in recs}) == 570
    slice_ = read_nextqa(None)
    assert len(slice_) == 1501 and {r.qid for r in slice_} <= {r.qid for r in recs}
    assert all(r.answer is not None and 0 <= r.answer < 5 for r in slice_)


def test_concepts_pool_all_questions_of_a_clip_on_the_time_grid(tmp_path: Path):
    recs = read_tvqa(write_json(tmp_path / "a.json", tvqa_records(1, 3)))
    spec = ContextSpec(bin_seconds=3.0, max_frames=5, max_concepts=2)
    table = build_clips(recs, ["Sheldon", "Penny", "Raj", "cup", "couch", "door"], spec)
    assert table.names == ["clip_00"] and table.concepts.shape == (1, 5, 2)
    assert (table.concepts[0, :3] > 0).all() and (
        table.concepts[0, 3:] == 0
    ).all()  # three questions, three bins
    assert table.frame_mask[0].tolist() == [True, True, True, False, False]
    assert span_bins(recs[1], spec) == (1, 1) and span_bins(recs[0], ContextSpec(bin_seconds=0.5)) == (0, 1)


def _tiny(tmp_path: Path, **kw) -> VideoQAArgs:
    return VideoQAArgs(data=str(write_json(tmp_path / "qa.json", tvqa_records(2, 2))), dim=8, depth=1, heads=2,
                       ffn_dim=8, vocab_size=100, max_frames=6, bin_seconds=2.0, test_fraction=0.5, val_fraction=0.0, **kw)  # fmt: skip


def test_features_npy_and_h5_become_binned_context(tmp_path):
    feats = tmp_path / "feats"
    feats.mkdir()
    np.save(feats / "clip_00.npy", np.arange(36 * 4, dtype=np.float32).reshape(36, 4))
    with h5py.File(feats / "clip_01.h5", "w") as f:
        f["features"] = np.ones((36, 4), np.float32)
    data = build_data(_tiny(tmp_path, features=str(feats)))
    clips = {**data.splits["train"].clips}
    assert clips["features"].shape[1:] == (6, 4) and bool(data.splits["train"].clips["frame_mask"].all())
    both = torch.cat([data.splits["train"].clips["features"], data.splits["test"].clips["features"]])
    ref = (
        np.arange(36 * 4, dtype=np.float32).reshape(36, 4)[:6].mean(0)
    )  # bin 0 = rows 0..5 at 3 fps, 2 s bins
    assert any(np.allclose(row[0].numpy(), ref) for row in both)
    module = build_module(_tiny(tmp_path), data)
    out = module.score(data.splits["train"].__getitems__(torch.arange(2)))
    assert out[0].shape == (2, 5) and out[2] is not None and torch.isfinite(out[0]).all()


def test_the_two_real_mp4_clips_decode_and_train_end_to_end(tmp_path):
    src = shared_data_dir("video") / "clips"
    vids = tmp_path / "videos"
    vids.mkdir()
    for c, name in enumerate(("bigbuckbunny.mp4", "bikes.mp4")):
        (vids / f"clip_0{c}.mp4").symlink_to(src / name)
    data = build_data(_tiny(tmp_path, videos=str(vids)))
    pix = torch.cat([s.clips["pixels"] for s in data.splits.values()])
    masks = torch.cat([s.clips["frame_mask"] for s in data.splits.values()])
    assert pix.shape[1:] == (6, 3, 32, 32) and pix.dtype == torch.uint8 and pix.float().std() > 10
    assert sorted(masks.sum(1).tolist()) == [3, 5]  # 5.3 s and 10.0 s in 2 s bins
    module = build_module(_tiny(tmp_path), data)
    assert module.encoder.context is not None and module.encoder.context.cnn is not None
    batch = data.splits["train"].__getitems__(torch.arange(2))
    loss = module(batch, torch.Generator().manual_seed(0)).loss
    loss.backward()
    assert torch.isfinite(loss) and module.encoder.context.cnn.net[0].weight.grad.abs().sum() > 0
