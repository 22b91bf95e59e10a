"""Opening the DB: location, version checks, migrations, connection settings.

Every write goes through ``Store.write()``: one ``BEGIN IMMEDIATE`` transaction, so a writer takes
the lock up front and waits (busy_timeout) instead of failing "database is locked" on upgrade.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import NullPool, PoolProxiedConnection

from srs.errors import DatabaseError
from srs.storage.backup import make_backup, newest_backup
from srs.storage.migrations import LATEST_VERSION, migrate, user_version

BUSY_TIMEOUT_MS = 30_000
last_opened: Path | None = None  # for error messages that escape a command: which file failed


def default_db_path() -> Path:
    """``$SRS_DB`` if set, else ``srs.db`` in the platform's user data dir."""
    env = os.environ.get("SRS_DB")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("srs", appauthor=False)) / "srs.db"


def _configure(dbapi_conn: sqlite3.Connection) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
    dbapi_conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    dbapi_conn.execute("PRAGMA foreign_keys = ON")
    dbapi_conn.execute("PRAGMA journal_mode = WAL")
    # FULL: an answer is on disk when the call returns, even across a power cut.
    dbapi_conn.execute("PRAGMA synchronous = FULL")


def _restore_hint(path: Path) -> str:
    backup = newest_backup(path)
    if backup is None:
        return "No backup of it exists."
    return f"The newest backup is {backup}; restore it with: srs restore {backup}"


def check_readable(path: Path) -> int:
    """Return the file's schema version without changing the file; raise DatabaseError if unusable."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open {path}: {exc}") from None
    try:
        version = user_version(conn)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} is not a usable srs database ({exc}). {_restore_hint(path)}") from None
    finally:
        conn.close()
    if version > LATEST_VERSION:
        raise DatabaseError(
            f"{path} was written by a newer srs (schema v{version}; this srs knows up to v{LATEST_VERSION}). "
            "Upgrade srs to open it; the file was left untouched."
        )
    return version


@dataclass
class Store:
    """An open, migrated DB. ``created`` is true when this call made a new, empty collection."""

    path: Path
    engine: Engine
    created: bool = False
    migrated_from: int = LATEST_VERSION
    backups: list[Path] = field(default_factory=list)
    _answer_held: tuple[PoolProxiedConnection, int] | None = field(default=None, init=False, repr=False, compare=False)
    _answer_lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Store.close() and a caller's engine.dispose() both end the answer connection with the pool's others.
        event.listen(self.engine, "engine_disposed", lambda _engine: self._on_dispose())

    def _on_dispose(self) -> None:
        with self._answer_lock:
            self._drop_answer_connection()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads (a deferred transaction, rolled back at the end)."""
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One ``BEGIN IMMEDIATE`` transaction, committed on success and rolled back on any error."""
        with self.engine.connect().execution_options(immediate=True) as conn:
            with conn.begin():
                yield conn

    def write_raw(self) -> _RawWrite:
        """``write()`` for the answer hot path, yielding the sqlite3 connection itself.

        The same durable transaction (BEGIN IMMEDIATE, COMMIT with synchronous=FULL, WAL, normal locking) on one
        connection this Store keeps checked out of its pool for answers, so an answer skips the pool checkout and
        return (a quarter of its CPU). A lock lets one thread at a time use it; other processes wait on SQLite's
        lock as with any connection.
        """
        return _RawWrite(self)

    def _answer_connection(self) -> sqlite3.Connection:
        """The dedicated connection, opened through the engine so its connect hooks (pragmas) apply."""
        held = self._answer_held
        if held is not None and held[1] == os.getpid():
            return held[0].driver_connection
        # None, or inherited across fork: a SQLite connection must not be used in a child, nor closed there.
        fairy = self.engine.raw_connection()
        self._answer_held = (fairy, os.getpid())
        return fairy.driver_connection

    def _drop_answer_connection(self) -> None:
        """Close the dedicated connection (after a failed rollback, or when the engine is disposed)."""
        held, self._answer_held = self._answer_held, None
        if held is not None and held[1] == os.getpid():
            try:
                held[0].invalidate()
            except sqlite3.Error:  # closing a broken connection may fail too; it is gone either way
                pass

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()  # its engine_disposed hook drops the answer connection


class _RawWrite:
    """Context manager of ``Store.write_raw``: BEGIN IMMEDIATE, then COMMIT, or ROLLBACK on any error."""

    __slots__ = ("store", "driver")

    def __init__(self, store: Store) -> None:
        self.store = store
        self.driver: sqlite3.Connection | None = None

    def __enter__(self) -> sqlite3.Connection:
        self.store._answer_lock.acquire()
        try:
            self.driver = self.store._answer_connection()
            self.driver.execute("BEGIN IMMEDIATE")
        except BaseException:
            try:
                self._abandon()
            finally:
                self.store._answer_lock.release()
            raise
        return self.driver

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                try:
                    self.driver.commit()
                except BaseException:
                    self._abandon()
                    raise
            else:
                self._abandon()
        finally:
            self.store._answer_lock.release()

    def _abandon(self) -> None:
        """Roll back; a connection that cannot roll back is closed, and the next answer opens a fresh one."""
        driver = self.driver
        if driver is None:
            return
        try:
            if driver.in_transaction:
                driver.rollback()
        except BaseException:
            self.store._drop_answer_connection()
            raise


def _make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool if os.environ.get("SRS_NULLPOOL") else None)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn, _record) -> None:
        _configure(dbapi_conn)

    @event.listens_for(engine, "begin")
    def on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("immediate", False)
        # Straight to the driver: the same statement without a trip through SQLAlchemy's execution
        # pipeline, which cost more than the BEGIN itself on every read and every answer.
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def open_store(path: Path | str | None = None) -> Store:
    """Open (creating if needed) and migrate the DB at ``path`` (default: ``default_db_path()``).

    A DB from a newer srs, or a file that is not a SQLite DB, raises ``DatabaseError`` and is left
    untouched. An existing DB is backed up before any migration step runs.
    """
    global last_opened
    path = Path(path) if path is not None else default_db_path()
    path = path.expanduser()
    last_opened = path
    existed = path.exists() and path.stat().st_size > 0
    version = check_readable(path) if existed else 0
    if not existed:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"cannot create {path.parent}: {exc}") from None
    backups = []
    if existed and version < LATEST_VERSION:
        backups.append(make_backup(path, f"before-migration-v{version}"))
    try:
        raw = sqlite3.connect(path)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open {path}: {exc}") from None
    try:
        _configure(raw)
        migrate(raw)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"cannot migrate {path}: {exc}. {_restore_hint(path)}") from None
    finally:
        raw.close()
    return Store(path=path, engine=_make_engine(path), created=version == 0, migrated_from=version, backups=backups)
