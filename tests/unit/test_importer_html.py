"""HTML importer: AO3 downloads, FanFicFare output and generic pages, read as a reader sees them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.ao3_download import SCENE_BREAK, write_ao3_html
from tests.fixtures.ao3_download import Chapter as AO3Chapter
from tests.fixtures.ao3_download import Work as AO3Work
from tests.fixtures.html_builders import LINES, ChapterSpec, Work, fff_html
from tui_reader.audit import audit
from tui_reader.importers import load_story
from tui_reader.model import Story, StoryError


def _texts(story: Story) -> list[str]:
    """Every block text of every chapter."""
    return [b.text for c in story.chapters for b in c.blocks]


def _rich_work() -> Work:
    """A three-chapter-planned work with notes everywhere."""
    return Work(
        rating="Mature",
        warnings=["Major Character Death", "Graphic Depictions Of Violence"],
        total=3,
        notes="Thanks to Wren, who checked every tide table.",
        end_notes="The next part is already half written.",
        chapters=[
            ChapterSpec(
                title="Low Water",
                summary="Ines counts gulls and loses count.",
                notes="This one is short, sorry.",
                end_notes="Tomas gets a chapter of his own next.",
                epigraph=("What the sea borrows it returns changed.", "Harbour proverb"),
                paragraphs=[LINES[0], "* * *", LINES[1], "<hr/>", LINES[2]],
            ),
            ChapterSpec(title=None, paragraphs=[LINES[3], LINES[4]]),
        ],
    )


def _ao3_work(chapters: list[AO3Chapter], **fields: object) -> AO3Work:
    """An AO3 work shaped like :func:`_rich_work`'s metadata, for the AO3 download builder."""
    defaults: dict[str, object] = {
        "title": "The Salt Ledger",
        "authors": ["quietharbour"],
        "fandoms": ["Harbour Lights (Web Series)"],
        "relationships": ["Ines/Tomas"],
        "characters": ["Ines", "Tomas", "The Ferryman"],
        "additional": ["Slow Burn", "Weather as Metaphor"],
        "summary": "Two keepers, one lighthouse, and a ledger nobody should have kept.",
    }
    return AO3Work(chapters=chapters, **{**defaults, **fields})  # type: ignore[arg-type]


def _rich_ao3(path: Path) -> Path:
    """A three-chapter-planned AO3 download with notes everywhere."""
    work = _ao3_work(
        rating="Mature",
        warnings=["Major Character Death", "Graphic Depictions Of Violence"],
        expected_chapters=3,
        notes="Thanks to Wren, who checked every tide table.",
        end_notes="The next part is already half written.",
        chapters=[
            AO3Chapter(
                title="Low Water",
                summary="Ines counts gulls and loses count.",
                notes="This one is short, sorry.",
                end_notes="Tomas gets a chapter of his own next.",
                epigraph=("What the sea borrows it returns changed.", "Harbour proverb"),
                paragraphs=[LINES[0], SCENE_BREAK, LINES[1], SCENE_BREAK, LINES[2]],
                scene_marker="* * *",
            ),
            AO3Chapter(paragraphs=[LINES[3], LINES[4]]),
        ],
    )
    return write_ao3_html(work, path)


def test_ao3_metadata(tmp_path: Path) -> None:
    story = load_story(_rich_ao3(tmp_path / "w.html"))
    assert story.source.format == "ao3-html"
    assert story.title == "The Salt Ledger"
    assert story.author == "quietharbour"
    assert story.rating == "Mature"
    assert story.warnings == ["Graphic Depictions Of Violence", "Major Character Death"]
    assert story.tags.fandoms == ["Harbour Lights (Web Series)"]
    assert story.tags.relationships == ["Ines/Tomas"]
    assert story.tags.characters == ["Ines", "Tomas", "The Ferryman"]
    assert story.tags.additional == ["Slow Burn", "Weather as Metaphor"]
    assert story.chapters_total == 3
    assert story.summary == "Two keepers, one lighthouse, and a ledger nobody should have kept."
    assert [(n.position, n.text) for n in story.notes] == [
        ("before", "Thanks to Wren, who checked every tide table."),
        ("after", "The next part is already half written."),
    ]


