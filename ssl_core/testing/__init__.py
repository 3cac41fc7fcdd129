"""Testing kit for plugin authors (a ``pytest11`` plugin: fixtures load automatically).

* :func:`check_plugin`: the one call a plugin's suite makes to verify its whole contract.
* :mod:`ssl_core.testing.contracts`: ``check_encoder``, ``check_view_generator``, ``check_objective``.
* :mod:`ssl_core.testing.data`: ``shared_data_dir(domain)`` for tests that read real files.
* :mod:`ssl_core.testing.pytest_plugin`: fixtures ``ssl_pm``, ``cli_runner``, ``tmp_run_dir``,
  ``tiny_train_config``, ``dist_world``.
* :mod:`ssl_core.testing.world` / :mod:`ssl_core.testing.distributed_checks`: spawned gloo worlds and
  the "2 ranks equal 1 process on the global batch" check for batch-coupled objectives.
* :mod:`ssl_core.testing.bad_inputs`: ``BadInput`` / ``run_bad_input``, the bad-input corpus kit.
* :mod:`ssl_core.testing.faults`: a full disk, a read-only folder, a cached trained run for corpus cases.
* :mod:`ssl_core.testing.kill_resume`: kill -9 then ``--resume`` of ``pretrain``, compared bit for bit.
* :mod:`ssl_core.testing.console`: ``run_console(main, *args)``, a plugin's console script in-process.
* :mod:`ssl_core.testing.configs`: ``tiny_run_config`` / ``tiny_train`` for short CPU runs.
* :mod:`ssl_core.testing.html_check`: ``html_problems``, a well-formedness and offline check of HTML.

Import them from here (``from ssl_core.testing import check_encoder``): the names load lazily.

Importing this package does not import torch.
"""

from __future__ import annotations

from ssl_core._lazy import by_module, lazy_getattr

_LAZY = by_module(
    {
        "ssl_core.testing.bad_inputs": ("BadInput", "core_run", "run_bad_input"),
        "ssl_core.testing.plugin_check": ("Example", "check_plugin"),
        "ssl_core.testing.configs": ("tiny_run_config", "tiny_train"),
        "ssl_core.testing.console": ("ConsoleRun", "run_console"),
        "ssl_core.testing.contracts": ("check_encoder", "check_objective", "check_view_generator"),
        "ssl_core.testing.data": ("shared_data_dir",),
        "ssl_core.testing.faults": ("cached_run", "full_disk", "read_only"),
        "ssl_core.testing.kill_resume": ("KillPoint", "check_kill_resume"),
        "ssl_core.testing.distributed_checks": ("check_matches_global_batch",),
        "ssl_core.testing.html_check": ("html_problems",),
        "ssl_core.testing.pytest_plugin": ("SSLCliRunner", "isolated_plugin_manager"),
        "ssl_core.testing.world": ("free_port", "run_world"),
    }
)

__all__ = list(_LAZY)


__getattr__ = lazy_getattr(__name__, _LAZY)
