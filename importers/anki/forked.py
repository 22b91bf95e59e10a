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
import signal
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

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
    if not worth_forking(len(items), min_items):
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


class Ahead(Generic[T, R]):
    """``function(items)`` computed by a forked worker while this process goes on with other work.

    ``result()`` waits for the worker and returns its list (computed here if the worker failed, so an error
    surfaces here); ``cancel()`` stops it when the results are no longer wanted (the import failed meanwhile).
    """

    def __init__(self, function: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> None:
        self.function, self.items = function, items
        read_fd, write_fd = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the worker
            os.close(read_fd)
            _worker(function, items, write_fd)
        os.close(write_fd)
        self.source = os.fdopen(read_fd, "rb")

    def result(self) -> list[R]:
        """The worker's results, waiting for them."""
        with self.source:
            data = self.source.read()
        _, status = os.waitpid(self.pid, 0)
        return pickle.loads(data) if status == 0 and data else self.function(self.items)

    def cancel(self) -> None:
        """Stop the worker and reap it, if it has not been waited for yet."""
        if self.source.closed:
            return
        self.source.close()
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)


def worth_forking(count: int, min_items: int) -> bool:
    """Whether a worker would be forked for ``count`` items: not for fewer than ``min_items``, with one usable core or
    none spare, or when forking is not safe (``split_map`` computes serially then)."""
    return count >= max(min_items, 2) and usable_cores() >= 2 and can_fork() and spare_core()
