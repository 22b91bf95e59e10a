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
