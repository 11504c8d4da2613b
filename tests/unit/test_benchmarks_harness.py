"""The benchmark harness (with fake cases) and the story generators the cases share."""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import shutil
import sys
import types
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import case_reopen, harness, peers, report
from benchmarks.generate import SCENE_BREAK, make_story, story_text
from benchmarks.terminal import words_pattern
from tui_reader.importers import load_story
from tui_reader.text import count_words

GOOD = """
from pathlib import Path

def run(workdir: Path, quick: bool) -> list[dict]:
    assert workdir.is_dir() and not any(workdir.iterdir())
    (workdir / "scratch").write_text("x")
    return [
        {"case": "good", "label": "fast thing", "value": 3.25, "unit": "ms",
         "target": "< 5 ms", "ok": True},
        {"case": "good", "label": "slow thing quick=" + str(quick), "value": 1234.5, "unit": "ms",
         "target": "< 5 ms", "ok": False, "note": "2.00x floor"},
    ]
"""

BAD = """
def run(workdir, quick):
    raise ValueError("boom\\nsecond line")
"""

NEEDS = """
REQUIRES = ("no-such-tool",)

def run(workdir, quick):
    raise AssertionError("must not run")
"""


@pytest.fixture
def fake_suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A package ``fakebench`` with a good and a failing case, importable."""
    pkg = tmp_path / "fakebench"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "case_good.py").write_text(GOOD)
    (pkg / "case_bad.py").write_text(BAD)
    (pkg / "helper.py").write_text("raise RuntimeError('not a case')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    _forget_fakebench()
    yield pkg
    _forget_fakebench()


def _forget_fakebench() -> None:
    """Drop the fake package from the import caches (each test writes its own)."""
    for name in [n for n in sys.modules if n.split(".")[0] == "fakebench"]:
        del sys.modules[name]
    importlib.invalidate_caches()


def test_run_prints_table_writes_json_and_survives_a_failing_case(
    fake_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.json"
    status = harness.main(["--quick", "--out", str(out)], folder=fake_suite, package="fakebench")
    captured = capsys.readouterr()
    assert status == 1
    assert "case bad failed: ValueError: boom second line" in captured.err
    lines = captured.out.splitlines()
    assert lines[0].split() == ["case", "label", "value", "target", "result"]
    fast = next(line for line in lines if "fast thing" in line)
    assert "3.25 ms" in fast and "< 5 ms" in fast and fast.rstrip().endswith("ok")
    slow = next(line for line in lines if "slow thing quick=True" in line)
    assert "1,234 ms (2.00x floor)" in slow and slow.rstrip().endswith("MISSED")
    assert any(line.startswith("bad") and "FAILED: ValueError: boom" in line for line in lines)

    doc = json.loads(out.read_text())
    assert doc["quick"] is True
    assert [r["label"] for r in doc["results"]] == ["fast thing", "slow thing quick=True"]
    assert doc["results"][1]["note"] == "2.00x floor"
    assert doc["failed"] == {"bad": "ValueError: boom second line"}
    for key in ("cpu", "cores", "memory_mb", "python", "textual", "date"):
        assert doc["machine"][key], key


def test_only_runs_the_named_cases_and_exits_zero(
    fake_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.json"
    status = harness.main(
        ["--only", "good", "--out", str(out)], folder=fake_suite, package="fakebench"
    )
    assert status == 0
    assert "slow thing quick=False" in capsys.readouterr().out
    assert json.loads(out.read_text())["failed"] == {}
    assert harness.main(["--only", "nope"], folder=fake_suite, package="fakebench") == 2


def test_a_case_whose_tool_is_missing_is_skipped_not_run(fake_suite: Path) -> None:
    (fake_suite / "case_needs.py").write_text(NEEDS)
    result = harness.run_case("needs", True, package="fakebench", available=lambda tool: False)
    assert result.error is None
    assert result.skipped == "no-such-tool missing: apt-get install no-such-tool"
    assert "skipped: no-such-tool missing" in harness.table([result])


def test_partial_failure_keeps_the_rows_measured(fake_suite: Path) -> None:
    (fake_suite / "case_partial.py").write_text(
        "from benchmarks.harness import PartialFailure\n"
        "def run(workdir, quick):\n"
        "    raise PartialFailure('EPUB did not open', [{'label': 'dump', 'value': 1.0,"
        " 'unit': 'ms', 'target': None, 'ok': None}])\n"
    )
    result = harness.run_case("partial", False, package="fakebench")
    assert result.error == "EPUB did not open"
    assert result.rows[0]["case"] == "partial" and result.rows[0]["value"] == 1.0


def test_discover_lists_the_real_cases() -> None:
    names = harness.discover()
    assert {"first_frame", "memory"} <= set(names)
    assert "harness" not in names and "generate" not in names


def _body_words(words: int, chapter_words: int = 5_000) -> int:
    text = story_text(words, chapter_words=chapter_words)
    return sum(count_words(p) for c in text.chapters for p in c.paragraphs if p != SCENE_BREAK)


@pytest.mark.parametrize("words", [1, 7, 5_000, 50_000, 500_000])
def test_generated_stories_hit_their_word_counts(words: int) -> None:
    assert _body_words(words) == words
    assert story_text(words).words == words


def test_chapters_split_by_chapter_words_and_open_alike() -> None:
    small, big = story_text(5_000), story_text(500_000)
    assert len(small.chapters) == 1 and len(big.chapters) == 100
    assert small.chapters[0] == big.chapters[0]
    assert _body_words(12_345, chapter_words=1_000) == 12_345
    assert len(story_text(12_345, chapter_words=1_000).chapters) == 13


@pytest.mark.parametrize("fmt", ["dump", "epub", "markdown"])
def test_generators_are_deterministic(fmt: str, tmp_path: Path) -> None:
    one = make_story(tmp_path / "a", 20_000, fmt)
    two = make_story(tmp_path / "b", 20_000, fmt)
    assert one.path.read_bytes() == two.path.read_bytes()
    other = make_story(tmp_path / "c", 20_000, fmt, seed=9)
    assert other.path.read_bytes() != one.path.read_bytes()


def test_dump_layout(tmp_path: Path) -> None:
    story = make_story(tmp_path, 6_000, "dump")
    lines = story.path.read_text(encoding="utf-8").split("\n")
    assert lines[0] == story.text.title and lines[2] == "Total Chapters: 2"
    chapter_lines = [line for line in lines if line.startswith("Chapter ")]
    assert [line.split(":")[0] for line in chapter_lines] == ["Chapter 1", "Chapter 2"]
    first = lines[lines.index(chapter_lines[0]) + 2]
    assert first.startswith(story.text.opening)


def test_epub_is_a_valid_container(tmp_path: Path) -> None:
    story = make_story(tmp_path, 12_000, "epub")
    with zipfile.ZipFile(story.path) as zf:
        first = zf.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert zf.read("mimetype") == b"application/epub+zip"
        names = zf.namelist()
        assert sum(n.startswith("OEBPS/chapter-") for n in names) == 3
        assert story.text.opening.split()[-1] in zf.read("OEBPS/chapter-0001.xhtml").decode()


def test_markdown_story_opens_without_warnings(tmp_path: Path) -> None:
    story = make_story(tmp_path, 12_000, "markdown")
    loaded = load_story(story.path)
    assert loaded.words == 12_000 and len(loaded.chapters) == 3
    assert not loaded.needs_warning
    assert loaded.chapters[0].blocks[0].text.startswith(story.text.opening)


@pytest.mark.parametrize(("fmt", "module"), [("dump", "text_dump"), ("epub", "epub")])
def test_dump_and_epub_open_without_warnings(fmt: str, module: str, tmp_path: Path) -> None:
    if importlib.util.find_spec(f"tui_reader.importers.{module}") is None:
        pytest.skip(f"the {module} importer is not there yet")
    story = make_story(tmp_path, 12_000, fmt)
    loaded = load_story(story.path)
    assert loaded.title == story.text.title
    assert len(loaded.chapters) == 3 and not loaded.needs_warning
    blocks = [b for c in loaded.chapters for b in c.blocks]
    assert sum(count_words(b.text) for b in blocks if b.kind == "paragraph") == 12_000
    breaks = sum(p == SCENE_BREAK for c in story.text.chapters for p in c.paragraphs)
    assert breaks > 0 and sum(b.kind == "scene_break" for b in blocks) == breaks
    assert loaded.chapters[0].blocks[0].text.startswith(story.text.opening)


def test_opening_words_match_however_the_screen_spaces_them() -> None:
    pattern = words_pattern("“We should have brought the")
    assert pattern.search("│ ”We  should have\n  brought the other one")
    assert not pattern.search("We should have bought the")


def test_report_turns_results_into_a_markdown_table(
    fake_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.json"
    harness.main(["--out", str(out)], folder=fake_suite, package="fakebench")
    capsys.readouterr()
    text = report.markdown(json.loads(out.read_text()))
    assert "| good | fast thing | 3.25 ms | < 5 ms | ok |" in text
    assert (
        "| good | slow thing quick=False | 1,234 ms (2.00x floor) | < 5 ms | **MISSED** |" in text
    )
    assert "| bad | (case failed) | — | | FAILED: ValueError: boom second line |" in text
    assert text.startswith("Machine: ")


def test_row_carries_every_key_and_rounds_the_value() -> None:
    got = harness.row("state", "save p99", 4.123456, "ms", "< 5 ms", True, digits=2)
    assert got == {
        "case": "state",
        "label": "save p99",
        "value": 4.12,
        "unit": "ms",
        "target": "< 5 ms",
        "ok": True,
    }
    assert tuple(got) == harness.ROW_KEYS
    assert harness.row("state", "did not run", None, "ms")["value"] is None


def test_ratio_check_compares_with_the_peer() -> None:
    assert harness.ratio_check(115.0, 100.0, 1.15) == (1.15, True)
    ratio, ok = harness.ratio_check(300.0, 500.0, 0.6)
    assert ratio == pytest.approx(0.6) and ok
    assert harness.ratio_check(301.0, 500.0, 0.6)[1] is False
    assert harness.ratio_check(1.0, 0.0, 1.15) == (float("inf"), False)


def test_summary_counts_targets_and_gives_each_peers_ratio_range() -> None:
    rows = [
        {"label": "floor", "value": 200.0, "target": None, "ok": None},
        {"label": "baseline", "ratio": 1.9, "ratio_to": "empty app", "target": None, "ok": None},
        {"label": "5k", "ratio": 1.1, "ratio_to": "empty app", "target": "≤ 1.15×", "ok": True},
        {"label": "500k", "ratio": 2.2, "ratio_to": "empty app", "target": "≤ 1.15×", "ok": False},
        {"label": "473k", "ratio": 0.55, "ratio_to": "epy", "target": "≤ 0.6× epy", "ok": True},
        {"label": "rss", "value": 50.0, "target": "≤ 45 MiB", "ok": False},
        {"label": "no epy", "value": None, "target": "≤ 0.6× epy", "ok": None},
    ]
    assert harness.summary(rows) == [
        "targets: 2 met, 2 missed, 1 not measured",
        "vs empty app: 1.10–2.20× (2 rows, target ≤ 1.15×, met by 1)",
        "vs epy: 0.55× (1 row, target ≤ 0.6× epy, met by 1)",
    ]
    assert harness.summary([]) == ["targets: 0 met, 0 missed"]


def test_the_run_prints_the_summary_and_the_report_lists_it(
    fake_suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.json"
    harness.main(["--only", "good", "--out", str(out)], folder=fake_suite, package="fakebench")
    assert "\ntargets: 1 met, 1 missed\n" in capsys.readouterr().out
    assert "\n- targets: 1 met, 1 missed" in report.markdown(json.loads(out.read_text()))


def test_peers_live_in_a_cache_outside_the_project_and_start_with_a_fresh_home(
    tmp_path: Path,
) -> None:
    assert peers.cache_root({"TUI_BENCH_CACHE": "/x/y"}) == Path("/x/y")
    assert peers.cache_root({"XDG_CACHE_HOME": "/c", "HOME": "/h"}) == Path("/c/tui-reader-bench")
    assert peers.cache_root({"HOME": "/h"}) == Path("/h/.cache/tui-reader-bench")
    env = peers.peer_env(tmp_path / "home")
    assert env["HOME"] == str(tmp_path / "home")
    for key in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        assert env[key].startswith(str(tmp_path / "home") + "/"), key


def test_an_installed_epy_is_reused_without_pip(tmp_path: Path) -> None:
    program = peers.venv_program(tmp_path / peers.EPY_VENV, "epy")
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    assert peers.ensure_epy(tmp_path) == peers.Peer("epy", [str(program)], "reused")


def test_reopen_falls_back_to_load_story_when_there_is_no_story_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(case_reopen, "CACHE_MODULE", "tui_reader.no_such_module_here")
    open_story, note = case_reopen.opener()
    assert note == "no story cache yet"
    story = make_story(tmp_path, 6_000, "dump")
    first, median, runs = case_reopen.time_reopen(open_story, story.path, tmp_path, repeats=2)
    assert len(runs) == 2 and first > 0 and median > 0
    assert (
        open_story(story.path, tmp_path).chapters[0].blocks[0].text.startswith(story.text.opening)
    )


def test_reopen_uses_open_cached_when_the_story_cache_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Path, Path]] = []
    fake = types.ModuleType("fake_story_cache")

    def open_cached(path: Path, data_dir: Path) -> object:
        calls.append((path, data_dir))
        return load_story(path)

    fake.open_cached = open_cached  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_story_cache", fake)
    monkeypatch.setattr(case_reopen, "CACHE_MODULE", "fake_story_cache")
    open_story, note = case_reopen.opener()
    assert note is None
    story = make_story(tmp_path, 6_000, "epub")
    case_reopen.time_reopen(open_story, story.path, tmp_path / "data", repeats=3)
    assert calls == [(story.path, tmp_path / "data")] * 5


def test_report_merges_runs_and_marks_the_quick_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    full = {
        "machine": {"cpu": "Full CPU", "commit": "abc1234"},
        "quick": False,
        "results": [{"case": "first_frame", "label": "floor", "value": 200.0, "unit": "ms"}],
        "failed": {},
        "skipped": {},
    }
    quick = {
        "machine": {"cpu": "Other"},
        "quick": True,
        "results": [
            {
                "case": "state",
                "label": "save p99",
                "value": 3.0,
                "unit": "ms",
                "target": "p99 < 5 ms",
                "ok": True,
            }
        ],
        "failed": {"ssh": "RuntimeError: no server"},
        "skipped": {},
    }
    (tmp_path / "full.json").write_text(json.dumps(full))
    (tmp_path / "quick.json").write_text(json.dumps(quick))
    assert report.main([str(tmp_path / "full.json"), str(tmp_path / "quick.json")]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Machine: Full CPU") and "quick run" not in text.splitlines()[0]
    assert "| first_frame | floor | 200 ms |  |  |" in text
    assert "| state | save p99 (quick) | 3.00 ms | p99 < 5 ms | ok |" in text
    assert "| ssh | (case failed) | — | | FAILED: RuntimeError: no server |" in text
    assert "- targets: 1 met, 0 missed" in text


def test_the_first_render_probe_ends_a_program_at_its_first_frame(tmp_path: Path) -> None:
    """The instruction case's probe: the empty app (which would run until quit) ends by itself
    once its first frame is rendered (before it is written out), with status 0, on a real
    pseudo-terminal."""
    import os
    import subprocess
    import sys
    import threading

    from benchmarks import first_render_probe
    from benchmarks.case_instructions import FLOOR

    master, slave = os.openpty()
    env = os.environ | {"TERM": "xterm-256color", first_render_probe.SCREEN_ENV: ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.first_render_probe", str(FLOOR)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    os.close(slave)
    shown: list[bytes] = []

    def drain() -> None:
        """Read what the app writes (its frame) until the terminal closes."""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            if not chunk:
                return
            shown.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
        reader.join(timeout=5)
        os.close(master)
    assert b"\x1b[?1049h" in b"".join(shown)  # (the app had started: its own screen was on)


def test_the_instruction_case_reads_callgrind_totals(tmp_path: Path) -> None:
    from benchmarks.case_instructions import _count

    dump = tmp_path / "callgrind.out.1"
    dump.write_text("version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 831204512\n")
    assert _count(dump) == 831204512
    assert _count(tmp_path / "missing") is None


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_the_terminal_reads_screens_through_one_control_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Launching starts a tmux client; reading the screen, keys, pane fields and ending a
    session go through the control client the server was started with (no process each)."""
    from benchmarks import terminal

    tmux = terminal.Tmux(tmp_path)
    script = 'printf "%%end 1 2 3\\nready\\n"; read answer; echo "got $answer"; sleep 30'
    try:
        session = tmux.launch(["sh", "-c", script], {"LANG": "C.UTF-8"}, tmp_path)
        spawned: list[object] = []
        monkeypatch.setattr(terminal.subprocess, "run", lambda *a, **k: spawned.append(a))
        screen = tmux.wait_for(session, re.compile("ready"), 20, answer_warning=False)
        assert screen.splitlines()[0] == "%end 1 2 3"  # (screen text, not the reply's end)
        tmux.send(session, "y", "Enter")
        assert "got y" in tmux.wait_for(session, re.compile("got y"), 20)
        assert tmux.pane(session, "pane_pid").isdigit()
        assert tmux.capture("no-such-session") == ""
        tmux.kill(session)
        assert tmux.pane("keep", "pane_dead") == "0"
        assert spawned == []
        with pytest.raises(ValueError):
            tmux.send(session, "two words")
    finally:
        monkeypatch.undo()
        tmux.close()
