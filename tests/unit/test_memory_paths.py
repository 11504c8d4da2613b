"""The memory-lean paths give what the plain paths gave.

A plain-text story is decoded a chunk at a time straight into lines (never the whole decoded text
beside the file's bytes): the lines must be exactly those of decoding the whole text. The cache
fill streams the chapters (parse, write, drop): it must write the same entry as a story with
every chapter parsed, leave the chapters it parsed unkept, and a chapter read after the fill must
come back with the same blocks.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, STORIES
from tui_reader import story_cache
from tui_reader.importers import load_story, text_dump
from tui_reader.importers._txt_common import remove_widgets
from tui_reader.importers.encoding import decode_text
from tui_reader.importers.text_dump import prepare, utf8_lines
from tui_reader.memory import trim
from tui_reader.model import Block, Chapter, ChapterUnreadable, StoryError
from tui_reader.story_cache import entry_path, open_cached, open_story
from tui_reader.text import normalise_spaces, sanitise

SAMPLES = sorted(p.name for p in STORIES.iterdir() if p.is_file())
"""The bundled sample library: archive dump, Markdown, AO3 HTML, EPUB."""


def whole_text_lines(data: bytes) -> list[str]:
    """The lines as the whole-text path makes them."""
    text, _ = remove_widgets(normalise_spaces(sanitise(decode_text(data))))
    return text.split("\n")


TEXTS = [
    "Title\n\nChapter 1\n\nOne “two” three.\n\nFour.\n",
    "a\r\nb\r\n\r\nc\rd\n",
    "no newline at the end",
    "\n\nleading blank lines\n\n\n",
    "spaces\u00a0and\u202fnarrow\u2007figure\ufeff marks\n",
    "controls \x00\x1b[31m and \u202e bidi \u2066 isolates\n",
    "日本語の文章。\n\n“Quoted” — dashes…\n" * 5,
    "Ends with a carriage return\r",
]
"""Texts with every repair the sanitiser makes, line ends of every kind and non-ASCII text."""


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("chunk", [1, 2, 5, 64, 1 << 16])
def test_chunked_lines_are_the_whole_text_lines(text: str, chunk: int) -> None:
    """Whatever the chunk size (a cut always falls after a newline), the lines are the same."""
    data = text.encode("utf-8")
    assert utf8_lines(data, chunk) == whole_text_lines(data)


@pytest.mark.parametrize(
    "data",
    [
        "\ufeffa BOM\n".encode(),
        "utf-16 text\n".encode("utf-16"),
        "caf\xe9 in cp1252\n".encode("cp1252"),
        b"Chapter 1\n\nText.\n\nEnjoying this story? Share your rating!\n\n\nMore.\n",
        b"\x00\x01\x02\x03" * 100,
        b"",
        b" \n\t\n",
    ],
    ids=["bom", "utf16", "cp1252", "widget", "binary", "empty", "blank"],
)
def test_other_bytes_take_the_whole_text_path(data: bytes) -> None:
    """A BOM, UTF-16, another encoding, the rating widget, binary or no text: not chunked."""
    assert utf8_lines(data) is None


def test_prepare_is_unchanged_for_a_widget_file() -> None:
    """The whole-text path still removes the widget and counts its words."""
    data = b"Chapter 1\n\nText.\n\nEnjoying this story? Share your rating!\n\nMore.\n"
    lines, removed = prepare(data)
    assert "Share your rating" not in "\n".join(lines)
    assert removed == 6  # "Enjoying this story? Share your rating!"


def test_prepare_refuses_a_file_with_nothing_but_controls() -> None:
    """Nothing left once sanitised: the same one-line reason as the whole-text path."""
    data = b"\x01" + b" \n" * 100
    assert utf8_lines(data) is not None
    with pytest.raises(ValueError, match="the file has no text"):
        prepare(data)
    with pytest.raises(ValueError, match="the file is empty"):
        prepare(b"   \n \n")


def test_a_long_story_reads_the_same_in_chunks(tmp_path: Path) -> None:
    """A dump of many chunks imports to the same story as its lines decoded at once."""
    paragraph = "“Leave it by the door,” Maren said. " * 12
    chapters = [f"Chapter {n}: Part {n}\n\n" + f"{paragraph}\n\n" * 60 for n in range(1, 9)]
    data = ("A Title\n\nby Someone\n\n" + "".join(chapters)).encode()
    assert len(data) > 3 * (1 << 16)
    assert utf8_lines(data) == whole_text_lines(data)
    path = tmp_path / "long.txt"
    path.write_bytes(data)
    story = load_story(path)
    assert len(story.chapters) == 8
    assert story.chapters[7].blocks[0].text == paragraph.strip()


# --- Chapter.read_blocks ---------------------------------------------------------------------


def test_read_blocks_does_not_keep_the_parse() -> None:
    """A pass over the chapter parses it without keeping it; the first read parses the same."""
    calls: list[int] = []

    def loader() -> list[Block]:
        calls.append(1)
        return [Block("paragraph", "Hello there.")]

    chapter = Chapter.lazy(1, None, 2, loader)
    assert chapter.read_blocks() == [Block("paragraph", "Hello there.")]
    assert not chapter.loaded
    assert chapter.blocks == [Block("paragraph", "Hello there.")]
    assert chapter.loaded
    assert chapter.read_blocks() is chapter.blocks  # parsed: no second parse
    assert len(calls) == 2


def test_read_blocks_of_an_unreadable_chapter_raises() -> None:
    """A chapter that cannot be read says so to the pass, and still shows why when read."""
    shown = [Block("paragraph", "This chapter could not be read again: gone")]

    def loader() -> list[Block]:
        raise ChapterUnreadable("gone", shown)

    chapter = Chapter.lazy(1, None, 2, loader)
    with pytest.raises(ChapterUnreadable):
        chapter.read_blocks()
    assert chapter.blocks == shown
    assert chapter.load_error == "gone"


# --- the streaming cache fill ----------------------------------------------------------------


def _entry_body(path: Path, data_dir: Path) -> tuple[bytes, Any]:
    """An entry's body (every chapter's segment) and its header's chapter rows."""
    raw = entry_path(path, data_dir).read_bytes()
    length = int.from_bytes(raw[-8:], "big")
    header = json.loads(raw[-8 - length : -8])
    start = len(story_cache.MAGIC) + 16
    return raw[start : start + header["body"]], header["chapters"]


