"""``tui-reader inspect FILE [--json] [--audit]``: show how a story file is read.

The outline lists metadata, warnings, gates, story notes and one line per chapter; ``--json``
prints exactly :meth:`Story.to_dict`. ``--audit`` instead counts the source's visible words and
says where each went (:mod:`tui_reader.audit`), exiting 3 when more than 1% is unaccounted. A
file that cannot be read gives one line on stderr, ``error: <path>: <reason>``, nothing on
stdout, and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tui_reader.audit import audit
from tui_reader.importers import load_story
from tui_reader.model import Story, StoryError
from tui_reader.paths import display_text
from tui_reader.text import collapse_whitespace

AUDIT_FAILED = 3
"""Exit status of ``inspect --audit`` when more than 1% of the source is unaccounted."""

NOTE_PREVIEW = 100
"""Characters of each story note shown in the outline."""


def _preview(text: str, limit: int = NOTE_PREVIEW) -> str:
    """One line of at most ``limit`` characters."""
    line = collapse_whitespace(text)
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def outline(story: Story) -> list[str]:
    """The readable outline of a story, line by line (chapter blocks are not parsed)."""
    total = story.chapters_total if story.chapters_total is not None else "?"
    out = [
        f"Title:    {story.title}",
        f"Author:   {story.author or '(unknown)'}",
        f"Format:   {story.source.format}",
        f"Rating:   {_rating(story)}",
        f"Warnings: {', '.join(story.warnings) or '(none)'}",
    ]
    archive = {w.casefold() for w in story.warnings}
    others = [w for w in story.site_warnings if w.casefold() not in archive]
    if others:
        out.append(f"  Site warnings: {_preview(', '.join(others), 200)}")
    out.extend(f"  Author's warning: {_preview(n, 200)}" for n in story.content_notes)
    out.extend(
        f"  Gate before chapter {g.before_chapter}: {_preview(g.reason, 200)}"
        for g in story.warning_gates
    )
    tags = story.tags.all()
    if tags:
        out.append(f"Tags:     {_preview(', '.join(tags), 200)}")
    if story.categories:
        out.append(f"Category: {', '.join(story.categories)}")
    for series in story.series:
        part = f" (part {series.index})" if series.index is not None else ""
        out.append(f"Series:   {series.name}{part}")
    if story.language:
        out.append(f"Language: {story.language}")
    if story.source_url:
        out.append(f"Source:   {story.source_url}")
    if story.summary:
        out.append(f"Summary:  {_preview(story.summary, 200)}")
    out.append(f"Chapters: {len(story.chapters)}/{total}")
    out.append(f"Words:    {story.words}")
    out.extend(f"Damaged:  {problem} (the rest was read)" for problem in story.problems)
    for note in story.notes:
        out.append(f"Note ({note.position}): {_preview(note.text)}")
    out.append("")
    out.extend(f"   -  front matter: {s.title}  {s.words} words" for s in story.front_matter)
    for chapter in story.chapters:
        notes = ""
        if chapter.notes_before or chapter.notes_after:
            notes = f"  notes: {len(chapter.notes_before)} before, {len(chapter.notes_after)} after"
        if chapter.summary:
            notes += "  summary"
        title = chapter.title or "(untitled)"
        out.append(f"{chapter.number:>4}  {title}  {chapter.words} words{notes}")
    out.extend(f"   -  back matter: {s.title}  {s.words} words" for s in story.back_matter)
    return out


def _rating(story: Story) -> str:
    """The rating verbatim, with its AO3 level when that differs ("K+ (General Audiences)")."""
    if not story.rating:
        return "(not given)"
    level = story.rating_level
    return story.rating if level == story.rating else f"{story.rating} ({level})"


def run_inspect(args: argparse.Namespace) -> int:
    """Run ``tui-reader inspect``; returns the exit status."""
    status = 0
    try:
        story = load_story(args.file)
        if args.audit:
            path = Path(args.file)
            result = audit(story, path, path.read_bytes())
            status = 0 if result.passed else AUDIT_FAILED
            text = json.dumps(result.to_dict()) if args.json else "\n".join(result.lines())
        elif args.json:
            text = json.dumps(story.to_dict(), ensure_ascii=False, indent=2)
        else:
            text = "\n".join(outline(story))
    except StoryError as exc:
        print(exc.line(), file=sys.stderr)
        return 1
    sys.stdout.write(display_text(text) + "\n")
    return status
