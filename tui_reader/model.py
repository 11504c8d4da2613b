"""The story model every importer produces and the reader, library and search consume.

Textual-free. A :class:`Story` is cheap to build: each :class:`Chapter` knows its title, word
count and notes up front, but its body (the list of :class:`Block`) is parsed only when first
asked for and then cached, so opening a 500k-word story does not parse every chapter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

from tui_reader import identity
from tui_reader.paths import display_path, display_text
from tui_reader.text import collapse_whitespace, count_words
from tui_reader.values import FrozenValue, Value

RATINGS: tuple[str, ...] = (
    "General Audiences",
    "Teen And Up Audiences",
    "Mature",
    "Explicit",
    "Not Rated",
)
"""AO3's rating names, mildest first."""

NO_WARNINGS = "No Archive Warnings Apply"
"""The archive warning that means there is nothing to warn about."""

CHOSE_NOT_TO_WARN = "Creator Chose Not To Use Archive Warnings"
"""The archive warning an author picks instead of listing warnings."""

ARCHIVE_WARNINGS: tuple[str, ...] = (
    CHOSE_NOT_TO_WARN,
    NO_WARNINGS,
    "Graphic Depictions Of Violence",
    "Major Character Death",
    "Rape/Non-Con",
    "Underage Sex",
)
"""AO3's archive warning names, exactly as the archive spells them."""

RATING_LEVELS: dict[str, str] = {
    "general audiences": "General Audiences",
    "general": "General Audiences",
    "g": "General Audiences",
    "k": "General Audiences",
    "k+": "General Audiences",
    "pg": "General Audiences",
    "tweenie": "General Audiences",
    "everyone": "General Audiences",
    "teen and up audiences": "Teen And Up Audiences",
    "teen and up": "Teen And Up Audiences",
    "teen": "Teen And Up Audiences",
    "teens": "Teen And Up Audiences",
    "t": "Teen And Up Audiences",
    "pg-13": "Teen And Up Audiences",
    "pg13": "Teen And Up Audiences",
    "mature": "Mature",
    "m": "Mature",
    "r": "Mature",
    "explicit": "Explicit",
    "e": "Explicit",
    "nc-17": "Explicit",
    "nc17": "Explicit",
    "ma": "Explicit",
    "adult": "Explicit",
    "not rated": "Not Rated",
    "unrated": "Not Rated",
}
"""Site ratings (AO3 names, FFN's K/K+/T/M/MA, MPAA-style G/PG/PG-13/R/NC-17, common words),
case-folded, to the AO3 level used for warning decisions."""


def rating_level(rating: str | None) -> str | None:
    """The AO3 level (one of :data:`RATINGS`) of a site rating kept verbatim.

    None when there is no rating; an unknown rating is treated as "Not Rated".
    """
    if rating is None or not rating.strip():
        return None
    key = collapse_whitespace(rating.strip().strip(".").casefold())
    return RATING_LEVELS.get(key, "Not Rated")


def needs_warning(
    level: str | None,
    warnings: list[str],
    site_warnings: list[str],
    content_notes: list[str],
) -> bool:
    """The one rule for opening a story behind a warning screen.

    Mature, Explicit or Not Rated (``level`` from :func:`rating_level`); any archive warning
    other than "No Archive Warnings Apply"; any other site warning that is not an archive
    warning's "none"; or any content note from the author.
    """
    if level in ("Mature", "Explicit", "Not Rated"):
        return True
    if any(w != NO_WARNINGS for w in warnings):
        return True
    if any(w.strip().casefold() not in _NO_WARNING_WORDS for w in site_warnings):
        return True
    return bool(content_notes)


def hides(warnings: Iterable[str], hidden_warnings: Iterable[str]) -> bool:
    """The one rule for leaving a story out of lists: it carries an archive warning the reader hid.

    ``warnings`` are the story's archive warnings (AO3 names), ``hidden_warnings`` the reader's
    "hidden_warnings" preference. The library table and the search results both ask this.
    """
    hidden = frozenset(hidden_warnings)
    return bool(hidden) and not hidden.isdisjoint(warnings)