@pytest.mark.parametrize("name", SAMPLES)
def test_fill_streams_and_writes_the_same_entry(name: str, tmp_path: Path) -> None:
    """The fill parses no chapter for keeps, and writes what a fully parsed story writes."""
    path = tmp_path / name
    shutil.copy(STORIES / name, path)
    streamed, every = tmp_path / "streamed", tmp_path / "every"
    story, fill = open_story(path, streamed)
    assert fill is not None
    assert fill() is True
    assert not any(chapter.loaded for chapter in story.chapters)
    story2, fill2 = open_story(path, every)
    assert fill2 is not None
    for chapter in story2.chapters:
        _ = chapter.blocks
    assert fill2() is True
    assert _entry_body(path, streamed) == _entry_body(path, every)
    reopened = open_cached(path, streamed)
    assert [c.blocks for c in reopened.chapters] == [c.blocks for c in story2.chapters]
    assert [c.blocks for c in story.chapters] == [c.blocks for c in story2.chapters]


def test_a_cancelled_fill_writes_nothing(tmp_path: Path) -> None:
    """Cancelled between chapters: no entry, no temporary file left."""
    name = next(n for n in SAMPLES if load_story(STORIES / n).chapters[1:])
    path = tmp_path / name
    shutil.copy(STORIES / name, path)
    _, fill = open_story(path, tmp_path / "data")
    assert fill is not None
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 1

    assert fill(cancelled=cancelled) is False
    assert not entry_path(path, tmp_path / "data").exists()
    assert list(story_cache.cache_dir(tmp_path / "data").iterdir()) == []


def test_a_fill_after_the_file_changed_writes_nothing(tmp_path: Path) -> None:
    """The file changed while the chapters were being written: the entry is not kept."""
    name = SAMPLES[0]
    path = tmp_path / name
    shutil.copy(STORIES / name, path)
    _, fill = open_story(path, tmp_path / "data")
    assert fill is not None
    path.write_bytes(path.read_bytes() + b"\n\nMore text.\n")
    assert fill() is False
    assert not entry_path(path, tmp_path / "data").exists()


# --- what a story's repr holds ---------------------------------------------------------------


def test_a_story_repr_names_it_without_its_text() -> None:
    """Textual describes a thread worker by the repr of its callable: a worker given the story
    must not write out every parsed chapter (nor a loader's packed text)."""
    story = load_story(STORIES / next(n for n in SAMPLES if n.endswith(".txt")))
    for chapter in story.chapters:
        _ = chapter.blocks
    shown = repr(story)
    assert story.title in shown
    assert len(shown) < 2000
    first = story.chapters[0]
    assert first.blocks[0].text not in shown
    assert first.blocks[0].text not in repr(first)


