"""An AO3 work page saved from the browser (File → Save Page As), full work or one chapter.

The page holds the archive's site layout around the work: the ``#header`` (site name, log-in
form, menus), skip links, the work's navigation, ``#feedback`` (kudos, comments) and
``#footer``. That furniture is accounted as boilerplate and never becomes story text. The work
itself is read from ``dl.work.meta`` (tags, language, series, stats) and ``#workskin``: the
preface (``h2.title``, ``h3.byline``, summary and notes modules), ``#chapters`` (each
``.chapter`` with its ``.chapter.preface.group`` holding the title, summary and notes, then
``.userstuff.module``, then the end notes) and the afterword (work end notes, series links).
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from tui_reader.importers._ao3_html import apply_tags, body_chapter, source_url, tag_list
from tui_reader.importers._html_blocks import (
    child_nodes,
    has_class,
    inline_text,
    note_text,
    visible_words,
)
from tui_reader.importers.grammar import parse_heading
from tui_reader.model import Chapter, Note, Story
from tui_reader.text import count_words

FURNITURE = (
    "#skiplinks",
    "#header",
    "noscript",
    "ul.landmark.skip",
    "ul.work.navigation",
    "#main > .flash",
    ".work > h3.landmark",
    "#feedback",
    "#footer",
)
"""The site's own parts of a work page, outside the work."""


def is_ao3_page(root: LexborNode) -> bool:
    """True for a saved AO3 work page: the work-skin preface and the work's tag list."""
    return (
        root.css_first("#workskin .preface h2.title") is not None
        and root.css_first("dl.work.meta") is not None
    )


def _child_of(node: LexborNode, parent: LexborNode) -> bool:
    """True when ``node`` is a direct child of ``parent``."""
    return node.parent is not None and node.parent.mem_id == parent.mem_id


def _module_text(module: LexborNode) -> str:
    """The text of a summary or notes module's blockquote."""
    quote = module.css_first("blockquote")
    return note_text(child_nodes(quote)) if quote is not None else ""


def _account_rest(node: LexborNode, used: int, story: Story) -> None:
    """Count what ``node`` shows beyond the ``used`` words as boilerplate (labels, links)."""
    story.account("boilerplate", max(0, visible_words(node) - used))


def _preface(preface: LexborNode, story: Story) -> None:
    """Title, byline, summary and work notes from the work's preface."""
    used = 0
    title = preface.css_first("h2.title")
    if title is not None and (text := inline_text(title)):
        story.title = text
        story.account("front_matter", visible_words(title))
        used += visible_words(title)
    byline = preface.css_first("h3.byline")
    if byline is not None and (text := inline_text(byline)):
        story.author = text
        story.account("front_matter", visible_words(byline))
        used += visible_words(byline)
    for module in preface.css("div.module"):
        text = _module_text(module)
        if not text:
            continue
        if has_class(module, "summary"):
            story.summary = text
        elif has_class(module, "notes"):
            story.notes.append(Note("before", text))
        used += count_words(text)
    _account_rest(preface, used, story)


def _chapter(node: LexborNode, number: int, story: Story) -> Chapter | None:
    """One ``div.chapter``: heading, summary, notes, body and end notes."""
    groups = [g for g in node.css("div.chapter.preface") if _child_of(g, node)]
    body = next((b for b in node.css("div.userstuff") if _child_of(b, node)), None)
    if body is None:
        return None
    title: str | None = None
    heading_node = groups[0].css_first("h3.title") if groups else None
    if heading_node is not None:
        text = inline_text(heading_node)
        read = parse_heading(text, known=True)
        title = read.title if read else (text or None)
        number = read.number if read and read.number else number
    chapter = body_chapter(number, title, body, story)
    used = count_words(title or "")
    for group in groups:
        for module in group.css("div.module"):
            text = _module_text(module)
            if not text:
                continue
            if has_class(module, "end"):
                chapter.notes_after.append(text)
            elif has_class(module, "summary"):
                chapter.summary = text
            else:
                chapter.notes_before.append(text)
            used += count_words(text)
        byline = group.css_first("h4.byline")
        if byline is not None:
            story.account("front_matter", visible_words(byline))
            used += visible_words(byline)
    for group in groups:
        _account_rest(group, used, story)
        used = 0
    return chapter


def _chapters(container: LexborNode, story: Story) -> list[Chapter]:
    """Every chapter on the page, or the one body of a single-chapter work."""
    chapters: list[Chapter] = []
    for node in container.css("div.chapter"):
        if not _child_of(node, container) or not re.match(
            r"chapter-\d+", node.attributes.get("id") or ""
        ):
            continue
        previous = chapters[-1].number if chapters else 0
        chapter = _chapter(node, previous + 1, story)
        if chapter is not None:
            if chapter.number <= previous:
                chapter.number = previous + 1
            chapters.append(chapter)
    if chapters:
        return chapters
    for landmark in container.css("h3.landmark"):
        story.account("boilerplate", visible_words(landmark))
        landmark.decompose()
    body = container.css_first("div.userstuff") or container
    return [body_chapter(1, None, body, story)]


def _afterword(afterword: LexborNode, story: Story) -> None:
    """Work end notes; the series links and labels are accounted."""
    used = 0
    for module in afterword.css("div.module"):
        if has_class(module, "end") and (text := _module_text(module)):
            story.notes.append(Note("after", text))
            used += count_words(text)
    _account_rest(afterword, used, story)


def fill_story(root: LexborNode, story: Story) -> None:
    """Fill ``story`` from a saved work page; the site furniture is accounted as boilerplate."""
    for selector in FURNITURE:
        for node in root.css(selector):
            story.account("boilerplate", visible_words(node))
            node.decompose()
    dl = tag_list(root)
    if dl is not None:
        apply_tags(dl, story)
    story.source_url = source_url(root) or story.source_url
    skin = root.css_first("#workskin") or root
    preface = skin.css_first("div.preface.group")
    if preface is not None:
        _preface(preface, story)
    container = skin.css_first("#chapters")
    if container is not None:
        story.chapters = _chapters(container, story)
    for afterword in skin.css("div.afterword"):
        _afterword(afterword, story)
