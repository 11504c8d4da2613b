"""Finding a saved place again in a chapter whose text changed (reading/relocate.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tui_reader.reading.relocate import Fingerprint, fingerprint, relocate

CHAPTER = [
    "The ferry left the harbour at dusk, its lanterns swinging above the black water.",
    "Ilse counted the passengers twice, because the manifest listed eleven and she saw twelve.",
    (
        "Nobody on deck admitted to being the twelfth. The old fisherman shrugged, the twins "
        "giggled behind their mother's coat, and the priest kept reading his small brown book "
        "as if the question had been put to somebody else entirely, somewhere far away."
    ),
    "She went below to check the cargo hold, where the crates smelled of salt and tar.",
    (
        "In the hold a boy sat on a coil of rope, eating an apple with great care, and he "
        "looked up at her without the slightest surprise or any sign of guilt at all."
    ),
    "“You’re not on my list,” she said.",
    "He finished the apple before he answered, and then he told her his name was Pieter.",
    "The crossing took four hours that night instead of two, and the fog never lifted.",
]
"""A chapter of varied paragraphs (the place saved is in paragraph 4, the boy in the hold)."""

PLACE = 4
"""The paragraph the reader was in."""


def saved(paragraph: int = PLACE, offset: int = 0) -> tuple[int, int, str]:
    """A place in :data:`CHAPTER` as the session saves it: index, offset, fingerprint."""
    return paragraph, offset, fingerprint(CHAPTER[paragraph])


def test_an_unchanged_chapter_keeps_the_place() -> None:
    found = relocate(CHAPTER, *saved(offset=37))
    assert (found.paragraph, found.offset, found.how) == (PLACE, 37, "same")
    assert not found.approximate


def test_a_paragraph_inserted_before_the_place_moves_it_with_its_paragraph() -> None:
    edited = [*CHAPTER[:2], "A gull landed on the rail and watched them all.", *CHAPTER[2:]]
    found = relocate(edited, *saved(offset=37))
    assert (found.paragraph, found.offset, found.how) == (PLACE + 1, 37, "moved")
    assert edited[found.paragraph] == CHAPTER[PLACE]


def test_a_paragraph_removed_before_the_place_moves_it_back() -> None:
    edited = [CHAPTER[0], *CHAPTER[2:]]
    found = relocate(edited, *saved())
    assert edited[found.paragraph] == CHAPTER[PLACE]
    assert found.how == "moved"


def test_a_reworded_paragraph_is_found_by_its_words() -> None:
    reworded = (
        "Down in the hold a small boy sat on a coil of rope, eating an apple with enormous "
        "care, and he looked up at her without the faintest surprise or any sign of guilt."
    )
    edited = [*CHAPTER[:PLACE], reworded, *CHAPTER[PLACE + 1 :]]
    found = relocate(edited, *saved())
    assert (found.paragraph, found.offset, found.how) == (PLACE, 0, "similar")
    # a paragraph inserted before a reworded one too
    edited.insert(1, "A gull landed on the rail and watched them all.")
    found = relocate(edited, *saved())
    assert (found.paragraph, found.how) == (PLACE + 1, "similar")
    assert not found.approximate


def test_the_offset_moves_proportionally_in_a_reworded_paragraph() -> None:
    old = CHAPTER[PLACE]
    offset = old.index("looked up")
    reworded = old.replace("In the hold a boy", "In the damp and dark cargo hold a boy")
    edited = [*CHAPTER[:PLACE], reworded, *CHAPTER[PLACE + 1 :]]
    found = relocate(edited, *saved(offset=offset))
    assert found.paragraph == PLACE and found.how == "similar"
    landed = reworded[found.offset :]
    assert "looked up" in landed and len(landed) < len(reworded[offset - 40 :])


def test_a_paragraph_split_in_two_lands_in_the_half_the_reader_was_in() -> None:
    long = CHAPTER[2]
    cut = long.index("The old fisherman")
    edited = [*CHAPTER[:2], long[:cut].strip(), long[cut:], *CHAPTER[3:]]
    found = relocate(edited, *saved(2, 0))
    assert (found.paragraph, found.offset) == (2, 0)
    found = relocate(edited, *saved(2, long.index("the priest")))
    assert found.paragraph == 3 and found.how == "similar"
    assert edited[3][found.offset :].startswith("priest") or "priest" in edited[3][found.offset :]


def test_paragraphs_merged_into_one_land_inside_it_where_the_place_was() -> None:
    merged = " ".join(CHAPTER[3:7])
    edited = [*CHAPTER[:3], merged, CHAPTER[7]]
    found = relocate(edited, *saved())
    assert found.paragraph == 3 and found.how == "similar"
    assert merged[found.offset :].startswith("In the hold a boy")


def test_a_different_format_s_punctuation_and_spacing_still_match_exactly() -> None:
    plain = [
        t.replace("’", "'").replace("“", '"').replace("”", '"').replace(", ", ",\n")
        for t in CHAPTER
    ]
    found = relocate(plain, *saved(5, 3))
    assert (found.paragraph, found.how) == (5, "same")
    assert relocate(plain, *saved(offset=40)).offset == 40


def test_no_close_match_lands_near_the_old_index_and_is_approximate() -> None:
    rewritten = [
        "Morning came grey and cold over the town.",
        "The baker opened his shutters and swore at the rain.",
        "Three letters waited on the mat, none of them for him.",
    ]
    found = relocate(rewritten, *saved(offset=12))
    assert found.approximate and found.paragraph == 2 and found.offset == 0
    found = relocate(rewritten, *saved(1, 12))
    assert found.approximate and (found.paragraph, found.offset) == (1, 12)


def test_a_short_paragraph_is_found_only_exactly() -> None:
    edited = [*CHAPTER[:5], "“You are not on my list,” she said.", *CHAPTER[6:]]
    assert (relocate(edited, *saved(5)).paragraph, relocate(edited, *saved(5)).how) == (
        5,
        "similar",
    )
    edited = ["Prologue.", *CHAPTER]
    assert relocate(edited, *saved(5)).paragraph == 6
    chapter = [*CHAPTER[:5], "Yes, she said.", *CHAPTER[5:]]
    place = (5, 0, fingerprint("Yes, she said."))
    assert relocate([*CHAPTER[:5], "No, she said.", *CHAPTER[5:]], *place).approximate
    assert relocate(["Yes, she said.", *chapter], *place).paragraph == 6


def test_a_place_saved_without_a_fingerprint_stays_clamped_to_the_chapter() -> None:
    found = relocate(CHAPTER, 3, 9, None)
    assert (found.paragraph, found.offset, found.how) == (3, 9, "unchecked")
    assert not found.approximate
    found = relocate(CHAPTER[:2], 5, 9, None)
    assert (found.paragraph, found.offset) == (1, 0)
    for damaged in ("", "2:4:4:a b:", "1:x:4:a b:", "1:1:4:a b c:", "1:" + "9" * 2000):
        assert relocate(CHAPTER, 3, 9, damaged).how == "unchecked"


def test_an_empty_chapter_and_the_end_of_the_chapter() -> None:
    assert relocate([], 3, 9, fingerprint(CHAPTER[3])).approximate
    last = CHAPTER[-1]
    found = relocate([*CHAPTER, "An epilogue."], len(CHAPTER) - 1, len(last) + 1, fingerprint(last))
    assert (found.paragraph, found.offset) == (len(CHAPTER) - 1, len(last) + 1)


def test_the_fingerprint_is_small_and_keeps_the_words_only() -> None:
    print_ = Fingerprint.of(" ".join(CHAPTER) * 20)
    assert len(print_.head) == 12 and len(print_.tail) == 12
    assert len(print_.text()) < 250
    assert Fingerprint.parse(print_.text()) == print_
    short = Fingerprint.of("“You’re not on my list,” she said.")
    assert short.head == ("you", "re", "not", "on", "my", "list", "she", "said")
    assert short.tail == ()
    cjk = Fingerprint.of("渡し船は夕暮れに港を出た。")
    assert cjk.words == 12 and cjk.head[:3] == ("渡", "し", "船")


WORDS = ["lantern", "harbour", "ferry", "gull", "tide", "rope", "salt", "fog", "bell", "deck"]
"""Words for made-up paragraphs."""


def made_up(seed: int, length: int) -> str:
    """A paragraph of ``length`` words, told apart from the others by its first word."""
    body = " ".join(WORDS[(seed * 7 + k * 3) % len(WORDS)] for k in range(length))
    return f"Para{seed} {body}."


@given(
    lengths=st.lists(st.integers(4, 60), min_size=1, max_size=12),
    data=st.data(),
)
@settings(max_examples=60, deadline=None)
def test_paragraphs_added_anywhere_never_lose_an_unchanged_paragraph(
    lengths: list[int], data: st.DataObject
) -> None:
    chapter = [made_up(i, n) for i, n in enumerate(lengths)]
    place = data.draw(st.integers(0, len(chapter) - 1))
    offset = data.draw(st.integers(0, len(chapter[place])))
    edited = list(chapter)
    for extra in range(data.draw(st.integers(0, 5))):
        at = data.draw(st.integers(0, len(edited)))
        edited.insert(at, made_up(100 + extra, data.draw(st.integers(1, 30))))
    found = relocate(edited, place, offset, fingerprint(chapter[place]))
    assert edited[found.paragraph] == chapter[place]
    assert found.offset == offset and not found.approximate
