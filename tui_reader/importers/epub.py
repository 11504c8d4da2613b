"""EPUB stories: AO3 downloads ("ao3-epub"), FanFicFare output ("fff-epub"), any EPUB 2/3 ("epub").

The container and package files (container.xml, the OPF, the NCX, the nav document) are read
with defusedxml, so entity bombs and external entities are refused with a one-line reason. The
zip is read defensively: member names are resolved inside the book (no ``..`` escapes), every
member's size is capped and so is the total read. Chapter XHTML is parsed leniently with lexbor;
a chapter file that is missing or unreadable is skipped and the rest of the book still opens.
Opening a book keeps only what the index needs: each spine document is parsed, measured and
dropped in turn, and a chapter remembers its member name, word count, title and notes. Its blocks
are parsed from the member again, re-opening the file by path, when the chapter is first read.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from selectolax.lexbor import LexborHTMLParser, LexborNode

from tui_reader.importers import _ao3_html, _fff_html
from tui_reader.importers._html_blocks import (
    HEADING_TAGS,
    blocks_from_nodes,
    body_words,
    child_nodes,
    clean_line,
    has_class,
    inline_text,
    note_text,
    parse_html,
)
from tui_reader.importers.encoding import DecodeError, decode_text
from tui_reader.importers.grammar import parse_heading
from tui_reader.importers.warnings import archive_warning, rating
from tui_reader.model import (
    ARCHIVE_WARNINGS,
    Block,
    BlockLoader,
    Chapter,
    ChapterUnreadable,
    Source,
    Story,
)
from tui_reader.paths import display_text
from tui_reader.text import count_words

MAX_MEMBER_BYTES = 64 * 1024 * 1024
"""A single file inside the EPUB larger than this (uncompressed) is not read."""

MAX_TOTAL_BYTES = 200 * 1024 * 1024
"""Reading stops with an error once this much has been decompressed from one EPUB."""

_NON_CHAPTER_CLASSES = ("titlepage", "tocpage", "coverpage", "logpage", "cover", "fff_titlepage")
_NON_CHAPTER_TITLES = frozenset(
    {"contents", "table of contents", "toc", "title page", "title", "cover", "front cover"}
)


class _Book:
    """Safe access to the files inside an EPUB zip."""

    def __init__(self, data: bytes | Path) -> None:
        """Open the zip (its bytes, or the file) or raise ValueError saying it is not one."""
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
            """The archive."""
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, NotImplementedError):
            raise ValueError("not an EPUB: the file is not a readable zip archive") from None
        self.names: dict[str, str] = {}
        """Safe member names, and their lower-case forms, → the real member name."""
        for info in self.zip.infolist():
            name = info.filename
            if info.is_dir() or not _safe(name):
                continue
            self.names.setdefault(name, name)
            self.names.setdefault(name.casefold(), name)
        self.total = 0
        """Bytes decompressed so far (each member counted once, however often it is read)."""
        self.counted: set[str] = set()
        """Members already counted in :attr:`total`."""

    def has(self, name: str) -> bool:
        """True when the book holds a file called ``name``."""
        return name in self.names or name.casefold() in self.names

    def read(self, name: str) -> bytes:
        """A member's bytes; KeyError when missing, ValueError when too large or corrupt."""
        real = self.names.get(name) or self.names.get(name.casefold())
        if real is None:
            raise KeyError(name)
        info = self.zip.getinfo(real)
        if info.file_size > MAX_MEMBER_BYTES:
            raise ValueError(f"{name} inside the EPUB is too large to read")
        again = real in self.counted
        budget = MAX_MEMBER_BYTES if again else min(MAX_MEMBER_BYTES, MAX_TOTAL_BYTES - self.total)
        try:
            with self.zip.open(real) as handle:
                data = handle.read(budget + 1)
        except (
            zipfile.BadZipFile,
            zlib.error,
            RuntimeError,
            OSError,
            EOFError,
            NotImplementedError,
        ) as exc:
            raise ValueError(f"{name} inside the EPUB is corrupt ({exc})") from None
        if again:
            if len(data) > budget:
                raise ValueError(f"{name} inside the EPUB is too large to read")
            return data
        self.counted.add(real)
        self.total += len(data)
        if len(data) > budget:
            if self.total > MAX_TOTAL_BYTES:
                raise _TooLarge("the EPUB expands to more than 200 MB; refusing to read it")
            raise ValueError(f"{name} inside the EPUB is too large to read")
        return data


