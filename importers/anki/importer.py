"""``import_anki``: an Anki package -> deck files, media, and the review history with every card's state replayed.

Order, so that bad input writes nothing: the package is opened and read whole, every card mapped,
every media file read and every deck file rendered and checked; only then are media and deck files
written, the deck files synced into the collection, and the history merged in one transaction.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

from srs.exporters.anki.export import anki_card_key
from srs.exporters.anki.notetype import CLOZE_MODEL_NAME, MODEL_NAME, REVERSED_MODEL_NAME, stable_id
from .collection import Collection, read_collection
from .deckfiles import DeckFileLayout, DeckFilePlan, lay_out_deck_files, render_deck_files, slug, write_deck_files
from .history import CardHistory, HistoryResult, NewCard, ReplayAhead, fsrs_entries, merge_histories, start_replay_ahead
from . import forked, history
from .html import MEDIA_DIR, Converted, is_local_media, to_markdown_all
from .notes import ClozeMap, MappedCard, cloze_problem, fields_used, map_cloze_note, map_note, note_map
from .package import AnkiPackage, open_package
from srs.clock import local_zone, utc_now
from srs.decks.sync import placed_cards, sync_paths
from srs.errors import SrsError
from srs.gcpause import gc_paused
from srs.ingest.writer import atomic_write
from srs.model import Flags, SyncReport
from srs.review import SettingsBook
from srs.settings import resolve
from srs.storage import Store, event_store, import_store, review_store, settings_store
from srs.storage.timecodec import to_us

SRS_MODELS = (MODEL_NAME, CLOZE_MODEL_NAME, REVERSED_MODEL_NAME)
SRS_MODEL_IDS = {stable_id("model", name) for name in SRS_MODELS}


@dataclass
class AnkiImport:
    """What an import did, for the report."""

    path: Path
    folder: Path
    notes: int = 0
    cards: int = 0  # cards written to deck files
    files: list[DeckFilePlan] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)  # a side was empty
    kept_html: list[str] = field(default_factory=list)  # a field kept as HTML
    unsupported: dict[str, int] = field(default_factory=dict)  # note type -> notes not imported
    cloze_refused: list[tuple[str, str]] = field(default_factory=list)  # (id, why) of cloze notes srs cannot hold (nested deletions)
    media_copied: list[str] = field(default_factory=list)
    media_missing: list[str] = field(default_factory=list)
    srs_cards: int = 0  # notes srs exported, matched to the collection's cards by GUID
    srs_unknown: int = 0  # srs notes whose card is not in this collection
    incomplete: list[str] = field(default_factory=list)  # histories without their learning start
    history: HistoryResult = field(default_factory=HistoryResult)
    rollover_differs: tuple[int, int] | None = None  # (Anki's hour, srs's) when the next day starts at different hours
    settings: dict[str, dict[str, object]] = field(default_factory=dict)  # deck -> settings taken from its Anki preset
    settings_skipped: dict[str, list[str]] = field(default_factory=dict)  # Anki preset -> values not taken, and why
    presets_unreadable: str | None = None
    sync: SyncReport = field(default_factory=SyncReport)


def default_folder(package: Path) -> Path:
    """Where the deck files go without ``-o``: a folder named after the package, in the current folder."""
    return Path.cwd() / (slug(package.stem) or "anki")


def _map_notes(collection: Collection, result: AnkiImport) -> tuple[list[MappedCard], dict[str, list]]:
    """The cards srs imports as deck cards, and the cards of srs's own notes by GUID."""
    maps = {ntid: note_map(notetype) for ntid, notetype in collection.notetypes.items()}
    cards_of = defaultdict(list)
    for card in collection.cards:
        cards_of[card.note_id].append(card)
    mapped, own = [], defaultdict(list)
    unsupported: Counter[str] = Counter()
    convert = _converter(collection, maps)

    def deck_of(card) -> str:
        return collection.decks.get(card.deck_id) or "Default"

    for note in collection.notes:
        if _is_own(collection, note):
            own[note.guid].extend(cards_of[note.id])
            continue
        mapping = maps[note.notetype_id]
        if mapping is None:
            unsupported[collection.notetypes[note.notetype_id].name] += 1
            continue
        if isinstance(mapping, ClozeMap):
            entry = map_cloze_note(note, cards_of[note.id], mapping, deck_of, convert)
            problem = cloze_problem(entry.spec.cloze)
            if problem is not None:
                result.cloze_refused.append((entry.spec.uid, problem))
                continue
            result.notes += 1
            mapped.append(entry)
            continue
        result.notes += 1
        mapped += map_note(note, cards_of[note.id], mapping, deck_of, convert)
    result.unsupported = dict(sorted(unsupported.items()))
    return mapped, own


