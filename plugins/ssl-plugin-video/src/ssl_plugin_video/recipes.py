"""The ``video/qa`` recipe: QA annotations (embedded NExT-QA slice by default) + the Kim et al. model.

Kim, Jeong, Kim, Kang, Kwak (AAAI 2021, arXiv 2009.08043). The data phase reads, splits by clip
and tokenises (``data.build_data``: the tokenizer and concept vocabulary are fitted on the training
split and kept with the run); the module phase sizes the model from that state only
(``method.build_module``). ``pretrain`` optimises question prediction; ``evaluate`` runs the main stage.
"""

from __future__ import annotations

from ssl_core.recipe_builder import RecipeBuilder
from ssl_plugin_video.config import VideoQAArgs
from ssl_plugin_video.data import build_data, restore_data
from ssl_plugin_video.memory import estimate_memory
from ssl_plugin_video.method import build_module

RECIPE = "video/qa"

qa_recipe = RecipeBuilder(RECIPE, VideoQAArgs, build_data, build_module, restore_data, estimate_memory)
"""``video/qa``: ``qa_recipe(**recipe_args)`` is the :class:`~ssl_core.interfaces.Recipe`."""
