"""The story index cache: reopening an unchanged story parses nothing but the chapter on screen.

Textual-free. Each story file opened for reading gets one entry under
``<data dir>/cache/stories/``, named after the file's absolute path and keyed by its size,
modification time (``st_mtime_ns``), :data:`tui_reader.importers.IMPORTER_VERSION`, the program
version and :data:`CACHE_FORMAT`. An entry holds everything of the :class:`~tui_reader.model.Story`
a screen uses — metadata, warnings, gates, notes, tags, series, front and back matter, and each
chapter's number, title, words, notes and summary — in a small JSON header, followed by every
chapter's blocks packed one after another (JSON, one segment per chapter, found by byte
offset). A reopen reads and decodes the header only; each chapter is a lazy
:meth:`~tui_reader.model.Chapter.lazy` chapter that decodes its own segment when first read.
The story id is never stored: it is computed from the restored title, author, ``source_url``
and format as for any imported story.

Entry file layout::

    MAGIC (24 bytes) | token (16 bytes) | body | header JSON | header length (8 bytes, big-endian)

The body is written chapter by chapter as it is encoded (one segment in memory at a time), the
header after it once every offset is known.

The token is random per written entry: a chapter loader checks it before reading its segment,
so a story open while its entry is rewritten never reads another entry's bytes (it imports the
file again instead).

Rules:

- A changed file (size or mtime), a new importer or program version, or another cache format
  means a miss; the entry is rebuilt.
- A damaged entry (truncated, garbage, wrong JSON shape) is a miss too, never an error.
- A miss returns the importer's story at once; the entry is written later by the function
  :func:`open_story` returns (it parses every chapter not parsed yet, one at a time, keeping
  none: run it off the event loop, after the first paint). :func:`open_cached` does both at
  once.
- Writes are atomic (temporary file + ``os.replace``); a read-only or full data dir just means
  no cache.
- The folder is kept under :data:`MAX_CACHE_BYTES`: after each write the entries used least
  recently (a hit touches its entry's mtime) are deleted until the rest fit.

Developer note (measured on the shared 2-core dev machine, 473k-word generated EPUB,
``benchmarks.generate.make_story(workdir, 473_000, "epub")``, medians of 5): ``open_cached`` on
a hit takes 0.4 ms (0.5 ms with the first chapter's blocks) against 157 ms for ``load_story``;
a miss (import, every chapter parsed, entry written) 420 ms, run after the first paint. Time
until the first chapter's words show (tmux 100x40, 9 rounds interleaved, medians, a busy
machine; wall / the reader's CPU): first open 1075 / 740 ms before this cache and first chapter
first, 729 / 480 ms after; reopen 967 / 730 ms before, 571 / 410 ms after; the empty Textual app
370 / 220 ms.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import tui_reader
from tui_reader import importers
from tui_reader.digests import sha256
from tui_reader.importers import load_story
from tui_reader.memory import Pacer, trim
from tui_reader.model import (
    Block,
    BlockLoader,
    Chapter,
    ChapterUnreadable,
    Note,
    Section,
    Series,
    Source,
    Story,
    StoryError,
    Tags,
    WarningGate,
)
from tui_reader.text import collapse_whitespace, sanitise

CACHE_FORMAT = 1
"""Bumped whenever the entry's layout or header shape changes."""

MAX_CACHE_BYTES = 64 * 1024 * 1024
"""The folder's cap: beyond it the least recently used entries are deleted (a 500k-word story
takes about 3 MB)."""

MAGIC = b"tui-reader story cache\n\x00"
"""The first bytes of every entry."""

SUFFIX = ".story"
"""The ending of entry files."""

_TOKEN_BYTES = 16
_PREFIX = len(MAGIC) + _TOKEN_BYTES
"""Bytes before the body: magic and token."""

_TAIL = 8
"""Bytes after the header: its length."""

_MAX_HEADER = 64 * 1024 * 1024
"""A header claiming more than this is garbage."""

_KINDS = frozenset({"paragraph", "scene_break", "epigraph", "heading"})
"""Block kinds an entry may hold."""


