"""Rendering an export's texts, reusing the HTML of earlier exports kept in the collection.

Rendering is the slow part of an export, so the HTML of each distinct text is kept in the collection
(``render_cache``), keyed by a digest of the renderer version and the text: a re-export renders only
texts it has not seen, and any change to the text or to the renderer is a miss.

The renderer version also dates the notes: the first export by a new renderer records when it
started, and every note is at least that new, so Anki takes the new HTML on the next import.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import markdown_it
import pygments

from . import cloze, notetype, render
from .render import simple_line_html
from .render_batch import render_all
from srs.decks.cloze import card_kind
from srs.model import ListedCard
from srs.storage import Store
from srs.storage.render_store import (
    cached_html,
    keep_only,
    record_renderer,
    render_cache_size,
    renderer_since,
    store_html,
)

# The renderer's identity: the libraries that shape the HTML, and the source of the modules that hold
# every rendering rule, fast path, the note type's templates and CSS. Any change to what Anki would
# show makes every cached row a miss and every note newer.
RENDERER = hashlib.blake2b(
    f"markdown-it-py {markdown_it.__version__}|pygments {pygments.__version__}|".encode()
    + b"".join(Path(module.__file__).read_bytes() for module in (render, notetype, cloze)),
    digest_size=8,
).hexdigest()


def render_key(text: str, renderer: str) -> bytes:
    """The cache key of ``text`` as rendered by ``renderer``."""
    digest = _keyed_blake2b(renderer).copy()  # copying a keyed state: ~3x faster than keying a new one for a short text
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.digest()


@functools.lru_cache(maxsize=4)
def _keyed_blake2b(renderer: str):
    return hashlib.blake2b(digest_size=16, key=renderer.encode())


@dataclass(frozen=True)
class Rendered:
    """Every distinct text of an export -> its HTML, how many took which path, and since when this renderer is in use."""

    html: dict[str, str]
    since: datetime  # the first export by this renderer: no note is older than this
    rendered: int  # rendered now (cache misses)
    reused: int  # taken from the cache
    fast: int  # one-line plain texts: rendered by one regex match, cheaper than a lookup, so never cached


def card_texts(cards: Iterable[ListedCard]) -> set[str]:
    """The distinct non-empty Markdown texts (fronts, backs, extras) of ``cards``; a cloze card's text as ``cloze.protect`` gives it."""
    texts = set()
    for card in cards:
        texts.update((cloze.protect(card.front) if is_cloze(card.uid) else card.front, card.back, card.extra))
    texts.discard("")
    return texts


def is_cloze(uid: str) -> bool:
    """Whether a listed card is a cloze card (cheap test first: this runs for every card of an export)."""
    return "#c" in uid and card_kind(uid).is_cloze


def render_with_cache(store: Store, texts: set[str], now: datetime, prune: bool = False) -> Rendered:
    """Render ``texts``, reusing and filling the collection's render cache.

    ``now`` dates this renderer if no export used it before. ``prune`` (for whole-collection exports,
    which see every live text) drops rows no text uses any more once they are a sizeable share of the cache.
    """
    renderer = RENDERER
    html: dict[str, str] = {"": ""}
    keys = {}
    for text in texts:
        # One line of plain words renders in one regex match, less than a digest and lookup take, so it skips
        # the cache (a plain 10k-card export would otherwise pay to fill it). Any other text is cheaper to look
        # up (~2 us) than to render, even on markdown_html's plain-paragraph fast path (~6 us with code spans).
        fast = simple_line_html(text)
        if fast is None:
            keys[text] = render_key(text, renderer)
        else:
            html[text] = fast
    with store.read() as conn:
        hits = cached_html(conn, keys.values())
        size = render_cache_size(conn) if prune else 0
        since = renderer_since(conn, renderer)
    misses = []
    for text, key in keys.items():
        cached = hits.get(key)  # hits may hold rows of other texts too
        if cached is None:
            misses.append(text)
        else:
            html[text] = cached
    reused = len(keys) - len(misses)
    html.update(zip(misses, render_all(misses)))
    fresh = [(keys[text], html[text]) for text in misses]
    stale = prune and size - reused > max(1000, len(keys) // 4)
    if fresh or stale or since is None:
        with store.write() as conn:
            since = record_renderer(conn, renderer, now)
            store_html(conn, renderer, fresh)
            if stale:
                keep_only(conn, keys.values())
    return Rendered(html=html, since=since, rendered=len(fresh), reused=reused, fast=len(html) - 1 - len(keys))
