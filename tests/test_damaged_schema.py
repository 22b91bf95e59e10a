"""A schema damaged so that SQLite's own message quotes bytes that are not text: named as damage, never a crash."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from srs.storage import open_store
from srs.storage.backup import collection_problem, make_backup
from srs.storage.failures import UNREADABLE_SCHEMA, explain, integrity_failure
from srs.storage.maintenance_store import integrity_problems


def damaged_collection(tmp_path: Path) -> tuple[Path, Path]:
    """A collection whose schema ends in a byte that is not UTF-8 (SQLite quotes it when it refuses the schema), and a
    backup made before."""
    path = tmp_path / "srs.db"
    open_store(path).close()
    backup = make_backup(path, "manual")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = 'CREATE TABLE quiz (id INTEGER PRIMARY KEY) ' || CAST(x'ff' AS TEXT) WHERE name = 'quiz'")
    conn.commit()
    conn.close()
    return path, backup


def test_the_checks_call_it_damage(tmp_path) -> None:
    path, backup = damaged_collection(tmp_path)
    assert integrity_failure(path) == UNREADABLE_SCHEMA
    assert f"srs restore {backup}" in explain(sqlite3.DatabaseError("x"), path)
    assert collection_problem(path) == f"damaged: {UNREADABLE_SCHEMA}"
    conn = sqlite3.connect(path)
    try:
        assert integrity_problems(conn) == [UNREADABLE_SCHEMA]
    finally:
        conn.close()


def test_a_command_on_it_names_the_damage_and_the_backup(tmp_path) -> None:
    path, backup = damaged_collection(tmp_path)
    result = subprocess.run([sys.executable, "-m", "srs", "--db", str(path), "due"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "is damaged" in result.stderr and f"srs restore {backup}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "could not write the output" not in result.stderr


def test_a_record_claiming_an_impossible_size_is_damage(tmp_path, monkeypatch) -> None:
    """SQLite's integrity check stops with SQLITE_TOOBIG on a record whose header claims a size no value can have
    (seen once in ~600 collections with random bytes written over part of every other 2 KB page)."""
    from srs.storage import failures

    class Refusing:
        def execute(self, sql: str):
            error = sqlite3.DatabaseError("string or blob too big")
            error.sqlite_errorcode = 18  # SQLITE_TOOBIG
            raise error

        def close(self) -> None:
            pass

    monkeypatch.setattr(failures, "read_only", lambda path: Refusing())
    assert failures.integrity_failure(tmp_path / "srs.db") == "string or blob too big"
