"""The importers' cheap pre-checks never change what their patterns answer.

Each pre-check (:func:`grammar.may_be_numbered`, :func:`grammar.may_be_named`,
:func:`grammar.title_after_separator`, :func:`grammar.break_shape`,
:func:`grammar.may_be_note_label`, the colon of ``label_line``, the "by" of the by-line,
:func:`_txt_common.quote_may_move` and the bare chapter count of ``Header._chapters``) lets
ordinary lines skip compiling and running a pattern. They are held to their patterns here: for
generated lines near the patterns' edges (heading words and note labels in any case, the
characters that match an ASCII letter under IGNORECASE, every kind of space, marker symbols)
and for every line of the real dumps in ../shared/seeds, the answer with the pre-check equals
the answer without it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from tui_reader.importers import _txt_archive, _txt_common, _txt_header, grammar
from tui_reader.model import Block

PREFIXES = (
    "Chapter", "chapter", "CHAPTER", "Ch.", "ch", "Ch", "CH.", "Chapters", "Charlie", "Part",
    "part", "Book", "Section", "Sect", "Prologue", "PROLOGUE", "prelude", "Interlude",
    "Intermission", "Epilogue", "Coda", "Preface", "Foreword", "Afterword", "After", "Epic",
    "第", "第二章", "第12話", "12", "1.", "Author's Note", "author’s notes", "Writer's note",
    "A/N", "A / N", "a  /n", "AN", "An", "A ", "End Notes", "Chapter Notes", "Story notes",
    "Work Notes", "Notes", "Note", "Disclaimer", "Disclaimers", "([*", "(", "[", "*_", "  ",
    "* * *", "***", "~~~", "---", "###", "oOo", "o0o", "xXx", "-x-", "~o~", "xxx", "x x x",
    "—", "–", "―", "§", "⁂", "＊＊＊", "By", "by", "BY ", "Total Chapters", "Title", "”", "“",
    "ſection", "ſtory", "ſ", "ı", "İ", "K", "ch\xa0", "ch\u3000", "Chapter\x1c",
)  # fmt: skip
"""Openings near the patterns' edges, real ones and near misses."""

PIECES = (
    " 1", " 12", "1", " 4.5", " One", " twenty-one", " twenty one", " XIV", " iv", " mix",
    ":", ": ", ". ", " - ", " — ", "—", "|", " (", ")", "(Title)", " Title", "Title", " & ",
    "'s", "’s", " note", " notes", ":", " -", " –", "/", "n", "N", "*", "_", " * ", "o", "O",
    "x", "X", "0", "~", "-", "=", "\n", "\t", "\xa0", "\u3000", "\x1c", "  ", ". ", "! ", "? ",
    "… ", "” ", "“ ", "” He", "“ The", ",” Tara", "ſ", "ı", "İ", "K", "二十一", "章", "a",
    "by", "Quiet", "said.", "",
)  # fmt: skip
"""Pieces that follow an opening."""

ALPHABET = "ChapterNo1205:.|-–—()[]*_#=~xXoO§⁂/\\ \t\n\xa0\u3000\x1cſıİK第二章”“’'.!?…bByA"
"""Characters the free-form lines are made of."""

LINES = st.one_of(
    st.builds(
        lambda head, tail, case: (
            "".join(c.swapcase() if flip else c for c, flip in zip(head, case, strict=False)) + tail
        ),
        st.sampled_from(PREFIXES),
        st.lists(st.sampled_from(PIECES), max_size=6).map("".join),
        st.lists(st.booleans(), min_size=20, max_size=20),
    ),
    st.text(alphabet=ALPHABET, max_size=40),
    st.text(alphabet=grammar._MARKER_SYMBOLS + "  oxX0—\t", min_size=1, max_size=64),
    st.text(max_size=30),
)
"""A line to check: an opening (its case changed here and there) and pieces, or free text."""


