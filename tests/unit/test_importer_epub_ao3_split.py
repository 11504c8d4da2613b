"""AO3 EPUBs that Calibre split by size read whole (an audit found 14.9% of one unaccounted).

Calibre's ``ebook-convert`` cuts the AO3 download at every chapter heading and again wherever a
file is over its size limit (260 KB for EPUB), copying every ancestor of the cut into both
files. The works here are written by tests/fixtures/ao3_download.py and converted at test time
with AO3's own command line (tests/fixtures/calibre.py), large enough that the cuts land inside a
chapter's ``<p>`` paragraphs, inside one ``<p>`` of ``<br/>`` lines, inside the summary and
notes of the preface and of a chapter, inside chapter end notes and in the afterword. Each EPUB
must read as its HTML download does, chapter text included, and pass ``inspect --audit``.
"""

from __future__ import annotations

import argparse
import random
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.ao3_download import (
    SCENE_BREAK,
    BodyStyle,
    Chapter,
    Work,
    ebook_convert_args,
    sample_work,
    write_ao3_html,
)
from tests.fixtures.calibre import EBOOK_CONVERT, convert
from tests.unit.test_same_work import differences, expected_ao3, reading
from tui_reader.audit import audit
from tui_reader.importers import load_story
from tui_reader.inspect import run_inspect
from tui_reader.model import Story

_WORDS = [
    "harbour",
    "lamp",
    "tide",
    "ledger",
    "gull",
    "ferry",
    "salt",
    "rope",
    "grey",
    "wind",
    "stone",
    "quiet",
    "keeper",
    "wick",
    "breakwater",
    "shingle",
    "lantern",
    "morning",
    "evening",
    "current",
    "anchor",
    "mooring",
    "gale",
    "drift",
]
"""Words the generated paragraphs are made of (the text is this project's own)."""


def _text(rng: random.Random, words: int, tag: str) -> str:
    """A paragraph of about ``words`` words ending in ``tag`` (so each one is told apart)."""
    return " ".join(rng.choice(_WORDS) for _ in range(words)) + f" {tag}."


def _paragraphs(rng: random.Random, count: int, tag: str) -> list[str]:
    """``count`` paragraphs, with a scene break in the middle of long runs."""
    paras = [_text(rng, rng.randint(20, 80), f"{tag}p{i}") for i in range(count)]
    if count > 10:
        paras[count // 2] = SCENE_BREAK
    return paras


def _notes(rng: random.Random, count: int, tag: str) -> str:
    """A note of ``count`` paragraphs (blank lines between)."""
    return "\n\n".join(_text(rng, rng.randint(20, 60), f"{tag}n{i}") for i in range(count))


def _work(sizes: list[int], style: BodyStyle, notes: int = 0, seed: int = 7) -> Work:
    """A work whose chapters have ``sizes`` paragraphs, each note ``notes`` paragraphs long."""
    rng = random.Random(seed)
    work = sample_work(style)
    work.expected_chapters = 0
    work.chapters = [
        Chapter(
            title=f"Part {number}",
            style=style,
            paragraphs=_paragraphs(rng, size, f"c{number}"),
            summary=_notes(rng, notes, f"c{number}s") if notes else None,
            notes=_notes(rng, notes, f"c{number}b") if notes else None,
            end_notes=_notes(rng, notes, f"c{number}e") if notes else None,
        )
        for number, size in enumerate(sizes, start=1)
    ]
    if notes:
        work.summary = _notes(rng, 40, "ws")  # Calibre gets it on its command line too
        work.notes = _notes(rng, notes, "wn")
        work.end_notes = _notes(rng, notes, "we")
    return work


WORKS: dict[str, Callable[[], Work]] = {
    # cut inside chapter 2 (between <p>s and at its scene break), chapters 1 and 3 whole
    "long-chapter-2": lambda: _work([40, 2200, 30], "p"),
    # cut inside one <p> of <br/> lines, several times
    "long-br-chapter": lambda: _work([2500, 20], "br"),
    "long-br-chapter-in-em": lambda: _work([2500, 20], "br", seed=5),
    # cut inside the preface's summary and notes, chapter summaries, notes and end notes,
    # and the afterword's end notes
    "long-notes": lambda: _work([30, 30], "p", notes=1500),
    # many chapters, one far over the limit
    "many-chapters": lambda: _work([60] * 8 + [3000], "p", seed=11),
}
"""The works converted, by name."""

_EM_BODY = re.compile(r'(<div class="userstuff">\n)<p>(.*?)</p>', re.DOTALL)
"""A ``<br/>`` chapter body's one paragraph."""


def _italic_bodies(download: str) -> str:
    """The download with each ``<br/>`` chapter body in one ``<em>``, as some authors post a
    chapter of thoughts or a letter: Calibre then cuts at a ``<br/>`` inside the ``<em>``."""
    return _EM_BODY.sub(lambda m: f"{m.group(1)}<p><em>{m.group(2)}</em></p>", download)


EDITS: dict[str, Callable[[str], str]] = {"long-br-chapter-in-em": _italic_bodies}
"""Works whose download is written by hand after the builder, by name."""


@pytest.fixture(scope="module")
def split_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Work, Path, Path]]:
    """Each work as (work, HTML download, EPUB made by ``ebook-convert``)."""
    if EBOOK_CONVERT is None:
        pytest.skip("calibre's ebook-convert is not installed")
    folder = tmp_path_factory.mktemp("ao3-split")
    out: dict[str, tuple[Work, Path, Path]] = {}
    for name, build in WORKS.items():
        work = build()
        html = write_ao3_html(work, folder / f"{name}.html")
        if name in EDITS:
            edited = EDITS[name](html.read_text(encoding="utf-8"))
            assert "<p><em>" in edited
            html.write_text(edited, encoding="utf-8")
        out[name] = (work, html, convert(html, folder / f"{name}.epub", ebook_convert_args(work)))
    return out