class Fill(Protocol):
    """Writes a missed story's entry (parsing the chapters not parsed yet, one at a time, none
    kept); True when written. ``cancelled`` is asked between chapters: true, and nothing is
    written."""

    def __call__(self, cancelled: Callable[[], bool] | None = None) -> bool:
        """Write the entry."""


class _Damaged(Exception):
    """An entry whose bytes or shape are not what this version writes."""


class _Abandoned(Exception):
    """An entry not to be written after all (a chapter unreadable, the file changed, cancelled)."""


# --- where entries live ---------------------------------------------------------------------


def cache_dir(data_dir: Path) -> Path:
    """The folder holding every story entry."""
    return Path(data_dir) / "cache" / "stories"


def entry_path(path: Path, data_dir: Path) -> Path:
    """The entry file for the story file ``path`` (by its absolute path, symlinks kept)."""
    key = os.fsencode(os.path.abspath(path))
    return cache_dir(data_dir) / (sha256(key).hexdigest()[:32] + SUFFIX)


def _key(path: Path, stat: os.stat_result) -> dict[str, Any]:
    """What must match for an entry to be used."""
    return {
        "format": CACHE_FORMAT,
        "importer": importers.IMPORTER_VERSION,
        "program": tui_reader.__version__,
        "path": os.path.abspath(path),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
    }


# --- opening ---------------------------------------------------------------------------------


def open_cached(path: Path, data_dir: Path) -> Story:
    """Open a story for reading through the cache (raises StoryError with a one-line reason).

    A hit decodes the entry's header only; a miss imports the file, parses every chapter and
    writes the entry before returning.
    """
    story, fill = open_story(path, data_dir)
    if fill is not None:
        fill()
    return story


def cached_story(path: Path, data_dir: Path) -> Story | None:
    """The story from its entry when there is a fresh one (a hit), else None; never raises."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        return None
    return read_entry(path, data_dir, stat)


def open_story(path: Path, data_dir: Path) -> tuple[Story, Fill | None]:
    """The story, and on a miss the function that writes its entry (None on a hit).

    The function parses each chapter still unparsed (one at a time, keeping none: the story's
    chapters stay lazy) and writes the entry; call it off the event loop, after the first
    paint. Other threads may parse chapters of the same story meanwhile
    (:meth:`~tui_reader.model.Chapter.read_blocks` is safe beside them). Raises StoryError like
    :func:`~tui_reader.importers.load_story`.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        stat = None
    if stat is not None:
        story = read_entry(path, data_dir, stat)
        if story is not None:
            return story, None
    story = load_story(path)
    if stat is None:
        return story, None
    known = stat

    def fill(cancelled: Callable[[], bool] | None = None) -> bool:
        """Write the entry of the story just imported."""
        return write_entry(story, path, data_dir, known, cancelled=cancelled)

    return story, fill


def adopt_parsed(first: Story, whole: Story) -> int:
    """Give ``whole`` the chapter bodies ``first`` has parsed already; the count given.

    First chapter first: the story shown first holds only its opening chapter(s), parsed, and
    the importer promises they are exactly the whole story's. A chapter of ``whole`` at the
    same place with the same number, title, count and notes takes those blocks instead of
    being parsed (and laid out from a second parse) again when the reader moves on to
    ``whole``: the same blocks, one copy, no second tree of that chapter while the rest of the
    book is read. Chapters ``whole`` has parsed already, and ones that could not be read, are
    left alone.
    """
    given = 0
    for old, new in zip(first.chapters, whole.chapters, strict=False):
        if (
            old.loaded
            and not new.loaded
            and old.load_error is None
            and (old.number, old.title, old.words, old.notes_before, old.notes_after, old.summary)
            == (new.number, new.title, new.words, new.notes_before, new.notes_after, new.summary)
        ):
            new.blocks = old.blocks
            given += 1
    return given


# --- reading an entry ------------------------------------------------------------------------


