"""``Label: value`` header lines of text dumps (FanFicFare's title page, archive preambles).

Its value readers (:func:`split_list`, :func:`series_value`) serve FanFicFare's HTML and EPUB
title page too.
"""

from __future__ import annotations

import re

from tui_reader.importers.warnings import site_archive_warning
from tui_reader.model import Series, Source, Story, Tags
from tui_reader.text import collapse_whitespace, lazy_pattern
from tui_reader.values import Value

_LABEL_LINE = lazy_pattern(r"^(?P<label>[A-Z][A-Za-z/ ]{1,30}?)\s*:\s+(?P<value>\S.*)$")

KNOWN_LABELS: frozenset[str] = frozenset(
    {
        "title", "author", "authors", "by", "category", "categories", "fandom", "fandoms",
        "genre", "genres", "language", "characters", "character", "relationships",
        "relationship", "pairing", "pairings", "ships", "rating", "rated", "warnings",
        "warning", "archive warnings", "archive warning", "status", "published", "updated",
        "packaged", "words", "chapters", "total chapters", "summary", "tags",
        "additional tags", "freeform", "series", "completed", "source", "story url",
        "publisher", "comments", "kudos", "hits", "bookmarks", "series url", "author url",
        "story id", "author id", "site", "extra tags", "ao3 categories", "freeform tags",
    }
)  # fmt: skip
"""Labels recognised in a header (case-insensitive)."""


def label_line(line: str) -> tuple[str, str] | None:
    """(label in lower case, value) for a ``Label: value`` line with a known label, else None.

    A line without a colon is no such line, and never compiles or runs the pattern."""
    if ":" not in line:
        return None
    m = _LABEL_LINE.match(line.strip())
    if m is None:
        return None
    label = m.group("label").strip().lower()
    if label not in KNOWN_LABELS:
        return None
    return label, m.group("value").strip()


def split_list(value: str) -> list[str]:
    """A comma-separated tag list."""
    return [part.strip() for part in value.split(",") if part.strip()]


_SERIES = lazy_pattern(r"^(?P<name>.+?)\s*\[(?P<index>\d{1,5})\]$")


def series_value(value: str) -> Series:
    """A series line: "Harbour Lights [2]" -> Series("Harbour Lights", 2)."""
    m = _SERIES.match(value.strip())
    if m is None:
        return Series(value.strip())
    return Series(m.group("name"), int(m.group("index")))


UNFINISHED_STATUSES = frozenset(
    ("inprogress", "incomplete", "ongoing", "wip", "workinprogress", "unfinished")
)
"""Status words (letters only, case folded) that say a story is not finished."""


def unfinished_status(value: str) -> bool:
    """True when a status field says the story is not finished ("In-Progress", "WIP")."""
    return "".join(c for c in value.casefold() if c.isalpha()) in UNFINISHED_STATUSES


_HEADER_FIELDS = (
    "title",
    "author",
    "summary",
    "rating",
    "warnings",
    "story",
    "tags",
    "chapters_total",
    "completed",
)


class Header(Value, fields=_HEADER_FIELDS):
    """Metadata gathered from header lines."""

    title: str | None
    """Title, when a header line names it."""
    author: str | None
    """Author."""
    summary: str | None
    """Summary."""
    rating: str | None
    """The rating, verbatim."""
    warnings: list[str]
    """AO3 archive warning names (the site warnings that are archive warnings)."""
    story: Story
    """The story being read, for what the header fills in directly: site warnings, series,
    language, categories, source URL, front and back matter, and the words it accounts for
    (:meth:`Story.account`). The importer gives it its title, source and chapters at the end."""
    tags: Tags
    """Tags."""
    chapters_total: int | None
    """The N of "Total Chapters: N" or "Chapters: 3/N"."""
    completed: bool
    """True when the status says the story is complete."""
    in_progress: bool
    """True when the header says the story is unfinished ("Status: In-Progress", "3/?")."""

    def __init__(
        self,
        title: str | None = None,
        author: str | None = None,
        summary: str | None = None,
        rating: str | None = None,
        warnings: list[str] | None = None,
        story: Story | None = None,
        tags: Tags | None = None,
        chapters_total: int | None = None,
        completed: bool = False,
    ) -> None:
        """A header; the lists, story and tags not given are new and empty."""
        self.title = title
        self.author = author
        self.summary = summary
        self.rating = rating
        self.warnings = [] if warnings is None else warnings
        self.story = Story(title="", source=Source("", "")) if story is None else story
        self.tags = Tags() if tags is None else tags
        self.chapters_total = chapters_total
        self.completed = completed
        self.in_progress = False

    def apply(self, label: str, value: str) -> None:
        """Take one header line into account (its label and value are accounted for)."""
        self.story.account("boilerplate", label)
        if label != "summary":
            self.story.account("front_matter", value)
        if label == "title":
            self.title = value
        elif label in ("author", "authors", "by"):
            self.author = value
        elif label == "summary":
            self.summary = f"{self.summary}\n\n{value}" if self.summary else value
        elif label in ("rating", "rated"):
            self.rating = value.strip()
        elif label in ("warnings", "warning", "archive warnings", "archive warning"):
            self._warnings(value)
        elif label in ("category", "categories"):
            self.story.categories.extend(split_list(value))
            self.tags.fandoms.extend(split_list(value))
        elif label in ("fandom", "fandoms"):
            self.tags.fandoms.extend(split_list(value))
        elif label == "ao3 categories":
            self.story.categories.extend(split_list(value))
        elif label == "series":
            self.story.series.append(series_value(value))
        elif label == "language":
            self.story.language = value.strip()
        elif label in ("story url", "source"):
            self.story.source_url = value.strip()
        elif label in ("characters", "character"):
            self.tags.characters.extend(split_list(value))
        elif label in ("relationships", "relationship", "pairing", "pairings", "ships"):
            self.tags.relationships.extend(split_list(value))
        elif label in ("genre", "genres", "tags", "additional tags", "freeform", "freeform tags"):
            self.tags.additional.extend(split_list(value))
        elif label in ("total chapters", "chapters"):
            self._chapters(value, total=label == "total chapters")
        elif label in ("status", "completed"):
            self.completed = value.strip().lower() in ("completed", "complete", "yes", "true")
            self.in_progress = self.in_progress or unfinished_status(value)

    def _warnings(self, value: str) -> None:
        """A warnings field: every warning verbatim, and AO3's names also as archive warnings."""
        for part in re.split(r"[,;]", value):
            site = collapse_whitespace(part)
            if site and site not in self.story.site_warnings:
                self.story.site_warnings.append(site)
            name = site_archive_warning(site)
            if name is not None and name not in self.warnings:
                self.warnings.append(name)

    def _chapters(self, value: str, *, total: bool) -> None:
        """ "Total Chapters: 20", "Chapters: 3/20" or "Chapters: 3/?" (a bare "Chapters: 3"
        counts the chapters present, not the total). A bare number in ASCII digits is read
        without the pattern: its answer there is that number and no total after a slash."""
        if value.isascii() and value.isdigit():
            if total:
                self.chapters_total = int(value)
            return
        m = re.match(r"^\s*(\d+)\s*(?:/\s*(\d+|\?))?", value)
        if m is None:
            return
        if m.group(2) is None:
            if total:
                self.chapters_total = int(m.group(1))
        elif m.group(2).isdigit():
            self.chapters_total = int(m.group(2))
        else:
            self.in_progress = True  # "3/?": more chapters to come, how many unknown
