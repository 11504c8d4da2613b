"""Importers: every story file a reader has, parsed into one :class:`~tui_reader.model.Story`.

:func:`load_story` is the only entry point the rest of the program uses. It picks the importer
by the file's ending and contents, and turns every failure into a
:class:`~tui_reader.model.StoryError` carrying a one-line reason, never a traceback.

Warnings the author wrote in free text are read here, once, for every importer
(:func:`~tui_reader.importers._story_notes.apply_free_text`). This package's own module loads
nothing heavy: the importers, the encoding detector and the warning grammar are imported when a
file is first imported, so :data:`IMPORTER_VERSION` and a cache hit cost no parser imports.

Each importer module exposes ``load(path: Path, data: bytes) -> Story`` and raises
``ValueError`` (or :class:`StoryError`) with a readable reason for input it cannot use. One
that reads its file a piece at a time (so a long story's bytes are never all held) exposes
``load_file(path: Path) -> Story`` instead, which :func:`load_story` then calls; it says "the
file is empty" itself.
"""

from __future__ import annotations

import importlib
import stat
import sys
from pathlib import Path

from tui_reader.memory import trim
from tui_reader.model import Story, StoryError
from tui_reader.paths import STORY_FORMATS
from tui_reader.text import collapse_whitespace

IMPORTER_VERSION = 3
"""Bumped whenever any importer's output changes (a chapter split, a block, a word count, a
metadata field): the story index cache (:mod:`tui_reader.story_cache`) drops every entry made
by another version."""

MAX_BYTES = 256 * 1024 * 1024
"""Larger files are refused rather than read into memory."""

TRIM_BYTES = 256 * 1024
"""After importing a file this large (an EPUB expands several times), freed memory is handed
back (:func:`tui_reader.memory.trim`)."""

_TRIM_OWED: list[bool] = []
"""Holds True once a first chapter of a long file was read (:func:`load_first_chapter`: a
dump's streamed prefix, an EPUB's first documents) and not trimmed after. The trim is made when
the whole story's import begins (:func:`load_story`, in a worker once the first frame is
painted): ``ctypes`` (about 6 to 7 M instructions to load) is then never loaded before a dump's
or a generic EPUB's first frame, and the pages the first read freed still go back before the
whole import allocates. (Measured for the EPUB, the ``memory`` benchmark's 500k-word row, 3
runs each: 45.6-45.8 MiB trimmed at once, 45.8 owed; 49.0-49.3 and 49.3-49.4 after the
background work.)"""

_HANDOFF: list[bytes] = []
"""What a first read made in another process left for the whole import (:func:`adopt_first_read`),
until :func:`load_story` hands it to the importer."""

_STORY_NOTES = "tui_reader.importers._story_notes"
"""Free-text warnings, read after every import: loaded with the first import, so a story reopened
from the cache (:mod:`tui_reader.story_cache`) never loads the warning grammar."""

SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(STORY_FORMATS)
"""File endings :func:`load_story` accepts."""


def _is_zip(path: Path) -> bool:
    """True for a zip archive (an EPUB without its ending); zipfile is loaded only to ask, so
    a story reopened from the cache never loads it."""
    import zipfile

    return zipfile.is_zipfile(path)


def _module_for(path: Path, data: bytes) -> str:
    """The importer module for this file, or raise ValueError saying why there is none."""
    suffix = path.suffix.lower()
    if suffix in STORY_FORMATS:
        return STORY_FORMATS[suffix]
    if data[:4] == b"PK\x03\x04" and _is_zip(path):
        return STORY_FORMATS[".epub"]
    shown = suffix or "(no extension)"
    raise ValueError(
        f"unsupported file type {shown}; expected one of {', '.join(SUPPORTED_SUFFIXES)}"
    )


NOT_A_FILE = "is not a regular file (a pipe, socket or device), so it is not read"
"""Why a named pipe, socket or device named like a story is refused: reading one would wait
for a writer that may never come."""