def read_entry(path: Path, data_dir: Path, stat: os.stat_result) -> Story | None:
    """The story from its entry, or None when there is none or it is stale or damaged."""
    entry = entry_path(path, data_dir)
    try:
        with entry.open("rb") as handle:
            prefix = handle.read(_PREFIX)
            if len(prefix) != _PREFIX or not prefix.startswith(MAGIC):
                return None
            token = prefix[len(MAGIC) :]
            size = os.fstat(handle.fileno()).st_size
            if size < _PREFIX + _TAIL:
                return None
            handle.seek(size - _TAIL)
            length = int.from_bytes(handle.read(_TAIL), "big")
            if length > min(_MAX_HEADER, size - _PREFIX - _TAIL):
                return None
            handle.seek(size - _TAIL - length)
            raw = handle.read(length)
    except OSError:
        return None
    try:
        header = json.loads(raw.decode("utf-8", "surrogatepass"))
        if not isinstance(header, dict):
            return None
        key = header.get("key")
        if key != _key(path, stat):
            return None
        if size != _PREFIX + _int(header.get("body")) + length + _TAIL:
            return None  # truncated, or grown by something else
        story = _story(header, path, entry, token, _PREFIX)
    except (_Damaged, ValueError, TypeError, KeyError, IndexError, RecursionError):
        return None
    with contextlib.suppress(OSError):
        os.utime(entry)  # most recently used: evicted last
    return story


def _story(header: dict[str, Any], path: Path, entry: Path, token: bytes, start: int) -> Story:
    """Build the story from a header (raises _Damaged or a built-in error on a wrong shape)."""
    meta = _dict(header.get("story"))
    story = Story(
        title=_str(meta["title"]),
        source=Source(str(path), _str(meta["format"])),
        author=_opt_str(meta["author"]),
        summary=_opt_str(meta["summary"]),
        rating=_opt_str(meta["rating"]),
        warnings=_strs(meta["warnings"]),
        site_warnings=_strs(meta["site_warnings"]),
        content_notes=_strs(meta["content_notes"]),
        warning_gates=[WarningGate(_int(g[0]), _str(g[1])) for g in _list(meta["warning_gates"])],
        tags=_tags(meta["tags"]),
        chapters_total=_opt_int(meta["chapters_total"]),
        in_progress=_bool(meta["in_progress"]),
        problems=_strs(meta["problems"]),
        notes=[Note(_position(n[0]), _str(n[1])) for n in _list(meta["notes"])],
        series=[Series(_str(s[0]), _opt_int(s[1])) for s in _list(meta["series"])],
        language=_opt_str(meta["language"]),
        categories=_strs(meta["categories"]),
        source_url=_opt_str(meta["source_url"]),
        front_matter=[_section(s) for s in _list(meta["front_matter"])],
        back_matter=[_section(s) for s in _list(meta["back_matter"])],
        accounted={_str(k): _int(v) for k, v in _dict(meta["accounted"]).items()},
    )
    body = _int(header["body"])
    for index, row in enumerate(_list(header["chapters"])):
        number, title, words, before, after, summary, offset, length = _list(row)
        offset, length = _int(offset), _int(length)
        if offset < 0 or length < 0 or offset + length > body:
            raise _Damaged("segment out of range")
        story.chapters.append(
            Chapter.lazy(
                number=_int(number),
                title=_opt_str(title),
                words=_int(words),
                loader=_segment_loader(path, entry, token, start + offset, length, index),
                notes_before=_strs(before),
                notes_after=_strs(after),
                summary=_opt_str(summary),
            )
        )
    if not story.chapters:
        raise _Damaged("no chapters")
    return story


def _segment_loader(
    path: Path, entry: Path, token: bytes, start: int, length: int, index: int
) -> BlockLoader:
    """A loader decoding one chapter's blocks from the entry (re-importing if it changed)."""

    def load() -> list[Block]:
        try:
            with entry.open("rb") as handle:
                prefix = handle.read(_PREFIX)
                if prefix[len(MAGIC) :] != token:
                    raise _Damaged("the entry was rewritten")
                handle.seek(start)
                raw = handle.read(length)
            if len(raw) != length:
                raise _Damaged("truncated")
            return _blocks(json.loads(raw.decode("utf-8", "surrogatepass")))
        except (OSError, _Damaged, ValueError, TypeError, IndexError, RecursionError):
            return _reimport(path, index)

    return load


