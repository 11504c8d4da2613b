"""EPUB importer: AO3, FanFicFare and generic EPUB 2/3 books, and hostile or broken files."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.epub_builders import bomb_epub
from tests.fixtures.html_builders import (
    LINES,
    XHTML,
    ChapterSpec,
    Work,
    ao3_epub,
    chapters,
    fff_epub,
    generic_epub2,
    generic_epub3,
    ncx,
    opf,
    write_epub,
)
from tui_reader.audit import audit
from tui_reader.importers import epub, load_story
from tui_reader.model import Story, StoryError


def _texts(story: Story) -> list[str]:
    """Every block text of every chapter."""
    return [b.text for c in story.chapters for b in c.blocks]


def _work() -> Work:
    """A work with warnings, notes, an epigraph and scene breaks."""
    return Work(
        rating="Explicit",
        warnings=["Rape/Non-Con", "Underage Sex"],
        total=4,
        notes="Read the tags, please.",
        end_notes="Thank you for reading this far.",
        chapters=[
            ChapterSpec(
                title="Harbour Dues",
                notes="Opening note for chapter one.",
                end_notes="Closing note for chapter one.",
                epigraph=("Every lamp is a promise to someone at sea.", "Keeper's log"),
                paragraphs=[LINES[0], "<hr/>", LINES[1]],
            ),
            ChapterSpec(title="Slack Tide", paragraphs=[LINES[2], "***", LINES[3]]),
        ],
    )


def test_ao3_epub(tmp_path: Path) -> None:
    story = load_story(ao3_epub(tmp_path / "w.epub", _work()))
    assert story.source.format == "ao3-epub"
    assert (story.title, story.author, story.rating) == (
        "The Salt Ledger",
        "quietharbour",
        "Explicit",
    )
    assert story.warnings == ["Rape/Non-Con", "Underage Sex"]
    assert story.tags.relationships == ["Ines/Tomas"]
    assert story.chapters_total == 4
    assert [(c.number, c.title) for c in story.chapters] == [(1, "Harbour Dues"), (2, "Slack Tide")]
    first, second = story.chapters
    assert first.notes_before == ["Opening note for chapter one."]
    assert first.notes_after == ["Closing note for chapter one."]
    assert [(n.position, n.text) for n in story.notes] == [
        ("before", "Read the tags, please."),
        ("after", "Thank you for reading this far."),
    ]
    assert (first.blocks[0].kind, first.blocks[0].attribution) == ("epigraph", "Keeper's log")
    assert [b.kind for b in second.blocks] == ["paragraph", "scene_break", "paragraph"]
    joined = "\n".join(_texts(story))
    assert "Posted originally" not in joined and "Please drop by" not in joined


def _without_tag_list(path: Path) -> Path:
    """``path`` with the tag list stripped from the preface (dc:subject still carries it)."""
    with zipfile.ZipFile(path) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    preface = files["OEBPS/preface.xhtml"].decode()
    start, end = preface.index('<dl class="tags">'), preface.index("</dl>") + 5
    files["OEBPS/preface.xhtml"] = (preface[:start] + preface[end:]).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def test_ao3_epub_rating_from_subjects_when_preface_lacks_it(tmp_path: Path) -> None:
    story = load_story(_without_tag_list(ao3_epub(tmp_path / "w.epub", _work())))
    assert story.rating == "Explicit"
    assert story.warnings == ["Rape/Non-Con", "Underage Sex"]


def test_ao3_epub_subject_tags_are_not_read_as_archive_warnings(tmp_path: Path) -> None:
    """With the warnings read from dc:subject, a freeform tag ("Violence", "Character Death")
    is not an archive warning: only AO3's own warning names are."""
    work = _work()
    work.additional = ["Violence", "Character Death"]
    story = load_story(_without_tag_list(ao3_epub(tmp_path / "w.epub", work)))
    assert story.warnings == ["Rape/Non-Con", "Underage Sex"]