def _split_files(epub: Path) -> list[str]:
    """The split documents of a Calibre EPUB, in order."""
    with zipfile.ZipFile(epub) as zf:
        return sorted(n for n in zf.namelist() if re.search(r"_split_\d+\.x?html$", n))


def _text_of(story: Story) -> list[list[tuple[str, str]]]:
    """Every chapter's blocks as (kind, text)."""
    return [[(b.kind, b.text) for b in chapter.blocks] for chapter in story.chapters]


def _same_as_download(work: Work, html: Path, epub: Path) -> None:
    """The EPUB reads as its HTML download: same reading, same chapter text, audit passed."""
    from_html, from_epub = load_story(html), load_story(epub)
    assert differences(reading(from_html), expected_ao3(work)) == {}
    assert differences(reading(from_epub), reading(from_html)) == {}
    assert _text_of(from_epub) == _text_of(from_html)
    result = audit(from_epub, epub, epub.read_bytes())
    assert result.unaccounted <= 0.01, result.lines()


@pytest.mark.parametrize("name", sorted(WORKS))
def test_a_split_ao3_epub_reads_as_its_download(
    split_books: dict[str, tuple[Work, Path, Path]], name: str
) -> None:
    work, html, epub = split_books[name]
    # more files than the preface, one per chapter and the afterword: Calibre cut by size
    assert len(_split_files(epub)) > len(work.chapters) + 3
    _same_as_download(work, html, epub)


def test_inspect_audit_passes_on_a_split_book(
    split_books: dict[str, tuple[Work, Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, epub = split_books["long-chapter-2"]
    status = run_inspect(argparse.Namespace(file=str(epub), json=False, audit=True))
    out = capsys.readouterr().out
    assert status == 0, out
    assert "Unaccounted:  0.00%  (ok)" in out


_CONTINUED_WRAPPER = re.compile(rb'(<body[^>]*>\s*<div) id="chapters"')
"""A split file that opens inside the ``#chapters`` wrapper (Calibre's copy of it)."""


def _without_wrapper_ids(epub: Path, out: Path) -> int:
    """``epub`` with the id gone from every copy of the ``#chapters`` wrapper that opens a split
    file, as found in an AO3 EPUB in the wild (members otherwise byte for byte); returns how
    many files lost it."""
    stripped = 0
    names = set(_split_files(epub))
    with zipfile.ZipFile(epub) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename in names:
                data, count = _CONTINUED_WRAPPER.subn(rb"\1", data)
                stripped += count
            kind = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            dst.writestr(info.filename, data, compress_type=kind)
    return stripped


@pytest.mark.parametrize("name", ["long-chapter-2", "many-chapters"])
def test_chapters_wrapper_that_lost_its_id_is_joined(
    split_books: dict[str, tuple[Work, Path, Path]], tmp_path: Path, name: str
) -> None:
    work, html, epub = split_books[name]
    damaged = tmp_path / f"{name}-no-ids.epub"
    assert _without_wrapper_ids(epub, damaged) > 1
    _same_as_download(work, html, damaged)
