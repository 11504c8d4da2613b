"""``markup_words`` counts a chapter's words from its markup: the visible words, and the
chapter-text words without scene-break lines and attribution dashes. Text without CJK is
counted a line at a time without splitting the common line into strings; text with CJK line
by line: both give what counting each line gives. ``inner_words`` counts a body's children from
their markup made at once, as ``body_words`` counts them one at a time."""

from __future__ import annotations

import pytest

from tui_reader.importers._html_blocks import (
    body_words,
    child_nodes,
    inner_words,
    markup_words,
    parse_html,
    without_hidden,
)
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
        (  # without: each line's runs of non-space
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


@pytest.mark.parametrize(
    ("markup", "shown", "words"),
    [
        ("<p>Gulls  rose</p><p>over\tthe\u00a0harbour</p>", 2 + 3, 2 + 3),  # runs, not spaces
        ("<p> The tide </p><p>\u2003</p><p>\u200bwas in</p>", 2 + 2, 2 + 2),
        ("<p>—  A Sailor</p><p>- - -</p><p>Rain\u2028fell</p>", 3 + 3 + 2, 2 + 2),
    ],
)
def test_lines_with_other_white_space_count_their_runs_of_non_space(
    markup: str, shown: int, words: int
) -> None:
    """Tabs, double spaces, no-break and line-separator spaces divide words as str.split does;
    a zero-width space joins them; a space-only line holds none."""
    assert markup_words(markup) == (shown, words)


@pytest.mark.parametrize(
    "body",
    [
        "<h1>Chapter 1</h1>\n<p>The <b>tide</b> came in &amp; out.</p>\n<hr/>\n<p>* * *</p>",
        "<!-- a note --><pre>\nGulls\n  rose</pre><p>— A Sailor</p>text after<br/>the end",
        "<div><p>One<p>two</div><table><tr><td>three four</td></tr></table><p>&nbsp;five</p>",
    ],
)
def test_a_body_counts_the_same_from_its_children_or_its_markup_at_once(body: str) -> None:
    """The body's children's markup made in one piece gives the count made a child at a
    time (the EPUB index counts a chapter that way)."""
    tree = parse_html(f"<html><body>{body}</body></html>")
    assert tree.body is not None
    assert inner_words(tree.body) == body_words(child_nodes(tree.body)) > 0
