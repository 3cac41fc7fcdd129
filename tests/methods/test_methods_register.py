from ssl_core.methods import JEPAMethod, MaskedReconstructionMethod, TwoViewMethod


def test_core_registers_the_generic_methods(ssl_pm):
    registry = ssl_pm.registries().methods
    assert registry.names() == ["core/jepa", "core/masked-reconstruction", "core/two-view"]
    loaded = {entry.load() for entry in registry.entries()}
    assert loaded == {TwoViewMethod, MaskedReconstructionMethod, JEPAMethod}
