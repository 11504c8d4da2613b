"""``markup_words`` counts a chapter's words from its markup: the visible words, and the
chapter-text words without scene-break lines and attribution dashes. Text without CJK is
counted in one split; text with CJK line by line: both give what counting each line gives."""

from __future__ import annotations

import pytest

from tui_reader.importers._html_blocks import markup_words, without_hidden
from tui_reader.text import count_words


def test_scene_breaks_and_leading_dashes_are_left_out_of_the_chapter_words() -> None:
    """Five visible lines: the break line and the dash count as seen, not as chapter text."""
    markup = (
        "<p>The <b>tide</b> came in.</p><p>* * *</p><p>— A Sailor</p>"
        "<p>Gulls<br/>rose over the harbour</p>"
    )
    shown, words = markup_words(markup)
    assert shown == 4 + 3 + 3 + 4 + 1
    assert words == 4 + 2 + 4 + 1


@pytest.mark.parametrize(
    ("markup", "lines", "chapter_lines"),
    [
        (  # with CJK: counted line by line
            "<p>海は静かだった。</p><p>* * *</p><p>— 船乗り</p><p>The boats lay.</p>",
            ["海は静かだった。", "* * *", "— 船乗り", "The boats lay."],
            ["海は静かだった。", "船乗り", "The boats lay."],
        ),
        (  # without: one split
            "<p>The boats lay on the mud.</p><p>~ ~ ~</p><p>-- Old Song</p>",
            ["The boats lay on the mud.", "~ ~ ~", "-- Old Song"],
            ["The boats lay on the mud.", "Old Song"],
        ),
    ],
)
def test_both_ways_of_counting_agree_with_counting_line_by_line(
    markup: str, lines: list[str], chapter_lines: list[str]
) -> None:
    """Visible words are each line's summed; chapter words leave the break and dash out."""
    shown, words = markup_words(markup)
    assert shown == sum(count_words(line) for line in lines)
    assert words == sum(count_words(line) for line in chapter_lines)


@pytest.mark.parametrize(
    "hidden",
    ["<HEAD><title>Low Tide</title></HEAD>", "<Style>p {}</Style>", "<sCrIpT>x()</sCrIpT>"],
)
def test_hidden_elements_are_found_in_any_case(hidden: str) -> None:
    """A hidden element written in capitals or mixed case is taken out before counting."""
    markup = f"<html>{hidden}<body><p>The boats lay on the mud.</p></body></html>"
    assert "Low Tide" not in without_hidden(markup)
    assert "x()" not in without_hidden(markup)
    assert markup_words(markup) == (6, 6)


def test_markup_without_hidden_elements_is_returned_as_it_is() -> None:
    """Nothing to take out: the very markup comes back, not a copy."""
    markup = "<div><p>The boats lay on the <i>mud</i>.</p></div>"
    assert without_hidden(markup) is markup


@pytest.mark.parametrize(
    "line",
    [
        "plain words here",
        " leading and trailing ",
        "two  spaces",
        "tab\tand\u00a0no-break and\u3000ideographic",
        "form\x0cfeed \x1cseparator \u2028line",
        "   ",
        "",
    ],
)
def test_a_line_counts_its_runs_of_non_space(line: str) -> None:
    """Words of a line without CJK are its runs of non-space, whatever white space it holds."""
    shown, _ = markup_words(f"<p>{line}</p><p>one more</p>")
    assert shown == len(line.split()) + 2
