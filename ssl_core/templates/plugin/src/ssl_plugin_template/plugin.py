"""The light module ssl-core discovers (entry point ``ssl_core.plugins``): manifest and registrations.

Keep this module free of top-level torch imports, so ``ssl plugins`` and ``ssl --help`` stay fast.
Components are declared once, in ``TABLE``: each row names a lazy ``"module:attr"`` factory (a
leading ``.`` is relative to ``package``), imported only when the component is built. The table
derives the ``PLUGIN`` manifest and the registration hooks; its ``lifecycle`` gives the domain
``pretrain / evaluate / embed / demo`` from the core.
"""

from __future__ import annotations

from ssl_core import Component, DomainSpec, PluginTable

DOMAIN = "template"

TABLE = PluginTable(
    name=DOMAIN,
    package="ssl_plugin_template",
    description="Toy two-view SSL on synthetic clusters (replace with your domain)",
    cli=".cli:group",
    default_config=".config:default_config",
    lifecycle=DomainSpec(
        recipe="default",
        evaluate=".evaluate:evaluate",
        embed_input=".data:embed_input",
        options=("n_samples", "hidden"),
        quick=("train.steps=5", "train.batch_size=32", "recipe_args.n_samples=256"),
        examples="""
ssl-template pretrain --steps 100
ssl-template pretrain --data features.npz      # x: (N, 32) floats, label: (N,) ints (optional)
ssl-template evaluate runs/template/<timestamp>
ssl-template embed runs/template/<timestamp> features.npy -o embeddings.npy
""",
    ),
    components=[
        # Component(kind, name, factory, description): registered as "<domain>/<name>".
        Component("encoders", "mlp", ".encoders:TemplateEncoder", "MLP over 'x'"),
        Component("view_generators", "noise-mask", ".views:NoiseMaskViews",
                  "two views: Gaussian jitter + random feature masking"),
        Component("objectives", "align-uniform", ".objectives:AlignUniformLoss",
                  "alignment + uniformity (Wang & Isola, 2020)"),
        # ``recipe_args`` are validated with the ``config_cls`` dataclass (imported by the hook).
        Component("recipes", "default", ".recipes:DEFAULT", "two-view SSL on synthetic Gaussian clusters",
                  config_cls=".config:TemplateArgs"),
    ],
)  # fmt: skip

PLUGIN = TABLE.manifest
# pluggy finds hooks among module attributes: bind ssl_register_encoders, ssl_register_recipes, ...
globals().update(TABLE.hookimpls())
