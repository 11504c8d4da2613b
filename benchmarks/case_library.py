"""Library: cold scan (no index cache, every file imported), warm scan, filter keystrokes.

Full run: 100, 1,000 and 10,000 small stories; quick run: 100 and 1,000. The stories are small
native-format files in nested folders (one in fifty is broken, so error entries are cached too),
generated deterministically. Targets: a warm scan of 10,000 stories under 0.5 s (issue 4); a
cold scan of 10,000 at most 1.5 s and a filter keystroke at most 50 ms (issue 14).

Two more cold scans show what other formats cost (issue 14's fast paths): 10,000 EPUBs (1,000
in a quick run) in the shapes the library meets most — AO3's (Calibre's conversion of the
download: a preface with the tags, one file per chapter, an afterword), FanFicFare's (a title
page of labelled fields, a contents page, one file per chapter) and a plain EPUB 3 — and a
mixed library of those with Markdown stories and AO3 HTML downloads. Each story is about 300
words in three chapters, like the Markdown ones.

Filter keystrokes: the app (``TuiReaderApp`` on the library folder, Pilot, 100x40, animations
off) shows the largest library from its warm index; ``/`` opens the filter and the case types
:data:`FILTER_TEXT` a letter at a time, then deletes it again. Each keystroke is the CPU time
of the process (``time.process_time``, so machine load does not count) from the key until the
screen has refreshed with the filtered table; the figure is the p95 over the keystrokes.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import time
import zipfile
from html import escape
from pathlib import Path

from benchmarks.harness import row
from tui_reader.library import Library

WARM_TARGET_S = 0.5
"""A warm scan of 10,000 stories must take less than this."""

COLD_TARGET_S = 1.5
"""A cold scan of 10,000 stories may take at most this (issue 14)."""

FILTER_TARGET_MS = 50.0
"""A filter keystroke at 10,000 stories may cost at most this much CPU (issue 14)."""

FILTER_TEXT = "lantern ho"
"""What the filter keystrokes type (then delete, one backspace at a time)."""

_WORDS = [
    "lantern",
    "heron",
    "ferry",
    "orchard",
    "harbour",
    "willow",
    "copper",
    "sparrow",
    "river",
    "bell",
    "salt",
    "tide",
    "glass",
    "road",
    "map",
    "key",
    "moss",
    "stone",
    "winter",
    "thaw",
    "bread",
    "letter",
    "rope",
    "candle",
    "quiet",
    "slow",
    "bright",
    "old",
]
_RATINGS = ("General Audiences", "Teen And Up Audiences", "Mature", "Explicit")


def _story(rng: random.Random, n: int) -> str:
    """One small Markdown story (about 300 words in three chapters)."""
    title = " ".join(w.capitalize() for w in rng.sample(_WORDS, 3))
    lines = [
        "+++",
        f'title = "{title} {n}"',
        f'author = "Author {n % 97}"',
        f'summary = "A story about {rng.choice(_WORDS)} and {rng.choice(_WORDS)}."',
        f'rating = "{rng.choice(_RATINGS)}"',
        'warnings = ["No Archive Warnings Apply"]',
        f"chapters_total = {rng.randint(3, 6)}",
        "[tags]",
        f'fandoms = ["Fandom {n % 13}"]',
        f'additional = ["{rng.choice(_WORDS)}", "{rng.choice(_WORDS)}"]',
        "+++",
    ]
    for chapter in range(1, 4):
        lines += ["", f"# Chapter {chapter}: {rng.choice(_WORDS).capitalize()}", ""]
        for _ in range(4):
            lines += [" ".join(rng.choices(_WORDS, k=25)) + ".", ""]
    return "\n".join(lines)


def _write_library(root: Path, count: int) -> None:
    """``count`` stories in folders of 100, one in fifty broken."""
    rng = random.Random(count)
    for n in range(count):
        folder = root / f"shelf-{n // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        if n % 50 == 49:
            (folder / f"broken_{n}.md").write_text('+++\ntitle = "unclosed\n+++\n', "utf-8")
        else:
            (folder / f"story_{n}.md").write_text(_story(rng, n), "utf-8")


_XHTML = "application/xhtml+xml"
"""The media type of an EPUB's documents."""

