"""The VC arms of ``bench/speech_vc.py``: which speaker adversary and content normalisation each trains."""

from __future__ import annotations

import argparse
from typing import Any

from ssl_plugin_speech.config import STRONG_ADVERSARY

ARMS = ("plain", "binary", "plain_in", "binary_in", "strong_in", "strongctx_in")
"""VC variants: {no speaker adversary, the paper's binary adversary} x {plain, instance-normalised} content,
and the stronger binary adversary with instance-normalised content (per-frame or 21-frame discriminator)."""


def arms_of(a: argparse.Namespace) -> tuple[str, ...]:
    return (*ARMS, "pseudo_in") if a.pseudo_k > 0 else ARMS


def arm_args(arm: str, a: argparse.Namespace) -> dict[str, Any]:
    args: dict[str, Any] = {"instance_norm": arm.endswith("_in"), "lambda_spk": 0.0}
    if arm.startswith("binary"):
        args["lambda_spk"] = a.binary_lambda
    if arm.startswith("strong"):
        args.update(STRONG_ADVERSARY)  # the embedded default's adversary
    if arm.startswith("strongctx"):
        args["disc_kernel"] = 5  # 5 layers of kernel 5: 21 frames of context
    if arm.startswith("pseudo"):
        args.update(lambda_spk=a.pseudo_lambda, pseudo_speakers=a.pseudo_k)
    return args