class _TooLarge(ValueError):
    """The whole book decompresses to more than :data:`MAX_TOTAL_BYTES`."""


def _safe(name: str) -> bool:
    """True for a member name that stays inside the book."""
    if name.startswith(("/", "\\")) or "\\" in name or ":" in name.split("/", 1)[0]:
        return False
    return ".." not in name.split("/")


def _resolve(base: str, href: str) -> str | None:
    """A manifest ``href`` relative to the OPF folder as a member name (None if it escapes)."""
    href = unquote(href.split("#", 1)[0]).strip()
    if not href or "://" in href or href.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(base, href))
    if joined.startswith("../") or joined == ".." or joined.startswith("/"):
        return None
    return joined


def _xml(book: _Book, name: str) -> Element:
    """Parse one XML file of the book safely; ValueError with a one-line reason otherwise."""
    data = book.read(name)
    try:
        root: Element = fromstring(data)
    except DefusedXmlException:
        raise ValueError(
            f"{name} inside the EPUB declares XML entities or a DTD; refused as unsafe"
        ) from None
    except ParseError as exc:
        raise ValueError(f"{name} inside the EPUB is malformed XML ({exc})") from None
    return root


def _local(tag: object) -> str:
    """An element's tag without its namespace."""
    text = tag if isinstance(tag, str) else ""
    return text.rsplit("}", 1)[-1]


def _text(element: Element) -> str:
    """An element's whole text, whitespace collapsed (not yet sanitised)."""
    return " ".join("".join(element.itertext()).split())


@dataclass
class _Item:
    """One manifest entry."""

    path: str
    """Member name inside the zip."""
    media_type: str
    """Its media type."""
    properties: str = ""
    """EPUB 3 properties ("nav", "cover-image"...)."""


@dataclass
class _Package:
    """What the OPF says."""

    base: str
    """The OPF's folder inside the zip."""
    meta: dict[str, list[str]] = field(default_factory=dict)
    """Dublin Core values by local name ("title", "creator", "subject"...)."""
    items: dict[str, _Item] = field(default_factory=dict)
    """Manifest entries by id."""
    spine: list[str] = field(default_factory=list)
    """Member names in reading order (linear items only)."""
    toc_id: str | None = None
    """The NCX's manifest id (EPUB 2)."""


def _rootfile(book: _Book) -> str:
    """The OPF's member name from META-INF/container.xml (or the only .opf in the zip)."""
    if book.has("META-INF/container.xml"):
        container = _xml(book, "META-INF/container.xml")
        for element in container.iter():
            if _local(element.tag) == "rootfile":
                full = element.get("full-path") or ""
                path = _resolve("", full)
                if path and book.has(path):
                    return path
    opfs = [n for n in book.names.values() if n.casefold().endswith(".opf")]
    if book.has("META-INF/container.xml") and not opfs:
        raise ValueError("not a readable EPUB: container.xml names no package file that exists")
    if len(set(opfs)) == 1:
        return opfs[0]
    raise ValueError("not an EPUB: no META-INF/container.xml")


def _package(book: _Book, opf_path: str) -> _Package:
    """Read the OPF: metadata, manifest and spine."""
    root = _xml(book, opf_path)
    package = _Package(base=posixpath.dirname(opf_path))
    for element in root.iter():
        name = _local(element.tag)
        if element.tag.startswith("{http://purl.org/dc/elements/1.1/}"):
            value = _text(element)
            if value:
                package.meta.setdefault(name, []).append(value)
        elif name == "item":
            path = _resolve(package.base, element.get("href") or "")
            if path is not None and element.get("id"):
                package.items[element.get("id") or ""] = _Item(
                    path, element.get("media-type") or "", element.get("properties") or ""
                )
        elif name == "spine":
            package.toc_id = element.get("toc")
    for element in root.iter():
        if _local(element.tag) == "itemref" and element.get("linear", "yes") != "no":
            item = package.items.get(element.get("idref") or "")
            if item is not None and item.path not in package.spine:
                package.spine.append(item.path)
    return package


