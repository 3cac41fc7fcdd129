"""ssl-plugin-traffic: ST-SSDL spatio-temporal forecasting with self-supervised deviation learning.

Gao et al., "ST-SSDL", NeurIPS 2025 (arXiv 2510.04908). Modules: ``plugin`` (the table),
``config`` (recipe arguments, run configs), ``series`` / ``graph`` (file loaders), ``windows``
(scaler, time slots, history anchor), ``data`` (the run's data object), ``simulator`` (embedded
default data), ``encoders`` / ``model`` (GCRU network), ``views`` (history anchor view),
``objectives`` (masked MAE, triplet, deviation), ``method`` (the SSLModule), ``recipes``,
``evaluate``, ``inference`` (forecast / embed inputs), ``cli`` (``forecast``), ``plugin``; ``frames``
holds the second recipe, ``traffic/frames`` (VICReg between frame projections of per-sensor windows).
"""

__version__ = "0.1.0"
