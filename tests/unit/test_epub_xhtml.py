"""XHTML spine documents rewritten for the HTML parser, and cut at contents targets."""

from __future__ import annotations

import pytest

from tui_reader.importers._epub_xhtml import (
    PG_END,
    PG_START,
    cut_points,
    looks_like_xhtml,
    piece,
    xhtml_as_html,
)
from tui_reader.importers._html_blocks import blocks_from_html


def test_self_closing_elements_become_empty_ones() -> None:
    """Non-void elements closing themselves no longer swallow what follows; void ones stay."""
    source = (
        '<p><a id="x" title="a > b"/>One.</p><div class="gap"/><p>Two.<br/>Three.</p>'
        "<span/><p>Four.</p>"
    )
    assert xhtml_as_html(source) == (
        '<p><a id="x" title="a > b"></a>One.</p><div class="gap"></div><p>Two.<br/>Three.</p>'
        "<span></span><p>Four.</p>"
    )
    texts = [b.text for b in blocks_from_html(xhtml_as_html(source))]
    assert texts == ["One.", "Two.\nThree.", "Four."]


def test_xhtml_is_recognised_by_declaration_or_namespace() -> None:
    assert looks_like_xhtml('\ufeff<?xml version="1.0"?><html>')
    assert looks_like_xhtml('<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>')
    assert not looks_like_xhtml("<!DOCTYPE html><html><body><p>x</p></body></html>")


def test_cuts_move_back_over_the_start_tags_that_open_onto_the_target() -> None:
    """A target inside its chapter's heading cuts before the chapter's wrapper, so the heading
    stays whole; a target after text cuts right at itself."""
    text = (
        '<body><div class="chapter"><h2><a id="c1"></a>CHAPTER I.</h2><p>One.</p></div>\n'
        '<div class="chapter">\n  <h2><a id="c2"></a>CHAPTER II.</h2><p>Two.</p></div>'
        '<p>Three <a id="mid"></a>and four.</p></body>'
    )
    points = cut_points(text, ["c1", "c2", "mid", "missing"])
    assert text[points["c1"] :].startswith('<div class="chapter"><h2><a id="c1">')
    assert text[points["c2"] :].startswith('<div class="chapter">\n  <h2><a id="c2">')
    assert text[points["mid"] :].startswith('<a id="mid">')
    assert "missing" not in points
    assert blocks_from_html(piece(text, "c2", "mid"))[0].text == "CHAPTER II."


def test_gutenberg_marker_lines_cut_the_header_and_licence_off() -> None:
    text = (
        "<body><pre>The Project Gutenberg eBook\n*** START OF THE PROJECT GUTENBERG EBOOK X ***"
        "\n</pre><p>Story.</p><p>*** END OF THE PROJECT GUTENBERG EBOOK X ***</p><p>Licence.</p>"
    )
    points = cut_points(text, [PG_START, PG_END])
    assert text[points[PG_START] : points[PG_END]] == "<p>Story.</p>"
    assert text[points[PG_END] :].startswith("<p>*** END OF")


@pytest.mark.parametrize(
    "markup",
    [
        "<p>One</p>\n<hr/>\n<p>Two</p>",
        "<p>Gulls<br/>rose</p>",
        "<hr/><br/>",
    ],
)
def test_plain_breaks_leave_the_markup_as_it_is(markup: str) -> None:
    """Only ``<br/>`` and ``<hr/>`` close themselves: the very text comes back."""
    assert xhtml_as_html(markup) is markup


@pytest.mark.parametrize(
    ("markup", "rewritten"),
    [
        ('<p>It\'s <a id="n1"/>here<br/></p>', '<p>It\'s <a id="n1"></a>here<br/></p>'),
        ('<a title="x>" \n<hr/>', '<a title="x>" \n<hr></a>'),
        ("<p>One <b c<br/></p>", "<p>One <b c<br></b></p>"),
        ("<p/><hr/>", "<p></p><hr/>"),
    ],
)
def test_breaks_beside_other_self_closing_elements_are_still_rewritten(
    markup: str, rewritten: str
) -> None:
    """A self-closing element that is not void is opened and closed, as before."""
    assert xhtml_as_html(markup) == rewritten
