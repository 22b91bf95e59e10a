"""Opening the collection (location, checks, migrations) and the ``Store`` that hands out connections.

``Store.read()`` and ``Store.write()`` yield a plain ``sqlite3.Connection`` (see ``connection.py`` for its
settings). Every write is one ``BEGIN IMMEDIATE`` transaction on the Store's one write connection: a writer
takes the lock up front and waits (busy timeout) instead of failing "database is locked" on upgrade, and
an answer pays for no pool, no checkout, nothing but its statements and the durable commit.
"""

from __future__ import annotations

import os
import struct
import sqlite3
import threading
from pathlib import Path

from srs.errors import DatabaseError
from srs.storage.connection import PAGE_SIZE, connect, ensure_wal, read_only, remove_side_files, side_files
from srs.storage.failures import explain, is_damage, restore_hint
from srs.storage.migrations import LATEST_VERSION, migrate, user_version

IDLE_READERS = 4  # read connections kept open for reuse (the TUI reads from a few worker threads at once)
last_opened: Path | None = None  # for error messages that escape a command: which file failed


def default_db_path() -> Path:
    """``$SRS_DB`` if set, else ``srs.db`` in the platform's user data dir."""
    env = os.environ.get("SRS_DB")
    if env:
        return Path(env).expanduser()
    import platformdirs  # here: a command given --db or $SRS_DB starts without it

    return Path(platformdirs.user_data_dir("srs", appauthor=False)) / "srs.db"


# Tables every srs collection has from schema v1 on: a file at v1 or later without them is something else.
CORE_TABLES = frozenset({"deck", "card", "review"})


def check_readable(path: Path) -> int:
    """Return the file's schema version without changing the file; raise DatabaseError if it is not usable.

    Refused: a file that is not SQLite or is damaged, a collection of a newer srs, and any other SQLite database
    that holds something (an Anki ``collection.anki2``, say): srs never converts a database it did not make. An
    empty SQLite database (no tables) is fine: it becomes a new collection.
    """
    existed = side_files(path)
    try:
        conn = read_only(path)
    except sqlite3.Error as exc:
        raise DatabaseError(explain(exc, path)) from None
    try:
        version = user_version(conn)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise DatabaseError(f"{path} is not a usable srs database ({exc}). {restore_hint(path)}") from None
        raise DatabaseError(explain(exc, path)) from None
    finally:
        conn.close()
    if version > LATEST_VERSION:
        remove_side_files(path, existed)
        raise DatabaseError(
            f"{path} was written by a newer srs (schema v{version}; this srs knows up to v{LATEST_VERSION}). "
            "Upgrade srs to open it; the file was left untouched."
        )
    foreign = tables - {"sqlite_sequence"} if version == 0 else CORE_TABLES - tables
    if foreign:
        remove_side_files(path, existed)
        listed = ", ".join(sorted(tables)[:8]) or "none"
        raise DatabaseError(
            f"{path} is a SQLite database but not an srs collection (schema v{version}, tables: {listed}); "
            "srs left it untouched. Give --db a new file name (or an srs collection)."
        )
    return version


CHECKPOINT_PAGES = 1000  # SQLite's own automatic checkpoint threshold, kept by ``checkpoint_if_due``
# The WAL-index header at the start of the -shm file (https://www.sqlite.org/walformat.html, 4.1 and 4.2): the
# last valid frame (mxFrame, u32 at byte 16) and how many frames are already in the database (nBackfill, u32 at
# byte 96), in the machine's byte order.
_SHM_HEADER = struct.Struct("=16xI76xI")


def wal_pages_waiting(path: Path) -> int:
    """How many pages the WAL of ``path`` holds that are not yet in the database file (0 if that cannot be read).

    The WAL file's size cannot tell: after a checkpoint it is written over from its start, never shrunk.
    """
    try:
        with open(f"{path}-shm", "rb") as shm:
            header = shm.read(_SHM_HEADER.size)
    except OSError:
        return 0
    if len(header) < _SHM_HEADER.size:
        return 0
    last_frame, backfilled = _SHM_HEADER.unpack(header)
    return max(0, last_frame - backfilled)


