"""View selection and metric helpers shared by the generic methods (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from torch import Tensor

from ssl_core.interfaces import Batch, Views


def pick_views(views: Views, keys: Sequence[str] | None, owner: str) -> list[tuple[str, Batch]]:
    """``[(key, view batch)]`` for ``keys`` (all views in insertion order when ``None``).

    Raises:
        KeyError: a requested view is missing (the message lists the views produced).
    """
    names = list(views) if keys is None else list(keys)
    missing = [k for k in names if k not in views]
    if missing:
        raise KeyError(f"{owner}: view(s) {missing} not produced; the view generator gave {sorted(views)}")
    return [(k, views[k]) for k in names]


def output(reps: Mapping[str, Tensor], key: str, owner: str) -> Tensor:
    """``reps[key]`` with an error naming the owner and the keys the encoder returned."""
    if key not in reps:
        raise KeyError(f"{owner}: the encoder output has no {key!r} (got {sorted(reps)})")
    return reps[key]


def prefixed(metrics: Mapping[str, Tensor], loss: Tensor, name: str) -> dict[str, Tensor]:
    """The objective's metrics plus ``loss/<name>``, all detached."""
    out = {k: v.detach() for k, v in metrics.items()}
    out[f"loss/{name}"] = loss.detach()
    return out
