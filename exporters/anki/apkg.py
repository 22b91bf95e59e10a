"""Writing the ``.apkg``: genanki lays out the collection, the notes go in as bulk rows, ISA-L zips it.

genanki writes the collection's schema, its configuration and the note type and decks as Anki
expects them. Its per-note path (a ``Note`` object, an HTML check and two INSERTs per note) is most of
the time of a large export, and our fields are HTML we rendered ourselves, so the notes and their
cards are written here in bulk, in the rows genanki's ``Note.write_to_db`` and ``Card.write_to_db``
produce: notes made now by ``executemany``, notes the collection kept from an earlier export
(``StoredNote``) copied by SQLite from the collection attached to the package's connection.

The package is a plain zip archive, written here around ISA-L's deflate rather than by ``zipfile``
(which can only use zlib): see ``write_zip``.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import sqlite3
import struct
import time
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, NamedTuple

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA
from isal import isal_zlib

from srs.errors import SrsError
from srs.storage.note_store import copy_stored_notes, open_package_db, stage_order


class NoteRow(NamedTuple):
    """One note and its cards, ready for the package."""

    guid: str
    deck_id: int
    fields: str  # the fields' HTML joined by "\x1f"
    sort_field: str
    tags: str  # " a b " as Anki stores them
    mod: int  # seconds: when the note's content last changed (Anki updates its copy only if this is newer)
    model_id: int = 0  # the note type; 0 is the package's main one
    ords: tuple[int, ...] = (0,)  # the note's cards, by template (or cloze number - 1)


class Scheduling(NamedTuple):
    """What ``--with-scheduling`` adds: the collection's creation time, and each card's state and review log by (note GUID, ord)."""

    crt: int  # seconds: the start of the study day that due day numbers count from
    cards: dict  # (guid, ord) -> (type, queue, due or None to keep the new-card position, ivl, factor, reps, lapses, left, data)
    revlog: dict  # (guid, ord) -> [(id, ease, ivl, lastIvl, factor, time, type)]


class StoredNote(NamedTuple):
    """A note copied into the package from the collection's stored notes (``storage/note_store.py``): a plain card's note."""

    card_id: int  # the srs card whose stored note it is
    deck_id: int
    model_id: int = 0  # always the main note type, with its one card 0
    ords: tuple[int, ...] = (0,)


def new_collection(source: Path | None = None) -> sqlite3.Connection:
    """An empty package collection in memory: genanki's schema and configuration, no decks, note types or notes yet.

    ``source``, an srs collection, is attached read-only (as ``note_store.SCHEMA``) to read cards and stored notes from.
    The connection is in autocommit mode.
    """
    db = open_package_db(source)
    try:
        # Notes of ~1 KB fill 16 KiB pages better than the default 4 KiB: a 10% smaller file, built and zipped faster.
        db.execute("PRAGMA main.page_size = 16384")
        # What genanki.Package.write_to_db runs before its decks; executescript commits first, so this runs here,
        # before the caller's transaction (a snapshot of ``source``) begins.
        db.executescript(APKG_SCHEMA)
        db.executescript(APKG_COL)
    except BaseException:
        db.close()
        raise
    return db


def fill_collection(
    db: sqlite3.Connection,
    model: genanki.Model,
    decks: Sequence[genanki.Deck],
    notes: Sequence[NoteRow | StoredNote],
    timestamp: float,
    notetype_time: float,
    more_models: Sequence[genanki.Model] = (),
    scheduling: Scheduling | None = None,
) -> None:
    """Write ``decks``, the note types (dated ``notetype_time``) and ``notes`` into the package collection ``db``.

    Each note has new cards for its ``ords`` (most have the one card 0); Anki introduces them in the
    order of ``notes``, unless ``scheduling`` gives their state and review log. Note and card ids count up from
    ``timestamp`` in milliseconds, as genanki numbers them. Notes are written in id order, whether rendered now
    or stored, so the same collection gives the same package byte for byte.
    """
    cursor = db.cursor()
    for deck in decks:
        for each in (model, *more_models):
            deck.add_model(each)
    for deck in decks:
        deck.write_to_db(cursor, notetype_time, itertools.count())
    first = int(timestamp * 1000)
    _insert_notes(cursor, notes, first, int(model.model_id))
    if more_models:
        cursor.executemany("UPDATE notes SET mid = ? WHERE id = ?", [(note.model_id, first + 2 * i) for i, note in enumerate(notes) if note.model_id])
    # Each note's card, made by SQLite from the note rows, one statement per run of notes in the same deck.
    # cards: id nid did ord mod usn type queue due ivl factor reps lapses left odue odid flags data
    start = 0
    for deck_id, run in itertools.groupby(notes, key=lambda note: note.deck_id):
        end = start + sum(1 for _ in run)
        cursor.execute(
            "INSERT INTO cards SELECT id + 1, id, ?, 0, mod, -1, 0, 0, (id - ?) / 2 + 1, 0, 0, 0, 0, 0, 0, 0, 0, '' "
            "FROM notes WHERE id >= ? AND id < ?",
            (deck_id, first, first + 2 * start, first + 2 * end),
        )
        start = end
    _add_sibling_cards(cursor, notes, first)
    if scheduling is not None:
        _write_scheduling(cursor, scheduling)


def _insert_notes(cursor: sqlite3.Cursor, notes: Sequence[NoteRow | StoredNote], first: int, model_id: int) -> None:
    """The notes, in id order: runs of rendered ones bound from Python, runs of stored ones copied by SQLite."""
    stored = [(i, note.card_id) for i, note in enumerate(notes) if type(note) is StoredNote]
    if stored:
        stage_order(cursor.connection, stored)
    start = 0
    for is_stored, run in itertools.groupby(notes, key=lambda note: type(note) is StoredNote):
        run = list(run)
        end = start + len(run)
        if is_stored:
            if copy_stored_notes(cursor.connection, first, model_id, start, end) != end - start:
                raise RuntimeError("stored notes the export planned to copy are missing from the same snapshot")
        else:
            # Constants are written into the SQL (fewer values to bind: a third less time for 10k notes).
            # notes: id guid mid mod usn tags flds sfld csum flags data
            cursor.executemany(
                f"INSERT INTO notes VALUES (?, ?, {model_id}, ?, -1, ?, ?, ?, 0, 0, '')",
                ((first + 2 * i, note.guid, note.mod, note.tags, note.fields, note.sort_field) for i, note in enumerate(run, start)),
            )
        start = end


def _add_sibling_cards(cursor: sqlite3.Cursor, notes: Sequence[NoteRow | StoredNote], first: int) -> None:
    """Give notes whose cards are not just card 0 (cloze, reversed) their cards; siblings share the note's new position."""
    # The card made above (id + 1) takes the note's first ord; the others get ids past every note's.
    next_id = first + 2 * len(notes) + 1
    for i, note in enumerate(notes):
        if note.ords == (0,):
            continue
        note_id = first + 2 * i
        cursor.execute("UPDATE cards SET ord = ? WHERE id = ?", (note.ords[0], note_id + 1))
        for ordinal in note.ords[1:]:
            cursor.execute(
                "INSERT INTO cards SELECT ?, nid, did, ?, mod, usn, type, queue, due, ivl, factor, reps, lapses, left, odue, odid, flags, data "
                "FROM cards WHERE id = ?",
                (next_id, ordinal, note_id + 1),
            )
            next_id += 2


