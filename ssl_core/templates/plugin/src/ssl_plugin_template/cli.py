"""``ssl template ...`` and the ``ssl-template`` console script (identical).

``pretrain``, ``evaluate``, ``embed`` and ``demo`` come from the core (``plugin.py``'s DomainSpec);
add your domain's own verbs here with ``@group.command()``.
"""

from __future__ import annotations

from ssl_core.cli.domain import domain_group, domain_main

group = domain_group("template")
main = domain_main("template")
