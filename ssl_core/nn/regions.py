"""Regional compilation: ``torch.compile`` of a model's repeated blocks instead of its whole step.

Compiling a whole training step of a deep or recurrent model traces every layer or time step into
one graph (minutes on a CPU, recompiled whenever a shape changes). A block type that repeats -- a
transformer layer, a recurrent cell -- can instead compile its own forward once, as an unbound
function shared by every instance, so the compiled code is reused by every layer and step and a copy
of the model (EMA, ``deepcopy``) still computes with its own weights. Such a block opts in by
implementing :class:`CompilesRegions`; ``train.compile_regions: true`` switches every one of them
(:func:`compile_regions`). The products stay library calls; what fuses is the elementwise work
around them (norms, activations, residuals, gates).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from torch import nn

__all__ = ["CompilesRegions", "compile_regions"]


@runtime_checkable
class CompilesRegions(Protocol):
    """A block that can run its forward through a compiled, shared function."""

    def compile_regions(self) -> None:
        """From now on, run the forward through ``torch.compile`` (same numbers up to rounding)."""
        ...


def compile_regions(module: nn.Module) -> int:
    """Switch every :class:`CompilesRegions` block inside ``module`` (itself included); how many."""
    blocks = [m for m in module.modules() if isinstance(m, CompilesRegions)]
    for block in blocks:
        block.compile_regions()
    return len(blocks)
