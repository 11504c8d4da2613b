"""Shared HTML → :class:`~tui_reader.model.Block` conversion for the HTML and EPUB importers.

Rules (documented here once):

- ``<p>``, ``<div>``, ``<li>``, table rows and other block elements each end a paragraph; inline
  text between block elements is a paragraph of its own.
- A single ``<br>`` stays a newline *inside* the paragraph; two in a row (a blank line) split
  the paragraph in two; a run of two or more blank lines between lines of text is a scene
  break (works written with ``<br/>`` instead of ``<p>``).
- ``<hr>`` is a scene break, and so is a paragraph that holds nothing but a marker (``***``,
  ``* * *``, ``~~~``, ``oOo``, ``xxx`` in any case, a lone symbol...: the shared grammar's
  :func:`~tui_reader.importers.grammar.is_scene_break`).
- ``<h1>``-``<h6>`` inside chapter text are headings.
- A ``<blockquote>`` that opens a chapter and ends with an attribution line starting with
  ``~``, ``—``, ``–`` or ``-`` (or is followed by a short paragraph that does) is an epigraph
  (:func:`~tui_reader.importers.grammar.attribution`).
- Scripts, styles, images and comments are dropped; entities are decoded by the parser;
  whitespace runs collapse to one space; every text passes through
  :func:`tui_reader.text.sanitise` exactly once, here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache

from selectolax.lexbor import LexborHTMLParser, LexborNode

from tui_reader.importers.grammar import attribution, is_scene_break
from tui_reader.model import Block
from tui_reader.text import (
    collapse_whitespace,
    count_runs,
    count_words,
    has_wide,
    is_collapsed,
    lazy_pattern,
    normalise_spaces,
    sanitise,
)

SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "meta", "link", "img", "svg"}
)
"""Elements whose content is never story text."""

BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "aside", "header", "footer", "nav", "center",
        "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "pre",
        "figure", "figcaption", "address", "details", "summary", "body", "html", "form",
    }
)  # fmt: skip
"""Elements that end the paragraph before them and start a new one."""

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
"""Heading elements."""

CELL_TAGS = frozenset({"td", "th"})
"""Table cells: inline, separated by a space."""

_LEADING_DASH = lazy_pattern(r"^\s*[~—–-]+\s+")
_DASHES = "~—–-"
"""The characters :data:`_LEADING_DASH` takes for a dash (a line opening with none of them,
after its spaces, is never matched: the pattern is then neither compiled nor run)."""


_REMOVED = "script, style, noscript, template"
"""Elements :func:`parse_html` takes out."""

_REMOVED_OPENING = re.compile(r"<(?:script|style|noscript|template)", re.IGNORECASE)
"""How a :data:`_REMOVED` element opens (in text; in bytes, :func:`_removed_opening_bytes`):
markup without one has none."""


@cache
def _removed_opening_bytes() -> re.Pattern[bytes]:
    """:data:`_REMOVED_OPENING` for bytes, compiled on first use (EPUB text is parsed as str)."""
    return re.compile(rb"<(?:script|style|noscript|template)", re.IGNORECASE)


def parse_html(source: str | bytes) -> LexborHTMLParser:
    """Parse a document or fragment leniently, with scripts and styles removed.

    The selector is run only when the markup opens such an element: running it on a tree
    allocates a quarter of a MiB for lexbor's selector engine (and the time), which every
    chapter of an EPUB paid for nothing.
    """
    tree = LexborHTMLParser(source)
    if isinstance(source, bytes):
        found = _removed_opening_bytes().search(source) is not None
    else:
        found = _REMOVED_OPENING.search(source) is not None
    if found:
        for node in tree.css(_REMOVED):
            node.decompose()
    return tree


def child_nodes(node: LexborNode) -> list[LexborNode]:
    """Every child node of ``node``, text nodes included, in order."""
    children: list[LexborNode] = []
    child = node.first_child
    while child is not None:
        children.append(child)
        child = child.next
    return children


def element_children(node: LexborNode) -> Iterator[LexborNode]:
    """The element children of ``node`` (text and comments skipped)."""
    child = node.first_child
    while child is not None:
        if child.is_element_node:
            yield child
        child = child.next


def next_element(node: LexborNode) -> LexborNode | None:
    """The next element sibling of ``node``, skipping text and comments."""
    sibling = node.next
    while sibling is not None and not sibling.is_element_node:
        sibling = sibling.next
    return sibling


def has_class(node: LexborNode, name: str) -> bool:
    """True when ``node``'s class attribute lists ``name``."""
    classes = node.attributes.get("class") or ""
    return name in classes.split()


