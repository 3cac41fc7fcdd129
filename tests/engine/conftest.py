"""Engine tests share the toy modules of ``_engine_toy.py`` (made importable here, also by spawned ranks)."""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
