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
import select
import signal
import struct
import tempfile
from collections.abc import Callable, Iterator, Sequence
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

    The worker computes the items ``chunk`` at a time and appends each chunk's pickled results to a file in memory
    (``memfd``), then sends its place over a pipe (a few bytes: the worker never waits for this process to read), so
    this process can use the first results while the worker computes the next. ``chunks()`` yields them as they come
    and ``result()`` returns them all; what a failed worker did not send is computed here (an error surfaces here).
    ``cancel()`` stops the worker when its results are no longer wanted (the import failed meanwhile).
    """

    def __init__(self, function: Callable[[Sequence[T]], list[R]], items: Sequence[T], chunk: int = 0) -> None:
        self.function, self.items, self.chunk = function, items, chunk or max(len(items), 1)
        self.data = _memory_file()
        read_fd, write_fd = os.pipe()
        self.pid: int | None = os.fork()
        if self.pid == 0:  # the worker
            os.close(read_fd)
            _chunked_worker(function, items, self.chunk, self.data, write_fd)
        os.close(write_fd)
        self.source = os.fdopen(read_fd, "rb", buffering=0)  # unbuffered: ``ready`` asks the pipe itself

    def chunks(self) -> Iterator[list[R]]:
        """The results, a chunk at a time, in order, each as soon as the worker has written it."""
        done = 0
        try:
            while done < len(self.items):
                place = _read_exactly(self.source, _PLACE.size)
                if len(place) < _PLACE.size:
                    break
                results = pickle.loads(_read_at(self.data, *_PLACE.unpack(place)))
                done += len(results)
                yield results
        finally:
            self.cancel() if done < len(self.items) else self._close()
        if done < len(self.items):  # the worker failed: the rest is computed here
            yield self.function(self.items[done:])

    def ready(self) -> bool:
        """Whether ``chunks()`` would give its next chunk (or learn that the worker ended) without waiting."""
        return self.pid is None or bool(select.select([self.source], [], [], 0)[0])

    def result(self) -> list[R]:
        """All the results, waiting for them."""
        return [result for chunk in self.chunks() for result in chunk]

    def cancel(self) -> None:
        """Stop the worker (if it still runs) and reap it, unless that was done."""
        if self.pid is None:
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._close()

    def _close(self) -> None:
        """Reap the worker (which has ended or was killed) and close the pipe and the memory file."""
        if self.pid is None:
            return
        os.waitpid(self.pid, 0)
        self.pid = None
        self.source.close()
        os.close(self.data)


_PLACE = struct.Struct("<QQ")  # (offset, length) of a chunk's results in the memory file


def _memory_file() -> int:
    """A file descriptor of an anonymous file (in memory on Linux) that a forked worker shares."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("srs-worker", os.MFD_CLOEXEC)
    with tempfile.TemporaryFile() as file:
        return os.dup(file.fileno())


def _read_exactly(source, size: int) -> bytes:
    """``size`` bytes from an unbuffered pipe, fewer only at its end."""
    data = b""
    while len(data) < size:
        part = source.read(size - len(data))
        if not part:
            break
        data += part
    return data


def _read_at(fd: int, length: int, offset: int) -> bytes:
    parts, end = [], offset + length
    while offset < end:
        part = os.pread(fd, end - offset, offset)
        if not part:
            raise EOFError("the worker's results end early")
        parts.append(part)
        offset += len(part)
    return b"".join(parts)


def _chunked_worker(function: Callable[[Sequence[T]], list[R]], items: Sequence[T], chunk: int, data_fd: int, write_fd: int) -> None:
    """Compute each chunk, append its pickled results to ``data_fd`` and send (length, offset) over ``write_fd``;
    then leave without the parent's clean-up (never returns)."""
    status = 1
    try:
        offset = 0
        with os.fdopen(write_fd, "wb", buffering=0) as sink:
            for start in range(0, len(items), chunk):
                data = pickle.dumps(function(items[start : start + chunk]), protocol=pickle.HIGHEST_PROTOCOL)
                written = 0
                while written < len(data):
                    written += os.pwrite(data_fd, memoryview(data)[written:], offset + written)
                sink.write(_PLACE.pack(len(data), offset))
                offset += len(data)
        status = 0
    finally:
        os._exit(status)


def worth_forking(count: int, min_items: int) -> bool:
    """Whether a worker would be forked for ``count`` items: not for fewer than ``min_items``, with one usable core or
    none spare, or when forking is not safe (``split_map`` computes serially then)."""
    return count >= max(min_items, 2) and usable_cores() >= 2 and can_fork() and spare_core()
