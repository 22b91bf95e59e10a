"""The store: schema matches the models, migrations, refusal of newer or broken files, aware datetimes."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest
from sqlmodel import SQLModel

from srs.errors import DatabaseError
from srs.storage import open_store
from srs.storage.backup import list_backups
from srs.storage.migrations import LATEST_VERSION, MIGRATIONS
from srs.storage.timecodec import from_us, to_us


def test_migrated_schema_has_exactly_the_model_columns(store) -> None:
    conn = sqlite3.connect(store.path)
    try:
        for table in SQLModel.metadata.sorted_tables:
            actual = {row[1]: (row[2], bool(row[3])) for row in conn.execute(f"PRAGMA table_info({table.name})")}
            assert set(actual) == {c.name for c in table.columns}, table.name
    finally:
        conn.close()


def test_pragmas(store) -> None:
    with store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA user_version").scalar() == LATEST_VERSION


def test_migration_from_v1_keeps_data_and_backs_up_first(tmp_path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO deck (id, name) VALUES (1, 'Kept')")
    conn.close()
    store = open_store(path)
    try:
        assert store.migrated_from == 1 and not store.created
        with store.read() as c:
            assert c.exec_driver_sql("SELECT name FROM deck").scalar() == "Kept"
            assert c.exec_driver_sql("SELECT count(*) FROM sync_file").scalar() == 0
    finally:
        store.close()
    backups = list_backups(path)
    assert len(backups) == 1 and "before-migration-v1" in backups[0].name
    copy = sqlite3.connect(backups[0])
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
    copy.close()


def test_cards_from_before_v9_are_dated_when_migrated(tmp_path) -> None:
    # Their content may have changed since the last Anki export, so an export after the upgrade must update them once.
    path = tmp_path / "v8.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for step in MIGRATIONS[:8]:
        step(conn)
    conn.execute("PRAGMA user_version = 8")
    conn.execute("INSERT INTO deck (id, name) VALUES (1, 'D')")
    conn.execute(
        "INSERT INTO card (uid, deck_id, origin, line, position, front, back, content_hash, created_at) "
        "VALUES ('a', 1, 'd.yaml', 1, 0, 'Q', 'A', 'h', 0)"
    )
    conn.close()
    before = datetime.now(timezone.utc).replace(microsecond=0)
    store = open_store(path)
    try:
        with store.read() as c:
            stamp = from_us(c.exec_driver_sql("SELECT content_changed_at FROM card").scalar())
    finally:
        store.close()
    assert before <= stamp <= datetime.now(timezone.utc)


def test_newer_schema_is_refused_and_left_untouched(tmp_path) -> None:
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="written by a newer srs"):
        open_store(path)
    assert path.read_bytes() == before and not (tmp_path / "new.db-wal").exists()


def test_garbage_file_is_refused_with_a_clear_message(tmp_path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match="not a usable srs database"):
        open_store(path)
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_datetimes_round_trip_aware_utc() -> None:
    moment = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=timezone.utc)
    assert from_us(to_us(moment)) == moment and from_us(to_us(moment)).tzinfo == timezone.utc
    with pytest.raises(ValueError):
        to_us(datetime(2026, 1, 1))


def test_core_imports_no_ui_libraries() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import srs.review, srs.decks, srs.overview, srs.settings, srs.scheduling, srs.storage\n"
        "bad = [m for m in ('textual', 'rich', 'typer') if m in sys.modules]\nprint(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""
