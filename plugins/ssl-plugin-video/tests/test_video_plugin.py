"""Plugin wiring: the contract (check_plugin), the CLI (pretrain / evaluate / embed / answer) on TVQA+-style files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import ssl_plugin_video.plugin as plugin
import torch
from conftest import TINY_CLI, ssl_video, tvqa_records, write_json
from ssl_plugin_video.encoders import ContextEncoder, QAEncoder, TextEncoder
from ssl_plugin_video.objectives import MaskedAnswerContrastive, QuestionPredictionLoss, SpanLocalisationLoss
from ssl_plugin_video.views import AnswerMasking, QuestionCandidates

from ssl_core.testing import check_plugin
from ssl_core.testing.pytest_plugin import isolated_plugin_manager


def _batch(b: int = 4, t: int = 6) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    return {
        "q": torch.randint(5, 40, (b, 6), generator=gen), "a": torch.randint(5, 40, (b, 5, 4), generator=gen),
        "answer": torch.tensor([0, 1, 4, -1][:b]), "labelled": torch.tensor([True, True, True, False][:b]),
        "span": torch.tensor([[0, 1], [2, 3], [-1, -1], [1, 1]][:b]),
        "concepts": torch.randint(0, 8, (b, t, 3), generator=gen), "frame_mask": torch.ones(b, t, dtype=torch.bool),
    }  # fmt: skip


def _encoder() -> QAEncoder:
    text = TextEncoder(40, 13, dim=8, depth=1, heads=2, ffn_dim=8, dropout=0.0)
    return QAEncoder(text, ContextEncoder(6, 6, dim=8, heads=2, window=1))


EXAMPLES = {
    "video/qa-encoder": lambda: (_encoder(), _batch()),
    "video/question-candidates": lambda: (QuestionCandidates(3), _batch()),
    "video/answer-masking": lambda: (AnswerMasking(0.5), _batch()),
    "video/masked-answer-contrastive": lambda: (
        MaskedAnswerContrastive(0.1), (torch.randn(4, 8, requires_grad=True), torch.randn(4, 5, 8), torch.tensor([0, 1, 2, 3]))),
    "video/question-prediction": lambda: (QuestionPredictionLoss(), (torch.randn(4, 3, requires_grad=True),)),
    "video/span-localisation": lambda: (
        SpanLocalisationLoss(), (torch.randn(3, 6, 2, requires_grad=True), torch.tensor([[0, 2], [-1, -1], [3, 5]]))),
}  # fmt: skip


def _embed_csv(folder: Path) -> Path:
    """An embed INPUT in the embedded default's format (NExT-QA CSV) for the quick demo's run."""
    path = folder / "new questions.csv"
    path.write_text(
        "video,question,answer,qid,a0,a1,a2,a3,a4\nv1,why is the dog running,1,0,fun,to catch the ball,cold,hungry,sleep\n"
    )
    return path


@pytest.mark.timeout(240)
def test_plugin_contract(tmp_path):
    check_plugin(plugin.TABLE, tmp_path=tmp_path, examples=EXAMPLES, embed_input=_embed_csv)


def test_question_candidates_never_pick_the_question_itself_as_a_negative():
    views = QuestionCandidates(4)(_batch(), torch.Generator().manual_seed(3))["qp"]
    cand, option = views["cand"], views["option"]
    assert torch.equal(cand[:, 0], torch.arange(4))
    assert all(i not in cand[i, 1:].tolist() and len(set(cand[i].tolist())) == 4 for i in range(4))
    assert option[:3].tolist() == [0, 1, 4] and 0 <= int(option[3]) < 5  # ground truth when labelled


def test_answer_masking_masks_only_real_tokens_of_the_ground_truth():
    batch = _batch()
    batch["a"][1, 1, 2:] = 0  # padding stays padding
    view = AnswerMasking(0.999)(batch, torch.Generator().manual_seed(0))["masked"]
    assert (
        view["a"].shape == (4, 4)
        and bool((view["a"][1, 2:] == 0).all())
        and bool((view["a"][1, :2] == 4).all())
    )


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    """A tiny run pretrained through ``ssl-video`` on TVQA+-style JSON, the file deleted afterwards."""
    root = tmp_path_factory.mktemp("cli")
    data = write_json(root / "qa #1.json", tvqa_records(8, 4))
    with isolated_plugin_manager() as pm, pm.registered(plugin, "video"):
        result = ssl_video(
            "pretrain", "--data", str(data), "--run-dir", str(root / "run"), "--steps", "2", *TINY_CLI
        )
        assert result.exit_code == 0, result.output
        data.unlink()
        yield root / "run"


def test_evaluate_after_the_data_is_gone(cli_run):
    with isolated_plugin_manager() as pm, pm.registered(plugin, "video"):
        result = ssl_video("evaluate", str(cli_run))
    assert result.exit_code == 0, result.output
    for name in ("same model without SSL", "bag-of-words conditional logit", "chance (1/5)", "iou"):
        assert name in result.output


def test_embed_and_answer(cli_run, tmp_path):
    with isolated_plugin_manager() as pm, pm.registered(plugin, "video"):
        inp = write_json(tmp_path / "q.json", tvqa_records(1, 3))
        result = ssl_video("embed", str(cli_run), str(inp), "-o", str(tmp_path / "e.npy"))
        assert result.exit_code == 0, result.output
        emb = np.load(tmp_path / "e.npy")
        assert emb.shape == (3, 5 * 16) and np.isfinite(emb).all()
        concepts = tmp_path / "frames.json"
        concepts.write_text(json.dumps({"3": ["Penny", "cup"], "4": ["Penny"]}))
        opts = ["a cup", "a couch", "a door", "a laptop", "a table"]
        result = ssl_video("answer", str(cli_run), "--question", "What does Penny hold ?", "--options", *opts,
                           "--concepts", str(concepts))  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines[:5]] == ["1.", "2.", "3.", "4.", "5."]
    probs = [float(line.split()[2].removeprefix("p=")) for line in lines[:5]]
    assert probs == sorted(probs, reverse=True) and abs(sum(probs) - 1.0) < 0.01
    assert lines[5].startswith("span: ") and lines[5].endswith(" s")


def test_report_shows_option_scores_and_spans_of_three_test_questions(cli_run):
    import re

    from ssl_core.testing import html_problems

    html = (cli_run / "report.html").read_text()  # written by pretrain, before the JSON was deleted
    assert html_problems(html) == [] and "figure not drawn" not in html
    start = html.index("<h3>Option scores and predicted spans of test questions</h3>")
    figure = html[start : html.index("</div>", start)]
    assert figure.count("what does ") == 3 and figure.count("(correct)") == 3
    assert figure.count("span (s): ts ") == 3 and "main-stage steps (seed 0)" in figure
    for block in figure.split("font-weight")[1:]:  # per question: softmax scores sum to 1
        scores = [float(v) for v in re.findall(r'<text x="210" y="\d+">(\d\.\d{3}) ', block)]
        assert len(scores) == 5 and sum(scores) == pytest.approx(1.0, abs=3e-3)
