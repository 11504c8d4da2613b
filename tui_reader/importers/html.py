"""HTML stories: AO3 downloads ("ao3-html"), AO3 work pages saved from the browser
("ao3-page-html"), FanFicFare output ("fff-html"), any page ("html").

The document is parsed once with lexbor (lenient with broken markup). Metadata and notes are
read now; each chapter keeps its serialised body and turns it into blocks when first read.
Generic pages are split into chapters at h1-h3 headings that look like chapter headings
("Chapter 2: …", "Part One", "Prologue"); otherwise the page is one chapter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path

from selectolax.lexbor import LexborNode

from tui_reader.importers import _ao3_html, _ao3_page, _fff_html
from tui_reader.importers._epub_xhtml import looks_like_xhtml, xhtml_as_html
from tui_reader.importers._html_blocks import (
    BLOCK_TAGS,
    HEADING_TAGS,
    blocks_from_html,
    body_words,
    child_nodes,
    has_class,
    inline_text,
    next_element,
    parse_html,
    serialise,
    visible_words,
)
from tui_reader.importers.encoding import decode_text
from tui_reader.importers.grammar import parse_heading
from tui_reader.model import Block, Chapter, Note, Section, Source, Story
from tui_reader.paths import title_from_filename
from tui_reader.text import count_words

_CONTAINERS = BLOCK_TAGS | {"a", "span", "font"}
"""Elements that may wrap chapter headings and are looked inside when splitting."""

_HeadingTest = Callable[[LexborNode], bool]
"""A test that says whether a node is a chapter heading."""

PREFACE_NOTE_WORDS = 400
"""Text before the first chapter heading up to this many words is a story note, not a chapter."""


def load(path: Path, data: bytes) -> Story:
    """Parse an HTML story file."""
    text = decode_text(data)
    if looks_like_xhtml(text):  # read as the XML it is: <title/> is empty, <a id="x"/> closed
        text = xhtml_as_html(text)
    tree = parse_html(text)
    root = tree.body
    if root is None or not root.text(separator=" ").strip():
        raise ValueError("the HTML file has no text")
    head_title = tree.css_first("title")
    fallback = inline_text(head_title) if head_title is not None else ""
    fallback = fallback or title_from_filename(path.name)
    return story_from_root(root, path, fallback)


def story_from_root(root: LexborNode, path: Path, fallback_title: str, kind: str = "html") -> Story:
    """Detect the flavour of an HTML document and read it into a story.

    ``kind`` is "html" or "epub": the format name's second half.
    """
    if _ao3_page.is_ao3_page(root):
        story = Story(title=fallback_title, source=Source(str(path), f"ao3-page-{kind}"))
        _ao3_page.fill_story(root, story)
    elif _ao3_html.is_ao3(root):
        story = Story(title=fallback_title, source=Source(str(path), f"ao3-{kind}"))
        _ao3_html.fill_story(root, story)
    elif _fff_html.is_fff(root):
        story = Story(title=fallback_title, source=Source(str(path), f"fff-{kind}"))
        _fill_fff(root, story)
    else:
        story = Story(title=fallback_title, source=Source(str(path), kind))
        _fill_generic(root, story)
    return story


def _fill_fff(root: LexborNode, story: Story) -> None:
    """A FanFicFare HTML file: heading, title page fields and contents, then the chapters.

    The title page's values are front matter, its labels boilerplate, the contents list a
    front-matter section; chapter headings beyond the chapter's own title are boilerplate.
    """
    sections = _split(root, _fff_html.is_chapter_heading)
    heading = root.css_first("h1")
    if heading is not None:
        _fff_heading(heading, story)
    elif " by " in story.title:
        story.title, story.author = story.title.rsplit(" by ", 1)
    fields = _fff_html.title_page(root)
    _fff_html.apply_title_page(fields, story)
    _fff_preface(sections.preface, story)
    for index, (title_node, nodes) in enumerate(sections.chapters, start=1):
        text = inline_text(title_node) if title_node is not None else None
        chapter = _fff_html.make_chapter(index, text, nodes)
        shown = visible_words(title_node) if title_node is not None else 0
        story.account("boilerplate", max(0, shown - count_words(chapter.title or "")))
        notes = sum(count_words(n) for n in (*chapter.notes_before, *chapter.notes_after))
        body = sum(visible_words(n) if n.is_element_node else count_words(n.text_content or "")
                   for n in nodes)  # fmt: skip
        story.account("boilerplate", max(0, body - notes - chapter.words))
        if chapter.words or chapter.notes_before or chapter.notes_after:
            story.chapters.append(chapter)


def _fff_heading(heading: LexborNode, story: Story) -> None:
    """``<h1><a href=URL>Title</a> by <a class='authorlink'>A</a>, <a …>B</a></h1>``."""
    links = heading.css("a")
    authors = [inline_text(a) for a in links if has_class(a, "authorlink")]
    titles = [a for a in links if not has_class(a, "authorlink")]
    whole = inline_text(heading)
    if titles and (title := inline_text(titles[0])):
        story.title = title
        href = (titles[0].attributes.get("href") or "").strip()
        if href.startswith(("http://", "https://")):
            story.source_url = href
    elif " by " in whole:
        story.title = whole.rsplit(" by ", 1)[0]
    if authors:
        story.author = ", ".join(authors)
    elif " by " in whole:
        story.author = whole.rsplit(" by ", 1)[1]


def _fff_preface(nodes: Sequence[LexborNode], story: Story) -> None:
    """Account everything before the first chapter: the heading and the title page's values
    are front matter, labels boilerplate, the summary a note, the contents a section."""
    total = sum(
        visible_words(n) if n.is_element_node else count_words(n.text_content or "") for n in nodes
    )
    labels = 0
    contents: list[Block] = []
    for node in nodes:
        if not node.is_element_node:
            continue
        labels += sum(
            visible_words(b) for b in node.css("b, strong") if inline_text(b).endswith(":")
        )
        if node.tag == "a" and (node.attributes.get("name") or "") == "TOCTOP":
            labels += visible_words(node)
            listing = next_element(node)
            if listing is not None:
                entries = (inline_text(a) for a in listing.css("a"))
                contents = [Block("paragraph", text) for text in entries if text]
    if contents:
        story.front_matter.append(Section("Table of Contents", contents))
    heading = next((n for n in nodes if n.is_element_node and n.tag == "h1"), None)
    by_words = 1 if heading is not None and " by " in inline_text(heading) else 0
    story.account("boilerplate", labels + by_words)
    used = count_words(story.summary or "") + sum(s.words for s in story.front_matter)
    story.account("front_matter", max(0, total - labels - by_words - used))


def _fill_generic(root: LexborNode, story: Story) -> None:
    """Any HTML page: h1 title, chapters at chapter-like headings, or one chapter."""
    first_h1 = root.css_first("h1")
    h1_text = inline_text(first_h1) if first_h1 is not None else ""
    if h1_text and parse_heading(h1_text, known=True) is None:
        story.title = h1_text
        story.account("front_matter", visible_words(first_h1))
        first_h1.decompose()  # type: ignore[union-attr]
    level = _chapter_level(root)
    if level is None:
        nodes = child_nodes(root)
        story.chapters.append(_generic_chapter(1, None, nodes))
        return
    sections = _split(root, lambda node: node.tag == level and _is_heading(node))
    if sections.preface and (words := body_words(sections.preface)):
        if words <= PREFACE_NOTE_WORDS:
            text = "\n\n".join(b.text for b in blocks_from_html(serialise(sections.preface)))
            if text:
                story.notes.append(Note("before", text))
        else:
            story.chapters.append(_generic_chapter(1, None, sections.preface))
    for heading, nodes in sections.chapters:
        text = inline_text(heading) if heading is not None else ""
        heading_read = parse_heading(text, known=True)
        number = heading_read.number if heading_read else None
        title = heading_read.title if heading_read else (text or None)
        if heading is not None:  # the heading's words beyond the title ("Chapter 2:")
            shown = visible_words(heading) - count_words(title or "")
            story.account("boilerplate", max(0, shown))
        previous = story.chapters[-1].number if story.chapters else 0
        number = number if number and number > previous else previous + 1
        story.chapters.append(_generic_chapter(number, title, nodes))


def _generic_chapter(number: int, title: str | None, nodes: Sequence[LexborNode]) -> Chapter:
    """A lazily parsed chapter over a run of nodes."""
    html = serialise(nodes)
    return Chapter.lazy(number, title, body_words(nodes), partial(blocks_from_html, html))


def _is_heading(node: LexborNode) -> bool:
    """True when a heading element's text reads as a chapter heading."""
    return parse_heading(inline_text(node), known=True) is not None


