"""The Gutenberg pre-check never turns away a text a Gutenberg marker pattern matches."""

from __future__ import annotations

import random

from tui_reader.importers._epub_xhtml import _PG_END, _PG_START, may_be_gutenberg
from tui_reader.importers.epub import _PG_MARK

MARKERS = (
    "*** START OF THE PROJECT GUTENBERG EBOOK ALICE ***",
    "***START OF THIS PROJECT GUTENBERG EBOOK***",
    "*** END OF THE PROJECT GUTENBERG EBOOK ALICE ***",
    "*** end of this project gutenberg ebook",
    "FULL PROJECT GUTENBERG LICENSE",
    "Full Project Gutenberg Licence",
)
"""Marker lines in the spellings books use."""


def test_every_marker_passes_the_pre_check() -> None:
    """Each marker, in any case and inside markup, is matched and passes."""
    rng = random.Random(3)
    for marker in MARKERS:
        for _ in range(30):
            cased = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in marker)
            text = f"<p>Before.</p><p>{cased}</p><p>After.</p>"
            assert any(p.search(text) for p in (_PG_START, _PG_END, _PG_MARK)), text
            assert may_be_gutenberg(text)


def test_a_plain_chapter_is_turned_away() -> None:
    """A chapter that never names Project Gutenberg fails the pre-check (nothing compiled)."""
    assert not may_be_gutenberg("<p>Chapter 1. Nell keeps a pocket watch safe.</p>")
