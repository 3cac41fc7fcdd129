"""ssl-plugin-traffic: ST-SSDL spatio-temporal forecasting with self-supervised deviation learning.

Gao et al., "ST-SSDL", NeurIPS 2025 (arXiv 2510.04908). Modules: ``data`` (series loaders),
``graph`` (adjacency loaders), ``windows`` (splits, scaler, history anchor), ``simulator``
(embedded default data), ``encoders``/``model`` (GCRU network), ``views`` (history anchor view),
``objectives`` (masked MAE, triplet, deviation), ``method`` (the SSLModule), ``recipes``,
``evaluate``, ``cli``, ``plugin``; ``frames`` holds the second recipe, ``traffic/frames`` (VICReg
between frame projections of per-sensor windows).
"""

__version__ = "0.1.0"
