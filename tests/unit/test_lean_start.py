"""Start-up imports only what the first frame needs: no search index, no ssh host, no screens
the reader has not asked for, and on a story cache hit no importer or warning grammar.

Each check runs a fresh interpreter and reads its ``sys.modules``.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, STORIES

NOT_AT_START = (
    "asyncssh",
    "sqlite3",
    "tui_reader.search",
    "tui_reader.ssh",
    "tui_reader.ui.screens.search",
    "tui_reader.ui.screens.bookmarks",
    "tui_reader.ui.screens.history",
    "tui_reader.ui.screens.help",
    "tui_reader.ui.screens.library",
    "tui_reader.ui.screens.mutes",
    "tui_reader.ui.dialogs.bookmark_note",
    "tui_reader.ui.dialogs.chapter_index",
    "tui_reader.ui.dialogs.confirm",
    "tui_reader.ui.dialogs.mute",
    "tui_reader.ui.dialogs.status",
    "tui_reader.ui.widgets.library_table",
    "tui_reader.ui.widgets.update_progress",
    "tui_reader.library",
    "tui_reader.library_query",
    "tui_reader.updates",
    "multiprocessing",
    "tomllib",
    "tui_reader.importers.grammar",
    "tui_reader.importers.warnings",
    "tui_reader.importers._story_notes",
    "tui_reader.importers.encoding",
    "tui_reader.importers.epub",
    "tui_reader.importers.html",
    "tui_reader.importers.markdown",
    "tui_reader.importers.text_dump",
    "charset_normalizer",
    "selectolax",
    "zipfile",
    "secrets",
    "hashlib",
    "tui_reader.ui.commands",
    "_hashlib",
)
"""Modules a start on one story must not import before its first frame."""


def loaded_after(code: str) -> set[str]:
    """The modules loaded after running ``code`` in a fresh interpreter."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_app_loads_no_screen_or_service_it_does_not_show_first() -> None:
    loaded = loaded_after("import tui_reader.ui.app")
    assert "tui_reader.ui.screens.reader" in loaded  # the check sees what it should
    assert loaded.isdisjoint(NOT_AT_START), sorted(loaded & set(NOT_AT_START))


def test_the_command_line_loads_no_config_parser_without_a_config_file() -> None:
    code = "from tui_reader.config import load_settings\nload_settings('/nonexistent/c.toml')"
    loaded = loaded_after(code)
    assert "tomllib" not in loaded


def test_a_state_store_that_only_reads_takes_no_lock(tmp_path: Path) -> None:
    code = (
        "from pathlib import Path\nfrom tui_reader.state import Position, StateStore\n"
        f"data = Path({str(tmp_path)!r})\n"
        "store = StateStore(data, 'local')\n"
        "store.save_position('s', Position(1, 0, 0), write_now=True)\nstore.close()\n"
        "import sys\nfor name in [m for m in sys.modules if m.startswith('filelock')]:\n"
        "    del sys.modules[name]\n"
        "store = StateStore(data, 'local', background=True)\n"
        "assert store.position('s') == Position(1, 0, 0)\n"
    )
    assert "filelock" not in loaded_after(code)


LIBRARY_ONLY = ("tui_reader.ui.screens.library", "tui_reader.ui.widgets.library_table")
"""The library screen and its table: the first screen of a library folder, never shown in a
single story's session."""

NOT_PRELOADED = (
    *LIBRARY_ONLY,
    "textual.widgets._data_table",
    "multiprocessing",
    "concurrent.futures.process",
    "argparse",
    "sqlite3",
    "tui_reader.updates",
)
"""What the background preload leaves out: the library's screen and table, what only a
command-line scan or a search index build reads with (a process pool), a command line's parser,
SQLite (loaded by the first search index opened) and the updater (loaded by a check's worker)."""


def test_every_module_left_out_at_start_is_imported_soon_after() -> None:
    from tui_reader.ui.app import DEFERRED_MODULES

    dialogs = {m for m in NOT_AT_START if m.startswith("tui_reader.ui.")} - set(LIBRARY_ONLY)
    reached = loaded_after("from tui_reader.ui.app import preload_deferred\npreload_deferred()")
    assert dialogs <= reached, sorted(dialogs - reached)
    assert "tui_reader.ui.dialogs.confirm" in DEFERRED_MODULES
    assert reached.isdisjoint(NOT_PRELOADED), sorted(reached & set(NOT_PRELOADED))