_FIXED_TIME = (2024, 1, 1, 0, 0, 0)
"""The time stamp of every zip member (the files are the same on every run)."""

_WARNINGS = ("No Archive Warnings Apply", "Graphic Depictions Of Violence", "Major Character Death")
"""AO3 archive warnings the generated works carry."""


class _Work:
    """A small generated work: metadata and three chapters of paragraphs."""

    def __init__(self, rng: random.Random, n: int) -> None:
        """The ``n``-th work, drawn from ``rng``."""
        self.n = n
        """Its number (in its title and source address)."""
        self.title = " ".join(w.capitalize() for w in rng.sample(_WORDS, 3)) + f" {n}"
        """Title."""
        self.author = f"Author {n % 97}"
        """Author."""
        self.rating = rng.choice(_RATINGS)
        """Rating."""
        self.warning = rng.choice(_WARNINGS)
        """One archive warning."""
        self.fandom = f"Fandom {n % 13}"
        """Fandom."""
        self.tags = [rng.choice(_WORDS), rng.choice(_WORDS) + " au"]
        """Additional tags."""
        self.summary = f"A story about {rng.choice(_WORDS)} and {rng.choice(_WORDS)}."
        """Summary."""
        self.chapters = [
            (
                rng.choice(_WORDS).capitalize(),
                [" ".join(rng.choices(_WORDS, k=25)) + "." for _ in range(4)],
            )
            for _ in range(3)
        ]
        """(title, paragraphs) of each chapter."""

    def paragraphs(self, number: int) -> str:
        """Chapter ``number``'s paragraphs as HTML."""
        return "\n".join(f"<p>{escape(p)}</p>" for p in self.chapters[number - 1][1])


def _doc(title: str, body: str, body_class: str = "") -> str:
    """An XHTML document."""
    cls = f' class="{body_class}"' if body_class else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">\n'
        f"<head><title>{escape(title)}</title></head>\n<body{cls}>\n{body}\n</body>\n</html>\n"
    )


def _zip_epub(path: Path, files: list[tuple[str, str]], meta: list[str], toc: list[str]) -> None:
    """Write an EPUB 2: ``files`` (name, XHTML) in spine order, ``meta`` the OPF's metadata
    elements, ``toc`` the NCX labels of the files from the second on."""
    items = "".join(
        f'<item id="f{i}" href="{name}" media-type="{_XHTML}"/>'
        for i, (name, _) in enumerate(files)
    )
    spine = "".join(f'<itemref idref="f{i}"/>' for i in range(len(files)))
    points = "".join(
        f'<navPoint id="p{i}" playOrder="{i}"><navLabel><text>{escape(label)}</text></navLabel>'
        f'<content src="{files[i][0]}"/></navPoint>'
        for i, label in enumerate(toc, start=1)
    )
    opf = (
        '<?xml version="1.0" encoding="utf-8"?>\n<package xmlns="http://www.idpf.org/2007/opf" '
        'version="2.0" unique-identifier="uid"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"{''.join(meta)}<dc:language>en</dc:language></metadata><manifest>{items}"
        '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/></manifest>'
        f'<spine toc="ncx">{spine}</spine></package>'
    )
    ncx = (
        '<?xml version="1.0" encoding="utf-8"?>\n<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" '
        f'version="2005-1"><head/><docTitle><text>Book</text></docTitle><navMap>{points}</navMap></ncx>'
    )
    container = (
        '<?xml version="1.0"?>\n<container version="1.0" '
        'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile '
        'full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>'
        "</container>"
    )
    members = [("META-INF/container.xml", container), ("OEBPS/content.opf", opf),
               ("OEBPS/toc.ncx", ncx), *((f"OEBPS/{n}", t) for n, t in files)]  # fmt: skip
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("mimetype", date_time=_FIXED_TIME)
        zf.writestr(info, "application/epub+zip")
        for name, text in members:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))


