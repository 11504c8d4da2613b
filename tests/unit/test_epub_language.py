"""A pandoc EPUB made without ``lang`` has no language, not "C" (pandoc writes the system
locale's name as ``dc:language``: "C", "POSIX", "C" for "C.UTF-8", or nothing).

The books are made at test time by pandoc (tests/fixtures/epub_producers.py) under each locale.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.fixtures.epub_producers import PANDOC, pandoc_epub
from tui_reader.importers import load_story

MARKDOWN = """---
title: The Quiet Harbour
author: Ines Varga
{lang}---

# One

The lamp went out twice before midnight.

# Two

Morning came grey over the breakwater.
"""


def _dc_language(epub: Path) -> list[str]:
    """Every dc:language the book's package document gives, verbatim."""
    with zipfile.ZipFile(epub) as zf:
        opf = next(n for n in zf.namelist() if n.endswith(".opf"))
        text = zf.read(opf).decode("utf-8")
    start, out = 0, []
    while (at := text.find("<dc:language>", start)) >= 0:
        end = text.index("</dc:language>", at)
        out.append(text[at + len("<dc:language>") : end])
        start = end
    return out


@pytest.mark.parametrize(
    ("locale", "written"), [("C", "C"), ("POSIX", "POSIX"), ("C.UTF-8", "C"), ("", "")]
)
def test_pandoc_without_lang_gives_no_language(tmp_path: Path, locale: str, written: str) -> None:
    if PANDOC is None:
        pytest.skip("pandoc is not installed")
    epub = pandoc_epub(MARKDOWN.format(lang=""), tmp_path / "h.epub", locale=locale)
    assert _dc_language(epub) == [written]  # what pandoc really writes
    story = load_story(epub)
    assert story.language is None
    assert [c.title for c in story.chapters] == ["One", "Two"]
    assert json.loads(json.dumps(story.to_dict()))["language"] is None


@pytest.mark.parametrize(("lang", "shown"), [("en-GB", "en-GB"), ("und", None)])
def test_pandoc_with_lang(tmp_path: Path, lang: str, shown: str | None) -> None:
    if PANDOC is None:
        pytest.skip("pandoc is not installed")
    epub = pandoc_epub(MARKDOWN.format(lang=f"lang: {lang}\n"), tmp_path / "h.epub", locale="C")
    assert _dc_language(epub) == [lang]
    assert load_story(epub).language == shown
