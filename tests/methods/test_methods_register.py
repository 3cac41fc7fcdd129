from ssl_core.methods import METHODS, JEPAMethod, MaskedReconstructionMethod, TwoViewMethod, register
from ssl_core.registry import Registry


def test_register_adds_lazy_core_methods():
    registry = Registry("methods")
    register(registry)
    assert registry.names() == sorted(f"core/{n}" for n in METHODS)
    loaded = {registry.get(f"core/{n}").load() for n in METHODS}
    assert loaded == {TwoViewMethod, MaskedReconstructionMethod, JEPAMethod}
