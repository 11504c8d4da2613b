"""EPUB stories: AO3 downloads ("ao3-epub"), FanFicFare output ("fff-epub"), any EPUB 2/3 ("epub").

The container and package files (container.xml, the OPF, the NCX, the nav document) are read
with defusedxml, so entity bombs and external entities are refused with a one-line reason. The
zip is read defensively: member names are resolved inside the book (no ``..`` escapes) and every
member is decompressed in chunks, counted in bytes and in tags (``<``) against caps per member
and per book; the spine is streamed once before anything is parsed, so a small file that expands
to huge work is refused within a fraction of a second and in little memory.

Spine documents are XHTML: self-closing non-void elements (``<a id="chap01"/>``) are rewritten
before the lenient HTML parser (lexbor) sees them (:mod:`._epub_xhtml`), so no chapter is
swallowed as link text. A generic book's chapters follow its contents (NCX or nav), a target
inside a file (``book.xhtml#chap02``) cutting that file; title pages (as the book marks them:
``epub:type="titlepage"``, the guide, the landmarks, pandoc's; or as they look), the text
before the contents' first target, contents pages and Project Gutenberg's header and licence
become front or back matter sections, never chapters and never dropped. An AO3 book is
Calibre's conversion of the AO3 HTML download: its split files are joined back and read by the
AO3 HTML reader. A FanFicFare book's title page is read like FanFicFare's TXT header (rating
and site warnings verbatim).

Opening a book keeps only what the index needs: each document is parsed, measured and dropped
in turn, and a chapter remembers its pieces (member and fragments), word count, title and notes.
Its blocks are parsed from the members again, re-opening the file by path, when first read.
A chapter file that is missing or unreadable is skipped and the rest of the book still opens;
the story names it (``Story.problems``: ``inspect`` prints it, the reading screen says it once).
"""

from __future__ import annotations

import importlib
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from selectolax.lexbor import LexborHTMLParser, LexborNode

from tui_reader.importers._epub_xhtml import (
    PG_END,
    cut_points,
    gutenberg_cuts,
    looks_like_xhtml,
    may_be_gutenberg,
    piece,
    xhtml_as_html,
)
from tui_reader.importers._html_blocks import (
    HEADING_TAGS,
    blocks_from_nodes,
    body_words,
    child_nodes,
    clean_line,
    element_children,
    has_class,
    inline_text,
    inner_words,
    next_element,
    note_text,
    parse_html,
)
from tui_reader.importers.encoding import DecodeError, decode_text
from tui_reader.importers.grammar import parse_heading
from tui_reader.memory import Pacer, tune
from tui_reader.model import (
    ARCHIVE_WARNINGS,
    Block,
    BlockLoader,
    Chapter,
    ChapterUnreadable,
    Section,
    Source,
    Story,
)
from tui_reader.paths import title_from_filename
from tui_reader.text import collapse_whitespace, count_words, lazy_pattern, sanitise
from tui_reader.values import FrozenValue, Value


class _LazyModule:
    """A module of the project imported when one of its attributes is first asked for: the
    AO3 and FanFicFare readers, the TXT header's labels and the warnings grammar are not loaded
    for a generic EPUB's first chapter, nor before its first frame."""

    def __init__(self, name: str) -> None:
        """Stand for the module ``name`` (not imported yet)."""
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        """The module's attribute (the module imported now, the first time)."""
        if attribute.startswith("_"):  # (no module attribute; and copy's probes must not recurse)
            raise AttributeError(attribute)
        return getattr(importlib.import_module(self._name), attribute)


if TYPE_CHECKING:
    from tui_reader.importers import _ao3_html, _fff_html, _txt_header
    from tui_reader.importers import warnings as _warnings
else:
    _ao3_html = _LazyModule("tui_reader.importers._ao3_html")
    _fff_html = _LazyModule("tui_reader.importers._fff_html")
    _txt_header = _LazyModule("tui_reader.importers._txt_header")
    _warnings = _LazyModule("tui_reader.importers.warnings")

MAX_MEMBER_BYTES = 32 * 1024 * 1024
"""A single file inside the EPUB larger than this (uncompressed) is not read."""

MAX_TOTAL_BYTES = 200 * 1024 * 1024
"""Reading stops with an error once this much has been decompressed from one EPUB."""

MAX_MEMBER_TAGS = 1_000_000
"""A document with more tags (``<``) than this, about half a million elements, is refused."""

MAX_TOTAL_TAGS = 3_000_000
"""Reading stops with an error once the book's documents hold this many tags in all."""

MAX_MEMBERS = 20_000
"""A zip listing more files than this is refused before any is read."""

_CHUNK = 1024 * 1024
"""Members are decompressed this many bytes at a time, each chunk checked against the caps."""

_NON_CHAPTER_CLASSES = ("titlepage", "tocpage", "coverpage", "logpage", "cover", "fff_titlepage")
_NON_CHAPTER_TITLES = frozenset(
    {
        "contents", "table of contents", "toc", "title page", "title", "cover", "front cover",
        "copyright", "colophon", "imprint", "about this ebook", "landmarks",
    }
)  # fmt: skip


class _Book:
    """Safe access to the files inside an EPUB zip: every read is streamed and capped."""

    def __init__(self, data: bytes | Path, *, keep: int = 0) -> None:
        """Open the zip (its bytes, or the file) or raise ValueError saying it is not one;
        ``keep``: bytes of decompressed members to keep for reading again (none by default)."""
        source = io.BytesIO(data) if isinstance(data, bytes) else data
        try:
            self.zip = _open_zip(source)
            """The archive."""
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, NotImplementedError):
            raise ValueError("not an EPUB: the file is not a readable zip archive") from None
        infos = self.zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _TooLarge(f"the EPUB lists {len(infos)} files (more than {MAX_MEMBERS}); refused")
        self.names: dict[str, str] = {}
        """Safe member names, and their lower-case forms, → the real member name."""
        for info in infos:
            name = info.filename
            if info.is_dir() or not _safe(name):
                continue
            self.names.setdefault(name, name)
            self.names.setdefault(name.casefold(), name)
        self.total = 0
        """Bytes decompressed so far (each member counted once, however often it is read)."""
        self.tags = 0
        """Tags (``<``) seen so far in the members counted in :attr:`total`."""
        self.counted: set[str] = set()
        """Members already counted in :attr:`total`."""
        self.problems: list[str] = []
        """Why members were passed over by :meth:`check` (missing, too large, corrupt)."""
        self.kept: dict[str, bytes] = {}
        """Members streamed whole before (every cap passed), by real name, while ``keep`` lasts."""
        self.keep = keep
        """Bytes still to keep in :attr:`kept`."""

    def has(self, name: str) -> bool:
        """True when the book holds a file called ``name``."""
        return name in self.names or name.casefold() in self.names

    def read(self, name: str) -> bytes:
        """A member's bytes; KeyError when missing, ValueError when too large or corrupt.

        :class:`_TooLarge` (a ValueError) when the member or the book is a decompression
        bomb: more tags than :data:`MAX_MEMBER_TAGS`, or past the book's totals.
        """
        chunks: list[bytes] = []
        self._stream(name, chunks.append)
        return b"".join(chunks)

    def check(self, names: list[str]) -> None:
        """Stream each member once, keeping nothing, so a bomb is refused before any parsing.

        Members that are missing or merely too large to read are left for :meth:`read` to
        report; a book past its totals raises :class:`_TooLarge`.
        """
        for name in names:
            try:
                self._stream(name, None)
            except _TooLarge:
                raise
            except KeyError:
                self.problems.append(f"{sanitise(name)} is missing from the EPUB")
            except ValueError as exc:
                self.problems.append(str(exc))

    def check_declared(self, names: list[str]) -> None:
        """Refuse a book whose members, at the sizes the zip declares, pass the book's cap,
        without decompressing any (first chapter first: only the documents read before the
        second chapter are decompressed, each under its own caps as it streams; the whole
        import then streams every member, :meth:`check`, before it parses).

        Python's zip reader never gives more of a member than its declared size (more fails
        its check), so the declared sizes bound everything this book can expand to.
        """
        total = 0
        for name in names:
            real = self.names.get(name) or self.names.get(name.casefold())
            if real is not None:
                total += self.zip.getinfo(real).file_size
        if total > MAX_TOTAL_BYTES:
            raise _TooLarge(
                "the EPUB is too large: it expands to more than "
                f"{MAX_TOTAL_BYTES // (1024 * 1024)} MB; refusing to read it"
            )

    def _stream(self, name: str, sink: Callable[[bytes], object] | None) -> None:
        """Decompress ``name`` chunk by chunk into ``sink``, enforcing every cap as it goes."""
        real = self.names.get(name) or self.names.get(name.casefold())
        if real is None:
            raise KeyError(name)
        kept = self.kept.get(real)
        if kept is not None:  # streamed whole before: its caps were met by these bytes
            if sink is not None and kept:
                sink(kept)
            return
        if self.keep:
            chunks: list[bytes] = []
            self._stream_capped(name, real, self._tee(chunks, sink))
            size = sum(len(c) for c in chunks)
            if size <= self.keep:
                self.kept[real] = b"".join(chunks)
                self.keep -= size
            return
        self._stream_capped(name, real, sink)

    @staticmethod
    def _tee(
        chunks: list[bytes], sink: Callable[[bytes], object] | None
    ) -> Callable[[bytes], None]:
        """A sink that keeps each chunk in ``chunks`` and passes it on to ``sink``."""

        def tee(chunk: bytes) -> None:
            """Keep the chunk and pass it on."""
            chunks.append(chunk)
            if sink is not None:
                sink(chunk)

        return tee

    def _stream_capped(self, name: str, real: str, sink: Callable[[bytes], object] | None) -> None:
        """Decompress the member ``real`` (asked for as ``name``) into ``sink`` under the caps."""
        shown = sanitise(name)
        info = self.zip.getinfo(real)
        if info.file_size > MAX_MEMBER_BYTES:
            raise ValueError(f"{shown} inside the EPUB is too large to read")
        again = real in self.counted
        size = tags = 0
        try:
            with self.zip.open(real) as handle:
                while chunk := handle.read(_CHUNK):
                    size += len(chunk)
                    tags += chunk.count(b"<")
                    if size > MAX_MEMBER_BYTES:
                        raise ValueError(f"{shown} inside the EPUB is too large to read")
                    if tags > MAX_MEMBER_TAGS:
                        raise _TooLarge(
                            f"{shown} inside the EPUB holds more than {MAX_MEMBER_TAGS:,} "
                            "tags; refusing to read the book"
                        )
                    if not again and self.total + size > MAX_TOTAL_BYTES:
                        raise _TooLarge(
                            "the EPUB is too large: it expands to more than "
                            f"{MAX_TOTAL_BYTES // (1024 * 1024)} MB; refusing to read it"
                        )
                    if not again and self.tags + tags > MAX_TOTAL_TAGS:
                        raise _TooLarge(
                            f"the EPUB's documents hold more than {MAX_TOTAL_TAGS:,} tags; "
                            "refusing to read it"
                        )
                    if sink is not None:
                        sink(chunk)
        except (
            zipfile.BadZipFile,
            zlib.error,
            RuntimeError,
            OSError,
            EOFError,
            NotImplementedError,
        ) as exc:
            raise ValueError(f"{shown} inside the EPUB is corrupt ({exc})") from None
        if not again:
            self.counted.add(real)
            self.total += size
            self.tags += tags


