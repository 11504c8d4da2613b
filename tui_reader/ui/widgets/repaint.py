"""Repainting only the lines of a widget that changed (a page turn moves a scrollbar's thumb
and the header's time left, and leaves the rest of both as they are on screen)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget


def repaint_changed(widget: Widget, before: Sequence[Strip], after: Sequence[Strip]) -> None:
    """Mark for a repaint the lines of ``widget`` that differ between ``before`` (as drawn)
    and ``after`` (to draw): only those, or the whole widget when the line counts differ;
    nothing when none differs."""
    if len(before) != len(after):
        widget.refresh()
        return
    width = widget.size.width
    changed = [
        Region(0, y, width, 1)
        for y, (old, new) in enumerate(zip(before, after, strict=True))
        if old is not new and list(old) != list(new)
    ]
    if changed:
        widget.refresh(*changed)
