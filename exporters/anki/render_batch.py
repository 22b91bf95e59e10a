"""Rendering many texts at once: a large batch is split over worker processes, one per usable core.

A first export of a big collection renders every text through markdown-it and Pygments (~0.15 ms a
text, most of it Pygments lexing code blocks), which is pure Python and holds the GIL: only processes
run it in parallel. The workers are forked, so they start in ~10 ms with every module already imported
(a spawned worker would import markdown-it, Pygments and srs again, ~0.25 s), and they run the very
function the serial path runs, so the HTML is the same byte for byte. Small batches stay in-process:
below ``PARALLEL_MIN_CHARS`` the fork and the shipping of texts and HTML would cost more than they save.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor

from .render import markdown_html

# ~0.1 s of serial rendering: forking two workers and pickling texts and HTML both ways costs ~30 ms.
PARALLEL_MIN_CHARS = 100_000
_CHUNKS_PER_WORKER = 4  # code blocks make some texts 10x dearer than others: smaller chunks even the load out


def usable_cores() -> int:
    """The cores this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether worker processes can be forked safely: a fork start method, and no other thread that might hold a lock."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def render_chunk(texts: list[str]) -> list[str]:
    """``markdown_html`` of each text, in order (what a worker runs)."""
    return [markdown_html(text) for text in texts]


def render_all(texts: list[str], workers: int | None = None, min_chars: int | None = None) -> list[str]:
    """``markdown_html`` of each of ``texts``, in order; in ``workers`` forked processes (default: one per usable core)
    when the batch holds at least ``min_chars`` characters (default ``PARALLEL_MIN_CHARS``) and forking is safe,
    else in this process."""
    workers = min(usable_cores() if workers is None else workers, len(texts))
    min_chars = PARALLEL_MIN_CHARS if min_chars is None else min_chars
    if workers < 2 or sum(map(len, texts)) < min_chars or not can_fork():
        return render_chunk(texts)
    size = -(-len(texts) // (workers * _CHUNKS_PER_WORKER))
    chunks = [texts[start : start + size] for start in range(0, len(texts), size)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return [html for chunk in pool.map(render_chunk, chunks) for html in chunk]
