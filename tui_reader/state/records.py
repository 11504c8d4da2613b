"""Reader-state records: the typed records the program uses, and checks on every stored record.

Textual-free. :class:`Position`, :class:`Bookmark` and :class:`HistoryEntry` are what the store
hands out; :data:`RECORD_SHAPES` and :data:`PREF_CHECKS` say what a stored record must hold, and
:func:`drop_bad_records` leaves out the ones this code cannot use.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from tui_reader.config import Preferences
from tui_reader.digests import blake2b
from tui_reader.values import FrozenValue

STATUSES = ("reading", "plan to read", "on hold", "finished", "dropped")
"""The reading statuses a story can carry."""

PREF_DEFAULTS: dict[str, Any] = Preferences().to_json()
"""Preference values used while a reader has not set them, as stored (from :class:`Preferences`)."""


RawDoc = dict[str, Any]
"""One stored record."""

RawData = dict[str, dict[str, RawDoc]]
"""The whole file: table name -> document id (a decimal string) -> record."""


class Position(
    FrozenValue,
    fields=("chapter", "paragraph", "offset", "fingerprint"),
    uncompared=("fingerprint",),
):
    """A place in a story, independent of the window's width."""

    chapter: int
    """0-based index into ``story.chapters``."""
    paragraph: int
    """Index into ``chapter.blocks``."""
    offset: int
    """Character offset inside that block's text."""
    fingerprint: str | None
    """A short sample of that block's words when the place was saved (see
    :mod:`tui_reader.reading.relocate`), to find the place again in a changed file; None when
    unknown (an older file). Not part of the place: two positions compare by place only."""

    def __init__(
        self, chapter: int, paragraph: int, offset: int = 0, fingerprint: str | None = None
    ) -> None:
        """A place (frozen: its fields are set once, here)."""
        set_field = object.__setattr__
        set_field(self, "chapter", chapter)
        set_field(self, "paragraph", paragraph)
        set_field(self, "offset", offset)
        set_field(self, "fingerprint", fingerprint)


BOOKMARK_FIELDS = (
    "id",
    "story_id",
    "story_title",
    "path",
    "chapter",
    "paragraph",
    "offset",
    "note",
    "snippet",
    "created",
    "fingerprint",
)
"""A :class:`Bookmark`'s fields, in constructor order (as stored, with the id as the key)."""


class Bookmark(FrozenValue, fields=BOOKMARK_FIELDS):
    """A place the reader marked, with an optional note."""

    id: str
    """Stable identifier (hex)."""
    story_id: str
    """The story's id."""
    story_title: str
    """The story's title when the bookmark was made."""
    path: str
    """The story file's path when the bookmark was made."""
    chapter: int
    """0-based chapter index."""
    paragraph: int
    """Block index in that chapter."""
    offset: int
    """Character offset inside the block."""
    note: str
    """The reader's note."""
    snippet: str
    """A few words of the marked text."""
    created: float
    """When it was made (seconds since the epoch)."""
    fingerprint: str | None
    """A short sample of the marked block's words (see :attr:`Position.fingerprint`); None
    when unknown (a bookmark from an older file)."""

    def __init__(
        self,
        id: str,
        story_id: str,
        story_title: str,
        path: str,
        chapter: int,
        paragraph: int,
        offset: int,
        note: str,
        snippet: str,
        created: float,
        fingerprint: str | None = None,
    ) -> None:
        """A bookmark (frozen: its fields are set once, here)."""
        set_field = object.__setattr__
        set_field(self, "id", id)
        set_field(self, "story_id", story_id)
        set_field(self, "story_title", story_title)
        set_field(self, "path", path)
        set_field(self, "chapter", chapter)
        set_field(self, "paragraph", paragraph)
        set_field(self, "offset", offset)
        set_field(self, "note", note)
        set_field(self, "snippet", snippet)
        set_field(self, "created", created)
        set_field(self, "fingerprint", fingerprint)

    def to_dict(self) -> dict[str, Any]:
        """Every field by name (as ``dataclasses.asdict`` gave them)."""
        return {name: getattr(self, name) for name in BOOKMARK_FIELDS}

    @property
    def position(self) -> Position:
        """The marked place, with its fingerprint."""
        return Position(self.chapter, self.paragraph, self.offset, self.fingerprint)


class HistoryEntry(FrozenValue, fields=("story_id", "title", "path", "chapter", "when")):
    """A story the reader opened recently (one per story)."""

    story_id: str
    """The story's id."""
    title: str
    """Its title as last seen."""
    path: str
    """Its file as last seen."""
    chapter: int
    """The chapter the reader was in."""
    when: float
    """When the place was last saved (seconds since the epoch)."""

    def __init__(self, story_id: str, title: str, path: str, chapter: int, when: float) -> None:
        """A history entry (frozen: its fields are set once, here)."""
        set_field = object.__setattr__
        set_field(self, "story_id", story_id)
        set_field(self, "title", title)
        set_field(self, "path", path)
        set_field(self, "chapter", chapter)
        set_field(self, "when", when)


