"""``export_anki``: the finished, live cards of a collection as one ``.apkg`` that Anki imports cleanly.

Re-exports update in place: notes keep their GUID (from the card's uid) and are dated by when their
content last changed, so Anki updates exactly the notes that changed and skips the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import genanki

from .apkg import NoteRow, collection_bytes, write_apkg
from .notetype import make_model, note_guid, stable_id
from .render import markdown_html, note_tags, sources_html
from .render_cache import RENDERER, card_texts, render_with_cache
from srs.clock import utc_now
from srs.errors import SrsError
from srs.gcpause import gc_paused
from srs.model import ListedCard, Scope
from srs.review import check_deck
from srs.storage import Store
from srs.storage.card_store import deck_descriptions, list_cards
from srs.storage.render_store import clamp_future_export_dates, renderer_since

FUTURE_SLACK = timedelta(hours=1)  # dates this far ahead of the clock were made by a clock that ran ahead


@dataclass(frozen=True)
class AnkiExport:
    """What an export wrote."""

    path: Path
    decks: int
    notes: int
    rendered: int = 0  # distinct texts rendered by markdown-it (render cache misses)
    reused: int = 0  # distinct texts whose HTML came from the render cache
    fast: int = 0  # distinct short plain-paragraph texts (fast path, not cached)
    redated: int = 0  # card content dates and renderer dates found in the future (a clock ran ahead), dated now


def default_filename(deck: str | None = None, tag: str | None = None) -> str:
    """``srs-<deck>[-<tag>].apkg`` (``srs-all.apkg`` for everything), safe as a file name."""
    parts = ["srs", deck or ("tag" if tag else "all")] + ([tag] if tag else [])
    slug = "-".join(re.sub(r"[^A-Za-z0-9._]+", "-", part).strip("-.") or "deck" for part in parts)
    return f"{slug}.apkg"


def resolve_output(output: Path | None, deck: str | None, tag: str | None) -> Path:
    """The file to write: ``output``, or the default name inside it (if a folder) or in the current folder."""
    if output is None:
        return Path.cwd() / default_filename(deck, tag)
    if output.is_dir():
        return output / default_filename(deck, tag)
    if output.suffix.lower() != ".apkg":
        raise SrsError(f"{output}: Anki imports only .apkg files; give the output a name ending in .apkg")
    if not output.parent.is_dir():
        raise SrsError(f"{output.parent}: no such folder; create it first or choose another output path")
    return output


def with_parents(names: set[str]) -> list[str]:
    """The deck names plus every ``::`` ancestor, sorted (parents before children)."""
    every = set()
    for name in names:
        parts = name.split("::")
        every.update("::".join(parts[: depth + 1]) for depth in range(len(parts)))
    return sorted(every)


def make_decks(names: set[str], descriptions: dict[str, str]) -> list[genanki.Deck]:
    """The decks ``names`` and their parents, with fixed ids and descriptions rendered to HTML."""
    return [genanki.Deck(stable_id("deck", name), name, markdown_html(descriptions.get(name, ""))) for name in with_parents(names)]


def note_rows(cards: list[ListedCard], html: dict[str, str], deck_ids: dict[str, int], since: datetime) -> list[NoteRow]:
    """One row per card, in ``cards`` order (Anki's new-card order); no note is dated before ``since``."""
    floor = int(since.timestamp())
    rows = []
    for card in cards:
        front = html[card.front]
        fields = "\x1f".join((front, html[card.back], html[card.extra], sources_html(card.sources) if card.sources else ""))
        mod = max(int(card.content_changed_at.timestamp()), floor)
        rows.append(NoteRow(note_guid(card.uid), deck_ids[card.deck], fields, front, note_tags(card.tags, card.difficulty), mod))
    return rows


def export_anki(
    store: Store, output: Path | None = None, deck: str | None = None, tag: str | None = None, now: datetime | None = None
) -> AnkiExport:
    """Export the cards in ``deck`` (with subdecks) and/or with ``tag`` to an ``.apkg``; drafts and retired cards are left out.

    ``now`` (default: the current time) numbers new notes, and dates the renderer if it is new.
    """
    check_deck(store, deck)
    now = now or utc_now()
    with store.read() as conn:
        descriptions = deck_descriptions(conn)
        cards = list_cards(conn, Scope(deck=deck, tag=tag))
    if not cards:
        scope = " and ".join(filter(None, [deck and f"deck '{deck}'", tag and f"tag '{tag}'"])) or "the collection"
        raise SrsError(f"nothing to export: {scope} has no finished, live cards (drafts and retired cards are never exported)")
    path = resolve_output(output, deck, tag)
    cards, redated = _no_future_dates(store, cards, now)
    with gc_paused():
        rendered = render_with_cache(store, card_texts(cards), now, prune=deck is None and tag is None)
        decks = make_decks({card.deck for card in cards}, descriptions)
        rows = note_rows(cards, rendered.html, {d.name: d.deck_id for d in decks}, rendered.since)
        write_apkg(path, collection_bytes(make_model(), decks, rows, now.timestamp(), rendered.since.timestamp()), now.timestamp())
    return AnkiExport(
        path=path, decks=len(decks), notes=len(cards), rendered=rendered.rendered, reused=rendered.reused, fast=rendered.fast,
        redated=redated,
    )


def _no_future_dates(store: Store, cards: list[ListedCard], now: datetime) -> tuple[list[ListedCard], int]:
    """Date ``now`` what a clock running ahead dated in the future (card edits, the renderer's first export).

    A note dated in 2100 would stay newer than every later edit, so Anki would never take one again. Returns the
    cards (re-dated where needed) and how many dates were moved.
    """
    latest = now + FUTURE_SLACK
    with store.read() as conn:
        since = renderer_since(conn, RENDERER)
    if (since is None or since <= latest) and all(card.content_changed_at <= latest for card in cards):
        return cards, 0
    with store.write() as conn:
        changed, renderers = clamp_future_export_dates(conn, now, latest)
    return [card._replace(content_changed_at=now) if card.content_changed_at > latest else card for card in cards], changed + renderers

