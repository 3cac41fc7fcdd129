"""Small shared helpers: atomic file writes (:mod:`ssl_core.utils.atomic`); benchmark timing, memory and
tables (:mod:`ssl_core.utils.bench`)."""
