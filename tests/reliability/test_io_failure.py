"""An error injected at the Nth SQLite statement of a sync or an answer, for every N: a clear error, a full rollback."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from srs.decks import sync_paths
from srs.model import Rating
from srs.review import answer, find_card
from srs.storage import open_store
from tests.conftest import T0, simple_deck


class Injector:
    """Fails the Nth SQL statement executed on any connection (or just counts them)."""

    def __init__(self) -> None:
        self.fail_at: int | None = None
        self.count = 0

    def check(self, sql: str) -> None:
        if sql.strip().upper().startswith("ROLLBACK"):
            return  # the point is the rollback: it must stay possible
        self.count += 1
        if self.fail_at is not None and self.count == self.fail_at:
            raise sqlite3.OperationalError(f"disk I/O error (injected at statement {self.count})")


@pytest.fixture
def injector(monkeypatch) -> Injector:
    injector = Injector()

    class Cursor(sqlite3.Cursor):
        def execute(self, sql, *args):
            injector.check(sql)
            return super().execute(sql, *args)

        def executemany(self, sql, *args):
            injector.check(sql)
            return super().executemany(sql, *args)

    class Connection(sqlite3.Connection):
        def cursor(self, factory=Cursor):
            return super().cursor(factory)

        def execute(self, sql, *args):
            return self.cursor().execute(sql, *args)

        def executemany(self, sql, *args):
            return self.cursor().executemany(sql, *args)

    original = sqlite3.connect

    def connect(*args, **kwargs):
        kwargs.setdefault("factory", Connection)
        return original(*args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)
    monkeypatch.setattr(sqlite3.dbapi2, "connect", connect)  # what SQLAlchemy's pysqlite dialect calls
    return injector


def snapshot(path) -> list:
    conn = sqlite3.connect(path)
    try:
        return [conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in ("deck", "card", "review", "sync_file", "setting")]
    finally:
        conn.close()


def run_with_failures(action, path, injector: Injector) -> int:
    """Fail statement 1, then 2, ... of ``action`` until it runs past every statement; return how many failed.

    After each injected failure the DB must be exactly as before: no partial rows.
    """
    before = snapshot(path)
    n = 0
    while True:
        n += 1
        _reset(path, before)
        injector.count, injector.fail_at = 0, n
        try:
            action()
        except Exception as caught:  # the library lets SQLite's error through, wrapped or not
            assert "injected at statement" in str(caught), caught
            injector.fail_at = None
            assert snapshot(path) == before, f"partial rows left after a failure at statement {n}"
            continue
        injector.fail_at = None
        return n - 1


def _reset(path, tables) -> None:
    """Put the DB back to ``tables`` (after the probe run changed it)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        for name, rows in zip(("review", "card", "deck", "sync_file", "setting"), (tables[2], tables[1], tables[0], tables[3], tables[4])):
            conn.execute(f"DELETE FROM {name}")
        for name, rows in zip(("deck", "card", "review", "sync_file", "setting"), tables):
            if rows:
                conn.executemany(f"INSERT INTO {name} VALUES ({','.join('?' * len(rows[0]))})", rows)
        conn.execute("COMMIT")
    finally:
        conn.close()


def test_sync_fails_cleanly_at_every_statement(tmp_path, write_deck, injector) -> None:
    store = open_store(tmp_path / "srs.db")
    path = write_deck("a.yaml", simple_deck(3))
    sync_paths(store, [path], now=T0)
    write_deck("a.yaml", simple_deck(4).replace("Answer 1", "Edited"))
    store.close()
    store = open_store(tmp_path / "srs.db")
    try:
        checks = run_with_failures(lambda: sync_paths(store, [path], now=T0, force=True), store.path, injector)
    finally:
        store.close()
    assert checks > 5


def test_answer_fails_cleanly_at_every_statement(tmp_path, write_deck, injector) -> None:
    store = open_store(tmp_path / "srs.db")
    sync_paths(store, [write_deck("a.yaml", simple_deck(2))], now=T0)
    card_id = find_card(store, "c0").id
    answer(store, card_id, Rating.GOOD, T0)
    try:
        checks = run_with_failures(lambda: answer(store, card_id, Rating.AGAIN, T0 + timedelta(minutes=10)), store.path, injector)
    finally:
        store.close()
    assert checks > 3
