"""The shared store's tables, as SQLModel classes (their own metadata, apart from the local schema's).

One store serves many learners: a ``srs_collection`` row per collection, owned by a learner; ``srs_event``
holds every collection's events, each with the owner's name, so PostgreSQL's row-level security can keep
each learner to their own rows (``store.secure_postgres``).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

remote_registry = registry()


class RemoteBase(SQLModel, registry=remote_registry):
    """Base of the shared store's models (kept out of ``SQLModel.metadata``, which describes the local collection)."""


class RemoteCollection(RemoteBase, table=True):
    """One learner's collection. ``head`` is the last event number given out: pushes lock this row, so numbers
    are handed out, and committed, in order."""

    __tablename__ = "srs_collection"
    __table_args__ = (UniqueConstraint("owner", "name", name="uq_srs_collection_owner_name"),)
    id: str = Field(sa_column=Column(String(32), primary_key=True))
    owner: str = Field(sa_column=Column(String(63), nullable=False))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    head: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    created_at: int = Field(sa_column=Column(BigInteger, nullable=False))


class RemoteEvent(RemoteBase, table=True):
    """One event of a collection: a review (rating, duration, the state before and after as the answering device
    computed them) or a change (bury, suspend, unsuspend, setting, unset, undo; ``data`` holds its argument)."""

    __tablename__ = "srs_event"
    # Every query names the collection (the primary key's first column), so the row-level-security filter on
    # ``owner`` needs no index of its own.
    __table_args__ = (UniqueConstraint("collection_id", "uid", name="uq_srs_event_uid"),)
    collection_id: str = Field(sa_column=Column(String(32), primary_key=True))
    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    uid: str = Field(sa_column=Column(String(32), nullable=False))
    owner: str = Field(sa_column=Column(String(63), nullable=False))
    device: str = Field(sa_column=Column(String(32), nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    card_uid: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    at: int = Field(sa_column=Column(BigInteger, nullable=False))
    rating: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    duration_ms: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    before: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    after: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    data: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


collection_table = RemoteCollection.__table__
event_table = RemoteEvent.__table__
metadata = remote_registry.metadata