@pytest.mark.parametrize("version", ["2.0", "3.0"])
def test_fff_epub(tmp_path: Path, version: str) -> None:
    work = _work()
    work.total = 2
    story = load_story(fff_epub(tmp_path / "f.epub", work, version=version))
    assert story.source.format == "fff-epub"
    assert (story.title, story.author) == ("The Salt Ledger", "quietharbour")
    assert story.rating == "Explicit"
    assert story.warnings == ["Rape/Non-Con", "Underage Sex"]
    assert story.tags.fandoms == ["Harbour Lights (Web Series)"]
    assert story.tags.additional == ["Slow Burn", "Weather as Metaphor"]
    assert story.chapters_total == 2
    assert [c.title for c in story.chapters] == ["Harbour Dues", "Slack Tide"]
    assert story.chapters[0].notes_before == ["Opening note for chapter one."]
    assert story.chapters[0].notes_after == ["Closing note for chapter one."]
    joined = "\n".join(_texts(story))
    assert "Table of Contents" not in joined and "Chapters:" not in joined


def test_generic_epub2_with_ncx(tmp_path: Path) -> None:
    specs = [
        ChapterSpec(title="The Breakwater", epigraph=("Stone is patient.", "Mason's saying")),
        ChapterSpec(title=None),
        ChapterSpec(title="Fog Signal"),
    ]
    story = load_story(generic_epub2(tmp_path / "g.epub", specs))
    assert story.source.format == "epub"
    assert (story.title, story.author) == ("Notes from the Breakwater", "R. Okafor")
    assert story.summary == "A book of small weathers."
    assert story.tags.additional == ["Fiction", "Sea"]
    # the title page is not a chapter; the in-file heading is not repeated as text
    assert [(c.number, c.title) for c in story.chapters] == [
        (1, "The Breakwater"),
        (2, None),
        (3, "Fog Signal"),
    ]
    first = story.chapters[0]
    assert (first.blocks[0].kind, first.blocks[0].text) == ("epigraph", "Stone is patient.")
    assert [b.text for b in first.blocks[1:]] == list(LINES[:3])
    assert first.words == sum(len(line.split()) for line in LINES[:3]) + 5


def test_generic_epub3_with_nav_in_spine(tmp_path: Path) -> None:
    story = load_story(generic_epub3(tmp_path / "g3.epub", chapters(3)))
    assert story.source.format == "epub"
    assert story.title == "Lanterns at Low Tide"
    assert [c.title for c in story.chapters] == ["Tide Table 1", "Tide Table 2", "Tide Table 3"]
    assert "Contents" not in _texts(story)


def test_chapter_bodies_are_read_from_the_file_when_first_read(tmp_path: Path) -> None:
    path = generic_epub3(tmp_path / "lazy.epub", chapters(3, paragraphs=[LINES[0], LINES[1]]))
    story = load_story(path)
    assert [c.loaded for c in story.chapters] == [False, False, False]
    assert [c.words for c in story.chapters] == [len((LINES[0] + " " + LINES[1]).split())] * 3
    assert [b.text for b in story.chapters[0].blocks] == [LINES[0], LINES[1]]
    assert [c.loaded for c in story.chapters] == [True, False, False]
    path.unlink()  # the book went away while it was open: the chapter says so, no traceback
    (block,) = story.chapters[1].blocks
    assert block.kind == "paragraph"
    assert block.text.startswith("This chapter could not be read again:")
    assert [b.text for b in story.chapters[0].blocks] == [LINES[0], LINES[1]]


def test_fff_chapter_bodies_are_read_again_without_notes(tmp_path: Path) -> None:
    story = load_story(fff_epub(tmp_path / "f.epub", _work()))
    assert not story.chapters[0].loaded
    texts = [b.text for b in story.chapters[0].blocks]
    assert "Opening note for chapter one." not in texts
    assert "Closing note for chapter one." not in texts
    assert "Harbour Dues" not in texts
    assert LINES[0] in texts