_NO_WARNING_WORDS = frozenset(
    {NO_WARNINGS.casefold(), "none", "no warnings", "no warnings apply", "n/a", ""}
)
"""Site warnings that say there is nothing to warn about."""

BlockKind = Literal["paragraph", "scene_break", "epigraph", "heading"]
"""What a block of chapter text is."""

NotePosition = Literal["before", "after"]
"""Where a story-level note stands: before the first chapter or after the last."""


class Block(FrozenValue, fields=("kind", "text", "attribution")):
    """One block of a chapter's body: a paragraph, a scene break, an epigraph or a heading."""

    __slots__ = ("attribution", "kind", "text")

    kind: BlockKind
    """What the block is."""
    text: str
    """The block's sanitised plain text (empty for a scene break)."""
    attribution: str | None
    """For an epigraph: who or what it quotes (``Artist, "Song"``), without the leading dash."""

    def __init__(self, kind: BlockKind, text: str, attribution: str | None = None) -> None:
        """A block (frozen: its fields are set once, here)."""
        set_field = object.__setattr__
        set_field(self, "kind", kind)
        set_field(self, "text", text)
        set_field(self, "attribution", attribution)

    def to_dict(self) -> dict[str, Any]:
        """The block in the ``inspect --json`` shape."""
        return {"kind": self.kind, "text": self.text, "attribution": self.attribution}


BlockLoader = Callable[[], list[Block]]
"""A function that parses a chapter's body on demand."""


class ChapterUnreadable(Exception):
    """Raised by a :data:`BlockLoader` whose chapter can no longer be read (file gone or broken).

    The chapter then shows ``blocks`` (saying why) and keeps ``reason`` as its ``load_error``.
    """

    def __init__(self, reason: str, blocks: list[Block]) -> None:
        """Keep the reason and the blocks to show instead of the body."""
        super().__init__(reason)
        self.reason = reason
        """Why the body could not be read."""
        self.blocks = blocks
        """What the chapter shows instead."""


_CHAPTER_FIELDS = (
    "number",
    "title",
    "words",
    "notes_before",
    "notes_after",
    "summary",
    "_blocks",
    "_loader",
    "load_error",
)