def load_story(path: str | Path) -> Story:
    """Read and parse one story file.

    Chapters are indexed now; each chapter's blocks are parsed when first read. Raises
    :class:`StoryError` with a one-line reason for anything that cannot be read.
    """
    path = Path(path)
    shown = str(path)
    if _TRIM_OWED:
        _TRIM_OWED.clear()
        trim()  # what a first chapter's read freed (see load_first_chapter)
    if _HANDOFF:
        _adopt(_HANDOFF.pop())
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise StoryError(shown, "is a folder, not a story file")
        if not stat.S_ISREG(st.st_mode):
            raise StoryError(shown, NOT_A_FILE)
        size = st.st_size
        if size > MAX_BYTES:
            raise StoryError(shown, f"is too large ({size // (1024 * 1024)} MB)")
        known = STORY_FORMATS.get(path.suffix.lower())
        module = importlib.import_module(known) if known is not None else None
        if module is not None and hasattr(module, "load_file"):
            story: Story = module.load_file(path)  # (reads the file a piece at a time)
        else:
            data = path.read_bytes()
            if not data or data.isspace():  # (not data.strip(): that copies the file)
                raise StoryError(shown, "the file is empty")
            module = importlib.import_module(_module_for(path, data))
            story = module.load(path, data)
    except StoryError:
        raise
    except FileNotFoundError:
        raise StoryError(shown, "no such file") from None
    except PermissionError:
        raise StoryError(shown, "permission denied") from None
    except ValueError as exc:  # (encoding.DecodeError is one)
        raise StoryError(shown, _one_line(str(exc)) or type(exc).__name__) from None
    except RecursionError:
        raise StoryError(shown, "the file is nested too deeply to read") from None
    except Exception as exc:  # an importer bug must not take the library down
        reason = f"could not be read ({type(exc).__name__}: {_one_line(str(exc))})"
        raise StoryError(shown, reason) from None
    if not story.chapters:
        raise StoryError(shown, "no story text was found in the file")
    importlib.import_module(_STORY_NOTES).apply_free_text(story)
    if size >= TRIM_BYTES:
        trim()  # the file's text, decoded and indexed, is freed: give the pages back
    return story


def load_first_chapter(path: str | Path) -> Story | None:
    """The story with its first chapter only, when its importer can read that much quickly.

    First chapter first: an importer with a ``load_first(path, data)`` function (the EPUB
    importer) reads the package, the contents and the documents up to the second chapter; one
    with ``load_first_file(path)`` (archive dumps) streams its file and indexes the preamble and
    the first chapter only. That first chapter is exactly the one :func:`load_story` gives.
    None when the file has no such importer, declines, or fails in any way (:func:`load_story`
    then says why).
    """
    path = Path(path)
    try:
        st = path.stat()
        size = st.st_size
        if not stat.S_ISREG(st.st_mode) or size > MAX_BYTES:
            return None  # (a folder, a pipe or a device: load_story says so)
        known = STORY_FORMATS.get(path.suffix.lower())
        module = importlib.import_module(known) if known is not None else None
        story: Story | None
        if module is not None and hasattr(module, "load_first_file"):
            story = module.load_first_file(path)  # (streams the file, as its load_file does)
        elif module is not None and not hasattr(module, "load_first"):
            return None  # (without reading the file)
        else:
            data = path.read_bytes()
            module = importlib.import_module(_module_for(path, data))
            load_first = getattr(module, "load_first", None)
            story = load_first(path, data) if load_first is not None else None
            del data
    except Exception:  # whatever it is, the whole import will meet it and say so
        return None
    if story is None or not story.chapters:
        return None
    importlib.import_module(_STORY_NOTES).apply_free_text(story)
    if size >= TRIM_BYTES:
        _TRIM_OWED[:] = [True]  # (what the first read freed: trimmed when the whole import begins)
    return story


def first_read_handoff() -> bytes | None:
    """What the first-chapter reads of this process left for a whole import (an archive dump's
    prefix layout: :data:`~.text_dump._RESUME`), pickled for another process, or None.

    A first chapter read in a child (:mod:`tui_reader.first_read`) sends it with the story, so
    the parent's whole import streams the dump as it would after its own first read."""
    import pickle  # (only in that child)

    dump = sys.modules.get(STORY_FORMATS[".txt"])
    resume = getattr(dump, "_RESUME", None)
    return pickle.dumps(dict(resume), pickle.HIGHEST_PROTOCOL) if resume else None


def adopt_first_read(handoff: bytes) -> None:
    """Keep another process's :func:`first_read_handoff` for the next whole import (unpickled
    then, in its worker: the importer it names is not loaded before the first frame)."""
    _HANDOFF[:] = [handoff]


def _adopt(handoff: bytes) -> None:
    """Give the importer what a first read in another process left for it (never raises: a
    handoff that cannot be used leaves the whole import to read as if there had been none)."""
    import pickle  # (already loaded by then: the parent unpickled the story)

    try:
        resume = pickle.loads(handoff)
        importlib.import_module(STORY_FORMATS[".txt"])._RESUME.update(resume)
    except Exception:  # (an optimisation, never a failure: the dump is then read whole)
        return


def _one_line(text: str) -> str:
    """Squeeze a message onto one line of reasonable length."""
    line = collapse_whitespace(text)
    return line if len(line) <= 200 else line[:197] + "..."