def _open_zip(source: io.BytesIO | Path) -> zipfile.ZipFile:
    """The zip archive ``source``, its names read as Python's zip reader reads them.

    A name without the zip's UTF-8 flag is code page 437, the same characters as ASCII for the
    ASCII bytes EPUB tools write: it is decoded as ASCII (a codec built in), so the ``cp437``
    codec module (1 M instructions) is loaded only for a zip whose names need it, read again
    with it when one is not ASCII.
    """
    try:
        return zipfile.ZipFile(source, metadata_encoding="ascii")
    except UnicodeDecodeError:  # (a name outside ASCII without the UTF-8 flag)
        return zipfile.ZipFile(source)


class _TooLarge(ValueError):
    """The whole book decompresses to more than :data:`MAX_TOTAL_BYTES`."""


def _safe(name: str) -> bool:
    """True for a member name that stays inside the book."""
    if ".." not in name and "\\" not in name and ":" not in name and name[:1] != "/":
        return True  # (what the checks below find for a name with none of those: no split)
    if name.startswith(("/", "\\")) or "\\" in name or ":" in name.split("/", 1)[0]:
        return False
    return ".." not in name.split("/")


def _resolve(base: str, href: str) -> str | None:
    """A manifest ``href`` relative to the OPF folder as a member name (None if it escapes)."""
    if "#" in href or "%" in href:  # (else unquoting the part before any "#" gives it as it is)
        href = unquote(href.split("#", 1)[0])
    href = href.strip()
    if not href or "://" in href or href.startswith("/"):
        return None
    if "/" not in href and href not in (".", "..") and _normal_folder(base):
        joined = f"{base}/{href}" if base else href  # (what normpath would make of it)
    else:
        joined = posixpath.normpath(posixpath.join(base, href))
    if joined.startswith("../") or joined == ".." or joined.startswith("/"):
        return None
    return joined


@cache
def _normal_folder(base: str) -> bool:
    """True when ``base`` (a folder in the book) is "" or already as ``posixpath.normpath``
    writes it, neither "." nor ending with "/": a plain file name then joins it with one "/"
    and nothing to normalise (a manifest or contents of a hundred chapters: a millisecond less)."""
    return not base or (posixpath.normpath(base) == base and base != "." and not base.endswith("/"))


def _xml(book: _Book, name: str) -> Element:
    """Parse one XML file of the book safely; ValueError with a one-line reason otherwise."""
    data = book.read(name)
    try:
        try:
            root: Element = fromstring(data)
        except ParseError:
            cleaned = _without_controls(data)
            if cleaned is None:
                raise
            root = fromstring(cleaned)  # (the same error again when controls were not it)
    except DefusedXmlException:
        raise ValueError(
            f"{name} inside the EPUB declares XML entities or a DTD; refused as unsafe"
        ) from None
    except ParseError as exc:
        raise ValueError(f"{name} inside the EPUB is malformed XML ({exc})") from None
    return root


CONTROL_BYTES = rb"[\x00-\x08\x0b\x0c\x0e-\x1f]"
"""C0 control characters XML 1.0 forbids (tab, line feed and carriage return are allowed)."""

CONTROL_REFS = rb"&#(?:0*(?:[0-8]|1[124-9]|2[0-9]|3[01])|[xX]0*(?:[0-8bcefBCEF]|1[0-9a-fA-F]));"
"""Character references to those control characters (``&#27;``, ``&#x1b;``)."""


def _without_controls(data: bytes) -> bytes | None:
    """``data`` without the control characters XML forbids, raw or as character references;
    None when it holds none, or is not in an encoding where they are single bytes (UTF-16).

    A producer that copied a terminal colour code or a stray control byte into a title made
    the whole package malformed XML; the sanitiser would drop those characters from the text
    anyway, so the book is read without them instead of refused."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        return None
    cleaned = re.sub(CONTROL_REFS, b"", re.sub(CONTROL_BYTES, b"", data))
    return None if cleaned == data else cleaned


def _local(tag: object) -> str:
    """An element's tag without its namespace."""
    text = tag if isinstance(tag, str) else ""
    return text.rsplit("}", 1)[-1]


def _text(element: Element) -> str:
    """An element's whole text, whitespace collapsed (not yet sanitised)."""
    return collapse_whitespace("".join(element.itertext()))


class _Item(Value, fields=("path", "media_type", "properties")):
    """One manifest entry."""

    __slots__ = ("media_type", "path", "properties")

    path: str
    """Member name inside the zip."""
    media_type: str
    """Its media type."""
    properties: str
    """EPUB 3 properties ("nav", "cover-image"...)."""

    def __init__(self, path: str, media_type: str, properties: str = "") -> None:
        """A manifest entry."""
        self.path = path
        self.media_type = media_type
        self.properties = properties


class _Package(Value, fields=("base", "meta", "items", "spine", "toc_id", "title_pages")):
    """What the OPF says."""

    __slots__ = ("base", "items", "meta", "spine", "title_pages", "toc_id")

    base: str
    """The OPF's folder inside the zip."""
    meta: dict[str, list[str]]
    """Dublin Core values by local name ("title", "creator", "subject"...)."""
    items: dict[str, _Item]
    """Manifest entries by id."""
    spine: list[str]
    """Member names in reading order (linear items only)."""
    toc_id: str | None
    """The NCX's manifest id (EPUB 2)."""
    title_pages: set[str]
    """Members the guide calls the book's title page (``<reference type="title-page">``)."""

    def __init__(
        self,
        base: str,
        meta: dict[str, list[str]] | None = None,
        items: dict[str, _Item] | None = None,
        spine: list[str] | None = None,
        toc_id: str | None = None,
        title_pages: set[str] | None = None,
    ) -> None:
        """A package read so far (empty collections unless given)."""
        self.base = base
        self.meta = {} if meta is None else meta
        self.items = {} if items is None else items
        self.spine = [] if spine is None else spine
        self.toc_id = toc_id
        self.title_pages = set() if title_pages is None else title_pages


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


_TITLE_PAGE_TYPES = frozenset({"title-page", "titlepage", "halftitlepage"})
"""The guide's (EPUB 2) and structural semantics' (EPUB 3 ``epub:type``, landmarks) names for a
title page, lower case."""


def _is_title_page_type(value: str | None) -> bool:
    """True when a guide ``type`` or an ``epub:type`` (tokens) names a title page."""
    return bool(value) and any(t.casefold() in _TITLE_PAGE_TYPES for t in (value or "").split())


def _package(book: _Book, opf_path: str) -> _Package:
    """Read the OPF: metadata, manifest and spine."""
    root = _xml(book, opf_path)
    package = _Package(base=posixpath.dirname(opf_path))
    refs: list[Element] = []  # (the itemrefs, read once every item is known)
    for element in root.iter():
        name = _local(element.tag)
        if name == "itemref":
            refs.append(element)
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
        elif name == "reference" and _is_title_page_type(element.get("type")):
            target = _resolve(package.base, element.get("href") or "")
            if target is not None:
                package.title_pages.add(target)
    listed: set[str] = set()
    for element in refs:
        if element.get("linear", "yes") != "no":
            item = package.items.get(element.get("idref") or "")
            if item is not None and item.path not in listed:
                listed.add(item.path)
                package.spine.append(item.path)
    return package


class _TocEntry(FrozenValue, fields=("path", "fragment", "label")):
    """One entry of the table of contents."""

    __slots__ = ("fragment", "label", "path")

    path: str
    """The member it points into."""
    fragment: str | None
    """The element id it points at inside that member (None: the top of the file)."""
    label: str
    """Its label, raw (sanitised when used)."""

    def __init__(self, path: str, fragment: str | None, label: str) -> None:
        """An entry (frozen: its fields are set once, here)."""
        set_field = object.__setattr__
        set_field(self, "path", path)
        set_field(self, "fragment", fragment)
        set_field(self, "label", label)


def _toc(book: _Book, package: _Package) -> list[_TocEntry]:
    """The table of contents in reading order, from the NCX (EPUB 2) or the nav (EPUB 3)."""
    entries: list[_TocEntry] = []
    ncx = package.items.get(package.toc_id or "")
    if ncx is None:
        ncx = next(
            (i for i in package.items.values() if i.media_type == "application/x-dtbncx+xml"),
            None,
        )
    if ncx is not None:
        try:
            root: Element | None = _xml(book, ncx.path)
        except _TooLarge:
            raise
        except (KeyError, ValueError):
            root = None
        if root is not None:
            base = posixpath.dirname(ncx.path)
            for point in root.iter():
                if _local(point.tag) != "navPoint":
                    continue
                label = next((e for e in point.iter() if _local(e.tag) == "text"), None)
                content = next((e for e in point.iter() if _local(e.tag) == "content"), None)
                if label is not None and content is not None:
                    entries.extend(_entry(base, content.get("src") or "", _text(label)))
    nav = _nav_item(package)
    if nav is not None and not entries:
        try:
            tree = LexborHTMLParser(_as_html(book.read(nav.path)))
        except _TooLarge:
            raise
        except (KeyError, ValueError):
            return entries
        base = posixpath.dirname(nav.path)
        navs = tree.css("nav")
        toc = next((n for n in navs if "toc" in (n.attributes.get("epub:type") or "")), None)
        for link in (toc or tree.root or tree).css("a[href]"):
            href = link.attributes.get("href") or ""
            entries.extend(_entry(base, href, link.text(separator=" ")))
    return entries


def _title_pages(book: _Book, package: _Package) -> set[str]:
    """Members the book itself calls its title page: the guide's ``title-page`` references
    (EPUB 2) and the nav document's landmarks marked ``epub:type="titlepage"`` (EPUB 3).

    The nav is parsed for this only when its bytes mention "titlepage" at all.
    """
    found = set(package.title_pages)
    nav = _nav_item(package)
    if nav is None:
        return found
    try:
        data = book.read(nav.path)
    except _TooLarge:
        raise
    except (KeyError, ValueError):
        return found
    if b"titlepage" not in data.lower():
        return found
    try:
        tree = LexborHTMLParser(_as_html(data))
    except ValueError:  # (undecodable)
        return found
    base = posixpath.dirname(nav.path)
    for link in tree.css("a[href]"):
        if _is_title_page_type(link.attributes.get("epub:type")):
            target = _resolve(base, link.attributes.get("href") or "")
            if target is not None:
                found.add(target)
    return found


