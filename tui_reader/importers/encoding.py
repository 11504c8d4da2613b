"""Turning a story file's bytes into text: BOMs, UTF-16, legacy code pages.

UTF-8 (with or without BOM) and UTF-16 with a BOM are decoded directly; anything else is handed
to charset-normalizer, with cp1252 preferred over latin-1 (cp1252 is what legacy Windows files
with smart quotes really are, and latin-1 would turn their quotes into C1 controls).
"""

from __future__ import annotations

import codecs
import importlib

_WESTERN = frozenset(
    {"latin_1", "iso8859_1", "iso8859_15", "cp1252", "cp1250", "mac_roman", "ascii", "cp850"}
)
"""Encodings charset-normalizer names for Western text; cp1252 is the truer reading of them."""


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can recognise."""


SAMPLE = 65536
"""How many bytes from the start are looked at to tell text from binary."""

BINARY_SHARE = 0.05
"""Control bytes beyond this share of the sample make a file binary. Compressed or image data
is about 11% control bytes (28 of 256 byte values); text, even with a stray NUL or escape left
by a bad copy, is close to none."""

_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32), 127])
"""C0 controls other than tab, newline, vertical tab, form feed, carriage return and escape."""
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)


def looks_binary(data: bytes) -> bool:
    """True when ``data`` is mostly not text: more than :data:`BINARY_SHARE` of its first
    :data:`SAMPLE` bytes are control bytes (NUL and the like), outside a UTF-16 file.

    A stray NUL or control byte in a text file does not make it binary; the sanitiser drops it.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    sample = data[:SAMPLE]
    if not sample:
        return False
    controls = len(sample.translate(None, _NOT_CONTROL))  # what is left: the controls
    return controls > BINARY_SHARE * len(sample)


def utf16_without_bom(data: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when the bytes are UTF-16 text without a BOM (mostly Latin
    script: a NUL in nearly every other byte and nowhere else), else None."""
    sample = data[:SAMPLE]
    half = len(sample) // 2
    if half < 8:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd >= 0.9 * half and even <= 0.02 * half:
        return "utf-16-le"
    if even >= 0.9 * half and odd <= 0.02 * half:
        return "utf-16-be"
    return None


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
    if (utf16 := utf16_without_bom(data)) is not None:
        return data.decode(utf16, errors="replace")
    if looks_binary(data):
        raise DecodeError("this is a binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # charset-normalizer (1.6 MiB resident once imported) only for files that are not UTF-8
    detector = importlib.import_module("charset_normalizer")
    best = detector.from_bytes(data[:262144]).best()
    guess = best.encoding if best is not None else None
    if guess is None or guess.replace("-", "_") in _WESTERN:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")
    return data.decode(guess, errors="replace")
