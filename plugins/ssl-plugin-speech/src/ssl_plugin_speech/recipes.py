"""The speech recipes: data (read and fitted once, ``data.py``) + module (``method.py``).

``speech/vc`` (the embedded default's, what ``ssl-speech pretrain`` trains) needs a target speaker;
every other speaker's audio is used as *unlabelled external data* (only "not the target" is used).
``speech/tera`` is TERA pretraining alone (``ssl train`` with a config, or a ``tera_run`` for VC).
"""

from __future__ import annotations

from ssl_core.recipe_builder import RecipeBuilder
from ssl_plugin_speech.config import TERAArgs, VCArgs
from ssl_plugin_speech.data import build_data, restore_data
from ssl_plugin_speech.memory import estimate_memory
from ssl_plugin_speech.method import tera_module, vc_module

TERA = RecipeBuilder("speech/tera", TERAArgs, build_data, tera_module, restore_data, estimate_memory)
"""``speech/tera``: TERA pretraining on a corpus folder (default: the embedded VCTK subset)."""

VC = RecipeBuilder("speech/vc", VCArgs, build_data, vc_module, restore_data, estimate_memory)
"""``speech/vc``: TERA + any-to-one VC with speaker and mel adversaries (Zhao et al., ICME 2023)."""