class Store:
    """An open, migrated collection: ``with store.read() as conn`` / ``with store.write() as conn``.

    A context manager: ``with open_store(path) as store:`` closes every connection at the end. A closed
    Store can still be used; it opens connections again as needed. Safe to share between threads: each
    read gets a connection of its own, and writes take turns on the write connection.
    """

    def __init__(
        self, path: Path, created: bool = False, migrated_from: int = LATEST_VERSION,
        backups: list[Path] | None = None, writer: sqlite3.Connection | None = None,
    ) -> None:
        self.path = path
        self.created = created  # this open made a new, empty collection
        self.migrated_from = migrated_from
        self.backups = backups if backups is not None else []
        self._pool_lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._generation = 0  # bumped by close(): connections of an older generation are closed when returned
        self._pid = os.getpid()
        self._write_lock = threading.RLock()
        self._writer = writer
        self._checkpoints_deferred = False
        self._checkpoint_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()

    def read(self) -> _Read:
        """A connection for reads: one snapshot (a deferred transaction, rolled back at the end). Writes are refused."""
        return _Read(self)

    def write(self) -> _Write:
        """One ``BEGIN IMMEDIATE`` transaction, committed (durably) on success and rolled back on any error."""
        return _Write(self)

    def defer_checkpoints(self) -> None:
        """Writes no longer copy the WAL into the database file themselves: ``checkpoint_if_due`` does, when called.

        SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1000 pages, so every ~90th
        answer waited for it (~50 ms for the first of a session at 100k cards) before the review screen could
        show the next card. The review app calls ``checkpoint_if_due`` in a worker once no job has run for a moment.
        """
        with self._write_lock:
            self._checkpoints_deferred = True
            if self._writer is not None:
                self._writer.execute("PRAGMA wal_autocheckpoint = 0")

    def checkpoint_if_due(self) -> bool:
        """A passive checkpoint (it waits for no writer and no reader) once ``CHECKPOINT_PAGES`` pages wait in the
        WAL, on a connection of its own; whether one ran. One at a time: a call while another runs returns at once."""
        if wal_pages_waiting(self.path) < CHECKPOINT_PAGES or not self._checkpoint_lock.acquire(blocking=False):
            return False
        try:
            conn = connect(self.path)
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                return True
            finally:
                _close_quietly(conn)
        finally:
            self._checkpoint_lock.release()

    def close(self) -> None:
        """Close every connection this Store holds (those in use are closed when their block ends)."""
        with self._write_lock:
            writer, self._writer = self._writer, None
            if writer is not None and self._pid == os.getpid():
                _close_quietly(writer)
        with self._pool_lock:
            idle, self._idle = self._idle, []
            self._generation += 1
            same_process = self._pid == os.getpid()
        for conn in idle if same_process else ():
            _close_quietly(conn)

    def _forget_inherited(self) -> None:
        """After a fork: connections belong to the parent and must be neither used nor closed here."""
        self._idle, self._writer, self._pid = [], None, os.getpid()
        self._generation += 1

    def _checkout(self) -> tuple[sqlite3.Connection, int]:
        with self._pool_lock:
            if self._pid != os.getpid():
                self._forget_inherited()
            generation = self._generation
            if self._idle:
                return self._idle.pop(), generation
        conn = connect(self.path)
        conn.execute("PRAGMA query_only = ON")
        return conn, generation

    def _checkin(self, conn: sqlite3.Connection, generation: int) -> None:
        try:
            if conn.in_transaction:
                conn.rollback()
        except sqlite3.Error:
            _close_quietly(conn)
            return
        with self._pool_lock:
            keep = generation == self._generation and self._pid == os.getpid() and len(self._idle) < IDLE_READERS
            if keep:
                self._idle.append(conn)
        if not keep:
            _close_quietly(conn)

    def _write_connection(self) -> sqlite3.Connection:
        if self._pid != os.getpid():
            with self._pool_lock:
                self._forget_inherited()
        if self._writer is None:
            self._writer = connect(self.path)
            if self._checkpoints_deferred:
                self._writer.execute("PRAGMA wal_autocheckpoint = 0")
        return self._writer

    def _drop_writer(self) -> None:
        """Close the write connection (after a failed rollback); the next write opens a fresh one."""
        writer, self._writer = self._writer, None
        if writer is not None:
            _close_quietly(writer)


def _close_quietly(conn: sqlite3.Connection) -> None:
    try:
        conn.close()
    except sqlite3.Error:  # closing a broken connection may fail too; it is gone either way
        pass


class _Read:
    """Context manager of ``Store.read``."""

    __slots__ = ("store", "conn", "generation")

    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> sqlite3.Connection:
        self.conn, self.generation = self.store._checkout()
        try:
            self.conn.execute("BEGIN")
        except BaseException:
            _close_quietly(self.conn)
            raise
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        self.store._checkin(self.conn, self.generation)


class _Write:
    """Context manager of ``Store.write``: BEGIN IMMEDIATE, then COMMIT, or ROLLBACK on any error."""

    __slots__ = ("store", "conn")

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn: sqlite3.Connection | None = None

    def __enter__(self) -> sqlite3.Connection:
        store = self.store
        store._write_lock.acquire()
        try:
            conn = store._write_connection()
            if conn.in_transaction:  # only a write nested in a write of the same thread gets here
                raise RuntimeError("Store.write() nested in another Store.write() of the same thread")
            conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            store._write_lock.release()
            raise
        self.conn = conn
        return conn

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                try:
                    self.conn.commit()
                except BaseException:
                    self._abandon()
                    raise
            else:
                self._abandon()
        finally:
            self.store._write_lock.release()

    def _abandon(self) -> None:
        """Roll back; a connection that cannot roll back is closed, and the next write opens a fresh one."""
        try:
            if self.conn.in_transaction:
                self.conn.rollback()
        except BaseException:
            self.store._drop_writer()
            raise


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
    if existed and 0 < version < LATEST_VERSION:  # version 0: an empty database, nothing to keep
        from srs.storage.backup import make_backup  # only before a migration: not on every start-up

        backups.append(make_backup(path, f"before-migration-v{version}"))
    try:
        writer = connect(path)
    except sqlite3.Error as exc:
        raise DatabaseError(explain(exc, path)) from None
    try:
        if not existed:
            writer.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # only an empty file takes it: before WAL and the tables
        ensure_wal(writer)
        if version < LATEST_VERSION:
            migrate(writer)
    except sqlite3.DatabaseError as exc:
        _close_quietly(writer)
        raise DatabaseError(f"cannot {'migrate' if version < LATEST_VERSION else 'open'} {path}: {explain(exc, path)}") from None
    except BaseException:
        _close_quietly(writer)
        raise
    return Store(path, created=version == 0, migrated_from=version, backups=backups, writer=writer)