def _toc_titles(book: _Book, package: _Package) -> dict[str, str]:
    """Chapter titles by member name, from the NCX (EPUB 2) or the nav document (EPUB 3)."""
    titles: dict[str, str] = {}
    ncx = package.items.get(package.toc_id or "")
    if ncx is None:
        ncx = next(
            (i for i in package.items.values() if i.media_type == "application/x-dtbncx+xml"),
            None,
        )
    if ncx is not None:
        try:
            root = _xml(book, ncx.path)
        except (KeyError, ValueError):
            root = None
        if root is not None:
            base = posixpath.dirname(ncx.path)
            for point in root.iter():
                if _local(point.tag) != "navPoint":
                    continue
                label = next((e for e in point.iter() if _local(e.tag) == "text"), None)
                content = next((e for e in point.iter() if _local(e.tag) == "content"), None)
                if label is None or content is None:
                    continue
                target = _resolve(base, content.get("src") or "")
                if target and target not in titles:
                    titles[target] = _text(label)
    nav = _nav_item(package)
    if nav is not None and not titles:
        try:
            tree = LexborHTMLParser(book.read(nav.path))
        except (KeyError, ValueError):
            return titles
        base = posixpath.dirname(nav.path)
        for link in tree.css("nav a[href]"):
            target = _resolve(base, link.attributes.get("href") or "")
            if target and target not in titles:
                titles[target] = link.text(separator=" ")
    return titles


def _nav_item(package: _Package) -> _Item | None:
    """The EPUB 3 navigation document, if any."""
    return next((i for i in package.items.values() if "nav" in i.properties.split()), None)


@dataclass
class _Doc:
    """One spine document, parsed."""

    path: str
    """Member name."""
    tree: LexborHTMLParser
    """The parsed document."""
    body: LexborNode
    """Its body element."""


def _document_paths(package: _Package) -> list[str]:
    """The spine's XHTML members in reading order (the navigation document left out)."""
    nav = _nav_item(package)
    media = {i.path: i.media_type for i in package.items.values()}
    return [
        path
        for path in package.spine
        if not (nav is not None and path == nav.path)
        and media.get(path, "") in ("application/xhtml+xml", "text/html", "application/xml")
    ]


def spine_members(data: bytes) -> Iterator[tuple[str, bytes]]:
    """Every document a reader of the book pages through, in spine order, as (name, bytes).

    Linear spine items that are (X)HTML, the navigation document included; members that are
    missing are passed over. Used by ``inspect --audit`` to count the book's visible words
    independently of how the importer splits them. Raises ValueError for a file that is not
    a readable EPUB.
    """
    book = _Book(data)
    package = _package(book, _rootfile(book))
    media = {i.path: i.media_type for i in package.items.values()}
    for path in package.spine:
        if media.get(path, "") not in ("application/xhtml+xml", "text/html", "application/xml"):
            continue
        try:
            yield path, book.read(path)
        except KeyError:
            continue


def _read_doc(book: _Book, path: str) -> _Doc | None:
    """One spine document, parsed; None when it is missing or unreadable (too large re-raised)."""
    try:
        data = book.read(path)
    except _TooLarge:
        raise
    except (KeyError, ValueError):
        return None
    try:
        text = data.decode("utf-8-sig") if b"\x00" not in data[:4096] else decode_text(data)
    except UnicodeDecodeError:
        try:
            text = decode_text(data)
        except DecodeError:
            return None
    except DecodeError:
        return None
    del data
    tree = parse_html(text)
    return _Doc(path, tree, tree.body) if tree.body is not None else None


def _documents(book: _Book, paths: list[str]) -> Iterator[_Doc]:
    """The readable documents, parsed one at a time (each dropped before the next is read)."""
    for path in paths:
        doc = _read_doc(book, path)
        if doc is not None:
            yield doc


def _new_story(path: Path, meta: dict[str, list[str]]) -> Story:
    """A story with the package's title, author and summary, and no chapters yet."""
    title = (meta.get("title") or [""])[0]
    story = Story(title=_clean(title) or display_text(path.stem), source=Source(str(path), "epub"))
    creators = [_clean(c) for c in meta.get("creator", []) if _clean(c)]
    story.author = ", ".join(creators) or None
    if meta.get("description"):
        story.summary = _description(meta["description"][0]) or None
    return story


