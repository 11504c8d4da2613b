"""FanFicFare output markup: the title page of ``<b>Label:</b> value`` lines, chapter headings
(``fff_chapter_title``, or ``<a name="sectionN"><h2>``) and notes in ``fff_chapter_notes`` divs.

Shared by the HTML importer and the EPUB importer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial

from selectolax.lexbor import LexborNode

from tui_reader.importers._html_blocks import (
    blocks_from_html,
    body_words,
    child_nodes,
    has_class,
    inline_text,
    note_text,
    serialise,
)
from tui_reader.importers._txt_header import series_value, split_list, unfinished_status
from tui_reader.importers.warnings import site_archive_warning
from tui_reader.model import ARCHIVE_WARNINGS, Chapter, Story
from tui_reader.text import lazy_pattern

_AO3_CATEGORIES = frozenset({"f/f", "f/m", "m/m", "gen", "multi", "other"})
"""AO3's relationship categories, which FanFicFare files under "Category" for AO3 stories."""


def is_fff(root: LexborNode) -> bool:
    """True when the markup carries FanFicFare's classes or its title-page-and-sections layout
    (``<h1>Title by <a class='authorlink'>…</a></h1>``, a TOCTOP anchor, ``sectionNNNN``
    anchors around the chapter headings)."""
    if root.css_first(".fff_chapter_title, .fff_chapter_notes, .fff_titlepage") is not None:
        return True
    sections = root.css_first('a[name^="section"] > h2, a[name^="section"] > h3')
    if sections is not None and (
        root.css_first("h1 a.authorlink") is not None
        or root.css_first('a[name="TOCTOP"]') is not None
    ):
        return True
    fields = title_page(root)
    return bool(root.css_first('a[name^="section"]')) and (
        "author" in fields and ("status" in fields or "chapters" in fields)
    )


def title_page(root: LexborNode) -> dict[str, str]:
    """The title page's fields, label (lower case, no colon) → value text."""
    fields: dict[str, str] = {}
    for bold in root.css("b, strong"):
        label = inline_text(bold)
        if not label.endswith(":") or len(label) > 40 or _inside_notes(bold):
            continue
        key = label.rstrip(":").strip().casefold()
        parent = bold.parent
        if parent is not None and parent.tag in ("td", "th") and _only_child(parent, bold):
            cell = parent.next
            while cell is not None and not cell.is_element_node:
                cell = cell.next
            value = note_text(child_nodes(cell)) if cell is not None else ""
        else:
            value = _value_after(bold)
        if value and key not in fields:
            fields[key] = value
    return fields


def _inside_notes(node: LexborNode) -> bool:
    """True when ``node`` sits inside a chapter's notes or a chapter."""
    parent = node.parent
    while parent is not None:
        if has_class(parent, "fff_chapter_notes") or has_class(parent, "fff_chapter"):
            return True
        parent = parent.parent
    return False


def _only_child(parent: LexborNode, child: LexborNode) -> bool:
    """True when ``child`` is the only content of ``parent`` (whitespace aside)."""
    node = parent.first_child
    while node is not None:
        if node.mem_id != child.mem_id and (
            node.is_element_node or (node.text_content or "").strip()
        ):
            return False
        node = node.next
    return True


def _value_after(bold: LexborNode) -> str:
    """The text after a ``<b>Label:</b>`` up to the next label (``<br>`` lines joined)."""
    from html import escape  # (its entity table is half a MiB: imported when needed)

    parts: list[str] = []
    node = bold.next
    while node is not None:
        if node.is_element_node and node.tag in ("b", "strong") and inline_text(node).endswith(":"):
            break
        if node.is_text_node:
            parts.append(escape(node.text_content or ""))
        elif node.is_element_node:
            parts.append(node.html or "")
        node = node.next
    html = "".join(parts)
    return "\n\n".join(b.text for b in blocks_from_html(html) if b.text).strip()


def apply_title_page(fields: dict[str, str], story: Story) -> None:
    """Fill ``story`` from title-page fields: rating and every site warning verbatim (only the
    warnings that are archive warnings also become :attr:`Story.warnings`), series, language,
    categories."""
    if title := fields.get("title"):
        story.title = title
    if author := fields.get("author"):
        story.author = author
    if summary := fields.get("summary") or fields.get("description"):
        story.summary = summary
    if label := fields.get("rating"):
        story.rating = label
    found = set(story.warnings)
    for part in split_list(fields.get("warnings", "") or fields.get("warning", "")):
        if part not in story.site_warnings:
            story.site_warnings.append(part)
        if (name := site_archive_warning(part)) is not None:
            found.add(name)
    story.warnings = [w for w in ARCHIVE_WARNINGS if w in found]
    fandoms = fields.get("fandoms") or fields.get("fandom")
    category = fields.get("category") or fields.get("categories")
    if category:
        story.categories.extend(c for c in split_list(category) if c not in story.categories)
    if fandoms:
        story.tags.fandoms = split_list(fandoms)
    elif category and not all(c.casefold() in _AO3_CATEGORIES for c in split_list(category)):
        story.tags.fandoms = split_list(category)
    for key in ("characters", "character"):
        if key in fields:
            story.tags.characters = split_list(fields[key])
    for key in ("relationships", "relationship", "pairings", "pairing", "ships"):
        if key in fields:
            story.tags.relationships = split_list(fields[key])
    for key in ("freeform tags", "additional tags", "extra tags", "genre", "tags"):
        story.tags.additional.extend(
            t for t in split_list(fields.get(key, "")) if t not in story.tags.additional
        )
    if language := fields.get("language"):
        story.language = language
    if series := fields.get("series"):
        value = series_value(series)
        if all(s.name != value.name for s in story.series):
            story.series.append(value)
    if url := fields.get("story url") or fields.get("url"):
        story.source_url = story.source_url or url
    story.chapters_total = _chapters_total(fields.get("chapters", ""), fields.get("status", ""))
    story.in_progress = unfinished_status(fields.get("status", "")) or bool(
        re.match(r"\s*\d+\s*/\s*\?", fields.get("chapters", ""))
    )


