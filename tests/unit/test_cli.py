"""The command line's help, version and the empty-library message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tui_reader import __version__


def run(
    *args: str, cwd: Path | None = None, stdin: int | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m tui_reader`` with ``args`` (``stdin``: what its input is)."""
    return subprocess.run(
        [sys.executable, "-m", "tui_reader", *args],
        stdin=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"tui-reader {__version__}"


def test_help_names_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for word in ("inspect", "search", "serve-ssh", "--data-dir"):
        assert word in result.stdout


def test_no_stories_anywhere_says_where_to_put_them(tmp_path: Path, data_dir: Path) -> None:
    result = run(cwd=tmp_path)
    assert result.returncode == 1
    assert f"No stories found in {data_dir / 'stories'}" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_path_is_one_line_error(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'nope'}: no such file or folder"


def test_core_does_not_import_textual() -> None:
    code = (
        "import sys, tui_reader.model, tui_reader.text, tui_reader.importers, tui_reader.paths;"
        "print('textual' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_the_reader_read_without_argparse_gets_what_argparse_would_give() -> None:
    """``tui-reader`` and ``tui-reader STORY`` skip argparse (a start-up cost): the values must
    be exactly the parser's, so a new option's default cannot drift from the fast path."""
    from tui_reader.cli import _plain_reader_args, build_parser

    for argv in ([], ["story.epub"], ["a folder with spaces"]):
        fast = _plain_reader_args(argv)
        assert fast is not None
        assert vars(fast) == vars(build_parser().parse_args(argv))
    for argv in (["--plain", "story.epub"], ["-h"], ["a.epub", "b.epub"], ["--data-dir", "d"]):
        assert _plain_reader_args(argv) is None  # (the parser reads these)


def test_the_reader_without_a_terminal_says_so_and_ends(tmp_path: Path, data_dir: Path) -> None:
    """Standard input at its end (a script, a cron job, ``ssh host tui-reader STORY`` without a
    terminal): one line saying why, exit 1, at once. Textual's driver would otherwise wait on
    the input's end forever with a processor busy (it did: 100 % CPU until killed)."""
    story = tmp_path / "story.md"
    story.write_text("# One\n\nA line of story.\n", encoding="utf-8")
    for target in (story, tmp_path):
        result = run(str(target), stdin=subprocess.DEVNULL)
        assert result.returncode == 1
        assert result.stderr.splitlines() == [
            "error: the reader needs a terminal to read keys from, and standard input is not one"
            " (to print a story's details instead: tui-reader inspect FILE)"
        ]
        assert result.stdout == ""


def test_without_a_terminal_a_broken_files_own_error_comes_first(tmp_path: Path) -> None:
    """A script opening a file that cannot be read learns why the file failed, not that there
    is no terminal (the more useful line of the two)."""
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run(str(empty), stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert "the file is empty" in line and str(empty) in line
