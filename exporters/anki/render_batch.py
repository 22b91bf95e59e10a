"""Rendering many texts at once: a large batch is split over worker processes, one per usable core.

A first export of a big collection renders every text through markdown-it and Pygments (~0.15 ms a
text, most of it Pygments lexing code blocks), which is pure Python and holds the GIL: only processes
run it in parallel. The workers are forked, so they start in ~10 ms with every module already imported
(a spawned worker would import markdown-it, Pygments and srs again, ~0.25 s), and they run the very
function the serial path runs, so the HTML is the same byte for byte. Only the texts markdown-it must
render go to them (the plain-paragraph fast path takes the others here, in microseconds), and only when
they hold ``PARALLEL_MIN_CHARS`` or more: below that, forking and shipping texts and HTML cost more than they save.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from srs.processes import can_fork, usable_cores

from .render import fast_markdown_html, markdown_html

# ~0.1 s of serial rendering: forking two workers and pickling texts and HTML both ways costs ~30 ms.
PARALLEL_MIN_CHARS = 100_000
_CHUNKS_PER_WORKER = 4  # code blocks make some texts 10x dearer than others: smaller chunks even the load out


def render_chunk(texts: list[str]) -> list[str]:
    """``markdown_html`` of each text, in order (what a worker runs)."""
    return [markdown_html(text) for text in texts]


def render_all(texts: list[str], workers: int | None = None, min_chars: int | None = None) -> list[str]:
    """``markdown_html`` of each of ``texts``, in order.

    Texts the plain-paragraph fast path takes are rendered here (a few microseconds each); the rest go to
    ``workers`` forked processes (default: one per usable core) when they hold at least ``min_chars``
    characters (default ``PARALLEL_MIN_CHARS``) and forking is safe, else they are rendered here too.
    When the texts with fenced code alone hold that much, they go to the workers first, and the fast path
    runs here while the workers render them.
    """
    workers = usable_cores() if workers is None else workers
    min_chars = PARALLEL_MIN_CHARS if min_chars is None else min_chars
    # Fenced code never takes the fast path (it refuses any "``"): those texts need no trying here.
    fenced = [index for index, text in enumerate(texts) if "```" in text]
    if workers >= 2 and fenced and sum(len(texts[index]) for index in fenced) >= min_chars and can_fork():
        return _overlapped(texts, fenced, workers)
    html = [fast_markdown_html(text) for text in texts]
    slow = [index for index, rendered in enumerate(html) if rendered is None]
    for index, rendered in zip(slow, _render_slow([texts[index] for index in slow], workers, min_chars)):
        html[index] = rendered
    return html


def _overlapped(texts: list[str], fenced: list[int], workers: int) -> list[str]:
    """The fenced texts rendered by workers while this process tries the fast path on the others (~0.2 s for 25k
    texts, which would otherwise run before the workers start); what the fast path refuses goes to them too."""
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        first = pool.map(render_chunk, _chunks([texts[index] for index in fenced], workers))  # submitted: they start now
        is_fenced = set(fenced)
        html = [None if index in is_fenced else fast_markdown_html(text) for index, text in enumerate(texts)]
        slow = [index for index, rendered in enumerate(html) if rendered is None and index not in is_fenced]
        second = pool.map(render_chunk, _chunks([texts[index] for index in slow], workers))
        for index, rendered in zip(fenced + slow, (one for chunk in (*first, *second) for one in chunk)):
            html[index] = rendered
    return html


def _render_slow(texts: list[str], workers: int, min_chars: int) -> list[str]:
    if min(workers, len(texts)) < 2 or sum(map(len, texts)) < min_chars or not can_fork():
        return render_chunk(texts)
    with ProcessPoolExecutor(min(workers, len(texts)), mp_context=multiprocessing.get_context("fork")) as pool:
        return [html for chunk in pool.map(render_chunk, _chunks(texts, workers)) for html in chunk]


def _chunks(texts: list[str], workers: int) -> list[list[str]]:
    """``texts`` in ``_CHUNKS_PER_WORKER`` pieces per worker (none if there are no texts)."""
    size = max(1, -(-len(texts) // (workers * _CHUNKS_PER_WORKER)))
    return [texts[start : start + size] for start in range(0, len(texts), size)]