MUTE_KINDS = ("author", "fandom", "relationship", "tag")
"""What a reader can mute stories by: an author, a fandom, a relationship, or any other tag."""


def mute_key(kind: str, value: str) -> str:
    """The key a mute is stored and compared by: its kind and its value casefolded."""
    return f"{kind}:{value.strip().casefold()}"


class Mute(FrozenValue, fields=("kind", "value", "when")):
    """An author, fandom, relationship or tag whose stories the reader chose not to see."""

    kind: str
    """One of :data:`MUTE_KINDS`."""
    value: str
    """The name as the reader muted it (compared casefolded)."""
    when: float
    """When it was muted (seconds since the epoch)."""

    def __init__(self, kind: str, value: str, when: float) -> None:
        """A mute (frozen: its fields are set once, here)."""
        set_field = object.__setattr__
        set_field(self, "kind", kind)
        set_field(self, "value", value)
        set_field(self, "when", when)

    @property
    def key(self) -> str:
        """Its stored key (:func:`mute_key`)."""
        return mute_key(self.kind, self.value)


class StateFileError(Exception):
    """The reader file exists but does not hold reader state (truncated, garbage, wrong shape)."""

    def __init__(self, reason: str) -> None:
        """Keep the one-line reason."""
        super().__init__(reason)
        self.reason = reason
        """Why the file was refused."""


def _free_id(table: dict[str, RawDoc], key: str, field: str = "story_id") -> int:
    """The document id for ``key`` in a raw table: its hash, probing on past a collision."""
    doc_id = doc_id_for(key)
    while True:
        doc = table.get(str(doc_id))
        if doc is None or doc.get(field) == key:
            return doc_id
        doc_id += 1


def doc_id_for(key: str) -> int:
    """The document id of a record: a stable 62-bit hash of its key, the same in every process."""
    digest = blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 2) or 1


def safe_reader_id(reader_id: str) -> str:
    """A file-name-safe form of a reader id ("local" when empty); unsafe ids get a hash suffix."""
    clean = re.sub(r"[^A-Za-z0-9._-]", "_", reader_id).lstrip(".")[:64]
    if not clean:
        return "local" if not reader_id else "reader-" + _short_hash(reader_id)
    if clean != reader_id:
        clean = f"{clean}-{_short_hash(reader_id)}"
    return clean


def _short_hash(text: str) -> str:
    """Eight hex digits naming ``text``."""
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()


def _dumps(value: Any) -> str:
    """Compact JSON, as stored."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# --------------------------------------------------------------------------------------------
# Record validation: a file that is valid JSON may still hold records this code cannot use

_MAX_INDEX = 2**31 - 1
"""The largest chapter, paragraph or offset index accepted from the file."""

_MAX_FINGERPRINT = 1000
"""The longest block fingerprint accepted from the file."""

_MAX_MOMENT = 2**53
"""The largest whole number accepted where a time or duration is stored."""

Check = Callable[[Any], bool]
"""Whether one stored value is usable."""


def _is_int(value: Any) -> bool:
    """A JSON integer (``true``/``false`` are not numbers here)."""
    return type(value) is int


def _index(value: Any) -> bool:
    """A chapter, paragraph or character index: a whole number from 0."""
    return type(value) is int and 0 <= value <= _MAX_INDEX


def _optional_index(value: Any) -> bool:
    """An index or null."""
    return value is None or _index(value)


def _indexes(value: Any) -> bool:
    """A list of indexes."""
    return type(value) is list and all(type(v) is int and 0 <= v <= _MAX_INDEX for v in value)


def _moment(value: Any) -> bool:
    """A finite number (seconds since the epoch, or a duration) that fits a float."""
    kind = type(value)
    if kind is float:
        return math.isfinite(value)
    return kind is int and -_MAX_MOMENT <= value <= _MAX_MOMENT


def _positive(value: Any) -> bool:
    """A finite number above 0."""
    return _moment(value) and value > 0


def _count(value: Any) -> bool:
    """A whole number above 0."""
    return type(value) is int and 0 < value <= _MAX_INDEX


def _text(value: Any) -> bool:
    """A string."""
    return type(value) is str


def _flag(value: Any) -> bool:
    """true or false."""
    return type(value) is bool


def _texts(value: Any) -> bool:
    """A list of strings."""
    return type(value) is list and all(type(v) is str for v in value)


def _folds(value: Any) -> bool:
    """An object of note keys to true/false."""
    return type(value) is dict and all(type(v) is bool for v in value.values())


def _fingerprint(value: Any) -> bool:
    """A block's fingerprint: a short string (its format is checked where it is used)."""
    return type(value) is str and len(value) <= _MAX_FINGERPRINT