def _title_by_pattern(rest: str) -> tuple[int, str] | None:
    """What :data:`grammar._TITLE_AFTER_SEP` alone answers."""
    m = grammar._TITLE_AFTER_SEP.match(rest)
    return (m.start("title"), m.group("title")) if m else None


@contextmanager
def prechecks_off() -> Iterator[None]:
    """The grammar with every pre-check answering "ask the pattern"."""
    with ExitStack() as stack:
        for name, stand_in in (
            ("may_be_numbered", lambda text: True),
            ("may_be_named", lambda text: True),
            ("title_after_separator", _title_by_pattern),
            ("break_shape", lambda text: None),
            ("may_be_note_label", lambda text: True),
        ):
            stack.enter_context(patch.object(grammar, name, stand_in))
        yield


def _both(function: Callable[[str], object], line: str) -> tuple[object, object]:
    """``function(line)`` with the pre-checks, then without."""
    with_checks = function(line)
    with prechecks_off():
        return with_checks, function(line)


def _label_by_pattern(line: str) -> tuple[str, str] | None:
    """What ``label_line`` answers from its pattern alone."""
    m = _txt_header._LABEL_LINE.match(line.strip())
    if m is None:
        return None
    label = m.group("label").strip().lower()
    return (label, m.group("value").strip()) if label in _txt_header.KNOWN_LABELS else None


def _span(m: re.Match[str] | None) -> tuple[int, int, str] | None:
    """A match as something to compare."""
    return None if m is None else (m.start(), m.end(), m.group(0))


def check_line(line: str) -> None:
    """Every pre-check on ``line`` (and its stripped and left-stripped forms) against its
    pattern."""
    for text in {line, line.strip(), line.lstrip()}:
        for known in (False, True):
            got, expected = _both(lambda t, k=known: grammar.parse_heading(t, known=k), text)
            assert got == expected, (text, known)
        got_break, expected_break = _both(grammar.is_scene_break, text)
        assert got_break == expected_break, text
        got_label, expected_label = _both(grammar.note_label, text)
        assert _span(got_label) == _span(expected_label), text  # type: ignore[arg-type]
        if grammar._NUMBERED.match(text) or grammar._NUMBERED_DIGITS.match(text):
            assert grammar.may_be_numbered(text), text
        if grammar._NAMED.match(text):
            assert grammar.may_be_named(text), text
        if grammar._CJK.match(text):
            assert text[:1] == "第", text
        assert grammar.title_after_separator(text) == _title_by_pattern(text), text
        if text and text == text.strip():
            shape = grammar.break_shape(text)
            assert shape is None or shape == bool(grammar._BREAK_LINE.match(text)), text
        if grammar._NOTE_LABEL.match(text) or grammar._AN_LABEL.match(text):
            assert grammar.may_be_note_label(text), text
        assert _txt_header.label_line(text) == _label_by_pattern(text), text
        assert _span(_txt_archive._by_line(text)) == _span(_txt_archive._BY_LINE.match(text))
        if not _txt_common.quote_may_move(text):
            assert _txt_common._QUOTE_SPACE.sub(_txt_common._fix_quote, text) == text, text


@settings(max_examples=1500, deadline=None)
@given(line=LINES)
def test_generated_lines_get_the_patterns_answers(line: str) -> None:
    """Lines near the patterns' edges: each pre-check agrees with its pattern."""
    check_line(line)


def test_seed_lines_get_the_patterns_answers(seeds: Path) -> None:
    """Every line of the real dumps, and each paragraph of them (lines up to a blank one):
    each pre-check agrees with its pattern."""
    paths = sorted(seeds.glob("*.txt"))
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            check_line(line)
        for paragraph in text.split("\n\n"):
            if _txt_common.quote_may_move(paragraph) is False:
                fixed = _txt_common._QUOTE_SPACE.sub(_txt_common._fix_quote, paragraph)
                assert fixed == paragraph


