"""Splitting pure, CPU-bound import work over two processes: one forked worker computes half of it.

Converting 10k notes' HTML and replaying 100k answers are pure Python and hold the GIL: only a second
process runs them in parallel. The worker is forked, so it has every item and module already (nothing is
copied or imported), runs the very function the serial path runs on the second half of the items, and
sends back only its results, pickled. It never touches the parent's SQLite connections or files, and
leaves with ``os._exit`` (no clean-up of what it inherited).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Sequence
from typing import TypeVar

from srs.processes import can_fork, usable_cores

T = TypeVar("T")
R = TypeVar("R")


def spare_core() -> bool:
    """Whether a core is likely free for a worker: the last minute's load leaves more than half a core beside this process.

    On a busy machine the worker only competes with this process and the other work for the same cores: the
    split then costs more (forking, copied pages, pickling) than it saves.
    """
    try:
        load = os.getloadavg()[0]
    except OSError:  # not available: assume an idle machine
        load = 0.0
    return usable_cores() - load > 0.5


def split_map(function: Callable[[Sequence[T]], list[R]], items: Sequence[T], min_items: int) -> list[R]:
    """``function(items)`` (a list with one result per item, in order), its second half computed by a forked worker.

    Serial below ``min_items`` items, with one usable core or none spare, or when forking is not safe. If the
    worker fails, its half is computed here, so an error surfaces here with its traceback.
    """
    if len(items) < max(min_items, 2) or usable_cores() < 2 or not can_fork() or not spare_core():
        return function(items)
    half = len(items) // 2
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        os.close(read_fd)
        _worker(function, items[half:], write_fd)
    os.close(write_fd)
    try:
        first = function(items[:half])
    finally:
        with os.fdopen(read_fd, "rb") as source:
            data = source.read()
        _, status = os.waitpid(pid, 0)
    second = pickle.loads(data) if status == 0 and data else function(items[half:])
    return first + second


def _worker(function: Callable[[Sequence[T]], list[R]], items: Sequence[T], write_fd: int) -> None:
    """Compute, send the pickled results, and leave without running the parent's clean-up (never returns)."""
    status = 1
    try:
        data = pickle.dumps(function(items), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_fd, "wb") as sink:
            sink.write(data)
        status = 0
    finally:
        os._exit(status)
