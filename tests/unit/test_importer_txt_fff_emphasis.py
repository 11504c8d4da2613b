"""FanFicFare TXT marks emphasis as html2text does (``_italics_``, ``**bold**``,
``~~Strike through~~``, with a space put after a closing mark before a comma): those marks are
read, so the TXT reads word for word as the HTML of the same story. The model keeps no inline
styling (the HTML importer keeps an ``<i>``'s or ``<b>``'s words, not the styling), so the marks
go and their words stay; struck text keeps its ``~~`` marks, as the HTML importer writes an
``<s>``. Marks inside words (``snake_case``) and addresses are left alone.

The TXT and HTML are made at test time by FanFicFare's own CLI and test adapter
(tests/fixtures/fanficfare.py), whose chapter text has ``<i>italics</i>, <b>bold</b>``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.fixtures.fanficfare import FanFicFare
from tui_reader.audit import audit
from tui_reader.importers import load_story
from tui_reader.importers._txt_common import read_emphasis
from tui_reader.model import Story

_TIMESTAMP = re.compile(r"^Timestamp:.*$")
"""The adapter stamps each chapter with the time it was fetched (differs between runs)."""


def _blocks(story: Story) -> list[list[tuple[str, str]]]:
    """Every chapter's blocks as (kind, text), fetch times blanked."""
    return [
        [(b.kind, _TIMESTAMP.sub("Timestamp:", b.text)) for b in chapter.blocks]
        for chapter in story.chapters
    ]


@pytest.mark.parametrize("sid", [1, 1001])
def test_fanficfare_txt_reads_as_its_html(fanficfare: FanFicFare, sid: int) -> None:
    txt = fanficfare.make("txt", sid)
    raw = txt.read_text(encoding="utf-8")
    assert "_italics_ , **bold** , underline, ~~Strike through~~" in raw  # what FFF writes
    from_txt, from_html = load_story(txt), load_story(fanficfare.make("html", sid))
    assert _blocks(from_txt) == _blocks(from_html)
    texts = [b.text for c in from_txt.chapters for b in c.blocks]
    assert any("] italics, bold, underline, ~~Strike through~~ consectetur" in t for t in texts)
    assert not any(re.search(r"\*\*|(?<!\w)_\w", t) for t in texts)
    result = audit(from_txt, txt, txt.read_bytes())
    assert result.unaccounted <= 0.01, result.lines()


def test_fanficfare_txt_emphasis_in_a_file(fanficfare: FanFicFare, tmp_path: Path) -> None:
    """Marks html2text wrote over a wrapped line, nested, or next to a possessive; and
    underscores that are not marks, in a paragraph added to a FanFicFare TXT."""
    lines = fanficfare.make("txt", 1).read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Lorem tests:"))
    added = [
        "She read _The Long Harbour_ 's last page, then **_all_** of it _again and",
        "again_ ; see snake_case_name, __init__ and http://example.org/_draft_/page_2.",
        "",
    ]
    path = tmp_path / "story.txt"
    path.write_text("\n".join([*lines[:at], *added, *lines[at:]]) + "\n", encoding="utf-8")
    texts = [b.text for c in load_story(path).chapters for b in c.blocks]
    assert (
        "She read The Long Harbour's last page, then all of it again and again; see "
        "snake_case_name, __init__ and http://example.org/_draft_/page_2."
    ) in texts


@pytest.mark.parametrize(
    ("marked", "read"),
    [
        ("_italics_ , **bold** , ~~gone~~ here", "italics, bold, ~~gone~~ here"),
        ("~~**_all_** struck~~ , then", "~~all struck~~, then"),
        ("(_aside_) and “_Really_?”", "(aside) and “Really?”"),
        ("_Note_ : here; _word_ —tight; _word_ — spaced", "Note: here; word—tight; word — spaced"),
        ("**_both_** and _**both**_", "both and both"),
        ("_over  \ntwo lines_ end", "over  \ntwo lines end"),
    ],
)
def test_marks_are_read(marked: str, read: str) -> None:
    assert read_emphasis(marked) == read


@pytest.mark.parametrize(
    "plain",
    [
        "snake_case_name and __init__",
        "x_y_ z and a_b_c",
        "http://example.org/_draft_/a and www.a_b_.example",
        "write to a_b@example.org or @_handle_ today",
        "2**3**4 and 5 ** 6 ** 7 and ~~ alone",
        "fill in the ___ here and _ _ there",
    ],
)
def test_underscores_that_are_not_marks_stay(plain: str) -> None:
    assert read_emphasis(plain) == plain
