"""Backups that can be trusted: kept apart per collection, verified before they count, restored only when sound."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from srs.errors import BackupError
from srs.storage.backup import (
    backup_dir, backups, daily_backup, from_the_future, list_backups, make_backup, newest_backup, prune_backups,
)
from tests.reliability.helpers import checkpoint, cli, make_collection, review_counts


def second_collection(tmp_path, name: str):
    """Another collection in the same folder as ``make_collection``'s srs.db."""
    other = tmp_path / name
    (tmp_path / "build").mkdir()
    make_collection(tmp_path / "build", cards=5, prefix="w")
    (tmp_path / "build" / "srs.db").rename(other)
    return other


# -- item 2: one collection's backups are its own ------------------------------------------------------------


def test_collections_in_one_folder_never_prune_or_list_each_others_backups(tmp_path) -> None:
    db = make_collection(tmp_path, cards=5)
    work = second_collection(tmp_path, "srs-work.db")
    mine = [make_backup(work, "manual") for _ in range(3)]
    for _ in range(9):
        make_backup(db, "manual", keep=2)
    assert all(path.exists() for path in mine)  # srs.db's pruning left srs-work.db's copies alone
    assert list_backups(work) == mine
    assert not set(list_backups(db)) & set(mine) and len(list_backups(db)) == 2
    listing = cli(db, "restore").stdout
    assert "srs-work" not in listing and all(str(path) in listing for path in list_backups(db))


def test_backups_from_the_old_layout_are_listed_for_their_collection_only(tmp_path) -> None:
    db = make_collection(tmp_path, cards=5)
    old = tmp_path / "backups" / "srs-20260101-120000-000000-daily.db"
    old.write_bytes(make_backup(db, "manual").read_bytes())
    (tmp_path / "backups" / "srs-work-20260101-120000-000000-daily.db").write_bytes(old.read_bytes())
    assert list_backups(db)[0] == old and len(list_backups(db)) == 2
    for _ in range(3):
        make_backup(db, "manual", keep=1)
    assert old.exists()  # never pruned: it may be the only copy from before the upgrade


# -- item 3: a backup is verified before it exists; restore takes only verified srs collections -----------------

FILL_DISK = r"""
import resource, signal, sys
from pathlib import Path
from srs.storage.backup import make_backup
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    make_backup(Path(sys.argv[1]), "daily", keep=1)
except Exception as exc:
    print(type(exc).__name__, exc)
else:
    print("written")
"""


def test_a_backup_that_fails_on_a_full_disk_leaves_no_file_and_costs_no_good_backup(tmp_path) -> None:
    db = make_collection(tmp_path, cards=60)
    checkpoint(db)
    good = make_backup(db, "manual")
    size = good.stat().st_size
    for limit in (0, 4096, size // 2, size - 4096):
        run = subprocess.run([sys.executable, "-c", FILL_DISK, str(db), str(limit)], capture_output=True, text=True)
        assert run.stdout.startswith("BackupError"), (limit, run.stdout, run.stderr)
        assert sorted(p.name for p in backup_dir(db).iterdir()) == [good.name], limit  # no partial copy, no temp file
    assert newest_backup(db) == good


def test_a_collection_that_fails_verification_gets_no_backup(tmp_path) -> None:
    db = make_collection(tmp_path, cards=60)
    checkpoint(db)
    good = make_backup(db, "manual")
    data = bytearray(db.read_bytes())
    for offset in range(4096 * 2, len(data) - 4096, 4096):
        data[offset + 100 : offset + 400] = b"\xff" * 300
    db.write_bytes(bytes(data))
    with pytest.raises(BackupError) as failure:
        make_backup(db, "daily", keep=1)
    assert failure.value.damaged
    assert list_backups(db) == [good]  # and keep=1 did not prune the good copy for the damaged one


def test_empty_and_foreign_files_in_the_backup_folder_are_never_recommended_and_pruned_first(tmp_path) -> None:
    db = make_collection(tmp_path, cards=5)
    good = [make_backup(db, "manual") for _ in range(2)]
    junk = backup_dir(db) / "00009-20261231-235959-000000-daily.db"
    junk.write_bytes(b"")
    assert newest_backup(db) == good[-1]
    prune_backups(db, keep=2)
    assert not junk.exists() and all(path.exists() for path in good)


@pytest.mark.parametrize("kind", ["dev-null", "empty", "foreign-sqlite", "text", "damaged", "newer-schema"])
def test_restore_refuses_anything_but_a_verified_srs_collection(tmp_path, kind) -> None:
    db = make_collection(tmp_path, cards=60)
    checkpoint(db)
    source = tmp_path / f"{kind}.db"
    if kind == "dev-null":
        source = tmp_path / "null"
        source.symlink_to(os.devnull)
    elif kind == "empty":
        source.write_bytes(b"")
    elif kind == "foreign-sqlite":  # e.g. an Anki collection.anki2
        conn = sqlite3.connect(source)
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, flds TEXT)")
        conn.execute("CREATE TABLE cards (id INTEGER PRIMARY KEY, nid INTEGER)")
        conn.execute("PRAGMA user_version = 0")
        conn.commit()
        conn.close()
    elif kind == "text":
        source.write_text("not a database\n")
    elif kind == "damaged":
        data = bytearray(make_backup(db, "manual").read_bytes())
        for offset in range(4096 * 2, len(data) - 4096, 4096):
            data[offset + 100 : offset + 400] = b"\xff" * 300
        source.write_bytes(bytes(data))
    elif kind == "newer-schema":
        source.write_bytes(make_backup(db, "manual").read_bytes())
        conn = sqlite3.connect(source)
        conn.execute("PRAGMA user_version = 9999")
        conn.close()
    before = db.read_bytes()
    result = cli(db, "restore", str(source))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "is not a usable backup" in result.stderr
    assert db.read_bytes() == before
    assert len(review_counts(db)) == 60
    assert cli(db, "restore", str(os.devnull)).returncode == 1


