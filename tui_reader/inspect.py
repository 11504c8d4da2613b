"""``tui-reader inspect FILE [--json]``: show how a story file is read.

The outline lists metadata, warnings, gates, story notes and one line per chapter; ``--json``
prints exactly :meth:`Story.to_dict`. A file that cannot be read gives one line on stderr,
``error: <path>: <reason>``, nothing on stdout, and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import sys

from tui_reader.importers import load_story
from tui_reader.model import Story, StoryError
from tui_reader.paths import display_text

NOTE_PREVIEW = 100
"""Characters of each story note shown in the outline."""


def _preview(text: str, limit: int = NOTE_PREVIEW) -> str:
    """One line of at most ``limit`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def outline(story: Story) -> list[str]:
    """The readable outline of a story, line by line (chapter blocks are not parsed)."""
    total = story.chapters_total if story.chapters_total is not None else "?"
    out = [
        f"Title:    {story.title}",
        f"Author:   {story.author or '(unknown)'}",
        f"Format:   {story.source.format}",
        f"Rating:   {story.rating or '(not given)'}",
        f"Warnings: {', '.join(story.warnings) or '(none)'}",
    ]
    out.extend(f"  Author's warning: {_preview(n, 200)}" for n in story.content_notes)
    out.extend(
        f"  Gate before chapter {g.before_chapter}: {_preview(g.reason, 200)}"
        for g in story.warning_gates
    )
    tags = story.tags.all()
    if tags:
        out.append(f"Tags:     {_preview(', '.join(tags), 200)}")
    if story.summary:
        out.append(f"Summary:  {_preview(story.summary, 200)}")
    out.append(f"Chapters: {len(story.chapters)}/{total}")
    out.append(f"Words:    {story.words}")
    for note in story.notes:
        out.append(f"Note ({note.position}): {_preview(note.text)}")
    out.append("")
    for chapter in story.chapters:
        notes = ""
        if chapter.notes_before or chapter.notes_after:
            notes = f"  notes: {len(chapter.notes_before)} before, {len(chapter.notes_after)} after"
        title = chapter.title or "(untitled)"
        out.append(f"{chapter.number:>4}  {title}  {chapter.words} words{notes}")
    return out


def run_inspect(args: argparse.Namespace) -> int:
    """Run ``tui-reader inspect``; returns the exit status."""
    try:
        story = load_story(args.file)
        if args.json:
            text = json.dumps(story.to_dict(), ensure_ascii=False, indent=2)
        else:
            text = "\n".join(outline(story))
    except StoryError as exc:
        print(exc.line(), file=sys.stderr)
        return 1
    sys.stdout.write(display_text(text) + "\n")
    return 0
