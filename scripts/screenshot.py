"""Export the README screenshot: the reader on a sample story, as SVG, by Textual itself.

Run from the checkout: ``python scripts/screenshot.py`` (writes ``docs/screenshot.svg``).
Uses a throwaway data dir so your own reading state is neither used nor changed.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STORY = REPO / "stories" / "salt-and-cinder.md"
OUT = REPO / "docs" / "screenshot.svg"
SIZE = (100, 32)


async def shoot(story: Path, out: Path) -> None:
    """Open ``story`` in the app and save its first page as SVG."""
    from tui_reader.importers import load_story
    from tui_reader.ui.app import TuiReaderApp

    with tempfile.TemporaryDirectory() as data:
        app = TuiReaderApp(story, data_dir=Path(data), story=load_story(story))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            if app.screen.__class__.__name__ == "WarningScreen":
                await pilot.press("y")
            await pilot.pause(0.3)
            svg = app.export_screenshot(title="tui-reader")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(svg, encoding="utf-8")


def main() -> int:
    """Write the screenshot; returns the exit status."""
    story = Path(sys.argv[1]) if len(sys.argv) > 1 else STORY
    asyncio.run(shoot(story, OUT))
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
