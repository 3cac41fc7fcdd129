"""The light module ssl-core discovers for the speech plugin: manifest and lazy registrations.

No top-level torch import: the component table holds lazy ``"module:attr"`` strings (a leading ``.``
is relative to ``ssl_plugin_speech``); ssl-core's ``PluginTable`` derives the manifest and the hooks.
"""

from __future__ import annotations

from ssl_core import Component, PluginTable

DOMAIN = "speech"
_PKG = "ssl_plugin_speech"

# fmt: off
TABLE = PluginTable(
    name=DOMAIN,
    package=_PKG,
    display_name="ssl-plugin-speech",
    description="TERA pretraining and adversarial speaker disentanglement for any-to-one voice conversion",
    cli=".cli:group",
    default_config=".recipe_args:default_config",  # ``ssl-speech pretrain`` with no arguments
    components=[  # kind, name (key "speech/<name>"), factory, description[, config_cls]
        Component("encoders", "tera", ".encoders:TERAEncoder",
                  "TERA transformer over log-mel (Liu et al. 2021)"),
        Component("encoders", "content", ".encoders:ContentEncoder", "VC content encoder over SSL features"),
        Component("encoders", "acoustic", ".encoders:AcousticModel",
                  "VC acoustic model: content -> target mel"),
        Component("view_generators", "tera-alteration", ".views:tera_alteration",
                  "core TERAAlteration on 'features' / 'n_frames' with the paper's settings"),
        Component("objectives", "tera-l1", ".objectives:MaskedReconstructionLoss",
                  "L1 on altered positions (core MaskedReconstructionLoss)"),
        Component("recipes", "tera", ".recipes:tera_recipe", "TERA pretraining on a speech folder",
                  config_cls=".recipe_args:TERAArgs"),
        Component("recipes", "vc", ".recipes:vc_recipe",
                  "TERA + any-to-one VC with speaker/mel adversaries (Zhao et al. 2023)",
                  config_cls=".recipe_args:VCArgs"),
        Component("demos", "default", ".demo:demo", "TERA + VC on the embedded VCTK subset, then evaluate"),
    ],
)
# fmt: on

PLUGIN = TABLE.manifest
globals().update(TABLE.hookimpls())  # ssl_register_<kind> for each declared kind + ssl_default_config
