"""Small shared helpers: benchmark timing, memory and tables (:mod:`ssl_core.utils.bench`)."""
