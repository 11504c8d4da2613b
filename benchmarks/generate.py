"""Deterministic story generators shared by the benchmark cases.

Every story is original prose built from the word lists below with a seeded random generator:
the same arguments always give the same text and the same file bytes. Nothing here is copied
from a real story. The stories carry no rating, no archive warnings and no author's warnings,
so the reader opens them without a warning screen.

Formats: the archive page dump (``.txt``), a generic EPUB 3 (``.epub``) and our own Markdown
(``.md``). Each chapter body holds exactly the number of words asked for (as
:func:`tui_reader.text.count_words` counts them).
"""

from __future__ import annotations

import random
import zipfile
from dataclasses import dataclass
from html import escape
from pathlib import Path

DEFAULT_SEED = 8
"""The seed every generator uses unless told otherwise."""

CHAPTER_WORDS = 5_000
"""Default words per chapter: a 500k-word story has 100 chapters, a 5k-word story one."""

_NAMES = (
    "Maren", "Tobiah", "Ilse", "Corwin", "Petra", "Anselm", "Juno", "Halvard", "Wren", "Odile",
    "Casimir", "Liesel", "Bram", "Sabine", "Teodor", "Nell", "Ruslan", "Ysolde", "Fenwick",
    "Agathe",
)  # fmt: skip
_PLACES = (
    "the lighthouse", "the orchard", "the ferry landing", "the bell tower", "the glasshouse",
    "the market square", "the hayloft", "the station platform", "the mill race",
    "the library stair",
    "the salt flats", "the boathouse", "the upper meadow", "the observatory", "the bakery",
)  # fmt: skip
_THINGS = (
    "a brass compass", "the kettle", "a folded map", "the lantern", "a tin of buttons",
    "the ledger", "a jar of honey", "the spare key", "a wool scarf", "the telescope",
    "a paper kite", "the music box", "a basket of pears", "the old radio", "a pocket watch",
)  # fmt: skip
_VERBS = (
    "carried", "mended", "polished", "opened", "wrapped", "studied", "balanced", "counted",
    "returned", "sketched", "hung", "rescued", "tested", "weighed", "shelved",
)  # fmt: skip
_MOTIONS = (
    "walked", "hurried", "wandered", "climbed", "drifted", "cycled", "strolled", "doubled back",
)  # fmt: skip
_MANNERS = (
    "slowly", "carefully", "without a word", "humming", "in the grey light", "before supper",
    "twice over", "with great patience", "as the tide turned", "while the rain held off",
)  # fmt: skip
_FEELINGS = (
    "curious", "patient", "restless", "content", "amused", "hopeful", "sleepy", "puzzled",
    "cheerful", "thoughtful",
)  # fmt: skip
_WEATHER = (
    "The wind came in off the water", "A thin rain began to fall", "The clouds broke apart",
    "Fog settled over the rooftops", "The afternoon turned gold", "Frost silvered the gate",
    "The evening smelled of cut grass", "Snow gathered on the sills",
)  # fmt: skip
_SAYINGS = (
    "We should have brought the other one", "I think the clock is fast again",
    "Leave it by the door and I will look tomorrow", "Nobody ever reads the second page",
    "It was exactly where you said it would be", "Ask the ferryman, he keeps a list",
    "There is more tea if you want it", "The hinge only sticks when it is cold",
)  # fmt: skip
_TITLE_WORDS = (
    "Harbour", "Lanterns", "Orchard", "Tidewater", "Compass", "Winter", "Letters", "Thaw",
    "Crossing", "Embers", "Meridian", "Kites", "Saltmarsh", "Clockwork", "Almanac", "Lodestar",
)  # fmt: skip


@dataclass(frozen=True)
class ChapterText:
    """One generated chapter: its title and its paragraphs (``SCENE_BREAK`` marks a break)."""

    title: str
    """The chapter's own title (without "Chapter N:")."""
    paragraphs: tuple[str, ...]
    """Body paragraphs in order; :data:`SCENE_BREAK` entries are scene breaks."""


SCENE_BREAK = "* * *"
"""The scene-break marker used in generated chapters (no words counted for it)."""


@dataclass(frozen=True)
class StoryText:
    """A generated story before it is written in any format."""

    title: str
    """The story's title."""
    author: str
    """The author's name."""
    summary: str
    """A one-paragraph summary."""
    chapters: tuple[ChapterText, ...]
    """The chapters."""
    words: int
    """Words in every chapter body together (scene breaks not counted)."""

    @property
    def opening(self) -> str:
        """The first six words of the first chapter's first paragraph (what a reader sees first)."""
        return " ".join(self.chapters[0].paragraphs[0].split()[:6])


@dataclass(frozen=True)
class GeneratedStory:
    """A story file written by :func:`make_story`."""

    path: Path
    """The file."""
    format: str
    """"dump", "epub" or "markdown"."""
    text: StoryText
    """What it holds."""