class Chapter(Value, fields=_CHAPTER_FIELDS, hidden=("_blocks", "_loader")):
    """One chapter: its number, title, notes and (lazily) its blocks."""

    __slots__ = _CHAPTER_FIELDS

    number: int
    """1-based position of the chapter in the story as the source numbers it."""
    title: str | None
    """The chapter's own title ("Release"), without "Chapter 1:"; None when it has none."""
    words: int
    """Word count of the chapter body (notes excluded)."""
    notes_before: list[str]
    """Author's notes at the start of the chapter, label stripped."""
    notes_after: list[str]
    """Author's notes at the end of the chapter, label stripped."""
    summary: str | None
    """The chapter's own summary (AO3's "Chapter Summary"), label stripped; None when absent."""
    _blocks: list[Block] | None
    """The parsed body once known (not in the repr: Textual names a worker by the repr of its
    callable, and a worker given the story would otherwise write out every parsed chapter)."""
    _loader: BlockLoader | None
    """Parses the body on first access when it was not given up front (not in the repr: a
    loader may hold the chapter's packed text)."""
    load_error: str | None
    """Why the body could not be read (it then shows a paragraph saying so), or None."""

    def __init__(
        self,
        number: int,
        title: str | None,
        words: int,
        notes_before: list[str] | None = None,
        notes_after: list[str] | None = None,
        summary: str | None = None,
        _blocks: list[Block] | None = None,
        _loader: BlockLoader | None = None,
        load_error: str | None = None,
    ) -> None:
        """A chapter; notes not given are new empty lists."""
        self.number = number
        self.title = title
        self.words = words
        self.notes_before = [] if notes_before is None else notes_before
        self.notes_after = [] if notes_after is None else notes_after
        self.summary = summary
        self._blocks = _blocks
        self._loader = _loader
        self.load_error = load_error

    @classmethod
    def lazy(
        cls,
        number: int,
        title: str | None,
        words: int,
        loader: BlockLoader,
        notes_before: list[str] | None = None,
        notes_after: list[str] | None = None,
        summary: str | None = None,
    ) -> Chapter:
        """A chapter whose blocks are parsed by ``loader`` when first read."""
        return cls(
            number=number,
            title=title,
            words=words,
            notes_before=notes_before or [],
            notes_after=notes_after or [],
            summary=summary,
            _loader=loader,
        )

    @property
    def blocks(self) -> list[Block]:
        """The chapter's body, parsed on first access and cached."""
        if self._blocks is None:
            loader = self._loader
            try:
                blocks = loader() if loader is not None else []
            except ChapterUnreadable as exc:
                self._blocks = exc.blocks
                self.load_error = exc.reason
                self._loader = None
            except BaseException:
                self._loader = None
                raise
            else:
                self._blocks = blocks  # (set before the loader goes: see read_blocks)
                self._loader = None
        return self._blocks

    @blocks.setter
    def blocks(self, value: list[Block]) -> None:
        """Set the body directly (importers that parse eagerly)."""
        self._blocks = value
        self._loader = None

    def read_blocks(self) -> list[Block]:
        """The chapter's body without keeping it: the blocks when parsed already, else the
        loader's fresh parse, which the chapter does not keep (it still parses on first read).

        For a pass over every chapter (writing the story cache) that must not hold every
        chapter's blocks at once. Raises :class:`ChapterUnreadable` when the body cannot be
        read. Safe beside another thread reading :attr:`blocks`: the blocks are set before the
        loader is dropped, so a missing loader means the blocks are there.
        """
        loader = self._loader
        if loader is not None:
            return loader()
        blocks = self._blocks
        return blocks if blocks is not None else []

    @property
    def loaded(self) -> bool:
        """True once the body has been parsed."""
        return self._blocks is not None

    @property
    def display_title(self) -> str:
        """ "Chapter 3: Title", or "Chapter 3" when untitled."""
        if self.title:
            return f"Chapter {self.number}: {self.title}"
        return f"Chapter {self.number}"

    def to_dict(self) -> dict[str, Any]:
        """The chapter in the ``inspect --json`` shape (parses the body)."""
        return {
            "number": self.number,
            "title": self.title,
            "words": self.words,
            "notes_before": list(self.notes_before),
            "notes_after": list(self.notes_after),
            "summary": self.summary,
            "blocks": [b.to_dict() for b in self.blocks],
        }


class Section(Value, fields=("title", "blocks")):
    """Front or back matter: a titled piece of the file that is not a chapter.

    A title page, a contents page, a publisher's or archive's licence, a translator's preface:
    kept so that nothing in a file is silently dropped, reachable from the chapter index, and
    never counted as a chapter.
    """

    __slots__ = ("blocks", "title")

    title: str
    """What the section is ("Title page", "Contents", "Project Gutenberg licence")."""
    blocks: list[Block]
    """Its text."""

    def __init__(self, title: str, blocks: list[Block] | None = None) -> None:
        """A section; without blocks, a new empty list."""
        self.title = title
        self.blocks = [] if blocks is None else blocks

    @property
    def words(self) -> int:
        """Word count of the section's text."""
        return sum(count_words(b.text) + count_words(b.attribution or "") for b in self.blocks)

    def to_dict(self) -> dict[str, Any]:
        """The section in the ``inspect --json`` shape."""
        return {
            "title": self.title,
            "words": self.words,
            "blocks": [b.to_dict() for b in self.blocks],
        }


class Series(FrozenValue, fields=("name", "index")):
    """A series the story belongs to, and its place in it."""

    __slots__ = ("index", "name")

    name: str
    """The series' name, verbatim."""
    index: int | None
    """The story's part number in the series ("Part 2 of …"), when known."""

    def __init__(self, name: str, index: int | None = None) -> None:
        """A series (frozen: its fields are set once, here)."""
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "index", index)

    def to_dict(self) -> dict[str, Any]:
        """The series in the ``inspect --json`` shape."""
        return {"name": self.name, "index": self.index}