def _chapters_total(chapters: str, status: str) -> int | None:
    """ "2/5" → 5; "5" with status Completed → 5; otherwise unknown."""
    if match := re.match(r"\s*\d+\s*/\s*(\d+)", chapters):
        return int(match.group(1))
    if re.fullmatch(r"\s*\d+\s*", chapters) and status.strip().casefold().startswith("complete"):
        return int(chapters)
    return None


def is_chapter_heading(node: LexborNode) -> bool:
    """True for FanFicFare's chapter headings."""
    if has_class(node, "fff_chapter_title"):
        return True
    parent = node.parent
    return (
        node.tag in ("h2", "h3")
        and parent is not None
        and parent.tag == "a"
        and (parent.attributes.get("name") or "").startswith("section")
    )


def take_notes(nodes: Sequence[LexborNode]) -> tuple[list[str], list[str]]:
    """Remove ``fff_chapter_notes`` divs from a chapter's nodes; (notes before, notes after).

    A div classed ``fff_head_notes`` is before and ``fff_foot_notes`` after; an unclassed one
    is before when no chapter text precedes it.
    """
    before: list[str] = []
    after: list[str] = []
    for index, node in enumerate(nodes):
        if not node.is_element_node:
            continue
        divs = [node] if has_class(node, "fff_chapter_notes") else []
        divs += node.css("div.fff_chapter_notes")
        for div in divs:
            texts = _note_texts(div)
            if has_class(div, "fff_foot_notes"):
                after.extend(texts)
            elif has_class(div, "fff_head_notes") or not _text_before(div, nodes[:index]):
                before.extend(texts)
            else:
                after.extend(texts)
            div.decompose()
    return before, after


def _text_before(node: LexborNode, earlier: Sequence[LexborNode]) -> bool:
    """True when any text precedes ``node`` inside its ancestors or in ``earlier`` nodes."""
    if any(_has_text(n) for n in earlier):
        return True
    current: LexborNode | None = node
    while current is not None and current.tag not in ("body", "html"):
        sibling = current.prev
        while sibling is not None:
            if _has_text(sibling):
                return True
            sibling = sibling.prev
        current = current.parent
    return False


def _has_text(node: LexborNode) -> bool:
    """True when ``node`` holds visible text."""
    if node.is_text_node:
        return bool((node.text_content or "").strip())
    return node.is_element_node and bool(node.text(separator=" ").strip())


def _note_texts(div: LexborNode) -> list[str]:
    """The notes in one notes div: each ``<b>Label:</b>`` starts a note, the label dropped."""
    notes: list[str] = []
    segment: list[LexborNode] = []
    child = div.first_child
    while child is not None:
        if child.is_element_node and child.tag in ("b", "strong"):
            if text := note_text(segment):
                notes.append(text)
            segment = []
        else:
            segment.append(child)
        child = child.next
    if text := note_text(segment):
        notes.append(text)
    return notes


def split_notes(
    nodes: Sequence[LexborNode],
) -> tuple[list[LexborNode], list[str], list[str]]:
    """A chapter's body nodes with its notes divs taken out, and (notes before, notes after)."""
    rest = [n for n in nodes if not (n.is_element_node and has_class(n, "fff_chapter_notes"))]
    before, after = take_notes(nodes)
    return rest, before, after


_OWN_NUMBER = lazy_pattern(
    r"^\s*chapter\s+(?P<num>\d+)\s*(?:[:.\-–—]\s*(?P<title>\S.*?))?\s*$", re.IGNORECASE
)
"""A site title that starts with the chapter's own place: "Chapter 2: The Quarry"."""


def chapter_title(number: int, heading: str | None) -> str | None:
    """A FanFicFare chapter title as the author gave it to the site, verbatim.

    Only a leading "Chapter N: " (or a bare "Chapter N") whose N is the chapter's place is
    taken as the number: "Chapter 4 & 4.5", "Chapter 1, The Quarry" in second place, or
    "Epilogue - Home" stay exactly as written.
    """
    if not heading:
        return None
    match = _OWN_NUMBER.match(heading)
    if match and int(match["num"]) == number:
        return match["title"] or None
    return heading


def make_chapter(number: int, heading: str | None, nodes: Sequence[LexborNode]) -> Chapter:
    """A lazily parsed chapter from its heading text and body nodes (notes taken out)."""
    rest, before, after = split_notes(nodes)
    title = chapter_title(number, heading)
    html = serialise(rest)
    return Chapter.lazy(
        number, title, body_words(rest), partial(blocks_from_html, html), before, after
    )
