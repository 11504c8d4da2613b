"""``inspect --audit``: where every visible word of a story file went.

The source's visible words are counted independently of the importer that read it: a text
file's words; an HTML file's body text (scripts, styles and the head left out); an EPUB's spine
documents; a Markdown file's body without front matter and markup. They are then matched with
what the :class:`~tui_reader.model.Story` holds: chapter text (and chapter titles), notes
(summary, story notes, chapter notes and summaries), front and back matter sections, and what the
importer said it consumed as metadata (``front_matter``) or site furniture (``boilerplate``).
Whatever is left is *unaccounted*: text the importer dropped without saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui_reader.importers._epub_xhtml import looks_like_xhtml, xhtml_as_html
from tui_reader.importers._html_blocks import visible_text as html_text
from tui_reader.importers._html_blocks import without_hidden
from tui_reader.importers.encoding import DecodeError, decode_text
from tui_reader.importers.epub import spine_members
from tui_reader.importers.markdown import split_front_matter, visible_text
from tui_reader.model import Story
from tui_reader.paths import STORY_FORMATS
from tui_reader.text import count_words

LIMIT = 0.01
"""More than this share of the source's words unaccounted is a failed audit."""

_MARKDOWN_PROSE_KEYS = ("summary", "notes_before", "notes_after")
"""Front-matter keys of a Markdown story that hold prose a reader sees."""


@dataclass(frozen=True, slots=True)
class Audit:
    """The audit of one file."""

    source_words: int
    """Visible words in the source file."""
    words: dict[str, int]
    """Where the story's words are: chapters, notes, front_matter, back_matter, boilerplate."""

    @property
    def unaccounted(self) -> float:
        """``1 - sum(words) / source_words`` (0.0 for a file with no visible words)."""
        if self.source_words == 0:
            return 0.0
        return 1.0 - sum(self.words.values()) / self.source_words

    @property
    def passed(self) -> bool:
        """True when at most :data:`LIMIT` of the source is unaccounted."""
        return self.unaccounted <= LIMIT

    def to_dict(self) -> dict[str, Any]:
        """The ``inspect --audit --json`` shape."""
        return {
            "source_words": self.source_words,
            "words": dict(self.words),
            "unaccounted": round(self.unaccounted, 4),
        }

    def lines(self) -> list[str]:
        """The audit as readable lines."""
        out = [f"Source:       {self.source_words} words"]
        for kind, words in self.words.items():
            share = words / self.source_words if self.source_words else 0.0
            out.append(f"{kind + ':':<13} {words} words ({share:.1%})")
        verdict = "ok" if self.passed else f"more than {LIMIT:.0%} of the text was lost"
        out.append(f"Unaccounted:  {self.unaccounted:.2%}  ({verdict})")
        return out


def html_visible_text(markup: str) -> str:
    """The text a reader sees in an HTML or XHTML document, block boundaries kept as spaces."""
    return html_text(without_hidden(markup))


def _markdown_words(text: str) -> int:
    """Words of a Markdown story: the prose of its front matter and its body without markup."""
    meta, body = split_front_matter(text.replace("\r\n", "\n").lstrip("\ufeff"))
    prose: list[str] = []
    for key in _MARKDOWN_PROSE_KEYS:
        value = meta.get(key)
        prose.extend(
            [value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)]
        )
    for line in body.split("\n"):
        if line.lstrip().startswith(":::"):
            continue
        prose.append(visible_text(line))
    return sum(count_words(p) for p in prose)


def _as_markup(text: str) -> str:
    """An (X)HTML document for the HTML parser: XHTML read as the XML it is (``<title/>`` is
    empty, not a title swallowing the page), as the importers read it."""
    return xhtml_as_html(text) if looks_like_xhtml(text) else text


def source_words(path: Path, data: bytes) -> int:
    """Count the visible words of a story file by its kind, independently of its importer."""
    kind = STORY_FORMATS.get(path.suffix.lower(), "")
    if kind == STORY_FORMATS[".epub"] or data[:4] == b"PK\x03\x04":
        total = 0
        for _name, member in spine_members(data):
            try:
                text = decode_text(member)
            except DecodeError:  # binary: nothing a reader sees (the importer passes it over)
                continue
            total += count_words(html_visible_text(_as_markup(text)))
        return total
    text = decode_text(data)
    if kind == STORY_FORMATS[".html"]:
        return count_words(html_visible_text(_as_markup(text)))
    if kind == STORY_FORMATS[".md"]:
        return _markdown_words(text)
    return count_words(text)


def story_words(story: Story) -> dict[str, int]:
    """Where the story's words are, by kind."""
    chapters = sum(c.words + count_words(c.title or "") for c in story.chapters)
    notes = count_words(story.summary or "") + sum(count_words(n.text) for n in story.notes)
    for chapter in story.chapters:
        notes += count_words(chapter.summary or "")
        notes += sum(count_words(n) for n in (*chapter.notes_before, *chapter.notes_after))
    front = sum(s.words for s in story.front_matter) + story.accounted.get("front_matter", 0)
    return {
        "chapters": chapters,
        "notes": notes,
        "front_matter": front,
        "back_matter": sum(s.words for s in story.back_matter),
        "boilerplate": story.accounted.get("boilerplate", 0),
    }


def audit(story: Story, path: Path, data: bytes) -> Audit:
    """Audit ``story`` as read from ``path`` (whose bytes are ``data``)."""
    return Audit(source_words=source_words(path, data), words=story_words(story))
