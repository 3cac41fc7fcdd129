"""ssl-plugin-speech: TERA pretraining and adversarial speaker disentanglement for voice conversion.

Light on import: the heavy modules (torch, librosa) load only when used.
"""

__version__ = "0.1.0"