def _dc(work: _Work, source: str, *extra: str) -> list[str]:
    """A work's Dublin Core elements."""
    return [
        f'<dc:identifier id="uid">{source}</dc:identifier>',
        f"<dc:title>{escape(work.title)}</dc:title>",
        f"<dc:creator>{escape(work.author)}</dc:creator>",
        f"<dc:description>{escape(work.summary)}</dc:description>",
        f"<dc:source>{source}</dc:source>",
        *extra,
    ]


def _ao3_preface(work: _Work) -> str:
    """AO3's preface block (the download's tags, title, byline and summary)."""
    rows = [("Rating", work.rating), ("Archive Warning", work.warning), ("Fandom", work.fandom),
            ("Additional Tags", ", ".join(work.tags))]  # fmt: skip
    tags = "".join(f"<dt>{label}:</dt><dd>{escape(value)}</dd>" for label, value in rows)
    return (
        '<div id="preface"><h2 class="toc-heading">Preface</h2><div class="meta">'
        f'<dl class="tags">{tags}<dt>Stats:</dt><dd>Chapters: 3/3</dd></dl>'
        f'<h1>{escape(work.title)}</h1><div class="byline">by <a rel="author" '
        f'href="https://archiveofourown.org/users/a{work.n % 97}">{escape(work.author)}</a></div>'
        f'<p>Summary</p><blockquote class="userstuff"><p>{escape(work.summary)}</p></blockquote>'
        "</div></div>"
    )


def _ao3_chapter(work: _Work, number: int) -> str:
    """One chapter of an AO3 download."""
    heading = f"Chapter {number}: {escape(work.chapters[number - 1][0])}"
    return (
        f'<div class="meta group"><h2 class="heading">{heading}</h2></div>'
        f'<div class="userstuff">{work.paragraphs(number)}</div>'
    )


_AFTERWORD = (
    '<div id="afterword"><h2 class="toc-heading">Afterword</h2><p class="message">Please drop '
    "by the Archive and comment to let the creator know if you enjoyed their work!</p></div>"
)
"""AO3's afterword block."""


def write_ao3_epub(path: Path, work: _Work) -> None:
    """The work as AO3's EPUB: the preface, one file per chapter, the afterword."""
    source = f"https://archiveofourown.org/works/{work.n + 1000}"
    files = [("preface.html", _doc(work.title, _ao3_preface(work)))]
    files += [
        (f"chapter{i}.html", _doc(work.title, f'<div id="chapters">{_ao3_chapter(work, i)}</div>'))
        for i in range(1, 4)
    ]
    files.append(("afterword.html", _doc(work.title, _AFTERWORD)))
    subjects = [work.rating, work.warning, work.fandom, *work.tags]
    meta = _dc(work, source, "<dc:publisher>Archive of Our Own</dc:publisher>",
               *(f"<dc:subject>{escape(s)}</dc:subject>" for s in subjects))  # fmt: skip
    _zip_epub(path, files, meta, [f"Chapter {i}" for i in range(1, 4)] + ["Afterword"])


def write_ao3_html(path: Path, work: _Work) -> None:
    """The work as AO3's HTML download."""
    chapters = "".join(_ao3_chapter(work, i) for i in range(1, 4))
    body = f'{_ao3_preface(work)}<div id="chapters" class="userstuff">{chapters}</div>{_AFTERWORD}'
    page = f"<!DOCTYPE html><html><head><title>{escape(work.title)}</title></head>"
    path.write_text(f"{page}<body>{body}</body></html>", encoding="utf-8")