def load(path: Path, data: bytes) -> Story:
    """Parse an EPUB story file."""
    book = _Book(data)
    package = _package(book, _rootfile(book))
    if not package.spine:
        raise ValueError("the EPUB's spine lists no readable documents")
    paths = _document_paths(package)
    first = _first_docs(book, paths, 3)
    if not first:
        raise ValueError("none of the EPUB's chapter files could be read")
    meta = package.meta
    subjects = meta.get("subject", [])
    contributors = " ".join(meta.get("contributor", [])).casefold()
    publisher = " ".join(meta.get("publisher", [])).casefold()
    story = _new_story(path, meta)
    flavour = "epub"
    is_ao3 = "archive of our own" in publisher or any(_is_ao3_doc(d) for d in first)
    del first
    if is_ao3:
        flavour = "ao3-epub"
        _fill_ao3(story, _documents(book, paths), subjects)
    elif "fanficfare" in contributors:
        flavour = "fff-epub"
        _fill_fff(story, _documents(book, paths), path)
    else:
        titles = _toc_titles(book, package)
        if not _fill_generic(story, book, paths, path, titles, subjects, flavour, watch_fff=True):
            flavour = "fff-epub"  # a FanFicFare document turned up: start again as one
            story = _new_story(path, meta)
            _fill_fff(story, _documents(book, paths), path)
    if not story.chapters:  # markup without the expected classes: one chapter per file
        titles = _toc_titles(book, package)
        _fill_generic(story, book, paths, path, titles, subjects, flavour)
    story.source = Source(str(path), flavour)
    return story


def _first_docs(book: _Book, paths: list[str], count: int) -> list[_Doc]:
    """The first ``count`` readable documents."""
    docs: list[_Doc] = []
    for doc in _documents(book, paths):
        docs.append(doc)
        if len(docs) >= count:
            break
    return docs


def _clean(raw: str) -> str:
    """Sanitise a metadata value read from XML (its one pass through ``sanitise``)."""
    return clean_line(raw)


def _description(raw: str) -> str:
    """The summary from dc:description, which is often escaped HTML."""
    body = parse_html(raw).body
    return note_text(child_nodes(body)) if body is not None else ""


# --- AO3 ----------------------------------------------------------------------------------


def _is_ao3_doc(doc: _Doc) -> bool:
    """True for AO3's preface document."""
    return (
        doc.body.css_first("div#preface") is not None and _ao3_html.tag_list(doc.body) is not None
    )


def _fill_ao3(story: Story, docs: Iterator[_Doc], subjects: list[str]) -> None:
    """An AO3 EPUB: the download's HTML split over files, joined back and read as one."""
    joined = "".join(d.body.inner_html or "" for d in docs)
    root = parse_html(f"<html><body>{joined}</body></html>").body
    if root is None:
        return
    _ao3_html.fill_story(root, story)
    story.source = Source(story.source.path, "ao3-epub")
    if story.rating is None:
        story.rating = next((r for s in subjects if (r := rating(s))), None)
    if not story.warnings:
        found = {w for s in subjects if (w := archive_warning(s))}
        story.warnings = [w for w in ARCHIVE_WARNINGS if w in found]


# --- FanFicFare ---------------------------------------------------------------------------


def _is_fff_doc(doc: _Doc) -> bool:
    """True for a FanFicFare title page or chapter."""
    return doc.body.css_first(".fff_chapter_title") is not None or any(
        has_class(doc.body, c) for c in ("fff_titlepage", "fff_chapter")
    )


def _fill_fff(story: Story, docs: Iterator[_Doc], source: Path) -> None:
    """A FanFicFare EPUB: title page fields, then one chapter per ``fff_chapter`` document."""
    story.source = Source(story.source.path, "fff-epub")
    for doc in docs:
        if has_class(doc.body, "fff_titlepage"):
            unmapped = _fff_html.apply_title_page(_fff_html.title_page(doc.body), story)
            story.content_notes.extend(u for u in unmapped if u not in story.content_notes)
            continue
        heading = doc.body.css_first(".fff_chapter_title")
        if heading is None:
            continue
        title = inline_text(heading)
        heading.decompose()
        chapter = _fff_html.make_chapter(len(story.chapters) + 1, title, child_nodes(doc.body))
        if chapter.words or chapter.notes_before or chapter.notes_after:
            story.chapters.append(
                Chapter.lazy(
                    chapter.number,
                    chapter.title,
                    chapter.words,
                    _member_loader(source, doc.path, _fff_body),
                    chapter.notes_before,
                    chapter.notes_after,
                )
            )