def test_ao3_chapters_notes_and_blocks(tmp_path: Path) -> None:
    story = load_story(_rich_ao3(tmp_path / "w.html"))
    first, second = story.chapters
    assert (first.number, first.title) == (1, "Low Water")
    assert (second.number, second.title) == (2, None)
    assert first.summary == "Ines counts gulls and loses count."
    assert first.notes_before == ["This one is short, sorry."]
    assert first.notes_after == ["Tomas gets a chapter of his own next."]
    assert not first.loaded  # blocks are parsed when the chapter is read
    kinds = [b.kind for b in first.blocks]
    assert kinds == [
        "epigraph",
        "paragraph",
        "scene_break",
        "paragraph",
        "scene_break",
        "paragraph",
    ]
    epigraph = first.blocks[0]
    assert epigraph.text == "What the sea borrows it returns changed."
    assert epigraph.attribution == "Harbour proverb"
    assert [b.text for b in second.blocks] == [LINES[3], LINES[4]]
    assert second.words == sum(len(line.split()) for line in LINES[3:5])


def test_ao3_boilerplate_is_not_story_text(tmp_path: Path) -> None:
    story = load_story(_rich_ao3(tmp_path / "w.html"))
    joined = "\n".join(_texts(story) + [n for c in story.chapters for n in c.notes_before])
    for phrase in ("Posted originally", "Please drop by", "See the end", "Preface", "Afterword"):
        assert phrase not in joined
    assert "Chapter 1" not in joined


def test_ao3_unknown_total_and_one_shot(tmp_path: Path) -> None:
    work = _ao3_work(
        [AO3Chapter(paragraphs=[LINES[5], SCENE_BREAK, LINES[0]])], expected_chapters=None
    )
    story = load_story(write_ao3_html(work, tmp_path / "one.html"))
    assert story.chapters_total is None
    assert len(story.chapters) == 1
    assert story.chapters[0].title is None
    assert [b.kind for b in story.chapters[0].blocks] == ["paragraph", "scene_break", "paragraph"]
    assert story.chapters[0].blocks[0].text == LINES[5]


def test_markup_like_text_stays_literal_and_controls_go(tmp_path: Path) -> None:
    para = "She wrote [bold]no[/bold] and <script>alert(1)</script> in\x07 the\x1b[31m log\u202e."
    work = _ao3_work([AO3Chapter(paragraphs=[para, "SCRIPT-HERE", LINES[1]])])
    path = write_ao3_html(work, tmp_path / "m.html")
    html = path.read_text(encoding="utf-8")
    path.write_text(html.replace("<p>SCRIPT-HERE</p>", "<script>steal()</script>"), "utf-8")
    story = load_story(path)
    texts = _texts(story)
    assert texts[0] == "She wrote [bold]no[/bold] and <script>alert(1)</script> in the[31m log."
    assert not any("steal" in t for t in texts)
    assert all(not any(ord(c) < 32 and c != "\n" for c in t) for t in texts)


def test_fff_html(tmp_path: Path) -> None:
    work = _rich_work()
    work.total = 2  # complete
    story = load_story(fff_html(tmp_path / "f.html", work))
    assert story.source.format == "fff-html"
    assert (story.title, story.author, story.rating) == (
        "The Salt Ledger",
        "quietharbour",
        "Mature",
    )
    assert story.warnings == ["Graphic Depictions Of Violence", "Major Character Death"]
    assert story.tags.fandoms == ["Harbour Lights (Web Series)"]
    assert story.tags.characters == ["Ines", "Tomas", "The Ferryman"]
    assert story.tags.relationships == ["Ines/Tomas"]
    assert story.summary == work.summary
    assert story.chapters_total == 2
    assert [c.title for c in story.chapters] == ["Low Water", None]
    first = story.chapters[0]
    assert first.notes_before == ["This one is short, sorry."]
    assert first.notes_after == ["Tomas gets a chapter of his own next."]
    assert first.blocks[0].kind == "epigraph"
    assert "Table of Contents" not in "\n".join(_texts(story))
    assert "Notes for the Chapter" not in "\n".join(_texts(story))


def test_fff_in_progress_has_unknown_total(tmp_path: Path) -> None:
    story = load_story(fff_html(tmp_path / "f.html", Work(total=None)))
    assert story.chapters_total is None
    assert len(story.chapters) == 2


