"""Our native story format: Markdown with TOML front matter (``docs/format.md`` is the spec).

The front matter between ``+++`` lines carries every field of the model; the body holds the
chapters as ``#`` headings. Opening a story only indexes it: chapter titles, notes and word
counts are read now, a chapter's blocks are parsed when it is first read.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui_reader.importers.encoding import decode_text
from tui_reader.importers.grammar import attribution, is_scene_break, parse_heading
from tui_reader.importers.warnings import archive_warning, rating
from tui_reader.model import (
    ARCHIVE_WARNINGS,
    RATINGS,
    Block,
    Chapter,
    Note,
    Source,
    Story,
    Tags,
    WarningGate,
)
from tui_reader.paths import title_from_filename
from tui_reader.text import (
    REMOVED_CODEPOINTS,
    collapse_spaces,
    count_words,
    lazy_pattern,
    normalise_spaces,
    sanitise,
)
from tui_reader.values import Value

FENCE = "+++"
"""The line that opens and closes the front matter."""

_CHAPTER = lazy_pattern(r"^#(?:[ \t]+(.*?))?[ \t]*$")
_SUBHEADING = lazy_pattern(r"^#{2,6}\s+(.*?)\s*#*\s*$")
_MARKUP_ONLY = lazy_pattern(r"^[#>*_~`=|:+\\-]+$")
_NOTE_OPEN = lazy_pattern(r"^:::\s*(note|end-note)\s*:*\s*$", re.IGNORECASE)
_NOTE_CLOSE = lazy_pattern(r"^:::\s*$")
_QUOTE = lazy_pattern(r"^\s*>\s?(.*)$")
_CJK_CHAR = lazy_pattern(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_EMPHASIS = lazy_pattern(r"(?<![\w*\\])(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_ESCAPE = lazy_pattern(r"\\([*_#>\\~`-])")
_HARD_BREAK = "\\"

_KNOWN_KEYS = frozenset(
    {
        "title",
        "author",
        "summary",
        "rating",
        "warnings",
        "content_notes",
        "warning_gates",
        "tags",
        "chapters_total",
        "notes_before",
        "notes_after",
    }
)
_TAG_KEYS = ("fandoms", "relationships", "characters", "additional")


def load(path: Path, data: bytes) -> Story:
    """Read a Markdown story: front matter now, each chapter's blocks when first read."""
    text = normalise_spaces(decode_text(data)).replace("\r\n", "\n").replace("\r", "\n")
    meta, body = split_front_matter(text)
    story = _story_from_meta(path, meta)
    notes_before, chapters, furniture = _index_body(sanitise(body))
    story.notes[:0] = [Note("before", n) for n in notes_before]
    story.chapters = chapters
    story.account("boilerplate", furniture)
    return story


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split ``text`` into its parsed front matter (``{}`` when absent) and its body.

    Besides our TOML front matter, a YAML metadata block as pandoc, Jekyll or Obsidian write it
    (between ``---`` and ``---`` or ``...``) is read for the fields they share with ours
    (:func:`yaml_front_matter`).
    """
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start < len(lines) and lines[start].rstrip() == YAML_FENCE:
        found = yaml_front_matter(lines, start)
        if found is not None:
            return found[0], "\n".join(lines[found[1] :])
    if start >= len(lines) or lines[start].strip() != FENCE:
        return {}, text
    for end in range(start + 1, len(lines)):
        if lines[end].strip() == FENCE:
            source = "\n".join(lines[start + 1 : end])
            try:
                meta = tomllib.loads(source)
            except tomllib.TOMLDecodeError as exc:
                # tomllib counts lines from the start of the front matter; say the file's line
                message = re.sub(
                    r"\bline (\d+)", lambda m: f"line {int(m.group(1)) + start + 1}", str(exc)
                )
                raise ValueError(f"front matter: {message}") from None
            return meta, "\n".join(lines[end + 1 :])
    raise ValueError(f"front matter: no closing {FENCE} line")


# --- YAML metadata blocks (pandoc, Jekyll, Obsidian) ----------------------------------------

YAML_FENCE = "---"
"""The line that opens a YAML metadata block (it closes with the same line or ``...``)."""

YAML_MAX_LINES = 400
"""A YAML block must close within this many lines (else the ``---`` is a scene break)."""

YAML_SUMMARY_KEYS = ("summary", "abstract", "description")
"""Where a YAML block may hold the summary (ours, pandoc's, Jekyll's), the first one given."""

YAML_TAG_KEYS = ("tags", "keywords")
"""Where a YAML block may hold tags (read as additional tags)."""

_YAML_KEYS = frozenset(
    {"title", "author", "rating", "warnings", *YAML_SUMMARY_KEYS, *YAML_TAG_KEYS}
)
"""The keys a YAML block is read for; a block with none of them is not taken as metadata."""


def yaml_front_matter(lines: list[str], start: int) -> tuple[dict[str, Any], int] | None:
    """The YAML metadata block opening at ``lines[start]`` in our front matter's shape, and the
    index of the first body line; None when there is no such block (a ``---`` scene break, a
    block that is not YAML or holds none of :data:`_YAML_KEYS`: the lines stay story text).

    Read with PyYAML's safe loader. Title, author (a name or a list of names, pandoc's
    ``{name: ...}`` entries too), summary (:data:`YAML_SUMMARY_KEYS`), tags
    (:data:`YAML_TAG_KEYS`), and a rating and archive warnings our format knows are kept; other
    keys (dates, language, layout) are site or tool settings and are left out, as pandoc leaves
    them out of the text.
    """
    end = next(
        (
            i
            for i in range(start + 1, min(len(lines), start + YAML_MAX_LINES))
            if lines[i].rstrip() in (YAML_FENCE, "...")
        ),
        None,
    )
    if end is None or end == start + 1:
        return None
    import yaml  # (only a file that opens with "---" needs it)

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load("\n".join(lines[start + 1 : end]), Loader=loader)  # (a safe loader)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict) or not _YAML_KEYS & {k for k in data if isinstance(k, str)}:
        return None
    meta: dict[str, Any] = {}
    if title := _yaml_text(data.get("title")):
        meta["title"] = title
    if authors := _yaml_names(data.get("author")):
        meta["author"] = ", ".join(authors)
    summary = next((t for k in YAML_SUMMARY_KEYS if (t := _yaml_text(data.get(k)))), None)
    if summary:
        meta["summary"] = summary
    tags = [t for k in YAML_TAG_KEYS for t in _yaml_list(data.get(k))]
    if tags:
        meta["tags"] = {"additional": list(dict.fromkeys(tags))}
    label = _yaml_text(data.get("rating"))
    if label and rating(label) is not None:
        meta["rating"] = label
    warnings = [w for w in _yaml_list(data.get("warnings")) if archive_warning(w) is not None]
    if warnings:
        meta["warnings"] = warnings
    return meta, end + 1


def _yaml_text(value: Any) -> str | None:
    """A YAML scalar as text (a string, or a number written as a title); None for anything
    else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        return str(value).strip() or None
    return None