def test_every_alternative_near_its_edge() -> None:
    """A seeded sweep of every opening with every one or two pieces after it, in three cases."""
    rng = random.Random(11)
    for head in PREFIXES:
        for case in (head, head.upper(), head.lower()):
            for piece in PIECES:
                check_line(case + piece)
                check_line(case + piece + rng.choice(PIECES))


def test_long_runs_near_the_limits() -> None:
    """Marker lines of up to 60 symbols (the pattern takes at most 40), spaced or not, and an
    "a" far from its "/" (more spaces than the note label's pre-check looks at)."""
    for symbol in ("*", "~", "-", "§", "＊", "o", "x"):
        for count in range(1, 62):
            check_line(symbol * count)
            check_line(" ".join(symbol * count)[:60])
            check_line((symbol + " ") * count)
    for spaces in range(0, 40):
        check_line("A" + " " * spaces + "/ N: thanks")
        check_line("(a" + "\t" * spaces + "/n - thanks")
        check_line("*_ A" + " " * spaces + "x")


def _total_by_pattern(value: str, *, total: bool) -> int | None:
    """The chapter total ``Header._chapters`` reads from its pattern alone."""
    m = re.match(r"^\s*(\d+)\s*(?:/\s*(\d+|\?))?", value)
    if m is None:
        return None
    if m.group(2) is None:
        return int(m.group(1)) if total else None
    return int(m.group(2)) if m.group(2).isdigit() else None


@settings(max_examples=500, deadline=None)
@given(
    value=st.one_of(
        st.text(alphabet="0123456789 /?\t٣２²x", max_size=12),
        st.integers(0, 10**6).map(str),
    ),
    total=st.booleans(),
)
def test_a_chapter_count_reads_as_its_pattern_does(value: str, *, total: bool) -> None:
    """ "Total Chapters: 20": a bare number is read without the pattern, to the same total."""
    header = _txt_header.Header()
    header._chapters(value, total=total)
    assert header.chapters_total == _total_by_pattern(value, total=total)


def test_the_pre_checks_turn_ordinary_lines_away() -> None:
    """What the pre-checks are for: prose, titles and labels that cannot match are answered
    without the patterns."""
    prose = "A 500,000-word tale of small errands. Nell keeps a pocket watch safe."
    assert not grammar.may_be_numbered(prose)
    assert not grammar.may_be_named(prose)
    assert not grammar.may_be_note_label(prose)
    assert not grammar.may_be_numbered("Charlie said so.")
    assert not grammar.may_be_named("Epic.")
    assert grammar.break_shape("Odile looked up.") is False
    assert grammar.break_shape("* * *") is True
    assert grammar.break_shape("oOo") is None
    assert grammar.title_after_separator(": Meridian and Winter") == (2, "Meridian and Winter")
    assert not _txt_common.quote_may_move("“We should,” Corwin said. “Now.”")
    assert _txt_common.quote_may_move("He left. ” Tara waved.")


def test_headings_and_labels_still_read() -> None:
    """The pre-checks let every real kind through: headings, named ones, CJK, labels, breaks."""
    heading = grammar.parse_heading("Chapter 1: Meridian and Winter")
    assert heading is not None and (heading.number, heading.title) == (1, "Meridian and Winter")
    assert heading.label == "Chapter 1:"
    assert grammar.parse_heading("Prologue") is not None
    assert grammar.parse_heading("第二章：雪") is not None
    assert grammar.parse_heading("A 500,000-word tale.") is None
    assert grammar.note_label("A / N: thanks") is not None
    assert grammar.note_label("AN: thanks") is not None
    assert grammar.strip_note_label("(Author's Note: hello)") == "hello"
    assert grammar.is_scene_break("* * *") and grammar.is_scene_break("-x-")
    assert not grammar.is_scene_break("Odile looked up.")
    assert grammar.split_epigraph("“Quiet.”\n— Someone", None) == (
        Block("epigraph", "“Quiet.”", "Someone"),
        1,
    )
