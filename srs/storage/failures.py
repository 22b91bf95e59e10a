"""What to tell a user when SQLite fails on their collection: the real cause, and what to do about it.

A full disk, a read-only file or folder, a busy collection: the collection is fine, and restoring a backup
would only lose the answers given since. A backup is recommended only when SQLite's integrity check says
the file itself is damaged.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from srs.storage.connection import read_only

# SQLite's primary result codes (the low byte of an extended code).
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _TOOBIG, _AUTH, _NOTADB = 3, 5, 6, 8, 10, 11, 13, 14, 18, 23, 26


def restore_hint(path: Path) -> str:
    """The sentence that names the newest backup of ``path`` and the command that restores it."""
    from srs.storage.backup import newest_backup  # here: srs review's first card does not need the backup module

    backup = newest_backup(path)
    if backup is None:
        return "No backup of it exists."
    return f"The newest backup is {backup}; restore it with: srs restore {backup}"


def is_damage(exc: sqlite3.Error) -> bool:
    """Whether SQLite itself says the file is not a (sound) database."""
    return _primary_code(exc) in (_CORRUPT, _NOTADB)


# Python's sqlite3 raises UnicodeDecodeError, not DatabaseError, when SQLite's message quotes bytes that are not
# UTF-8: a damaged schema ("malformed database schema (...)" with the garbage in it) does that.
UNREADABLE_SCHEMA = "SQLite's report on the file is not text: its schema is damaged"


def integrity_failure(path: Path) -> str | None:
    """The first problem ``PRAGMA integrity_check`` finds in the file at ``path``; "" if it is sound, None if it cannot be checked."""
    try:
        conn = read_only(path)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("PRAGMA integrity_check(1)").fetchone()
    except sqlite3.DatabaseError as exc:
        # TOOBIG: a record of the file claims a size no value can have (anywhere else it may be a real value's size)
        return str(exc) if is_damage(exc) or _primary_code(exc) == _TOOBIG else None
    except UnicodeDecodeError:
        return UNREADABLE_SCHEMA
    finally:
        conn.close()
    return "" if row is None or row[0] == "ok" else row[0]


def explain(exc: sqlite3.Error, path: Path) -> str:
    """One message for a failure of SQLite on the collection at ``path``: cause first, then what to do."""
    code = _primary_code(exc)
    if code in (_BUSY, _LOCKED):
        return f"the collection is busy in another process for too long ({exc}); try again"
    if code == _FULL:
        return f"the disk holding {path} is full ({exc}). Nothing was changed: free some space and run the command again"
    if code in (_READONLY, _PERM, _AUTH, _CANTOPEN):
        beside = f"SQLite writes the file and keeps {path.name}-wal and {path.name}-shm beside it"
        unwritable = _unwritable(path)
        if unwritable:
            return f"{path} cannot be used: {unwritable} ({exc}). The collection itself is fine; {beside}, so make that writable"
        if code == _CANTOPEN:
            return f"cannot open {path} ({exc}): check that its folder exists and that you may read and write the file and its folder ({beside})"
        return f"{path} cannot be written ({exc}): the file or its folder is read-only or belongs to someone else ({beside})"
    damage = integrity_failure(path)
    if damage:
        return f"{path} is damaged ({exc}; integrity check: {damage}). {restore_hint(path)}"
    checked = "it passed its integrity check, so it is not damaged" if damage == "" else "its integrity could not be checked"
    if code == _IOERR:
        return f"the disk failed to read or write {path} ({exc}); {checked}. Try again, and check the disk"
    return f"the collection {path} could not be read or written ({exc}); {checked}. 'srs doctor' tells more"


def _unwritable(path: Path) -> str | None:
    """What stops writing at ``path``: the file or its folder read-only (mode, owner or a read-only mount)."""
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is read-only"
    if path.parent.is_dir() and not os.access(path.parent, os.W_OK | os.X_OK):
        return f"its folder {path.parent} is read-only"
    return None


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF
