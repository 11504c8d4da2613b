"""``inspect --audit``: the source's visible words counted apart from the importer, and matched."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from tests.fixtures.epub_producers import PANDOC, pandoc_epub
from tests.fixtures.html_builders import chapters, generic_epub2
from tui_reader.audit import audit, html_visible_text, source_words
from tui_reader.cli import main
from tui_reader.model import Block, Chapter, Section, Source, Story

ROOT = Path(__file__).resolve().parents[2]


def _story(path: Path, words_per_chapter: list[int]) -> Story:
    """A story whose chapters hold the given numbers of words."""
    story = Story(title="T", source=Source(str(path), "archive-txt"))
    for n, count in enumerate(words_per_chapter, start=1):
        chapter = Chapter(number=n, title=None, words=count)
        chapter.blocks = [Block("paragraph", " ".join(["word"] * count))]
        story.chapters.append(chapter)
    return story


def test_lost_text_is_unaccounted(tmp_path: Path) -> None:
    """Half of a file missing from the story is reported as half unaccounted, and fails."""
    path = tmp_path / "s.txt"
    path.write_text("word " * 400, encoding="utf-8")
    result = audit(_story(path, [100, 100]), path, path.read_bytes())
    assert result.source_words == 400
    assert result.words["chapters"] == 200
    assert result.unaccounted == pytest.approx(0.5)
    assert not result.passed


def test_every_kind_counts(tmp_path: Path) -> None:
    """Chapters, notes, sections and what the importer accounted for add up to the source."""
    path = tmp_path / "s.txt"
    path.write_text("word " * 100, encoding="utf-8")
    story = _story(path, [50])
    story.summary = "five words of summary here"
    story.chapters[0].notes_after = ["three note words"]
    story.chapters[0].summary = "two words"
    story.front_matter = [Section("Title page", [Block("paragraph", "ten " * 10)])]
    story.back_matter = [Section("Licence", [Block("paragraph", "twenty " * 20)])]
    story.account("boilerplate", "Posted originally on")
    story.account("front_matter", 7)
    result = audit(story, path, path.read_bytes())
    assert result.words == {
        "chapters": 50,
        "notes": 10,
        "front_matter": 17,
        "back_matter": 20,
        "boilerplate": 3,
    }
    assert result.unaccounted == pytest.approx(0.0)
    assert result.passed


def test_html_visible_text_skips_what_no_reader_sees() -> None:
    """Scripts, styles, the head and comments are not text; block ends separate words."""
    markup = (
        "<html><head><title>Not this</title><style>p{}</style></head><body>"
        "<p>one two</p><p>three</p><script>var x = 1;</script><!-- hidden words -->"
        "four<br/>five <i>si</i>x &amp; seven</body></html>"
    )
    assert html_visible_text(markup).split() == [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "&",
        "seven",
    ]


def test_markdown_source_counts_front_matter_prose_not_markup(tmp_path: Path) -> None:
    """A Markdown story's summary and notes count; headings' # and note fences do not."""
    path = tmp_path / "s.md"
    path.write_text(
        '+++\ntitle = "Not counted"\nsummary = "one two"\n+++\n\n# A title\n\n'
        "::: note\nthree four\n:::\n\n* * *\n\nfive *six*\n",
        encoding="utf-8",
    )
    assert source_words(path, path.read_bytes()) == 2 + 2 + 2 + 2


def test_cli_audit_json_shape_and_exit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``inspect --audit --json`` prints the documented shape; exit 0 on a whole story."""
    story = ROOT / "stories" / "the-long-road-to-varenholm.md"
    status = main(["inspect", "--audit", "--json", str(story)])
    out = json.loads(capsys.readouterr().out)
    assert status == 0
    assert set(out) == {"source_words", "words", "unaccounted"}
    assert set(out["words"]) >= {"chapters", "notes", "front_matter", "boilerplate"}
    assert out["source_words"] > 150_000
    assert out["unaccounted"] <= 0.01


def test_cli_audit_of_a_book_with_a_binary_chapter_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A chapter file that is not text is passed over by the importer and shows no words to
    the audit: the audit reports the rest of the book instead of a traceback."""
    path = generic_epub2(tmp_path / "b.epub", chapters(2), broken="Text/ch01.xhtml")
    status = main(["inspect", "--audit", "--json", str(path)])
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert captured.err == ""
    assert status == 0
    assert out["words"]["chapters"] > 0
    assert out["unaccounted"] <= 0.01


@pytest.mark.skipif(PANDOC is None, reason="pandoc is not installed")
def test_epub_documents_with_an_empty_self_closing_title_are_counted(tmp_path: Path) -> None:
    """``<title/>`` in an XHTML head is an empty title, not the start of a title that hides the
    whole document: the book's visible words are counted the same as with a written title."""
    markdown = (
        "---\ntitle: Tides\nauthor: Ines Marr\n---\n\n"
        "# One\n\nThe gulls came in.\n\n# Two\n\nThe ferry left late.\n"
    )
    path = pandoc_epub(markdown, tmp_path / "t.epub")
    with zipfile.ZipFile(path) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    emptied = tmp_path / "empty-titles.epub"
    with zipfile.ZipFile(emptied, "w") as zf:
        for name, data in files.items():
            if name.endswith(".xhtml"):
                data = re.sub(rb"<title>[^<]*</title>", b"<title/>", data)
            zf.writestr(name, data)
    assert source_words(emptied, emptied.read_bytes()) == source_words(path, path.read_bytes())
    assert source_words(path, path.read_bytes()) >= 10