def clean_line(raw: str) -> str:
    """Sanitise one raw line of text and collapse its whitespace (the single sanitise pass).

    A line already collapsed (:func:`~tui_reader.text.is_collapsed`) is returned as it is:
    every character the three passes remove or fold (controls, bidi marks, no-break and other
    spaces, byte-order marks) is unprintable, so each would give it back unchanged."""
    if is_collapsed(raw):
        return raw
    return collapse_whitespace(normalise_spaces(sanitise(raw)))


class _Builder:
    """Accumulates inline text into paragraphs and collects blocks in order."""

    def __init__(self) -> None:
        """Start with no blocks and an empty paragraph."""
        self.blocks: list[Block] = []
        """Blocks produced so far."""
        self.lines: list[list[str]] = [[]]
        """The pending paragraph: raw text parts per line (a ``<br>`` starts a new line)."""
        self.quote: tuple[int, int] | None = None
        """Block span of an opening blockquote that may still get an attribution paragraph."""
        self.lists: list[int | None] = []
        """The lists the walk is inside, innermost last: the last number given in an ``<ol>``,
        None for a ``<ul>``."""
        self.marker: str | None = None
        """A list item's marker ("3. ", "• ") for the next paragraph made (the item's first)."""

    def text(self, raw: str) -> None:
        """Add inline raw text."""
        self.lines[-1].append(raw)

    def newline(self) -> None:
        """A ``<br>``: start a new line in the pending paragraph."""
        self.lines.append([])

    @property
    def empty(self) -> bool:
        """True when nothing has been produced or is pending."""
        return not self.blocks and not any(part.strip() for line in self.lines for part in line)

    def flush(self) -> None:
        """Turn the pending inline text into paragraphs (or a scene break)."""
        if len(self.lines) == 1 and not self.lines[0]:
            return  # nothing pending (each block element flushes before and after itself)
        lines, self.lines = self.lines, [[]]
        group: list[str] = []
        blank = 0
        seen = False
        for raw in lines:
            line = clean_line("".join(raw))
            if not line:
                blank += 1
                if group:
                    self._paragraph(group)
                    group = []
                continue
            if blank >= 2 and seen:
                self.scene_break()
            blank = 0
            seen = True
            group.append(line)
        if group:
            self._paragraph(group)

    def _paragraph(self, lines: list[str]) -> None:
        """Add one paragraph, or a scene break when it is only a marker (a list item's first
        paragraph starts with the item's marker)."""
        text = "\n".join(lines)
        if self.marker is not None:
            text, self.marker = self.marker + text, None
        elif is_scene_break(text):
            self.scene_break()
            return
        self.blocks.append(Block("paragraph", text))

    def scene_break(self) -> None:
        """Add a scene break (never two in a row, never first)."""
        if self.blocks and self.blocks[-1].kind != "scene_break":
            self.blocks.append(Block("scene_break", ""))

    def heading(self, text: str) -> None:
        """Add a heading block."""
        if text:
            self.blocks.append(Block("heading", text))


def _walk(node: LexborNode, out: _Builder) -> None:
    """Feed ``node``'s children into ``out``."""
    child = node.first_child
    while child is not None:
        if child.is_text_node:
            out.text(child.text_content or "")
        elif child.is_element_node:
            _element(child, out)
        child = child.next


