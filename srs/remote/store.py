"""The shared store, through SQLAlchemy: PostgreSQL (``postgresql://...``, psycopg) or a SQLite file.

Pushing is idempotent (an event whose uid is already there is skipped) and pulling is by event number, so an
interrupted sync is simply run again.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from srs.errors import SrsError
from srs.remote.models import collection_table, event_table, metadata

PULL_FETCH = 10_000
PUSH_BATCH = 5_000
EVENT_COLUMNS = ("uid", "device", "kind", "card_uid", "at", "rating", "duration_ms", "before", "after", "data")


class RemoteError(SrsError):
    """The shared store could not be reached, refused us, or failed mid-sync."""


@dataclass(frozen=True)
class Pulled:
    """Other devices' events after a number, as one stream in merge order, and the number to resume from."""

    head: int  # the last event number given out: the next pull starts after it
    count: int  # how many events ``rows`` brings
    rows: Iterator[tuple]  # (seq, *EVENT_COLUMNS): settings first, then card by card, each card's by (time, uid)


def engine_url(url: str) -> str:
    """What the user typed -> a SQLAlchemy URL: ``postgresql://`` uses psycopg 3; anything else is a SQLite file."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("postgresql+"):
        return url
    if url.startswith("sqlite:///"):
        return url
    if "://" in url:
        raise RemoteError(f"'{url}' is not a remote srs knows: give a postgresql:// URL or a SQLite file path")
    return f"sqlite:///{Path(url).expanduser().resolve()}"


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(engine_url(url)).render_as_string(hide_password=True)
    except (ArgumentError, RemoteError):
        return url


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # A store on a shared drive: rollback journal (WAL needs shared memory, which network file systems lack),
    # wait for the other writer rather than fail.
    dbapi_conn.execute("PRAGMA busy_timeout = 30000")
    dbapi_conn.execute("PRAGMA synchronous = FULL")


class RemoteStore:
    """An open shared store. ``owner`` is the learner: the PostgreSQL role, or '' in a SQLite file."""

    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        try:
            self.engine = engine or create_engine(engine_url(url), pool_pre_ping=True)
        except NoSuchModuleError:
            raise RemoteError("PostgreSQL needs the psycopg driver: pip install 'srs[postgres]'") from None
        except (ArgumentError, ImportError) as exc:
            if "psycopg" in str(exc):
                raise RemoteError("PostgreSQL needs the psycopg driver: pip install 'srs[postgres]'") from None
            raise RemoteError(f"cannot use {describe(url)}: {exc}") from None
        self.is_postgres = self.engine.dialect.name == "postgresql"
        if not self.is_postgres:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._owner: str | None = None

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    @property
    def owner(self) -> str:
        if self._owner is None:
            if self.is_postgres:
                with self.engine.connect() as conn:
                    self._owner = conn.execute(text("SELECT current_user")).scalar_one()
            else:
                self._owner = ""
        return self._owner

    def _insert(self, table):
        return (pg_insert if self.is_postgres else sqlite_insert)(table)

    def has_schema(self) -> bool:
        """Whether the store's tables exist."""
        with self.engine.connect() as conn:
            return self.engine.dialect.has_table(conn, "srs_event") and self.engine.dialect.has_table(conn, "srs_collection")

    def create_schema(self) -> None:
        """Create the tables (and on PostgreSQL, row-level security); harmless when they exist."""
        metadata.create_all(self.engine)
        if self.is_postgres:
            secure_postgres(self.engine)

    def collection(self, name: str) -> str:
        """The id of this learner's collection ``name``, created if it does not exist."""
        owner = self.owner
        with self.engine.begin() as conn:
            found = conn.execute(
                select(collection_table.c.id).where(collection_table.c.owner == owner, collection_table.c.name == name)
            ).scalar_one_or_none()
            if found is not None:
                return found
            new_id = uuid.uuid4().hex
            conn.execute(
                self._insert(collection_table).values(id=new_id, owner=owner, name=name, head=0, created_at=int(time.time() * 1_000_000)).on_conflict_do_nothing()
            )
            return conn.execute(
                select(collection_table.c.id).where(collection_table.c.owner == owner, collection_table.c.name == name)
            ).scalar_one()

    def push(self, collection_id: str, rows: Sequence[tuple]) -> None:
        """Add events (tuples in ``EVENT_COLUMNS`` order) in one transaction; those already there (same uid) are skipped."""
        if not rows:
            return
        owner = self.owner
        with self.engine.begin() as conn:
            head = conn.execute(
                update(collection_table)
                .where(collection_table.c.id == collection_id)
                .values(head=collection_table.c.head + len(rows))
                .returning(collection_table.c.head)
            ).scalar_one_or_none()
            if head is None:
                raise RemoteError("the remote collection is gone (or this learner may not see it); run 'srs remote add' again")
            first = head - len(rows) + 1
            if len(rows) > PUSH_BATCH:
                # In uid (time) order, each of the store's indexes grows at its right edge; the order within a push
                # means nothing to the merge, which orders every card's events itself.
                rows = sorted(rows, key=itemgetter(0))  # uid
                (_copy_events if self.is_postgres else _insert_many)(conn, collection_id, owner, first, rows)
                return
            statement = self._insert(event_table).on_conflict_do_nothing(index_elements=["collection_id", "uid"])
            for start in range(0, len(rows), PUSH_BATCH):
                chunk = [
                    {**dict(zip(EVENT_COLUMNS, row)), "collection_id": collection_id, "seq": first + start + i, "owner": owner}
                    for i, row in enumerate(rows[start : start + PUSH_BATCH])
                ]
                conn.execute(statement, chunk)

    @contextmanager
    def pull(self, collection_id: str, after: int, skip_device: str) -> Iterator[Pulled]:
        """Events numbered after ``after`` from other devices, streamed in the order the merge takes them (every
        card's events together, however devices interleaved them), so the merge holds one card at a time."""
        mark = "%s" if self.is_postgres else "?"
        where = f"collection_id = {mark} AND seq > {mark} AND seq <= {mark} AND device <> {mark}"
        # The merge keeps a card's received rows in this order when they chain: the order must be Python's
        # (at, uid), so uids compare by code point, not by the server's locale.
        uid_order = 'uid COLLATE "C"' if self.is_postgres else "uid"
        with self.engine.connect() as conn:
            head = conn.execute(select(collection_table.c.head).where(collection_table.c.id == collection_id)).scalar_one_or_none()
            if head is None:
                raise RemoteError("the remote collection is gone (or this learner may not see it); run 'srs remote add' again")
            params = (collection_id, after, head, skip_device)
            count = conn.exec_driver_sql(f"SELECT count(*) FROM srs_event WHERE {where}", params).scalar_one() if head > after else 0
            rows: Iterator[tuple] = iter(())
            if count:
                sql = f"SELECT seq, {', '.join(EVENT_COLUMNS)} FROM srs_event WHERE {where} ORDER BY card_uid IS NOT NULL, card_uid, at, {uid_order}"
                # The driver's own tuples, a few thousand at a time: SQLAlchemy's Row objects would cost more than the
                # merge of a row. PostgreSQL: a cursor declared in the transaction, so the client holds one batch.
                dbapi = conn.connection.dbapi_connection
                if self.is_postgres:
                    conn.exec_driver_sql(f"DECLARE srs_pull NO SCROLL CURSOR FOR {sql}", params)
                    rows = _stream(lambda: dbapi.execute(f"FETCH {PULL_FETCH} FROM srs_pull").fetchall(), self.engine.dialect.loaded_dbapi.Error)
                else:
                    cursor = conn.exec_driver_sql(sql, params).context.cursor
                    rows = _stream(lambda: cursor.fetchmany(PULL_FETCH), self.engine.dialect.loaded_dbapi.Error)
            yield Pulled(head, count, rows)

    def count_events(self, collection_id: str) -> int:
        """How many events the collection has in the store."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(event_table).where(event_table.c.collection_id == collection_id)).scalar_one()


def _stream(fetch, driver_error: type[Exception]) -> Iterator[tuple]:
    """Rows from ``fetch()`` until it returns none; a driver failure (SQLAlchemy does not see these fetches) becomes
    a ``RemoteError``."""
    while True:
        try:
            batch = fetch()
        except driver_error as exc:
            raise wrap_failure(exc) from None
        if not batch:
            return
        yield from batch


def _copy_events(conn, collection_id: str, owner: str, first: int, rows: Sequence[tuple]) -> None:
    """A large push on PostgreSQL, by COPY (row by row, even batched, a million reviews take minutes in the server).

    The events go straight into ``srs_event`` when none is there yet, the usual case. If one is (a push whose
    commit went through but whose answer was lost, sent again), the COPY fails on the uid and is undone to its
    savepoint, and the events go through a temporary table and one ``INSERT ... ON CONFLICT DO NOTHING``.
    The connection and its transaction are SQLAlchemy's; only the COPY goes to psycopg directly.
    """
    from psycopg.errors import UniqueViolation

    savepoint = conn.begin_nested()
    try:
        _copy_rows(conn, "srs_event", collection_id, owner, first, rows)
    except UniqueViolation:
        savepoint.rollback()
    else:
        savepoint.commit()
        return
    columns = ", ".join(EVENT_COLUMNS)
    conn.execute(text("CREATE TEMPORARY TABLE srs_event_in (LIKE srs_event INCLUDING DEFAULTS) ON COMMIT DROP"))
    _copy_rows(conn, "srs_event_in", collection_id, owner, first, rows)
    conn.execute(text(
        f"INSERT INTO srs_event (collection_id, seq, owner, {columns}) SELECT collection_id, seq, owner, {columns} FROM srs_event_in "
        "ON CONFLICT (collection_id, uid) DO NOTHING"
    ))


def _copy_rows(conn, table: str, collection_id: str, owner: str, first: int, rows: Sequence[tuple]) -> None:
    """COPY events into ``table``, numbered from ``first``. A failure of the driver other than a duplicate uid is
    given to the caller as a ``RemoteError`` (SQLAlchemy does not see the COPY, so it would not wrap it)."""
    from psycopg import Error
    from psycopg.errors import UniqueViolation

    cursor = conn.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f"COPY {table} (collection_id, seq, owner, {', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for i, row in enumerate(rows):
                copy.write_row((collection_id, first + i, owner, *row))
    except UniqueViolation:
        raise
    except Error as exc:
        raise wrap_failure(exc) from None


def _insert_many(conn, collection_id: str, owner: str, first: int, rows: Sequence[tuple]) -> None:
    """A large push to a SQLite file store: one ``executemany`` of plain tuples (SQLAlchemy's per-row handling of
    named parameters cost more than the insert itself)."""
    columns = ", ".join(EVENT_COLUMNS)
    marks = ", ".join("?" * (len(EVENT_COLUMNS) + 3))
    conn.exec_driver_sql(
        f"INSERT INTO srs_event (collection_id, seq, owner, {columns}) VALUES ({marks}) ON CONFLICT (collection_id, uid) DO NOTHING",
        [(collection_id, first + i, owner, *row) for i, row in enumerate(rows)],
    )


LEARNER_ROLE = "srs_learner"


def secure_postgres(engine: Engine) -> None:
    """Row-level security: a learner sees and writes only rows with their own name; ``srs_learner`` may use the tables.

    Run as the tables' owner or a superuser. Idempotent.
    """
    with engine.begin() as conn:
        conn.execute(text(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{LEARNER_ROLE}') "
            f"THEN CREATE ROLE {LEARNER_ROLE} NOLOGIN; END IF; END $$"
        ))
        for table in ("srs_collection", "srs_event"):
            conn.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
            conn.execute(text(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY"))
            conn.execute(text(f"DROP POLICY IF EXISTS srs_own_rows ON {table}"))
            conn.execute(text(f"CREATE POLICY srs_own_rows ON {table} USING (owner = current_user) WITH CHECK (owner = current_user)"))
            conn.execute(text(f"GRANT SELECT, INSERT, UPDATE ON {table} TO {LEARNER_ROLE}"))


def add_learner(engine: Engine, name: str, password: str | None) -> None:
    """Create a login role for a learner, member of ``srs_learner`` (run as a role that may create roles)."""
    if not name.replace("_", "").isalnum() or not name[0].isalpha():
        raise RemoteError(f"'{name}' is not a usable role name: letters, digits and _, starting with a letter")
    with engine.begin() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
        if exists:
            conn.execute(text(f'GRANT {LEARNER_ROLE} TO "{name}"'))
        else:
            password_sql = ""
            if password is not None:
                quoted = conn.execute(text("SELECT quote_literal(:p)"), {"p": password}).scalar_one()
                password_sql = f" PASSWORD {quoted}"
            conn.execute(text(f'CREATE ROLE "{name}" LOGIN{password_sql} IN ROLE {LEARNER_ROLE}'))


def failure_text(exc: BaseException) -> str:
    """The first line of a driver's error text."""
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return detail[0] if detail else type(exc).__name__


def wrap_failure(exc: BaseException) -> RemoteError:
    """A driver failure as a message for the user (first line of the driver's text, no traceback)."""
    if isinstance(exc, RemoteError):
        return exc
    first = failure_text(exc)
    return RemoteError(
        f"the remote store failed ({first}). Nothing was lost: what was not sent stays waiting, "
        "and 'srs remote sync' picks up where this one stopped"
    )