class _Sentences:
    """A pool of generated sentences and their word counts, drawn from by paragraphs."""

    def __init__(self, rng: random.Random, size: int = 3_000) -> None:
        """Build ``size`` sentences with ``rng``."""
        self.items: list[tuple[str, int]] = []
        """(sentence, words) pairs."""
        for _ in range(size):
            sentence = _sentence(rng)
            self.items.append((sentence, len(sentence.split())))


def _sentence(rng: random.Random) -> str:
    """One sentence from a handful of shapes."""
    who, other = rng.sample(_NAMES, 2)
    shape = rng.randrange(6)
    if shape == 0:
        return f"{who} {rng.choice(_VERBS)} {rng.choice(_THINGS)} {rng.choice(_MANNERS)}."
    if shape == 1:
        return (
            f"{who} {rng.choice(_MOTIONS)} to {rng.choice(_PLACES)} and found "
            f"{rng.choice(_THINGS)} waiting there."
        )
    if shape == 2:
        return f"{rng.choice(_WEATHER)}, and {who} felt {rng.choice(_FEELINGS)}."
    if shape == 3:
        return f"“{rng.choice(_SAYINGS)},” {who} said to {other}."
    if shape == 4:
        return (
            f"By the time {other} reached {rng.choice(_PLACES)}, {who} had already "
            f"{rng.choice(_VERBS)} {rng.choice(_THINGS)}."
        )
    return f"{other} looked {rng.choice(_FEELINGS)} and said nothing at all."


_FILLER = ("Then", "everyone", "went", "home", "again", "and", "the", "lamps", "were", "lit")
"""Words for the rare paragraph too short to hold a whole sentence."""


def _paragraph(rng: random.Random, pool: _Sentences, limit: int) -> tuple[str, int]:
    """A paragraph of 2–9 sentences holding at most ``limit`` words; returns (text, words)."""
    parts: list[str] = []
    words = 0
    for _ in range(rng.randint(2, 9)):
        sentence, count = pool.items[rng.randrange(len(pool.items))]
        if words + count > limit:
            break
        parts.append(sentence)
        words += count
    if not parts:
        # Too few words left for any sentence: a short filler line of exactly ``limit`` words.
        filler = [_FILLER[i % len(_FILLER)] for i in range(limit)]
        return " ".join(filler) + ".", limit
    return " ".join(parts), words


def _chapter(rng: random.Random, pool: _Sentences, words: int) -> ChapterText:
    """A chapter of exactly ``words`` words, with a scene break every ~1,500 words."""
    first, second = rng.sample(_TITLE_WORDS, 2)
    title = f"{first} and {second}"
    paragraphs: list[str] = []
    left = words
    since_break = 0
    while left > 0:
        text, count = _paragraph(rng, pool, min(left, rng.randint(40, 160)))
        paragraphs.append(text)
        left -= count
        since_break += count
        if since_break >= 1_500 and left > 0:
            paragraphs.append(SCENE_BREAK)
            since_break = 0
    return ChapterText(title, tuple(paragraphs))


def story_text(
    words: int, *, chapter_words: int = CHAPTER_WORDS, seed: int = DEFAULT_SEED
) -> StoryText:
    """A story of exactly ``words`` words in chapters of ``chapter_words`` words.

    The last chapter may be shorter.

    The first chapter depends only on ``seed`` and ``chapter_words``, so stories of every size
    made with the same seed open on the same chapter.
    """
    if words < 1 or chapter_words < 1:
        raise ValueError("words and chapter_words must be at least 1")
    rng = random.Random(seed)
    pool = _Sentences(rng)
    head = random.Random(f"{seed}-head-{words}")
    title = f"The {head.choice(_TITLE_WORDS)} of {head.choice(_PLACES)[4:].title()}"
    author = f"{head.choice(_NAMES).lower()}_{head.randrange(100, 999)}"
    summary = (
        f"A {words:,}-word tale of small errands. "
        f"{head.choice(_NAMES)} keeps {head.choice(_THINGS)} safe through a long season."
    )
    chapters: list[ChapterText] = []
    left = words
    number = 1
    while left > 0:
        size = min(left, chapter_words)
        chapters.append(_chapter(random.Random(f"{seed}-{chapter_words}-{number}"), pool, size))
        left -= size
        number += 1
    return StoryText(title, author, summary, tuple(chapters), words)


# --- writers -------------------------------------------------------------------------------


def dump_text(story: StoryText) -> str:
    """The story as an archive page dump: title, chapter total, summary, then chapters."""
    out = [story.title, "", f"Total Chapters: {len(story.chapters)}", "", story.summary, ""]
    for number, chapter in enumerate(story.chapters, 1):
        out += [f"Chapter {number}: {chapter.title}", ""]
        for paragraph in chapter.paragraphs:
            out += [paragraph, ""]
    return "\n".join(out)


