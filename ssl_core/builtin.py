"""The core plugin (domain ``core``): ssl-core's own components, declared once as a :class:`PluginTable`.

The core declares its components exactly as a plugin does: one table, from which the manifest
(``provides``, read by ``ssl plugins`` without importing anything heavy) and the registration hooks
are derived, so the two cannot drift apart. It is registered directly by the plugin manager (not
through an entry point), so it is always present, even when ``SSL_CORE_LOAD_PLUGINS`` selects
nothing. Every factory is a lazy ``"module:attr"`` reference: importing this module never imports
torch.
"""

from __future__ import annotations

from typing import Any

from ssl_core.config import read_yaml_resource
from ssl_core.hooks import hookimpl
from ssl_core.plugins.declare import Component, PluginTable


def _objective(name: str, ref: str, description: str) -> Component:
    return Component("objectives", name, f"ssl_core.objectives.{ref}", description)


def _view(name: str, ref: str, description: str) -> Component:
    return Component("view_generators", name, f"ssl_core.views.{ref}", description)


def _method(name: str, ref: str, description: str) -> Component:
    return Component("methods", name, f"ssl_core.methods.{ref}", description)


def _evaluator(name: str, ref: str, description: str) -> Component:
    return Component("evaluators", name, f"ssl_core.evaluation.{ref}", description)


TABLE = PluginTable(
    name="core",
    display_name="ssl-core",
    description="Generic objectives, methods, views, evaluators and a synthetic starter recipe",
    components=[
        _objective("ntxent", "ntxent:NTXentLoss",
                   "NT-Xent / InfoNCE, multi-positive, negatives gathered across ranks (SimCLR)"),
        _objective("clip", "clip:CLIPLoss", "CLIP symmetric InfoNCE with a learnable temperature clamped at 100"),
        _objective("byol", "byol:BYOLLoss", "BYOL / SimSiam 2 - 2cos, symmetrised; MLP or DirectPred predictor"),
        _objective("byol-mlp-predictor", "byol:MLPPredictor", "BYOL's MLP predictor D -> hidden -> D"),
        _objective("directpred-predictor", "directpred:DirectPredPredictor",
                   "DirectPred linear predictor from the feature correlation"),
        _objective("vicreg", "vicreg:VICRegLoss",
                   "VICReg variance-invariance-covariance (25, 25, 1), global-batch statistics"),
        _objective("barlow-twins", "barlow:BarlowTwinsLoss",
                   "Barlow Twins cross-correlation (lambda 5e-3), global batch"),
        _objective("masked-reconstruction", "masked_reconstruction:MaskedReconstructionLoss",
                   "L1 / MSE on masked positions only, optional per-token normalised targets (MAE / TERA)"),
        _objective("jepa", "jepa:JEPALoss", "JEPA MSE to stop-gradient teacher latents, averaged over target sets"),
        _objective("jepa-predictor", "jepa_predictor:JEPAPredictor", "I-JEPA / T-JEPA transformer predictor"),
        _objective("position-prediction", "position:PositionPredictionLoss", "MP3 absolute-position classification"),
        _objective("matryoshka", "matryoshka:MatryoshkaLoss",
                   "2D Matryoshka wrapper: nested dims + sampled shallow layer"),
        _objective("fixed-weighting", "weighting:FixedWeighting", "fixed weighted sum of named losses"),
        _objective("uncertainty-weighting", "weighting:UncertaintyWeighting",
                   "learned uncertainty weighting of named losses"),
        _view("masking", "masking:MaskingView", "random / block / span masking over any token axis"),
        _view("geometric-mask", "geometric:GeometricMaskView", "SimMTM geometric masking (K masked copies)"),
        _view("tera", "tera:TERAAlteration", "TERA time / frequency / magnitude alteration + loss mask"),
        _view("feature-subset", "feature_subset:FeatureSubsetView", "complementary feature halves (RFM / CFM)"),
        _view("context-target", "context_target:ContextTargetMasks", "JEPA context and target index sets"),
        _view("fourier-frame", "fourier:FourierFrameView", "orthonormal real-DFT frame projection"),
        _view("wavelet-frame", "wavelet:WaveletFrameView", "overcomplete Morlet wavelet frame projection"),
        _view("identity", "multiview:IdentityView", "the batch itself as a named view"),
        _view("multi-view", "multiview:MultiView", "compose N views from a list of generators"),
        _method("two-view", "two_view:TwoViewMethod",
                "views -> encoder -> projector -> embedding objective (GradCache-ready)"),
        _method("masked-reconstruction", "masked_reconstruction:MaskedReconstructionMethod",
                "masked view -> encoder -> head -> loss on masked positions"),
        _method("jepa", "jepa:JEPAMethod", "context encoder + predictor regress an EMA target encoder's latents"),
        _evaluator("linear-probe", "probes:linear_probe", "linear probe on frozen embeddings"),
        _evaluator("mlp-probe", "probes:mlp_probe", "MLP probe on frozen embeddings"),
        _evaluator("knn", "knn:knn_classify", "cosine kNN accuracy"),
        _evaluator("finetune", "fine_tuning:finetune", "fine-tune an encoder on a labelled fraction"),
        _evaluator("generic-report", "generic:generic_report",
                   "linear probe of a recipe's eval labels: trained encoder vs random init"),
        _evaluator("gsimclr-sampler", "gsimclr:GSimCLRBatchSampler",
                   "G-SimCLR batches: no two samples of a k-means cluster in one batch"),
        Component("recipes", "synthetic", "ssl_core.recipes.synthetic:synthetic_recipe",
                  "two-view SSL on seeded Gaussian clusters: runs from a fresh install, no data needed",
                  config_cls="ssl_core.recipes.synthetic_args:SyntheticArgs"),
    ],
)  # fmt: skip
"""Every component of the core; the manifest and the ``ssl_register_<kind>`` hooks come from it."""

PLUGIN = TABLE.manifest
globals().update(TABLE.hookimpls())


@hookimpl(trylast=True)
def ssl_default_config(domain: str) -> dict[str, Any] | None:
    """The starter config of ``ssl init core`` (``ssl_core/configs/core.yaml``)."""
    if domain != "core":
        return None
    return read_yaml_resource("core.yaml")