def test_restore_of_a_good_backup_backs_up_the_current_collection_first(tmp_path) -> None:
    db = make_collection(tmp_path, cards=5)
    good = make_backup(db, "manual")
    assert cli(db, "answer", "c0", "good").returncode == 0
    result = cli(db, "restore", str(good))
    assert result.returncode == 0, result.stderr
    assert review_counts(db)["c0"] == 0
    before_restore = newest_backup(db)
    assert "before-restore" in before_restore.name and review_counts(before_restore)["c0"] == 1


# -- item 4: a damaged collection is moved aside with its -wal ------------------------------------------------


def test_restore_over_a_damaged_collection_keeps_its_wal_beside_it(tmp_path) -> None:
    (tmp_path / "live").mkdir()
    live = make_collection(tmp_path / "live", cards=20)
    checkpoint(live)
    good = make_backup(live, "manual")
    holder = sqlite3.connect(live)  # another open connection: the answer stays in the -wal, as after a crash
    holder.execute("SELECT count(*) FROM card").fetchone()
    assert cli(live, "answer", "c0", "good").returncode == 0
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    db = crashed / "srs.db"
    db.write_bytes(live.read_bytes())
    (crashed / "srs.db-wal").write_bytes((tmp_path / "live" / "srs.db-wal").read_bytes())
    deck_page = holder.execute("SELECT rootpage FROM sqlite_master WHERE name = 'deck'").fetchone()[0]
    page_size = holder.execute("PRAGMA page_size").fetchone()[0]
    holder.close()
    data = bytearray(db.read_bytes())
    data[(deck_page - 1) * page_size : deck_page * page_size] = b"\xff" * page_size  # the deck table is garbage
    db.write_bytes(bytes(data))
    result = cli(db, "restore", str(good))
    assert result.returncode == 0, result.stderr
    assert "damaged" in result.stdout
    aside = next(crashed.glob("srs.db.damaged-*[0-9]"))
    assert (crashed / f"{aside.name}-wal").stat().st_size > 0 and not (crashed / "srs.db-wal").exists()
    conn = sqlite3.connect(aside)  # the committed answer is still there, in the -wal beside the moved file
    assert conn.execute("SELECT count(*) FROM review").fetchone()[0] == 1
    conn.close()
    assert review_counts(db)["c0"] == 0 and cli(db, "doctor").returncode == 0


# -- item 10: a backup is as private as its collection --------------------------------------------------------


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_backups_keep_the_collection_file_mode(tmp_path, mode) -> None:
    db = make_collection(tmp_path, cards=5)
    os.chmod(db, mode)
    previous = os.umask(0o022)
    try:
        copy = make_backup(db, "manual")
    finally:
        os.umask(previous)
    assert copy.stat().st_mode & 0o7777 == mode


# -- item 8: a clock that was wrong while a backup was made does not stick -------------------------------------


def test_a_backup_made_under_a_clock_in_2100_does_not_stop_daily_backups_or_outlive_newer_ones(tmp_path) -> None:
    db = make_collection(tmp_path, cards=5)
    future = datetime(2100, 1, 1, 12, 0)
    wrong = make_backup(db, "daily", now=future)
    os.utime(wrong, (future.timestamp(), future.timestamp()))  # what the wrong clock did to the file, too
    listing = cli(db, "restore").stdout
    assert "dated in the future" in listing
    fresh = daily_backup(db, keep=3)
    assert fresh is not None and daily_backup(db, keep=3) is None  # a day's copy again, and only one
    newer = [make_backup(db, "manual", keep=3) for _ in range(3)]
    assert list_backups(db) == newer  # the 2100 copy aged out like any other
    assert newest_backup(db) == newer[-1]


def test_a_backup_made_under_a_clock_set_back_is_still_the_newest(tmp_path) -> None:
    db = make_collection(tmp_path, cards=5)
    for _ in range(3):
        make_backup(db, "manual", keep=3)
    past = make_backup(db, "manual", keep=3, now=datetime.now() - timedelta(days=3650))
    assert past.exists() and newest_backup(db) == past


def test_a_backup_stamped_before_the_clocks_went_back_an_hour_is_todays_not_the_futures(tmp_path) -> None:
    db = make_collection(tmp_path, cards=5)
    make_backup(db, "daily", now=datetime.now() + timedelta(minutes=50))  # names carry local time
    assert daily_backup(db) is None
    assert not any(from_the_future(item) for item in backups(db))
