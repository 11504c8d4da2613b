"""inspect (being written)."""
