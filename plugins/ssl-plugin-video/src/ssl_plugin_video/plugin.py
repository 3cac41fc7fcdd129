"""The light module ssl-core discovers (entry point ``ssl_core.plugins``): manifest and registrations.

No top-level torch import: the component table holds lazy ``"module:attr"`` strings; ssl-core's
``PluginTable`` derives the manifest and hooks, and ``lifecycle`` gives ``ssl-video pretrain /
evaluate / embed / demo`` from the core. The domain verb ``answer`` is in :mod:`ssl_plugin_video.cli`.
"""

from __future__ import annotations

from ssl_core import Component, DomainSpec, PluginTable

DOMAIN = "video"

# fmt: off
TABLE = PluginTable(
    name=DOMAIN,
    package="ssl_plugin_video",
    display_name="Video QA (Kim et al., AAAI 2021)",
    description="Multiple-choice video QA: question-prediction pretraining + masked-answer contrastive learning",
    cli=".cli:group",
    default_config=".config:default_config",  # ``ssl-video pretrain`` with no argument: embedded NExT-QA slice
    lifecycle=DomainSpec(
        recipe="qa",
        evaluate=".evaluate:evaluate",  # main stage from SSL weights vs random init vs bag-of-words vs chance
        embed_input=".data:embed_input",
        report_figures=".report:report_figures",  # option scores and spans of 3 test questions
        demo_seconds=150,  # one thread, 2026-12-05 (ssl demo starts the longest first)
        options=("features", "videos", "label_fraction"),
        quick=("train.steps=2", "train.batch_size=8", "train.ckpt_every=2", "train.monitor_every=2",
               "recipe_args.dim=16", "recipe_args.depth=1", "recipe_args.heads=2", "recipe_args.ffn_dim=16",
               "recipe_args.vocab_size=300", "recipe_args.ft_batch=8", "recipe_args.max_q_len=12",
               "recipe_args.max_a_len=8"),
        examples="""
ssl-video pretrain                                     # embedded NExT-QA slice (MIT), about a minute
ssl-video pretrain --data tvqa_plus_val.json --label-fraction 0.1
ssl-video pretrain --data qa.json --features feats/    # <clip>.npy / <clip>.h5 frame features
ssl-video pretrain --data qa.csv --videos clips/       # <clip>.mp4 decoded with PyAV
ssl-video evaluate runs/video/<timestamp>
ssl-video embed runs/video/<timestamp> questions.json -o embeddings.npy
ssl-video answer runs/video/<timestamp> --question "why did Raj leave ?" --options a b c d e
""",
    ),
    components=[  # kind, name (key "video/<name>"), factory, description[, config_cls]
        Component("encoders", "qa-encoder", ".encoders:QAEncoder",
                  "BERT-style text encoder + locally aligned context attention + GRU over time"),
        Component("view_generators", "question-candidates", ".views:QuestionCandidates",
                  "question prediction: the true question + questions of other QA pairs"),
        Component("view_generators", "answer-masking", ".views:AnswerMasking",
                  "the ground-truth option's input with random token masking"),
        Component("objectives", "masked-answer-contrastive", ".objectives:MaskedAnswerContrastive",
                  "L_con: masked ground truth vs clean options (cosine / tau)"),
        Component("objectives", "question-prediction", ".objectives:QuestionPredictionLoss",
                  "cross-entropy over question candidates"),
        Component("objectives", "span-localisation", ".objectives:SpanLocalisationLoss",
                  "start / end cross-entropy of the span needed to answer"),
        Component("methods", "videoqa", ".method:build_videoqa", "the QA model with both training stages"),
        Component("recipes", "qa", ".recipes:qa_recipe", "multiple-choice video QA (default: embedded NExT-QA slice)",
                  config_cls=".config:VideoQAArgs"),
    ],
)
# fmt: on

PLUGIN = TABLE.manifest
globals().update(TABLE.hookimpls())
