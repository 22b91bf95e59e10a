"""Reading an Anki collection's note types, decks, notes, cards and review log, in either schema.

Schema 11 (legacy packages) keeps note types and decks as JSON in the ``col`` row; schema 18 (the
latest) has ``notetypes``, ``fields``, ``templates`` and ``decks`` tables with protobuf configs.
Notes, cards and the review log have the same columns in both.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple
from pathlib import Path

from . import protobuf
from .package import AnkiPackageError
from .presets import Preset, deck_presets

NORMAL, CLOZE = 0, 1  # NotetypeKind


@dataclass(frozen=True)
class NoteType:
    """A note type: its fields and card templates (question and answer formats, in card order)."""

    id: int
    name: str
    kind: int
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Note:
    id: int
    guid: str
    notetype_id: int
    mod: int  # seconds
    tags: tuple[str, ...]
    fields: tuple[str, ...]


class Card(NamedTuple):
    """A card and its scheduling columns, as Anki stores them."""

    id: int
    note_id: int
    deck_id: int  # its home deck (the original deck of a card in a filtered deck)
    ord: int
    type: int  # 0 new, 1 learning, 2 review, 3 relearning
    queue: int  # -1 suspended, -2/-3 buried
    due: int
    ivl: int
    factor: int
    reps: int
    lapses: int
    data: str


class RevlogEntry(NamedTuple):
    """One review log row: ``id`` is the review time in milliseconds; ``ease`` the button (0: not an answer)."""

    id: int
    card_id: int
    ease: int
    ivl: int
    last_ivl: int
    factor: int
    time_ms: int
    kind: int  # 0 learn, 1 review, 2 relearn, 3 filtered, 4 manual, 5 rescheduled


@dataclass
class Collection:
    """What srs reads from a package's collection."""

    created: int  # col.crt, seconds
    notetypes: dict[int, NoteType]
    decks: dict[int, str]  # id -> name with '::'
    notes: list[Note]
    cards: list[Card]
    revlog: list[RevlogEntry]  # in time (id) order: the table's own order, read without a sort
    rollover: int | None = None  # the hour Anki's next day starts at, when the collection says
    presets: dict[int, Preset] = field(default_factory=dict)  # deck id -> its deck options as srs settings
    presets_unreadable: str | None = None  # why the deck options could not be read (the import goes on without them)


def _rollover(db: sqlite3.Connection, schema: int) -> int | None:
    """The collection's "next day starts at" hour (None when it keeps Anki's default)."""
    try:
        if schema >= 15:
            row = db.execute("SELECT val FROM config WHERE key = 'rollover'").fetchone()
            value = json.loads(row[0]) if row else None
        else:
            value = json.loads(db.execute("SELECT conf FROM col").fetchone()[0] or "{}").get("rollover")
    except (sqlite3.DatabaseError, ValueError, TypeError, AttributeError):
        return None
    return value if isinstance(value, int) and 0 <= value <= 23 else None


def _legacy_notetypes(db: sqlite3.Connection) -> dict[int, NoteType]:
    models = json.loads(db.execute("SELECT models FROM col").fetchone()[0] or "{}")
    result = {}
    for model in models.values():
        fields = tuple(f["name"] for f in sorted(model.get("flds", []), key=lambda f: f.get("ord", 0)))
        templates = tuple((t.get("qfmt", ""), t.get("afmt", "")) for t in sorted(model.get("tmpls", []), key=lambda t: t.get("ord", 0)))
        result[int(model["id"])] = NoteType(int(model["id"]), str(model.get("name", "")), int(model.get("type", 0)), fields, templates)
    return result