def _entry(base: str, href: str, label: str) -> list[_TocEntry]:
    """The entry for one ``href`` (none when it leaves the book)."""
    target = _resolve(base, href)
    if target is None:
        return []
    fragment = unquote(href.split("#", 1)[1]).strip() if "#" in href else ""
    return [_TocEntry(target, fragment or None, label)]


def _as_html(data: bytes) -> str:
    """A member's bytes as text an HTML parser reads as the XML it is."""
    try:
        text = _utf8(data) if b"\x00" not in data[:4096] else decode_text(data)
    except UnicodeDecodeError:
        text = decode_text(data)
    return xhtml_as_html(text) if looks_like_xhtml(text) else text


def _utf8(data: bytes) -> str:
    """``data.decode("utf-8-sig")``: UTF-8 without a leading byte order mark, written out so the
    ``utf_8_sig`` codec module is not imported for it (0.8 M instructions)."""
    return data[3:].decode("utf-8") if data.startswith(b"\xef\xbb\xbf") else data.decode("utf-8")


def _nav_item(package: _Package) -> _Item | None:
    """The EPUB 3 navigation document, if any."""
    return next((i for i in package.items.values() if "nav" in i.properties.split()), None)


class _Doc(Value, fields=("path", "tree", "body")):
    """One spine document, parsed."""

    __slots__ = ("body", "path", "tree")

    path: str
    """Member name."""
    tree: LexborHTMLParser
    """The parsed document."""
    body: LexborNode
    """Its body element."""

    def __init__(self, path: str, tree: LexborHTMLParser, body: LexborNode) -> None:
        """A parsed document."""
        self.path = path
        self.tree = tree
        self.body = body


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


def _read_text(book: _Book, path: str) -> str | None:
    """A spine document's text, made safe for the HTML parser; None when missing or unreadable.

    A decompression bomb (:class:`_TooLarge`) is raised: the whole book is refused.
    """
    try:
        return _as_html(book.read(path))
    except _TooLarge:
        raise
    except (KeyError, ValueError, DecodeError):
        return None


def _read_doc(book: _Book, path: str, texts: dict[str, str] | None = None) -> _Doc | None:
    """One spine document, parsed; None when it is missing or unreadable (too large re-raised).
    ``texts``: where to keep its text by path, for reading it again without decompressing."""
    text = _read_text(book, path)
    if text is None:
        return None
    if texts is not None:
        texts[path] = text
    tree = parse_html(text)
    return _Doc(path, tree, tree.body) if tree.body is not None else None


def _documents(
    book: _Book, paths: list[str], texts: dict[str, str] | None = None
) -> Iterator[_Doc]:
    """The readable documents, parsed one at a time (freed pages given back as the pass goes,
    :class:`~tui_reader.memory.Pacer`).

    A parsed document holds about 35 times its text (a 30 KB chapter's tree is 1 MiB): this
    generator lets go of each before it parses the next, and a caller that is done with one
    drops its own references (its loop variable too, ``del doc``) before asking for the next,
    so that only one tree is alive at a time. ``texts``: see :func:`_read_doc`.
    """
    pacer = Pacer()
    for path in paths:
        doc = _read_doc(book, path, texts)
        if doc is not None:
            size = len(doc.tree.raw_html)
            yield doc
            del doc  # (else it lives on while the next document is parsed)
            pacer.add(size)


def _unescape(text: str) -> str:
    """:func:`html.unescape`, imported when first needed: the ``html`` module brings its table
    of 2,231 entities (half a MiB), which a generic EPUB never needs (lexbor decodes them)."""
    import html

    return html.unescape(text)


def _escape(text: str) -> str:
    """:func:`html.escape`, imported when first needed (see :func:`_unescape`)."""
    import html

    return html.escape(text)


def _new_story(path: Path, meta: dict[str, list[str]], *, fff: bool = False) -> Story:
    """A story with the package's title, author, summary and URL, and no chapters yet.

    FanFicFare escapes an author's ``&`` twice in its OPF (``Pim &amp;amp; Posy``): for its
    books the creators are unescaped once more.
    """
    title = (meta.get("title") or [""])[0]
    story = Story(
        title=_clean(title) or title_from_filename(path.name), source=Source(str(path), "epub")
    )
    raw = [_unescape(c) if fff else c for c in meta.get("creator", [])]
    creators = [_clean(c) for c in raw if _clean(c)]
    story.author = ", ".join(creators) or None
    if meta.get("description"):
        story.summary = _description(meta["description"][0]) or None
    story.language = next((lang for v in meta.get("language", []) if (lang := _language(v))), None)
    urls = [v.strip() for v in (*meta.get("source", []), *meta.get("identifier", []))]
    story.source_url = next((_clean(u) for u in urls if u[:1] in "hH" and _URL.match(u)), None)
    return story


_NO_LANGUAGE = lazy_pattern(r"^(?:c|posix)(?:[._@].*)?$|^und$|^zxx$", re.IGNORECASE)
"""A dc:language that names no language: the POSIX locales pandoc writes when no ``lang`` is
set and the system locale is ``C``/``POSIX`` (``C``, ``C.UTF-8`` → ``C``), "und" (undetermined)
and "zxx" (no linguistic content)."""


def _language(raw: str) -> str | None:
    """A dc:language value as the story's language; None when it names none."""
    value = _clean(raw).strip()
    if not value or (value[0] in _NO_LANGUAGE_FIRST and _NO_LANGUAGE.match(value)):
        return None  # (the pattern is compiled only for a value it may match: "C", "und"...)
    return value


_NO_LANGUAGE_FIRST = frozenset("cCpPuUzZ")
"""The letters a value :data:`_NO_LANGUAGE` matches begins with (no other character matches
them case-insensitively)."""


_URL = lazy_pattern(r"^https?://\S+$", re.IGNORECASE)
"""A web address (dc:source, or a dc:identifier that is one)."""


def load(path: Path, data: bytes) -> Story:
    """Parse an EPUB story file from its bytes."""
    return _load(path, _Book(data))


LISTING_KEEP_BYTES = 16 * 1024 * 1024
"""Decompressed bytes of one book :func:`load_listed` keeps, so a member is decompressed once
for the bomb check and the reading (a larger book's further members are decompressed again)."""


def load_listed(path: Path, data: bytes) -> Story:
    """:func:`load` for the library's listing (:mod:`tui_reader.library_fast`): the same story,
    each member decompressed once (up to :data:`LISTING_KEEP_BYTES`) instead of once for the
    caps and again for reading; memory the reader's :func:`load_file` keeps low matters less
    for a listing, which drops the story at once."""
    return _load(path, _Book(data, keep=LISTING_KEEP_BYTES))


def load_file(path: Path) -> Story:
    """Parse an EPUB story file, reading its members from the file as they are needed.

    :func:`~tui_reader.importers.load_story` calls this: the book's bytes are never all held
    (each member is decompressed from the file when read), and the file is closed after.
    """
    if path.stat().st_size == 0:
        raise ValueError("the file is empty")
    tune()  # (the reader's own process: its threads share one heap, see tui_reader.memory)
    book = _Book(path)
    try:
        return _load(path, book)
    finally:
        book.zip.close()


def _load(path: Path, book: _Book) -> Story:
    """Parse the EPUB open as ``book`` (``path`` names it and is re-opened for each chapter)."""
    package = _package(book, _rootfile(book))
    if not package.spine:
        raise ValueError("the EPUB's spine lists no readable documents")
    book.check(package.spine)  # a decompression bomb is refused before anything is parsed
    paths = _document_paths(package)
    readable, ao3_doc = _first_look(book, paths, 3)
    if not readable:
        why = f" ({book.problems[0]})" if book.problems else ""
        raise ValueError(f"none of the EPUB's chapter files could be read{why}")
    meta = package.meta
    subjects = meta.get("subject", [])
    contributors = " ".join(meta.get("contributor", [])).casefold()
    publisher = " ".join(meta.get("publisher", [])).casefold()
    fff = "fanficfare" in contributors
    story = _new_story(path, meta, fff=fff)
    flavour = "epub"
    is_ao3 = "archive of our own" in publisher or ao3_doc
    generic = _Generic(book, package, path, subjects)
    if is_ao3:
        flavour = "ao3-epub"
        _fill_ao3(story, _documents(book, paths), subjects)
    elif fff:
        flavour = "fff-epub"
        _fill_fff(story, _documents(book, paths), path)
    elif not generic.fill(story, flavour, watch_fff=True):
        flavour = "fff-epub"  # a FanFicFare document turned up: start again as one
        story = _new_story(path, meta, fff=True)
        _fill_fff(story, _documents(book, paths), path)
    if not story.chapters:  # markup without the expected classes: follow the contents
        story.front_matter.clear()
        story.back_matter.clear()
        generic.fill(story, flavour)
    story.source = Source(str(path), flavour)
    story.problems = list(dict.fromkeys(book.problems))
    return story


def load_first(path: Path, data: bytes) -> Story | None:
    """The story with only its first chapter (first chapter first): its metadata, the front
    matter and the first chapter, read from the package, the contents and the documents up to
    where the second chapter starts. The first chapter is exactly :func:`load`'s.

    An AO3 book is read up to the document where its second chapter's heading is
    (:func:`_first_ao3`), a FanFicFare book up to its first chapter's document
    (:func:`_first_fff`; a complete one also counts its chapters from the beginnings of the
    later chapter documents, :func:`_fff_count`). None when the book is not read that way: one
    whose first reading finds no chapter before its end, or whose first chapter or story fields
    the rest of the book could still change. Raises like :func:`load`.

    A generic book's first read neither tunes the allocator nor trims (``ctypes``, 6 to 7 M
    instructions before the first frame): the whole import, in its worker, does both, and its
    caller trims what this read freed before it (``_TRIM_OWED`` in
    :mod:`tui_reader.importers`).
    """
    book = _Book(data)
    package = _package(book, _rootfile(book))
    if not package.spine:
        return None
    book.check_declared(package.spine)  # (only the documents read are decompressed)
    paths = _document_paths(package)
    meta = package.meta
    contributors = " ".join(meta.get("contributor", [])).casefold()
    publisher = " ".join(meta.get("publisher", [])).casefold()
    texts: dict[str, str] = {}  # (the documents looked at, read again by fill_first)
    readable, ao3_doc = _first_look(book, paths, 3, texts)
    if not readable:
        return None
    fff = "fanficfare" in contributors
    if "archive of our own" in publisher or ao3_doc:
        return _first_ao3(path, book, package, paths, texts, fff=fff)
    if fff:
        return _first_fff(path, book, package, paths, texts)
    story = _new_story(path, meta, fff=False)
    generic = _Generic(book, package, path, meta.get("subject", []))
    generic.texts = texts
    if not generic.fill_first(story):
        return None
    story.source = Source(str(path), "epub")
    return story


