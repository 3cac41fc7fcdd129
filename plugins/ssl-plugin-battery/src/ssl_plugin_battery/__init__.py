"""ssl-plugin-battery: GenEVBattery (Arunan, Qin, Li, Tan, Poor, Yuen, "Learning More with Less",
IEEE TII 2025, arXiv 2510.05172) for capacity / SOH estimation from charging snippets on ssl-core.

The light entry-point module is :mod:`ssl_plugin_battery.plugin`; importing this package does not
import torch.
"""

__version__ = "0.1.0"
