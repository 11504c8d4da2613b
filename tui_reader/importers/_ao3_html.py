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
    child_nodes,
    element_children,
    has_class,
    inline_text,
    markup_words,
    next_element,
    note_text,
    serialise,
    visible_words,
)
from tui_reader.importers.grammar import NoteKind, note_heading, parse_heading
from tui_reader.importers.warnings import archive_warning
from tui_reader.model import ARCHIVE_WARNINGS, Block, Chapter, Note, Series, Story
from tui_reader.text import count_words, lazy_pattern

_BOILERPLATE = lazy_pattern(
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
    """The preface's ``dl`` of tags (``dl.tags``, the work page's ``dl.work.meta``, or any
    ``dl`` with a Rating/Fandom entry)."""
    found = root.css_first("dl.tags") or root.css_first("dl.work.meta")
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


_SERIES = lazy_pattern(r"^\s*Part\s+(\d+)\s+of\s+(.+?)\s*$", re.IGNORECASE | re.DOTALL)
"""One series entry of the preface: "Part 2 of The Ledger Cycle"."""


def _series(dd: LexborNode) -> list[Series]:
    """The series entries of a Series ``dd`` ("Part 2 of <a>Name</a>, Part 1 of <a>Other</a>")."""
    found: list[Series] = []
    for link in dd.css("a"):
        name = inline_text(link)
        before = link.prev
        text = ""
        while before is not None and not before.is_element_node:
            text = (before.text_content or "") + text
            before = before.prev
        number = re.search(r"Part\s+(\d+)\s+of\s*$", text.strip() + " ", re.IGNORECASE)
        if name:
            found.append(Series(name, int(number.group(1)) if number else None))
    if not found:
        for part in inline_text(dd).split(","):
            if match := _SERIES.match(part):
                found.append(Series(match.group(2), int(match.group(1))))
    return found


def apply_tags(dl: LexborNode, story: Story) -> None:
    """Fill rating, warnings, categories, tags, language, series and chapters_total from the
    preface's tag list, and account its words (labels as boilerplate, values as front matter)."""
    label = ""
    for node in element_children(dl):
        if node.tag == "dt":
            label = _label(node)
            story.account("boilerplate", visible_words(node))
            continue
        if node.tag != "dd":
            continue
        story.account("front_matter", visible_words(node))
        values = _values(node)
        if label == "rating" or label == "ratings":
            story.rating = ", ".join(values) or story.rating
        elif label.startswith("archive warning"):
            _add(story.site_warnings, values)
            _add(story.warnings, [w for v in values if (w := archive_warning(v))])
            story.warnings = [w for w in ARCHIVE_WARNINGS if w in story.warnings]
        elif label in ("category", "categories"):
            _add(story.categories, values)
        elif label.startswith("fandom"):
            _add(story.tags.fandoms, values)
        elif label.startswith("relationship"):
            _add(story.tags.relationships, values)
        elif label.startswith("character"):
            _add(story.tags.characters, values)
        elif label.startswith("additional tag") or label == "freeform":
            _add(story.tags.additional, values)
        elif label == "language":
            story.language = inline_text(node) or story.language
        elif label == "series":
            story.series.extend(s for s in _series(node) if s not in story.series)
        elif label == "stats":
            stats = inline_text(node)
            story.chapters_total = chapters_total(stats, story.chapters_total)
            story.in_progress = _UNKNOWN_TOTAL.search(stats) is not None


_UNKNOWN_TOTAL = lazy_pattern(r"Chapters:\s*\d+\s*/\s*\?", re.IGNORECASE)
"""AO3's stats for a work in progress whose planned total is unknown ("Chapters: 9/?")."""


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


_WORK_URL = lazy_pattern(r"^https?://[^/\s]*archiveofourown\.org/works/\d+", re.IGNORECASE)
"""An AO3 work address (the preface's "Posted originally on the Archive of Our Own at …")."""


def source_url(container: LexborNode) -> str | None:
    """The work's address from the preface message's link, when there is one."""
    for link in container.css("p.message a, a"):
        href = (link.attributes.get("href") or "").strip()
        if match := _WORK_URL.match(href):
            return match.group(0)
    return None


def apply_preface(root: LexborNode, story: Story) -> None:
    """Fill title, author, summary, story notes, source URL and the tag fields from the preface,
    and account the preface's words: metadata shown as front matter, labels and the archive's
    messages as boilerplate."""
    preface = root.css_first("div#preface")
    region = preface or root
    dl = tag_list(region) or tag_list(root)
    front_before = story.accounted.get("front_matter", 0)
    boiler_before = story.accounted.get("boilerplate", 0)
    if dl is not None:
        apply_tags(dl, story)
    heading = region.css_first("h1")
    if heading is not None and (title := inline_text(heading)):
        story.title = title
        story.account("front_matter", visible_words(heading))
    byline = region.css_first(".byline")
    if byline is not None:
        author = re.sub(r"^by\s+", "", inline_text(byline), flags=re.IGNORECASE).strip()
        story.author = author or story.author
        story.account("front_matter", visible_words(byline))
    story.source_url = source_url(region) or story.source_url
    used = 0
    for kind, quote in labelled_quotes(region):
        text = _quote_text(quote)
        if not text:
            continue
        if kind == "summary":
            story.summary = text
        elif kind == "before":
            story.notes.append(Note("before", text))
        used += count_words(text)
    if preface is not None:
        taken = (
            story.accounted.get("front_matter", 0)
            - front_before
            + story.accounted.get("boilerplate", 0)
            - boiler_before
        )
        story.account("boilerplate", max(0, visible_words(preface) - taken - used))


def apply_afterword(root: LexborNode, story: Story) -> None:
    """Add the work's end notes (``#afterword``) as story notes after the last chapter; the
    afterword's heading, labels and the archive's message are boilerplate."""
    for afterword in root.css("div#afterword"):
        used = 0
        for kind, quote in labelled_quotes(afterword):
            if kind != "summary" and (text := _quote_text(quote)):
                story.notes.append(Note("after", text))
                used += count_words(text)
        story.account("boilerplate", max(0, visible_words(afterword) - used))


def strip_boilerplate(blocks: list[Block]) -> list[Block]:
    """Drop the archive's own lines should any reach a chapter body."""
    return [b for b in blocks if not (b.kind == "paragraph" and _BOILERPLATE.match(b.text))]


def _load(html: str) -> list[Block]:
    """Parse a serialised AO3 chapter body."""
    return strip_boilerplate(blocks_from_html(html))


def body_chapter(number: int, title: str | None, body: LexborNode, story: Story | None) -> Chapter:
    """A lazily parsed chapter over one ``userstuff`` body; what the body shows that is not
    chapter text (landmark headings, scene-break marker lines) is boilerplate."""
    landmarks = 0
    for landmark in body.css("h3.landmark"):
        landmarks += visible_words(landmark)
        landmark.decompose()
    html = serialise([body])
    shown, words = markup_words(html)
    if story is not None:
        story.account("boilerplate", landmarks + max(0, shown - words))
    return Chapter.lazy(number, title, words, partial(_load, html))


def _chapter_meta(meta: LexborNode, chapter: Chapter, story: Story | None) -> None:
    """Summary and notes from a chapter's ``meta group``; the rest of it is accounted."""
    used = count_words(chapter.title or "")
    for kind, quote in labelled_quotes(meta):
        if kind == "after" or not (text := _quote_text(quote)):
            continue
        if kind == "summary":
            chapter.summary = text
        else:
            chapter.notes_before.append(text)
        used += count_words(text)
    if story is None:
        return
    byline = meta.css_first("p.byline")
    if byline is not None:
        words = visible_words(byline)
        story.account("front_matter", words)
        used += words
    story.account("boilerplate", max(0, visible_words(meta) - used))


def _end_notes(after: LexborNode | None, chapter: Chapter, story: Story | None) -> None:
    """A chapter's end notes (the ``endnotesN`` block after its body), label as boilerplate."""
    if after is None or not (after.attributes.get("id") or "").startswith("endnotes"):
        return
    used = 0
    for _label_text, quote in labelled_quotes(after):
        if text := _quote_text(quote):
            chapter.notes_after.append(text)
            used += count_words(text)
    if story is not None:
        story.account("boilerplate", max(0, visible_words(after) - used))


def parse_chapters(root: LexborNode, story: Story | None = None) -> list[Chapter]:
    """The chapters: one per ``h2.heading`` block, or the single body of a one-shot.

    Chapter titles are kept verbatim ("Chapter 3: Epilogue - After" → "Epilogue - After").
    With ``story`` given, the words consumed outside chapter text are accounted on it.
    """
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
        chapter = body_chapter(number, title, body, story)
        _chapter_meta(meta, chapter, story)
        _end_notes(next_element(body), chapter, story)
        chapters.append(chapter)
    if chapters:
        return chapters
    for container in root.css("div#chapters"):
        for toc in container.css("h2.toc-heading"):
            if story is not None:
                story.account("boilerplate", visible_words(toc))
            toc.decompose()
        body = container.css_first("div.userstuff") or container
        chapter = body_chapter(len(chapters) + 1, None, body, story)
        if chapter.words:
            chapters.append(chapter)
    return chapters


def fill_story(root: LexborNode, story: Story) -> None:
    """Fill ``story`` from a whole AO3 download document."""
    apply_preface(root, story)
    story.chapters = parse_chapters(root, story)
    apply_afterword(root, story)


def fill_first(root: LexborNode, story: Story) -> bool:
    """Fill ``story`` as :func:`fill_story` does, from the start of a download read only up to
    where its second chapter begins (first chapter first): the preface and chapter 1 alone.

    ``root`` holds the whole preface, chapter 1 and the start of chapter 2 (anything later may
    be missing or cut short). False, with ``story`` not to be used, unless what :func:`fill_story`
    reads for the preface and chapter 1 lies wholly before chapter 2's heading block
    (:func:`_first_is_whole`). The work's end notes (the afterword) are not read: they follow the
    last chapter, which only the whole download knows.
    """
    second = _first_is_whole(root)
    if second is None:
        return False
    _cut_from(second, root)  # (chapter 2 on: only the whole download has it all)
    apply_preface(root, story)
    story.chapters = parse_chapters(root, story)[:1]
    return bool(story.chapters)


def _cut_from(node: LexborNode, root: LexborNode) -> None:
    """Remove ``node`` and every element after it from ``root``."""
    parent = node.parent
    _cut_after(node)
    node.decompose()
    while parent is not None and parent.mem_id != root.mem_id:
        _cut_after(parent)
        parent = parent.parent


def _cut_after(node: LexborNode) -> None:
    """Remove the element siblings after ``node``."""
    after = next_element(node)
    while after is not None:
        following = next_element(after)
        after.decompose()
        after = following


def _first_is_whole(root: LexborNode) -> LexborNode | None:
    """Chapter 2's heading block when ``root`` (a download read up to its second chapter) holds
    the preface and chapter 1 whole, else None: the preface has its tag list and ends before
    chapter 2's heading block, and chapter 1's heading block, body and end notes (as
    :func:`parse_chapters` finds them) are siblings before it, so no later part of the download
    can change them."""
    preface = root.css_first("div#preface")
    if preface is None or tag_list(preface) is None:
        return None
    metas = [
        meta
        for heading in root.css("h2.heading")
        if (meta := heading.parent) is not None and has_class(meta, "meta")
    ]
    if len(metas) < 2:
        return None
    first, second = metas[0], metas[1]
    if not _before(preface, second, root):
        return None
    body = next_element(first)
    while body is not None and body.mem_id != second.mem_id and not has_class(body, "userstuff"):
        body = next_element(body)
    if body is None or body.mem_id == second.mem_id:
        return None  # chapter 1's body not found before chapter 2
    after = next_element(body)  # (its end notes, when it has them)
    if after is not None and after.mem_id == second.mem_id:
        return None if (second.attributes.get("id") or "").startswith("endnotes") else second
    while after is not None and after.mem_id != second.mem_id:
        after = next_element(after)
    return second if after is not None else None  # (chapter 2 follows among its siblings)


def _before(node: LexborNode, later: LexborNode, root: LexborNode) -> bool:
    """True when ``node`` is a child of ``root`` that comes before the child of ``root`` holding
    ``later`` (so ``node`` ends before ``later`` starts)."""
    top: LexborNode | None = later
    while top is not None and top.parent is not None and top.parent.mem_id != root.mem_id:
        top = top.parent
    if top is None or top.parent is None or node.parent is None:
        return False
    if node.parent.mem_id != root.mem_id or node.mem_id == top.mem_id:
        return False
    for child in element_children(root):
        if child.mem_id == node.mem_id:
            return True
        if child.mem_id == top.mem_id:
            return False
    return False
