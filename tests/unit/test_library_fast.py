"""The library's fast path lists every story exactly as the full import does.

Each file is listed twice, by :meth:`Library._import` (the fast path where the format has one)
and by :meth:`Library._import_full`, and the two entries must be equal field by field: the
bundled stories, Markdown written to test every rule of the format, and files made by the
producers the importers read (AO3 downloads, FanFicFare, pandoc).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from tests.conftest import STORIES
from tests.fixtures.ao3_download import cjk_work, oneshot_work, sample_work, write_ao3_html
from tests.fixtures.ao3_page import write_ao3_page
from tests.fixtures.epub_producers import pandoc_epub
from tests.fixtures.fanficfare import STORIES as FFF_STORIES
from tests.fixtures.fanficfare import FanFicFare
from tui_reader.importers import markdown as md
from tui_reader.library import Library
from tui_reader.library_fast import fast_story, read_toml
from tui_reader.text import sanitise

FRONT = """+++
title = "A  Story"
author = 'Someone'
summary = "Short."
rating = "Mature"
warnings = ["No Archive Warnings Apply"]
chapters_total = 4
[tags]
fandoms = ["F"]
additional = ["a", "b",]
+++
"""

MARKDOWN: dict[str, str] = {
    "plain": FRONT + "\n# Chapter 1: One\n\nWords here and there.\n\n# Two\n\nMore words.\n",
    "no front matter": "# One\n\nJust a body.\n",
    "no heading": "Some text before any heading.\n\nAnd more.\n",
    "blank then text": "\n\n   \n\tIndented text first.\n# Next\n\nx\n",
    "quotes and breaks": FRONT
    + "\n# One\n\n> A quote line\n> — Someone Famous\n\n* * *\n\nxxx\n\noOo\n\n"
    + "## A subheading ##\n\n#hashtag is a word\n\n    > indented quote "
    + "that is rather long and keeps going on for more than sixty characters\n\n"
    + "   "
    + "long indented line " * 5
    + "\n",
    "notes": FRONT
    + "\n::: note\nA story note.\n:::\n\n# One\n\n::: note\nBefore.\n:::\n\nBody text.\n\n"
    + "::: end-note\nAfter.\n:::\n\n# Two\n\n::: note\nunclosed note\n\n# Three\n\nText.\n",
    "note never closed at the end": "# One\n\nText.\n\n::: note\nnever closed\n",
    "end-note before chapters": "::: end-note\nToo early.\n:::\n\n# One\n\nText.\n",
    "empty end-note before chapters": "::: end-note\n:::\n\n# One\n\nText.\n",
    "cjk": '+++\ntitle = "星を数える人"\n+++\n\n# 第一章 始まり\n\n'
    + "彼は星を数えた。「一つ、二つ。」\n\n＊　＊　＊\n\n"
    + "彼女は笑った——そして去った。" * 8
    + "\n",
    "crlf and nbsp": '+++\r\ntitle = "Tab\tand\u00a0space"\r\n+++\r\n'
    + "\r\n# One\r\n\r\nA\u00a0b c.\r\n",
    "marker with trailing spaces": "# One\n\n* * *" + " " * 70 + "\n\nxxx" + "\t" * 70 + "\n",
    "front matter comments and tables": '+++\n# a comment\ntitle = "T"  \n\n[tags]\n'
    + 'characters = "One"\nrelationships = []\n+++\n# One\n\nx\n',
    "front matter tomllib reads": '+++\ntitle = "Esc\\"aped"\nsummary = """\nTwo\n\nparas\n"""\n'
    + 'content_notes = ["a"] # trailing comment\n[[warning_gates]]\nbefore_chapter = 2\n'
    + 'reason = "Stop here."\n+++\n# One\n\nx\n\n# Two\n\ny\n',
    "markup in values": '+++\ntitle = "*Bold* _title_"\nauthor = "a\\\\b"\n+++\n# One\n\nx\n',
    "broken toml": '+++\ntitle = "unclosed\n+++\n',
    "duplicate key": '+++\ntitle = "a"\ntitle = "b"\n+++\n# One\n\nx\n',
    "duplicate table": "+++\n[tags]\n[tags]\n+++\n# One\n\nx\n",
    "unknown key": '+++\ntitel = "a"\n+++\n# One\n\nx\n',
    "bad rating": '+++\nrating = "Spicy"\n+++\n# One\n\nx\n',
    "booleans and bad total": "+++\nchapters_total = true\n+++\n# One\n\nx\n",
    "no closing fence": '+++\ntitle = "a"\n# One\n\nx\n',
    "front matter only": '+++\ntitle = "a"\n+++\n',
    "empty": "   \n",
    "control characters": '+++\ntitle = "Bell\x07 and \u202eflip"\n+++\n'
    + "# One\x1b\n\nText\x00 here.\n",
    "control characters in the body": "# One\x1b\n\nText\x00 here\u202e.\n",
}
"""Markdown stories by what they exercise (some broken on purpose)."""


def assert_same(path: Path) -> None:
    """The fast and the full import list ``path`` the same."""
    assert Library._import(path) == Library._import_full(path), path.name


@pytest.mark.parametrize("name", sorted(MARKDOWN))
def test_markdown_fast_entry_is_the_full_entry(name: str, tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_bytes(MARKDOWN[name].encode("utf-8"))
    assert_same(path)


def test_plain_markdown_takes_the_fast_path(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text(MARKDOWN["plain"], encoding="utf-8")
    story = fast_story(path)
    assert story is not None
    assert (story.title, len(story.chapters), story.words) == ("A Story", 2, 6)


def test_bundled_stories(tmp_path: Path) -> None:
    for path in sorted(STORIES.iterdir()):
        assert_same(path)


def test_ao3_downloads(tmp_path: Path) -> None:
    for n, work in enumerate(
        [sample_work(), sample_work("br", "* * *"), oneshot_work(), cjk_work()]
    ):
        assert_same(write_ao3_html(work, tmp_path / f"ao3-{n}.html"))
        assert_same(write_ao3_html(work, tmp_path / f"ao3-old-{n}.html", "older"))
        assert_same(write_ao3_page(work, tmp_path / f"page-{n}.html"))


def test_pandoc_epub(tmp_path: Path) -> None:
    if shutil.which("pandoc") is None:
        pytest.skip("pandoc is not installed")
    source = "% A Title\n% An Author\n\n# One\n\nSome words.\n\n# Two\n\nMore words here.\n"
    assert_same(pandoc_epub(source, tmp_path / "pandoc.epub"))


@pytest.mark.parametrize("kind", ["txt", "html", "epub"])
def test_fanficfare(fanficfare: FanFicFare, kind: str) -> None:
    for sid in sorted(FFF_STORIES)[:2]:
        assert_same(fanficfare.make(kind, sid))


VALUES = [
    "a  b",
    " t\tq ",
    "x*y",
    "a_b",
    "a\\b",
    "a\nb",
    "a\n\nb",
    "",
    "   ",
    "é \u2003x",
    "a\x1bb",
    "\u202ea",
    "日本  語",
]
"""Front-matter strings, plain and not."""


@pytest.mark.parametrize("value", VALUES)
def test_clean_fast_path_matches_the_paragraph_rule(value: str) -> None:
    assert md._clean(value) == "\n\n".join(md._paragraphs(sanitise(value).split("\n")))


def test_read_toml_leaves_anything_else_to_tomllib() -> None:
    assert read_toml(['title = "a"', "[tags]", "fandoms = [\"x\", 'y']"]) == {
        "title": "a",
        "tags": {"fandoms": ["x", "y"]},
    }
    for line in ['a = "x" # c', 'a = "x\\ty"', "a.b = 1", "a = 1.5", "[[g]]", 'a = """x"""']:
        assert read_toml([line]) is None, line


PIECES = [
    "",
    "   ",
    "\t",
    "# Chapter 2: Two",
    "#",
    "# ",
    "## Sub ##",
    "#tag words",
    "> quoted words",
    "  > indented quote",
    "> — An Author",
    "* * *",
    "* * *" + " " * 70,
    "   xxx   ",
    "oOo",
    "—",
    "::: note",
    "::: end-note",
    ":::",
    ":: not a note",
    "Short line.",
    "A much longer line of prose that goes on and on past sixty characters for sure.",
    "  Indented prose that is also quite long, longer than sixty characters all told.",
    "日本語の文章が続きます。「こんにちは」と彼は言った——そして静かに去っていった。" * 2,
    "Trailing tab line that is long enough to pass the sixty character mark\t",
]
"""Body lines a generated story is made of."""


@pytest.mark.parametrize("seed", range(40))
def test_generated_bodies(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    lines = [rng.choice(PIECES) for _ in range(rng.randint(1, 60))]
    path = tmp_path / "story.md"
    path.write_text(FRONT + "\n".join(lines) + "\n", encoding="utf-8")
    assert_same(path)