def _write_scheduling(cursor: sqlite3.Cursor, scheduling: Scheduling) -> None:
    # The v2/v3 scheduler's answer buttons: a package without schedVer is read as v1's, whose learning
    # answers Anki renumbers on import (Good becomes Easy).
    conf = json.loads(cursor.execute("SELECT conf FROM col").fetchone()[0] or "{}")
    conf.update(schedVer=2, sched2021=True)
    cursor.execute("UPDATE col SET crt = ?, conf = ?", (scheduling.crt, json.dumps(conf)))
    card_ids = {(guid, ord_): card_id for card_id, guid, ord_ in cursor.execute("SELECT c.id, n.guid, c.ord FROM cards c JOIN notes n ON n.id = c.nid")}
    cursor.executemany(
        "UPDATE cards SET type = ?, queue = ?, due = coalesce(?, due), ivl = ?, factor = ?, reps = ?, lapses = ?, left = ?, data = ? WHERE id = ?",
        ((*columns, card_ids[key]) for key, columns in scheduling.cards.items() if key in card_ids),
    )
    # revlog: id cid usn ease ivl lastIvl factor time type
    cursor.executemany(
        "INSERT INTO revlog VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
        ((row[0], card_ids[key], *row[1:]) for key, rows in scheduling.revlog.items() if key in card_ids for row in rows),
    )