def _first_look(
    book: _Book, paths: list[str], count: int, texts: dict[str, str] | None = None
) -> tuple[bool, bool]:
    """Whether any document can be read, and whether one of the first ``count`` readable ones
    is AO3's preface. A document that opens a ``dl`` or a ``frameset``
    (:data:`_DL_OR_FRAMESET`) is parsed, looked at and dropped before the next is read (a
    parsed chapter holds many times its text); any other has a body (lexbor gives one to every
    document but a frameset) and is no preface (which holds its tags in a ``dl``), unparsed.
    ``texts``: where to keep the texts read, by path."""
    seen = 0
    pacer = Pacer(deferred=texts is not None)
    for path in paths:
        text = _read_text(book, path)
        if text is None:
            continue
        if texts is not None:
            texts[path] = text
        if _may_open_dl_or_frameset(text) and _DL_OR_FRAMESET.search(text) is not None:
            tree = parse_html(text)
            body = tree.body
            readable = body is not None
            is_ao3 = body is not None and _is_ao3_doc(_Doc(path, tree, body))
            del tree, body  # (one tree at a time: see _documents)
            pacer.add(len(text))
            if is_ao3:
                return True, True
            if not readable:
                continue
        seen += 1
        if seen >= count:
            break
    return seen > 0, False


def _read_documents(book: _Book, paths: list[str], texts: dict[str, str]) -> Iterator[_Doc]:
    """:func:`_documents`, each text :func:`_first_look` kept in ``texts`` taken from there
    (and dropped from it) instead of being decompressed again."""
    pacer = Pacer()
    for path in paths:
        text = texts.pop(path, None)
        if text is None:
            text = _read_text(book, path)
        if text is None:
            continue
        tree = parse_html(text)
        if tree.body is None:
            continue
        doc = _Doc(path, tree, tree.body)
        yield doc
        del doc, tree  # (one tree at a time: see _documents)
        pacer.add(len(text))


_AO3_FIRST_TRIES = 4
"""How many times :func:`_first_ao3` joins what it has read and looks for chapter 1 whole
before it gives up (each try joins and parses everything read so far again)."""


def _first_ao3(
    path: Path,
    book: _Book,
    package: _Package,
    paths: list[str],
    texts: dict[str, str],
    *,
    fff: bool,
) -> Story | None:
    """An AO3 book's story with its first chapter only: the documents are read, in order, up to
    the one where chapter 2's heading is, joined as :func:`_unsplit_ao3` joins the whole book,
    and read by :func:`_ao3_html.fill_first`, which takes the preface and chapter 1 only when
    nothing after chapter 2's heading can change them.

    The preface says how many chapters are posted: a one-chapter work gives None at once (its
    first chapter is the whole book). None too when chapter 1 is not known whole after
    :data:`_AO3_FIRST_TRIES` tries, or the book ends first.
    """
    story = _new_story(path, package.meta, fff=fff)
    subjects = package.meta.get("subject", [])
    docs: list[_Doc] = []  # (the join reads them all again at each try)
    headings = tries = 0
    for doc in _read_documents(book, paths, texts):
        if _ao3_posted(doc.body) == 1:
            return None
        docs.append(doc)
        headings += _ao3_chapter_headings(doc.body)
        del doc
        if headings < 2:
            continue
        root = _unsplit_ao3(iter(docs))
        language = story.language
        if root is not None and _ao3_html.fill_first(root, story):
            _ao3_fallbacks(story, language, subjects)
            return story
        tries += 1
        if tries >= _AO3_FIRST_TRIES:
            return None
    return None


def _ao3_posted(body: LexborNode) -> int | None:
    """The number of chapters posted, from the stats of AO3's preface in ``body`` ("Chapters:
    3/4" → 3; stats without chapters, as the older downloads write a one-chapter work's, → 1);
    None when ``body`` has no stats."""
    tags = _ao3_html.tag_list(body)
    if tags is None:
        return None
    for label in tags.css("dt"):
        if inline_text(label).strip().rstrip(":").strip().casefold() != "stats":
            continue
        value = next_element(label)
        if value is not None:
            found = _POSTED.search(inline_text(value))
            return int(found.group(1)) if found else 1
    return None


_POSTED = lazy_pattern(r"Chapters:\s*(\d+)\s*/", re.IGNORECASE)
"""The chapters posted in AO3's stats line ("Chapters: 3/4", "Chapters: 1/?")."""


def _ao3_chapter_headings(body: LexborNode) -> int:
    """How many chapters may start in one document of an AO3 book: its ``h2`` elements that
    are not a part's heading (``toc-heading``), in a ``div`` (AO3's heading block, whose class
    Calibre renames) that is not chapter text (``userstuff``), in a ``div`` of the body (the
    ``#chapters`` wrapper, or Calibre's copy of it). Only when to look: the join decides."""
    count = 0
    for heading in body.css("h2"):
        parent = heading.parent
        wrapper = parent.parent if parent is not None else None
        if parent is None or wrapper is None or wrapper.parent is None:
            continue
        if parent.tag != "div" or wrapper.tag != "div" or wrapper.parent.tag != "body":
            continue
        if "toc-heading" in (heading.attributes.get("class") or ""):
            continue
        if "userstuff" not in (parent.attributes.get("class") or ""):
            count += 1
    return count


_FFF_LATER = lazy_pattern(r"(?:^|/)(?:file\d+|log_page)\.x?html$")
"""What FanFicFare calls the documents it writes after a chapter: more chapters
(``OEBPS/file0002.xhtml``) and the update log when it is put at the end."""


def _first_fff(
    path: Path, book: _Book, package: _Package, paths: list[str], texts: dict[str, str]
) -> Story | None:
    """A FanFicFare book's story with its first chapter only: the documents are read as
    :func:`_fill_fff` reads them, up to the one that is the first chapter (FanFicFare writes one
    document per chapter, after its title page, contents and update log).

    The story's fields come from the title page, which FanFicFare writes once, before the
    chapters: None when a later document is not named as FanFicFare names chapters and its
    update log (the book was edited, and a later title page would change them). A complete
    story whose title page gives no planned total has, once read whole, as many as it holds
    (:func:`_fill_fff` counts them): the first story counts them too when it can be sure of the
    count (:func:`_fff_count`), so the reading screen's "Chapter 1 of N" is the same before and
    after the whole story arrives; else it leaves ``chapters_total`` unknown (None).
    """
    story = _new_story(path, package.meta, fff=True)
    story.source = Source(story.source.path, "fff-epub")
    later: list[str] = []
    completed = False
    for doc in _read_documents(book, paths, texts):
        title_page = _fff_document(story, doc, path)
        if title_page is not None:
            completed = title_page  # (the last title page's word, as _fill_fff takes it)
        if story.chapters:
            later = paths[paths.index(doc.path) + 1 :]
            break
        del doc  # (one tree at a time: see _documents)
    else:
        return None
    if not all(_FFF_LATER.search(later_path) for later_path in later):
        return None
    if story.chapters_total is None and completed:
        story.chapters_total = _fff_count(book, later)
    return story


FFF_PEEK_BYTES = 4096
"""How much of each later chapter document :func:`_fff_count` decompresses at most (FanFicFare's
chapter head, its heading and, in most books, a paragraph or more of text)."""

FFF_FIRST_PEEK_BYTES = 2048
"""How much it decompresses first: enough for the head, the heading and a first paragraph of
most chapters (more only when that is not enough to be sure)."""

FFF_COUNT_MAX = 100
"""A complete FanFicFare book of more documents than this after its first chapter gets no early
chapter total: the look at each costs 0.3 to 0.35 M instructions (callgrind: a first open of
30 chapters 9.9 → 18.8 M, with longer first paragraphs 12.2 → 22.4 M; 300 chapters would add
some 90 M, about 30 ms before the first frame; each look opens its member with Python's zip
reader, ~0.02 ms more a chapter than reading the local header by hand)."""


def _fff_count(book: _Book, later: list[str]) -> int | None:
    """How many chapters :func:`_fill_fff` will find in a complete FanFicFare book whose first
    chapter has just been read, when that is certain: chapter 1 and each document in ``later``
    (those after it) whose beginning holds a chapter the whole import keeps, or which is known
    whole and holds none (:func:`_fff_later_kind`). None when any is in doubt, or there are
    more than :data:`FFF_COUNT_MAX` to look at.

    Only the beginning of each document is decompressed (:data:`FFF_FIRST_PEEK_BYTES`, then
    up to :data:`FFF_PEEK_BYTES`), and none is kept: the whole import reads them all again.
    """
    if len(later) > FFF_COUNT_MAX:
        return None
    count = 1
    for name in later:
        kind = _fff_later_kind(book, name)
        if kind is None:
            return None
        count += kind == "chapter"
    return count


def _fff_later_kind(book: _Book, name: str) -> str | None:
    """What the whole import will make of the FanFicFare document ``name``: "chapter" (a chapter
    it keeps), "other" (no chapter, nor a title page) or None (not certain: a title page, a
    document too large, unreadable or odd, or a beginning that shows no chapter text)."""
    for size in (FFF_FIRST_PEEK_BYTES, FFF_PEEK_BYTES):
        head, whole = _peek(book, name, size)
        if head is None:
            return None
        kind = _fff_look(head, whole=whole)
        if kind is not None or whole:
            return kind
    return None


def _fff_look(head: bytes, *, whole: bool) -> str | None:
    """:func:`_fff_later_kind` of the beginning ``head`` of a document (all of it: ``whole``)."""
    for end in _paragraph_cuts(head):  # (a short look first, whole or not: most say enough)
        try:
            kind = _fff_kind(_fff_beginning(head[:end]), whole=False)
        except UnicodeDecodeError:
            break
        if kind is not None:
            return kind
    if not whole:
        return None
    try:
        text = _as_html(head)
    except (ValueError, DecodeError):
        return "other"  # (the whole import cannot read it either: skipped)
    return _fff_kind(text, whole=True)