def test_generic_html_split_on_chapter_headings(tmp_path: Path) -> None:
    page = tmp_path / "g.html"
    page.write_text(
        "<html><head><title>Breakwater Letters</title></head><body>"
        "<h1>Breakwater Letters</h1><p>A short foreword about the sea wall.</p>"
        "<div><h2>Chapter 1: The Wall</h2><p>One.</p><p>Two &amp; three.</p></div>"
        "<h2>Chapter 2</h2><blockquote><p>Salt remembers.</p><p>— A. Keeper</p></blockquote>"
        "<p>Body<br>second line</p><h3>Later</h3><p>Four.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    story = load_story(page)
    assert story.source.format == "html"
    assert story.title == "Breakwater Letters"
    assert [(c.number, c.title) for c in story.chapters] == [(1, "The Wall"), (2, None)]
    assert [n.text for n in story.notes] == ["A short foreword about the sea wall."]
    assert [b.text for b in story.chapters[0].blocks] == ["One.", "Two & three."]
    blocks = story.chapters[1].blocks
    assert (blocks[0].kind, blocks[0].text, blocks[0].attribution) == (
        "epigraph",
        "Salt remembers.",
        "A. Keeper",
    )
    assert blocks[1].text == "Body\nsecond line"
    assert (blocks[2].kind, blocks[2].text) == ("heading", "Later")


def test_generic_html_without_headings_is_one_chapter(tmp_path: Path) -> None:
    page = tmp_path / "plain.html"
    page.write_text("<p>Just one page</p><p>of text.</p>", encoding="utf-8")
    story = load_story(page)
    assert story.title == "Plain"  # a title from the file name, by the rule every format uses
    assert len(story.chapters) == 1
    assert [b.text for b in story.chapters[0].blocks] == ["Just one page", "of text."]


def test_malformed_html_is_read_leniently(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        "<html><body><h2>Chapter 1</h2><p>Unclosed <i>italic <p>Next</div></span>"
        "<h2>Chapter 2</h3><p>Second &bogus; &#x1F30A; &#0; end",
        encoding="utf-8",
    )
    story = load_story(page)
    assert [c.number for c in story.chapters] == [1, 2]
    assert [b.text for b in story.chapters[0].blocks] == ["Unclosed italic", "Next"]
    assert story.chapters[1].blocks[0].text.startswith("Second &bogus; \U0001f30a")


@pytest.mark.parametrize("content", [b"<html><body></body></html>", b"<!-- nothing -->"])
def test_html_without_text_is_an_error(tmp_path: Path, content: bytes) -> None:
    page = tmp_path / "empty.html"
    page.write_bytes(content)
    with pytest.raises(StoryError) as info:
        load_story(page)
    assert "\n" not in str(info.value)
    assert str(page) in str(info.value)


def test_many_chapters_keep_numbers(tmp_path: Path) -> None:
    work = _ao3_work([AO3Chapter(f"Tide {n}", [LINES[n % len(LINES)]]) for n in range(1, 13)])
    story = load_story(write_ao3_html(work, tmp_path / "w.html"))
    assert [c.number for c in story.chapters] == list(range(1, 13))
    assert story.is_complete


def test_xhtml_file_is_read_as_the_xml_it_is(tmp_path: Path) -> None:
    """A standalone XHTML file: ``<title/>`` is an empty title (not one swallowing the page)
    and a self-closing anchor does not make the rest of the paragraph its link text."""
    page = tmp_path / "rain.xhtml"
    page.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title/></head><body>'
        '<h1>Chapter 1: Rain</h1><p>The gulls came in<a id="n1"/> over the quay.</p>'
        "<p>Nobody minded.</p></body></html>\n",
        encoding="utf-8",
    )
    story = load_story(page)
    assert [(c.number, c.title) for c in story.chapters] == [(1, "Rain")]
    assert _texts(story) == ["The gulls came in over the quay.", "Nobody minded."]
    result = audit(story, page, page.read_bytes())
    assert (result.source_words, result.passed) == (12, True)


def test_generic_html_accounts_for_its_title_and_heading_words(tmp_path: Path) -> None:
    """The page's title and the "Chapter 2:" words of its headings are metadata and labels,
    accounted for: the audit finds no text unaccounted."""
    page = tmp_path / "road.html"
    page.write_text(
        "<html><body><h1>The Salt Road</h1>"
        "<h2>Chapter 1: Rain at Marrow Bridge</h2><p>The gulls came in over the quay.</p>"
        "<h2>Chapter 2</h2><p>Nobody minded the rain.</p></body></html>",
        encoding="utf-8",
    )
    story = load_story(page)
    assert story.title == "The Salt Road"
    assert [(c.number, c.title) for c in story.chapters] == [
        (1, "Rain at Marrow Bridge"),
        (2, None),
    ]
    result = audit(story, page, page.read_bytes())
    assert result.unaccounted == 0.0, result.to_dict()
