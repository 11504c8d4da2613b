"""Warnings: mapping labels to AO3's archive warning names, and reading authors' own warnings.

Shared by every importer. The free-text detection (warnings written into author's notes, stop
points such as "consider Chapter 7 as the last one you read") lives here too.
"""

from __future__ import annotations

import re

from tui_reader.model import ARCHIVE_WARNINGS, CHOSE_NOT_TO_WARN, NO_WARNINGS, RATINGS

_WARNING_ALIASES: dict[str, str] = {
    "creator chose not to use archive warnings": CHOSE_NOT_TO_WARN,
    "choose not to use archive warnings": CHOSE_NOT_TO_WARN,
    "chose not to warn": CHOSE_NOT_TO_WARN,
    "no archive warnings apply": NO_WARNINGS,
    "none": NO_WARNINGS,
    "graphic depictions of violence": "Graphic Depictions Of Violence",
    "graphic violence": "Graphic Depictions Of Violence",
    "violence": "Graphic Depictions Of Violence",
    "major character death": "Major Character Death",
    "character death": "Major Character Death",
    "mcd": "Major Character Death",
    "rape/non-con": "Rape/Non-Con",
    "rape": "Rape/Non-Con",
    "non-con": "Rape/Non-Con",
    "noncon": "Rape/Non-Con",
    "non-consensual": "Rape/Non-Con",
    "underage": "Underage Sex",
    "underage sex": "Underage Sex",
}

_RATING_ALIASES: dict[str, str] = {
    "general audiences": "General Audiences",
    "general": "General Audiences",
    "g": "General Audiences",
    "k": "General Audiences",
    "k+": "General Audiences",
    "teen and up audiences": "Teen And Up Audiences",
    "teen and up": "Teen And Up Audiences",
    "teen": "Teen And Up Audiences",
    "t": "Teen And Up Audiences",
    "pg": "General Audiences",
    "pg-13": "Teen And Up Audiences",
    "mature": "Mature",
    "m": "Mature",
    "r": "Mature",
    "explicit": "Explicit",
    "e": "Explicit",
    "nc-17": "Explicit",
    "ma": "Explicit",
    "not rated": "Not Rated",
    "unrated": "Not Rated",
}


def archive_warning(label: str) -> str | None:
    """Map one warning label ("Major Character Death", "character death", "MCD") to AO3's name."""
    key = re.sub(r"\s+", " ", label.strip().strip(".").casefold())
    if key in _WARNING_ALIASES:
        return _WARNING_ALIASES[key]
    for name in ARCHIVE_WARNINGS:
        if key == name.casefold():
            return name
    return None


def archive_warnings(text: str) -> list[str]:
    """Map a comma-separated warnings field to AO3 names, in AO3's order, without repeats."""
    found = {w for part in re.split(r"[,;]", text) if (w := archive_warning(part))}
    return [w for w in ARCHIVE_WARNINGS if w in found]


def rating(label: str) -> str | None:
    """Map a rating label ("Mature", "M", "NC-17", "Teen And Up Audiences") to AO3's name."""
    key = re.sub(r"\s+", " ", label.strip().strip(".").casefold())
    if key in _RATING_ALIASES:
        return _RATING_ALIASES[key]
    for name in RATINGS:
        if key == name.casefold():
            return name
    return None
