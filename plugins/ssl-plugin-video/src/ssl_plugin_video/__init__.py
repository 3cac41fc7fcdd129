"""ssl-plugin-video: multiple-choice video QA with question-prediction pretraining and masked-answer
contrastive learning (Kim, Jeong, Kim, Kang, Kwak, AAAI 2021, arXiv 2009.08043) on ssl-core.

The light entry-point module is :mod:`ssl_plugin_video.plugin`; importing this package does not
import torch.
"""

__version__ = "0.1.0"