def _element(node: LexborNode, out: _Builder) -> None:
    """Feed one element into ``out``."""
    tag = node.tag or ""
    if tag in SKIPPED_TAGS:
        return
    if tag == "br":
        out.newline()
    elif tag == "hr":
        out.flush()
        out.scene_break()
    elif tag in HEADING_TAGS:
        out.flush()
        out.heading(inline_text(node))
    elif tag == "blockquote":
        out.flush()
        opening = out.empty
        start = len(out.blocks)
        _walk(node, out)
        out.flush()
        if opening:
            _epigraph(out, start)
    elif tag in CELL_TAGS:
        out.text(" ")
        _walk(node, out)
        out.text(" ")
    elif tag in LIST_TAGS:
        out.flush()
        out.lists.append(_list_start(node) - 1 if tag == "ol" else None)
        _walk(node, out)
        out.flush()
        out.lists.pop()
    elif tag == "li":
        out.flush()
        out.marker = _item_marker(node, out.lists)
        _walk(node, out)
        out.flush()
        out.marker = None
    elif tag in BLOCK_TAGS:
        out.flush()
        _walk(node, out)
        out.flush()
        if out.quote is not None and len(out.blocks) > out.quote[1]:
            _attribution_after(out)
    elif tag in STRUCK_TAGS:
        _struck(node, out)
    elif tag == "a" and _is_note_link(node, "noteref", "footnote-ref"):
        number = inline_text(node)
        if number:
            out.text(f"[{number}]")
    elif tag == "a" and _is_note_link(node, "backlink", "footnote-back"):
        return  # the "↩" back to the reference: a link, not text
    else:  # inline: i, b, em, span, a, font, u, sup, small...
        _walk(node, out)


LIST_TAGS = frozenset({"ol", "ul"})
"""Lists: their items get a number ("1. ") or a bullet ("• ") before their text."""

STRUCK_TAGS = frozenset({"s", "strike", "del"})
"""Struck-through text: written between "~~" marks, so "I ~~hate~~ love him" keeps its sense."""


def _list_start(node: LexborNode) -> int:
    """The first number of an ``<ol>`` (its ``start``, 1 by default)."""
    start = (node.attributes.get("start") or "").strip()
    return int(start) if start.isdigit() else 1


def _item_marker(node: LexborNode, lists: list[int | None]) -> str:
    """The marker of a list item: the next number of its ``<ol>`` (or its own ``value``), or a
    bullet in a ``<ul>`` or outside any list."""
    if not lists or lists[-1] is None:
        return "• "
    value = (node.attributes.get("value") or "").strip()
    lists[-1] = int(value) if value.isdigit() else lists[-1] + 1
    return f"{lists[-1]}. "


def _struck(node: LexborNode, out: _Builder) -> None:
    """Walk struck-through text, with "~~" against its first and last visible characters."""
    line, part = len(out.lines) - 1, len(out.lines[-1])
    _walk(node, out)
    added = [(i, j) for i in range(line, len(out.lines)) for j in range(len(out.lines[i]))
             if (i, j) >= (line, part) and out.lines[i][j].strip()]  # fmt: skip
    if not added:
        return
    (i, j), (k, m) = added[0], added[-1]
    first = out.lines[i][j]
    stripped = first.lstrip()
    out.lines[i][j] = first[: len(first) - len(stripped)] + "~~" + stripped
    last = out.lines[k][m]
    kept = last.rstrip()
    out.lines[k][m] = kept + "~~" + last[len(kept) :]


def _is_note_link(node: LexborNode, epub_type: str, pandoc_class: str) -> bool:
    """True for a footnote reference (``noteref``) or a link back from the note
    (``backlink``), as EPUB 3 (``epub:type``), ARIA (``role="doc-…"``) and pandoc mark them."""
    attributes = node.attributes
    kinds = f"{attributes.get('epub:type') or ''} {attributes.get('role') or ''}".split()
    return epub_type in kinds or f"doc-{epub_type}" in kinds or has_class(node, pandoc_class)


