"""``parse_html`` takes scripts, styles, ``noscript`` and templates out, and runs its selector
only when the markup opens one of them (the same tree either way)."""

from __future__ import annotations

import pytest

from tui_reader.importers._html_blocks import parse_html

PLAIN = "<html><body><h1>Low Tide</h1><p>The <i>boats</i> lay on the mud.</p></body></html>"
"""Markup with none of the elements taken out."""


@pytest.mark.parametrize("source", [PLAIN, PLAIN.encode()])
def test_markup_without_scripts_is_parsed_as_it_is(source: str | bytes) -> None:
    """Nothing taken out of plain markup (text or bytes)."""
    tree = parse_html(source)
    assert tree.body is not None
    assert tree.body.html == "<body><h1>Low Tide</h1><p>The <i>boats</i> lay on the mud.</p></body>"


@pytest.mark.parametrize(
    "hidden",
    [
        "<script>var a = 1;</script>",
        "<SCRIPT type='text/javascript'>x()</SCRIPT>",
        "<style>p { color: red }</style>",
        "<noscript>Enable it</noscript>",
        "<Template><p>Hidden</p></Template>",
    ],
)
@pytest.mark.parametrize("as_bytes", [False, True])
def test_scripts_styles_and_templates_are_taken_out(hidden: str, as_bytes: bool) -> None:
    """Each is taken out, whatever its case, from text and from bytes."""
    markup = PLAIN.replace("<p>", hidden + "<p>", 1)
    tree = parse_html(markup.encode() if as_bytes else markup)
    assert tree.body is not None
    assert " ".join(tree.body.text(separator=" ").split()) == "Low Tide The boats lay on the mud."
