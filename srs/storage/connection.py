"""The connection layer on the standard ``sqlite3`` module: how every connection to a collection is made.

Settings (on every connection): a busy timeout, so two processes wait for each other instead of failing
"database is locked"; foreign keys on; ``synchronous=FULL``, so a committed answer survives a power cut.
The journal is WAL (a property of the file, set once by ``open_store``). Transactions are explicit:
connections are in autocommit mode and the Store issues ``BEGIN`` / ``BEGIN IMMEDIATE`` itself.

Paths never go into a ``file:`` URI unescaped: ``#``, ``?`` and ``%`` are legal in file names.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

BUSY_TIMEOUT_S = 30.0
# Page size of a new collection. An answer changes about 11 pages (the card, its index entries, the log's
# right edges: bench/answer_pages.py) and the commit writes and fsyncs each one whole: with 2 KB pages a
# durable answer took 282 us against 303 us with SQLite's 4 KB (in-process A/B, alternating per answer, 1500
# answers at 100k cards / 1M reviews), and `srs stats --json` ~5% more (0.48 s against 0.46 s). A collection
# made with another size keeps it (changing it means rewriting the whole file).
PAGE_SIZE = 2048


def file_uri(path: Path | str, **params: str) -> str:
    """A ``file:`` URI naming exactly ``path`` (every character SQLite would read as syntax escaped)."""
    absolute = os.path.abspath(os.fsencode(path))
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return "file:" + quote(absolute, safe="/") + (f"?{query}" if query else "")


def connect(path: Path | str) -> sqlite3.Connection:
    """A configured connection to the collection at ``path``.

    The Store hands it from thread to thread (one at a time, under its locks), hence ``check_same_thread=False``.
    """
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    try:
        configure(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def read_only(path: Path | str) -> sqlite3.Connection:
    """A connection that can change nothing: not the file, and not its WAL (a read-write one, closing last, would
    checkpoint the WAL into the file: wrong for a damaged collection, whose WAL must be kept as it is).

    To a WAL database it leaves an empty ``-wal`` and a ``-shm`` behind; see ``remove_side_files``.
    """
    return sqlite3.connect(file_uri(path, mode="ro"), uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)


def side_files(path: Path | str) -> set[Path]:
    """The ``-wal`` and ``-shm`` files beside ``path`` that exist now."""
    return {side for side in (Path(f"{path}-wal"), Path(f"{path}-shm")) if side.exists()}


def remove_side_files(path: Path | str, existed: set[Path]) -> None:
    """Remove the ``-wal`` and ``-shm`` a read-only look at a database we refuse left beside it, if they hold nothing."""
    made = side_files(path) - existed
    wal = Path(f"{path}-wal")
    if made and (not wal.exists() or wal.stat().st_size == 0):
        for side in made:
            side.unlink(missing_ok=True)


def configure(conn: sqlite3.Connection) -> None:
    """The per-connection settings (see the module docstring)."""
    conn.isolation_level = None  # we issue BEGIN ourselves
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    # FULL: an answer is on disk when the commit returns, even across a power cut.
    conn.execute("PRAGMA synchronous = FULL")


def ensure_wal(conn: sqlite3.Connection) -> None:
    """Put the file in WAL mode (persistent: readers never block the writer, nor the writer readers)."""
    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
