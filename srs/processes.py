"""What forking worker processes needs to know about this process: its cores, and whether a fork is safe.

The export's renderer and the Anki import split pure-Python work (which holds the GIL) over forked workers.
"""

from __future__ import annotations

import os
import sys
import threading


def usable_cores() -> int:
    """The cores this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether worker processes can be forked safely: on Linux (macOS's system libraries are not fork-safe,
    Windows cannot fork), with no other thread that might hold a lock the workers would need."""
    return sys.platform.startswith("linux") and threading.active_count() == 1
