"""ssl-plugin-tabular: T-JEPA (Thimonier et al., ICLR 2025, arXiv 2410.05016) for tables on ssl-core.

The light entry-point module is :mod:`ssl_plugin_tabular.plugin`; importing this package does not
import torch.
"""

__version__ = "0.1.0"
