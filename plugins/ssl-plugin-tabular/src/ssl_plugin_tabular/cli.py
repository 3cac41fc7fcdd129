"""``ssl tabular ...`` and the ``ssl-tabular`` console script (identical).

``pretrain`` (DATA: a CSV file, an Adult folder with adult.data/.test, or an rtdl folder with
N_train.npy ...; without ``--data`` the embedded UCI Adult copy), ``evaluate``, ``embed`` (INPUT: a
CSV with the training columns, encoded with the run's fitted preprocessor) and ``demo`` come from
the core, built from the ``DomainSpec`` in ``plugin.py``. Tabular adds no domain verb.
"""

from __future__ import annotations

from typing import Any

from ssl_core.cli.domain import domain_group, domain_main

group = domain_group("tabular")
main = domain_main("tabular")

# Workaround (until the core drops unset plugin options itself): the core's ``pretrain`` passes every
# plugin option, given or not (``None``), to ``PretrainOptions.args``, and ``--resume`` refuses any
# args, so ``pretrain --resume RUN`` always failed; pass on only the options that were given.
_core_pretrain = group.commands["pretrain"].callback


def _pretrain(**kwargs: Any) -> Any:
    assert _core_pretrain is not None
    return _core_pretrain(**{k: v for k, v in kwargs.items() if not (k.startswith("arg__") and v is None)})


group.commands["pretrain"].callback = _pretrain