def test_a_story_reopened_from_the_cache_imports_no_importer(tmp_path: Path) -> None:
    story = STORIES / "the-ferry-at-morrow.md"
    data = tmp_path / "data"
    code = (
        "from pathlib import Path\nimport tui_reader.ui.app\n"
        "from tui_reader.story_cache import open_story\n"
        f"story, fill = open_story(Path({str(story)!r}), Path({str(data)!r}))\n"
        "assert (fill is None) == HIT\n"
        "fill and fill()\n"
        "_ = story.chapters[0].blocks\n"
    )
    first = loaded_after("HIT = False\n" + code)
    assert "tui_reader.importers.markdown" in first
    again = loaded_after("HIT = True\n" + code)
    assert again.isdisjoint(NOT_AT_START), sorted(again & set(NOT_AT_START))


def test_the_story_cache_is_textual_free() -> None:
    loaded = loaded_after("import tui_reader.story_cache")
    assert not any(name == "textual" or name.startswith("textual.") for name in loaded)


def _patterns_compiled_opening(story: Path, data: Path) -> dict[str, int]:
    """Which lazily compiled patterns a fresh interpreter compiled importing the app and opening
    ``story`` (its index and its first chapter's blocks), by the function that holds them."""
    code = (
        "from pathlib import Path\nimport tui_reader.ui.app\n"
        "from tui_reader import paths, text, identity\nfrom tui_reader.reading import relocate\n"
        "from tui_reader.story_cache import open_story\n"
        f"story, fill = open_story(Path({str(story)!r}), Path({str(data)!r}))\n"
        "fill and fill()\n"
        "_ = [b.text for b in story.chapters[0].blocks]\n"
        "_ = story.words, story.story_id\n"
        "held = {'text': text._cjk_patterns, 'relocate': relocate._words_pattern,\n"
        "        'paths': paths._surrogate}\n"
        "found = {name: f.cache_info().currsize for name, f in held.items()}\n"
        "found['identity'] = sum(p._compiled is not None for p in vars(identity).values()\n"
        "                        if isinstance(p, identity._Pattern))\n"
        "print(found)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    compiled: dict[str, int] = ast.literal_eval(done.stdout.splitlines()[-1])
    return compiled


def test_opening_a_story_without_cjk_or_a_source_compiles_no_lazy_pattern(tmp_path: Path) -> None:
    story = STORIES / "salt-and-cinder.md"
    assert not story.read_text(encoding="utf-8").isascii()  # dashes and quotes, no CJK
    compiled = _patterns_compiled_opening(story, tmp_path / "data")
    assert compiled == {"text": 0, "relocate": 0, "paths": 0, "identity": 0}


def test_opening_a_japanese_story_compiles_the_cjk_patterns(tmp_path: Path) -> None:
    compiled = _patterns_compiled_opening(STORIES / "hoshi-o-kazoeru-hito.md", tmp_path / "d")
    assert compiled["text"] == 1  # the check sees what it should


def test_the_state_files_lock_loads_no_hashing_or_database(tmp_path: Path) -> None:
    """Writing the reader's place takes the state file's lock (filelock) a moment after the
    first frame; that must not bring OpenSSL's hashing or SQLite in with it. filelock 3.20.4
    imports sqlite3 for a lock kind we do not use, 4.x also ``secrets`` (so ``hashlib``): 1.2
    MiB resident and ~20 ms, hence the pin in pyproject.toml."""
    code = (
        "from pathlib import Path\nfrom tui_reader.state import Position, StateStore\n"
        f"store = StateStore(Path({str(tmp_path)!r}), 'local')\n"
        "store.save_position('s', Position(1, 0, 0), write_now=True)\nstore.close()\n"
    )
    loaded = loaded_after(code)
    assert "filelock" in loaded  # (the write took the lock)
    assert loaded.isdisjoint({"sqlite3", "secrets", "hashlib", "_hashlib"}), sorted(
        loaded & {"sqlite3", "secrets", "hashlib", "_hashlib"}
    )
