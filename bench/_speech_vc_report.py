"""The report of ``bench/speech_vc.py``: mean +- std over seeds of every measure, as markdown tables."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import torch
from _speech_vc_arms import arms_of
from ssl_plugin_speech.config import STRONG_ADVERSARY

from ssl_core.utils.bench import markdown_table, peak_rss_mb


def ms(values: list[float]) -> str:
    return f"{np.mean(values):.3f} +- {np.std(values):.3f}"


def report(results: list[dict[str, Any]], speed: dict[str, float], a: argparse.Namespace) -> str:
    col = lambda k: ms([r[k] for r in results])  # noqa: E731
    names = {
        "plain": "no adversary",
        "binary": "binary adversary (paper)",
        "plain_in": "no adversary + IN",
        "binary_in": "binary adversary + IN",
        "strong_in": "strong binary adversary + IN",
        "strongctx_in": "strong binary adversary, 21-frame discriminator + IN",
        "pseudo_in": f"pseudo-speaker (k={a.pseudo_k}) + IN",
    }

    def arms(prefix: str) -> dict[str, str]:
        return {names[arm]: col(f"{prefix}/{arm}") for arm in arms_of(a)}

    rows = [
        {
            "measure": "speaker-ID, mean+std pooled linear probe (chance 0.25)",
            **arms("spk"),
            "reference": f"TERA features {col('spk/tera')}",
        },
        {
            "measure": "speaker-ID, frame-level linear probe, per utterance (chance 0.25)",
            **arms("spkf"),
            "reference": f"TERA features {col('spkf/tera')}",
        },
        {
            "measure": "speaker-ID, frame-level linear probe, per frame (chance 0.25)",
            **arms("spkff"),
            "reference": f"TERA features {col('spkff/tera')}",
        },
        {
            "measure": "speaker-ID, frame-level MLP probe, per utterance (chance 0.25)",
            **arms("spkm"),
            "reference": f"TERA features {col('spkm/tera')}",
        },
        {
            "measure": "speaker-ID, frame-level MLP probe, per frame (chance 0.25)",
            **arms("spkmf"),
            "reference": f"TERA features {col('spkmf/tera')}",
        },
        {
            "measure": "target vs rest, MLP probe, per frame, balanced (chance 0.5)",
            **arms("spkmt"),
            "reference": f"TERA features {col('spkmt/tera')}",
        },
        {
            "measure": "content probe: sentence id, held-out speaker (acc)",
            **arms("sent"),
            "reference": f"TERA features {col('sent/tera')}",
        },
        {
            "measure": "MCD to target's parallel utterance (dB; lower better)",
            **arms("mcd"),
            "reference": f"unconverted source {col('mcd/source')}",
        },
        {"measure": "spk-emb cosine, converted vs target", **arms("cos_tgt"), "reference": ""},
        {"measure": "spk-emb cosine, converted vs source speaker", **arms("cos_src"), "reference": ""},
    ]
    few = [
        {
            "features": "TERA (pretrained), feature layer, windowed",
            "sentence id acc, 1 training speaker": col("few/tera"),
        },
        {
            "features": "TERA (pretrained), last layer, whole utterance (old)",
            "sentence id acc, 1 training speaker": col("few/tera_old"),
        },
        {"features": "raw log-mel (CMVN)", "sentence id acc, 1 training speaker": col("few/logmel")},
        {
            "features": "TERA random init (same layer, windowed)",
            "sentence id acc, 1 training speaker": col("few/random"),
        },
    ]
    speed_rows = [
        {"figure": "TERA training samples/s", "value": col("sps/tera")},
        {"figure": "VC training samples/s (frozen TERA)", "value": col("sps/vc")},
        {"figure": "TERA wall s per epoch", "value": col("epoch_s/tera")},
        {"figure": "VC wall s per epoch", "value": col("epoch_s/vc")},
        {"figure": "log-mel utterances/s, librosa (float64)", "value": f"{speed['librosa']:.1f}"},
        {"figure": "log-mel utterances/s, torch LogMel", "value": f"{speed['torch']:.1f}"},
        {"figure": "peak RSS MB", "value": f"{peak_rss_mb():.0f}"},
    ]
    head = (
        f"seeds {a.seeds}, TERA {a.tera_steps} steps lr {a.tera_lr}, VC {a.vc_steps} steps lr {a.vc_lr}, "
        f"batch {a.batch}, threads {torch.get_num_threads()}, binary lambda {a.binary_lambda}, "
        f"strong adversary {STRONG_ADVERSARY}, pseudo lambda {a.pseudo_lambda} k {a.pseudo_k}"
    )
    return "\n\n".join([head, markdown_table(rows), markdown_table(few), markdown_table(speed_rows)])