def _chapter_level(root: LexborNode) -> str | None:
    """The heading level (h1-h3) used for chapter headings, or None when there are none."""
    best: tuple[int, str] | None = None
    for level in ("h1", "h2", "h3"):
        count = sum(1 for h in root.css(level) if _is_heading(h))
        if count and (best is None or count > best[0]):
            best = (count, level)
    return best[1] if best else None


class _Sections:
    """A document cut at chapter headings: what came before, then (heading, body) pairs."""

    def __init__(self) -> None:
        """Start empty."""
        self.preface: list[LexborNode] = []
        """Nodes before the first chapter heading."""
        self.chapters: list[tuple[LexborNode | None, list[LexborNode]]] = []
        """Each chapter's heading node and body nodes."""


def _split(root: LexborNode, is_heading: _HeadingTest) -> _Sections:
    """Cut the document at headings, looking inside wrappers that contain one."""
    sections = _Sections()
    for node in _flatten(root, is_heading):
        if node.is_element_node and is_heading(node):
            sections.chapters.append((node, []))
        elif sections.chapters:
            sections.chapters[-1][1].append(node)
        else:
            sections.preface.append(node)
    return sections


def _flatten(node: LexborNode, is_heading: _HeadingTest) -> Iterator[LexborNode]:
    """The document as a flat run of nodes, opening wrappers that hold a chapter heading."""
    child = node.first_child
    while child is not None:
        if child.is_element_node and not is_heading(child) and _wraps_heading(child, is_heading):
            yield from _flatten(child, is_heading)
        elif child.is_element_node or child.is_text_node:
            yield child
        child = child.next


def _wraps_heading(node: LexborNode, is_heading: _HeadingTest) -> bool:
    """True when ``node`` is a wrapper with a chapter heading somewhere inside."""
    if (node.tag or "") not in _CONTAINERS:
        return False
    return any(is_heading(h) for h in node.css(",".join(sorted(HEADING_TAGS))))
