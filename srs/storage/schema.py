"""The tables, as SQLModel classes.

The DDL that creates them lives in ``migrations.py`` as ordered steps; ``tests/test_storage.py``
checks that a migrated DB has exactly the columns declared here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from srs.storage.timecodec import UTCDateTime


class Deck(SQLModel, table=True):
    """A deck; ``::`` in the name nests it, as in Anki."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    description: str = ""


class Card(SQLModel, table=True):
    """A card's content (from its deck file) and its FSRS state."""

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    deck_id: int = Field(foreign_key="deck.id")
    origin: str  # the deck file it came from
    line: int
    position: int  # order within its file: the order new cards are introduced
    front: str
    back: str
    extra: str = ""
    tags: str = ""  # " tag1 tag2 " (padded so instr(tags, ' x ') finds whole tags)
    difficulty: str | None = None
    sources: str = ""  # newline-separated
    draft: bool = False
    retired: bool = False
    content_hash: str
    state: int = 0
    step: int | None = None
    stability: float | None = None
    fsrs_difficulty: float | None = None
    due: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_review: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    reps: int = 0
    lapses: int = 0
    suspended: bool = False
    leech: bool = False
    buried_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    content_changed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))  # last sync that changed content_hash


class Review(SQLModel, table=True):
    """One answer. Append-only, except that undo removes the newest entry of a card."""

    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(foreign_key="card.id")
    rating: int
    reviewed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    duration_ms: int | None = None
    state_before: int  # copied out of ``before`` so stats need not parse JSON
    interval_before: float | None = None  # days between last review and due, before this answer
    before: str  # JSON MemoryState
    after: str  # JSON MemoryState
    uid: str | None = Field(default=None, unique=True)  # globally unique (time-ordered hex), for `srs remote`
    device: str | None = None  # the device that answered; NULL: this one


class Event(SQLModel, table=True):
    """A change other than an answer, kept for `srs remote`: bury, suspend, unsuspend, setting, unsetting, undo."""

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(unique=True)
    device: str | None = None  # NULL: this device
    at: int  # microseconds since the epoch
    kind: str
    card_uid: str | None = None
    data: str = ""


class SyncState(SQLModel, table=True):
    """This device's id and its `srs remote` bookkeeping (remote URL, collection, what was sent and received)."""

    __tablename__ = "sync_state"
    key: str = Field(primary_key=True)
    value: str


class SyncOrphan(SQLModel, table=True):
    """An event from the remote store for a card this collection does not have (yet)."""

    __tablename__ = "sync_orphan"
    uid: str = Field(primary_key=True)
    card_uid: str
    device: str
    at: int
    kind: str
    rating: int | None = None
    duration_ms: int | None = None
    data: str = ""


class SyncFile(SQLModel, table=True):
    """Content hash of each synced deck file, so unchanged files are not re-parsed."""

    __tablename__ = "sync_file"
    path: str = Field(primary_key=True)
    digest: str
    synced_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Setting(SQLModel, table=True):
    """A scheduling setting, global (scope '') or for one deck (scope = deck name)."""

    scope: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    value: str


class Quiz(SQLModel, table=True):
    """A timed quiz (``srs quiz``): its scope and result."""

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    deck: str | None = None
    topic: str | None = None
    planned: int
    answered: int = 0
    correct: int = 0
    time_used_ms: int = 0
    budget_ms: int = 0


class QuizItem(SQLModel, table=True):
    """One question of a quiz and how it went; ``review_id`` is the answer it recorded."""

    __tablename__ = "quiz_item"
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
    since: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


deck_table = Deck.__table__
card_table = Card.__table__
review_table = Review.__table__
sync_file_table = SyncFile.__table__
setting_table = Setting.__table__
