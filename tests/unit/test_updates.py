"""Updating stories through FanFicFare (run as a program with its offline test adapter).

A story the suite defines (sid 1010) grows from three chapters to five between two runs by
rewriting the ``personal.ini`` passed with ``-c``; a ``dateUpdated`` in the future is what makes
FanFicFare's EPUB update mode fetch. Sid 666 does not exist; sid 667 fails on chapters 2 to 4.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import threading
from pathlib import Path

import pytest

from tests.fixtures.epub_producers import PANDOC, pandoc_epub
from tests.fixtures.fanficfare import (
    FORMATS,
    GROWING,
    GROWING_CHAPTERS,
    GROWN,
    OLD_MTIME,
    FanFicFare,
    personal_ini,
    retarget,
    story_url,
)
from tui_reader import updates
from tui_reader.importers import load_story
from tui_reader.updates import (
    UpdateResult,
    find_fanficfare,
    get_stories,
    summary_line,
    update_stories,
)


def library_with(fanficfare: FanFicFare, tmp_path: Path, fmt: str) -> tuple[Path, Path]:
    """A library holding the three-chapter story as ``fmt``, and the ini FanFicFare reads."""
    library = tmp_path / "library"
    library.mkdir()
    story = library / f"winter-harbour.{fmt}"
    shutil.copyfile(fanficfare.make(fmt, GROWING.sid, personal_ini([GROWING])), story)
    ini = tmp_path / "personal.ini"
    ini.write_text(personal_ini([GROWING]), encoding="utf-8")
    return library, ini


def chapter_titles(path: Path) -> list[str | None]:
    """The chapter titles a reader sees in the file."""
    return [c.title for c in load_story(path).chapters]


# --- the summary ----------------------------------------------------------------------------


def test_summary_line_counts_each_outcome_and_names_the_failure() -> None:
    results = [
        UpdateResult(Path("a.epub"), "A", "updated", 3),
        UpdateResult(Path("b.epub"), "B", "updated", 4),
        UpdateResult(Path("c.epub"), "C", "updated", 0),
        UpdateResult(Path("d.epub"), "D", "unchanged"),
        UpdateResult(Path("e.epub"), "E", "unchanged"),
        UpdateResult(Path("f.epub"), "Lost Work", "failed", reason="Story does not exist"),
    ]
    assert summary_line(results) == (
        "3 updated, +7 chapters; 2 unchanged; 1 failed: Lost Work: Story does not exist"
    )
    one = [UpdateResult(Path("a.epub"), "A", "updated", 1)]
    assert summary_line(one) == "1 updated, +1 chapter"
    assert summary_line([]) == "no stories to check"
    many = [UpdateResult(Path(f"{i}"), f"T{i}", "failed", reason="r") for i in range(5)]
    assert summary_line(many) == "5 failed: T0: r; T1: r; T2: r; and 2 more"


def test_result_lines_say_what_happened() -> None:
    assert UpdateResult(Path("a.epub"), "A", "updated", 2).line() == "updated    A (+2 chapters)"
    gone = UpdateResult(Path("a.epub"), "A", "failed", reason="Story does not exist")
    assert gone.line() == "failed     A: Story does not exist"
    added = UpdateResult(Path("lib/A-tst1_1.epub"), "A", "added", 5)
    assert added.line() == "added      A (5 chapters) → A-tst1_1.epub"


# --- finding the program --------------------------------------------------------------------


def test_find_fanficfare_takes_a_command_with_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = tmp_path / "fff"
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    assert find_fanficfare(f"{program} -c '/my folder/personal.ini'") == [
        str(program),
        "-c",
        "/my folder/personal.ini",
    ]
    monkeypatch.chdir(tmp_path)
    assert find_fanficfare("./fff --config=my.ini -c ~/b.ini -o x=1") == [
        str(program),
        f"--config={tmp_path / 'my.ini'}",
        "-c",
        str(Path.home() / "b.ini"),
        "-o",
        "x=1",
    ], "config files made absolute: FanFicFare runs in a temporary folder"
    assert find_fanficfare("no-such-fanficfare-program") is None
    assert find_fanficfare("") is None
    assert find_fanficfare("'unclosed") is None


def test_find_fanficfare_is_none_when_not_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(updates.sys, "executable", str(tmp_path / "python"))
    assert find_fanficfare() is None


# --- updating -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_work_in_progress_gains_its_new_chapters(
    fanficfare: FanFicFare, tmp_path: Path, home: Path, fmt: str
) -> None:
    """EPUB through FanFicFare's update mode, HTML and TXT fetched again in their format."""
    library, ini = library_with(fanficfare, tmp_path, fmt)
    story = library / f"winter-harbour.{fmt}"
    command = fanficfare.command(ini)
    same = update_stories([story], fanficfare=command, delay=0)
    assert [(r.outcome, r.new_chapters) for r in same] == [("unchanged", 0)]
    assert len(load_story(story).chapters) == 3

    ini.write_text(personal_ini([GROWN]), encoding="utf-8")
    story.chmod(0o640)
    calls: list[tuple[int, int, str]] = []
    results = update_stories(
        [story], fanficfare=command, delay=0, progress=lambda *a: calls.append(a)
    )
    assert results == [UpdateResult(story, GROWN.title, "updated", 2)]
    assert chapter_titles(story) == [c[2] for c in GROWING_CHAPTERS]
    assert (
        load_story(story).source.format
        == load_story(fanficfare.make(fmt, GROWN.sid, personal_ini([GROWN]))).source.format
    ), "the file keeps its format"
    assert os.listdir(library) == [story.name], "same name, nothing left behind"
    assert stat.S_IMODE(story.stat().st_mode) == 0o640, "the file keeps its permissions"
    assert calls[0] == (0, 1, GROWN.title) and calls[-1] == (1, 1, GROWN.title)

    again = update_stories([story], fanficfare=command, delay=0)
    assert [r.outcome for r in again] == ["unchanged"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("sid", "said"), [(666, "Story does not exist"), (667, "Error downloading Chapter")]
)
def test_a_failed_update_leaves_the_file_and_says_why(
    fanficfare: FanFicFare, tmp_path: Path, home: Path, fmt: str, sid: int, said: str
) -> None:
    library, ini = library_with(fanficfare, tmp_path, fmt)
    story = library / f"winter-harbour.{fmt}"
    retarget(
        fanficfare.make(fmt, GROWING.sid, personal_ini([GROWING])),
        story,
        story_url(GROWING.sid),
        story_url(sid),
    )
    os.utime(story, (OLD_MTIME, OLD_MTIME))  # older than the site: FanFicFare tries
    before = story.read_bytes()
    [result] = update_stories([story], fanficfare=fanficfare.command(ini), delay=0)
    assert result.outcome == "failed"
    assert result.title == GROWING.title
    assert result.reason is not None and said in result.reason
    assert "\n" not in result.reason and "Traceback" not in result.reason
    assert story.read_bytes() == before
    assert os.listdir(library) == [story.name]


