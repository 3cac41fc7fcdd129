"""The ``traffic/frames`` recipe: contrastive / VICReg learning between frame projections of sensor windows.

Modules: :mod:`.args` (the torch-free arguments dataclass), :mod:`.windows` (per-sensor windows and
their calendar labels), :mod:`.recipe` (the factory). Importing this package imports no torch.
"""
