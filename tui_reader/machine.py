"""What the machine gives this process: how many processors it may run on.

Textual-free and light (``os`` only): the start-up path asks it before anything is imported.
"""

from __future__ import annotations

import os


def processors() -> int:
    """How many processors this process may run on (its affinity where the platform has one,
    else the machine's count; at least 1)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
