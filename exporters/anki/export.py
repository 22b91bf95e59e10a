"""``export_anki``: the finished, live cards of a collection as one ``.apkg`` that Anki imports cleanly.

Re-exports update in place: notes keep their GUID (from the card's uid) and are dated by when their
content last changed, so Anki updates exactly the notes that changed and skips the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

import genanki

from . import cloze, notetype
from .apkg import NoteRow, Scheduling, collection_bytes, write_apkg
from .notetype import make_cloze_model, make_model, make_reversed_model, note_guid, stable_id
from .render import markdown_html, note_tags, sources_html
from .render_cache import RENDERER, card_texts, is_cloze, render_with_cache
from .scheduling import card_schedule, collection_start, earliest_due, revlog_rows
from srs.clock import local_zone, study_day, utc_now
from srs.decks.cloze import card_kind
from srs.errors import SrsError
from srs.gcpause import gc_paused
from srs.model import ListedCard, MemoryState, Scope, State
from srs.review import SettingsBook, check_deck
from srs.storage import Store
from srs.storage.card_store import deck_descriptions, list_cards
from srs.storage.export_store import card_schedules, review_logs
from srs.storage.render_store import clamp_future_export_dates, renderer_since
from srs.storage.timecodec import from_us

FUTURE_SLACK = timedelta(hours=1)  # dates this far ahead of the clock were made by a clock that ran ahead


@dataclass(frozen=True)
class AnkiExport:
    """What an export wrote."""

    path: Path
    decks: int
    notes: int
    cards: int = 0  # a cloze note has a card per deletion, a reversed note two
    rendered: int = 0  # distinct texts rendered now (render cache misses)
    reused: int = 0  # distinct texts whose HTML came from the render cache
    fast: int = 0  # distinct one-line plain texts (rendered by one regex match, never cached)
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


CLOZE_MODEL_ID = stable_id("model", notetype.CLOZE_MODEL_NAME)
REVERSED_MODEL_ID = stable_id("model", notetype.REVERSED_MODEL_NAME)


def note_rows(cards: list[ListedCard], html: dict[str, str], deck_ids: dict[str, int], since: datetime) -> list[NoteRow]:
    """One row per note, in ``cards`` order (Anki's new-card order); no note is dated before ``since``.

    A card is one note, except the cards generated from one deck entry: a cloze entry's cards are one
    cloze note, a card and its reverse one reversed note, placed where the first of them is. Their
    GUIDs come from the entry's id, marked by kind (see ``entry_guid``).
    """
    floor = int(since.timestamp())
    siblings: dict[str, list[ListedCard]] = {}
    for card in cards:
        if "#" in card.uid:
            siblings.setdefault(card_kind(card.uid).entry, []).append(card)
    rows = []
    done: set[str] = set()
    mods: dict[datetime, int] = {}  # cards synced together share their date
    for card in cards:
        uid, deck, front, back, extra, tags, difficulty, sources, changed_at = card  # unpacked once: this runs for every card
        if "#" not in uid and uid not in siblings:
            front = html[front]
            fields = "\x1f".join((front, html[back], html[extra], sources_html(sources) if sources else ""))
            mod = mods.get(changed_at)
            if mod is None:
                mod = mods[changed_at] = max(int(changed_at.timestamp()), floor)
            rows.append(NoteRow(note_guid(uid), deck_ids[deck], fields, front, note_tags(tags, difficulty), mod))
            continue
        entry = card_kind(card.uid).entry
        if entry in done:
            continue
        done.add(entry)
        group = siblings[entry]
        if not is_cloze(group[0].uid):
            group = [c for c in (card, *group) if c.uid == entry] + group  # the forward card, if listed, then its reverse
        rows.append(_generated_note(group, entry, html, deck_ids, floor))
    return rows


def entry_guid(entry: str, cloze_note: bool) -> str:
    """The GUID of the note of a cloze entry, or of a card with its reverse.

    Marked by kind, so that turning a plain card into a cloze or giving it a reverse makes a new note
    in Anki rather than a note whose type changed, which Anki's import refuses to update.
    """
    return note_guid(entry + ("#cloze" if cloze_note else "#reversed"))


def _generated_note(group: list[ListedCard], entry: str, html: dict[str, str], deck_ids: dict[str, int], floor: int) -> NoteRow:
    first = group[0]
    source = sources_html(first.sources) if first.sources else ""
    mod = max(max(int(card.content_changed_at.timestamp()) for card in group), floor)
    tags = note_tags(first.tags, first.difficulty)
    if is_cloze(first.uid):
        text = cloze.restore(html[cloze.protect(first.front)])
        ords = tuple(card_kind(card.uid).ordinal - 1 for card in group)
        fields = "\x1f".join((text, html[first.extra], source))
        return NoteRow(entry_guid(entry, True), deck_ids[first.deck], fields, text, tags, mod, CLOZE_MODEL_ID, ords)
    forward = next((card for card in group if card.uid == entry), group[0])
    ords = tuple(1 if card.uid.endswith("#rev") else 0 for card in group)
    front, back = (html[forward.front], html[forward.back]) if forward.uid == entry else (html[forward.back], html[forward.front])
    fields = "\x1f".join((front, back, html[forward.extra], source))
    return NoteRow(entry_guid(entry, False), deck_ids[first.deck], fields, front, tags, mod, REVERSED_MODEL_ID, ords)


def export_anki(
    store: Store, output: Path | None = None, deck: str | None = None, tag: str | None = None, now: datetime | None = None,
    with_scheduling: bool = False, zone: tzinfo | None = None,
) -> AnkiExport:
    """Export the cards in ``deck`` (with subdecks) and/or with ``tag`` to an ``.apkg``; drafts and retired cards are left out.

    ``now`` (default: the current time) numbers new notes, and dates the renderer if it is new.
    ``with_scheduling`` adds each card's state and review log (study days in ``zone``, default the local one).
    """
    check_deck(store, deck)
    now = now or utc_now()
    with store.read() as conn, gc_paused():
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
        schedule = package_scheduling(store, cards, now, zone or local_zone()) if with_scheduling else None
        used = {row.model_id for row in rows}
        more = [model for model in (make_cloze_model(), make_reversed_model()) if model.model_id in used]
        write_apkg(path, collection_bytes(make_model(), decks, rows, now.timestamp(), rendered.since.timestamp(), more, schedule), now.timestamp())
    return AnkiExport(
        path=path, decks=len(decks), notes=len(rows), cards=len(cards), rendered=rendered.rendered, reused=rendered.reused, fast=rendered.fast,
        redated=redated,
    )


def package_scheduling(store: Store, cards: list[ListedCard], now: datetime, zone: tzinfo) -> Scheduling:
    """Each exported card's state and review log in Anki's columns (``--with-scheduling``)."""
    book = SettingsBook.load(store)
    with store.read() as conn:
        schedules = card_schedules(conn)
        logs = review_logs(conn)
    rows = [schedules[card.uid] for card in cards]
    states = [MemoryState(State(r[2]), r[3], r[4], r[5], from_us(r[6]), from_us(r[7]), r[8], r[9]) for r in rows]
    rollover = book.for_deck(None).day_starts_at
    crt = collection_start(now, earliest_due(states), zone, rollover)
    crt_day = study_day(crt, zone, rollover)
    grouped = {card_kind(card.uid).entry for card in cards if "#" in card.uid}
    taken: set[int] = set()
    columns, revlog = {}, {}
    for card, row, memory in zip(cards, rows, states):
        key = anki_card_key(card.uid, grouped)
        columns[key] = tuple(card_schedule(memory, bool(row[10]), crt_day, book.for_deck_id(row[1]), zone))
        revlog[key] = revlog_rows(logs.get(row[0], []), taken)
    return Scheduling(int(crt.timestamp()), columns, revlog)


def anki_card_key(uid: str, grouped: set[str]) -> tuple[str, int]:
    """(note GUID, card ord) of the Anki card an srs card becomes; ``grouped`` holds the entries exported as one note."""
    if "#" not in uid:
        return (entry_guid(uid, False), 0) if uid in grouped else (note_guid(uid), 0)
    kind = card_kind(uid)
    if uid.endswith("#rev"):
        return entry_guid(kind.entry, False), 1
    return entry_guid(kind.entry, True), kind.ordinal - 1


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

