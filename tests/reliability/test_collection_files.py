"""The collection file itself: any legal name, foreign databases refused, and the real cause when the disk says no.

Read-only files and full disks are produced by SQLite itself, so the errors carry SQLite's real codes: a
connection opened read-only (as SQLite does with a file it may not write), and ``PRAGMA max_page_count``
(SQLite's SQLITE_FULL, as from a full disk). Tests run as root, where file modes do not stop a write.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from srs.decks import sync_paths
from srs.errors import DatabaseError
from srs.model import Rating
from srs.review import answer, find_card
from srs.storage import open_store
from srs.storage.backup import list_backups, make_backup, restore_backup
from srs.storage.db import check_readable
from srs.storage.failures import explain
from srs.storage.migrations import LATEST_VERSION
from tests.conftest import T0, simple_deck
from tests.reliability.helpers import integrity, make_collection, review_counts

# Runs the CLI with a fault put into the connection layer: {setup} patches srs.storage before main().
CLI_WITH_FAULT = """
import sqlite3, sys
from srs.storage import connection, db
{setup}
from srs.cli import main
sys.argv = ["srs", *sys.argv[1:]]
main()
"""

READ_ONLY = """
def read_only(path):
    conn = sqlite3.connect(connection.file_uri(path, mode="ro"), uri=True, isolation_level=None, check_same_thread=False)
    connection.configure(conn)
    return conn
db.connect = read_only
"""

DISK_FULL = """
configure = connection.configure
def no_room(conn):
    configure(conn)
    conn.execute("PRAGMA max_page_count = 1")  # SQLite raises it to the current size: the file cannot grow
