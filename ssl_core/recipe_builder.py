"""Recipes in two phases: the data (read and fitted once) and the module (built from args + data).

A plugin registers a :class:`RecipeBuilder` as its recipe factory. ``build_data(args)`` reads the
raw files and fits everything that depends on the training data (scalers, vocabularies, category
maps, graph normalisation, CMVN statistics); ``build_module(args, data)`` builds the SSL module
from the args and that data object only, never from files. The data object says what must be
kept with a run (:class:`~ssl_core.interfaces.RunData`): the engine saves its ``state_dict()`` as
``data.pt`` in the run directory, and :func:`ssl_core.engine.load_run` restores it with
``restore_data`` instead of reading the training files again. So ``evaluate`` and ``embed`` keep
working after the training data is moved or deleted.

The state must load with ``torch.load(weights_only=True)``: tensors, numbers, strings, ``None``
and lists / tuples / dicts of them (numpy arrays as tensors).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ssl_core.interfaces import Recipe, RunData, SSLModule

__all__ = ["RecipeBuilder"]

A = TypeVar("A")
D = TypeVar("D", bound=RunData)


@dataclass(frozen=True)
class RecipeBuilder(Generic[A, D]):
    """``factory(**recipe_args) -> Recipe`` split into a data phase and a module phase.

    Attributes:
        name: registry key ``domain/name``.
        args: the args dataclass (``recipe_args`` are validated by constructing it).
        build_data: ``args -> data``: reads the files, fits the state, holds the datasets.
        build_module: ``(args, data) -> SSLModule`` using only ``args`` and ``data``.
        restore_data: ``(args, state) -> data`` from a saved ``data.state_dict()`` (no file
            reading); ``None`` when the data holds nothing fitted (``build_data`` is then cheap
            and is called again).
        estimate_memory: optional ``(args, data, module, per_rank_batch) -> MemoryEstimate``
            (:mod:`ssl_core.resources`): the peak memory of one training step from the data's shape
            and the model's size; the engine refuses a run that would not fit before writing anything.
    """

    name: str
    args: type[A]
    build_data: Callable[[A], D]
    build_module: Callable[[A, D], SSLModule]
    restore_data: Callable[[A, Mapping[str, Any]], D] | None = None
    estimate_memory: Callable[[A, D, SSLModule, int], Any] | None = None

    def make_args(self, recipe_args: Mapping[str, Any]) -> A:
        """The args dataclass from ``recipe_args`` (its own ``__post_init__`` validates values)."""
        return self.args(**dict(recipe_args))

    def recipe(self, args: A, data: D) -> Recipe:
        """The :class:`Recipe` of ``data`` with a freshly built module."""
        module = self.build_module(args, data)
        estimate = self.estimate_memory
        return Recipe(
            name=self.name,
            module=module,
            train_data=data.train,  # type: ignore[arg-type]
            eval_data=getattr(data, "eval", None),
            label_key=getattr(data, "label_key", None),
            collate=getattr(data, "collate", None),
            data=data,
            estimate_memory=None if estimate is None else lambda batch: estimate(args, data, module, batch),
        )

    def __call__(self, **recipe_args: Any) -> Recipe:
        """Read and fit the data, then build the module (what ``ssl train`` calls)."""
        args = self.make_args(recipe_args)
        return self.recipe(args, self.build_data(args))

    def restore(self, recipe_args: Mapping[str, Any], state: Mapping[str, Any] | None) -> Recipe:
        """The recipe of a finished run from its saved data state, without reading its files."""
        args = self.make_args(recipe_args)
        if state is None or self.restore_data is None:
            return self.recipe(args, self.build_data(args))
        return self.recipe(args, self.restore_data(args, state))
