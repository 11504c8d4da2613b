"""Generate the long sample story ``stories/the-long-road-to-varenholm.md`` (150,000+ words).

Deterministic: a fixed seed and fixed word lists, so running it again gives the same file
byte for byte. The story exists to exercise the reader on a long work (page turns, the chapter
index, search, the library's word counts); its prose is assembled from sentence patterns.

    python scripts/make_long_story.py            # writes the file into stories/
    python scripts/make_long_story.py OUT.md     # writes it elsewhere
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

SEED = 20240611
"""The random seed; change it and the story changes."""

CHAPTERS = 48
"""How many chapters the story has."""

WORDS_PER_CHAPTER = 3200
"""Each chapter's body is at least this many words."""

OUT = Path(__file__).resolve().parent.parent / "stories" / "the-long-road-to-varenholm.md"
"""Where the story is written by default."""

TRAVELLERS = ["Maren", "Oskar", "Tamsin", "Idris", "Bettany", "Ruel", "Corra", "Fenwick"]
PLACES = [
    "the salt road",
    "the ferry at Gallow Ford",
    "the beech woods above Kettering Vale",
    "the ruined toll house",
    "the market town of Quillon",
    "the old aqueduct",
    "the chalk downs",
    "the inn called the Patient Heron",
    "the bridge at Stourmoor",
    "the orchard country",
    "the shepherds' huts on Wether Hill",
    "the flooded quarry",
]
WEATHER = [
    "a thin rain that never quite became a storm",
    "a wind from the east that smelled of snow",
    "a white morning fog lying in the hollows",
    "a hard blue sky without a single cloud",
    "a warm drizzle that brought the worms out onto the road",
    "a low gold sun that made every puddle a coin",
    "a gusting wind that turned the leaves of the poplars silver",
    "a heavy stillness before thunder",
]
THINGS = [
    "the map",
    "the last of the bread",
    "a letter sealed with green wax",
    "the lantern",
    "a borrowed compass",
    "the mule's halter",
    "a tin of matches",
    "the ledger",
    "a bundle of dried apples",
    "the silver key",
    "a coil of rope",
    "the book of hours",
]
ADJECTIVES = [
    "quiet",
    "patient",
    "stubborn",
    "weary",
    "cheerful",
    "watchful",
    "restless",
    "thoughtful",
    "hungry",
    "careful",
    "sleepy",
    "hopeful",
]
ACTIONS = [
    "counted the milestones aloud",
    "mended a strap by the light of the fire",
    "argued about the shortest way",
    "shared the last of the tea",
    "traded a story for a bowl of soup",
    "walked for an hour without speaking",
    "sang an old marching song badly",
    "studied the map until the light failed",
    "stopped to let a flock of sheep go by",
    "wrote a page in the ledger",
    "washed their feet in a cold stream",
    "asked a carter for news of the road ahead",
]
FEELINGS = [
    "a homesickness that had no particular home in it",
    "the ordinary contentment of a full stomach",
    "a worry that would not say its name",
    "the small pride of a hard day done",
    "a sudden fondness for everyone at the fire",
    "the old fear that Varenholm did not exist at all",
]
TITLE_NOUNS = [
    "Milestones",
    "Fog",
    "Herons",
    "Bread and Salt",
    "Crossing",
    "Ledgers",
    "Thunder",
    "Orchards",
    "Keys",
    "Chalk",
    "Rope",
    "Lanterns",
    "Sheep",
    "Letters",
]
TITLE_ADJECTIVES = ["Long", "Second", "Quiet", "Last", "Green", "Broken", "Early", "Borrowed"]

