"""AO3 download markup: the preface (tags, title, byline, summary, notes), chapters, afterword.

Shared by the HTML importer (one document) and the EPUB importer (the same markup split over
several files, which it joins). Only the user's own text (``userstuff`` blocks) becomes story
text; the archive's boilerplate ("Posted originally on…", "Please drop by the Archive…",
"See the end of the chapter for notes") never does.
"""

from __future__ import annotations

import re
from functools import partial

from selectolax.lexbor import LexborNode

from tui_reader.importers._html_blocks import (
    blocks_from_html,
    body_words,
    child_nodes,
    element_children,
    has_class,
    inline_text,
    next_element,
    note_text,
    serialise,
)
from tui_reader.importers.grammar import NoteKind, note_heading, parse_heading
from tui_reader.importers.warnings import archive_warnings, rating
from tui_reader.model import Block, Chapter, Note, Story

_BOILERPLATE = re.compile(
    r"^(?:posted originally on the archive of our own"
    r"|please drop by the archive and comment"
    r"|please drop by the archive of our own"
    r"|see the end of the (?:chapter|work) for (?:more )?notes"
    r"|chapter text$)",
    re.IGNORECASE,
)


def is_ao3(root: LexborNode) -> bool:
    """True when the markup is an AO3 download (preface with a tag list, or the chapters div)."""
    if root.css_first("div#preface") is not None and tag_list(root) is not None:
        return True
    return root.css_first("div#chapters") is not None and root.css_first("div#preface") is not None


def tag_list(root: LexborNode) -> LexborNode | None:
    """The preface's ``dl`` of tags (``dl.tags``, or any ``dl`` with a Rating/Fandom entry)."""
    found = root.css_first("dl.tags")
    if found is not None:
        return found
    for dl in root.css("dl"):
        labels = {_label(dt) for dt in dl.css("dt")}
        if labels & {"rating", "fandom", "fandoms", "archive warning", "archive warnings"}:
            return dl
    return None


def _label(node: LexborNode) -> str:
    """A label's text, lower-cased, without its colon."""
    return inline_text(node).strip().rstrip(":").strip().casefold()


def _values(dd: LexborNode) -> list[str]:
    """The tags in a ``dd``: its links' texts, or its text split on commas."""
    links = [text for a in dd.css("a") if (text := inline_text(a))]
    if links:
        return links
    return [part.strip() for part in inline_text(dd).split(",") if part.strip()]


def _add(target: list[str], values: list[str]) -> None:
    """Append values not already present."""
    target.extend(v for v in values if v not in target)


def apply_tags(dl: LexborNode, story: Story) -> None:
    """Fill rating, warnings, tags and chapters_total from the preface's tag list."""
    label = ""
    for node in element_children(dl):
        if node.tag == "dt":
            label = _label(node)
            continue
        if node.tag != "dd":
            continue
        if label == "rating":
            story.rating = rating(inline_text(node)) or story.rating
        elif label.startswith("archive warning"):
            found = archive_warnings(", ".join(_values(node)))
            story.warnings = [*story.warnings, *(w for w in found if w not in story.warnings)]
        elif label.startswith("fandom"):
            _add(story.tags.fandoms, _values(node))
        elif label.startswith("relationship"):
            _add(story.tags.relationships, _values(node))
        elif label.startswith("character"):
            _add(story.tags.characters, _values(node))
        elif label.startswith("additional tag") or label == "freeform":
            _add(story.tags.additional, _values(node))
        elif label == "stats":
            story.chapters_total = chapters_total(inline_text(node), story.chapters_total)


def chapters_total(stats: str, default: int | None = None) -> int | None:
    """The planned chapter count from AO3 stats ("Chapters: 2/3" → 3, "2/?" → None)."""
    match = re.search(r"Chapters:\s*\d+\s*/\s*(\d+|\?)", stats, re.IGNORECASE)
    if not match:
        return default
    return int(match.group(1)) if match.group(1).isdigit() else None