def test_an_epub_fanficfare_did_not_make_is_fetched_whole(
    fanficfare: FanFicFare, tmp_path: Path, home: Path
) -> None:
    """FanFicFare cannot update another producer's EPUB in place: it fetches the story whole,
    which replaces the file once it reads."""
    if PANDOC is None:
        pytest.skip("pandoc is not installed")
    library = tmp_path / "library"
    library.mkdir()
    story = pandoc_epub(
        f"---\ntitle: My Copy\nauthor: Me\nsource: {story_url(GROWN.sid)}\n---\n\n"
        "# One\n\nThe first chapter as I saved it.\n\n# Two\n\nThe second.\n",
        library / "my-copy.epub",
    )
    story.with_suffix(".md").unlink()
    ini = tmp_path / "personal.ini"
    ini.write_text(personal_ini([GROWN]), encoding="utf-8")
    [result] = update_stories([story], fanficfare=fanficfare.command(ini), delay=0)
    assert (result.outcome, result.title, result.new_chapters) == ("updated", GROWN.title, 3)
    assert chapter_titles(story) == [c[2] for c in GROWING_CHAPTERS]
    assert os.listdir(library) == ["my-copy.epub"]


def test_stories_without_a_source_are_skipped(tmp_path: Path) -> None:
    """Nothing is run for them: any command will do."""
    notes = tmp_path / "notes.md"
    notes.write_text("# My Notes\n\nA story of my own.\n", encoding="utf-8")
    broken = tmp_path / "broken.epub"
    broken.write_bytes(b"not a zip")
    results = update_stories([notes, broken], fanficfare=["false"], delay=0)
    assert [(r.outcome, r.title) for r in results] == [
        ("skipped", load_story(notes).title),
        ("skipped", "broken.epub"),
    ]
    assert results[0].reason == "no source URL in the file"
    assert results[1].reason


def test_a_site_fanficfare_does_not_know_is_skipped(
    fanficfare: FanFicFare, tmp_path: Path, home: Path
) -> None:
    library, ini = library_with(fanficfare, tmp_path, "html")
    story = library / "winter-harbour.html"
    retarget(
        fanficfare.make("html", GROWING.sid, personal_ini([GROWING])),
        story,
        story_url(GROWING.sid),
        "https://stories.invalid/work/1",
    )
    before = story.read_bytes()
    [result] = update_stories([story], fanficfare=fanficfare.command(ini), delay=0)
    assert result.outcome == "skipped"
    assert result.reason == "FanFicFare does not support the site stories.invalid"
    assert story.read_bytes() == before


def test_a_cancelled_run_fetches_nothing(
    fanficfare: FanFicFare, tmp_path: Path, home: Path
) -> None:
    library, ini = library_with(fanficfare, tmp_path, "epub")
    story = library / "winter-harbour.epub"
    ini.write_text(personal_ini([GROWN]), encoding="utf-8")
    before = story.read_bytes()
    results = update_stories(
        [story], fanficfare=fanficfare.command(ini), delay=0, cancelled=lambda: True
    )
    assert [(r.outcome, r.reason) for r in results] == [("skipped", "cancelled")]
    assert story.read_bytes() == before


