"""The clip's detected labels in the BERT input (Kim et al., AAAI 2021: BERT over question, answer,
subtitles and detected object labels): their text, their tokens, the input layout, and their use."""

from __future__ import annotations

from pathlib import Path

import torch
from conftest import NAMES, THINGS, tvqa_records, write_json
from ssl_plugin_video.config import VideoQAArgs
from ssl_plugin_video.context import label_text, others_concepts
from ssl_plugin_video.data import build_data, context_spec
from ssl_plugin_video.method import build_module, build_videoqa
from ssl_plugin_video.readers import QARecord, read_tvqa
from ssl_plugin_video.text import CLS_ID, PAD_ID, SEP_ID, assemble, load_tokenizer, text_length


def _rec(concepts: dict[int, list[str]]) -> QARecord:
    return QARecord("q", "clip", "who ?", ["a", "b"], 0, concepts=concepts)


def test_label_text_keeps_each_label_once_in_order_of_first_sight():
    recs = [_rec({9: ["cup", "Raj"], 3: ["Penny"]}), _rec({1: ["raj"], 12: ["door", "Cup"]})]
    assert label_text(recs) == "raj Penny cup door"  # 'raj' first seen at frame 1, in the second record
    assert label_text([_rec({})]) == ""


def test_assemble_appends_the_labels_after_the_answer():
    q, a, c = torch.tensor([[7, 8, 0]]), torch.tensor([[9, 0]]), torch.tensor([[11, 12, 0, 0]])
    ids, mask, types = assemble(q, a, c)
    assert ids.tolist() == [[CLS_ID, 7, 8, 0, SEP_ID, 9, 0, SEP_ID, 11, 12, 0, 0, SEP_ID]]
    assert mask.tolist() == [[int(i != PAD_ID) for i in ids[0].tolist()]]
    assert types.tolist() == [[0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0]]
    plain, _, plain_types = assemble(q, a)
    assert plain.tolist() == [ids[0, :8].tolist()] and plain_types.tolist() == [types[0, :8].tolist()]


def _data(tmp_path: Path, **kw) -> tuple[VideoQAArgs, object]:
    args = VideoQAArgs(data=str(write_json(tmp_path / "qa.json", tvqa_records(4, 3))), dim=8, depth=1, heads=2,
                       ffn_dim=8, vocab_size=120, max_frames=6, bin_seconds=2.0, max_q_len=10, max_a_len=6,
                       max_c_len=8, test_fraction=0.25, val_fraction=0.0, **kw)  # fmt: skip
    return args, build_data(args)


def test_each_question_sees_the_labels_of_the_other_questions_of_its_clip(tmp_path: Path):
    args, data = _data(tmp_path)
    recs = read_tvqa(Path(str(args.data)))
    tok = load_tokenizer(data.tokenizer)
    split = data.splits["train"]
    assert "concept_text" not in split.clips  # per question, not per clip
    text, grid = split.tensors["concept_text"], split.tensors["concepts"]
    assert text.shape == (len(split), 8) and grid.shape[0] == len(split)
    seen = 0
    for k in range(len(split)):
        words = tok.decode([int(i) for i in text[k] if i != PAD_ID]).split()
        assert set(words) <= {w.lower() for w in (*NAMES, *THINGS)}
        seen += bool(words)
    assert seen == len(split)  # three questions per clip: the other two always have boxes
    grids, texts = others_concepts(recs, data.concept_vocab, context_spec(args))
    ids = {label: i + 2 for i, label in enumerate(data.concept_vocab)}
    own_only = 0
    for k, rec in enumerate(recs):
        mates = [r for r in recs if r.clip == rec.clip and r.qid != rec.qid]
        assert texts[k] == label_text(mates)
        own = {x for labels in rec.concepts.values() for x in labels} - {
            x for m in mates for labels in m.concepts.values() for x in labels}  # fmt: skip
        own_only += len(own)
        assert not own & set(texts[k].split())  # a label only the question's own boxes show is absent
        assert not {ids[x] for x in own if x in ids} & set(grids[k].ravel().tolist())  # from the grid too
    assert own_only > 0  # the synthetic clips do have labels only one question's boxes show


def test_own_concepts_keeps_every_box_per_clip(tmp_path: Path):
    args, data = _data(tmp_path, own_concepts=True)
    split = data.splits["train"]
    assert "concept_text" in split.clips and "concept_text" not in split.tensors
    assert split.clips["concept_text"].shape == (len(split.clips["frame_mask"]), 8)
    lang = build_data(VideoQAArgs(**{**args.__dict__, "use_context": False}))
    assert "concept_text" not in {**lang.splits["train"].clips, **lang.splits["train"].tensors}
    no_text = build_data(VideoQAArgs(**{**args.__dict__, "max_c_len": 0})).splits["train"]
    assert "concept_text" not in {**no_text.clips, **no_text.tensors}


def test_the_context_model_reads_the_labels_and_the_language_model_does_not(tmp_path: Path):
    args, data = _data(tmp_path)
    torch.manual_seed(0)
    model = build_module(args, data).eval()
    assert model.encoder.text.bert.config.max_position_embeddings == text_length(args) == 10 + 6 + 3 + 8 + 1
    split = data.splits["train"]
    batch = split.__getitems__(torch.arange(4))
    other = {
        **batch,
        "concept_text": batch["concept_text"].flip(0),
    }  # each question sees another clip's labels
    with torch.no_grad():
        same, moved = model.score(batch)[0], model.score(other)[0]
    assert not torch.allclose(same, moved)
    lang = build_videoqa(load_tokenizer(data.tokenizer).get_vocab_size(), len(data.concept_vocab), args,
                         context=False).eval()  # fmt: skip
    assert lang.encoder.text.bert.config.max_position_embeddings == 10 + 6 + 3
    with torch.no_grad():
        assert torch.equal(lang.score(batch)[0], lang.score(other)[0])