def labelled_quotes(container: LexborNode) -> list[tuple[NoteKind, LexborNode]]:
    """(kind, blockquote) pairs: a ``p`` label such as "Summary" or "Chapter Notes" (read by
    :func:`~tui_reader.importers.grammar.note_heading`), then a blockquote."""
    pairs: list[tuple[NoteKind, LexborNode]] = []
    for p in container.css("p"):
        quote = next_element(p)
        if quote is None or quote.tag != "blockquote":
            continue
        label = _label(p)
        kind = note_heading(label) if len(label) <= 40 else None
        if kind is not None:
            pairs.append((kind, quote))
    return pairs


def _quote_text(quote: LexborNode) -> str:
    """A note blockquote's text."""
    return note_text(child_nodes(quote))


def apply_preface(root: LexborNode, story: Story) -> None:
    """Fill title, author, summary, story notes and the tag fields from the preface."""
    preface = root.css_first("div#preface") or root
    dl = tag_list(preface) or tag_list(root)
    if dl is not None:
        apply_tags(dl, story)
    heading = preface.css_first("h1")
    if heading is not None and (title := inline_text(heading)):
        story.title = title
    byline = preface.css_first(".byline")
    if byline is not None:
        author = re.sub(r"^by\s+", "", inline_text(byline), flags=re.IGNORECASE).strip()
        story.author = author or story.author
    for kind, quote in labelled_quotes(preface):
        text = _quote_text(quote)
        if not text:
            continue
        if kind == "summary":
            story.summary = text
        elif kind == "before":
            story.notes.append(Note("before", text))


def apply_afterword(root: LexborNode, story: Story) -> None:
    """Add the work's end notes (``#afterword``) as story notes after the last chapter."""
    for afterword in root.css("div#afterword"):
        for kind, quote in labelled_quotes(afterword):
            if kind != "summary" and (text := _quote_text(quote)):
                story.notes.append(Note("after", text))


def strip_boilerplate(blocks: list[Block]) -> list[Block]:
    """Drop the archive's own lines should any reach a chapter body."""
    return [b for b in blocks if not (b.kind == "paragraph" and _BOILERPLATE.match(b.text))]


def _load(html: str) -> list[Block]:
    """Parse a serialised AO3 chapter body."""
    return strip_boilerplate(blocks_from_html(html))


def _chapter(number: int, title: str | None, body: LexborNode) -> Chapter:
    """A lazily parsed chapter over one ``userstuff`` body."""
    for landmark in body.css("h3.landmark"):
        landmark.decompose()
    return Chapter.lazy(number, title, body_words([body]), partial(_load, serialise([body])))


def parse_chapters(root: LexborNode) -> list[Chapter]:
    """The chapters: one per ``h2.heading`` block, or the single body of a one-shot."""
    chapters: list[Chapter] = []
    for heading in root.css("h2.heading"):
        meta = heading.parent
        if meta is None or not has_class(meta, "meta"):
            continue
        body = next_element(meta)
        while body is not None and not has_class(body, "userstuff"):
            body = next_element(body)
        if body is None:
            continue
        heading_text = inline_text(heading)
        read = parse_heading(heading_text, known=True)
        title = read.title if read else (heading_text or None)
        number = read.number if read and read.number else len(chapters) + 1
        if chapters and number <= chapters[-1].number:
            number = chapters[-1].number + 1
        chapter = _chapter(number, title, body)
        for kind, quote in labelled_quotes(meta):
            if kind != "after" and (text := _quote_text(quote)):
                chapter.notes_before.append(text)
        after = next_element(body)
        if after is not None and (after.attributes.get("id") or "").startswith("endnotes"):
            for _label_text, quote in labelled_quotes(after):
                if text := _quote_text(quote):
                    chapter.notes_after.append(text)
        chapters.append(chapter)
    if chapters:
        return chapters
    for container in root.css("div#chapters"):
        body = container.css_first("div.userstuff") or container
        for toc in body.css("h2.toc-heading"):
            toc.decompose()
        chapter = _chapter(len(chapters) + 1, None, body)
        if chapter.words:
            chapters.append(chapter)
    return chapters


def fill_story(root: LexborNode, story: Story) -> None:
    """Fill ``story`` from a whole AO3 download document."""
    apply_preface(root, story)
    story.chapters = parse_chapters(root)
    apply_afterword(root, story)
