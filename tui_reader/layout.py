"""layout (being written)."""