def _paragraph_cuts(head: bytes) -> list[int]:
    """Where to cut the beginning of a document for a look at it, each cut ending a whole line
    of text: after its first paragraph end (``</p>``, as FanFicFare writes it) after the
    chapter heading, then after its last (at most two looks; none when no paragraph ends)."""
    start = max(head.find(b"fff_chapter_title"), 0)
    first, last = head.find(b"</p>", start), head.rfind(b"</p>", start)
    if first < 0:
        return []
    return [first + 4] if first == last else [first + 4, last + 4]


_ATTRS = r"(?:[^<>\"'/]++|\"[^\"<>]*+\"|/(?!>))*+"
"""A tag's attributes with every value double-quoted, and no ``<`` or ``>`` in them (up to a
closing ``/>``; possessive: no backtracking)."""

_FFF_CHAPTER_HEAD = lazy_pattern(
    rf"\A<\?xml[^<>]*\?>\s*<html{_ATTRS}>\s*<head>\s*<title>[^<>]*</title>"
    rf"(?:\s*<(?:link|meta)\s{_ATTRS}/>)*\s*</head>\s*(?=<body class=\"fff_chapter\">)",
    re.ASCII,
)
"""The head of a chapter document as FanFicFare's template writes it: a title, then only
``<link …/>`` and ``<meta …/>`` elements (void: :func:`xhtml_as_html` leaves them be, and no
element it rewrites can start in this head)."""


def _fff_beginning(data: bytes) -> str:
    """:func:`_as_html` of the beginning of a document written in UTF-8 (UnicodeDecodeError for
    any other: its beginning alone could be decoded otherwise than the whole document).

    Behind FanFicFare's own chapter head (:data:`_FFF_CHAPTER_HEAD`, which the XHTML rewriting
    would not change and which puts nothing in the body) only the body is kept and rewritten:
    parsed, it gives the same body as the whole text, at a fraction of the cost.
    """
    text = _utf8(data)
    if not looks_like_xhtml(text):
        return text
    head = _FFF_CHAPTER_HEAD.match(text)
    if head is None:
        return xhtml_as_html(text)
    return xhtml_as_html(text[head.end() :])


def _fff_kind(text: str, *, whole: bool) -> str | None:
    """:func:`_fff_later_kind` of a document's text: all of it (``whole``), or a beginning of it
    cut at the end of a paragraph (what it holds, the whole document holds too).

    A beginning is a chapter the whole import keeps when its body is classed ``fff_chapter``
    (a class a later ``<body>`` tag cannot change), it holds the chapter heading, and the text
    after the heading has words outside the notes: :func:`_fff_document` counts them, so the
    chapter is kept. Anything else in a beginning is in doubt (None).
    """
    body = parse_html(text).body
    if body is None:
        return "other" if whole else None  # (a frameset: the whole import skips it)
    if has_class(body, "fff_titlepage") or not (whole or has_class(body, "fff_chapter")):
        return None
    heading = next(element_children(body), None)  # (FanFicFare's: first in the body)
    if heading is None or not has_class(heading, "fff_chapter_title"):
        heading = body.css_first(".fff_chapter_title")
    if heading is None:
        return "other" if whole else None
    heading.decompose()
    nodes = child_nodes(body)
    before: list[str] = []
    after: list[str] = []
    if "notes" in text or "&#" in text:  # (else no element is classed fff_chapter_notes)
        nodes, before, after = _fff_html.split_notes(nodes)
    if body_words(nodes):
        return "chapter"
    if whole:
        return "chapter" if before or after else "other"
    return None


def _peek(book: _Book, name: str, size: int) -> tuple[bytes | None, bool]:
    """Up to ``size`` decompressed bytes from the start of the member ``name``, and whether
    they are all of it (Python's zip reader checks the checksum once it reaches the end);
    (None, False) when it is missing, larger than the whole import reads, or unreadable. Only
    its first compressed bytes are read and inflated."""
    real = book.names.get(name) or book.names.get(name.casefold())
    if real is None:
        return None, False
    info = book.zip.getinfo(real)
    if info.file_size > MAX_MEMBER_BYTES:
        return None, False
    try:
        with book.zip.open(info) as member:
            data = member.read(size)
    except (
        zipfile.BadZipFile,  # (a bad local header, a name that differs, a wrong checksum)
        zlib.error,
        RuntimeError,
        OSError,
        EOFError,
        NotImplementedError,
        ValueError,
    ):
        return None, False
    return data, len(data) < size and len(data) == info.file_size


_DL_OR_FRAMESET = lazy_pattern("<(?:dl|frameset)", re.IGNORECASE | re.ASCII)
"""How a ``dl`` or ``frameset`` element opens (tag names match ASCII letters in any case).
Searched for from each "<" (a scan in C): a quarter of a millisecond less a document than
parsing it."""


def _may_open_dl_or_frameset(text: str) -> bool:
    """False when :data:`_DL_OR_FRAMESET` cannot match ``text``: no "<" before a "d" or an "f"
    in either case (four scans in C, a fifth of the pattern's pass; nor is it compiled for a
    book whose first documents hold no ``<div`` or ``<font``...)."""
    return "<d" in text or "<D" in text or "<f" in text or "<F" in text


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
    """An AO3 EPUB: the download's HTML, split over files by Calibre, put back together and
    read by the AO3 HTML importer (:func:`_ao3_html.fill_story`), then OPF fallbacks."""
    root = _unsplit_ao3(docs)
    if root is None:
        return
    language = story.language
    _ao3_html.fill_story(root, story)
    _ao3_fallbacks(story, language, subjects)


def _ao3_fallbacks(story: Story, language: str | None, subjects: list[str]) -> None:
    """After the download is read into ``story``: its format, and the OPF's language (what the
    package said before, ``language``), rating and archive warnings where the download had none."""
    story.source = Source(story.source.path, "ao3-epub")
    story.language = story.language or language
    if story.rating is None:
        story.rating = next((_clean(s) for s in subjects if _warnings.rating(s)), None)
    if not story.warnings:
        found = {w for s in subjects if (w := _warnings.site_archive_warning(s))}
        story.warnings = [w for w in ARCHIVE_WARNINGS if w in found]


_AO3_REGIONS = ("preface", "chapters", "afterword")
"""The ids of the download's top-level parts, which Calibre may split over several files."""

_AO3_CLASSES = lazy_pattern(
    r"^(userstuff|heading|byline|meta|toc-heading|message|endnote-link|tags|landmark|notes)\d+$"
)
"""A class Calibre renamed by numbering AO3's own ("userstuff1" was "userstuff")."""


def _unsplit_ao3(docs: Iterator[_Doc]) -> LexborNode | None:
    """The AO3 download as it was before Calibre: split parts joined, AO3's classes restored.

    Calibre's ``ebook-convert`` cuts the download at each chapter heading and again wherever a
    file is over its size limit (``*_split_000.html``...). A cut copies every ancestor of the cut
    point into both files, so the files are joined back along those copies (:func:`_join`):
    a ``div#chapters`` (even one that lost its id), a chapter body, a notes ``blockquote`` or a
    paragraph of ``<br/>`` lines cut in two become one again. Calibre also renames classes
    (``meta group`` → ``calibre1``, ``userstuff`` → ``userstuff1``): numbered AO3 names get
    their name back, and a chapter's heading block and body are recognised by shape (the
    ``div`` holding an ``h2``, then the next ``div`` that is not its end notes).
    """
    items: list[_Part | str] = []
    for doc in docs:
        items = _join(items, _items(doc.body, top=True), top=True)
    joined = "".join(_html_of(item) for item in items)
    root = parse_html(f"<html><body>{joined}</body></html>").body
    if root is None:
        return None
    for node in root.css("[class]"):
        classes = (node.attributes.get("class") or "").split()
        restored = [m.group(1) for c in classes if (m := _AO3_CLASSES.match(c))]
        if restored:
            node.attrs["class"] = " ".join([*classes, *restored])
    for container in root.css("div#chapters"):
        for meta in element_children(container):
            heading = next((c for c in element_children(meta) if c.tag == "h2"), None)
            if meta.tag != "div" or heading is None or has_class(heading, "toc-heading"):
                continue
            _add_class(heading, "heading")
            _add_class(meta, "meta group")
            body = next_element(meta)
            ident = (body.attributes.get("id") or "") if body is not None else ""
            if body is not None and body.tag == "div" and not ident.startswith("endnotes"):
                _add_class(body, "userstuff")
    return root


