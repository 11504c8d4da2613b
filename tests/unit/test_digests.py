"""The digests that name stories, records and cache entries are the standard ones (as hashlib's),
whichever implementation the interpreter offers."""

from __future__ import annotations

import hashlib

import pytest

from tui_reader import digests

SAMPLES = [
    b"",
    b"a",
    b"html\nthe long winter\nmira quell",
    "Ünïcødé 物語 🐉".encode(),
    bytes(range(256)) * 9,
]
"""Inputs of several lengths (empty, one byte, past one block, non-ASCII)."""


@pytest.mark.parametrize("data", SAMPLES)
def test_sha256_is_hashlibs(data: bytes) -> None:
    assert digests.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("size", [4, 8, 32, 64])
@pytest.mark.parametrize("data", SAMPLES)
def test_blake2b_is_hashlibs(data: bytes, size: int) -> None:
    ours = digests.blake2b(data, digest_size=size).digest()
    assert ours == hashlib.blake2b(data, digest_size=size).digest()


def test_a_missing_implementation_falls_back_to_the_next() -> None:
    found = digests._first(("tui_reader_no_such_module", "hashlib"), "sha256")
    assert found(b"x").hexdigest() == hashlib.sha256(b"x").hexdigest()
    with pytest.raises(ImportError, match="no sha256"):
        digests._first(("tui_reader_no_such_module",), "sha256")