AccountKind = Literal["front_matter", "boilerplate"]
"""Where an importer says visible source words went that are not chapters, notes or sections:
metadata shown on a title page or preface (``front_matter``), or site furniture and labels
("Posted originally on…", "Chapter Notes", "Rating:") (``boilerplate``)."""


class Note(FrozenValue, fields=("position", "text")):
    """A story-level author's note."""

    __slots__ = ("position", "text")

    position: NotePosition
    """Before the first chapter or after the last."""
    text: str
    """The note's text, label ("Author's Note:") stripped."""

    def __init__(self, position: NotePosition, text: str) -> None:
        """A note (frozen: its fields are set once, here)."""
        object.__setattr__(self, "position", position)
        object.__setattr__(self, "text", text)

    def to_dict(self) -> dict[str, Any]:
        """The note in the ``inspect --json`` shape."""
        return {"position": self.position, "text": self.text}


class WarningGate(FrozenValue, fields=("before_chapter", "reason")):
    """An author's stop point: readers are asked again before ``before_chapter``."""

    __slots__ = ("before_chapter", "reason")

    before_chapter: int
    """The chapter number the gate stands in front of."""
    reason: str
    """The author's own sentence, verbatim."""

    def __init__(self, before_chapter: int, reason: str) -> None:
        """A gate (frozen: its fields are set once, here)."""
        object.__setattr__(self, "before_chapter", before_chapter)
        object.__setattr__(self, "reason", reason)

    def to_dict(self) -> dict[str, Any]:
        """The gate in the ``inspect --json`` shape."""
        return {"before_chapter": self.before_chapter, "reason": self.reason}


class Tags(Value, fields=("fandoms", "relationships", "characters", "additional")):
    """AO3-style tags."""

    __slots__ = ("additional", "characters", "fandoms", "relationships")

    fandoms: list[str]
    """Fandom tags."""
    relationships: list[str]
    """Relationship tags ("A/B", "A & B")."""
    characters: list[str]
    """Character tags."""
    additional: list[str]
    """Freeform tags."""

    def __init__(
        self,
        fandoms: list[str] | None = None,
        relationships: list[str] | None = None,
        characters: list[str] | None = None,
        additional: list[str] | None = None,
    ) -> None:
        """Tags; each kind not given is a new empty list."""
        self.fandoms = [] if fandoms is None else fandoms
        self.relationships = [] if relationships is None else relationships
        self.characters = [] if characters is None else characters
        self.additional = [] if additional is None else additional

    def to_dict(self) -> dict[str, list[str]]:
        """The tags in the ``inspect --json`` shape."""
        return {
            "fandoms": list(self.fandoms),
            "relationships": list(self.relationships),
            "characters": list(self.characters),
            "additional": list(self.additional),
        }

    def all(self) -> list[str]:
        """Every tag, fandoms first."""
        return [*self.fandoms, *self.relationships, *self.characters, *self.additional]


class Source(FrozenValue, fields=("path", "format")):
    """Where a story came from."""

    __slots__ = ("format", "path")

    path: str
    """The file it was read from."""
    format: str
    """The format it was read as: "archive-txt", "fff-txt", "gutenberg-txt", "book-txt",
    "ao3-html", "ao3-page-html", "fff-html", "html", "ao3-epub", "fff-epub", "epub" or
    "markdown"."""

    def __init__(self, path: str, format: str) -> None:
        """A source (frozen: its fields are set once, here)."""
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "format", format)

    def to_dict(self) -> dict[str, str]:
        """The source in the ``inspect --json`` shape."""
        return {"path": self.path, "format": self.format}


_STORY_FIELDS = (
    "title",
    "source",
    "author",
    "summary",
    "rating",
    "warnings",
    "site_warnings",
    "content_notes",
    "warning_gates",
    "tags",
    "chapters_total",
    "notes",
    "chapters",
    "series",
    "language",
    "categories",
    "source_url",
    "front_matter",
    "back_matter",
    "accounted",
    "in_progress",
    "problems",
)


