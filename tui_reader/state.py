"""state (being written)."""
