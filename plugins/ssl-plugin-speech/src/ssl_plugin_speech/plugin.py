"""The light module ssl-core discovers for the speech plugin: manifest and lazy registrations.

No top-level torch import: every factory is a lazy ``"module:attr"`` string.
"""

from __future__ import annotations

from typing import Any

from ssl_core import PluginManifest, hookimpl

DOMAIN = "speech"
_PKG = "ssl_plugin_speech"

PLUGIN = PluginManifest(
    name=DOMAIN,
    domain=DOMAIN,
    display_name="ssl-plugin-speech",
    description="TERA pretraining and adversarial speaker disentanglement for any-to-one voice conversion",
    provides={
        "encoders": [f"{DOMAIN}/tera", f"{DOMAIN}/content", f"{DOMAIN}/acoustic"],
        "view_generators": [f"{DOMAIN}/tera-alteration"],
        "objectives": [f"{DOMAIN}/tera-l1"],
        "recipes": [f"{DOMAIN}/tera", f"{DOMAIN}/vc"],
        "demos": [f"{DOMAIN}/default"],
    },
    cli=f"{_PKG}.cli:group",
)


@hookimpl
def ssl_register_encoders(registry: Any) -> None:
    """TERA transformer, VC content encoder and acoustic model."""
    registry.add(
        f"{DOMAIN}/tera",
        f"{_PKG}.encoders:TERAEncoder",
        description="TERA transformer over log-mel (Liu et al. 2021)",
    )
    registry.add(
        f"{DOMAIN}/content",
        f"{_PKG}.encoders:ContentEncoder",
        description="VC content encoder over SSL features",
    )
    registry.add(
        f"{DOMAIN}/acoustic",
        f"{_PKG}.encoders:AcousticModel",
        description="VC acoustic model: content -> target mel",
    )


@hookimpl
def ssl_register_view_generators(registry: Any) -> None:
    """TERA's time/frequency/magnitude alteration bound to the speech batch keys."""
    registry.add(
        f"{DOMAIN}/tera-alteration",
        f"{_PKG}.views:tera_alteration",
        description="core TERAAlteration on 'features' / 'n_frames' with the paper's settings",
    )


@hookimpl
def ssl_register_objectives(registry: Any) -> None:
    """TERA's L1 on altered positions."""
    registry.add(
        f"{DOMAIN}/tera-l1",
        f"{_PKG}.objectives:MaskedReconstructionLoss",
        description="L1 on altered positions (core MaskedReconstructionLoss)",
    )


@hookimpl
def ssl_register_recipes(registry: Any) -> None:
    """``speech/tera`` and ``speech/vc`` (``recipe_args`` validated by their dataclasses)."""
    from ssl_plugin_speech.recipe_args import TERAArgs, VCArgs

    registry.add(
        f"{DOMAIN}/tera",
        f"{_PKG}.recipes:tera_recipe",
        description="TERA pretraining on a speech folder",
        config_cls=TERAArgs,
    )
    registry.add(
        f"{DOMAIN}/vc",
        f"{_PKG}.recipes:vc_recipe",
        description="TERA + any-to-one VC with speaker/mel adversaries (Zhao et al. 2023)",
        config_cls=VCArgs,
    )


@hookimpl
def ssl_register_demos(registry: Any) -> None:
    """The embedded default run by ``ssl demo``."""
    registry.add(
        f"{DOMAIN}/default",
        f"{_PKG}.demo:demo",
        description="TERA + VC on the embedded VCTK subset, then evaluate",
    )


@hookimpl
def ssl_default_config(domain: str) -> dict[str, Any] | None:
    """Starter config (``ssl-speech pretrain`` with no arguments)."""
    if domain != DOMAIN:
        return None
    from ssl_plugin_speech.recipe_args import default_config

    return default_config()