_CUT_AT_BR_TAGS = frozenset({"p", "li", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt"})
"""Tags Calibre cuts before, never inside, unless at a ``<br/>`` in them: a copy of one in the
next file starts at that ``<br/>``."""


class _Part(Value, fields=("node", "children")):
    """An element of a split file, opened (``children`` set) only when it is joined to the
    copy of itself that starts the next file."""

    __slots__ = ("children", "node")

    node: LexborNode
    """The element."""
    children: list[_Part | str] | None
    """Its children as parts, once opened."""

    def __init__(self, node: LexborNode, children: list[_Part | str] | None = None) -> None:
        """An element, not yet opened."""
        self.node = node
        self.children = children

    def open(self) -> list[_Part | str]:
        """The element's children, as parts (read once)."""
        if self.children is None:
            self.children = _items(self.node, top=False)
        return self.children


def _items(node: LexborNode, *, top: bool) -> list[_Part | str]:
    """``node``'s children: elements as parts, text as its HTML. At the top, the empty
    ``<div id=… style="height:0pt">`` Calibre adds for ids of a dropped empty file are left out."""
    out: list[_Part | str] = []
    for child in child_nodes(node):
        if child.is_element_node:
            if top and _placeholder(child):
                continue
            out.append(_Part(child))
        elif child.tag == "-text":
            out.append(child.html or "")
    return out


def _placeholder(node: LexborNode) -> bool:
    """Calibre's empty stand-in for the ids of a file it dropped."""
    style = (node.attributes.get("style") or "").replace(" ", "")
    return node.tag == "div" and "height:0pt" in style and not (node.text() or "").strip()


def _html_of(item: _Part | str) -> str:
    """The HTML of one part, joined children included."""
    if isinstance(item, str):
        return item
    if item.children is None:
        return item.node.html or ""
    attrs = "".join(
        f' {name}="{_escape(value or "")}"' for name, value in item.node.attributes.items()
    )
    inner = "".join(_html_of(child) for child in item.children)
    return f"<{item.node.tag}{attrs}>{inner}</{item.node.tag}>"


def _join(before: list[_Part | str], after: list[_Part | str], *, top: bool) -> list[_Part | str]:
    """The children of one element in two consecutive files, joined: when the first file ends
    in an element whose copy starts the second (:func:`_continues`), the two are one element."""
    last = next((i for i in range(len(before) - 1, -1, -1) if not _blank(before[i])), None)
    first = next((i for i, item in enumerate(after) if not _blank(item)), None)
    if last is None or first is None:
        return [*before, *after]
    a, b = before[last], after[first]
    if not (isinstance(a, _Part) and isinstance(b, _Part) and _continues(a.node, b.node, top)):
        return [*before, *after]
    a.children = _join(a.open(), b.open(), top=False)
    return [*before[: last + 1], *after[first + 1 :]]


def _blank(item: _Part | str) -> bool:
    """True for whitespace between elements."""
    return isinstance(item, str) and not item.strip()


def _continues(a: LexborNode, b: LexborNode, top: bool) -> bool:
    """True when ``b``, first in a split file, is Calibre's copy of ``a``, last in the file
    before: the same tag and class, and the same id, or none where the download's part
    (``#chapters``...) lost it, with an element in it (an ``<hr/>`` or an empty element is the
    next one, not a copy). A paragraph (or heading, list item...) is only cut at a
    ``<br/>``, so its copy starts there; anything else of the same shape is the next element."""
    if a.tag != b.tag or (a.attributes.get("class") or "") != (b.attributes.get("class") or ""):
        return False
    a_id, b_id = a.attributes.get("id"), b.attributes.get("id")
    if a_id != b_id and not (top and b_id is None and a_id in _AO3_REGIONS):
        return False
    if next(element_children(b), None) is None:
        return False  # a copy holds at least the element the file was cut before
    if b.tag in _CUT_AT_BR_TAGS:
        return _starts_at_br(b)
    return True


def _starts_at_br(node: LexborNode) -> bool:
    """True when nothing but whitespace comes before a ``<br/>`` at the start of ``node``."""
    for child in child_nodes(node):
        if child.tag == "-text":
            if (child.text_content or "").strip():
                return False
        elif child.is_element_node:
            return child.tag == "br" or _starts_at_br(child)
    return False


def _add_class(node: LexborNode, name: str) -> None:
    """Give ``node`` the class(es) ``name`` unless it has them already."""
    classes = (node.attributes.get("class") or "").split()
    missing = [c for c in name.split() if c not in classes]
    if missing:
        node.attrs["class"] = " ".join([*classes, *missing])


# --- FanFicFare ---------------------------------------------------------------------------


def _fill_fff(story: Story, docs: Iterator[_Doc], source: Path) -> None:
    """A FanFicFare EPUB: title page fields, then one chapter per ``fff_chapter`` document.

    Chapters are numbered by place; a title is the site's verbatim (``chapter_title``).
    """
    story.source = Source(story.source.path, "fff-epub")
    completed = False
    for doc in docs:
        title_page = _fff_document(story, doc, source)
        del doc  # (one tree at a time: see _documents)
        if title_page is not None:
            completed = title_page
    if story.chapters_total is None and completed:
        story.chapters_total = len(story.chapters)


def _fff_document(story: Story, doc: _Doc, source: Path) -> bool | None:
    """Read one document of a FanFicFare EPUB into ``story``: its title page, a chapter, or a
    section kept as matter. For a title page, whether it says the story is complete (None for
    any other document)."""
    if has_class(doc.body, "fff_titlepage"):
        return _fff_title_page(story, doc.body)
    heading = doc.body.css_first(".fff_chapter_title")
    if heading is None:  # its contents page, update log or cover: kept, not a chapter
        _section(story, doc.body, _fff_section_title(doc.body))
        return None
    raw = inline_text(heading)
    heading.decompose()
    number = len(story.chapters) + 1
    chapter = _fff_html.make_chapter(number, raw, child_nodes(doc.body))
    if chapter.words or chapter.notes_before or chapter.notes_after:
        title = chapter_title(number, raw)
        story.account("boilerplate", max(0, count_words(raw) - count_words(title or "")))
        story.chapters.append(
            Chapter.lazy(
                number,
                title,
                chapter.words,
                _member_loader(source, doc.path, _fff_body),
                chapter.notes_before,
                chapter.notes_after,
            )
        )
    return None


def chapter_title(number: int, raw: str) -> str | None:
    """:func:`tui_reader.importers._txt_fff.chapter_title`, imported when a FanFicFare chapter
    is first read: the TXT importer's modules (3 M instructions) are no part of any other EPUB's
    first open."""
    title: str | None = importlib.import_module(_TXT_FFF).chapter_title(number, raw)
    return title


_TXT_FFF = "tui_reader.importers._txt_fff"
"""The FanFicFare TXT importer, whose chapter titles FanFicFare's EPUB chapters share."""


def _fff_section_title(body: LexborNode) -> str:
    """What a FanFicFare page that is not a chapter is ("Contents", "Update log"...)."""
    if has_class(body, "fff_tocpage"):
        return "Contents"
    if has_class(body, "fff_logpage"):
        return "Update log"
    first = _first_heading(body)
    return (inline_text(first) if first is not None else "") or "Front matter"


def _fff_title_page(story: Story, body: LexborNode) -> bool:
    """Read FanFicFare's title page into ``story`` the way its TXT header is read.

    The rating and every site warning are kept verbatim; only warnings that *are* archive
    warnings become ``warnings``. Returns True when the status says the story is complete.
    """
    header = _txt_header.Header(story=story)  # fills site warnings, series, language... in directly
    for label, value in _fff_html.title_page(body).items():
        if label in _txt_header.KNOWN_LABELS:
            header.apply(label, value)
        else:
            story.account("boilerplate", label)
            story.account("front_matter", value)
    line = body.css_first("h3")
    if line is not None:
        story.account("front_matter", inline_text(line))
        names = [inline_text(a) for a in line.css("a.authorlink")]
        if names and all(names) and not story.author:
            story.author = ", ".join(names)
    story.summary = header.summary or story.summary
    story.rating = header.rating
    story.warnings = header.warnings
    story.tags = header.tags
    story.chapters_total = header.chapters_total
    story.in_progress = header.in_progress
    return header.completed


def _fff_body(body: LexborNode) -> list[Block]:
    """A FanFicFare chapter's blocks: its heading and notes taken out as when it was indexed."""
    heading = body.css_first(".fff_chapter_title")
    if heading is not None:
        heading.decompose()
    rest, _, _ = _fff_html.split_notes(child_nodes(body))
    return blocks_from_nodes(rest)


# --- Generic ------------------------------------------------------------------------------


_PIECE_FIELDS = ("path", "start", "end", "label", "boilerplate", "contents")


class _Piece(FrozenValue, fields=_PIECE_FIELDS):
    """A stretch of one spine document: the whole file, or from one contents target to the next."""

    __slots__ = _PIECE_FIELDS

    path: str
    """The member."""
    start: str | None
    """The fragment (element id) it starts at; None for the top of the file."""
    end: str | None
    """The fragment the next piece starts at; None for the end of the file."""
    label: str
    """The contents' label for it, sanitised ("" when the contents do not point here)."""
    boilerplate: bool
    """A Project Gutenberg header or licence section."""
    contents: bool
    """The navigation document itself."""

    def __init__(
        self,
        path: str,
        start: str | None,
        end: str | None,
        label: str,
        boilerplate: bool = False,
        contents: bool = False,
    ) -> None:
        """A piece (frozen: its fields are set once, here)."""
        set_field = object.__setattr__
        set_field(self, "path", path)
        set_field(self, "start", start)
        set_field(self, "end", end)
        set_field(self, "label", label)
        set_field(self, "boilerplate", boilerplate)
        set_field(self, "contents", contents)


_PG_IDS = ("pg-header", "pg-footer")
"""Ids Project Gutenberg gives its header and licence sections."""

_PG_MARK = lazy_pattern(
    r"\*\*\*\s*(?:START|END) OF (?:THE|THIS) PROJECT GUTENBERG|FULL PROJECT GUTENBERG LICEN[CS]E",
    re.IGNORECASE,
)


def _split(path: str, text: str, entries: list[_TocEntry], nav: bool) -> list[tuple[_Piece, str]]:
    """Cut one document at the contents' targets inside it: (piece, its text) in order."""
    labels: dict[str | None, str] = {}
    for entry in entries:
        labels.setdefault(entry.fragment, _clean(entry.label))
    wanted = [f for f in labels if f is not None] + [f for f in _PG_IDS if f in text]
    if not any(f in text for f in _PG_IDS):  # an older Gutenberg book: cut at its marker lines
        wanted += gutenberg_cuts(text)
    points = cut_points(text, wanted)
    for entry in entries:  # a target that is not in the file labels the file's top
        if entry.fragment is not None and entry.fragment not in points:
            labels.setdefault(None, labels.get(entry.fragment, ""))
    cuts: dict[int, str] = {}
    for fragment in wanted:  # contents order first, so a labelled target wins a shared spot
        if fragment in points:
            cuts.setdefault(points[fragment], fragment)
    ordered: list[tuple[int, str | None]] = sorted(cuts.items())
    starts = ordered if ordered and ordered[0][0] == 0 else [(0, None), *ordered]
    out: list[tuple[_Piece, str]] = []
    for i, (offset, start) in enumerate(starts):
        stop, end = _end(starts, i, len(text))
        label = labels.get(start, "")
        boiler = start in _PG_IDS or start == PG_END
        part = _Piece(path, start, end, label, boiler, contents=nav)
        out.append((part, text[offset:stop]))
    return out


def _end(starts: list[tuple[int, str | None]], i: int, size: int) -> tuple[int, str | None]:
    """Where piece ``i`` stops: the next piece's offset and fragment (the end of the text)."""
    if i + 1 < len(starts):
        return starts[i + 1]
    return size, None


class _Generic:
    """Any EPUB: chapters follow the contents (NCX or nav), targets inside a file included.

    Every spine document is cut at the targets inside it. A piece the contents call a
    chapter, or one opening with its own heading, starts a chapter; an untargeted piece
    without a heading continues the chapter before it (a converter's file split). Title
    pages, the text before the contents' first target (:meth:`_lead_matter`), contents
    pages, covers, copyright pages and Project Gutenberg's header and licence become front
    matter (before the first chapter) or back matter (after it): kept and counted, never
    chapters and never dropped. Without contents, each file is a chapter.
    """

    def __init__(self, book: _Book, package: _Package, source: Path, subjects: list[str]) -> None:
        """Remember the book; the contents are read on the first :meth:`fill`."""
        self.book = book
        """The open zip."""
        self.package = package
        """The OPF."""
        self.source = source
        """The file, re-opened when a chapter is first read."""
        self.subjects = subjects
        """dc:subject values."""
        self.has_toc = False
        """The book has a table of contents (set once it is read)."""
        self.pending: list[str] = []
        """Headings of division pieces ("PART II") waiting to open the next chapter."""
        self.texts: dict[str, str] = {}
        """Documents' texts already read (by :func:`_first_look`), each used once, by path."""
        self.first_blocks: list[Block] | None = None
        """While :meth:`fill_first` reads: the first chapter's blocks, made from the trees the
        index parses anyway (its loader would parse the same pieces again for the first frame)."""
        self.title_pages: set[str] = set()
        """Members the guide or the landmarks call the title page (set once they are read)."""
        self.authors = tuple(a for c in package.meta.get("creator", []) if (a := _clean(c)))
        """The book's creators, each on its own (the story's author joins them)."""
        self.lead_open = False
        """While a reading is before its first chapter: the one piece before the contents'
        first target may still be taken as front matter (:meth:`_lead_matter`)."""
        self.toc_from_one = True
        """The contents' first numbered chapter is chapter 1 (or none is numbered): a piece
        before it is not a chapter 1 the contents left out."""

    def _pieces(self) -> Iterator[tuple[_Piece, str, bool]]:
        """Every piece of every readable spine document, in reading order, with whether a
        piece the contents name comes after it (the contents naming two places or more)."""
        toc = _toc(self.book, self.package)
        self.has_toc = bool(toc)
        self.title_pages = _title_pages(self.book, self.package)
        by_path: dict[str, list[_TocEntry]] = {}
        for entry in toc:
            by_path.setdefault(entry.path, []).append(entry)
        nav = _nav_item(self.package)
        media = {i.path: i.media_type for i in self.package.items.values()}
        documents = [p for p in self.package.spine if media.get(p, "") in _DOC_TYPES]
        named = len({(e.path, e.fragment) for e in toc}) >= 2
        first = next((n for e in toc if (n := _chapter_number(e.label)) is not None), None)
        self.toc_from_one = first is None or first <= 1
        targeted = [i for i, p in enumerate(documents) if p in by_path]
        last = targeted[-1] if named and targeted else -1  # (the last document targeted)
        pacer = Pacer(deferred=self.first_blocks is not None)  # (pages given back as it goes)
        for index, path in enumerate(documents):
            text = self.texts.pop(path, None)
            if text is None:
                text = _read_text(self.book, path)
            if text is None:
                continue
            pacer.add(len(text))
            is_nav = nav is not None and path == nav.path
            pieces = _split(path, text, by_path.get(path, []), is_nav)
            for i, (part, piece_text) in enumerate(pieces):
                ahead = index < last or (index == last and any(p.label for p, _ in pieces[i + 1 :]))
                yield part, piece_text, ahead

    def fill(self, story: Story, flavour: str, *, watch_fff: bool = False) -> bool:
        """Read every piece into ``story``; False at a FanFicFare document with ``watch_fff``.

        Should the title-page and contents rules leave no chapter at all (a one-shot titled
        like its book, a story of short lines), the book is read again without them.
        """
        self._subjects(story)
        accounted = dict(story.accounted)
        front, back = len(story.front_matter), len(story.back_matter)
        for loose in (False, True):
            if not self._fill(story, flavour, watch_fff=watch_fff, loose=loose):
                return False
            if story.chapters:
                break
            story.accounted = dict(accounted)
            del story.front_matter[front:], story.back_matter[back:]
        return True

    def fill_first(self, story: Story) -> bool:
        """Read the pieces into ``story`` as :meth:`fill` does, up to where the second chapter
        (or matter after the first) starts; True when the first chapter was found."""
        self._subjects(story)
        self.first_blocks = []
        try:
            found = self._fill(story, "epub", watch_fff=True, loose=False, first_only=True)
            blocks = self.first_blocks
        finally:
            self.first_blocks = None
        if not (found and story.chapters):
            return False
        # (first chapter first: it is read at once, for the first frame, from these blocks;
        # whole reads of it later, the cache fill's, parse it from the book as any chapter)
        story.chapters[0].blocks = blocks
        return True

    def _subjects(self, story: Story) -> None:
        """The dc:subject values: archive warnings, a rating, the rest as tags."""
        for subject in self.subjects:
            value = _clean(subject)
            if not value or value.casefold() == "fanworks" or _warnings.rating(value) is not None:
                continue
            if (name := _warnings.site_archive_warning(value)) is not None:
                if value not in story.site_warnings:
                    story.site_warnings.append(value)
                found = {*story.warnings, name}
                story.warnings = [w for w in ARCHIVE_WARNINGS if w in found]
            elif value not in story.tags.additional:
                story.tags.additional.append(value)
        if story.rating is None:
            story.rating = next((_clean(s) for s in self.subjects if _warnings.rating(s)), None)

    def _fill(
        self, story: Story, flavour: str, *, watch_fff: bool, loose: bool, first_only: bool = False
    ) -> bool:
        """One reading of the pieces (``loose``: only boilerplate, the nav and explicitly
        labelled front matter are sections); False at a FanFicFare document. ``first_only``:
        stop where the first chapter ends (a piece that is matter or starts a chapter)."""
        current: list[_Piece] | None = None
        self.pending = []
        self.lead_open = not loose
        for part, text, ahead in self._pieces():
            # each piece is parsed, read and let go in _piece: its tree is freed before the
            # next document is decompressed and parsed (only one tree alive at a time)
            done, current = self._piece(
                story, part, text, current, flavour, watch_fff, loose, first_only, ahead
            )
            if done is not None:
                return done
        if self.pending:  # division headings after the last chapter
            _section(story, None, self.pending[0], [Block("heading", t) for t in self.pending])
        return True

    def _piece(
        self,
        story: Story,
        part: _Piece,
        text: str,
        current: list[_Piece] | None,
        flavour: str,
        watch_fff: bool,
        loose: bool,
        first_only: bool,
        ahead: bool = False,
    ) -> tuple[bool | None, list[_Piece] | None]:
        """Parse one piece and read it into ``story`` (:meth:`_fill`'s step): what :meth:`_fill`
        returns when it stops here (None to go on), and the pieces of the chapter now open.
        ``ahead``: a piece the contents name comes later in the book."""
        ao3 = flavour == "ao3-epub"
        body = parse_html(text).body
        if body is None:
            return None, current
        if watch_fff and _is_fff_body(body):
            return False, current
        tags = body.css_first("dl") is not None and _ao3_html.tag_list(body) is not None
        if tags or body.css_first("#afterword"):
            if flavour != "ao3-epub":  # an AO3 book reads these in _fill_ao3
                _section(story, body, "Afterword" if story.chapters else "Preface")
            return None, current
        bold = body.css_first("b, strong") is not None  # (title_page reads nothing else)
        fields = _fff_html.title_page(body) if bold else {}
        if len(fields) >= 3 and ("author" in fields or "rating" in fields):
            if flavour == "fff-epub":
                _fff_html.apply_title_page(fields, story)
            _section(story, body, "Title page")
            return None, current
        title_page = part.start is None and (
            part.path in self.title_pages or _pandoc_title_page(text, body)
        )
        kind = _kind(part, body, story, loose=loose, title_page=title_page, authors=self.authors)
        if kind is not None:
            if first_only and story.chapters:
                return True, current
            if body.text(separator=" ").strip() or inner_words(body):
                _section(story, body, kind)
            return None, None
        heading = _first_heading(body)
        if (
            self.lead_open
            and not story.chapters
            and (kind := self._lead_matter(story, part, body, heading, ahead))
        ):
            _section(story, body, kind)
            return None, None
        if current is not None and not part.label and heading is None and self.has_toc:
            words = inner_words(_ao3_cleaned(body) if ao3 else body)
            story.chapters[-1].words += words
            current.append(part)
            if self.first_blocks is not None:  # (the loader's blocks of a piece after the first)
                self.first_blocks.extend(blocks_from_nodes(child_nodes(body)))
            return None, current
        if first_only and story.chapters:
            return True, current
        return None, self._chapter(story, part, body, heading, ao3)

    def _lead_matter(
        self,
        story: Story,
        part: _Piece,
        body: LexborNode,
        heading: LexborNode | None,
        ahead: bool,
    ) -> str | None:
        """The section title when ``part`` is the text before the contents' first target:
        front matter, not chapter 1 (None when it is to be read as a chapter).

        Calibre cuts an HTML book at its chapter headings and lists only those in the NCX, so
        the title, byline and author's note before the first heading are a file of their own
        that the contents never name. When the contents name two places or more, one of them
        still to come, the first piece with text that they do not name (a file, or the part of
        a file before its first target) is front matter, unless it opens with a chapter
        heading ("Chapter 1", "Prologue"), is longer than :data:`LEAD_MATTER_WORDS` or the
        contents start at a later chapter ("Chapter 2"): then the contents merely left out a
        chapter and it is read as one, as before.
        """
        self.lead_open = False  # (only the first such piece: later ones are the story's)
        if not (ahead and self.has_toc and self.toc_from_one) or part.label or part.contents:
            return None
        heading_text = inline_text(heading) if heading is not None else ""
        if heading_text and parse_heading(heading_text, known=True) is not None:
            return None
        if inner_words(body) > LEAD_MATTER_WORDS:
            return None
        if not heading_text:
            return "Front matter"
        named = collapse_whitespace(heading_text).casefold() == story.title.casefold()
        return "Title page" if named else heading_text

    def _chapter(
        self,
        story: Story,
        part: _Piece,
        body: LexborNode,
        heading: LexborNode | None,
        ao3: bool,
    ) -> list[_Piece] | None:
        """Add the chapter that ``part`` starts; its list of pieces (None when it is empty)."""
        heading_text = inline_text(heading) if heading is not None else ""
        label = part.label or heading_text
        drop_heading = heading is not None and bool(heading_text) and _same(heading_text, label)
        subtitle = _subtitle(heading) if drop_heading else None
        subtitle_text = inline_text(subtitle) if subtitle is not None else ""
        if heading is not None and drop_heading:
            label = max(heading_text, label, key=len)  # "Chapter 1" in the TOC, titled inside
            heading.decompose()
        read = parse_heading(label, known=True) if label else None
        if read is not None and read.title is None and subtitle is not None and subtitle_text:
            subtitle.decompose()  # "CHAPTER I." then its title as the next heading
        else:
            subtitle, subtitle_text = None, ""
        before, after = _ao3_notes(body) if ao3 else ([], [])
        words = inner_words(body)
        if not words and not before and not after:
            shown = [t for t in (heading_text, subtitle_text) if t] if drop_heading else []
            if story.chapters:  # a division heading ("PART II"): it opens the next chapter
                self.pending.extend(shown)
            elif shown:
                named = label.casefold() == story.title.casefold()
                blocks = [Block("heading", t) for t in shown]
                _section(story, None, "Title page" if named else label, blocks)
            return None
        number = read.number if read else None
        previous = story.chapters[-1].number if story.chapters else 0
        number = number if number and number > previous else previous + 1
        title = subtitle_text or (read.title if read else (label or None))
        if drop_heading:
            dropped = count_words(heading_text) + count_words(subtitle_text)
            story.account("boilerplate", max(0, dropped - count_words(title or "")))
        pieces = [part]
        lead, self.pending = tuple(self.pending), []
        words += sum(count_words(t) for t in lead)
        reader = _PiecesBody(
            self.source,
            pieces,
            drop_heading=drop_heading,
            subtitle=subtitle is not None,
            ao3=ao3,
            lead=lead,
        )
        if self.first_blocks is not None:  # (what the loader makes of this piece's tree)
            self.first_blocks.extend(Block("heading", t) for t in lead)
            self.first_blocks.extend(blocks_from_nodes(child_nodes(body)))
        story.chapters.append(Chapter.lazy(number, title, words, reader, before, after))
        return pieces


def _chapter_number(label: str) -> int | None:
    """The chapter number a contents label gives ("Chapter 2: Fog" → 2); None for none."""
    read = parse_heading(_clean(label), known=True)
    return read.number if read is not None and read.kind == "chapter" else None


def _subtitle(heading: LexborNode | None) -> LexborNode | None:
    """The heading right after ``heading`` (nothing but space between), if there is one."""
    following = next_element(heading) if heading is not None else None
    return following if following is not None and following.tag in HEADING_TAGS else None


_DOC_TYPES = ("application/xhtml+xml", "text/html", "application/xml")
"""Media types of spine documents that hold text."""

LEAD_MATTER_WORDS = 1000
"""The most words the text before the contents' first target may hold to be front matter
(a title, a byline, an author's note, a dedication); more is taken for a chapter the
contents left out (:meth:`_Generic._lead_matter`)."""


def _kind(
    part: _Piece,
    body: LexborNode,
    story: Story,
    *,
    loose: bool = False,
    title_page: bool = False,
    authors: tuple[str, ...] = (),
) -> str | None:
    """The section title when ``part`` is front or back matter rather than story text.

    ``loose``: only Gutenberg's boilerplate, the nav document, pieces the contents call
    "Contents", "Cover"... and title pages the book marks as such count; the title-page and
    link-heavy guesses are left out. ``title_page``: the guide or the landmarks call the
    piece's file the title page, or it is pandoc's. ``authors``: the book's creators, each a
    mark of a title page.
    """
    text = body.text(separator=" ")
    head = text[:4000] or ""
    if part.boilerplate or (may_be_gutenberg(head) and _PG_MARK.search(head)):
        return "Project Gutenberg licence" if story.chapters else "Project Gutenberg header"
    if part.contents:
        return "Contents"
    label = part.label.casefold().strip(" :.")
    if label in _NON_CHAPTER_TITLES:
        return part.label
    if _marked_title_page(body, part.label, text, listed=title_page):
        return "Title page"
    if loose:
        return None
    if _not_a_chapter(body, part.label, story, text, authors):
        return "Contents" if len(body.css("a")) >= 2 else "Title page"
    return None


def _section(
    story: Story, body: LexborNode | None, title: str, blocks: list[Block] | None = None
) -> None:
    """Keep ``body`` as a front-matter section (before any chapter) or a back-matter one."""
    if blocks is None:
        blocks = blocks_from_nodes(child_nodes(body)) if body is not None else []
    if not blocks:
        return
    (story.back_matter if story.chapters else story.front_matter).append(
        Section(_clean(title) or "Untitled section", blocks)
    )


def _ao3_cleaned(body: LexborNode) -> LexborNode:
    """``body`` with AO3's labelled notes and links taken out (for counting a continuation)."""
    _ao3_notes(body)
    return body


def _is_fff_body(body: LexborNode) -> bool:
    """True for a FanFicFare title page or chapter body."""
    return body.css_first(".fff_chapter_title") is not None or any(
        has_class(body, c) for c in ("fff_titlepage", "fff_chapter")
    )


_PIECES_BODY_FIELDS = ("source", "pieces", "drop_heading", "subtitle", "ao3", "lead")


class _PiecesBody(FrozenValue, fields=_PIECES_BODY_FIELDS):
    """Turns a chapter's pieces into blocks, repeating what indexing took out (frozen, equal
    by its fields: a chapter not yet read compares its loader)."""

    __slots__ = _PIECES_BODY_FIELDS

    source: Path
    """The EPUB, re-opened to read the pieces."""
    pieces: list[_Piece]
    """The chapter's pieces in order (the first holds its heading)."""
    drop_heading: bool
    """The first heading was the chapter's title and is not part of the body."""
    subtitle: bool
    """The heading right after it held the chapter's title and is not part of the body."""
    ao3: bool
    """AO3 markup: labelled notes and the archive's boilerplate are taken out."""
    lead: tuple[str, ...]
    """Division headings ("PART II") that stood alone before the chapter, shown first."""

    def __init__(
        self,
        source: Path,
        pieces: list[_Piece],
        *,
        drop_heading: bool,
        subtitle: bool,
        ao3: bool,
        lead: tuple[str, ...] = (),
    ) -> None:
        """A chapter's loader (frozen: its fields are set once, here)."""
        set_field = object.__setattr__
        set_field(self, "source", source)
        set_field(self, "pieces", pieces)
        set_field(self, "drop_heading", drop_heading)
        set_field(self, "subtitle", subtitle)
        set_field(self, "ao3", ao3)
        set_field(self, "lead", lead)

    def __call__(self) -> list[Block]:
        """The chapter's blocks; raises :class:`ChapterUnreadable` (one paragraph saying why, and
        the reason) when the book can no longer be read."""
        return self.read({})

    def read(self, known: dict[str, str]) -> list[Block]:
        """:meth:`__call__` with the texts of some documents already read (``known``, by path):
        the zip is opened only for the others."""
        book: _Book | None = None
        try:
            blocks = [Block("heading", t) for t in self.lead]
            texts: dict[str, str | None] = {}
            body: LexborNode | None = None
            for i, part in enumerate(self.pieces):
                if part.path not in texts:
                    if part.path in known:
                        texts[part.path] = known[part.path]
                    else:
                        if book is None:
                            book = self._open()
                        texts[part.path] = _read_text(book, part.path)
                text = texts[part.path]
                if text is None:
                    raise _unreadable(
                        f"{sanitise(part.path)} inside the EPUB can no longer be read"
                    )
                body = None  # the last piece's tree is freed before this one is parsed
                body = parse_html(piece(text, part.start, part.end)).body
                if body is None:
                    continue
                if i == 0 and self.drop_heading:
                    heading = _first_heading(body)
                    subtitle = _subtitle(heading) if self.subtitle else None
                    for node in (heading, subtitle):
                        if node is not None:
                            node.decompose()
                if self.ao3:
                    _ao3_notes(body)
                blocks.extend(blocks_from_nodes(child_nodes(body)))
            return _ao3_html.strip_boilerplate(blocks) if self.ao3 else blocks
        except (OSError, ValueError) as exc:
            raise _unreadable(str(exc)) from None
        finally:
            if book is not None:
                book.zip.close()

    def _open(self) -> _Book:
        """The book, opened again from its file (:class:`ChapterUnreadable` when it cannot be)."""
        try:
            return _Book(self.source)
        except (OSError, ValueError) as exc:
            raise _unreadable(str(exc)) from None


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


def _marked_title_page(body: LexborNode, toc_title: str, text: str, *, listed: bool) -> bool:
    """True when the book itself marks the piece as its title page: the guide or the landmarks
    name its file or it is pandoc's (``listed``), or ``epub:type="titlepage"`` (EPUB 3
    structural semantics) or class "titlepage" sits on the body or on an element holding all
    of its text, as pandoc writes its EPUB 3 title page.

    Whatever the page holds (two authors, a subtitle, a date), it is then front matter; unless
    the contents call it a chapter ("Chapter 1"), which a book's own words outrank.
    """
    if toc_title and parse_heading(toc_title, known=True) is not None:
        return False
    if listed or _title_page_mark(body):
        return True
    first = next((n for n in element_children(body) if n.text(separator=" ").strip()), None)
    if first is None or not _title_page_mark(first):
        return False
    return count_words(first.text(separator=" ")) >= count_words(text)  # (all the text)


def _pandoc_title_page(text: str, body: LexborNode) -> bool:
    """True for the title page pandoc writes: a document of its (``<meta name="generator"
    content="pandoc">`` in the head) opening with its title block's ``<h1 class="title">``.

    Its EPUB 3 page also says ``epub:type="titlepage"``; its EPUB 2 page says nothing else.
    """
    if 'content="pandoc"' not in text[:2048]:
        return False
    heading = _first_heading(body)
    return heading is not None and heading.tag == "h1" and has_class(heading, "title")


def _title_page_mark(node: LexborNode) -> bool:
    """True when ``node`` says it is a title page: ``epub:type="titlepage"`` or class
    "titlepage"."""
    attributes = node.attributes
    if _is_title_page_type(attributes.get("epub:type")):
        return True
    return "titlepage" in (attributes.get("class") or "").casefold().split()


def _not_a_chapter(
    body: LexborNode, toc_title: str, story: Story, text: str, authors: tuple[str, ...] = ()
) -> bool:
    """True for a cover, title page, contents page or other front matter (``text``: the body's
    text, ``body.text(separator=" ")``, as :func:`_kind` has it already; ``authors``: the
    book's creators, each looked for on its own, as a page lists them one a line)."""
    classes = (body.attributes.get("class") or "").casefold()
    if any(c in classes.split() for c in _NON_CHAPTER_CLASSES):
        return True
    if toc_title.casefold().strip(" :.") in _NON_CHAPTER_TITLES:
        return True
    if body.css_first("nav") is not None and not body.css("p"):
        return True
    if not text.strip():
        return True  # no words at all
    # Every whitespace-separated run holds at least one word, so a text of more than 60 runs
    # has more than 60 words: only short texts and link-heavy pages need an exact count.
    short = len(text.split(None, 61)) <= 61
    links = body.css("a")
    words = count_words(text) if short or len(links) >= 2 else 61
    if len(links) >= 2:
        link_words = sum(count_words(a.text(separator=" ")) for a in links)
        if link_words >= 0.6 * words:
            return True
    if short and words <= 60:
        heading = _first_heading(body)
        shown = collapse_whitespace(text)
        if heading is not None:  # a chapter titled like its book names it only in its heading
            shown = shown.replace(collapse_whitespace(heading.text(separator=" ")), " ", 1)
        lowered = shown.casefold()
        marks = [story.title.casefold(), (story.author or "\0").casefold()]
        marks += [a.casefold() for a in authors]
        if any(m and m in lowered for m in marks) and not _has_paragraph_text(body):
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
