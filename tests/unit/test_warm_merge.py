"""The warm host offers its memory, and every session's, to the kernel's same-page merging."""

from __future__ import annotations

import ctypes
import json
import os
from pathlib import Path

import pytest

from tui_reader.ssh import warm
from tui_reader.ssh.warm_client import page_merging_note


def _merging_of_this_process() -> dict[str, bool]:
    """Whether KSM may merge this process's pages: all of them, and its C heap's."""
    libc = ctypes.CDLL(None)
    heap_flags = ""
    lines = Path("/proc/self/smaps").read_text().splitlines()
    for n, line in enumerate(lines):
        if line.endswith("[heap]"):
            heap_flags = next(x for x in lines[n + 1 :] if x.startswith("VmFlags:"))
            break
    return {
        "all": libc.prctl(warm.PR_GET_MEMORY_MERGE, 0, 0, 0, 0) == 1,
        "heap": " mg" in heap_flags,
    }


def test_the_offer_is_inherited_by_a_forked_session() -> None:
    """After the offer, a process forked from the warm host has its pages offered too."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the "warm host": offer, then fork a "session" that reports
        code = 1
        try:
            os.close(read)
            how = warm.offer_pages_for_merging()
            before = _merging_of_this_process()
            session = os.fork()
            if session == 0:
                os.write(write, json.dumps([how, before, _merging_of_this_process()]).encode())
                os._exit(0)
            os.waitpid(session, 0)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    how, host, session = json.loads(answer)
    if not how:
        pytest.skip("this kernel has no same-page merging to offer memory to")
    assert how in ("all", "mapped")
    assert session == host
    assert session["all"] if how == "all" else session["heap"]


def test_the_server_suggests_merging_only_when_it_is_off(tmp_path: Path) -> None:
    """Off: one line with the command; on, or no such kernel feature: nothing."""
    run = tmp_path / "run"
    run.write_text("0\n")
    note = page_merging_note(run)
    assert note is not None and f"echo 1 > {run}" in note and "(KSM) is off" in note
    run.write_text("1\n")
    assert page_merging_note(run) is None
    assert page_merging_note(tmp_path / "absent") is None
