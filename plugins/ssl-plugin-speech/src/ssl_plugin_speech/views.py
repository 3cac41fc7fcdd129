"""TERA's alterations with the paper's settings, on the speech plugin's batch keys.

The alteration itself is the core's :class:`ssl_core.views.TERAAlteration` (Liu, Li, Lee, "TERA",
TASLP 2021): time blocks of 7 frames over ~15% of the frames (80% zero / 10% random / 10% kept),
one zeroed frequency band of width U[0, 0.2 F], and with p = 0.15 per batch N(0, 0.2^2) noise. The
plugin only binds it to ``batch["features"]`` with the valid lengths ``batch["n_frames"]``; its
view ``"altered"`` holds the altered ``features``, the loss ``mask`` and the clean ``target``.
"""

from __future__ import annotations

from ssl_core.views import TERAAlteration

FEATURES_KEY = "features"
LENGTHS_KEY = "n_frames"


def tera_alteration(*, time: bool = True, freq: bool = True, magnitude: bool = True) -> TERAAlteration:
    """The paper's T+F+M alteration (``time``/``freq``/``magnitude`` switch parts off for ablations)."""
    return TERAAlteration(FEATURES_KEY, LENGTHS_KEY, time=time, freq=freq, magnitude=magnitude)


__all__ = ["TERAAlteration", "tera_alteration"]
