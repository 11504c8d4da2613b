"""``tui-reader update`` and ``get`` as a reader runs them: progress bar, lines, exit status.

FanFicFare runs with its offline test adapter; the story it serves is defined in a
``personal.ini`` given to it by ``--fanficfare "fanficfare -c INI"``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.fanficfare import (
    GROWING,
    GROWN,
    OLD_MTIME,
    FanFicFare,
    personal_ini,
    retarget,
    story_url,
)
from tui_reader import updates
from tui_reader.cli import main
from tui_reader.importers import load_story


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``tui-reader ARGS`` with a home of the test's own and stderr taken for a terminal
    (so Rich draws its progress bar)."""
    env = {
        **os.environ,
        "HOME": str(home),
        "TTY_COMPATIBLE": "1",
        "COLUMNS": "100",
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "tui_reader", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_update_fetches_new_chapters_and_says_so(
    fanficfare: FanFicFare, tmp_path: Path, home: Path
) -> None:
    library = tmp_path / "library"
    library.mkdir()
    story = library / "winter-harbour.epub"
    shutil.copyfile(fanficfare.make("epub", GROWING.sid, personal_ini([GROWING])), story)
    ini = tmp_path / "personal.ini"
    ini.write_text(personal_ini([GROWN]), encoding="utf-8")
    command = shlex.join(fanficfare.command(ini))
    done = run_cli(
        home, "update", "--library", str(library), "--delay", "0", "--fanficfare", command
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"updated    {GROWN.title} (+2 chapters)",
        "1 updated, +2 chapters",
    ]
    assert "checking for updates" in done.stderr and "1/1" in done.stderr, "the progress bar"
    assert len(load_story(story).chapters) == 5

    again = run_cli(home, "update", str(story), "--delay", "0", "--fanficfare", command)
    assert again.returncode == 0
    assert again.stdout.splitlines()[-1] == "1 unchanged"


def test_failed_updates_leave_the_files_and_exit_1(
    fanficfare: FanFicFare, tmp_path: Path, home: Path
) -> None:
    library = tmp_path / "library"
    library.mkdir()
    made = fanficfare.make("html", GROWING.sid, personal_ini([GROWING]))
    gone = retarget(made, library / "gone.html", story_url(GROWING.sid), story_url(666))
    broken = retarget(made, library / "broken.html", story_url(GROWING.sid), story_url(667))
    good = library / "winter-harbour.html"
    shutil.copyfile(made, good)
    for path in (gone, broken):
        os.utime(path, (OLD_MTIME, OLD_MTIME))
    before = {p: p.read_bytes() for p in (gone, broken)}
    ini = tmp_path / "personal.ini"
    ini.write_text(personal_ini([GROWN]), encoding="utf-8")
    done = run_cli(
        home,
        "update",
        "--library",
        str(library),
        "--delay",
        "0",
        "--fanficfare",
        shlex.join(fanficfare.command(ini)),
    )
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert f"failed     {GROWING.title}: Story does not exist: ({story_url(666)})" in lines
    assert any(
        line.startswith(f"failed     {GROWING.title}: ") and "Error downloading Chapter" in line
        for line in lines
    )
    assert f"updated    {GROWN.title} (+2 chapters)" in lines
    assert lines[-1].startswith("1 updated, +2 chapters; 2 failed: ")
    assert "Traceback" not in done.stdout + done.stderr
    assert {p: p.read_bytes() for p in (gone, broken)} == before
    assert sorted(os.listdir(library)) == ["broken.html", "gone.html", "winter-harbour.html"]


def test_get_adds_a_story_to_the_library_folder(
    fanficfare: FanFicFare, tmp_path: Path, home: Path
) -> None:
    library = tmp_path / "library"
    ini = tmp_path / "personal.ini"
    ini.write_text(personal_ini([GROWN]), encoding="utf-8")
    done = run_cli(
        home,
        "get",
        story_url(GROWN.sid),
        "--library",
        str(library),
        "--format",
        "html",
        "--fanficfare",
        shlex.join(fanficfare.command(ini)),
    )
    assert done.returncode == 0, done.stderr
    [added] = os.listdir(library)
    assert added.endswith(".html")
    assert done.stdout.splitlines() == [
        f"added      {GROWN.title} (5 chapters) → {added}",
        "1 added",
    ]
    assert "fetching" in done.stderr and "1/1" in done.stderr
    assert load_story(library / added).title == GROWN.title


@pytest.mark.parametrize("command", [["update"], ["get", "http://test1.com?sid=1"]])
def test_without_fanficfare_the_reader_is_told_how_to_install_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(updates.sys, "executable", str(tmp_path / "python"))
    assert main([*command, "--library", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == (
        "error: FanFicFare is not installed; install it with pip install 'tui-reader[fetch]'\n"
    )
    assert main([*command, "--library", str(tmp_path), "--fanficfare", "no-such-fff"]) == 2
    assert "cannot run FanFicFare as 'no-such-fff'" in capsys.readouterr().err


def test_a_named_file_that_does_not_exist_is_an_error(
    fanficfare: FanFicFare, tmp_path: Path, home: Path
) -> None:
    """A mistyped name said "skipped … no such file" and exited 0; it is an error line on
    stderr and exit 1, and the files that do exist are still updated."""
    story = tmp_path / "winter-harbour.epub"
    shutil.copyfile(fanficfare.make("epub", GROWING.sid, personal_ini([GROWING])), story)
    ini = tmp_path / "personal.ini"
    ini.write_text(personal_ini([GROWING]), encoding="utf-8")
    command = shlex.join(fanficfare.command(ini))
    typo = tmp_path / "winter-harbor.epub"
    done = run_cli(home, "update", str(typo), str(story), "--delay", "0", "--fanficfare", command)
    assert done.returncode == 1
    assert f"error: {typo}: no such file" in done.stderr.splitlines()
    assert done.stdout.splitlines()[-1] == "1 unchanged"
    alone = run_cli(home, "update", str(typo), "--delay", "0", "--fanficfare", command)
    assert alone.returncode == 1 and alone.stdout == ""


def test_search_limit_must_be_at_least_one(home: Path) -> None:
    for bad in ("0", "-1", "many"):
        done = run_cli(home, "search", "fox", "--limit", bad)
        assert done.returncode == 2
        assert "--limit: must be a whole number of at least 1" in done.stderr
