"""``Label: value`` header lines of text dumps (FanFicFare's title page, archive preambles)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tui_reader.importers.warnings import archive_warning, archive_warnings, rating
from tui_reader.model import Tags

_LABEL_LINE = re.compile(r"^(?P<label>[A-Z][A-Za-z/ ]{1,30}?)\s*:\s+(?P<value>\S.*)$")

KNOWN_LABELS: frozenset[str] = frozenset(
    {
        "title", "author", "authors", "by", "category", "categories", "fandom", "fandoms",
        "genre", "genres", "language", "characters", "character", "relationships",
        "relationship", "pairing", "pairings", "ships", "rating", "rated", "warnings",
        "warning", "archive warnings", "archive warning", "status", "published", "updated",
        "packaged", "words", "chapters", "total chapters", "summary", "tags",
        "additional tags", "freeform", "series", "completed", "source", "story url",
        "publisher", "comments", "kudos", "hits", "bookmarks",
    }
)  # fmt: skip
"""Labels recognised in a header (case-insensitive)."""


def label_line(line: str) -> tuple[str, str] | None:
    """(label in lower case, value) for a ``Label: value`` line with a known label, else None."""
    m = _LABEL_LINE.match(line.strip())
    if m is None:
        return None
    label = m.group("label").strip().lower()
    if label not in KNOWN_LABELS:
        return None
    return label, m.group("value").strip()


def _split_list(value: str) -> list[str]:
    """A comma-separated tag list."""
    return [part.strip() for part in value.split(",") if part.strip()]


@dataclass
class Header:
    """Metadata gathered from header lines."""

    title: str | None = None
    """Title, when a header line names it."""
    author: str | None = None
    """Author."""
    summary: str | None = None
    """Summary."""
    rating: str | None = None
    """AO3 rating name."""
    warnings: list[str] = field(default_factory=list)
    """AO3 archive warning names."""
    content_notes: list[str] = field(default_factory=list)
    """Warning labels that are no archive warning, verbatim."""
    tags: Tags = field(default_factory=Tags)
    """Tags."""
    chapters_total: int | None = None
    """The N of "Total Chapters: N" or "Chapters: 3/N"."""
    completed: bool = False
    """True when the status says the story is complete."""

    def apply(self, label: str, value: str) -> None:
        """Take one header line into account."""
        if label == "title":
            self.title = value
        elif label in ("author", "authors", "by"):
            self.author = value
        elif label == "summary":
            self.summary = f"{self.summary}\n\n{value}" if self.summary else value
        elif label in ("rating", "rated"):
            self.rating = rating(value) or self.rating
        elif label in ("warnings", "warning", "archive warnings", "archive warning"):
            self._warnings(value)
        elif label in ("category", "categories", "fandom", "fandoms"):
            self.tags.fandoms.extend(_split_list(value))
        elif label in ("characters", "character"):
            self.tags.characters.extend(_split_list(value))
        elif label in ("relationships", "relationship", "pairing", "pairings", "ships"):
            self.tags.relationships.extend(_split_list(value))
        elif label in ("genre", "genres", "tags", "additional tags", "freeform"):
            self.tags.additional.extend(_split_list(value))
        elif label in ("total chapters", "chapters"):
            self._chapters(value, total=label == "total chapters")
        elif label in ("status", "completed"):
            self.completed = value.strip().lower() in ("completed", "complete", "yes", "true")

    def _warnings(self, value: str) -> None:
        """A warnings field: AO3 names go to warnings, anything else stays an author's note."""
        self.warnings.extend(w for w in archive_warnings(value) if w not in self.warnings)
        unknown = [p for p in re.split(r"[,;]", value) if p.strip() and not archive_warning(p)]
        if unknown and value not in self.content_notes:
            self.content_notes.append(value)

    def _chapters(self, value: str, *, total: bool) -> None:
        """ "Total Chapters: 20", "Chapters: 3/20" or "Chapters: 3/?" (a bare "Chapters: 3"
        counts the chapters present, not the total)."""
        m = re.match(r"^\s*(\d+)\s*(?:/\s*(\d+|\?))?", value)
        if m is None:
            return
        if m.group(2) is None:
            if total:
                self.chapters_total = int(m.group(1))
        elif m.group(2).isdigit():
            self.chapters_total = int(m.group(2))
