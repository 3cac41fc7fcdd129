"""The two views of Kim et al. (AAAI 2021), drawn from a ``torch.Generator``.

* :class:`QuestionCandidates` (pre-training, question prediction): for each question ``i`` the
  candidate questions are ``i`` itself (first) and ``n - 1`` questions of *other* QA pairs of the
  batch; the answer paired with them is the ground truth when labelled, else a random option (our
  label-free extension for unlabelled questions; the paper always uses the ground truth).
* :class:`AnswerMasking` (main stage): the ground-truth option's input copied with random token
  masking (``[MASK]`` with probability ``mask_prob`` on real question and answer tokens).
"""

from __future__ import annotations

import torch
from torch import Tensor

from ssl_core.interfaces import Batch, ViewGenerator, Views
from ssl_plugin_video.text import MASK_ID, PAD_ID


class QuestionCandidates(ViewGenerator):
    """``{"qp": {"cand": (B, n) question indices into the batch, "option": (B,) answer option}}``."""

    view_names = ("qp",)

    def __init__(self, n_candidates: int = 5) -> None:
        self.n = n_candidates

    def __call__(self, batch: Batch, generator: torch.Generator | None = None) -> Views:
        answer, labelled = batch["answer"], batch["labelled"]
        b, dev = answer.shape[0], answer.device
        n = min(self.n, b)
        noise = torch.rand(b, b, generator=generator, device=dev)
        noise.fill_diagonal_(2.0)  # never the question itself among the negatives
        neg = noise.argsort(dim=1)[:, : n - 1]
        cand = torch.cat([torch.arange(b, device=dev)[:, None], neg], dim=1)
        n_opt = batch["a"].shape[1]
        rand = torch.randint(0, n_opt, (b,), generator=generator, device=dev)
        option = torch.where(labelled & (answer >= 0), answer, rand)
        return {"qp": {"cand": cand, "option": option}}


def mask_tokens(ids: Tensor, prob: float, generator: torch.Generator | None = None) -> Tensor:
    """``ids`` with each non-padding token replaced by ``[MASK]`` with probability ``prob``."""
    hit = (torch.rand(ids.shape, generator=generator, device=ids.device) < prob) & (ids != PAD_ID)
    return ids.masked_fill(hit, MASK_ID)


class AnswerMasking(ViewGenerator):
    """``{"masked": {"q": (B, Lq), "a": (B, La)}}``: the ground-truth option's input, token-masked."""

    view_names = ("masked",)

    def __init__(self, mask_prob: float = 0.15) -> None:
        self.mask_prob = mask_prob

    def __call__(self, batch: Batch, generator: torch.Generator | None = None) -> Views:
        q, a, answer = batch["q"], batch["a"], batch["answer"].clamp(min=0)
        gt = a[torch.arange(a.shape[0], device=a.device), answer]
        return {
            "masked": {
                "q": mask_tokens(q, self.mask_prob, generator),
                "a": mask_tokens(gt, self.mask_prob, generator),
            }
        }
