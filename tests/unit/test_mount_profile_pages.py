"""The page sorting of ``python -m benchmarks.mount_profile --pages``."""

from __future__ import annotations

import ctypes
import os
import sys

import pytest

from benchmarks.mount_profile import (
    PAGE,
    _region,
    compare_pages,
    object_spans,
    page_kinds,
    resident_pages,
    why_written,
    written_words,
)


def test_regions_are_named_by_mapping() -> None:
    """The C heap, anonymous maps and libpython's data are told apart; the rest is other."""
    assert _region("[heap]") == "C heap"
    assert _region("") == "anonymous"
    assert _region("/usr/lib/libpython3.11.so.1.0") == "libpython data"
    assert _region("/usr/lib/x86_64-linux-gnu/libc.so.6") == "other"


def test_resident_pages_include_a_buffer_written_here() -> None:
    """Every page of a buffer this process wrote is resident, in an anonymous or heap map."""
    buffer = bytearray(8 * PAGE)
    for n in range(0, len(buffer), PAGE):
        buffer[n] = 1
    start = ctypes.addressof((ctypes.c_char * len(buffer)).from_buffer(buffer))
    pages = resident_pages(os.getpid())
    first = (start + PAGE - 1) // PAGE * PAGE
    inside = range(first, start + len(buffer) - PAGE, PAGE)
    assert all(address in pages for address in inside)
    assert {pages[address][1] for address in inside} <= {"anonymous", "C heap"}


@pytest.mark.skipif(
    not os.access("/proc/kpagecount", os.R_OK), reason="page frame numbers need root"
)
def test_a_page_written_after_fork_is_copied_and_the_rest_shared() -> None:
    """A forked child that writes one page of a shared buffer has copied that page only."""
    buffer = bytearray(16 * PAGE)
    for n in range(0, len(buffer), PAGE):
        buffer[n] = 1
    start = ctypes.addressof((ctypes.c_char * len(buffer)).from_buffer(buffer))
    page = (start + PAGE - 1) // PAGE * PAGE + 4 * PAGE
    host = resident_pages(os.getpid())
    written_r, written_w = os.pipe()
    done_r, done_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write one page, say so, wait to be looked at
        try:
            buffer[page - start] = 2
            os.write(written_w, b"x")
            os.read(done_r, 1)
        finally:
            os._exit(0)
    try:
        assert os.read(written_r, 1) == b"x"
        child = resident_pages(pid)
        kinds = page_kinds({page: host[page]}, {page: child[page]})
        shared = page_kinds({page + PAGE: host[page + PAGE]}, {page + PAGE: child[page + PAGE]})
    finally:
        os.write(done_w, b"x")
        os.waitpid(pid, 0)
        for fd in (written_r, written_w, done_r, done_w):
            os.close(fd)
    assert list(kinds) == [f"copied: {host[page][1]}"]
    assert shared == {"shared": 1}


def _child_writing(buffer: bytearray, writes: dict[int, int]) -> tuple[int, int]:
    """Fork a child that sets ``buffer[offset] = value`` for each write, then waits; its pid
    and the pipe end that lets it end (returns once it has written)."""
    written_r, written_w = os.pipe()
    done_r, done_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            for offset, value in writes.items():
                buffer[offset] = value
            os.write(written_w, b"x")
            os.read(done_r, 1)
        finally:
            os._exit(0)
    os.close(written_w)
    os.close(done_r)
    assert os.read(written_r, 1) == b"x"
    os.close(written_r)
    return pid, done_w


@pytest.mark.skipif(
    not os.access("/proc/kpagecount", os.R_OK), reason="reading other processes' pages needs root"
)
def test_pages_are_compared_with_the_host_and_another_session() -> None:
    """A page written back as it was is the host's; one two sessions changed alike is theirs."""
    buffer = bytearray(16 * PAGE)
    for n in range(0, len(buffer), PAGE):
        buffer[n] = 1
    start = ctypes.addressof((ctypes.c_char * len(buffer)).from_buffer(buffer))
    first = (start + PAGE - 1) // PAGE * PAGE
    restored, alike, alone = first + PAGE, first + 3 * PAGE, first + 5 * PAGE
    children = [
        _child_writing(
            buffer, {restored - start: buffer[restored - start], alike - start: 7, alone - start: 9}
        ),
        _child_writing(buffer, {alike - start: 7}),
    ]
    try:
        counts = compare_pages(
            children[0][0], os.getpid(), children[1][0], [restored, alike, alone]
        )
    finally:
        for pid, done in children:
            os.write(done, b"x")
            os.close(done)
            os.waitpid(pid, 0)
    assert counts == {"same as the warm host's": 1, "same as another session's": 1, "unique": 1}


def test_written_words_are_the_words_that_differ() -> None:
    """Offsets of the changed 8-byte words, and none when the copies are the same."""
    old = bytes(PAGE)
    new = bytearray(old)
    new[8] = 1  # the second word
    new[4095] = 7  # the last word
    assert written_words(old, bytes(new)) == [8, PAGE - 8]
    assert written_words(old, old) == []


def test_why_written_names_the_object_and_field_of_each_write() -> None:
    """A page is counted under the objects and fields written in it, joined; unchanged pages
    and words outside every object are named so."""
    base = 0x10000
    spans = [
        (base, base + 64, base + 16, "tuple"),  # tracked: its header is the 16 bytes before it
        (base + 64, base + 128, base + 64, "str"),
    ]
    old = bytes(PAGE)

    def page(*offsets: int) -> bytes:
        """The page with a byte changed at each offset."""
        new = bytearray(old)
        for offset in offsets:
            new[offset] = 1
        return bytes(new)

    counts = why_written(
        {
            base: (old, page(64)),  # the str's refcount
            base + PAGE: (old, old),
        },
        spans,
    )
    assert counts == {"str refcount": 1, "no net change": 1}
    both = why_written({base: (old, page(0, 16, 72, 200))}, spans)
    assert both == {"no object + str type + tuple collector + tuple refcount": 1}


def test_object_spans_cover_an_object_and_what_it_holds() -> None:
    """A list and the string it holds are both found, each spanning its size."""
    text = "span-" + "x" * 40
    held = [text]
    spans = {address: (start, end, name) for start, end, address, name in object_spans([held])}
    assert spans[id(held)][2] == "list" and spans[id(held)][0] == id(held) - 16
    assert spans[id(text)] == (id(text), id(text) + sys.getsizeof(text), "str")