def _latest_notetypes(db: sqlite3.Connection) -> dict[int, NoteType]:
    fields: dict[int, list[str]] = {}
    for ntid, name in db.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(ntid, []).append(name)
    templates: dict[int, list[tuple[str, str]]] = {}
    for ntid, config in db.execute("SELECT ntid, config FROM templates ORDER BY ntid, ord"):
        qfmt = protobuf.first(config, 1, b"").decode()
        afmt = protobuf.first(config, 2, b"").decode()
        templates.setdefault(ntid, []).append((qfmt, afmt))
    result = {}
    for ntid, name, config in db.execute("SELECT id, name, config FROM notetypes"):
        kind = protobuf.first(config, 1, NORMAL)
        result[ntid] = NoteType(ntid, name, kind, tuple(fields.get(ntid, ())), tuple(templates.get(ntid, ())))
    return result


def _legacy_decks(db: sqlite3.Connection) -> dict[int, str]:
    decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0] or "{}")
    return {int(deck["id"]): str(deck["name"]) for deck in decks.values()}


def _latest_decks(db: sqlite3.Connection) -> dict[int, str]:
    return {deck_id: name.replace("\x1f", "::") for deck_id, name in db.execute("SELECT id, name FROM decks")}


def read_collection(db: sqlite3.Connection, schema: int, path: Path) -> Collection:
    """Everything srs imports from the package's collection; ``AnkiPackageError`` if its tables are not Anki's."""
    try:
        created = int(db.execute("SELECT crt FROM col").fetchone()[0])
        if schema >= 15:
            notetypes, decks = _latest_notetypes(db), _latest_decks(db)
        else:
            notetypes, decks = _legacy_notetypes(db), _legacy_decks(db)
        notes = [
            Note(nid, guid, mid, mod, tuple(tags.split()), tuple(flds.split("\x1f")))
            for nid, guid, mid, mod, tags, flds in db.execute("SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id")
        ]
        cards = _rows_as(
            Card,
            db.execute(
                "SELECT id, nid, CASE WHEN odid != 0 THEN odid ELSE did END, ord, type, queue, "
                "CASE WHEN odid != 0 THEN odue ELSE due END, ivl, factor, reps, lapses, data FROM cards ORDER BY nid, ord"
            ),
        )
        revlog = _rows_as(RevlogEntry, db.execute("SELECT id, cid, ease, ivl, lastIvl, factor, time, type FROM revlog ORDER BY id"))
    except (sqlite3.DatabaseError, ValueError, KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise AnkiPackageError(f"{path}: the collection inside is damaged or not Anki's ({exc}); nothing was imported") from None
    _check_fields(path, notetypes, notes)
    collection = Collection(created, notetypes, decks, notes, cards, revlog, _rollover(db, schema))
    try:
        collection.presets = deck_presets(db, schema)
    except (sqlite3.DatabaseError, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        collection.presets_unreadable = f"{type(exc).__name__}: {exc}"
    return collection


def _rows_as(kind: type[tuple], cursor: sqlite3.Cursor) -> list:
    """Each row as a ``kind`` NamedTuple: what ``kind._make`` does, without a Python call per row (100k review log rows)."""
    return list(map(partial(tuple.__new__, kind), cursor))


def _check_fields(path: Path, notetypes: dict[int, NoteType], notes: list[Note]) -> None:
    """Refuse a collection whose note types have no fields, or whose notes do not fit their note type."""
    for notetype in notetypes.values():
        if not notetype.fields:
            raise AnkiPackageError(f"{path}: note type '{notetype.name}' has no fields, which Anki never writes; the collection is damaged; nothing was imported")
    for note in notes:
        notetype = notetypes.get(note.notetype_id)
        if notetype is None:
            raise AnkiPackageError(f"{path}: note {note.id} uses note type {note.notetype_id}, which is not in the package; the collection is damaged; nothing was imported")
        if len(note.fields) != len(notetype.fields):
            raise AnkiPackageError(
                f"{path}: note {note.id} has {len(note.fields)} fields but its note type '{notetype.name}' has {len(notetype.fields)}; "
                "the collection is damaged (Anki's Check Database repairs this); nothing was imported"
            )