def _mute_kind(value: Any) -> bool:
    """One of :data:`MUTE_KINDS`."""
    return value in MUTE_KINDS


def _name(value: Any) -> bool:
    """A string with something in it."""
    return type(value) is str and bool(value.strip())


def _width(value: Any) -> bool:
    """A reading width in cells."""
    return type(value) is int and 1 <= value <= 10_000


class RecordShape(NamedTuple):
    """What a usable record of one table holds (a named tuple: cheaper to define at start-up)."""

    key: str
    """The field naming the record (a non-empty string)."""
    fields: dict[str, Check]
    """Fields that must pass their check when present."""
    required: tuple[str, ...] = ()
    """Fields that must be present."""
    needs: Mapping[str, tuple[str, ...]] = MappingProxyType({})
    """Fields that must be present when another one is (``chapter`` needs ``paragraph``)."""


RECORD_SHAPES: dict[str, RecordShape] = {
    "progress": RecordShape(
        "story_id",
        {
            "chapter": _index,
            "paragraph": _index,
            "offset": _index,
            "when": _moment,
            "title": _text,
            "path": _text,
            "read": _indexes,
            "fingerprint": _fingerprint,
        },
        needs={"chapter": ("paragraph",), "paragraph": ("chapter",)},
    ),
    "acknowledgements": RecordShape(
        "story_id",
        {"acknowledged": _flag, "when": _moment, "gates": _indexes, "stopped_at": _optional_index},
    ),
    "folds": RecordShape("story_id", {"folds": _folds}),
    "statuses": RecordShape("story_id", {"status": _text, "when": _moment}, ("status",)),
    "bookmarks": RecordShape(
        "id",
        {
            "story_id": _text,
            "story_title": _text,
            "path": _text,
            "chapter": _index,
            "paragraph": _index,
            "offset": _index,
            "note": _text,
            "snippet": _text,
            "created": _moment,
            "fingerprint": _fingerprint,
        },
        tuple(f for f in BOOKMARK_FIELDS if f not in ("id", "fingerprint")),
    ),
    "preferences": RecordShape("key", {}, ("value",)),
    "pace": RecordShape(
        "id", {"words": _count, "seconds": _positive, "when": _moment}, ("words", "seconds")
    ),
    "seen": RecordShape("story_id", {"chapters": _index, "when": _moment}, ("chapters",)),
    "mutes": RecordShape(
        "key", {"kind": _mute_kind, "value": _name, "when": _moment}, ("kind", "value")
    ),
}
"""The tables this code reads and what their records must hold; other tables are kept as found."""

PREF_CHECKS: dict[str, Check] = {
    "reading_width": _width,
    "warn_mode": _text,
    "notes": _text,
    "theme": _text,
    "wpm": _count,
    "hidden_warnings": _texts,
    "whole_work": _flag,
}
"""What a known preference's value must be (an unknown preference may hold any JSON value)."""


def record_problem(table: str, doc: RawDoc) -> str | None:
    """Why a record of ``table`` cannot be used (one short phrase), or None when it can."""
    shape = RECORD_SHAPES.get(table)
    if shape is None:
        return None
    key = doc.get(shape.key)
    if type(key) is not str or not key:
        return f"a {table} record has no {shape.key}"
    checks = shape.fields
    for field, value in doc.items():
        check = checks.get(field)
        if check is not None and not check(value):
            return f"{table} record {key[:40]!r} has a bad {field} ({_dumps(value)[:30]})"
    for field in shape.required:
        if field not in doc:
            return f"{table} record {key[:40]!r} has no {field}"
    for field, needed in shape.needs.items():
        for other in needed:
            if field in doc and other not in doc:
                return f"{table} record {key[:40]!r} has {field} but no {other}"
    if table == "preferences":
        value_check = PREF_CHECKS.get(key)
        if value_check is not None and not value_check(doc["value"]):
            return f"preference {key!r} has a bad value ({_dumps(doc['value'])[:30]})"
    return None


def drop_bad_records(data: RawData, known: RawData | None = None) -> list[str]:
    """Remove every record that cannot be used from ``data``; the reasons, one per record.

    Records equal to the same record in ``known`` (the memory copy, already checked) are not
    checked again, so re-reading a file another session changed costs little.
    """
    problems: list[str] = []
    known = known or {}
    for table_name, table in data.items():
        if table_name not in RECORD_SHAPES:
            continue
        seen = known.get(table_name, {})
        for doc_id in list(table):
            doc = table[doc_id]
            if seen.get(doc_id) == doc:
                continue
            problem = record_problem(table_name, doc)
            if problem is not None:
                problems.append(problem)
                del table[doc_id]
    return problems