def _yaml_list(value: Any) -> list[str]:
    """A YAML list of strings, or one string of comma-separated items."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [text for item in value if (text := _yaml_text(item))]
    return []


def _yaml_names(value: Any) -> list[str]:
    """Authors: a name, a list of names, or pandoc's list of ``{name: ..., affiliation: ...}``."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name")
        if text := _yaml_text(item):
            names.append(text)
    return names


# --- front matter ---------------------------------------------------------------------------


_PLAIN_VALUE = lazy_pattern(
    "[^" + "".join(re.escape(chr(c)) for c in sorted(REMOVED_CODEPOINTS | {10, 13})) + r"*_\\]*"
)
"""A front-matter string on one line with no markup and nothing :func:`sanitise` removes: its
clean form is itself with runs of spaces collapsed (the library lists thousands of these)."""


def _clean(value: str) -> str:
    """One front-matter string, sanitised, its paragraphs joined like body text."""
    if _PLAIN_VALUE.fullmatch(value):
        if "  " in value or "\t" in value or value != value.strip():
            return collapse_spaces(value)
        return value
    return "\n\n".join(_paragraphs(sanitise(value).split("\n")))


def _string(meta: dict[str, Any], key: str) -> str | None:
    """A string field (None when absent or blank)."""
    value = meta.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"front matter: {key} must be a string")
    return _clean(value) or None


def _strings(table: dict[str, Any], key: str, where: str = "") -> list[str]:
    """A list-of-strings field; a single string counts as a one-item list."""
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"front matter: {where}{key} must be a list of strings")
    return [c for v in value if (c := _clean(v))]


def _story_from_meta(path: Path, meta: dict[str, Any]) -> Story:
    """A Story (no chapters yet) from the front matter, checked field by field."""
    unknown = sorted(set(meta) - _KNOWN_KEYS)
    if unknown:
        raise ValueError(f"front matter: unknown key {unknown[0]!r}")
    title = _string(meta, "title") or title_from_filename(path.name)
    label = _string(meta, "rating")
    story_rating = None
    if label is not None:
        story_rating = rating(label)
        if story_rating is None:
            raise ValueError(
                f"front matter: unknown rating {label!r} (expected one of {', '.join(RATINGS)})"
            )
    warnings: list[str] = []
    for item in _strings(meta, "warnings"):
        name = archive_warning(item)
        if name is None:
            raise ValueError(
                f"front matter: unknown archive warning {item!r} "
                f"(expected one of {', '.join(ARCHIVE_WARNINGS)})"
            )
        if name not in warnings:
            warnings.append(name)
    total = meta.get("chapters_total")
    if total is not None and (isinstance(total, bool) or not isinstance(total, int) or total < 1):
        raise ValueError("front matter: chapters_total must be a whole number of at least 1")
    notes = [Note("before", n) for n in _strings(meta, "notes_before")]
    notes += [Note("after", n) for n in _strings(meta, "notes_after")]
    return Story(
        title=title,
        source=Source(str(path), "markdown"),
        author=_string(meta, "author"),
        summary=_string(meta, "summary"),
        rating=story_rating,
        warnings=[w for w in ARCHIVE_WARNINGS if w in warnings],
        content_notes=_strings(meta, "content_notes"),
        warning_gates=_gates(meta.get("warning_gates", [])),
        tags=_tags(meta.get("tags", {})),
        chapters_total=total,
        notes=notes,
    )