class Story(Value, fields=_STORY_FIELDS, hidden=("chapters", "front_matter", "back_matter")):
    """A whole story: metadata, warnings, notes and chapters."""

    __slots__ = _STORY_FIELDS

    title: str
    """The story's title (a readable name from the file when it has none)."""
    source: Source
    """Where the story came from."""
    author: str | None
    """The author, when known."""
    summary: str | None
    """The summary paragraph, when known."""
    rating: str | None
    """The site's rating verbatim ("Teen And Up Audiences", "K+", "PG-13"), or None when the
    source does not say; :attr:`rating_level` is the AO3 level used for decisions."""
    warnings: list[str]
    """Archive warnings, AO3's names (:data:`ARCHIVE_WARNINGS`): only the site warnings that
    *are* archive warnings (and those found in the author's story-level notes)."""
    site_warnings: list[str]
    """Every warning the site lists, verbatim ("Violence", "Major Character Death")."""
    content_notes: list[str]
    """The author's own warning sentences, verbatim."""
    warning_gates: list[WarningGate]
    """Author's stop points."""
    tags: Tags
    """AO3-style tags."""
    chapters_total: int | None
    """Chapters the story will have when finished (the 20 of "3/20"); None when unknown."""
    problems: list[str]
    """What of the file could not be read though the rest was (an EPUB's chapter file missing
    or damaged), one line each, for the reader to be told; empty for a whole file."""
    in_progress: bool
    """True when the source says the story is not finished though its planned total is unknown:
    AO3's "Chapters: 9/?", a status of "In-Progress". False for a story that says it is complete
    and for one that says nothing (a book)."""
    notes: list[Note]
    """Story-level author's notes."""
    chapters: list[Chapter]
    """The chapters present in the file (not in the repr, which names the story: a thread
    worker given the story is described by it)."""
    series: list[Series]
    """The series the story belongs to, with its part number in each."""
    language: str | None
    """The story's language as the source names it ("English", "en", "日本語")."""
    categories: list[str]
    """AO3 categories ("F/M", "Gen") or a site's genre/category labels, verbatim."""
    source_url: str | None
    """Where the story lives online (the AO3 work URL, FanFicFare's story URL, ``dc:source``)."""
    front_matter: list[Section]
    """Sections before the story that are not chapters (title page, contents, licence)."""
    back_matter: list[Section]
    """Sections after the story that are not chapters (afterwords not the author's, licence)."""
    accounted: dict[str, int]
    """Visible source words an importer consumed outside chapters, notes and sections, by
    :data:`AccountKind` (see :meth:`account`); read by ``inspect --audit``."""

    def __init__(
        self,
        title: str,
        source: Source,
        author: str | None = None,
        summary: str | None = None,
        rating: str | None = None,
        warnings: list[str] | None = None,
        site_warnings: list[str] | None = None,
        content_notes: list[str] | None = None,
        warning_gates: list[WarningGate] | None = None,
        tags: Tags | None = None,
        chapters_total: int | None = None,
        notes: list[Note] | None = None,
        chapters: list[Chapter] | None = None,
        series: list[Series] | None = None,
        language: str | None = None,
        categories: list[str] | None = None,
        source_url: str | None = None,
        front_matter: list[Section] | None = None,
        back_matter: list[Section] | None = None,
        accounted: dict[str, int] | None = None,
        in_progress: bool = False,
        problems: list[str] | None = None,
    ) -> None:
        """A story; the lists, tags and counts not given are new and empty."""
        self.title = title
        self.source = source
        self.author = author
        self.summary = summary
        self.rating = rating
        self.warnings = [] if warnings is None else warnings
        self.site_warnings = [] if site_warnings is None else site_warnings
        self.content_notes = [] if content_notes is None else content_notes
        self.warning_gates = [] if warning_gates is None else warning_gates
        self.tags = Tags() if tags is None else tags
        self.chapters_total = chapters_total
        self.in_progress = in_progress
        self.problems = [] if problems is None else problems
        self.notes = [] if notes is None else notes
        self.chapters = [] if chapters is None else chapters
        self.series = [] if series is None else series
        self.language = language
        self.categories = [] if categories is None else categories
        self.source_url = source_url
        self.front_matter = [] if front_matter is None else front_matter
        self.back_matter = [] if back_matter is None else back_matter
        self.accounted = {} if accounted is None else accounted

    def account(self, kind: AccountKind, text: str | int) -> None:
        """Record that ``text`` (or a number of words) of the source went to ``kind``."""
        words = count_words(text) if isinstance(text, str) else text
        if words:
            self.accounted[kind] = self.accounted.get(kind, 0) + words

    @property
    def rating_level(self) -> str | None:
        """The AO3 level of :attr:`rating` (unknown ratings count as "Not Rated")."""
        return rating_level(self.rating)

    @property
    def words(self) -> int:
        """Word count of every chapter body."""
        return sum(c.words for c in self.chapters)

    @property
    def story_id(self) -> str:
        """A stable id for reader state: it survives moving or renaming the file, a re-download
        and a change of format.

        The normalised :attr:`source_url` when the story carries one (``ao3:work:123``), else a
        hash of the title and author (:func:`tui_reader.identity.story_id`).
        """
        return identity.story_id(self.title, self.author, self.source_url)

    @property
    def legacy_id(self) -> str:
        """The id reader state was kept under before identity by source (a hash of the format,
        title and author); only used to move that state to :attr:`story_id`."""
        return identity.legacy_story_id(self.source.format, self.title, self.author)

    @property
    def is_complete(self) -> bool:
        """True when every chapter the author plans is present."""
        return self.chapters_total is not None and len(self.chapters) >= self.chapters_total

    @property
    def needs_warning(self) -> bool:
        """True when the story should open behind a warning screen (:func:`needs_warning`)."""
        return needs_warning(
            self.rating_level, self.warnings, self.site_warnings, self.content_notes
        )

    def gate_before(self, chapter_number: int) -> WarningGate | None:
        """The author's gate in front of ``chapter_number``, if any."""
        for gate in self.warning_gates:
            if gate.before_chapter == chapter_number:
                return gate
        return None

    def to_dict(self) -> dict[str, Any]:
        """The story in the ``inspect --json`` shape (parses every chapter)."""
        return {
            "title": self.title,
            "author": self.author,
            "summary": self.summary,
            "rating": self.rating,
            "rating_level": self.rating_level,
            "warnings": list(self.warnings),
            "site_warnings": list(self.site_warnings),
            "content_notes": list(self.content_notes),
            "warning_gates": [g.to_dict() for g in self.warning_gates],
            "tags": self.tags.to_dict(),
            "chapters_total": self.chapters_total,
            "in_progress": self.in_progress,
            "problems": list(self.problems),
            "words": self.words,
            "notes": [n.to_dict() for n in self.notes],
            "chapters": [c.to_dict() for c in self.chapters],
            "series": [s.to_dict() for s in self.series],
            "language": self.language,
            "categories": list(self.categories),
            "source_url": self.source_url,
            "front_matter": [s.to_dict() for s in self.front_matter],
            "back_matter": [s.to_dict() for s in self.back_matter],
            "source": self.source.to_dict(),
            "id": self.story_id,
        }


class StoryError(Exception):
    """A story file that cannot be read: carries the path and a one-line reason."""

    def __init__(self, path: str, reason: str) -> None:
        """Record the file and the reason (sanitised: it may quote names from inside a file)."""
        reason = display_text(reason)
        super().__init__(f"{path}: {reason}")
        self.path = path
        """The file that failed (as given: show it with :func:`display_path`)."""
        self.reason = reason
        """Why, in one line, safe to show."""

    def line(self, root: Path | None = None) -> str:
        """``error: <path>: <reason>``, ready for stderr (path relative to ``root`` if inside)."""
        return f"error: {display_path(self.path, root)}: {self.reason}"
