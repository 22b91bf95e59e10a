"""``export_anki``: the finished, live cards of a collection as one ``.apkg`` that Anki imports cleanly.

Re-exports update in place: notes keep their GUID (from the card's uid) and are dated by when their
content last changed, so Anki updates exactly the notes that changed and skips the rest. A plain card's
note is kept in the collection and copied into the next package while the card is unchanged
(``storage/note_store.py``); only the other notes are made from the cards' texts.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

import genanki

from . import cloze, notetype, render_cache
from .apkg import NoteRow, Scheduling, StoredNote, fill_collection, new_collection, write_apkg
from .notetype import make_cloze_model, make_model, make_reversed_model, note_guid, stable_id
from .render import markdown_html, note_tags, sources_html
from .render_cache import Rendered, card_texts, is_cloze, render_with_cache
from .scheduling import card_schedule, collection_start, earliest_due, revlog_rows
from srs.clock import local_zone, study_day, utc_now
from srs.decks.cloze import card_kind
from srs.errors import SrsError
from srs.gcpause import gc_paused
from srs.model import ListedCard, MemoryState, Scope, State
from srs.review import SettingsBook, check_deck
from srs.storage import Store, note_store
from srs.storage.card_store import deck_descriptions, listed_cards
from srs.storage.export_store import card_schedules, review_logs
from srs.storage.note_store import ExportPlan, cards_by_id, read_plan, store_notes
from srs.storage.render_store import clamp_future_export_dates
from srs.storage.timecodec import from_us, to_us
from srs.text import plural

FUTURE_SLACK = timedelta(hours=1)  # dates this far ahead of the clock were made by a clock that ran ahead
# A whole-collection export takes no stored note (and so sees every text, and prunes the render cache) once the
# cache holds this many rows more than its cards can have texts (three each).
PRUNE_SLACK = 1000


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
    stored: int = 0  # notes copied as the collection kept them from an earlier export (their cards unchanged)


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

    A plain card's note is kept in the collection once exported (``export_note``) and copied as it is while
    the card is unchanged; only the other notes are made from the cards' texts, and then kept.
    """
    check_deck(store, deck)
    now = now or utc_now()
    scope, renderer = Scope(deck=deck, tag=tag), render_cache.RENDERER
    db = new_collection(store.path)
    try:
        with gc_paused():
            db.execute("BEGIN")  # one snapshot of the collection: the plan, the cards' texts, the stored notes copied
            # Only WAL lets the snapshot stay open while rendering writes the render cache; without it (a file system
            # without shared memory) the read lock would block that write, so no stored note is copied and it ends here.
            wal = db.execute(f"PRAGMA {note_store.SCHEMA}.journal_mode").fetchone()[0].lower() == "wal"
            plan, redated = _plan(db, store, scope, renderer, now, use_stored=wal)
            if not wal:
                db.execute("COMMIT")
                db.execute("BEGIN")
            _refuse_lost_text(plan)
            if not plan.rows:
                where = " and ".join(filter(None, [deck and f"deck '{deck}'", tag and f"tag '{tag}'"])) or "the collection"
                raise SrsError(f"nothing to export: {where} has no finished, live cards (drafts and retired cards are never exported)")
            path = resolve_output(output, deck, tag)
            built = _build(db, store, plan, now, with_scheduling, zone, whole=deck is None and tag is None)
            db.execute("COMMIT")
            collection = db.serialize()
    finally:
        db.close()
    if built.fresh_plain:  # kept before the package is written: an export that fails writes nothing, as before
        with store.write() as conn:
            store_notes(conn, plan.epoch, renderer, to_us(built.rendered.since), built.fresh_plain)
    write_apkg(path, collection, now.timestamp())
    rendered = built.rendered
    return AnkiExport(
        path=path, decks=built.decks, notes=built.notes, cards=len(plan.rows), rendered=rendered.rendered, reused=rendered.reused,
        fast=rendered.fast, redated=redated, stored=built.notes - built.made,
    )


def _refuse_lost_text(plan: ExportPlan) -> None:
    """A card whose text was deleted outside srs cannot become a note: say so rather than leave it out unsaid."""
    lost = [row[0] for row in plan.rows if row[13]]
    if lost:
        named = ", ".join(lost[:5]) + (", ..." if len(lost) > 5 else "")
        raise SrsError(
            f"{plural(len(lost), 'card')} to export {'has' if len(lost) == 1 else 'have'} lost {'its' if len(lost) == 1 else 'their'} "
            f"text ({named}); srs sync restores it from the deck files, srs doctor lists them. Nothing was exported"
        )


@dataclass(frozen=True)
class _Built:
    rendered: Rendered  # the texts of the notes made now
    decks: int
    notes: int
    made: int  # notes made from the cards' texts (the others were stored)
    fresh_plain: list[tuple]  # (card id, guid, fields, tags, mod) of the plain notes made now, to keep


