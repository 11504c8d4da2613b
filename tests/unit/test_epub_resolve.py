"""A manifest or contents ``href`` becomes a member name as ``posixpath.normpath`` makes it
(a plain file name beside a normal folder is joined without it), or None when it leaves the
book."""

from __future__ import annotations

import pytest

from tui_reader.importers.epub import _resolve


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
