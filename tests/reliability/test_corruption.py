"""Damaged files: corrupt bytes, a truncated file, a missing -wal. Refused or recovered, never made worse."""

from __future__ import annotations

import os
import shutil

import pytest

from srs.doctor import examine
from srs.errors import DatabaseError
from srs.storage import open_store
from srs.storage.backup import make_backup
from tests.reliability.helpers import checkpoint, cli, make_collection


def test_corrupt_pages_are_reported_with_the_backup_to_restore(tmp_path) -> None:
    db = make_collection(tmp_path, cards=300)
    checkpoint(db)
    backup = make_backup(db, "manual")
    data = bytearray(db.read_bytes())
    for offset in range(4096 * 2, len(data) - 4096, 4096):
        data[offset + 100 : offset + 400] = os.urandom(300)  # scribble over every page but the first
    db.write_bytes(bytes(data))
    damaged = db.read_bytes()
    result = cli(db, "due")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert str(backup) in result.stderr or "srs restore" in result.stderr or "not a usable" in result.stderr
    doctor = cli(db, "doctor")
    assert doctor.returncode == 1 and "Traceback" not in doctor.stderr and "srs restore" in doctor.stderr
    assert db.read_bytes() == damaged  # never made worse
    restored = cli(db, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert cli(db, "doctor").returncode == 0


def test_truncated_file_is_refused_and_left_alone(tmp_path) -> None:
    db = make_collection(tmp_path, cards=300)
    checkpoint(db)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])
    before = db.read_bytes()
    result = cli(db, "due")
    assert result.returncode == 1 and "Traceback" not in result.stderr and "srs: error:" in result.stderr
    assert db.read_bytes() == before


def test_header_garbage_is_refused(tmp_path) -> None:
    db = tmp_path / "x.db"
    db.write_bytes(b"\x00" * 8192)
    with pytest.raises(DatabaseError):
        open_store(db)
    assert db.read_bytes() == b"\x00" * 8192


def test_missing_wal_loses_only_uncheckpointed_data_and_stays_consistent(tmp_path) -> None:
    db = make_collection(tmp_path, cards=10)
    checkpoint(db)
    kept = tmp_path / "copy.db"
    shutil.copy(db, kept)
    cli(db, "answer", "c0", "good")  # lives in the -wal until a checkpoint
    shutil.copy(db, tmp_path / "main-only.db")  # the main file without its -wal
    store = open_store(tmp_path / "main-only.db")
    try:
        report = examine(store)
        with store.read() as conn:
            reviews = conn.execute("SELECT count(*) FROM review").fetchone()[0]
    finally:
        store.close()
    assert report.integrity == [] and [f for f in report.findings if f.severity == "error"] == []
    assert reviews in (0, 1)
