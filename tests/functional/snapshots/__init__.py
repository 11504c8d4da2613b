"""Snapshot (SVG) tests of every screen and state, one file per feature.

Regenerate after a deliberate change of what a screen shows:
``pytest tests/functional/snapshots --snapshot-update`` (then look at the changed SVGs).
"""
