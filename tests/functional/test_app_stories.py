"""A small library of original in-test stories for the app, library and snapshot tests.

Not a test module of its own (no tests here): the others import :func:`make_library`.
The stories are written for these tests; the ``stories/`` folder is never used, so the
tests and snapshots do not change when the sample library does.
"""

from __future__ import annotations

import os
from pathlib import Path

from tui_reader.importers import load_story
from tui_reader.model import Story

QUIET = """+++
title = "A Quiet Orchard"
author = "Mirren Aske"
summary = "Two neighbours argue over a pear tree that leans across the wall between them."
rating = "General Audiences"
warnings = ["No Archive Warnings Apply"]
chapters_total = 3

[tags]
fandoms = ["Original Work"]
additional = ["Gardening", "Neighbours"]
+++

# Chapter 1: The Wall

The pear tree had leaned over the wall for eleven years before anyone minded.

Tamsin minded on a Tuesday, when the first pear fell into her soup.

# Chapter 2: The Ladder

She borrowed a ladder from the church and climbed up to look at the other side.

# Chapter 3: The Jam

By autumn they were making jam together, and neither would say who had given in.
"""

BELL = """+++
title = "The Ninth Bell"
author = "Odile Crane"
summary = "A bell-ringer counts the strokes that nobody else can hear."
rating = "Mature"
warnings = ["Graphic Depictions Of Violence"]
content_notes = ["Chapter 2 describes a fall from a height in some detail."]
chapters_total = 2

[[warning_gates]]
before_chapter = 2
reason = "Chapter 1 stands alone. Chapter 2 is the fall; stop here if you would rather not."

[tags]
fandoms = ["Original Work"]
characters = ["Ansel Pike"]
additional = ["Bells", "Towers"]
+++

# Chapter 1: Eight

Ansel rang the eight bells of Saint Olave's every evening, and every evening he heard a ninth.

# Chapter 2: Nine

The ninth bell rang from the top of the tower, where no bell had hung for a hundred years.
"""

BRACKETS = """+++
title = "[bold]Loud[/] and $var"
author = "[red]Nobody[/red]"
summary = "A story whose title looks like markup. It must show literally."
rating = "Teen And Up Audiences"
warnings = ["No Archive Warnings Apply"]
chapters_total = 1

[tags]
fandoms = ["Brackets Fandom"]
+++

# Chapter 1

Square brackets are only brackets here: [i]this[/i] is not italic.
"""

UNFINISHED = """+++
title = "Harbour Lights"
author = "Bea Lorne"
summary = "A lighthouse keeper's daughter keeps the lamp lit after he is gone."
rating = "Teen And Up Audiences"
warnings = ["No Archive Warnings Apply"]
chapters_total = 10

[tags]
fandoms = ["Seaside Tales"]
additional = ["Work In Progress"]
+++

# Chapter 1: Oil

The lamp needed oil every four hours, and Nell set an alarm for each of them.

# Chapter 2: Glass

The lens was older than the town, and she polished it with her father's handkerchief.
"""

BROKEN = """+++
title = "Never Closed
this front matter is not valid TOML
"""

STORIES: dict[str, str] = {
    "a-quiet-orchard.md": QUIET,
    "the-ninth-bell.md": BELL,
    "brackets.md": BRACKETS,
    "harbour-lights.md": UNFINISHED,
    "broken-file.md": BROKEN,
}
"""File name → contents of the test library."""


def make_library(root: Path) -> Path:
    """Write the test library into ``root/library`` with fixed mtimes; returns the folder."""
    folder = root / "library"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in STORIES.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        os.utime(path, (1_700_000_000, 1_700_000_000))
    return folder


def story(folder: Path, name: str) -> Story:
    """Load one story of the test library."""
    return load_story(folder / name)
