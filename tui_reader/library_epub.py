"""The library's fast path for EPUB books: AO3's, FanFicFare's and any other.

Textual-free; loaded (by :mod:`tui_reader.library_fast`) on the first EPUB a scan reads.
:func:`epub_story` gives the story :func:`tui_reader.importers.load_story` would give for the
same book, as far as the library lists it (title, author, rating, warnings, tags, summary,
source, each chapter's number, title, word count and notes), or None to leave the book to the
full import.

A listing needs every chapter's word count, and only the chapter text holds it: there is no
exact shortcut through the OPF alone (a FanFicFare title page's "Words:" is the site's count,
not the reader's). So the book is read by the EPUB importer's own steps — the package, the
caps on every member (a decompression bomb is refused as the importer refuses it), its AO3
reading and FanFicFare's title page and chapter reading — and only work the listing never
uses is left out:

- each member is decompressed once: the importer streams the spine through its caps before
  reading anything, then decompresses each document again to read it; here the bytes streamed
  (checked by the same caps) are kept for that reading, up to :data:`KEEP_BYTES` a book;
- the first documents, parsed to tell an AO3 book, are parsed once (the importer parses them
  again for the reading);
- a FanFicFare book's contents page and update log (front matter) are not turned into blocks,
  and no chapter keeps a loader for its text.

Any other book is read exactly as the importer reads it (its reading works from the raw
documents and the contents, and has nothing to leave out): the fast path costs it no more than
the import, and never reads it twice. Left to the full import: a book in which the flavour's
reading finds no chapter (the importer then follows the contents), and any error (the import
says why).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from tui_reader.importers import _story_notes, epub
from tui_reader.importers._fff_html import make_chapter
from tui_reader.importers._html_blocks import child_nodes, has_class, inline_text
from tui_reader.importers._txt_fff import chapter_title
from tui_reader.model import Chapter, Source, Story

FIRST_DOCUMENTS = 3
"""Readable documents the importer looks at to tell an AO3 book (``epub.load``'s ``first``)."""

KEEP_BYTES = 16 * 1024 * 1024
"""Most decompressed bytes of one book kept for reading again (a larger book's further
members are decompressed again, as the importer does)."""


class _KeptBook(epub._Book):
    """The importer's book, keeping each member it streams whole (every cap passed), so that
    reading it again gives the same bytes without decompressing it again."""

    def __init__(self, data: bytes) -> None:
        """Open the zip as the importer does."""
        super().__init__(data)
        self.kept: dict[str, bytes] = {}
        """Members streamed whole, by their real name."""
        self.kept_bytes = 0
        """Bytes in :attr:`kept`."""

    def _stream(self, name: str, sink: Callable[[bytes], object] | None) -> None:
        """``epub._Book._stream``, from the kept bytes when the member was streamed before (its
        caps were met then, by the same bytes)."""
        real = self.names.get(name) or self.names.get(name.casefold())
        kept = self.kept.get(real) if real is not None else None
        if kept is not None:
            if sink is not None and kept:
                sink(kept)
            return
        chunks: list[bytes] = []

        def tee(chunk: bytes) -> None:
            """Keep the chunk and pass it on."""
            chunks.append(chunk)
            if sink is not None:
                sink(chunk)

        super()._stream(name, tee)
        size = sum(len(c) for c in chunks)
        if real is not None and self.kept_bytes + size <= KEEP_BYTES:
            self.kept[real] = b"".join(chunks)
            self.kept_bytes += size


class _Documents:
    """The book's readable spine documents, each parsed once, in order (``epub._documents``)."""

    def __init__(self, book: epub._Book, paths: list[str]) -> None:
        """Read the documents of ``paths`` from ``book`` when first asked for."""
        self.book = book
        """The open book."""
        self.paths = paths
        """Member names in reading order."""
        self.first: list[epub._Doc] = []
        """The first readable documents, kept once parsed (until :meth:`all` hands them on)."""
        self.next = 0
        """The index in :attr:`paths` of the next document to read."""

    def take_first(self, count: int) -> list[epub._Doc]:
        """The first ``count`` readable documents (``epub._first_docs``)."""
        while len(self.first) < count and self.next < len(self.paths):
            doc = epub._read_doc(self.book, self.paths[self.next])
            self.next += 1
            if doc is not None:
                self.first.append(doc)
        return list(self.first)

    def all(self) -> Iterator[epub._Doc]:
        """Every readable document: the ones already parsed, then the rest, one at a time."""
        first, self.first = self.first, []
        yield from first
        del first
        while self.next < len(self.paths):
            doc = epub._read_doc(self.book, self.paths[self.next])
            self.next += 1
            if doc is not None:
                yield doc


def epub_story(path: Path, data: bytes) -> Story | None:
    """The book's story as the full import lists it (``epub.load``'s steps, then the free-text
    warnings ``load_story`` adds), or None for the full import (no chapter found). Raises what
    the importer raises."""
    book = _KeptBook(data)
    package = epub._package(book, epub._rootfile(book))
    if not package.spine:
        return None
    book.check(package.spine)
    docs = _Documents(book, epub._document_paths(package))
    first = docs.take_first(FIRST_DOCUMENTS)
    if not first:
        return None
    meta = package.meta
    subjects = meta.get("subject", [])
    contributors = " ".join(meta.get("contributor", [])).casefold()
    publisher = " ".join(meta.get("publisher", [])).casefold()
    fff = "fanficfare" in contributors
    story = epub._new_story(path, meta, fff=fff)
    flavour = "epub"
    is_ao3 = "archive of our own" in publisher or any(epub._is_ao3_doc(d) for d in first)
    del first
    generic = epub._Generic(book, package, path, subjects)
    if is_ao3:
        flavour = "ao3-epub"
        epub._fill_ao3(story, docs.all(), subjects)
    elif fff:
        flavour = "fff-epub"
        _fill_fff(story, docs.all())
    elif not generic.fill(story, flavour, watch_fff=True):
        flavour = "fff-epub"  # a FanFicFare document turned up: start again as one
        story = epub._new_story(path, meta, fff=True)
        _fill_fff(story, docs.all())
    if not story.chapters:
        return None  # the importer follows the contents now: left to it
    story.source = Source(str(path), flavour)
    _story_notes.apply_free_text(story)
    return story


def _fill_fff(story: Story, docs: Iterator[epub._Doc]) -> None:
    """``epub._fill_fff`` for a listing: the title page and each chapter's number, title, word
    count and notes (pages that are not chapters are passed over, not kept as sections)."""
    story.source = Source(story.source.path, "fff-epub")
    completed = False
    for doc in docs:
        if has_class(doc.body, "fff_titlepage"):
            completed = epub._fff_title_page(story, doc.body)
            continue
        heading = doc.body.css_first(".fff_chapter_title")
        if heading is None:
            continue
        raw = inline_text(heading)
        heading.decompose()
        number = len(story.chapters) + 1
        chapter = make_chapter(number, raw, child_nodes(doc.body))
        if chapter.words or chapter.notes_before or chapter.notes_after:
            story.chapters.append(
                Chapter(
                    number,
                    chapter_title(number, raw),
                    chapter.words,
                    chapter.notes_before,
                    chapter.notes_after,
                )
            )
    if story.chapters_total is None and completed:
        story.chapters_total = len(story.chapters)