def _reimport(path: Path, index: int) -> list[Block]:
    """A chapter's blocks from the story file itself (its cache entry went bad meanwhile)."""
    try:
        story = load_story(path)
    except StoryError as exc:
        reason = exc.reason
    else:
        if index < len(story.chapters):
            chapter = story.chapters[index]
            blocks = chapter.blocks
            if chapter.load_error is not None:
                raise ChapterUnreadable(chapter.load_error, blocks)
            return blocks
        reason = "the file changed since it was opened"
    text = collapse_whitespace(sanitise(f"This chapter could not be read again: {reason}"))
    raise ChapterUnreadable(reason, [Block("paragraph", text)])


def _blocks(data: Any) -> list[Block]:
    """Blocks from a segment's JSON: ``[kind, text]`` or ``[kind, text, attribution]``."""
    out: list[Block] = []
    for row in _list(data):
        items = _list(row)
        kind = _str(items[0])
        if kind not in _KINDS or len(items) > 3:
            raise _Damaged(f"block kind {kind!r}")
        attribution = _opt_str(items[2]) if len(items) == 3 else None
        out.append(Block(kind, _str(items[1]), attribution))  # type: ignore[arg-type]
    return out


def _tags(data: Any) -> Tags:
    """Tags from ``[fandoms, relationships, characters, additional]``."""
    fandoms, relationships, characters, additional = _list(data)
    return Tags(_strs(fandoms), _strs(relationships), _strs(characters), _strs(additional))


def _section(data: Any) -> Section:
    """A front or back matter section from ``[title, blocks]``."""
    title, blocks = _list(data)
    return Section(_str(title), _blocks(blocks))


def _position(value: Any) -> Any:
    """A note's position, checked."""
    if value not in ("before", "after"):
        raise _Damaged("note position")
    return value


def _str(value: Any) -> str:
    """``value`` if it is a string, sanitised again (an entry is a file on disk: what it says
    reaches the screen, so it passes the one sanitiser as the importer's text did)."""
    if not isinstance(value, str):
        raise _Damaged("expected a string")
    return sanitise(value)


def _opt_str(value: Any) -> str | None:
    """``value`` if it is a string or None."""
    return None if value is None else _str(value)


def _bool(value: Any) -> bool:
    """``value`` if it is a bool."""
    if not isinstance(value, bool):
        raise _Damaged("expected true or false")
    return value