def test_a_utf8_story_never_loads_the_encoding_detector() -> None:
    """charset-normalizer (1.6 MiB once imported) is loaded for a file that is not UTF-8 only."""
    code = (
        "import sys\nfrom pathlib import Path\nfrom tui_reader.importers import load_story\n"
        f"load_story(Path({str(STORIES / 'weatherglass.txt')!r}))\n"
        "print('charset_normalizer' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.split()[-1] == "False"


def test_a_cp1252_story_still_reads(tmp_path: Path) -> None:
    """The detector, loaded when it is needed, still reads a legacy Windows file."""
    path = tmp_path / "legacy.txt"
    path.write_bytes("Chapter 1\n\n“Caf\xe9,” she said. It was na\xefve.\n".encode("cp1252"))
    story = load_story(path)
    assert "“Café,” she said." in story.chapters[0].blocks[0].text


def test_the_text_importer_reads_the_file_as_load_reads_its_bytes(tmp_path: Path) -> None:
    """load_story (the file read a piece at a time) gives the story load gives its bytes."""
    data = (STORIES / "weatherglass.txt").read_bytes()
    kept = text_dump.load(STORIES / "weatherglass.txt", data)
    assert load_story(STORIES / "weatherglass.txt").to_dict() == kept.to_dict()


@pytest.mark.parametrize("data", [b"", b" \n\t\r\n"])
def test_an_empty_file_is_still_refused(tmp_path: Path, data: bytes) -> None:
    """Empty or only whitespace: the same one-line reason as before."""
    path = tmp_path / "empty.txt"
    path.write_bytes(data)
    with pytest.raises(StoryError, match="the file is empty"):
        load_story(path)


# --- an archive dump's chapters read again from the file ------------------------------------


def _long_dump(path: Path) -> Path:
    """A UTF-8 archive dump of many chapters, with notes, breaks and curly quotes."""
    parts = ["A Long Title\n\nby Someone\n\nSummary:\nA story.\n\n"]
    for n in range(1, 13):
        parts.append(f"Chapter {n}: Part {n}\n\nNotes:\nA note for {n}.\n\n")
        for k in range(40):
            parts.append(f"“Leave it by the door,” Maren said, time {k}.\u00a0Café.\n\n")
            if k == 20:
                parts.append("* * *\n\n")
    path.write_text("".join(parts), encoding="utf-8")
    return path


def test_dump_chapters_read_again_are_the_chapters_held(tmp_path: Path) -> None:
    """Every chapter read again from the file has the blocks of the whole-text import."""
    path = _long_dump(tmp_path / "long.txt")
    data = path.read_bytes()
    reread = load_story(path)
    loader = reread.chapters[3]._loader
    assert isinstance(loader, partial) and not any(
        isinstance(arg, list) and len(arg) > 200 for arg in loader.args
    )  # it holds the chapter's units and place, not the file's lines
    held = text_dump.load(path, data)  # (the in-memory path: every line held)
    assert not isinstance(held.chapters[3]._loader, partial)
    assert reread.to_dict() == held.to_dict()


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_a_dump_changed_after_opening_says_so(tmp_path: Path, change: str) -> None:
    """A chapter read after the file changed or went shows why, never other text."""
    path = _long_dump(tmp_path / "long.txt")
    story = load_story(path)
    if change == "edit":
        path.write_text(path.read_text(encoding="utf-8").replace("Maren", "Odile"))
    else:
        path.unlink()
    blocks = story.chapters[5].blocks
    assert len(blocks) == 1
    assert blocks[0].text.startswith("This chapter could not be read again:")
    assert story.chapters[5].load_error is not None
    assert not any("Odile" in b.text for b in blocks)


def test_a_dump_with_carriage_returns_keeps_its_lines(tmp_path: Path) -> None:
    """CRLF line ends change the lines' count on reading: those chapters hold their lines."""
    path = tmp_path / "crlf.txt"
    path.write_bytes(_long_dump(tmp_path / "lf.txt").read_bytes().replace(b"\n", b"\r\n"))
    story = load_story(path)
    path.unlink()
    assert story.chapters[5].blocks[0].text.startswith("“Leave it by the door,”")


def test_trim_is_harmless() -> None:
    """Giving memory back changes nothing a reader sees (and says whether the C library could)."""
    assert isinstance(trim(), bool)


# --- reading a text file a piece at a time ---------------------------------------------------

LATE = {
    "plain": "",
    "crlf": "\r\n",
    "cp1252": "caf\xe9",
    "widget": "Enjoying this story? Share your rating!",
    "bom": "\ufeff",
}
"""What the end of a file may hold that its start does not show."""


@pytest.mark.parametrize("late", list(LATE))
@pytest.mark.parametrize("pieces", [(7, 5), (64, 64), (1 << 16, 65536)])
def test_a_file_read_in_pieces_reads_as_the_whole_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, late: str, pieces: tuple[int, int]
) -> None:
    """Whatever the piece size and whatever the file's end holds (a line end, a byte that is
    not UTF-8, the widget), the story is the one read from the whole bytes."""
    chunk, sample = pieces
    monkeypatch.setattr(text_dump, "CHUNK_BYTES", chunk)
    monkeypatch.setattr(text_dump, "SAMPLE", sample)
    path = _long_dump(tmp_path / "long.txt")
    extra = LATE[late]
    raw = path.read_bytes() + f"\n\nThe end {extra} here.\n".encode(
        "cp1252" if late == "cp1252" else "utf-8"
    )
    path.write_bytes(raw)
    assert text_dump.load_file(path).to_dict() == text_dump.load(path, raw).to_dict()


@pytest.mark.parametrize("data", [b"", b"  \n\n\t\n"])
def test_an_empty_file_read_in_pieces_says_so(tmp_path: Path, data: bytes) -> None:
    """Nothing, or only white space: "the file is empty"."""
    path = tmp_path / "empty.txt"
    path.write_bytes(data)
    with pytest.raises(ValueError, match="the file is empty"):
        text_dump.load_file(path)
