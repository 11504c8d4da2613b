"""Turning a story file's bytes into text: BOMs, UTF-16, legacy code pages.

UTF-8 (with or without BOM) and UTF-16 with a BOM are decoded directly; anything else is handed
to charset-normalizer, with cp1252 preferred over latin-1 (cp1252 is what legacy Windows files
with smart quotes really are, and latin-1 would turn their quotes into C1 controls).
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

_WESTERN = frozenset(
    {"latin_1", "iso8859_1", "iso8859_15", "cp1252", "cp1250", "mac_roman", "ascii", "cp850"}
)
"""Encodings charset-normalizer names for Western text; cp1252 is the truer reading of them."""


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can recognise."""


def looks_binary(data: bytes) -> bool:
    """True when ``data`` is clearly not text (NUL bytes outside a UTF-16 file)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    sample = data[:65536]
    return b"\x00" in sample


def decode_text(data: bytes) -> str:
    """Decode a story file's bytes to text.

    Raises :class:`DecodeError` with a one-line reason when the bytes are binary or empty.
    """
    if not data.strip():
        raise DecodeError("the file is empty")
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if looks_binary(data):
        raise DecodeError("this is a binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:262144]).best()
    guess = best.encoding if best is not None else None
    if guess is None or guess.replace("-", "_") in _WESTERN:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")
    return data.decode(guess, errors="replace")
