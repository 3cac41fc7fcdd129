"""ssl-plugin-template: an ssl-core plugin for the template domain."""

__version__ = "0.1.0"
