"""Grounding: keep generation inside what the installed modules accept (schema-guided decoding)."""
