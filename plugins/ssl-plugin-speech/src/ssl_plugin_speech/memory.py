"""The peak memory of a speech run, from the corpus's longest utterance and the model's size (issue 14).

Training sees ``segment_frames``-long segments, so a step's attention is ``heads x segment^2`` per
layer and sample. Evaluation, ``embed``, ``frames`` and ``convert`` encode each utterance whole, so
the longest one sets a second peak: one layer of ``heads x T^2`` attention weights for its ``T``
frames (10 ms each: a 10-minute recording is 60,000 frames). TERA: Liu, Li, Lee, TASLP 2021;
``ssl_core.resources`` prices the layers.
"""

from __future__ import annotations

from ssl_core.interfaces import SSLModule
from ssl_core.resources import MemoryEstimate, training_state_bytes, transformer_bytes
from ssl_plugin_speech.config import TERAArgs
from ssl_plugin_speech.data import SpeechData
from ssl_plugin_speech.features import DEFAULT_MEL

FEATURE_COPIES = 16
"""Per-frame float32 copies of the 80 mel bins a step keeps besides the transformer (STFT, mel, CMVN,
alteration, reconstruction, the VC modules' inputs and outputs)."""


def estimate_memory(args: TERAArgs, data: SpeechData, module: SSLModule, batch: int) -> MemoryEstimate:
    """The estimated peak bytes of a training step, or of encoding the longest utterance if larger."""
    layers = {"dim": args.dim, "heads": args.heads, "ffn": args.ffn, "layers": args.layers}
    per_frame = FEATURE_COPIES * DEFAULT_MEL.n_mels * 4
    step = transformer_bytes(batch, args.segment_frames, **layers) + batch * args.segment_frames * per_frame
    longest = max(data.utterances, key=lambda u: len(u.wave), default=None)
    frames = DEFAULT_MEL.n_frames(len(longest.wave)) if longest is not None else 0
    whole = transformer_bytes(1, frames, **layers, grad=False) + frames * per_frame
    source = str(args.data) if args.data else "<embedded VCTK subset>"
    state = training_state_bytes(module)
    if whole > step and longest is not None:
        minutes = len(longest.wave) / DEFAULT_MEL.sample_rate / 60
        return MemoryEstimate(
            state + whole,
            f"encoding its longest utterance whole: {frames:,} frames ({minutes:.1f} min) x {args.heads} heads",
            (
                f"the length of {longest.path} (split it into utterances under 30 s)",
                f"recipe_args.heads ({args.heads})",
            ),
            source=source,
        )
    return MemoryEstimate(
        state + step,
        f"segments of {args.segment_frames} frames x {args.heads} heads x batch {batch} x {args.layers} layers",
        (
            f"train.batch_size ({batch})",
            f"recipe_args.segment_frames ({args.segment_frames})",
            f"recipe_args.dim ({args.dim})",
        ),  # fmt: skip
        source=source,
    )
