"""XHTML spine documents read without losing text, and cut at the table of contents' targets.

EPUB content documents are XHTML. Parsed as HTML (lexbor), a self-closing non-void element
such as ``<a id="chap01"/>`` is an *open* tag: the rest of the chapter becomes link text (and a
``<div/>`` or ``<span/>`` swallows what follows). :func:`xhtml_as_html` rewrites each
self-closing non-void element as an empty element (``<a id="chap01"></a>``) first, so the HTML
parser sees what an XML parser would.

A table of contents may point inside a file (``book-1.xhtml#chap02``): :func:`cut_points`
finds where each target element starts in the document text, moved back over the start tags
that merely open onto it (``<div class="chapter"><h2><a id="chap02"/>`` → before the ``<div``)
so that a chapter's heading stays whole. Each piece of text between two cut points is parsed
on its own; the HTML parser closes what the cut left open and ignores stray end tags.
"""

from __future__ import annotations

import re

from tui_reader.text import lazy_pattern

VOID_TAGS = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    }
)  # fmt: skip
"""HTML elements that never have content (their ``/>`` is already understood)."""

_SELF_CLOSING = lazy_pattern(
    r"<([A-Za-z][\w:.-]*)((?:\s+[^\s=/>\"']+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*/>"
)
_START_TAG = lazy_pattern(r"<([A-Za-z][\w:.-]*)(?:\s[^<>]*)?>\s*$")
_NO_CLIMB = frozenset({"body", "html", "head", "section", "table", "tbody", "tr", "ul", "ol"})
"""Start tags a cut never moves back over (the page itself, or a container of many entries)."""


def looks_like_xhtml(text: str) -> bool:
    """True for a document written as XML (an XML declaration or the XHTML namespace)."""
    head = text[:2048]
    return (
        head.lstrip("\ufeff \t\r\n").startswith("<?xml") or "http://www.w3.org/1999/xhtml" in head
    )


def _expand(match: re.Match[str]) -> str:
    """``<a id="x"/>`` → ``<a id="x"></a>``; void elements stay as they are."""
    tag = match.group(1)
    if tag.casefold() in VOID_TAGS:
        return match.group(0)
    return f"<{tag}{match.group(2)}></{tag}>"


def xhtml_as_html(text: str) -> str:
    """An XHTML document rewritten so an HTML parser builds the tree an XML parser would."""
    if "/>" not in text or _only_plain_breaks(text):
        return text
    return _SELF_CLOSING.sub(_expand, text)


def _only_plain_breaks(text: str) -> bool:
    """True when every ``/>`` in ``text`` closes a plain ``<br/>`` or ``<hr/>`` with neither
    ``<`` nor a quote since the ``>`` before it: then no self-closing element but those void ones
    can end there (an element started earlier would have to hold that ``>`` in a quoted value
    closed after it), so :data:`_SELF_CLOSING` would change nothing. Its pattern (1.3 M
    instructions to compile) and its pass over the document are then spared: a chapter whose
    scene breaks are ``<hr/>`` between paragraphs is left as it is at once."""
    at = text.find("/>")
    while at != -1:
        if at < 3 or text[at - 3 : at] not in ("<br", "<hr"):
            return False
        before = text[text.rfind(">", 0, at - 3) + 1 : at - 3]
        if "<" in before or '"' in before or "'" in before:
            return False
        at = text.find("/>", at + 2)
    return True


_ID = lazy_pattern(r"<[A-Za-z][^<>]*?\s(?:id|name)\s*=\s*([\"'])([^\"'<>]*)\1")


def _targets(text: str) -> dict[str, int]:
    """Where each element with an ``id`` (or old-style ``name``) starts, first one kept."""
    out: dict[str, int] = {}
    for match in _ID.finditer(text):
        out.setdefault(match.group(2), match.start())
    return out


def _climb(text: str, offset: int) -> int:
    """Move ``offset`` back over start tags that open directly onto it (nothing between)."""
    while True:
        match = _START_TAG.search(text, max(0, offset - 400), offset)
        if match is None or match.end() != offset:
            return offset
        if match.group(1).casefold() in _NO_CLIMB | VOID_TAGS:
            return offset
        offset = match.start()


PG_START = "\x00pg-start"
"""A cut just after Project Gutenberg's ``*** START OF THE PROJECT GUTENBERG EBOOK … ***`` line."""

PG_END = "\x00pg-end"
"""A cut just before the block holding ``*** END OF THE PROJECT GUTENBERG EBOOK …``."""

_PG_START = lazy_pattern(
    r"\*\*\*\s*START OF TH(?:E|IS) PROJECT GUTENBERG[^*<]*\*\*\*", re.IGNORECASE
)
_PG_END = lazy_pattern(r"\*\*\*\s*END OF TH(?:E|IS) PROJECT GUTENBERG", re.IGNORECASE)
_BLOCK_END = lazy_pattern(r"</(?:p|pre|div|section|h[1-6])\s*>", re.IGNORECASE)
_BLOCK_STARTS = ("<p", "<pre", "<div", "<section", "<P", "<PRE", "<DIV")


def gutenberg_cuts(text: str) -> list[str]:
    """:data:`PG_START` / :data:`PG_END` for the Gutenberg marker lines ``text`` holds.

    Both markers open with "***": a document without one (a search in C, no copy) is not
    lowered for :func:`may_be_gutenberg` (0.7 M instructions for a 30 KB chapter)."""
    if "***" not in text or not may_be_gutenberg(text):
        return []
    return [
        name for name, marker in ((PG_START, _PG_START), (PG_END, _PG_END)) if marker.search(text)
    ]


def may_be_gutenberg(text: str) -> bool:
    """False when no Gutenberg marker pattern can match ``text``: each match holds "project
    gutenberg", whose letters match only their ASCII capitals case-insensitively (unlike "i",
    "k" or "s"), so "gutenberg" is then in its UTF-8 bytes lowered (a pass in C, where a
    casefold of a whole document costs some 70 instructions a character). The patterns are
    then neither compiled nor run."""
    return b"gutenberg" in text.encode("utf-8", "surrogatepass").lower()


def _marker_point(text: str, name: str) -> int | None:
    """Where a Gutenberg marker cut falls in ``text``."""
    if name == PG_START and (match := _PG_START.search(text)):
        close = _BLOCK_END.search(text, match.end())
        return close.end() if close else match.end()
    if name == PG_END and (match := _PG_END.search(text)):
        return max(0, *(text.rfind(tag, 0, match.start()) for tag in _BLOCK_STARTS))
    return None


def cut_points(text: str, fragments: list[str]) -> dict[str, int]:
    """Where each fragment's piece starts in ``text`` (fragments not found are left out).

    Besides element ids, :data:`PG_START` and :data:`PG_END` cut at Gutenberg's marker lines.
    """
    wanted = set(fragments)
    if not wanted:
        return {}
    out = {f: _climb(text, at) for f, at in _targets(text).items() if f in wanted}
    for name in (PG_START, PG_END):
        if name in wanted and (at := _marker_point(text, name)) is not None:
            out[name] = at
    return out


def piece(text: str, start: str | None, end: str | None) -> str:
    """The document text from fragment ``start``'s cut (or the beginning) to ``end``'s."""
    wanted = [f for f in (start, end) if f is not None]
    points = cut_points(text, wanted)
    begin = points.get(start, 0) if start is not None else 0
    stop = points.get(end, len(text)) if end is not None else len(text)
    return text[begin:stop] if stop >= begin else text[begin:]
