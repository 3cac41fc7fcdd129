"""``python -m ssl_core.cli ...`` (used by ``ssl train --nproc-per-node N`` to relaunch under torchrun)."""

from ssl_core.cli import main

if __name__ == "__main__":
    main()
