"""Warnings: labels to AO3 names, free-text detection, authors' sentences, stop points."""

from __future__ import annotations

import pytest

from tui_reader.importers.warnings import (
    analyse_notes,
    archive_warning,
    free_text_warnings,
    merge_warnings,
    rating,
    site_archive_warning,
    stop_points,
    warning_sentences,
)


def test_labels_map_to_ao3_names() -> None:
    assert archive_warning("MCD") == "Major Character Death"
    assert [archive_warning(w) for w in ("Rape/Non-Con", "graphic violence", "nonsense")] == [
        "Rape/Non-Con",
        "Graphic Depictions Of Violence",
        None,
    ]
    assert rating("NC-17") == "Explicit"
    assert rating("Teen And Up Audiences") == "Teen And Up Audiences"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("major  character death", "Major Character Death"),
        ("No Archive Warnings Apply", "No Archive Warnings Apply"),
        ("Choose Not To Use Archive Warnings", "Creator Chose Not To Use Archive Warnings"),
        ("Violence", None),
        ("MCD", None),
    ],
)
def test_site_warning_is_an_archive_warning_only_by_ao3s_name(
    label: str, expected: str | None
) -> None:
    assert site_archive_warning(label) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Heads up: character death in chapter nine.", ["Major Character Death"]),
        ("This fic deals with rape and its aftermath.", ["Rape/Non-Con"]),
        ("Contains non-con elements.", ["Rape/Non-Con"]),
        ("Warning for underage characters in a sexual context.", ["Underage Sex"]),
        ("Expect graphic violence in the battle.", ["Graphic Depictions Of Violence"]),
        ("There is no character death here, promise.", []),
        ("This story does not contain graphic violence.", []),
        ("Nobody is harmed; there's underage drinking at a party.", []),
        ("The grapes were sour and the drapes were blue.", []),
        ("Without any major character death, it ends well.", []),
    ],
)
def test_free_text_warnings(text: str, expected: list[str]) -> None:
    assert free_text_warnings(text) == expected


def test_warning_sentences_are_kept_verbatim() -> None:
    note = (
        "I wrote this on holiday. THERE IS CHARACTER DEATH HERE. PLEASE TAKE CARE OF YOURSELF. "
        "Last warning. DARK FICTION AHEAD. Thanks for reading!"
    )
    assert warning_sentences(note) == [
        "THERE IS CHARACTER DEATH HERE.",
        "PLEASE TAKE CARE OF YOURSELF.",
        "Last warning. DARK FICTION AHEAD.",
    ]


@pytest.mark.parametrize(
    ("sentence", "before"),
    [
        ("If you want it sweet, consider Chapter 7 as the last one you read.", 8),
        ("Sensitive readers should stop after chapter 4.", 5),
        ("You can stop reading at chapter 10 and miss nothing.", 11),
        ("Don't read past chapter six if you hate sad endings.", 7),
    ],
)
def test_stop_points(sentence: str, before: int) -> None:
    gates = stop_points(f"Hello there. {sentence} Bye.")
    assert [(g.before_chapter, g.reason) for g in gates] == [(before, sentence)]


def test_no_stop_point_in_ordinary_text() -> None:
    assert stop_points("Chapter 7 was hard to write. I stopped after a while.") == []


def test_analyse_notes_collects_all_three() -> None:
    warnings, notes, gates = analyse_notes(
        [
            "Summary without trouble.",
            "Warning: graphic violence. Consider chapter 2 the last one you read.",
            "Stop after chapter 5 for the fluff. Warning: graphic violence.",
        ]
    )
    assert warnings == ["Graphic Depictions Of Violence"]
    assert notes == ["Warning: graphic violence."]
    assert [g.before_chapter for g in gates] == [3, 6]


def test_merge_warnings_drops_no_warnings_when_a_warning_exists() -> None:
    assert merge_warnings(["No Archive Warnings Apply"], ["Major Character Death"]) == [
        "Major Character Death"
    ]
    assert merge_warnings(["No Archive Warnings Apply"], []) == ["No Archive Warnings Apply"]
