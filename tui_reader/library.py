"""library (being written)."""
