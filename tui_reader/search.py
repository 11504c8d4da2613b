"""search (being written)."""
