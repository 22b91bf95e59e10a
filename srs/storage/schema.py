"""The tables, as SQLModel classes: the one description of the schema.

Every table, column (type, nullability, server default), key, foreign key and index of a collection is
declared here. The DDL that builds a local collection is ``migrations.py`` (ordered steps, run by plain
``sqlite3``); ``tests/test_schema.py`` compares these classes with the database the migrations build, so
a step that is not reflected here (or a change here that no step makes) fails the suite. The commands
never import this module (SQLAlchemy's import alone costs a command a quarter of a second); the remote
store is to be built on it.

Times are integer microseconds since the epoch (``UTCDateTime``), as in ``timecodec.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, false, text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from srs.storage.timecodec import from_us, to_us


class UTCDateTime(TypeDecorator):
    """Column type for aware UTC datetimes stored as integer microseconds since the epoch."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> int | None:
        return to_us(value)

    def process_result_value(self, value: int | None, dialect) -> datetime | None:
        return from_us(value)


def _text(default: str) -> Any:
    """A NOT NULL text column with a default, in Python and in the DDL."""
    return Field(default=default, sa_column_kwargs={"server_default": default})


def _number(default: int) -> Any:
    """A NOT NULL integer column with a default, in Python and in the DDL."""
    return Field(default=default, sa_column_kwargs={"server_default": text(str(default))})


def _flag() -> Any:
    """A NOT NULL boolean column, false by default."""
    return Field(default=False, sa_column_kwargs={"server_default": false()})


def _moment(nullable: bool, server_default: int | None = None) -> Any:
    """A time column (``UTCDateTime``)."""
    default = None if server_default is None else text(str(server_default))
    column = Column(UTCDateTime(), nullable=nullable, server_default=default)
    return Field(default=None, sa_column=column) if nullable else Field(sa_column=column)


class Deck(SQLModel, table=True):
    """A deck; ``::`` in the name nests it, as in Anki."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    description: str = _text("")


class Card(SQLModel, table=True):
    """A card: where it comes from, its tags and its FSRS state. Its text is in ``CardText``, so the row every
    answer rewrites, and that `srs stats` and the deck list scan, stays narrow."""

    __table_args__ = (
        # Today's queue: learning and review cards by due time, new cards in deck order.
        Index("ix_card_due", "state", "due", sqlite_where=text("state > 0"), postgresql_where=text("state > 0")),
        Index("ix_card_new", "origin", "position", sqlite_where=text("state = 0"), postgresql_where=text("state = 0")),
    )

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    deck_id: int = Field(foreign_key="deck.id")
    origin: str  # the deck file it came from
    line: int
    position: int  # order within its file: the order new cards are introduced
    tags: str = _text("")  # " tag1 tag2 " (padded so instr(tags, ' x ') finds whole tags)
    difficulty: str | None = None
    draft: bool = _flag()
    retired: bool = _flag()
    content_hash: str
    state: int = _number(0)
    step: int | None = None
    stability: float | None = None
    fsrs_difficulty: float | None = None
    due: datetime | None = _moment(nullable=True)
    last_review: datetime | None = _moment(nullable=True)
    reps: int = _number(0)
    lapses: int = _number(0)
    suspended: bool = _flag()
    leech: bool = _flag()
    buried_until: datetime | None = _moment(nullable=True)
    created_at: datetime = _moment(nullable=False)
    content_changed_at: datetime = _moment(nullable=False, server_default=0)  # last sync that changed content_hash


class CardText(SQLModel, table=True):
    """A card's text, from its deck file; deleted with the card (a trigger)."""

    __tablename__ = "card_text"
    card_id: int | None = Field(default=None, primary_key=True, foreign_key="card.id")
    front: str
    back: str
    extra: str = _text("")
    sources: str = _text("")  # newline-separated


class Review(SQLModel, table=True):
    """One answer. Append-only, except that undo removes the newest entry of a card. Ids are never reused."""

    __table_args__ = (
        Index("ix_review_card", "card_id", "id"),
        # Covering indexes for `srs stats`: answers by time, and by card.
        Index("ix_review_stats", "reviewed_at", "state_before", "rating", "interval_before", "card_id"),
        Index("ix_review_card_stats", "card_id", "state_before", "reviewed_at", "rating"),
        Index("ix_review_uid", "uid", unique=True),
        {"sqlite_autoincrement": True},  # an id is never given to a second answer (undo by id stays safe)
    )

    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(foreign_key="card.id")
    rating: int
    reviewed_at: datetime = _moment(nullable=False)
    duration_ms: int | None = None
    state_before: int  # copied out of ``before`` so stats need not parse JSON
    interval_before: float | None = None  # days between last review and due, before this answer
    before: str  # JSON MemoryState
    after: str  # JSON MemoryState
    uid: str | None = None  # globally unique (time-ordered hex), for `srs remote`; unique by ix_review_uid
    device: str | None = None  # the device that answered; NULL: this one, not yet sent


