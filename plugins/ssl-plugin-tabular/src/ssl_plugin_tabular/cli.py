"""``ssl tabular ...`` and the ``ssl-tabular`` console script (identical).

``pretrain`` (DATA: a CSV file, an Adult folder with adult.data/.test, or an rtdl folder with
N_train.npy ...; without ``--data`` the embedded UCI Adult copy), ``evaluate``, ``embed`` (INPUT: a
CSV with the training columns, encoded with the run's fitted preprocessor) and ``demo`` come from
the core, built from the ``DomainSpec`` in ``plugin.py``. Tabular adds no domain verb.
"""

from __future__ import annotations

from ssl_core.cli.domain import domain_group, domain_main

group = domain_group("tabular")
main = domain_main("tabular")
