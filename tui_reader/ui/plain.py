"""Plain mode (``--plain``, ``plain = true``): the app carries the ``-plain`` class.

Styles for it are in ``app.tcss`` (no borders, scrollbars or blocks, no colour-only cue);
widgets that draw a glyph for a state ask :func:`is_plain` and write the state in words.
"""

from __future__ import annotations

from textual.dom import DOMNode

PLAIN_CLASS = "-plain"
"""The App's class in plain mode."""


def is_plain(node: DOMNode) -> bool:
    """True when ``node``'s app runs in plain mode (False outside an app)."""
    try:
        return node.app.has_class(PLAIN_CLASS)
    except RuntimeError:  # Textual's NoActiveAppError (not public): no app yet
        return False