def test_missing_chapter_file_is_skipped(tmp_path: Path) -> None:
    path = generic_epub2(tmp_path / "m.epub", chapters(3), drop="Text/ch02.xhtml")
    story = load_story(path)
    assert [c.title for c in story.chapters] == ["Tide Table 1", "Tide Table 3"]


def test_unreadable_chapter_file_is_skipped(tmp_path: Path) -> None:
    path = generic_epub2(tmp_path / "b.epub", chapters(2), broken="Text/ch01.xhtml")
    story = load_story(path)
    assert [c.title for c in story.chapters] == ["Tide Table 2"]


def test_ao3_epub_missing_chapter_still_opens(tmp_path: Path) -> None:
    story = load_story(ao3_epub(tmp_path / "w.epub", _work(), drop="chapter1.xhtml"))
    assert [c.title for c in story.chapters] == ["Slack Tide"]


def _error(path: Path) -> str:
    """The one-line reason load_story gives for ``path``."""
    with pytest.raises(StoryError) as info:
        load_story(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    return info.value.reason


def test_zip_that_is_not_an_epub(tmp_path: Path) -> None:
    path = tmp_path / "photos.epub"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("holiday.txt", "not a book")
    assert "not an EPUB" in _error(path)


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.epub"
    path.write_bytes(b"PK\x03\x04 this is not really a zip file at all")
    assert "not an EPUB" in _error(path)


BOMB = """<!DOCTYPE package [
<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
<!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
]>"""


def test_entity_bomb_in_opf_is_refused(tmp_path: Path) -> None:
    path = generic_epub2(tmp_path / "bomb.epub", opf_doctype=BOMB)
    with zipfile.ZipFile(path) as zf:
        text = zf.read("OEBPS/content.opf").decode()
    assert "<!ENTITY h" in text
    reason = _error(path)
    assert "content.opf" in reason and "unsafe" in reason


def test_malformed_opf_is_an_error(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"a.xhtml": "<html><body><p>Words here.</p></body></html>"}
    path = write_epub(tmp_path / "bad.epub", files, "<package><metadata><dc:title>Oops")
    assert "malformed XML" in _error(path)


def test_path_traversal_and_absolute_hrefs_are_not_followed(tmp_path: Path) -> None:
    items = [
        ("a", "../../etc/passwd", XHTML),
        ("b", "/etc/hostname", XHTML),
        ("c", "ok.xhtml", XHTML),
    ]
    package = opf(title="Safe", creator="Me", items=items, spine=["a", "b", "c"])
    files: dict[str, str | bytes] = {
        "ok.xhtml": "<html><body><p>The only real chapter of this little book.</p></body></html>"
    }
    path = write_epub(tmp_path / "t.epub", files, package)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("../evil.xhtml", "<html><body><p>escaped</p></body></html>")
    story = load_story(path)
    assert _texts(story) == ["The only real chapter of this little book."]


def test_decompressed_size_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(epub, "MAX_TOTAL_BYTES", 4000)
    big = "<p>" + "wave " * 2000 + "</p>"
    specs = [ChapterSpec(title="Big", paragraphs=[big])]
    reason = _error(generic_epub2(tmp_path / "big.epub", specs))
    assert "200 MB" in reason or "too large" in reason


def test_member_size_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(epub, "MAX_MEMBER_BYTES", 3000)
    specs = [ChapterSpec(title="Big", paragraphs=["<p>" + "wave " * 2000 + "</p>"]), *chapters(1)]
    story = load_story(generic_epub2(tmp_path / "big.epub", specs))
    assert [c.title for c in story.chapters] == ["Tide Table 1"]


def test_markup_and_controls_in_epub_text(tmp_path: Path) -> None:
    para = "[bold]Keep[/bold] &lt;script&gt;x&lt;/script&gt;\x01\u2066 it\x7f."
    story = load_story(generic_epub2(tmp_path / "m.epub", [ChapterSpec(paragraphs=[para])]))
    assert _texts(story) == ["[bold]Keep[/bold] <script>x</script> it."]


def test_blocks_parsed_lazily(tmp_path: Path) -> None:
    story = load_story(generic_epub2(tmp_path / "g.epub", chapters(3)))
    assert not any(c.loaded for c in story.chapters)
    assert story.words == 3 * sum(len(line.split()) for line in LINES[:3])
    assert story.chapters[1].blocks and story.chapters[1].loaded
    assert not story.chapters[2].loaded


def test_ao3_epub_without_classes_falls_back_by_file(tmp_path: Path) -> None:
    """Converters may drop AO3's classes: the book is still read as AO3, one chapter per file."""
    path = ao3_epub(tmp_path / "w.epub", _work())
    with zipfile.ZipFile(path) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    for name, data in files.items():
        if name.endswith(".xhtml"):
            text = data.decode()
            for cls in (' class="meta group"', ' class="heading"', ' class="userstuff"'):
                text = text.replace(cls, "")
            files[name] = text.replace(' id="chapters"', "").encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    story = load_story(path)
    assert story.source.format == "ao3-epub"
    assert story.rating == "Explicit"
    assert [(c.number, c.title) for c in story.chapters] == [(1, "Harbour Dues"), (2, "Slack Tide")]
    assert story.chapters[0].notes_before == ["Opening note for chapter one."]
    assert story.chapters[0].notes_after == ["Closing note for chapter one."]
    joined = "\n".join(_texts(story))
    for phrase in ("Chapter Notes", "See the end", "Please drop by", "Opening note"):
        assert phrase not in joined


_PEAK = """
import sys
from tui_reader.importers import load_story
from tui_reader.model import StoryError
try:
    load_story(sys.argv[1])
except StoryError as exc:
    print(exc)
status = open("/proc/self/status", encoding="ascii").read()
print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
"""
"""Opens a book in a fresh process and prints its peak resident memory in KiB. VmHWM, not
getrusage's ru_maxrss: Linux keeps ru_maxrss across execve, so a child of a large pytest process
would report the parent's peak."""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize(
    ("shape", "reason"),
    [
        ({"member_mib": 60}, "ch0.xhtml inside the EPUB is too large to read"),
        ({"member_mib": 30, "members": 2}, "ch0.xhtml inside the EPUB holds more than"),
        ({"member_mib": 3, "members": 5}, "the EPUB's documents hold more than 3,000,000 tags"),
        (
            {"member_mib": 30, "members": 7, "paragraph": "<p>" + "wave " * 2000 + "</p>"},
            "expands to more than 200 MB",
        ),
    ],
    ids=["one-huge-member", "member-of-tiny-paragraphs", "book-of-tiny-paragraphs", "bytes"],
)
def test_epub_bombs_are_refused_in_bounded_memory(
    tmp_path: Path, shape: dict[str, Any], reason: str
) -> None:
    """Small EPUBs that expand to huge work are refused with one line, under 200 MB of memory.

    Before, a 90 KB book of one 60 MiB member of ``<p>a</p>`` took 2.3 GB and 22 s to open.
    """
    path = bomb_epub(tmp_path / "bomb.epub", **shape)
    assert path.stat().st_size < 2 * 1024 * 1024
    run = subprocess.run(
        [sys.executable, "-c", _PEAK, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    message, peak_kb = run.stdout.strip().split("\n")
    assert message.startswith(f"{path}: ") and reason in message
    assert "\n" not in message and "Traceback" not in run.stderr
    assert int(peak_kb) < 200 * 1024


def test_untargeted_file_continues_the_chapter_before_it(tmp_path: Path) -> None:
    """A converter's split (``ch02_split_001``: not in the contents, no heading of its own)
    is the rest of chapter 2, read lazily from both files, not a chapter of its own."""
    files: dict[str, str | bytes] = {
        "ch01.xhtml": f"<html><body><h2>Chapter 1: Jetty</h2><p>{LINES[0]}</p></body></html>",
        "ch02_split_000.xhtml": f"<html><body><h2>Chapter 2: Fog</h2><p>{LINES[1]}</p></body>",
        "ch02_split_001.xhtml": f"<html><body><p>{LINES[2]}</p><p>{LINES[3]}</p></body></html>",
        "toc.ncx": ncx(
            [("Chapter 1: Jetty", "ch01.xhtml"), ("Chapter 2: Fog", "ch02_split_000.xhtml")]
        ),
    }
    names = [n for n in files if n.endswith(".xhtml")]
    items = [(f"f{i}", n, XHTML) for i, n in enumerate(names)]
    items.append(("ncx", "toc.ncx", "application/x-dtbncx+xml"))
    package = opf(
        title="Split", creator="Me", items=items, spine=[i for i, _, _ in items[:-1]], toc_id="ncx"
    )
    story = load_story(write_epub(tmp_path / "split.epub", files, package))
    assert [(c.number, c.title) for c in story.chapters] == [(1, "Jetty"), (2, "Fog")]
    second = story.chapters[1]
    assert not second.loaded
    assert [b.text for b in second.blocks] == [LINES[1], LINES[2], LINES[3]]
    assert second.words == sum(len(line.split()) for line in LINES[1:4])


def test_a_story_that_looks_like_a_title_page_is_still_read(tmp_path: Path) -> None:
    """Short lines that name the author look like a title page; with nothing else in the book
    they are its one chapter (read again without the title-page guess), not an error."""
    lines = ["Rain.", "More rain.", "For Tamsin Vale, who likes it."]
    body = "".join(f"<p>{line}</p>" for line in lines)
    files: dict[str, str | bytes] = {"rain.xhtml": f"<html><body>{body}</body></html>"}
    package = opf(
        title="Rain", creator="Tamsin Vale", items=[("r", "rain.xhtml", XHTML)], spine=["r"]
    )
    story = load_story(write_epub(tmp_path / "rain.epub", files, package))
    assert [b.text for c in story.chapters for b in c.blocks] == lines
    assert not story.front_matter


def test_division_headings_in_the_contents_open_the_next_chapter(tmp_path: Path) -> None:
    """ "PART TWO" targeted by the contents has no text of its own: it is not a chapter and
    not dropped; it opens the chapter after it (the first part heading is front matter)."""
    parts = [("part1", "<h1>PART ONE</h1>"), ("c1", f"<h2>Chapter 1</h2><p>{LINES[0]}</p>"),
             ("c2", f"<h2>Chapter 2</h2><p>{LINES[1]}</p>"), ("part2", "<h1>PART TWO</h1>"),
             ("c3", f"<h2>Chapter 3</h2><p>{LINES[2]}</p>")]  # fmt: skip
    body = "".join(f'<div id="{i}">{html}</div>' for i, html in parts)
    labels = ["PART ONE", "Chapter 1", "Chapter 2", "PART TWO", "Chapter 3"]
    files: dict[str, str | bytes] = {
        "book.xhtml": f"<html><body>{body}</body></html>",
        "toc.ncx": ncx(
            [(label, f"book.xhtml#{i}") for label, (i, _) in zip(labels, parts, strict=True)]
        ),
    }
    items = [("b", "book.xhtml", XHTML), ("ncx", "toc.ncx", "application/x-dtbncx+xml")]
    package = opf(title="Parts", creator="Me", items=items, spine=["b"], toc_id="ncx")
    path = write_epub(tmp_path / "parts.epub", files, package)
    story = load_story(path)
    assert [c.number for c in story.chapters] == [1, 2, 3]
    assert [s.title for s in story.front_matter] == ["PART ONE"]
    assert [(b.kind, b.text) for b in story.chapters[2].blocks] == [
        ("heading", "PART TWO"),
        ("paragraph", LINES[2]),
    ]
    assert audit(story, path, path.read_bytes()).unaccounted <= 0.01