def test_a_fetch_that_hangs_is_stopped_and_the_file_kept(
    fanficfare: FanFicFare, tmp_path: Path
) -> None:
    """A stand-in for FanFicFare that never answers: stopped at the timeout, or at once when
    the run is cancelled while it waits."""
    library, _ = library_with(fanficfare, tmp_path, "html")
    story = library / "winter-harbour.html"
    before = story.read_bytes()
    hangs = [sys.executable, "-c", "import time; time.sleep(600)"]
    [late] = update_stories([story], fanficfare=hangs, delay=0, timeout=0.5)
    assert (late.outcome, late.reason) == (
        "failed",
        "FanFicFare took longer than 0.5 s and was stopped",
    )
    asked: list[int] = []

    def cancel_once_running() -> bool:
        """False while planning and starting, True once the program runs."""
        asked.append(1)
        return len(asked) > 2

    [stopped] = update_stories([story], fanficfare=hangs, delay=0, cancelled=cancel_once_running)
    assert (stopped.outcome, stopped.reason) == ("skipped", "cancelled")
    assert story.read_bytes() == before
    assert os.listdir(library) == [story.name]


def test_one_request_stream_per_site_with_a_delay_between_stories(
    fanficfare: FanFicFare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two sites run side by side (each first story waits for the other's); within a site
    one story at a time, with the delay between them."""
    made = fanficfare.make("txt", GROWING.sid, personal_ini([GROWING]))
    urls = [
        "http://test1.com?sid=1",
        "http://test2.com?sid=1",
        "http://test1.com?sid=2",
        "http://www.test2.com?sid=2",
        "http://test1.com?sid=3",
    ]
    paths = [
        retarget(made, tmp_path / f"{i}.txt", story_url(GROWING.sid), url)
        for i, url in enumerate(urls)
    ]
    both_sites = threading.Barrier(2, timeout=60)
    events: list[tuple[str, str]] = []
    waits: list[float] = []

    def fake_update(job: updates._Job, *args: object) -> UpdateResult:
        events.append((job.site, "start"))
        if job.url.endswith("sid=1"):
            both_sites.wait()  # passes only when both sites' first stories run at once
        events.append((job.site, "end"))
        return UpdateResult(job.path, job.url, "unchanged")

    monkeypatch.setattr(updates, "_update_one", fake_update)
    monkeypatch.setattr(updates, "_wait", lambda seconds, cancelled: waits.append(seconds))
    results = update_stories(paths, fanficfare=["unused"], delay=7.5)
    assert [r.title for r in results] == urls, "results in the order asked"
    for site in ("test1.com", "test2.com"):
        mine = [e for s, e in events if s == site]
        assert mine == ["start", "end"] * (len(mine) // 2), f"{site}: one story at a time"
    assert sorted(waits) == [7.5, 7.5, 7.5], "a delay before each site's second and third"


# --- getting new stories --------------------------------------------------------------------


def test_get_adds_a_new_story_to_the_library(
    fanficfare: FanFicFare, tmp_path: Path, home: Path
) -> None:
    library = tmp_path / "library"
    library.mkdir()
    ini = tmp_path / "personal.ini"
    ini.write_text(personal_ini([GROWN]), encoding="utf-8")
    command = fanficfare.command(ini)
    [added] = get_stories([story_url(GROWN.sid)], library=library, fanficfare=command, delay=0)
    assert (added.outcome, added.title, added.new_chapters) == ("added", GROWN.title, 5)
    assert added.path.parent == library and added.path.suffix == ".epub"
    assert os.listdir(library) == [added.path.name]
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(added.path.stat().st_mode) == 0o666 & ~umask
    assert chapter_titles(added.path) == [c[2] for c in GROWING_CHAPTERS]

    twice = get_stories([story_url(GROWN.sid)], library=library, fanficfare=command, delay=0)
    assert [(r.outcome, r.reason) for r in twice] == [
        ("skipped", f"already in the library as {added.path.name}")
    ]
    [txt] = get_stories(
        [story_url(GROWN.sid)], library=library, fmt="txt", fanficfare=command, delay=0
    )
    assert txt.outcome == "added" and txt.path.suffix == ".txt"
    [gone] = get_stories([story_url(666)], library=library, fanficfare=command, delay=0)
    assert gone.outcome == "failed" and "Story does not exist" in (gone.reason or "")
    [unknown] = get_stories(
        ["https://stories.invalid/work/1"], library=library, fanficfare=command, delay=0
    )
    assert (unknown.outcome, unknown.reason) == (
        "failed",
        "FanFicFare does not support the site stories.invalid",
    )
    assert sorted(os.listdir(library)) == sorted([added.path.name, txt.path.name])
