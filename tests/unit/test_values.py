"""Value classes written out instead of ``@dataclass`` (tui_reader.values), and lazy patterns.

They must behave as the dataclasses they replaced: constructor, equality, repr, hash, frozen-ness;
and a lazy pattern as the compiled pattern.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
import re

import pytest

from tui_reader.config import Preferences, Settings
from tui_reader.importers.grammar import NUMBER_WORD_PATTERN, NUMBER_WORDS
from tui_reader.importers.warnings import stop_points
from tui_reader.model import Block, Chapter, Source, Story, Tags, WarningGate
from tui_reader.state import Bookmark, Position
from tui_reader.text import lazy_pattern


def test_frozen_value_equality_hash_and_repr() -> None:
    """Equal fields, equal values with one hash; the repr names every field."""
    a = Block("epigraph", "Quote", "Someone")
    assert a == Block("epigraph", "Quote", "Someone")
    assert a != Block("epigraph", "Quote")
    assert hash(a) == hash(Block("epigraph", "Quote", "Someone"))
    assert len({a, Block("epigraph", "Quote", "Someone")}) == 1
    assert repr(a) == "Block(kind='epigraph', text='Quote', attribution='Someone')"
    assert a != ("epigraph", "Quote", "Someone")  # only the same class compares equal


def test_frozen_value_refuses_changes_and_copies() -> None:
    """Assigning or deleting a field raises FrozenInstanceError; copies are equal."""
    gate = WarningGate(3, "Stop here.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        gate.reason = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del gate.before_chapter
    assert copy.copy(gate) == gate
    assert copy.deepcopy(gate) == gate
    assert pickle.loads(pickle.dumps(Source("/a.epub", "epub"))) == Source("/a.epub", "epub")


def test_mutable_values_are_unhashable_and_hide_fields_from_repr() -> None:
    """A chapter compares by its fields, is unhashable, and keeps blocks and loader out of its
    repr; lists given by no argument are new per instance."""
    one = Chapter(1, "T", 3)
    assert one == Chapter(1, "T", 3)
    with pytest.raises(TypeError):
        hash(one)
    assert "_loader" not in repr(Chapter.lazy(2, None, 1, list))
    assert one.notes_before is not Chapter(1, "T", 3).notes_before
    story = Story("S", Source("p", "epub"), chapters=[one])
    assert "chapters=" not in repr(story) and "chapters_total=None" in repr(story)
    assert story.tags == Tags() and story.tags is not Story("S", Source("p", "epub")).tags


def test_position_compares_by_place_not_fingerprint() -> None:
    """A position's fingerprint is not part of its equality or hash."""
    assert Position(1, 2, 3, "abc") == Position(1, 2, 3, None)
    assert hash(Position(1, 2, 3, "abc")) == hash(Position(1, 2, 3))
    assert Position(1, 2) == Position(1, 2, 0)


def test_settings_still_work_with_dataclass_helpers() -> None:
    """fields() and replace() keep working on the settings and preferences."""
    settings = dataclasses.replace(Settings(), plain=True)
    assert settings.plain and settings == Settings(plain=True)
    assert [f.name for f in dataclasses.fields(Preferences)][:2] == ["theme", "reading_width"]
    assert Settings().keys is not Settings().keys


def test_bookmark_to_dict_names_every_field() -> None:
    """A bookmark's dict holds every field, as dataclasses.asdict gave it."""
    mark = Bookmark("1", "s", "T", "/p", 0, 1, 2, "note", "snip", 5.0)
    assert mark.to_dict() == {
        "id": "1",
        "story_id": "s",
        "story_title": "T",
        "path": "/p",
        "chapter": 0,
        "paragraph": 1,
        "offset": 2,
        "note": "note",
        "snippet": "snip",
        "created": 5.0,
        "fingerprint": None,
    }


def test_lazy_pattern_matches_as_the_compiled_one() -> None:
    """A lazy pattern's methods and attributes are the compiled pattern's."""
    lazy = lazy_pattern(r"(?P<n>\d+)x", re.IGNORECASE)
    compiled = re.compile(r"(?P<n>\d+)x", re.IGNORECASE)
    assert lazy.search("a 12X")["n"] == compiled.search("a 12X")["n"] == "12"  # type: ignore[index]
    assert lazy.sub("-", "1x 2X") == compiled.sub("-", "1x 2X")
    assert [m.span() for m in lazy.finditer("1x2x")] == [(0, 2), (2, 4)]
    assert lazy.pattern == compiled.pattern and lazy.flags == compiled.flags
    assert copy.deepcopy(lazy).fullmatch("3x") is not None


def test_number_words_pattern_matches_exactly_the_number_words() -> None:
    """The number-word alternation matches every number word and nothing else, preferring the
    longer of two words one begins ("twenty-one" over "twenty", "sixteen" over "six")."""
    whole = re.compile(f"(?:{NUMBER_WORD_PATTERN})", re.IGNORECASE)
    for word in NUMBER_WORDS:
        assert whole.fullmatch(word) and whole.fullmatch(word.upper()), word
    for other in ("zero", "twentyone", "twenty  one", "teen", "sixt", "ninety-ten"):
        assert not whole.fullmatch(other), other
    prefix = re.compile(f"(?:{NUMBER_WORD_PATTERN})", re.IGNORECASE)
    assert prefix.match("twenty-one!")[0] == "twenty-one"  # type: ignore[index]
    assert prefix.match("Sixteen")[0] == "Sixteen"  # type: ignore[index]
    assert prefix.match("sixty two")[0] == "sixty two"  # type: ignore[index]


def test_stop_points_found_in_any_case() -> None:
    """Stop points are still read in capitals and with a long s (the quick check before the
    patterns lets every sentence they can match through)."""
    assert stop_points("STOP AFTER CHAPTER SEVEN.") == [WarningGate(8, "STOP AFTER CHAPTER SEVEN.")]
    assert stop_points("ſtop at chapter 2") == [WarningGate(3, "ſtop at chapter 2")]
    assert stop_points("Chapter 12 is the last you should read.")[0].before_chapter == 13
    assert stop_points("Thanks for reading each chapter!") == []
