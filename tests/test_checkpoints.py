"""Checkpoints put off the answer path: the review screen copies the WAL into the database file when writing pauses."""

from __future__ import annotations

from pathlib import Path

from srs.storage import db, open_store


def write_pages(store, count: int) -> None:
    """Commits that together write about ``count`` pages (one row of ~a page each)."""
    with store.write() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS filler (x BLOB)")
    for _ in range(count):
        with store.write() as conn:
            conn.execute("INSERT INTO filler VALUES (zeroblob(1500))")


def test_deferred_writes_leave_the_wal_to_checkpoint_if_due(tmp_path) -> None:
    path = tmp_path / "srs.db"
    store = open_store(path)
    store.defer_checkpoints()
    write_pages(store, 1300)
    grown = Path(f"{path}-wal").stat().st_size
    assert grown > db.CHECKPOINT_PAGES * 2048  # SQLite's own checkpoint would have kept it near 1000 pages
    assert store.checkpoint_if_due()
    write_pages(store, 5)  # the next writes start the WAL over: it no longer grows
    assert Path(f"{path}-wal").stat().st_size == grown
    assert not store.checkpoint_if_due()  # only a few pages since: not due
    store.close()


def test_without_deferring_sqlite_checkpoints_by_itself(tmp_path) -> None:
    path = tmp_path / "srs.db"
    store = open_store(path)
    write_pages(store, 1300)
    assert Path(f"{path}-wal").stat().st_size < 1100 * (2048 + 24)  # started over at its 1000th page
    store.close()


def test_a_new_write_connection_keeps_checkpoints_deferred(tmp_path) -> None:
    path = tmp_path / "srs.db"
    store = open_store(path)
    store.defer_checkpoints()
    store._drop_writer()  # as after a failed rollback: the next write opens a fresh connection
    write_pages(store, 1300)
    assert Path(f"{path}-wal").stat().st_size > db.CHECKPOINT_PAGES * 2048
    store.close()


def test_a_checkpoint_never_waits_for_a_reader(tmp_path) -> None:
    path = tmp_path / "srs.db"
    store = open_store(path)
    store.defer_checkpoints()
    write_pages(store, 1100)
    with store.read() as conn:  # a reader's snapshot: the passive checkpoint copies what it can and returns
        conn.execute("SELECT count(*) FROM filler").fetchone()
        write_pages(store, 20)
        assert store.checkpoint_if_due()
    store.close()


def test_pages_waiting_are_read_from_the_wal_index(tmp_path) -> None:
    path = tmp_path / "srs.db"
    assert db.wal_pages_waiting(path) == 0  # no collection, no WAL: nothing waits
    store = open_store(path)
    store.defer_checkpoints()
    write_pages(store, 1200)
    assert db.wal_pages_waiting(path) >= 1200
    store.checkpoint_if_due()
    assert db.wal_pages_waiting(path) == 0
    write_pages(store, 3)
    assert 3 <= db.wal_pages_waiting(path) < 20
    store.close()