def _epigraph(out: _Builder, start: int) -> None:
    """Make the paragraphs of an opening blockquote an epigraph when they end in an attribution.

    Without an attribution line the paragraphs stay; a short dash paragraph right after the
    quote may still attribute it (see :func:`_attribution_after`).
    """
    paragraphs = out.blocks[start:]
    if not paragraphs or any(b.kind != "paragraph" for b in paragraphs):
        return
    lines = [line for b in paragraphs for line in b.text.split("\n")]
    name = attribution(lines[-1]) if len(lines) > 1 else None
    if name:
        del out.blocks[start:]
        out.blocks.append(Block("epigraph", "\n".join(lines[:-1]), name))
    else:
        out.quote = (start, len(out.blocks))


def _attribution_after(out: _Builder) -> None:
    """A short paragraph right after an opening quote that starts with a dash attributes it."""
    span, out.quote = out.quote, None
    if span is None:
        return
    start, end = span
    if end >= len(out.blocks):
        return
    after = out.blocks[end]
    name = attribution(after.text) if after.kind == "paragraph" else None
    if name and len(after.text) <= 120 and "\n" not in after.text:
        quote = "\n".join(b.text for b in out.blocks[start:end])
        out.blocks[start : end + 1] = [Block("epigraph", quote, name)]


def _finish(out: _Builder) -> list[Block]:
    """Flush, settle a pending epigraph and trim trailing scene breaks."""
    out.flush()
    if out.quote is not None:
        _attribution_after(out)
    blocks = out.blocks
    while blocks and blocks[-1].kind == "scene_break":
        blocks.pop()
    return blocks


def blocks_from_nodes(nodes: Iterable[LexborNode]) -> list[Block]:
    """Convert a sequence of sibling nodes (a chapter body) into blocks."""
    out = _Builder()
    for node in nodes:
        if node.is_text_node:
            out.text(node.text_content or "")
        elif node.is_element_node:
            _element(node, out)
    return _finish(out)


def blocks_from_html(fragment: str) -> list[Block]:
    """Parse an HTML fragment (a serialised chapter body) into blocks."""
    body = parse_html(fragment).body
    if body is None:
        return []
    out = _Builder()
    _walk(body, out)
    return _finish(out)


def inline_text(node: LexborNode) -> str:
    """The sanitised text of ``node`` on one line (headings, titles, metadata values)."""
    out = _Builder()
    _walk(node, out)
    blocks = _finish(out)
    return " ".join(" ".join(b.text.split("\n")) for b in blocks if b.text)


def note_text(nodes: Iterable[LexborNode]) -> str:
    """The sanitised text of an author's note: its paragraphs separated by a blank line."""
    parts: list[str] = []
    for block in blocks_from_nodes(nodes):
        if block.kind == "epigraph" and block.attribution:
            parts.append(f"{block.text}\n—{block.attribution}")
        elif block.text:
            parts.append(block.text)
    return "\n\n".join(parts)


INVISIBLE = "script, style, head, noscript, template, title"
"""Elements whose text a reader never sees."""

_VISIBLE_BLOCK_TAG = re.compile(
    r"<(?:/?(?:p|div|br|hr|h[1-6]|li|ul|ol|dl|dt|dd|tr|td|th|table|blockquote|pre|section"
    r"|article|header|footer|aside|nav|figure|figcaption|center|body|main)\b)[^>]*>",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"<[^>]*>")
_COMMENT = lazy_pattern(r"<!--.*?-->", re.DOTALL)
_SERIALISED_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&nbsp;", "\u00a0"), ("&amp;", "&"))
"""The only entities lexbor writes when it serialises text (``&amp;`` replaced last)."""
_OTHER_ENTITY = lazy_pattern(r"&(?!(?:lt|gt|nbsp|amp);)#?\w+;")


def visible_text(markup: str, separator: str = " ") -> str:
    """The text a reader sees in HTML markup: block boundaries (and ``<br>``) become
    ``separator``, inline tags are joined, comments left out (the audit's source count)."""
    raw = _COMMENT.sub(" ", markup) if "<!--" in markup else markup
    raw = _VISIBLE_BLOCK_TAG.sub(separator, raw)
    text = _ANY_TAG.sub("", raw)
    if "&" not in text:
        return text
    if _OTHER_ENTITY.search(text):
        import html  # (its entity table is half a MiB: imported when needed)

        return html.unescape(text)
    for entity, char in _SERIALISED_ENTITIES:
        text = text.replace(entity, char)
    return text


