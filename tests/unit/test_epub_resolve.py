"""A manifest or contents ``href`` becomes a member name as ``posixpath.normpath`` makes it
(a plain file name beside a normal folder is joined without it), or None when it leaves the
book."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_reader.importers.epub import _resolve, _safe


@pytest.mark.parametrize(
    ("base", "href", "member"),
    [
        ("OEBPS", "chapter-0001.xhtml", "OEBPS/chapter-0001.xhtml"),
        ("OEBPS/Text", "ch%201.xhtml#p3", "OEBPS/Text/ch 1.xhtml"),
        ("", "chapter.xhtml", "chapter.xhtml"),
        (".", "chapter.xhtml", "chapter.xhtml"),
        ("OEBPS/", "chapter.xhtml", "OEBPS/chapter.xhtml"),
        ("OEBPS//Text", "chapter.xhtml", "OEBPS/Text/chapter.xhtml"),
        ("OEBPS/./Text", "chapter.xhtml", "OEBPS/Text/chapter.xhtml"),
        ("OEBPS/Text/..", "chapter.xhtml", "OEBPS/chapter.xhtml"),
        ("OEBPS", "Text/../chapter.xhtml", "OEBPS/chapter.xhtml"),
        ("OEBPS", ".", "OEBPS"),
        ("OEBPS", "..", "."),
        ("OEBPS", "../../etc/passwd", None),
        ("..", "chapter.xhtml", None),
        ("OEBPS", "/etc/passwd", None),
        ("OEBPS", "https://example.org/x.xhtml", None),
        ("OEBPS", "#only-a-fragment", None),
    ],
)
def test_hrefs_resolve_inside_the_book(base: str, href: str, member: str | None) -> None:
    """Each href, plain or needing normalisation, and those that escape."""
    assert _resolve(base, href) == member


_NAME_PARTS = st.sampled_from(["a", "x.xhtml", "/", "\\", ":", ".", "..", "%20", "#f", " ", "é"])
"""Pieces of member names and hrefs, the characters the shortcuts look for among them."""


@given(st.lists(_NAME_PARTS, max_size=8).map("".join), st.sampled_from(["", "OEBPS", ".."]))
def test_the_shortcuts_give_what_the_full_reading_gives(text: str, base: str) -> None:
    """A name without "..", "\\", ":" or a leading "/" is safe as the full check finds; an href
    without "#" or "%" resolves as it does with an empty fragment after it."""
    full_safe = not (
        text.startswith(("/", "\\")) or "\\" in text or ":" in text.split("/", 1)[0]
    ) and ".." not in text.split("/")
    assert _safe(text) == full_safe
    assert _resolve(base, text) == _resolve(base, text + "#")  # (a "#" takes the full reading)
