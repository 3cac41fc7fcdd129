"""The light module ssl-core discovers (entry point ``ssl_core.plugins``): manifest and registrations.

No top-level torch import: the component table holds lazy ``"module:attr"`` strings; ssl-core's
``PluginTable`` derives the manifest and the hooks, and its ``lifecycle`` gives
``ssl-medical pretrain / evaluate / embed / demo`` from the core.
"""

from __future__ import annotations

from ssl_core import Component, DomainSpec, PluginTable

DOMAIN = "medical"

# fmt: off
TABLE = PluginTable(
    name=DOMAIN,
    package="ssl_plugin_medical",
    display_name="Medical imaging (Uni4Eye)",
    description="Uni4Eye (Cai et al., MICCAI 2022): one masked image model for 2D images and 3D volumes "
                "(DICOM, NIfTI, MedMNIST, PNG/JPEG)",
    cli=".cli:group",
    default_config=".config:default_config",  # joint 2D + 3D on the embedded BreastMNIST + AdrenalMNIST3D
    lifecycle=DomainSpec(
        recipe="uni4eye",
        evaluate=".evaluate:evaluate",  # linear probe: SSL vs same ViT without SSL vs small CNN from scratch
        embed_input=".data:embed_input",
        report_figures=".report:report_figures",  # the reconstruct verb's panels of held-out items
        demo_seconds=83,  # one thread, 2026-12-05 (ssl demo starts the longest first)
        demo_seeds=1,  # ssl demo: one probe/CNN seed, paired bootstrap over the test images
        options=("dims", "window", "labels"),
        quick=("train.steps=4", "train.batch_size=16", "train.ckpt_every=4", "train.monitor_every=4",
               "recipe_args.max_items=64", "recipe_args.eval_max_train=64", "recipe_args.dim=16",
               "recipe_args.depth=1", "recipe_args.heads=2", "recipe_args.dec_dim=16", "recipe_args.dec_heads=2",
               "recipe_args.batch_3d=8"),
        examples="""
ssl-medical pretrain                                   # joint 2D + 3D on embedded BreastMNIST + AdrenalMNIST3D
ssl-medical pretrain --data ct_series_folder/ --window soft-tissue
ssl-medical pretrain --data scan.nii.gz
ssl-medical pretrain --data fundus_images/ --labels fundus_images/labels.csv
ssl-medical evaluate runs/medical/<timestamp>
ssl-medical embed runs/medical/<timestamp> volume.nii.gz -o embeddings.npy
ssl-medical inspect ct_series_folder/
ssl-medical reconstruct runs/medical/<timestamp> breastmnist.npz -o fig.png
""",
    ),
    components=[  # kind, name (key "medical/<name>"), factory, description[, config_cls]
        Component("encoders", "unified-vit", ".encoders:UnifiedViT",
                  "unified patch embedding (Conv2d / Conv3d) + shared ViT blocks (Uni4Eye)"),
        Component("view_generators", "uni4eye-augment", ".views:Uni4EyeAugment",
                  "2D random resized crop + flip; 3D flips + Gaussian noise"),
        Component("objectives", "dual-branch", ".objectives:DualBranchLoss",
                  "masked-patch MSE of pixels + lambda * masked-patch MSE of the Sobel gradient map"),
        Component("methods", "uni4eye", ".method:build_uni4eye",
                  "MAE with a unified 2D/3D patch embedding and a dual-branch decoder"),
        Component("recipes", "uni4eye", ".recipes:uni4eye_recipe",
                  "Uni4Eye on images / volumes (default: embedded BreastMNIST + AdrenalMNIST3D)",
                  config_cls=".config:Uni4EyeArgs"),
    ],
)
# fmt: on

PLUGIN = TABLE.manifest
globals().update(TABLE.hookimpls())  # ssl_register_<kind> for each declared kind + ssl_default_config