def _is_own(collection: Collection, note) -> bool:
    """A note srs exported (its note types): matched to srs's cards by GUID, not imported as a deck card."""
    return note.notetype_id in SRS_MODEL_IDS or collection.notetypes[note.notetype_id].name in SRS_MODELS


PARALLEL_MIN_FIELDS = 4000  # ~0.1 s of conversion: below that, forking and sending the results back cost about what they save


def _converter(collection: Collection, maps: dict) -> Callable[[str], Converted]:
    """HTML -> Markdown for the fields the notes' cards take: each distinct text converted once, half of them in a
    forked worker (``forked.split_map``), then looked up."""
    used = {ntid: fields_used(mapping) for ntid, mapping in maps.items() if mapping is not None}
    texts = list(dict.fromkeys(
        note.fields[index] for note in collection.notes if note.notetype_id in used and not _is_own(collection, note) for index in used[note.notetype_id]
    ))
    return dict(zip(texts, forked.split_map(to_markdown_all, texts, PARALLEL_MIN_FIELDS))).__getitem__


def _media(package: AnkiPackage, mapped: list[MappedCard], folder: Path, result: AnkiImport) -> dict[Path, bytes]:
    """The media files to write (read now, so a damaged one stops the import before anything is written)."""
    wanted = dict.fromkeys(name for card in mapped for name in card.media if is_local_media(name))
    files = {}
    for name in wanted:
        if name not in package.media_members:
            result.media_missing.append(name)
            continue
        data = package.media_bytes(name)
        target = folder / MEDIA_DIR / name
        if not target.is_file() or target.read_bytes() != data:
            files[target] = data
        result.media_copied.append(name)
    return files


def import_anki(store: Store, path: Path, folder: Path | None = None, now: datetime | None = None, zone: tzinfo | None = None) -> AnkiImport:
    """Import ``path`` (.apkg or .colpkg): notes into deck files under ``folder``, media beside them, reviews into the collection."""
    now, zone = now or utc_now(), zone or local_zone()
    folder = folder or default_folder(path)
    if folder.exists() and not folder.is_dir():
        raise SrsError(f"{folder} is not a folder; give -o a folder for the deck files")
    result = AnkiImport(path, folder)
    with gc_paused(), open_package(path) as package:
        collection = read_collection(package.db, package.schema, path)
        mapped, own = _map_notes(collection, result)
        media = _media(package, mapped, folder, result)
    by_deck: dict[str, list] = defaultdict(list)
    for card in mapped:
        by_deck[card.deck].append(card.spec)
        if card.spec.draft:
            result.drafts.append(card.spec.uid)
        if card.kept_html:
            result.kept_html.append(card.spec.uid)
    result.cards = sum(len(card.anki_cards) for card in mapped)
    with gc_paused():
        layouts, targets = lay_out_deck_files(by_deck, folder, f"Imported from {path.name}.")
        _check_elsewhere(store, mapped, targets)
        revlog = _revlog_by_card(collection)
        counted = _counted_entries(mapped, revlog)
        ahead = _replay_ahead(store, collection, mapped, layouts, counted, zone)
        try:
            plans, targets = render_deck_files(layouts, targets)
            result.files = plans
            for target, data in media.items():
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, data)
            write_deck_files(plans)
            if targets:
                result.sync = sync_paths(store, targets, now, parsed={str(plan.path): (plan.data, plan.parsed) for plan in plans})
            _merge_history(store, collection, mapped, own, revlog, counted, result, zone, now, ahead)
        finally:
            if ahead is not None:
                ahead.worker.cancel()  # the import failed before it was waited for
    return result


