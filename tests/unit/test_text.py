"""The one sanitising step and word counts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tui_reader.importers._html_blocks import clean_line
from tui_reader.text import (
    REMOVED_CODEPOINTS,
    collapse_whitespace,
    count_words,
    has_wide,
    normalise_spaces,
    sanitise,
)


def test_sanitise_removes_terminal_controls_and_bidi_overrides() -> None:
    raw = "a\x1b[31mred\x1b[0m\x07 b\x00c\x7f\x9b2Jd \u202eevil\u202c \u2066iso\u2069"
    assert sanitise(raw) == "a[31mred[0m bc2Jd evil iso"


def test_sanitise_keeps_newlines_tabs_and_folds_crlf() -> None:
    assert sanitise("one\r\ntwo\rthree\tfour\n") == "one\ntwo\nthree\tfour\n"


def test_sanitise_leaves_markup_like_text_alone() -> None:
    assert sanitise("[bold]not bold[/] *and* <b>") == "[bold]not bold[/] *and* <b>"


@given(st.text())
def test_sanitise_never_leaves_a_removed_character(text: str) -> None:
    cleaned = sanitise(text)
    assert not any(ord(c) in REMOVED_CODEPOINTS for c in cleaned)
    assert "\r" not in cleaned


def test_sanitise_removes_exactly_its_code_points_and_keeps_every_other() -> None:
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and c != 0x0D)
    kept = "".join(c for c in every if ord(c) not in REMOVED_CODEPOINTS)
    assert sanitise(every) == kept
    assert 0 < len(every) - len(kept) == len(REMOVED_CODEPOINTS - {0x0D})  # (CR: folded first)


def test_normalise_spaces_folds_nbsp() -> None:
    assert normalise_spaces("a\u00a0b\ufeff") == "a b"


def test_count_words_counts_cjk_characters_one_each() -> None:
    assert count_words("The quick brown fox.") == 4
    assert count_words("雨が降る") == 4
    assert count_words("She said 你好 twice") == 5


def test_count_words_splits_non_ascii_text_without_cjk_on_whitespace() -> None:
    assert count_words("Café — naïve\u00a0Zoë’s “word”") == 5


def test_count_words_leaves_out_cjk_punctuation() -> None:
    """AO3 counts CJK characters, not the full-width punctuation between them."""
    assert count_words("灯在午夜前灭了两次，她又点亮了它。") == 15
    assert count_words("“海鸥有多少只？”他问。") == 8
    assert count_words("渡船准时出发了——这是第一次。") == 12
    assert count_words("Hello 你好！ world") == 4


def test_count_words_is_additive_over_lines() -> None:
    """A text counts the same as its lines one by one (the audit relies on it)."""
    lines = ["Onna(女)] and “quotes” — here", "渡船——这是。", "Café — naïve", "plain words"]
    assert count_words("\n".join(lines)) == sum(count_words(line) for line in lines)


def test_collapse_whitespace_is_the_one_whitespace_rule() -> None:
    """Every run of whitespace, newlines and no-break spaces too, becomes one space."""
    assert collapse_whitespace("  two\n\tlines \u00a0 here  ") == "two lines here"
    assert collapse_whitespace("\u3000") == ""
    assert collapse_whitespace("one") == "one"


def test_has_wide_finds_cjk_and_full_width_forms_and_nothing_else() -> None:
    for text in ("a。b", "カ", "ｱ", "全角Ａ", "x\u3000y", "\uffef"):
        assert has_wide(text), text
    for text in ("", "plain", "café — “quoted” …", "emoji \U0001f600", "\u2fff", "\ufff0"):
        assert not has_wide(text), text


@given(st.text())
def test_has_wide_is_any_character_from_u3000_to_uffef(text: str) -> None:
    assert has_wide(text) == any("\u3000" <= c <= "\uffef" for c in text)


def test_every_removed_character_is_unprintable() -> None:
    """:func:`sanitise` returns printable text as it is: none it removes (nor CR) is printable."""
    assert not any(chr(c).isprintable() for c in REMOVED_CODEPOINTS)
    assert not "\r".isprintable()


_SPACES = st.sampled_from([" ", "  ", "\n", "\t", "\u00a0", "\u3000", "\x0b", "\x1c", "\u2028"])
"""White space of every kind, runs of it, and characters that are white space to ``split``."""


@given(st.lists(st.one_of(st.text(max_size=6), _SPACES), max_size=12).map("".join))
def test_sanitise_and_collapse_whitespace_read_printable_text_as_the_full_pass_does(
    text: str,
) -> None:
    """The shortcuts for printable text give what the full pass gives on any text."""
    folded = text.replace("\r\n", "\n").replace("\r", "\n")
    assert sanitise(text) == "".join(c for c in folded if ord(c) not in REMOVED_CODEPOINTS)
    assert collapse_whitespace(text) == " ".join(text.split())


@given(st.lists(st.one_of(st.text(max_size=6), _SPACES), max_size=12).map("".join))
def test_clean_line_reads_printable_text_as_its_three_passes_do(text: str) -> None:
    """Its shortcut for printable text gives what sanitising, folding the no-break spaces and
    collapsing the white space give, on any text."""
    assert clean_line(text) == collapse_whitespace(normalise_spaces(sanitise(text)))
