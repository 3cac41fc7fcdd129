"""The light module ssl-core discovers for the speech plugin: manifest and lazy registrations.

No top-level torch import: components are lazy ``"module:attr"`` strings; the ``PluginTable`` derives
the manifest and hooks, and its ``lifecycle`` gives ``pretrain / evaluate / embed / demo`` from the core.
"""

from __future__ import annotations

from ssl_core import Component, DomainSpec, PluginTable

DOMAIN = "speech"

QUICK = ("train.steps=3", "train.batch_size=4", "recipe_args.dim=32", "recipe_args.ffn=64",
         "recipe_args.layers=1", "recipe_args.acoustic_hidden=32", "recipe_args.content_hidden=32")  # fmt: skip
"""A seconds-long run of the embedded default (``ssl demo --quick``, ``check_plugin``)."""

TABLE = PluginTable(
    name=DOMAIN,
    package="ssl_plugin_speech",
    display_name="ssl-plugin-speech",
    description="TERA pretraining and adversarial speaker disentanglement for any-to-one voice conversion",
    cli=".cli:group",
    default_config=".config:default_config",  # ``ssl-speech pretrain`` with no arguments
    lifecycle=DomainSpec(
        recipe="vc",
        evaluate=".evaluate:evaluate",
        embed_input=".data:embed_input",
        report_figures=".report:report_figures",  # source / converted / target log-mel
        demo_seconds=80,  # one thread, 2026-12-05 (ssl demo starts the longest first)
        options=("target_speaker", "pseudo_speakers", "lambda_spk", "tera_run", "heldout_sentences"),
        quick=QUICK,
        examples="""
ssl-speech pretrain                                  # embedded VCTK subset, about 2 minutes
ssl-speech pretrain --data my_corpus/ --target-speaker alice --steps 2000
ssl-speech evaluate runs/speech/<timestamp>
ssl-speech convert runs/speech/<timestamp> --source in.wav -o converted.wav
ssl-speech embed runs/speech/<timestamp> wavs/ -o utterances.npy   # one row per file
ssl-speech frames runs/speech/<timestamp> in.wav -o frames.npy     # (T, D) frame features
""",
    ),
    # The VC content encoder and acoustic model map tensors to tensors (not the Encoder contract of
    # batch -> {"tokens", "pooled"}): parts of ``speech/vc`` built by ``method.py``, not components.
    components=[  # kind, name (key "speech/<name>"), factory, description[, config_cls]
        Component("encoders", "tera", ".encoders:TERAEncoder",
                  "TERA transformer over log-mel (Liu et al. 2021)"),
        Component("view_generators", "tera-alteration", ".views:tera_alteration",
                  "core TERAAlteration on 'features' / 'n_frames' with the paper's settings"),
        Component("objectives", "tera-l1", ".objectives:MaskedReconstructionLoss",
                  "L1 on altered positions (core MaskedReconstructionLoss)"),
        Component("recipes", "tera", ".recipes:TERA", "TERA pretraining on a speech folder",
                  config_cls=".config:TERAArgs"),
        Component("recipes", "vc", ".recipes:VC",
                  "TERA + any-to-one VC with speaker/mel adversaries (Zhao et al. 2023)",
                  config_cls=".config:VCArgs"),
    ],
)  # fmt: skip

PLUGIN = TABLE.manifest
globals().update(TABLE.hookimpls())  # ssl_register_<kind> for each declared kind + ssl_default_config