class Event(SQLModel, table=True):
    """A change other than an answer, kept for `srs remote`: bury, suspend, unsuspend, setting, unset, undo."""

    __table_args__ = (Index("ix_event_card", "card_uid", "at"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    device: str | None = None  # NULL: made on this device, not yet sent
    at: int = Field(sa_column=Column(BigInteger, nullable=False))  # microseconds since the epoch
    kind: str
    card_uid: str | None = None
    data: str = _text("")


class SyncState(SQLModel, table=True):
    """This device's id and its `srs remote` bookkeeping (remote URL, collection, what was sent and received)."""

    __tablename__ = "sync_state"
    key: str = Field(primary_key=True)
    value: str


class SyncOrphan(SQLModel, table=True):
    """An event from the remote store for a card this collection does not have (yet)."""

    __tablename__ = "sync_orphan"
    __table_args__ = (Index("ix_sync_orphan_card", "card_uid"),)
    uid: str = Field(primary_key=True)
    card_uid: str
    device: str
    at: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str
    rating: int | None = None
    duration_ms: int | None = None
    data: str = _text("")


class SyncFile(SQLModel, table=True):
    """Content hash of each synced deck file, so unchanged files are not re-parsed."""

    __tablename__ = "sync_file"
    path: str = Field(primary_key=True)
    digest: str  # '' once a card of the file changed in the DB (triggers in migrations.py): parse it again
    synced_at: datetime = _moment(nullable=False)
    # What os.stat said when the digest was taken; NULL when it could not be trusted (just edited)
    size: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    mtime_ns: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    ctime_ns: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    inode: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    cards: int | None = None  # live cards from the file after that sync


class Setting(SQLModel, table=True):
    """A scheduling setting, global (scope '') or for one deck (scope = deck name)."""

    scope: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    value: str


class Quiz(SQLModel, table=True):
    """A timed quiz (``srs quiz``): its scope and result."""

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = _moment(nullable=False)
    finished_at: datetime | None = _moment(nullable=True)
    deck: str | None = None
    topic: str | None = None
    planned: int
    answered: int = _number(0)
    correct: int = _number(0)
    time_used_ms: int = _number(0)
    budget_ms: int = _number(0)


class QuizItem(SQLModel, table=True):
    """One question of a quiz and how it went; ``review_id`` is the answer it recorded."""

    __tablename__ = "quiz_item"
    __table_args__ = (Index("ix_quiz_item_quiz", "quiz_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    quiz_id: int = Field(foreign_key="quiz.id")
    card_id: int = Field(foreign_key="card.id")
    position: int
    difficulty: str
    correct: bool
    timed_out: bool
    elapsed_ms: int
    budget_ms: int
    rating: int
    review_id: int | None = None


class RenderCache(SQLModel, table=True):
    """HTML the Anki exporter rendered from one card text; ``key`` digests the renderer version and the text."""

    __tablename__ = "render_cache"
    key: bytes = Field(primary_key=True)
    renderer: str  # short digest of the renderer version, so rows of older renderers can be dropped
    html: str


class ExportRenderer(SQLModel, table=True):
    """When the Anki exporter's current renderer was first used: no exported note is dated earlier."""

    __tablename__ = "export_renderer"
    renderer: str = Field(primary_key=True)
    since: datetime = _moment(nullable=False)



class ExportNote(SQLModel, table=True):
    """A plain card's finished Anki note, as the last export made it; dropped by triggers when the card changes."""

    __tablename__ = "export_note"
    card_id: int | None = Field(default=None, primary_key=True)  # card.id (no foreign key: a trigger deletes it with the card)
    guid: str
    flds: str  # the fields' HTML joined by "\x1f"; the first is the sort field
    tags: str  # " a b " as Anki stores them
    mod: int = Field(sa_column=Column(BigInteger, nullable=False))  # seconds, as Anki's notes.mod


class ExportNoteEpoch(SQLModel, table=True):
    """One row: how many card changes dropped stored notes (an export stores its notes only if none happened
    since it read the cards), and the renderer, and its first-use date, that made the stored notes."""

    __tablename__ = "export_note_epoch"
    id: int | None = Field(default=None, primary_key=True)
    epoch: int = _number(0)
    renderer: str = _text("")
    since: datetime = _moment(nullable=False, server_default=0)

metadata = SQLModel.metadata