def _fff_body(body: LexborNode) -> list[Block]:
    """A FanFicFare chapter's blocks: its heading and notes taken out as when it was indexed."""
    heading = body.css_first(".fff_chapter_title")
    if heading is not None:
        heading.decompose()
    rest, _, _ = _fff_html.split_notes(child_nodes(body))
    return blocks_from_nodes(rest)


# --- Generic ------------------------------------------------------------------------------


def _fill_generic(
    story: Story,
    book: _Book,
    paths: list[str],
    source: Path,
    titles: dict[str, str],
    subjects: list[str],
    flavour: str,
    *,
    watch_fff: bool = False,
) -> bool:
    """Any EPUB: one chapter per spine document that is not a title, cover or contents page.

    Also the fallback for AO3 and FanFicFare books whose markup lost its classes: their
    preface, afterword and title pages are recognised by content and read for metadata.
    With ``watch_fff``, stops and returns False at the first FanFicFare document (the book
    is then read as one); True otherwise.
    """
    for subject in subjects:
        value = _clean(subject)
        if value and value.casefold() != "fanworks" and not _is_label(value):
            story.tags.additional.append(value)
    if story.rating is None:
        story.rating = next((r for s in subjects if (r := rating(s))), None)
    ao3 = flavour == "ao3-epub"
    for doc in _documents(book, paths):
        if watch_fff and _is_fff_doc(doc):
            return False
        if _ao3_html.tag_list(doc.body) is not None or doc.body.css_first("#afterword"):
            continue  # AO3's preface or afterword (already read by _fill_ao3)
        fields = _fff_html.title_page(doc.body)
        if len(fields) >= 3 and ("author" in fields or "rating" in fields):
            if flavour == "fff-epub":
                _fff_html.apply_title_page(fields, story)
            continue
        toc_title = _clean(titles.get(doc.path, ""))
        if _not_a_chapter(doc, toc_title, story):
            continue
        heading = _first_heading(doc.body)
        heading_text = inline_text(heading) if heading is not None else ""
        label = toc_title or heading_text
        drop_heading = heading is not None and bool(heading_text) and _same(heading_text, label)
        if heading is not None and drop_heading:
            label = max(heading_text, label, key=len)  # "Chapter 1" in the TOC, titled inside
            heading.decompose()
        before, after = _ao3_notes(doc.body) if ao3 else ([], [])
        words = body_words(child_nodes(doc.body))
        if not words:
            continue
        read = parse_heading(label, known=True) if label else None
        number = read.number if read else None
        previous = story.chapters[-1].number if story.chapters else 0
        number = number if number and number > previous else previous + 1
        body = _GenericBody(drop_heading=drop_heading, ao3=ao3)
        loader = _member_loader(source, doc.path, body)
        title = read.title if read else (label or None)
        story.chapters.append(Chapter.lazy(number, title, words, loader, before, after))
    return True


@dataclass(frozen=True)
class _GenericBody:
    """Turns a generic chapter document into blocks, repeating what indexing took out."""

    drop_heading: bool
    """The first heading was the chapter's title and is not part of the body."""
    ao3: bool
    """AO3 markup: labelled notes and the archive's boilerplate are taken out."""

    def __call__(self, body: LexborNode) -> list[Block]:
        """The blocks of ``body`` (a freshly parsed document's body, changed in place)."""
        if self.drop_heading:
            heading = _first_heading(body)
            if heading is not None:
                heading.decompose()
        if self.ao3:
            _ao3_notes(body)
        blocks = blocks_from_nodes(child_nodes(body))
        return _ao3_html.strip_boilerplate(blocks) if self.ao3 else blocks


