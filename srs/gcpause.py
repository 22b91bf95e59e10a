"""Pausing the cyclic garbage collector around bulk work that builds many small objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run a block without the cyclic garbage collector.

    Converting a large review log or building thousands of notes makes hundreds of thousands of
    small containers, none of which form cycles; each batch of them would otherwise start a
    collection over everything alive.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_paused_for_startup = False


def pause_for_startup() -> None:
    """Turn the cyclic garbage collector off while a command starts (``resume_after_startup`` turns it back on).

    Starting ``srs review`` imports Textual and builds its screen: hundreds of thousands of objects,
    next to no cyclic garbage, and a collection every few hundred allocations that walks them all
    again (about a tenth of the start-up's CPU time, measured with bench/tui.py-style runs).
    """
    global _paused_for_startup
    if gc.isenabled():
        gc.disable()
        _paused_for_startup = True


def resume_after_startup() -> None:
    """Undo ``pause_for_startup``: the objects made so far are frozen (never scanned again), then collection resumes."""
    global _paused_for_startup
    if _paused_for_startup:
        _paused_for_startup = False
        gc.freeze()
        gc.enable()
