"""Compose view generators: ``MultiView`` returns the views of every generator (N views from a list).

Also ``IdentityView``, the untouched batch as a named view (the "time" view of frame projections).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ssl_core.interfaces import Batch, ViewGenerator, Views


class IdentityView(ViewGenerator):
    """The batch itself as view ``name`` (a shallow copy)."""

    def __init__(self, name: str = "original") -> None:
        self.name = name
        self.view_names = (name,)

    def __call__(self, batch: Batch, generator: torch.Generator | None = None) -> Views:
        return {self.name: dict(batch)}


class MultiView(ViewGenerator):
    """Run every generator on the same batch (sharing ``generator``) and merge their views.

    View names that occur in more than one generator are suffixed with the generator's index
    (``masked`` -> ``masked_0``, ``masked_1``), so ``MultiView([g, g])`` gives two independent draws.
    """

    def __init__(self, generators: Sequence[ViewGenerator]) -> None:
        if not generators:
            raise ValueError("MultiView needs at least one generator")
        self.generators = list(generators)
        counts: dict[str, int] = {}
        for g in self.generators:
            for name in g.view_names:
                counts[name] = counts.get(name, 0) + 1
        self._renames = [
            {name: (f"{name}_{i}" if counts[name] > 1 else name) for name in g.view_names}
            for i, g in enumerate(self.generators)
        ]
        self.view_names = tuple(new for r in self._renames for new in r.values())

    def __call__(self, batch: Batch, generator: torch.Generator | None = None) -> Views:
        out: Views = {}
        for g, renames in zip(self.generators, self._renames):
            for name, view in g(batch, generator).items():
                out[renames.get(name, name)] = view
        return out