def _revlog_by_card(collection: Collection) -> dict[int, list]:
    """Each Anki card's review log entries, in time order."""
    revlog = defaultdict(list)
    for entry in collection.revlog:
        revlog[entry.card_id].append(entry)
    return revlog


def _counted_entries(mapped: list[MappedCard], revlog: dict[int, list]) -> dict[int, tuple[list, bool]]:
    """``fsrs_entries`` of each imported Anki card, by its id (computed once: the prediction and the merge both need them)."""
    return {anki_card.id: fsrs_entries(revlog.get(anki_card.id, [])) for entry in mapped for anki_card, _uid in entry.anki_cards}


WORKER_SHARE = 0.75  # of the new cards' replays: the worker's share, as this process renders, syncs and writes the log meanwhile


def _replay_ahead(
    store: Store, collection: Collection, mapped: list[MappedCard], layouts: list[DeckFileLayout],
    counted: dict[int, tuple[list, bool]], zone: tzinfo,
) -> ReplayAhead | None:
    """Fork a worker that replays the histories of most cards the sync will add, while this process renders, writes
    and syncs the deck files.

    Their inputs are predicted (see ``_predicted_ids``; a new card's flags; its deck's settings once the package's
    presets are taken); ``merge_histories`` takes only the results whose prediction proves right. The first
    ``WORKER_SHARE`` of them go to the worker; this process replays the rest after the sync, between writing the
    worker's results as they come (see ``history._streamed_new_cards``).
    """
    if not forked.worth_forking(len(counted) * WORKER_SHARE, history.PARALLEL_MIN_CARDS):
        return None
    with store.read() as conn:
        known = import_store.card_ids_by_uid(conn)
        _changes, stored = _preset_changes(settings_store.all_settings(conn), collection, mapped)
    ids = _predicted_ids(known, layouts)
    book = SettingsBook(stored, {})
    cards = []
    for entry in mapped:
        if entry.spec.draft:
            continue
        for anki_card, uid in entry.anki_cards:
            entries = counted[anki_card.id][0]
            if uid in ids and entries:
                cards.append(NewCard(ids[uid], uid, entries, Flags(anki_card.queue == -1), book.for_deck(entry.deck), zone))
    share = cards[: int(len(cards) * WORKER_SHARE)]
    return start_replay_ahead(share) if forked.worth_forking(len(share), history.PARALLEL_MIN_CARDS) else None


def _predicted_ids(known: dict[str, int], layouts: list[DeckFileLayout]) -> dict[str, int]:
    """The id the sync will give each card it adds: it inserts the cards the collection has not got, file by file in
    path order (``discover`` keeps the order of the sorted paths it is given), each file's cards in ``placed_cards``
    order, numbered on from the largest id (SQLite's rowid rule)."""
    next_id = max(known.values(), default=0) + 1
    ids: dict[str, int] = {}
    for layout in layouts:
        for _position, card in placed_cards(tuple(layout.cards)):
            if card.uid not in known and card.uid not in ids:
                ids[card.uid] = next_id
                next_id += 1
    return ids


def _check_elsewhere(store: Store, mapped: list[MappedCard], targets: list[Path]) -> None:
    """Refuse, before writing, cards that live in a deck file outside this import's files (an import into another folder)."""
    with store.read() as conn:
        origins = import_store.live_card_origins(conn)
    ours = {str(target.resolve()) for target in targets}
    elsewhere = [(card.spec.uid, origins[card.spec.uid]) for card in mapped if origins.get(card.spec.uid, None) not in (None, *ours)]
    elsewhere = [(uid, origin) for uid, origin in elsewhere if Path(origin).exists()]
    if elsewhere:
        uid, origin = elsewhere[0]
        more = f" (and {len(elsewhere) - 1} more)" if len(elsewhere) > 1 else ""
        raise SrsError(
            f"card '{uid}'{more} of this package is already in {origin}; "
            f"import into that folder (-o {Path(origin).parent}/) to update it; nothing was imported"
        )