def write_fff_epub(path: Path, work: _Work) -> None:
    """The work as FanFicFare's EPUB: title page, contents page, one file per chapter."""
    source = f"https://www.fanfiction.net/s/{work.n + 1000}/1/"
    fields = [("Category", work.fandom), ("Rating", work.rating), ("Warnings", work.warning),
              ("Status", "Completed"), ("Summary", work.summary), ("Chapters", "3"),
              ("Freeform Tags", ", ".join(work.tags))]  # fmt: skip
    lines = "".join(f"<b>{label}:</b> {escape(value)}<br />\n" for label, value in fields)
    titles = [f"Chapter {i}: {work.chapters[i - 1][0]}" for i in range(1, 4)]
    title_page = (
        f'<h3><a href="{source}">{escape(work.title)}</a> by <a class="authorlink" '
        f'href="https://www.fanfiction.net/u/{work.n % 97}/">{escape(work.author)}</a></h3>'
        f"<div>{lines}</div>"
    )
    contents = "".join(
        f'<a href="file{i:04d}.xhtml">{escape(t)}</a><br />' for i, t in enumerate(titles, 1)
    )
    toc_page = f"<div><h3>Table of Contents</h3>{contents}</div>"
    files = [
        ("title_page.xhtml", _doc(work.title, title_page, "fff_titlepage")),
        ("toc_page.xhtml", _doc("Contents", toc_page, "fff_tocpage")),
    ]
    files += [
        (f"file{i:04d}.xhtml", _doc(t, f'<h3 class="fff_chapter_title">{escape(t)}</h3>'
                                    f"<div>{work.paragraphs(i)}</div>", "fff_chapter"))
        for i, t in enumerate(titles, 1)
    ]  # fmt: skip
    meta = _dc(
        work,
        source,
        "<dc:contributor>FanFicFare [https://github.com/JimmXinu/FanFicFare]</dc:contributor>",
    )
    _zip_epub(path, files, meta, ["Contents", *titles])


def write_plain_epub(path: Path, work: _Work) -> None:
    """The work as a plain EPUB (one file per chapter, opening with its heading)."""
    titles = [f"Chapter {i}: {work.chapters[i - 1][0]}" for i in range(1, 4)]
    files = [
        (
            "title.xhtml",
            _doc(work.title, f"<h1>{escape(work.title)}</h1><p>{escape(work.author)}</p>"),
        )
    ]
    files += [
        (f"ch{i}.xhtml", _doc(t, f"<h2>{escape(t)}</h2>{work.paragraphs(i)}"))
        for i, t in enumerate(titles, 1)
    ]
    _zip_epub(path, files, _dc(work, f"urn:bench:{work.n}"), titles)


_EPUB_SHAPES = (write_ao3_epub, write_fff_epub, write_plain_epub)
"""The EPUB library's shapes, in turn."""


def _write_epub_library(root: Path, count: int, mixed: bool) -> None:
    """``count`` small EPUBs in folders of 100 (AO3's, FanFicFare's and plain, in turn), or with
    ``mixed`` a library of those, Markdown stories and AO3 HTML downloads; one in fifty broken."""
    rng = random.Random(count + mixed)
    for n in range(count):
        folder = root / f"shelf-{n // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        if n % 50 == 49:
            (folder / f"broken_{n}.epub").write_bytes(b"PK\x03\x04 not an epub")
            continue
        kind = n % 5 if mixed else n % 3
        if mixed and kind == 3:
            (folder / f"story_{n}.md").write_text(_story(rng, n), "utf-8")
        elif mixed and kind == 4:
            write_ao3_html(folder / f"story_{n}.html", _Work(rng, n))
        else:
            _EPUB_SHAPES[kind](folder / f"story_{n}.epub", _Work(rng, n))


def _timed_scan(root: Path, data: Path) -> tuple[float, int, int]:
    """Seconds for one scan, entries found, entries taken from the cache."""
    library = Library(root, data)
    start = time.perf_counter()
    entries = library.scan()
    return time.perf_counter() - start, len(entries), library.cache_hits