PATTERNS = [
    "{a} and {b} {action} while {weather} settled over {place}.",
    "By the time they reached {place}, {a} had begun to feel {feeling}.",
    "{a} was {adj} that morning, and said so twice before breakfast.",
    "It was {b} who remembered {thing}, and {a} who had to go back for it.",
    "Nobody at {place} had heard of Varenholm, though an old woman there thought her "
    "grandfather might have.",
    "They {action}, and afterwards {a} felt {feeling}.",
    "{weather_cap} followed them all the way from {place}.",
    "{a} carried {thing} in the inside pocket of a coat that had seen better years.",
    '"How much farther?" asked {b}. "Farther than yesterday," said {a}, which was no answer.',
    "At {place} the road forked, and they chose the left-hand way because {a} was {adj}.",
    "The day was long, the road was longer, and {b} grew {adj} as the light went.",
    "{a} wrote in the ledger: {weather}, {place}, nothing lost, everything tired.",
    "They passed {place} in the afternoon and did not stop, though {b} wanted to.",
    "In the evening {b} {action}, and {a} watched the fire and thought about {thing}.",
    "There was {weather}, and under it {place} looked smaller than the map had promised.",
    '"We should have brought more than {thing}," said {a}. {b} only laughed.',
    "Somewhere near {place} {b} found {thing} where {a} swore it had never been left.",
    "For a mile or two {a} was {adj}, and then the feeling passed like weather.",
]


def sentence(rng: random.Random, cast: list[str]) -> str:
    """One sentence from a random pattern with random fillings."""
    a, b = rng.sample(cast, 2)
    weather = rng.choice(WEATHER)
    return rng.choice(PATTERNS).format(
        a=a,
        b=b,
        place=rng.choice(PLACES),
        weather=weather,
        weather_cap=weather[0].upper() + weather[1:],
        thing=rng.choice(THINGS),
        adj=rng.choice(ADJECTIVES),
        action=rng.choice(ACTIONS),
        feeling=rng.choice(FEELINGS),
    )


def chapter(rng: random.Random, number: int) -> list[str]:
    """One chapter's Markdown lines: heading, maybe a note, paragraphs and scene breaks."""
    title = f"{rng.choice(TITLE_ADJECTIVES)} {rng.choice(TITLE_NOUNS)}"
    lines = [f"# Chapter {number}: {title}", ""]
    if number % 6 == 1:
        lines += ["::: note", f"Day {number * 3} of the journey, by the ledger's count.", ":::", ""]
    cast = rng.sample(TRAVELLERS, rng.randint(3, 5))
    words = 0
    paragraphs = 0
    while words < WORDS_PER_CHAPTER:
        text = " ".join(sentence(rng, cast) for _ in range(rng.randint(3, 8)))
        words += len(text.split())
        lines += [text, ""]
        paragraphs += 1
        if paragraphs % 10 == 0 and words < WORDS_PER_CHAPTER:
            lines += ["* * *", ""]
    if number % 8 == 0:
        lines += ["::: end-note", f"{number} chapters down. Thank you for walking along.", ":::"]
        lines.append("")
    return lines


def story() -> str:
    """The whole story file."""
    rng = random.Random(SEED)
    head = [
        "+++",
        'title = "The Long Road to Varenholm"',
        'author = "The Ledger-Keepers (generated)"',
        'summary = """',
        "Eight travellers, one map, and a town that may not exist. A very long walk, told in",
        "forty-eight chapters. (This story is generated by scripts/make_long_story.py to give",
        "the reader a long book to open.)",
        '"""',
        'rating = "General Audiences"',
        'warnings = ["No Archive Warnings Apply"]',
        f"chapters_total = {CHAPTERS}",
        "",
        "[tags]",
        'fandoms = ["Original Work"]',
        "characters = [" + ", ".join(f'"{t}"' for t in TRAVELLERS) + "]",
        'additional = ["Road Trip", "Generated Text", "Very Long"]',
        "+++",
        "",
    ]
    body: list[str] = []
    for number in range(1, CHAPTERS + 1):
        body += chapter(rng, number)
    return "\n".join(head + body).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    """Write the story to ``argv[0]`` or the default path."""
    out = Path(argv[0]) if argv else OUT
    out.write_text(story(), encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
