"""Sync deck files into the DB: validate everything first, then apply all changes in one transaction.

New cards arrive as new; edited cards keep their scheduling and history; cards that left the
synced files are retired (never queued again, history kept); retired cards that come back return.
A deck entry may stand for several cards (its cloze deletions, or itself and its reverse: see
``cloze.py``); each is an ordinary card with its own uid and schedule.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from srs.decks.cloze import generate_cards
from srs.decks import bundled, files
from srs.decks.files import MAX_FILE_BYTES, deck_files, file_digest
from srs.decks.problems import Problem
from srs.errors import DeckError, SrsError
from srs.gcpause import gc_paused
from srs.model import CardSpec, DeckFile, SyncReport
from srs.storage import Store
from srs.storage import sync_store
from srs.storage.sync_store import FileStat, FileState
from srs.storage.timecodec import to_us

Parsed = dict[str, tuple[bytes, tuple]]  # shown path -> (file bytes, parse_deck_ids(shown, bytes))


@dataclass(frozen=True)
class DeckSource:
    """A deck file to read: its real path and the name shown in messages."""

    path: Path
    shown: str

    @property
    def key(self) -> str:
        return str(self.path)


def discover(paths: list[Path]) -> tuple[list[DeckSource], list[Path]]:
    """Deck files named by ``paths`` (folders are searched recursively). Returns files and the folders searched."""
    files: list[DeckSource] = []
    folders: list[Path] = []
    for given in paths:
        if given.is_dir():
            folders.append(given.resolve())
            for found in deck_files(given):
                files.append(DeckSource(found.resolve(), str(found)))
        elif given.exists():  # a file, or a pipe such as /dev/stdin
            files.append(DeckSource(given if not given.is_file() else given.resolve(), str(given)))
        else:
            raise SrsError(f"{given}: no such file or folder")
    unique = list({source.key: source for source in files}.values())
    return unique, folders


@dataclass
class Loaded:
    """The outcome of reading a set of deck files."""

    decks: list[DeckFile] = field(default_factory=list)
    skipped: list[DeckSource] = field(default_factory=list)  # unchanged since the last sync
    digests: dict[str, str] = field(default_factory=dict)
    stats: dict[str, FileStat | None] = field(default_factory=dict)  # of the parsed files, where trusted
    restat: dict[str, tuple[str, FileStat]] = field(default_factory=dict)  # skipped by hash: digest, stat to record
    problems: list[Problem] = field(default_factory=list)
    origin_of: dict[str, str] = field(default_factory=dict)  # shown path -> real path
    read: list[str] = field(default_factory=list)  # shown paths of the files read (with or without errors)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def _is_utf8(text: str) -> bool:
    """False for names holding undecodable bytes (Python keeps them as lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def load_sources(sources: list[DeckSource], known: dict[str, FileState] | None = None, parsed: Parsed | None = None) -> Loaded:
    """Read and validate files; with ``known`` (the last sync's record), unchanged files are not parsed.

    A file whose size, mtime, ctime and inode are those recorded is not even read; otherwise it is
    read and hashed, and parsed only if the hash differs. ``parsed``: shown path -> (bytes,
    ``parse_deck_ids`` result) of files the caller has just parsed itself; a file whose bytes are still
    those is not parsed again.
    """
    loaded = Loaded()
    ids: list[tuple[str, list[tuple[str, int, bool]]]] = []
    for source in sources:
        if not _is_utf8(source.key) or not _is_utf8(source.shown):
            # The collection keeps file names as text (UTF-8): such a name cannot be stored, nor printed as is.
            shown = source.shown.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            loaded.problems.append(Problem(shown, 1, 1, "the file name is not valid UTF-8; rename the file"))
            continue
        loaded.origin_of[source.shown] = source.key
        state = known.get(source.key) if known is not None else None
        stat = _trusted_stat(source.path)  # before reading: a change made while it is read shows next time
        if state is not None and state.digest and stat is not None and state.stat == stat:
            loaded.skipped.append(source)
            continue
        try:
            data = _read_bounded(source.path)
        except OSError as exc:
            loaded.problems.append(Problem(source.shown, 1, 1, f"cannot read file: {exc.strerror or exc}"))
            continue
        if data is None:
            loaded.problems.append(Problem(source.shown, 1, 1, f"file is over {MAX_FILE_BYTES // (1024 * 1024)} MiB; deck files are limited to {MAX_FILE_BYTES // (1024 * 1024)} MiB (split it)"))
            continue
        digest = file_digest(data)
        if state is not None and state.digest == digest:
            loaded.skipped.append(source)
            if stat is not None:
                loaded.restat[source.key] = (digest, stat)
            continue
        from srs.decks.load import parse_deck_ids  # PyYAML only once a file is to be parsed: not on every start-up

        cached = parsed.get(source.shown) if parsed else None
        if cached is not None and cached[0] == data:
            deck, problems, file_ids = cached[1][0], list(cached[1][1]), cached[1][2]
        else:
            cached = parsed.get(source.shown) if parsed else None
        if cached is not None and cached[0] == data:
            deck, problems, file_ids = cached[1][0], list(cached[1][1]), cached[1][2]
        else:
            deck, problems, file_ids = parse_deck_ids(source.shown, data)
        loaded.read.append(source.shown)
        loaded.problems.extend(problems)
        ids.append((source.shown, file_ids))
        if deck is not None:
            loaded.decks.append(deck)
            loaded.digests[source.key] = digest
            loaded.stats[source.key] = stat
    loaded.problems.extend(_cross_file_duplicates(ids))
    order = {shown: index for index, shown in enumerate(loaded.origin_of)}
    loaded.problems.sort(key=lambda p: (order.get(p.path, len(order)), p.line, p.col))
    return loaded


def _current_digest(path: Path, state: FileState | None) -> tuple[str | None, FileStat | None]:
    """The file's content hash: the recorded one if its stat vouches for it, else read and hashed (None for
    a file over the size limit); and its trusted stat, taken before any read."""
    stat = _trusted_stat(path)
    if state is not None and state.digest and stat is not None and state.stat == stat:
        return state.digest, stat
    data = _read_bounded(path)
    return (None if data is None else file_digest(data)), stat


def _trusted_stat(path: Path) -> FileStat | None:
    """The file's stat if it can vouch for the content (``files.trusted_stat``)."""
    found = files.trusted_stat(path)
    return None if found is None else FileStat(*found)


def _read_bounded(path: Path) -> bytes | None:
    """The file's bytes, or None when it is over the size limit (a pipe is read only up to the limit)."""
    if path.is_file() and path.stat().st_size > MAX_FILE_BYTES:
        return None
    with path.open("rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    return data if len(data) <= MAX_FILE_BYTES else None


def _cross_file_duplicates(ids: list[tuple[str, list[tuple[str, int, bool]]]]) -> list[Problem]:
    """Ids used in more than one file (cards with other errors included, so all come out in one run)."""
    seen: dict[str, tuple[str, int]] = {}
    problems = []
    for path, file_ids in ids:
        for uid, line, _ in file_ids:
            if uid in seen and seen[uid][0] != path:
                first_path, first_line = seen[uid]
                problems.append(Problem(path, line, 1, f"duplicate id '{uid}' (also at {first_path}:{first_line})"))
            else:
                seen.setdefault(uid, (path, line))
    return problems


def check_paths(paths: list[Path], store: Store | None = None) -> Loaded:
    """Validate deck files (``srs check``); with ``store``, also against that collection, as a sync
    would (ids that live cards of other files already use). Nothing is written."""
    sources, _ = discover(paths)
    loaded = load_sources(sources)
    if store is not None:
        with store.read() as conn:
            stored = sync_store.stored_cards(conn)
        loaded.problems.extend(_foreign_duplicates(loaded, stored))
    return loaded


def placed_cards(entries: tuple[CardSpec, ...]) -> Iterator[tuple[int, CardSpec]]:
    """Each entry's cards with their new-card position in the file.

    An entry's first card keeps the entry's place; its siblings (``#c2``..., ``#rev``) come after every
    entry's first card, as Anki's default "card type, then order gathered" does: ``#c2`` is never
    introduced right after ``#c1`` has shown its answer. A file of plain cards keeps positions 0..n-1.
    """
    count = len(entries)
    for index, entry in enumerate(entries):
        for rank, card in enumerate(generate_cards(entry)):
            yield rank * count + index, card


def content_hash(card: CardSpec, deck: str) -> str:
    """Hash of what the user wrote for a card; a change means the card was edited."""
    return hashlib.blake2b(repr((deck,) + card.content_key()).encode(), digest_size=12).hexdigest()


def _content_row(card: CardSpec, deck_id: int, origin: str, position: int, digest: str) -> tuple:
    """The card's values for ``sync_store.CONTENT_COLUMNS``, in that order."""
    return (
        deck_id,
        origin,
        card.line,
        position,
        (" " + " ".join(card.tags) + " ") if card.tags else "",
        card.difficulty,
        card.draft,
        digest,
        card.front,
        card.back,
        card.extra,
        "\n".join(card.sources),
    )


def _in_scope(origin: str, files: set[str], folders: list[Path]) -> bool:
    return origin in files or any(origin.startswith(str(folder) + "/") for folder in folders)


def sync_paths(store: Store, paths: list[Path], now: datetime | None = None, force: bool = False, parsed: Parsed | None = None) -> SyncReport:
    """Validate the deck files under ``paths`` and apply them to the DB in one transaction.

    Raises ``DeckError`` (with every problem) and changes nothing if any file has an error. ``parsed``: see ``load_sources``.
    """
    # Parsing 10k cards makes ~10^6 small objects and no cycles: without the pause the cyclic
    # collector ran a full pass over all of them again and again (about half the time of a first sync).
    with gc_paused():
        return _sync_paths(store, paths, now or datetime.now(timezone.utc), force, parsed)


def _sync_paths(store: Store, paths: list[Path], now: datetime, force: bool, parsed: Parsed | None) -> SyncReport:
    sources, folders = discover(paths)
    with store.read() as conn:
        known = None if force else sync_store.file_states(conn)
    loaded = load_sources(sources, known, parsed)
    if loaded.errors:
        raise DeckError(loaded.errors)
    report = SyncReport(skipped_files=len(loaded.skipped), parsed_files=len(loaded.decks))
    scope_files = {source.key for source in sources}
    gone = [path for path in (known or {}) if _in_scope(path, scope_files, folders) and path not in scope_files]
    if not loaded.decks and not gone:
        return _nothing_changed(store, loaded, known or {}, report)
    with store.write() as conn:
        stored = sync_store.stored_cards(conn)
        origin_of_shown = loaded.origin_of
        _check_foreign_duplicates(loaded, stored, sources, origin_of_shown)
        decks = {deck.deck: deck.description for deck in loaded.decks}
        deck_ids = sync_store.ensure_decks(conn, decks)
        inserts, updates, restore = [], [], []
        present: set[str] = set()
        now_us = to_us(now)
        card_counts: dict[str, int] = {}
        for deck in loaded.decks:
            origin = origin_of_shown[deck.path]
            card_counts[origin] = card_counts.get(origin, 0)
            for position, card in placed_cards(deck.cards):
                card_counts[origin] += 1
                present.add(card.uid)
                digest = content_hash(card, deck.deck)
                row = _content_row(card, deck_ids[deck.deck], origin, position, digest)
                old = stored.get(card.uid)
                if old is None:
                    inserts.append((*row, now_us, card.uid, now_us))
                    report.added.append(card.uid)
                    continue
                changed_at = old.content_changed_at
                if old.content_hash != digest:
                    changed_at = now
                    report.updated.append(card.uid)
                elif old.retired:
                    pass
                else:
                    report.unchanged += 1
                if old.retired:
                    restore.append(old.id)
                    report.restored.append(card.uid)
                updates.append((*row, to_us(changed_at), old.id))
        skipped = {source.key for source in loaded.skipped}
        retire = [
            card
            for card in stored.values()
            if not card.retired
            and card.uid not in present
            and card.origin not in skipped
            and _in_scope(card.origin, scope_files, folders)
        ]
        report.unchanged += sum(1 for card in stored.values() if card.origin in skipped and not card.retired)
        sync_store.insert_content_rows(conn, inserts)
        sync_store.update_content_rows(conn, updates)
        sync_store.set_retired(conn, restore, False)
        sync_store.set_retired(conn, [card.id for card in retire], True)
        report.retired.extend(sorted(card.uid for card in retire))
        sync_store.forget_file_digests(conn, gone)
        sync_store.record_file_states(
            conn, {path: FileState(digest, loaded.stats.get(path), card_counts.get(path, 0)) for path, digest in loaded.digests.items()}, now
        )
        sync_store.record_file_stats(conn, loaded.restat)
    return report


def _nothing_changed(store: Store, loaded: Loaded, known: dict[str, FileState], report: SyncReport) -> SyncReport:
    """Every file is as the last sync left it, and so are its cards (else the triggers would have
    emptied its digest): no write transaction, except to remember the stats of files found unchanged
    by their hash, so the next sync need not read them."""
    if loaded.restat:
        with store.write() as conn:
            sync_store.record_file_stats(conn, loaded.restat)
    counts = [known[source.key].cards for source in loaded.skipped]
    if None in counts:  # recorded before srs kept the count
        with store.read() as conn:
            counts = list(sync_store.live_card_counts(conn, [source.key for source in loaded.skipped]).values())
    report.unchanged = sum(counts)
    return report


def _check_foreign_duplicates(loaded: Loaded, stored: dict, sources: list[DeckSource], origin_of: dict[str, str]) -> None:
    """An id in a synced file that belongs to a live card of another existing file is an error."""
    problems = _foreign_duplicates(loaded, stored)
    if problems:
        raise DeckError(problems)


def _foreign_duplicates(loaded: Loaded, stored: dict) -> list[Problem]:
    origin_of = loaded.origin_of
    reparsed = {origin_of[deck.path] for deck in loaded.decks}
    problems = []
    for deck in loaded.decks:
        origin = origin_of[deck.path]
        for card in (card for entry in deck.cards for card in generate_cards(entry)):
            old = stored.get(card.uid)
            if old is None or old.retired or old.origin == origin or old.origin in reparsed:
                continue
            if Path(old.origin).exists():
                problems.append(
                    Problem(deck.path, card.line, 1, f"duplicate id '{card.uid}' (already used at {old.origin}:{old.line}; sync both files together if you moved it)")
                )
    return problems


def refresh_bundled(store: Store, first_use: bool = False) -> SyncReport | None:
    """Sync the bundled decks into a new collection, or into one that has them when they changed (an upgrade).

    Unchanged files cost a stat each (a read and a hash when the stat cannot vouch for them); a
    collection that never had them is left alone.
    """
    bundled_dir = bundled.bundled_decks_dir()
    if not bundled_dir.is_dir():
        return None
    sources, _ = discover([bundled_dir])
    with store.read() as conn:
        states = sync_store.file_states(conn)
    known = {path: state.digest for path, state in states.items()}
    root = str(bundled_dir.resolve()) + "/"
    had_them = any(path.startswith(root) for path in known)
    if not first_use and not had_them:
        return None
    current: dict[str, str] = {}
    restat: dict[str, tuple[str, FileStat]] = {}  # touched, not changed: the stat to remember
    for source in sources:
        state = states.get(source.key)
        digest, stat = _current_digest(source.path, state)
        if digest is None:
            continue
        current[source.key] = digest
        if state is not None and state.digest == digest and stat is not None and state.stat != stat:
            restat[source.key] = (digest, stat)
    stale = set(current.items()) - set(known.items()) or {p for p in known if p.startswith(root)} - set(current)
    if not (first_use or stale):
        if restat:  # e.g. a reinstall of srs: remembered, so later start-ups vouch for the files by their stat again
            with store.write() as conn:
                sync_store.record_file_stats(conn, restat)
        return None
    try:
        return sync_paths(store, [bundled_dir])
    except DeckError:
        # The user's own deck files took some of the bundled ids: theirs win, and every command keeps
        # working; `srs sync` on the bundled folder shows the conflicts.
        return None