def run(workdir: Path, quick: bool) -> list[dict]:
    """Time cold and warm scans for each library size."""
    rows: list[dict] = []
    sizes: tuple[int, ...] = (100, 1000) if quick else (100, 1000, 10_000)
    for count in sizes:
        root = workdir / f"library-{count}"
        data = workdir / f"data-{count}"
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(data, ignore_errors=True)
        _write_library(root, count)
        cold, found, _ = _timed_scan(root, data)
        assert found == count, f"cold scan found {found} of {count}"
        warm_runs = [_timed_scan(root, data) for _ in range(3)]
        assert all(hits == count for _, _, hits in warm_runs), "warm scan missed the cache"
        warm = min(t for t, _, _ in warm_runs)
        big = count == 10_000
        rows += [
            row("library", f"cold scan, {count:,} stories", cold, "s",
                f"≤ {COLD_TARGET_S} s" if big else None, (cold <= COLD_TARGET_S) if big else None),
            row("library", f"warm scan, {count:,} stories", warm, "s",
                f"< {WARM_TARGET_S} s" if big else None, (warm < WARM_TARGET_S) if big else None,
                digits=4),
        ]  # fmt: skip
    size = 1000 if quick else 10_000
    for mixed, what in ((False, "EPUBs"), (True, "stories, mixed formats")):
        root = workdir / f"library-{'mixed' if mixed else 'epub'}"
        data = workdir / f"data-{'mixed' if mixed else 'epub'}"
        _write_epub_library(root, size, mixed)
        cold, found, _ = _timed_scan(root, data)
        assert found == size, f"cold scan found {found} of {size}"
        rows.append(row("library", f"cold scan, {size:,} {what}", cold, "s"))
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(data, ignore_errors=True)
    count = sizes[-1]
    keys = asyncio.run(_filter_keystrokes(workdir / f"library-{count}", workdir / f"data-{count}"))
    p95, worst = _p95(keys), max(keys)
    big = count == 10_000
    label = f"filter keystroke, {count:,} stories, CPU p95 of {len(keys)}"
    rows.append(
        row("library", label, p95, "ms", f"≤ {FILTER_TARGET_MS:g} ms" if big else None,
            (p95 <= FILTER_TARGET_MS) if big else None, digits=1)
        | {"note": f"median {sorted(keys)[len(keys) // 2]:.1f}, worst {worst:.1f}",
           "runs_ms": [round(k, 1) for k in keys]}
    )  # fmt: skip
    return rows


def _p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * (len(ordered) - 1))))]


async def _until(check: object, pilot: object, limit: float = 30.0) -> None:
    """Let the app run until ``check()`` is true (at most ``limit`` seconds)."""
    deadline = time.monotonic() + limit
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise RuntimeError("the library screen did not get there in time")
        await pilot.pause(0.02)  # type: ignore[attr-defined]


async def _filter_keystrokes(root: Path, data: Path) -> list[float]:
    """CPU ms of each filter keystroke (typing :data:`FILTER_TEXT`, then deleting it)."""
    from tui_reader.ui.app import TuiReaderApp
    from tui_reader.ui.screens.library import LibraryScreen

    app = TuiReaderApp(root, data_dir=data)
    keys = [("space" if c == " " else c) for c in FILTER_TEXT] + ["backspace"] * len(FILTER_TEXT)
    times: list[float] = []
    async with app.run_test(size=(100, 40)) as pilot:
        app.animation_level = "none"
        await _until(lambda: isinstance(app.screen, LibraryScreen) and app.screen.scanned, pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        await pilot.press("slash")
        await pilot.pause(0.1)
        typed = ""
        for key in keys:
            typed = typed[:-1] if key == "backspace" else typed + (" " if key == "space" else key)
            start = time.process_time()
            await pilot.press(key)
            want = typed.strip()
            await _until(lambda want=want: screen.filter_text == want, pilot)
            await pilot.pause(0.05)  # the screen's refresh (sleeping costs no CPU)
            times.append((time.process_time() - start) * 1000)
    return times
