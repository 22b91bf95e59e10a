"""A sync that adds many cards sets their per-row insert triggers aside and does the triggers' work once."""

from __future__ import annotations

import sqlite3

import pytest

from srs.decks import sync_paths
from srs.storage import open_store, sync_store
from tests.conftest import T0, simple_deck


def _triggers(store) -> list[tuple]:
    with store.read() as conn:
        return conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall()


def _rows(n: int, origin: str, prefix: str = "n") -> list[tuple]:
    """Content rows as sync builds them: CONTENT_COLUMNS, then content_changed_at, uid, created_at."""
    values = {"deck_id": 1, "origin": origin, "position": 0, "tags": "", "difficulty": None, "draft": 0, "content_hash": "h",
              "front": "Q", "back": "A", "extra": "", "sources": ""}
    return [(*((values | {"line": i})[c] for c in sync_store.CONTENT_COLUMNS), 0, f"{prefix}{i}", 0) for i in range(n)]


def _collection_with_state(path) -> object:
    """Two synced files with recorded digests and, one above the last card, a note left behind outside srs."""
    store = open_store(path)
    with store.write() as conn:
        conn.execute("INSERT INTO deck (id, name) VALUES (1, 'D')")
        sync_store.insert_content_rows(conn, _rows(2, "x.yaml", "old"))
        conn.execute("INSERT INTO sync_file (path, digest, synced_at) VALUES ('x.yaml', 'dx', 0), ('y.yaml', 'dy', 0)")
        conn.execute("INSERT INTO export_note (card_id, guid, flds, tags, mod) VALUES ((SELECT max(id) + 1 FROM card), 'g', 'f', '', 0)")
    return store


def _dump(store) -> dict[str, list[tuple]]:
    with store.read() as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("card", "card_text", "sync_file", "export_note", "export_note_epoch")
        }


def test_bulk_and_row_by_row_inserts_leave_the_same_collection(tmp_path, monkeypatch) -> None:
    dumps = []
    for bulk_from in (10**9, 1):
        monkeypatch.setattr(sync_store, "BULK_INSERT", bulk_from)
        store = _collection_with_state(tmp_path / f"{bulk_from}.db")
        with store.write() as conn:
            sync_store.insert_content_rows(conn, _rows(3, "x.yaml"))
        dumps.append(_dump(store))
        store.close()
    row_by_row, bulk = dumps
    assert bulk == row_by_row
    assert dict((path, digest) for path, digest, *_ in bulk["sync_file"]) == {"x.yaml": "", "y.yaml": "dy"}
    assert bulk["export_note"] == [] and bulk["export_note_epoch"][0][1] == 1
    assert len(bulk["card_text"]) == 5


def test_a_bulk_sync_puts_its_triggers_back(store, write_deck, monkeypatch) -> None:
    monkeypatch.setattr(sync_store, "BULK_INSERT", 2)
    triggers = _triggers(store)
    assert {name for name, _sql in triggers} >= set(sync_store.INSERT_TRIGGERS)
    path = write_deck("a.yaml", simple_deck(3))
    assert len(sync_paths(store, [path], now=T0).added) == 3
    assert _triggers(store) == triggers
    assert sync_paths(store, [path], now=T0).skipped_files == 1  # its digest was recorded after the inserts


def test_a_failed_bulk_insert_changes_nothing(store, monkeypatch) -> None:
    monkeypatch.setattr(sync_store, "BULK_INSERT", 1)
    with store.write() as conn:
        conn.execute("INSERT INTO deck (id, name) VALUES (1, 'D')")
        sync_store.insert_content_rows(conn, _rows(2, "x.yaml"))
    before, triggers = _dump(store), _triggers(store)
    with pytest.raises(sqlite3.IntegrityError):
        with store.write() as conn:
            sync_store.insert_content_rows(conn, _rows(3, "x.yaml"))  # n0 and n1 are taken
    assert _dump(store) == before
    assert _triggers(store) == triggers