_HIDDEN_OPENING = lazy_pattern(
    "<(?:" + "|".join(tag.strip() for tag in INVISIBLE.split(",")) + ")",
    re.IGNORECASE | re.ASCII,
)
"""How the :data:`INVISIBLE` elements open (ASCII letters in any case: ``<Head``, ``<STYLE``),
to skip parsing markup that has none. Searched for in the markup as it is: lower-casing a
chapter first cost more than the search (``str.lower`` is slow on text that is not ASCII), and
no other character lower-cases into an opening (only U+212A and U+0130 become ASCII letters,
``k`` and an ``i`` followed by a combining dot)."""


def without_hidden(markup: str) -> str:
    """``markup`` without the :data:`INVISIBLE` elements (scripts, styles, the head)."""
    if _HIDDEN_OPENING.search(markup) is None:
        return markup
    tree = LexborHTMLParser(markup)
    for hidden in tree.css(INVISIBLE):
        hidden.decompose()
    return (tree.body.inner_html or "") if tree.body is not None else ""


def visible_words(node: LexborNode | None) -> int:
    """Words a reader sees in ``node`` (counted as the audit counts the source)."""
    if node is None:
        return 0
    if node.is_text_node:
        return count_words(node.text_content or "")
    return count_words(visible_text(without_hidden(node.html or "")))


def serialise(nodes: Iterable[LexborNode]) -> str:
    """The HTML of a sequence of nodes, to be parsed again when the chapter is read."""
    return "".join(node.html or "" for node in nodes)


def markup_words(html: str) -> tuple[int, int]:
    """(words a reader sees, chapter-text words) of serialised chapter markup.

    Chapter-text words leave out scene-break marker lines and attribution dashes. Fast (no
    block building): the text is read from the markup with block boundaries as line breaks
    and inline tags joined, as the blocks join them (``<b>W</b>ord`` is one word).
    """
    text = visible_text(without_hidden(html), "\n")
    if has_wide(text):
        return _line_words(text)
    # No CJK: a line's words are its runs of non-space ("\n" is white space, so the lines'
    # counts sum to the text's), counted without splitting the line into strings (count_runs):
    # a chapter's thousands of words are never made. Splitting the text at once made them
    # all together, and the EPUB index, counting every chapter in a thread while the first
    # one is read, kept their pages resident (the memory benchmark's EPUB peak, medians of
    # 7: 46.2 -> 45.85 MiB with inner_words).
    shown = words = 0
    for line in text.split("\n"):
        if not line or line.isspace():
            continue
        count = count_runs(line)
        shown += count
        if is_scene_break(line):
            continue
        opening = line.lstrip()[:1]  # (\s and str.lstrip strip the same characters)
        if opening and opening in _DASHES and _LEADING_DASH.match(line):
            count = count_runs(_LEADING_DASH.sub("", line))
        words += count
    return shown, words


def _line_words(text: str) -> tuple[int, int]:
    """:func:`markup_words` of visible text, counted line by line (text with CJK in it)."""
    shown = words = 0
    for line in text.split("\n"):
        if not line or line.isspace():
            continue
        count = count_words(line)
        shown += count
        if is_scene_break(line):
            continue
        opening = line.lstrip()[:1]  # (\s and str.lstrip strip the same characters)
        if opening and opening in _DASHES and _LEADING_DASH.match(line):
            count = count_words(_LEADING_DASH.sub("", line))
        words += count
    return shown, words


def body_words(nodes: Iterable[LexborNode]) -> int:
    """Word count of a chapter body (see :func:`markup_words`)."""
    return markup_words(serialise(nodes))[1]


def inner_words(node: LexborNode) -> int:
    """:func:`body_words` of all of ``node``'s children, from their markup serialised at once
    (``inner_html``, the same text as their ``html`` joined) rather than one string a child:
    a chapter's hundred paragraph strings, freed in a thread beside the interface, left
    heap pages the allocator could not hand back."""
    return markup_words(node.inner_html or "")[1]