def _member_loader(
    source: Path, member: str, parse: Callable[[LexborNode], list[Block]]
) -> BlockLoader:
    """A loader that re-opens the EPUB at ``source``, parses ``member`` and makes its blocks.

    The same caps apply as at open time. Should the file have gone or changed so that the
    chapter cannot be read, the chapter shows one paragraph saying so (never a traceback) and
    carries the reason as its ``load_error``.
    """

    def load_blocks() -> list[Block]:
        try:
            book = _Book(source)
        except (OSError, ValueError) as exc:
            raise _unreadable(str(exc)) from None
        try:
            doc = _read_doc(book, member)
            if doc is None:
                raise _unreadable(f"{member} inside the EPUB can no longer be read")
            return parse(doc.body)
        except (OSError, ValueError) as exc:
            raise _unreadable(str(exc)) from None
        finally:
            book.zip.close()

    return load_blocks


def _unreadable(reason: str) -> ChapterUnreadable:
    """A chapter that could not be read again: the reason, and one paragraph giving it."""
    text = clean_line(f"This chapter could not be read again: {reason}")
    return ChapterUnreadable(reason, [Block("paragraph", text)])


def _ao3_notes(body: LexborNode) -> tuple[list[str], list[str]]:
    """Take AO3's labelled chapter notes ("Chapter Notes", "Chapter End Notes") out of a body."""
    before: list[str] = []
    after: list[str] = []
    for kind, quote in _ao3_html.labelled_quotes(body):
        text = note_text(child_nodes(quote))
        if text:
            (after if kind == "after" else before).append(text)
        marker = quote.prev
        while marker is not None and not marker.is_element_node:
            marker = marker.prev
        if marker is not None and marker.tag == "p":
            marker.decompose()
        quote.decompose()
    for link in body.css("div.endnote-link"):
        link.decompose()
    return before, after


def _is_label(value: str) -> bool:
    """True when a subject is a rating or an archive warning rather than a tag."""
    return rating(value) is not None or archive_warning(value) is not None


def _first_heading(body: LexborNode) -> LexborNode | None:
    """The first heading element in the document, if it comes before the text."""
    for node in body.css(",".join(sorted(HEADING_TAGS)) + ",p"):
        if node.tag in HEADING_TAGS:
            return node
        if node.text(separator=" ").strip():
            return None
    return None


def _same(a: str, b: str) -> bool:
    """True when two titles are the same, ignoring case, spaces and punctuation."""

    def key(s: str) -> str:
        return re.sub(r"\W+", "", s.casefold())

    first, second = key(a), key(b)
    if not first or not second:
        return False
    return (
        first == second
        or first.startswith(second)
        or second.startswith(first)
        or (first.endswith(second) or second.endswith(first))
    )


def _not_a_chapter(doc: _Doc, toc_title: str, story: Story) -> bool:
    """True for a cover, title page, contents page or other front matter."""
    classes = (doc.body.attributes.get("class") or "").casefold()
    if any(c in classes.split() for c in _NON_CHAPTER_CLASSES):
        return True
    if toc_title.casefold().strip(" :.") in _NON_CHAPTER_TITLES:
        return True
    if doc.body.css_first("nav") is not None and not doc.body.css("p"):
        return True
    text = doc.body.text(separator=" ")
    if not text.strip():
        return True  # no words at all
    # Every whitespace-separated run holds at least one word, so a text of more than 60 runs
    # has more than 60 words: only short texts and link-heavy pages need an exact count.
    short = len(text.split(None, 61)) <= 61
    links = doc.body.css("a")
    words = count_words(text) if short or len(links) >= 2 else 61
    if len(links) >= 2:
        link_words = sum(count_words(a.text(separator=" ")) for a in links)
        if link_words >= 0.6 * words:
            return True
    if short and words <= 60:
        lowered = " ".join(text.split()).casefold()
        marks = [story.title.casefold(), (story.author or "\0").casefold()]
        if any(m and m in lowered for m in marks) and not _has_paragraph_text(doc.body):
            return True
    return False


def _has_paragraph_text(body: LexborNode) -> bool:
    """True when the body has a paragraph of several words (story text, not a title block)."""
    return any(count_words(p.text(separator=" ")) >= 8 for p in body.css("p") if not _in_heading(p))


def _in_heading(node: LexborNode) -> bool:
    """True when ``node`` sits inside a heading."""
    parent = node.parent
    while parent is not None:
        if parent.tag in HEADING_TAGS:
            return True
        parent = parent.parent
    return False
