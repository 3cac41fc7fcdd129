"""A WordPiece tokenizer trained locally (``tokenizers``) on the training text; nothing is downloaded.

Kim et al. (AAAI 2021) use BERT's tokenizer; here the BERT-style vocabulary is fitted on the run's
training questions and answers only, and saved with the run (its JSON string) so ``evaluate``,
``embed`` and ``answer`` tokenise the same way. :func:`encode_pairs` lays out one option's input as
``[CLS] question (padded) [SEP] answer (padded) [SEP]``, optionally followed by the clip's detected
labels ``labels (padded) [SEP]``, with an attention mask over real tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ssl_plugin_video.config import VideoQAArgs

SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
PAD_ID, UNK_ID, CLS_ID, SEP_ID, MASK_ID = range(5)


def train_tokenizer(texts: Sequence[str], vocab_size: int) -> Any:
    """A lower-casing WordPiece tokenizer with BERT's special tokens, fitted on ``texts``.

    The vocabulary is fitted here, deterministically: BERT's special tokens, every character seen
    (word-initial and ``##`` continuation, so any word of the alphabet tokenises), then the words by
    falling frequency, ties alphabetical, up to ``vocab_size`` (the alphabet is always kept). ``tokenizers``' own WordPiece trainer
    breaks frequency ties in hash-map order, which changes from process to process: two runs of one
    command got different vocabularies and so different models, and a resumed run could not equal an
    uninterrupted one (issue 14).
    """
    from collections import Counter

    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    normalizer = normalizers.BertNormalizer(lowercase=True)
    pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(word for word, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text)))
    chars = sorted({c for word in counts for c in word})
    base = [*SPECIAL, *chars, *(f"##{c}" for c in chars)]
    words = sorted((w for w in counts if len(w) > 1), key=lambda w: (-counts[w], w))
    vocab = list(dict.fromkeys([*base, *words[: max(0, vocab_size - len(base))]]))
    tok = Tokenizer(models.WordPiece({t: i for i, t in enumerate(vocab)}, unk_token="[UNK]"))
    tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizer
    return tok


def load_tokenizer(state: str) -> Any:
    """The tokenizer from its saved JSON string."""
    from tokenizers import Tokenizer

    return Tokenizer.from_str(state)


def encode_texts(tok: Any, texts: Sequence[str], length: int) -> np.ndarray:
    """Token ids ``(len(texts), length)``, truncated and right-padded with ``[PAD]``."""
    out = np.zeros((len(texts), length), dtype=np.int64)
    for i, enc in enumerate(tok.encode_batch(list(texts), add_special_tokens=False)):
        ids = enc.ids[:length]
        out[i, : len(ids)] = ids
    return out


def assemble(q: Any, a: Any, c: Any = None) -> tuple[Any, Any, Any]:
    """``(input_ids, attention_mask, token_type_ids)`` of ``[CLS] q [SEP] a [SEP]`` (torch, last dim),
    or ``[CLS] q [SEP] a [SEP] c [SEP]`` with the clip's label tokens ``c``.

    ``q`` is ``(..., Lq)``, ``a`` is ``(..., La)`` (and ``c`` ``(..., Lc)``) with the same leading shape;
    padding stays in place (masked out), so every input has length ``Lq + La + 3`` (``+ Lc + 1``).
    Token types: 0 for the question (and labels), 1 for the answer.
    """
    import torch

    lead = q.shape[:-1]
    cls = torch.full((*lead, 1), CLS_ID, dtype=q.dtype, device=q.device)
    sep = torch.full((*lead, 1), SEP_ID, dtype=q.dtype, device=q.device)
    parts = [(cls, 0), (q, 0), (sep, 0), (a, 1), (sep, 1)]
    if c is not None:
        parts += [(c, 0), (sep, 0)]
    ids = torch.cat([p for p, _ in parts], dim=-1)
    types = torch.cat([torch.full_like(p, t) for p, t in parts], dim=-1)
    return ids, (ids != PAD_ID).long(), types


def text_length(args: VideoQAArgs, context: bool = True) -> int:
    """Tokens per input laid out by :func:`assemble`: ``[CLS] q [SEP] a [SEP]`` plus ``labels [SEP]``
    with a context (and ``max_c_len`` > 0)."""
    return args.max_q_len + args.max_a_len + 3 + (args.max_c_len + 1 if context and args.max_c_len else 0)