_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")  # PKZIP APPNOTE 4.3.7
_CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")  # 4.3.12
_END_OF_CENTRAL = struct.Struct("<IHHHHIIH")  # 4.3.16
_VERSION = 20  # 2.0: deflate
_MADE_BY = (3 << 8) | _VERSION  # on Unix, so the permissions below apply
_DEFLATED = 8
_UTF8_NAMES = 1 << 11
_ZIP32_LIMIT = 0xFFFFFFFF


def _dos_time(moment: float) -> tuple[int, int]:
    """A ZIP (MS-DOS) time and date: local, 2-second steps, years 1980-2107 only (a clock past 2107 overflowed)."""
    year, month, day, hour, minute, second = time.localtime(moment)[:6]
    if year < 1980:
        year, month, day, hour, minute, second = 1980, 1, 1, 0, 0, 0
    elif year > 2107:
        year, month, day, hour, minute, second = 2107, 12, 31, 23, 59, 58
    return (hour << 11) | (minute << 5) | (second // 2), (year - 1980) << 9 | (month << 5) | day


# Why not zipfile, which would be simpler: on the 14 MB collection of 10k realistic cards, zipfile at
# level 1 (zlib) takes ~135 ms of CPU and ISA-L ~28 ms (bench/export.py prints both). A warm export
# must stay within Anki's own exporter's CPU (~0.25 s for those notes, issue #20): zlib alone would
# add ~0.45x of it. So the ~40 lines below earn their place; without that goal, zipfile would do.
def write_zip(out: BinaryIO, members: Sequence[tuple[str, bytes]], moment: float) -> None:
    """A zip archive of ``members`` (name, data), each deflated by ISA-L, dated ``moment``."""
    clock, date = _dos_time(moment)
    central = []
    offset = 0
    for name, data in members:
        # Raw deflate, as zip stores it. Level 1 is as fast as 0 on a collection, and 0 pads tiny members to ~115 bytes.
        compressed = isal_zlib.compress(data, 1, wbits=-15)
        if max(len(data), offset + len(compressed)) >= _ZIP32_LIMIT:
            raise SrsError("the package would pass 4 GiB, more than a zip archive without ZIP64 holds; export one deck at a time with --deck")
        crc, encoded = isal_zlib.crc32(data), name.encode()
        fields = (_VERSION, _UTF8_NAMES, _DEFLATED, clock, date, crc, len(compressed), len(data), len(encoded))
        header = _LOCAL_HEADER.pack(0x04034B50, *fields, 0) + encoded
        out.write(header)
        out.write(compressed)
        central.append(_CENTRAL_HEADER.pack(0x02014B50, _MADE_BY, *fields, 0, 0, 0, 0, 0o644 << 16, offset) + encoded)
        offset += len(header) + len(compressed)
    directory = b"".join(central)
    out.write(directory)
    out.write(_END_OF_CENTRAL.pack(0x06054B50, 0, 0, len(central), len(central), len(directory), offset, 0))


def write_apkg(path: Path, collection: bytes, moment: float | None = None) -> None:
    """Write the package atomically: a temp file beside ``path``, renamed over it once complete."""
    temp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(temp, "xb") as out:
            write_zip(out, [("collection.anki2", collection), ("media", b"{}")], time.time() if moment is None else moment)
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise SrsError(f"cannot write {path}: {exc.strerror or exc}; choose another output with -o FILE.apkg") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