def _plan(db: sqlite3.Connection, store: Store, scope: Scope, renderer: str, now: datetime, use_stored: bool) -> tuple[ExportPlan, int]:
    """The export's plan, read in ``db``'s open transaction, after dating now any date in the future (see ``_no_future_dates``).

    A whole-collection export whose render cache holds far more rows than its cards have texts takes no stored
    note, so that it sees every text and prunes the cache.
    """
    whole = scope.deck is None and scope.tag is None
    plan = read_plan(db, scope, renderer, use_stored, count_cache=whole)
    redated = 0
    latest = to_us(now + FUTURE_SLACK)
    if (plan.since is not None and plan.since > latest) or any(row[8] > latest for row in plan.rows):
        db.execute("ROLLBACK")
        redated = _no_future_dates(store, now)
        db.execute("BEGIN")
        plan = read_plan(db, scope, renderer, use_stored, count_cache=whole)
    if whole and plan.cache_rows > 3 * len(plan.rows) + PRUNE_SLACK and any(row[12] for row in plan.rows):
        plan = read_plan(db, scope, renderer, use_stored=False)
    return plan, redated


def _build(db: sqlite3.Connection, store: Store, plan: ExportPlan, now: datetime, with_scheduling: bool, zone: tzinfo | None, whole: bool) -> _Built:
    """Render what the stored notes do not give, and fill the package collection ``db``."""
    rows = plan.rows
    grouped = {card_kind(row[0]).entry for row in rows if "#" in row[0]}  # entries exported as one note of several cards
    taken = [bool(row[12]) and "#" not in row[0] and row[0] not in grouped for row in rows]
    # A stored note of a card that now has a reverse cannot be used; its texts were not read (rare).
    unusable = [row[11] for row, take in zip(rows, taken) if row[12] and not take]
    texts = cards_by_id(db, unusable) if unusable else {}
    fresh = listed_cards(texts.get(row[11], row) for row, take in zip(rows, taken) if not take)
    rendered = render_with_cache(store, card_texts(fresh), now, prune=whole and not any(taken))
    decks = make_decks({row[1] for row in rows}, deck_descriptions(db))
    deck_ids = {d.name: d.deck_id for d in decks}
    notes, fresh_plain = _merge(rows, taken, grouped, note_rows(fresh, rendered.html, deck_ids, rendered.since), deck_ids)
    schedule = package_scheduling(store, [row[0] for row in rows], now, zone or local_zone()) if with_scheduling else None
    used = {note.model_id for note in notes}
    more = [model for model in (make_cloze_model(), make_reversed_model()) if model.model_id in used]
    fill_collection(db, make_model(), decks, notes, now.timestamp(), rendered.since.timestamp(), more, schedule)
    return _Built(rendered, len(decks), len(notes), len(notes) - sum(taken), fresh_plain)


def _merge(
    rows: list[tuple], taken: list[bool], grouped: set[str], made: list[NoteRow], deck_ids: dict[str, int],
) -> tuple[list[NoteRow | StoredNote], list[tuple]]:
    """The package's notes in plan order: a stored note where one is ``taken``, else the next note ``made`` (placed at
    the first card of its note, as ``note_rows`` places them); and (card id, guid, fields, tags, mod) of each plain one made."""
    if not grouped:  # one note per card: the common case, in two passes without per-card bookkeeping
        rest = iter(made)
        notes = [StoredNote(row[11], deck_ids[row[1]]) if take else next(rest) for row, take in zip(rows, taken)]
        fresh = [(row[11], note.guid, note.fields, note.tags, note.mod) for row, take, note in zip(rows, taken, notes) if not take]
        return notes, fresh
    rest = iter(made)
    notes, fresh = [], []
    done: set[str] = set()
    for row, take in zip(rows, taken):
        uid = row[0]
        if take:
            notes.append(StoredNote(row[11], deck_ids[row[1]]))
            continue
        entry = card_kind(uid).entry if "#" in uid else uid
        if entry in done:
            continue  # a later card of a note already placed
        done.add(entry)
        note = next(rest)
        notes.append(note)
        if "#" not in uid and uid not in grouped:
            fresh.append((row[11], note.guid, note.fields, note.tags, note.mod))
    return notes, fresh


def package_scheduling(store: Store, uids: list[str], now: datetime, zone: tzinfo) -> Scheduling:
    """Each exported card's (by ``uids``) state and review log in Anki's columns (``--with-scheduling``)."""
    book = SettingsBook.load(store)
    with store.read() as conn:
        schedules = card_schedules(conn)
        logs = review_logs(conn)
    rows = [schedules[uid] for uid in uids]
    states = [MemoryState(State(r[2]), r[3], r[4], r[5], from_us(r[6]), from_us(r[7]), r[8], r[9]) for r in rows]
    rollover = book.for_deck(None).day_starts_at
    crt = collection_start(now, earliest_due(states), zone, rollover)
    crt_day = study_day(crt, zone, rollover)
    grouped = {card_kind(uid).entry for uid in uids if "#" in uid}
    taken: set[int] = set()
    columns, revlog = {}, {}
    for uid, row, memory in zip(uids, rows, states):
        key = anki_card_key(uid, grouped)
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


def _no_future_dates(store: Store, now: datetime) -> int:
    """Date ``now`` what a clock running ahead dated in the future (card edits, the renderer's first export).

    A note dated in 2100 would stay newer than every later edit, so Anki would never take one again. Returns
    how many dates were moved (re-dated cards lose their stored notes, by trigger).
    """
    with store.write() as conn:
        changed, renderers = clamp_future_export_dates(conn, now, now + FUTURE_SLACK)
    return changed + renderers