connection.configure = no_room
"""


def cli(db: Path, *args: str, fault: str = "") -> subprocess.CompletedProcess:
    code = CLI_WITH_FAULT.format(setup=fault)
    return subprocess.run([sys.executable, "-c", code, *args, "--db", str(db)], capture_output=True, text=True)


def table_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    finally:
        conn.close()


# --- 1. any legal file name: '#', '?' and '%XX' are not URI syntax here ---

NAMES = ["a#b", "what?mode=rwc", "50%41off", "x?y#z%2e"]


@pytest.mark.parametrize("name", NAMES)
def test_a_collection_under_any_legal_name_opens_backs_up_and_restores(tmp_path, name) -> None:
    folder = tmp_path / name
    path = folder / f"srs-{name}.db"
    deck = tmp_path / "deck.yaml"
    deck.write_text(simple_deck(3))
    with open_store(path) as store:
        sync_paths(store, [deck], now=T0)
        answer(store, find_card(store, "c0").id, Rating.GOOD, T0)
    assert check_readable(path) == LATEST_VERSION
    backup = make_backup(path, "manual")
    assert table_count(backup) == table_count(path) > 0 and review_counts(backup)["c0"] == 1
    restored = tmp_path / "restored.db"
    restore_backup(backup, restored)
    assert review_counts(restored)["c0"] == 1
    # Nothing was made anywhere else: no stray file cut at '#' or '?', none named by a decoded '%41'.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "deck.yaml", "restored.db"])
    assert {p.name for p in folder.iterdir()} <= {path.name, f"{path.name}-wal", f"{path.name}-shm", "backups"}


def test_the_cli_works_on_a_collection_named_with_uri_characters(tmp_path) -> None:
    path = tmp_path / "my#cards?v=1%20.db"
    assert cli(path, "due").returncode == 0
    first = cli(path, "backup")
    assert first.returncode == 0, first.stderr
    assert table_count(list_backups(path)[-1]) == table_count(path) > 0
    assert cli(path, "doctor").returncode == 0


# --- 7. a database srs did not make is refused and left untouched ---


def _anki_collection(path: Path) -> Path:
    from anki.collection import Collection

    Collection(str(path)).close()
    return path


def _foreign_sqlite(path: Path, version: int) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('mine')")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    return path


FOREIGN = {
    "anki collection.anki2": lambda tmp: _anki_collection(tmp / "collection.anki2"),
    "foreign db at version 0": lambda tmp: _foreign_sqlite(tmp / "notes.db", 0),
    "foreign db at an srs version": lambda tmp: _foreign_sqlite(tmp / "notes.db", 3),
}


@pytest.mark.parametrize("case", sorted(FOREIGN))
def test_a_foreign_database_is_refused_untouched(tmp_path, case) -> None:
    path = FOREIGN[case](tmp_path)
    before, files = path.read_bytes(), sorted(tmp_path.iterdir())
    with pytest.raises(DatabaseError, match="not an srs collection"):
        open_store(path)
    result = cli(path, "due")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "not an srs collection" in result.stderr and "left it untouched" in result.stderr
    assert path.read_bytes() == before
    assert sorted(tmp_path.iterdir()) == files  # no backup made, no -wal or -shm of ours


def test_an_empty_sqlite_file_becomes_a_collection(tmp_path) -> None:
    path = tmp_path / "empty.db"
    conn = sqlite3.connect(path)
    conn.execute("VACUUM")  # writes the header: a valid database with nothing in it
    conn.close()
    assert path.stat().st_size > 0
    with open_store(path) as store:
        assert store.created
    assert table_count(path) == table_count(make_collection(tmp_path)) > 0


# --- 17. the real cause, and a backup recommended only for a damaged file ---


def test_a_full_disk_is_named_and_no_restore_is_suggested(tmp_path) -> None:
    db = make_collection(tmp_path, cards=5)
    make_backup(db, "manual")  # a backup exists: the old message pointed at it
    big = tmp_path / "big.yaml"
    big.write_text(simple_deck(400, prefix="big"))
    before = review_counts(db)
    result = cli(db, "sync", str(big), fault=DISK_FULL)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "is full" in result.stderr and "srs restore" not in result.stderr
    assert review_counts(db) == before and integrity(db) == "ok"


def test_a_read_only_collection_is_named_and_still_studied(tmp_path) -> None:
    db = make_collection(tmp_path, cards=5)
    make_backup(db, "manual")
    due = cli(db, "due", fault=READ_ONLY)
    assert due.returncode == 0 and "c0" in due.stdout, due.stderr
    result = cli(db, "answer", "c0", "good", fault=READ_ONLY)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "read-only" in result.stderr and "srs restore" not in result.stderr
    assert review_counts(db)["c0"] == 0


def test_an_unwritable_backups_folder_does_not_block_due(tmp_path) -> None:
    db = make_collection(tmp_path, cards=5)
    (tmp_path / "backups").write_text("not a folder")  # mkdir fails here even for root
    result = cli(db, "due")
    assert result.returncode == 0, result.stderr
    assert "c0" in result.stdout and "warning" in result.stderr and "backups" in result.stderr


def test_restore_is_suggested_only_when_the_integrity_check_fails(tmp_path) -> None:
    db = make_collection(tmp_path, cards=300)
    backup = make_backup(db, "manual")
    error = sqlite3.OperationalError("something went wrong")
    healthy = explain(error, db)
    assert "srs restore" not in healthy and "integrity check" in healthy
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    for offset in range(4096 * 2, len(data) - 4096, 4096):
        data[offset + 100 : offset + 400] = os.urandom(300)
    db.write_bytes(bytes(data))
    assert f"srs restore {backup}" in explain(error, db)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a file system needs root (CI and make test here run as root)")
def test_a_collection_on_a_read_only_mount_names_the_cause(tmp_path) -> None:
    # A real read-only file system: a tmpfs remounted read-only under the collection.
    mount = tmp_path / "mnt"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True, capture_output=True)
    try:
        db = make_collection(mount, cards=5)
        make_backup(db, "manual")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        due = cli(db, "due")  # reads work when SQLite finds its -shm beside the file; else the cause is named
        assert "Traceback" not in due.stderr and (due.returncode == 0 or "read-only" in due.stderr), due.stderr
        result = cli(db, "answer", "c0", "good")
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert "read-only" in result.stderr and "srs restore" not in result.stderr, result.stderr
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)