def _int(value: Any) -> int:
    """``value`` if it is an integer (not a bool)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Damaged("expected an integer")
    return value


def _opt_int(value: Any) -> int | None:
    """``value`` if it is an integer or None."""
    return None if value is None else _int(value)


def _list(value: Any) -> list[Any]:
    """``value`` if it is a list."""
    if not isinstance(value, list):
        raise _Damaged("expected a list")
    return value


def _dict(value: Any) -> dict[str, Any]:
    """``value`` if it is an object."""
    if not isinstance(value, dict):
        raise _Damaged("expected an object")
    return value


def _strs(value: Any) -> list[str]:
    """``value`` if it is a list of strings (a copy)."""
    return [_str(v) for v in _list(value)]


# --- writing an entry ------------------------------------------------------------------------


def write_entry(
    story: Story,
    path: Path,
    data_dir: Path,
    stat: os.stat_result,
    *,
    cancelled: Callable[[], bool] | None = None,
) -> bool:
    """Write ``story``'s entry, parsing each chapter not parsed yet; True when written.

    The chapters stream: each one not parsed yet is parsed (:meth:`Chapter.read_blocks`),
    encoded, written and dropped, so the pass never holds every chapter's blocks (a chapter
    parsed already is written from its blocks; none is parsed for keeps). ``stat`` is the
    file's stat from before it was imported: when the file has changed since, a chapter could
    not be read, or ``cancelled()`` turns true (checked between chapters), nothing is written.
    A read-only or full disk is not fatal.
    """
    import secrets  # (only writing an entry needs it: a reopen from the cache never loads it)

    chapters = story.chapters
    target = entry_path(path, data_dir)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + secrets.token_bytes(_TOKEN_BYTES))
            rows: list[list[Any]] = []
            offset = 0
            pacer = Pacer()  # chapters parsed and dropped one after another: pages given back
            for chapter in chapters:
                if cancelled is not None and cancelled():
                    raise _Abandoned("cancelled")
                try:
                    blocks = chapter.read_blocks()
                except ChapterUnreadable as exc:
                    raise _Abandoned(exc.reason) from None
                if chapter.load_error is not None:
                    raise _Abandoned(chapter.load_error)
                segment = _encode_blocks(blocks)
                del blocks
                out.write(segment)
                pacer.add(len(segment))
                rows.append(
                    [
                        chapter.number,
                        chapter.title,
                        chapter.words,
                        list(chapter.notes_before),
                        list(chapter.notes_after),
                        chapter.summary,
                        offset,
                        len(segment),
                    ]
                )
                offset += len(segment)
            meta = _meta(story)
            header = {"key": _key(path, stat), "body": offset, "story": meta, "chapters": rows}
            raw = _dumps(header)
            out.write(raw)
            out.write(len(raw).to_bytes(_TAIL, "big"))
        now = Path(path).stat()
        if (now.st_size, now.st_mtime_ns) != (stat.st_size, stat.st_mtime_ns):
            raise _Abandoned("the file changed")
        os.replace(tmp, target)
    except (OSError, _Abandoned):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    evict(cache_dir(data_dir), keep=target, limit=MAX_CACHE_BYTES)
    trim()  # every chapter was parsed and dropped: give the freed pages back
    return True


def _meta(story: Story) -> dict[str, Any]:
    """Every story field a screen uses, except the chapters and the id."""
    tags = story.tags
    return {
        "title": story.title,
        "format": story.source.format,
        "author": story.author,
        "summary": story.summary,
        "rating": story.rating,
        "warnings": list(story.warnings),
        "site_warnings": list(story.site_warnings),
        "content_notes": list(story.content_notes),
        "warning_gates": [[g.before_chapter, g.reason] for g in story.warning_gates],
        "tags": [tags.fandoms, tags.relationships, tags.characters, tags.additional],
        "chapters_total": story.chapters_total,
        "in_progress": story.in_progress,
        "problems": list(story.problems),
        "notes": [[n.position, n.text] for n in story.notes],
        "series": [[s.name, s.index] for s in story.series],
        "language": story.language,
        "categories": list(story.categories),
        "source_url": story.source_url,
        "front_matter": [[s.title, _block_rows(s.blocks)] for s in story.front_matter],
        "back_matter": [[s.title, _block_rows(s.blocks)] for s in story.back_matter],
        "accounted": dict(story.accounted),
    }


def _block_rows(blocks: list[Block]) -> list[list[str]]:
    """Blocks as compact JSON rows."""
    return [
        [b.kind, b.text] if b.attribution is None else [b.kind, b.text, b.attribution]
        for b in blocks
    ]


def _encode_blocks(blocks: list[Block]) -> bytes:
    """One chapter's segment."""
    return _dumps(_block_rows(blocks))


def _dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON (a lone surrogate from a file name survives the round trip)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "surrogatepass")


# --- keeping the folder small ----------------------------------------------------------------


def evict(folder: Path, *, keep: Path | None = None, limit: int = MAX_CACHE_BYTES) -> int:
    """Delete the least recently used entries until the folder fits ``limit``; returns how many.

    Temporary files left by a writer that died are removed too. ``keep`` is never deleted.
    """
    entries: list[tuple[float, int, str]] = []
    try:
        with os.scandir(folder) as listing:
            for item in listing:
                with contextlib.suppress(OSError):
                    st = item.stat(follow_symlinks=False)
                    name = item.name
                    if name.endswith(SUFFIX) or (SUFFIX + "." in name and name.endswith(".tmp")):
                        entries.append((st.st_mtime, st.st_size, item.path))
    except OSError:
        return 0
    total = sum(size for _, size, _ in entries)
    removed = 0
    for _, size, name in sorted(entries):
        if total <= limit:
            break
        if keep is not None and name == str(keep):
            continue
        with contextlib.suppress(OSError):
            os.unlink(name)
            total -= size
            removed += 1
    return removed
