"""Testing kit for plugin authors (a ``pytest11`` plugin: fixtures load automatically).

* :func:`check_plugin`: the one call a plugin's suite makes to verify its whole contract.
* :mod:`ssl_core.testing.contracts`: ``check_encoder``, ``check_view_generator``, ``check_objective``.
* :mod:`ssl_core.testing.data`: ``shared_data_dir(domain)`` for tests that read real files.
* :mod:`ssl_core.testing.pytest_plugin`: fixtures ``ssl_pm``, ``cli_runner``, ``tmp_run_dir``,
  ``tiny_train_config``, ``dist_world``.
* :mod:`ssl_core.testing.world` / :mod:`ssl_core.testing.distributed_checks`: spawned gloo worlds and
  the "2 ranks equal 1 process on the global batch" check for batch-coupled objectives.

Importing this package does not import torch.
"""

from __future__ import annotations

from ssl_core.testing.plugin_check import Example, check_plugin

__all__ = ["Example", "check_plugin"]
