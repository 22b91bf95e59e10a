"""Indexes and triggers set aside for the length of one bulk write, then made again from their own DDL.

SQLite's DDL is transactional: used inside the caller's write transaction, a crash or an error before the commit
leaves every index and trigger as it was, and no other connection ever sees the schema without them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def schema_objects_deferred(raw: sqlite3.Connection, kind: str, names: tuple[str, ...], defer: bool = True) -> Iterator[None]:
    """Drop the named objects of ``kind`` ('index' or 'trigger'), run the body, and create them again on leaving.

    An object that fails to come back (a unique index over rows that are no longer unique) fails the statement, and
    with it the caller's transaction. On an error inside the body nothing is made again: the rollback restores it.
    """
    if not defer:
        yield
        return
    marks = ",".join("?" * len(names))
    ddl = raw.execute(f"SELECT name, sql FROM sqlite_master WHERE type = ? AND name IN ({marks}) ORDER BY name", (kind, *names)).fetchall()
    for name, _sql in ddl:
        raw.execute(f"DROP {kind.upper()} {name}")
    yield
    for _name, sql in ddl:
        raw.execute(sql)