def _gates(value: Any) -> list[WarningGate]:
    """The ``[[warning_gates]]`` tables."""
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValueError("front matter: warning_gates must be [[warning_gates]] tables")
    gates = []
    for table in value:
        before = table.get("before_chapter")
        reason = table.get("reason")
        if isinstance(before, bool) or not isinstance(before, int) or before < 1:
            raise ValueError("front matter: warning_gates.before_chapter must be a chapter number")
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError("front matter: warning_gates.reason must be a sentence")
        gates.append(WarningGate(before, _clean(reason)))
    return sorted(gates, key=lambda g: g.before_chapter)


def _tags(value: Any) -> Tags:
    """The ``[tags]`` table."""
    if not isinstance(value, dict):
        raise ValueError("front matter: tags must be a table")
    unknown = sorted(set(value) - set(_TAG_KEYS))
    if unknown:
        raise ValueError(f"front matter: unknown key 'tags.{unknown[0]}'")
    lists = {k: _strings(value, k, "tags.") for k in _TAG_KEYS}
    return Tags(**lists)


# --- body: index pass -----------------------------------------------------------------------


class _Section(Value, fields=("title", "lines", "notes_before", "notes_after", "words")):
    """A chapter's raw material gathered by the index pass."""

    __slots__ = ("lines", "notes_after", "notes_before", "title", "words")

    title: str | None
    """The heading's title."""
    lines: list[str]
    """Body lines, note blocks removed."""
    notes_before: list[str]
    """Notes met before any body text."""
    notes_after: list[str]
    """Notes met after body text, or written as ``::: end-note``."""
    words: int
    """Running word count of the body."""

    def __init__(self, title: str | None) -> None:
        """A section under ``title``, empty so far."""
        self.title = title
        self.lines = []
        self.notes_before = []
        self.notes_after = []
        self.words = 0

    def has_body(self) -> bool:
        """True once the section holds any non-blank body line."""
        return any(line.strip() for line in self.lines)


def _index_body(body: str) -> tuple[list[str], list[Chapter], int]:
    """Story-level notes before the first chapter, the lazily parsed chapters, and the words
    read as furniture: heading words that are not a title ("Chapter 2:") and marker lines."""
    lines = body.split("\n")
    story_notes: list[str] = []
    sections: list[_Section] = []
    current: _Section | None = None
    furniture = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        opened = _NOTE_OPEN.match(line)
        if opened:
            end = i + 1
            while end < len(lines) and not _NOTE_CLOSE.match(lines[end]):
                end += 1
            resume = end + 1
            if end == len(lines):  # never closed: the note ends at the next chapter heading
                end = next(
                    (j for j in range(i + 1, len(lines)) if _CHAPTER.match(lines[j])), len(lines)
                )
                resume = end
            note = "\n\n".join(_paragraphs(lines[i + 1 : end]))
            i = resume
            if not note:
                continue
            after = opened.group(1).lower() == "end-note"
            if current is None:
                if after or sections:
                    raise ValueError(f"line {i}: an end-note must follow a chapter")
                story_notes.append(note)
            elif after or current.has_body():
                current.notes_after.append(note)
            else:
                current.notes_before.append(note)
            continue
        heading = _CHAPTER.match(line)
        if heading:
            shown = _inline(heading.group(1) or "")
            title = _chapter_title(shown)
            furniture += max(0, _visible_words(line) - count_words(title or ""))
            current = _Section(title)
            sections.append(current)
        else:
            if current is None:
                if not line.strip():
                    i += 1
                    continue
                current = _Section(None)
                sections.append(current)
            current.lines.append(line)
            words = _line_words(line)
            current.words += words
            if line.lstrip().startswith(">") or is_scene_break(line):
                furniture += max(0, _visible_words(line) - words)
        i += 1
    chapters = [
        Chapter.lazy(
            number,
            s.title,
            s.words,
            _loader(s.lines),
            notes_before=s.notes_before,
            notes_after=s.notes_after,
        )
        for number, s in enumerate(sections, start=1)
    ]
    return story_notes, chapters, furniture


def _chapter_title(shown: str) -> str | None:
    """The title of a ``#`` heading, any "Chapter 3:" / "3." / "第二章" prefix dropped.

    Only a chapter number goes: chapters are numbered by position, so "# Part 2" and
    "# Epilogue - After" stay whole.
    """
    read = parse_heading(shown, known=True)
    return read.title if read is not None and read.kind == "chapter" else (shown or None)


def _line_words(line: str) -> int:
    """Words a body line contributes to the chapter's count (markers not counted)."""
    if not line.strip() or is_scene_break(line):
        return 0
    quoted = _QUOTE.match(line)
    if quoted:
        line = quoted.group(1)
        line = attribution(line) or line
    else:
        sub = _SUBHEADING.match(line)
        if sub:
            line = sub.group(1)
    return count_words(line)


def visible_text(line: str) -> str:
    """A body line as a reader sees it: the markup tokens that open it (``#``, ``>``, ``-``,
    ``***``) and a heading's closing hashes left out; a line of nothing but markup
    (``* * *``, ``---``) is empty.

    ``inspect --audit`` counts a Markdown story's source words with this.
    """
    tokens = line.split()
    start = 0
    while start < len(tokens) and _MARKUP_ONLY.match(tokens[start]):
        start += 1
    end = len(tokens)
    if start and tokens[0].startswith("#"):  # a heading's closing hashes: "## A Letter ##"
        while end > start and tokens[end - 1].strip("#") == "":
            end -= 1
    return " ".join(tokens[start:end])


def _visible_words(line: str) -> int:
    """Words a reader sees on a line (see :func:`visible_text`).

    A marker ("xxx", "＊　＊　＊") is shown as a scene break and an attribution's dash as
    epigraph styling, not as chapter words: the difference is accounted as furniture.
    """
    return count_words(visible_text(line))


def _loader(lines: list[str]) -> Callable[[], list[Block]]:
    """A block loader for one chapter's body lines."""
    return lambda: parse_blocks(lines)


# --- body: blocks ---------------------------------------------------------------------------


def _inline(text: str) -> str:
    """Inline text as plain text: emphasis markers and backslash escapes removed."""
    if "*" in text or "_" in text:
        previous = None
        while previous != text:
            previous, text = text, _EMPHASIS.sub(r"\2", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    return collapse_spaces(text)


def _join(lines: list[str]) -> str:
    """Join a paragraph's lines: a space between, a newline after a trailing backslash."""
    out = ""
    for line in lines:
        stripped = line.strip()
        hard = stripped.endswith(_HARD_BREAK) and not stripped.endswith("\\\\")
        if hard:
            stripped = stripped[:-1].rstrip()
        part = _inline(stripped)
        if out.endswith(" ") and part and _CJK_CHAR.match(part) and _CJK_CHAR.match(out[-2:-1]):
            out = out[:-1]
        out += part + ("\n" if hard else " ")
    return out.strip()


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank-line-separated paragraphs of plain text."""
    out: list[str] = []
    chunk: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            chunk.append(line)
        elif chunk:
            text = _join(chunk)
            if text:
                out.append(text)
            chunk = []
    return out


def parse_blocks(lines: list[str]) -> list[Block]:
    """Parse one chapter's body lines into blocks."""
    blocks: list[Block] = []
    chunk: list[str] = []
    quote: list[str] = []

    def flush() -> None:
        if chunk:
            text = _join(chunk)
            if text:
                blocks.append(Block("paragraph", text))
            chunk.clear()
        if quote:
            blocks.append(_epigraph(quote))
            quote.clear()

    for line in lines:
        if not line.strip():
            flush()
            continue
        quoted = _QUOTE.match(line)
        if quoted and not chunk:
            quote.append(quoted.group(1))
            continue
        if quote:
            flush()
        if is_scene_break(line):
            flush()
            if blocks and blocks[-1].kind != "scene_break":
                blocks.append(Block("scene_break", ""))
            continue
        sub = _SUBHEADING.match(line)
        if sub:
            flush()
            text = _inline(sub.group(1))
            if text:
                blocks.append(Block("heading", text))
            continue
        chunk.append(line)
    flush()
    while blocks and blocks[-1].kind == "scene_break":
        blocks.pop()
    return blocks


def _epigraph(lines: list[str]) -> Block:
    """A blockquote: its lines kept as lines (verse), a final dash line as the attribution."""
    body = [_inline(line) for line in lines]
    name = None
    if len(body) > 1:
        found = attribution(lines[-1])
        if found:
            name = _inline(found)
            body.pop()
    kept: list[str] = []
    for line in body:
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return Block("epigraph", "\n".join(kept), name)
