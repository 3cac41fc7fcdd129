"""``check_plugin(table, ...)``: the one call a plugin's test suite makes to verify its contract.

It registers the plugin in an isolated manager (installed as the process-wide one meanwhile) and
checks, in order:

1. the manifest matches what the registration hooks register, with no load error;
2. every registered encoder, view generator and objective passes the contract checks of
   :mod:`ssl_core.testing.contracts` on the example the plugin gives for it (``examples``: every
   such component needs one, so a new component cannot skip the check);
3. the quick demo (``DomainSpec.quick``) pretrains through the core lifecycle into ``tmp_path``,
   with the plugin's baseline runs, and writes the data state;
4. ``evaluate`` returns comparison rows, each naming its baseline, finite numbers only;
5. ``embed`` round-trips through the run directory: the file ``embed_input(tmp_path)`` writes is
   read back by the plugin and embedded into a finite ``(N, D)`` array.

Example (``tests/test_plugin_contract.py`` of a plugin)::

    def test_contract(tmp_path):
        check_plugin(TABLE, examples=EXAMPLES, embed_input=write_sample_csv, tmp_path=tmp_path)
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = ["Example", "check_plugin"]

Example = Callable[[], tuple[Any, Any]]
"""``() -> (component, inputs)``: a built component and what to call it with (a batch for encoders
and view generators, a tuple of tensors for objectives)."""

_CHECKED_KINDS = ("encoders", "view_generators", "objectives")


def _module_of(table: Any) -> ModuleType:
    for module in list(sys.modules.values()):
        if getattr(module, "TABLE", None) is table:
            return module
    raise AssertionError(f"no imported module holds TABLE = {table.name!r}: import the plugin module first")


def _check_registrations(pm: Any, table: Any) -> None:
    regs = pm.registries()
    assert [e.error for e in pm.errors] == [], f"plugin load errors: {pm.errors}"
    for kind, names in table.manifest.provides.items():
        registered = [n for n in regs.by_kind(kind).names() if n.startswith(f"{table.domain}/")]
        assert sorted(names) == sorted(registered), f"{kind}: manifest {names} != registered {registered}"


def _check_components(table: Any, examples: Mapping[str, Example]) -> None:
    from ssl_core.testing.contracts import check_encoder, check_objective, check_view_generator

    checks: dict[str, Callable[[Any, Any], Any]] = {
        "encoders": check_encoder,
        "view_generators": check_view_generator,
        "objectives": lambda obj, inputs: check_objective(obj, tuple(inputs)),
    }
    for kind in _CHECKED_KINDS:
        for key in table.manifest.provides.get(kind, []):
            assert key in examples, f"{kind} {key!r} has no example in check_plugin(examples=...)"
            component, inputs = examples[key]()
            checks[kind](component, inputs)


def _check_rows(rows: list[Any]) -> None:
    from ssl_core.evaluation.report import ComparisonRow

    assert rows, "evaluate returned no comparison rows"
    for row in rows:
        assert isinstance(row, ComparisonRow), f"evaluate returned {type(row).__name__}, not ComparisonRow"
        assert row.extra.get("baseline"), f"row {row.task}/{row.metric} names no baseline (extra['baseline'])"
        for value in (*row.ssl, *row.baseline):
            assert math.isfinite(float(value)), f"row {row.task}/{row.metric}: non-finite value {value}"


def _check_lifecycle(domain: str, tmp_path: Path, embed_input: Callable[[Path], Path] | None) -> None:
    import numpy as np

    from ssl_core.engine.data_state import DATA_STATE
    from ssl_core.lifecycle import embed_array, evaluate_run, load_owned_run, run_demo
    from ssl_core.plugins.manager import get_plugin_manager

    spec = get_plugin_manager().domain_spec(domain)
    run_dir = tmp_path / "run"
    result = run_demo(domain, run_dir, quick=True)
    assert (run_dir / "checkpoints" / "last.pt").is_file(), "the quick demo wrote no checkpoint"
    assert (run_dir / DATA_STATE).is_file(), "the recipe kept no data state (RunData.state_dict)"
    for name in spec.baselines:
        assert (run_dir / name / "checkpoints" / "last.pt").is_file(), f"baseline run {name!r} missing"
    _check_rows(result.rows)
    again = evaluate_run(run_dir, domain=domain, quick=True)
    assert [(r.task, r.metric) for r in again] == [(r.task, r.metric) for r in result.rows]
    if spec.embed_input is None:
        return
    assert embed_input is not None, "the plugin declares embed_input: pass check_plugin(embed_input=...)"
    run = load_owned_run(run_dir, domain=domain)
    from ssl_core.lifecycle.runs import embed_input as read_input

    array = embed_array(run, read_input(run, embed_input(tmp_path)))
    assert array.ndim == 2 and len(array) > 0, f"embed gave shape {array.shape}"
    assert np.isfinite(array).all(), "embed gave non-finite values"


def check_plugin(
    table: Any,
    *,
    tmp_path: Path,
    examples: Mapping[str, Example] | None = None,
    embed_input: Callable[[Path], Path] | None = None,
) -> None:
    """Verify a plugin's contract (see the module docstring); raises ``AssertionError`` on a breach.

    Args:
        table: the plugin's ``PluginTable`` (its module must be imported).
        tmp_path: a scratch directory (pytest's ``tmp_path``).
        examples: ``{"<domain>/<name>": () -> (component, inputs)}`` for every registered encoder,
            view generator and objective.
        embed_input: ``write(folder) -> path`` of a small INPUT file in the domain's format
            (needed when the plugin declares ``DomainSpec.embed_input``).
    """
    from ssl_core.testing.pytest_plugin import isolated_plugin_manager

    module = _module_of(table)
    with isolated_plugin_manager() as pm, pm.registered(module, table.name):
        _check_registrations(pm, table)
        _check_components(table, examples or {})
        if table.lifecycle is not None:
            _check_lifecycle(table.domain, Path(tmp_path), embed_input)