def markdown_text(story: StoryText) -> str:
    """The story in our Markdown format (TOML front matter, ``#`` chapter headings)."""
    out = [
        "+++",
        f'title = "{story.title}"',
        f'author = "{story.author}"',
        f'summary = "{story.summary}"',
        "+++",
        "",
    ]
    for number, chapter in enumerate(story.chapters, 1):
        out += [f"# Chapter {number}: {chapter.title}", ""]
        for paragraph in chapter.paragraphs:
            out += [paragraph, ""]
    return "\n".join(out)


def chapter_markdown(chapter: ChapterText, number: int = 1) -> str:
    """One chapter as plain Markdown (for the Markdown-widget baseline)."""
    out = [f"# Chapter {number}: {chapter.title}", ""]
    for paragraph in chapter.paragraphs:
        out += ["---" if paragraph == SCENE_BREAK else paragraph, ""]
    return "\n".join(out)


_FIXED_TIME = (2024, 1, 1, 0, 0, 0)
"""Every EPUB member carries this date so the file's bytes are reproducible."""


def _xhtml(title: str, body: str) -> str:
    """An XHTML 1.1 document for an EPUB."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">\n'
        f"<head><title>{escape(title)}</title></head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def write_epub(story: StoryText, path: Path) -> None:
    """Write the story as a generic EPUB 3 (one XHTML file per chapter, a nav document)."""
    files: list[tuple[str, str]] = []
    items: list[str] = []
    links: list[str] = []
    for number, chapter in enumerate(story.chapters, 1):
        name = f"chapter-{number:04d}.xhtml"
        heading = f"Chapter {number}: {chapter.title}"
        body = [f"<h1>{escape(heading)}</h1>"]
        for paragraph in chapter.paragraphs:
            body.append("<hr/>" if paragraph == SCENE_BREAK else f"<p>{escape(paragraph)}</p>")
        files.append((f"OEBPS/{name}", _xhtml(heading, "\n".join(body))))
        items.append(f'<item id="c{number}" href="{name}" media-type="application/xhtml+xml"/>')
        links.append(f'<li><a href="{name}">{escape(heading)}</a></li>')
    nav = _xhtml(
        story.title,
        f'<nav epub:type="toc" id="toc"><h1>Contents</h1><ol>{"".join(links)}</ol></nav>',
    )
    spine = "".join(f'<itemref idref="c{n}"/>' for n in range(1, len(story.chapters) + 1))
    opf = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">\n'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f'<dc:identifier id="id">urn:tui-reader-bench:{escape(story.author)}-{story.words}'
        "</dc:identifier>\n"
        f"<dc:title>{escape(story.title)}</dc:title>\n<dc:creator>{escape(story.author)}</dc:creator>\n"
        f"<dc:language>en</dc:language>\n<dc:description>{escape(story.summary)}</dc:description>\n"
        '<meta property="dcterms:modified">2024-01-01T00:00:00Z</meta>\n</metadata>\n'
        '<manifest>\n<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" '
        f'properties="nav"/>\n{chr(10).join(items)}\n</manifest>\n'
        f"<spine>{spine}</spine>\n</package>\n"
    )
    container = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
        '<rootfiles><rootfile full-path="OEBPS/content.opf" '
        'media-type="application/oebps-package+xml"/></rootfiles>\n</container>\n'
    )
    with zipfile.ZipFile(path, "w") as zf:
        members = [
            ("mimetype", "application/epub+zip", zipfile.ZIP_STORED),
            ("META-INF/container.xml", container, zipfile.ZIP_DEFLATED),
            ("OEBPS/content.opf", opf, zipfile.ZIP_DEFLATED),
            ("OEBPS/nav.xhtml", nav, zipfile.ZIP_DEFLATED),
            *((name, text, zipfile.ZIP_DEFLATED) for name, text in files),
        ]
        for name, text, method in members:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = method
            zf.writestr(info, text.encode("utf-8"))


_SUFFIX = {"dump": ".txt", "epub": ".epub", "markdown": ".md"}
"""File ending per format."""


def make_story(
    workdir: Path,
    words: int,
    fmt: str = "dump",
    *,
    chapter_words: int = CHAPTER_WORDS,
    seed: int = DEFAULT_SEED,
    name: str | None = None,
) -> GeneratedStory:
    """Write a story of ``words`` words in ``workdir`` as ``fmt`` ("dump", "epub", "markdown")."""
    if fmt not in _SUFFIX:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(_SUFFIX)}")
    text = story_text(words, chapter_words=chapter_words, seed=seed)
    stem = name or f"story-{words}w-{chapter_words}c-s{seed}"
    path = Path(workdir) / f"{stem}{_SUFFIX[fmt]}"
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "dump":
        path.write_text(dump_text(text), encoding="utf-8")
    elif fmt == "markdown":
        path.write_text(markdown_text(text), encoding="utf-8")
    else:
        write_epub(text, path)
    return GeneratedStory(path, fmt, text)