def _preset_changes(
    stored: dict[str, dict[str, object]], collection: Collection, mapped: list[MappedCard]
) -> tuple[list[tuple[str, str, object]], dict[str, dict[str, object]]]:
    """The (deck, key, value) settings each imported deck takes from its Anki preset (those that change what the deck
    resolves to), and the stored settings once they are taken."""
    changes = []
    for deck, deck_id in sorted(_imported_decks(mapped).items()):
        preset = collection.presets.get(deck_id)
        if preset is None:
            continue
        for key, value in preset.values.items():
            changed = {scope: dict(values) for scope, values in stored.items()}
            changed.setdefault(deck, {})[key] = value
            if resolve(changed, deck) == resolve(stored, deck):
                continue
            changes.append((deck, key, value))
            stored = changed
    return changes, stored


def _imported_decks(mapped: list[MappedCard]) -> dict[str, int]:
    """Each imported deck's name -> the Anki deck id of its first card."""
    return {card.deck: card.anki_cards[0][0].deck_id for card in mapped if card.anki_cards}


def _import_settings(conn: sqlite3.Connection, collection: Collection, mapped: list[MappedCard], result: AnkiImport, now: datetime) -> None:
    """Each imported deck takes the settings of its Anki preset that differ from what it has (before its history is replayed)."""
    result.presets_unreadable = collection.presets_unreadable
    for _deck, deck_id in sorted(_imported_decks(mapped).items()):
        preset = collection.presets.get(deck_id)
        if preset is not None and preset.skipped:
            result.settings_skipped.setdefault(preset.name, preset.skipped)
    changes, _stored = _preset_changes(settings_store.all_settings(conn), collection, mapped)
    for deck, key, value in changes:
        settings_store.put_setting(conn, deck, key, value)
        event_store.add_setting_event(conn, deck, key, value, to_us(now))
        result.settings.setdefault(deck, {})[key] = value


def _merge_history(
    store: Store, collection: Collection, mapped: list[MappedCard], own: dict[str, list], revlog: dict[int, list],
    counted: dict[int, tuple[list, bool]], result: AnkiImport, zone: tzinfo, now: datetime, ahead: ReplayAhead | None = None,
) -> None:
    added = set(result.sync.added)
    with store.write() as conn:
        raw = conn
        _import_settings(conn, collection, mapped, result, now)
        book = SettingsBook(settings_store.all_settings(conn), review_store.deck_names(conn))
        ours = book.for_deck(None).day_starts_at
        if collection.rollover is not None and collection.rollover != ours:
            result.rollover_differs = (collection.rollover, ours)
        ids = import_store.card_ids_by_uid(raw)
        decks = import_store.card_decks(raw)
        histories = []
        for entry in mapped:
            for anki_card, uid in entry.anki_cards:
                card_id = ids[uid]
                entries, complete = counted[anki_card.id]
                if entries and not complete:
                    result.incomplete.append(uid)
                suspended = (anki_card.queue == -1) if uid in added else None
                histories.append(CardHistory(card_id, uid, decks[card_id], [] if entry.spec.draft else entries, suspended))
        if own:
            grouped = {uid.split("#", 1)[0] for uid in ids if "#" in uid}
            by_key = {anki_card_key(uid, grouped): (uid, card_id) for uid, card_id in ids.items()}
            for guid, cards in own.items():
                known = [(card, by_key.get((guid, card.ord))) for card in cards]
                if not any(match for _, match in known):
                    result.srs_unknown += 1
                    continue
                result.srs_cards += 1
                for card, match in known:
                    if match is not None:
                        uid, card_id = match
                        histories.append(CardHistory(card_id, uid, decks[card_id], fsrs_entries(revlog.get(card.id, []))[0]))
        result.history = merge_histories(raw, histories, book.for_deck_id, zone, ahead)
