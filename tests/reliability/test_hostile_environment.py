"""A hostile environment around the CLI: odd file names, a `backups` file, a broken TZ, a clock past
2107, output to a full disk or a closed pipe, an ASCII-only terminal, absurd simulations.

Each case once ended in a traceback (or, for `srs answer`, in exit status 1 after the answer was
saved, so a script would answer twice). Each runs `srs` as a user would, in a subprocess.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from exporters.anki.export import export_anki
from srs.storage import open_store
from tests.conftest import simple_deck

DEADLINE = 120


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A collection holding the bundled decks and a small deck of our own (made once, copied per test)."""
    folder = tmp_path_factory.mktemp("template")
    (folder / "own.yaml").write_text(simple_deck(3, deck="Own", prefix="own"))
    result = srs(["sync", str(folder / "own.yaml")], folder / "srs.db")
    assert result.returncode == 0, result.stderr
    return folder / "srs.db"


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    shutil.copy(template, tmp_path / "srs.db")
    return tmp_path / "srs.db"


def srs(args: list[str], db: Path, shell_redirect: str = "", **env: str) -> subprocess.CompletedProcess:
    """``srs ARGS`` with SRS_DB=db; ``shell_redirect`` (e.g. ``>/dev/full``) is applied by a shell."""
    command = [sys.executable, "-m", "srs", *args]
    environment = {**os.environ, "SRS_DB": str(db), **env}
    if shell_redirect:
        command = ["sh", "-c", 'exec "$@" ' + shell_redirect, "sh", *command]
    return subprocess.run(command, capture_output=True, env=environment, timeout=DEADLINE)


def review_count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM review").fetchone()[0]
    finally:
        conn.close()


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")


def test_sync_refuses_a_file_name_that_is_not_utf8(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "decks"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.yaml"), "w") as handle:  # Latin-1 bytes: not UTF-8
        handle.write(simple_deck(1, deck="Bad", prefix="bad"))
    before = review_count(db), db.stat().st_size
    result = srs(["sync", str(folder)], db)
    no_traceback(result)
    assert result.returncode == 1
    assert "error: the file name is not valid UTF-8; rename the file" in result.stderr.decode()
    assert "the collection was not changed" in result.stderr.decode()


def test_a_file_named_backups_does_not_stop_commands(db: Path) -> None:
    (db.parent / "backups").write_text("not a folder")
    result = srs(["due"], db)
    no_traceback(result)
    assert result.returncode == 0 and result.stdout.startswith(b"new ")
    assert result.stderr.startswith(b"srs: warning: ") and b"backup" in result.stderr
    result = srs(["backup"], db)
    no_traceback(result)
    assert result.returncode == 1 and result.stderr.startswith(b"srs: error: ")


def test_a_time_zone_offset_of_a_day_or_more_falls_back_to_utc(db: Path) -> None:
    for args in (["due"], ["answer", "own0", "good"]):
        result = srs(args, db, TZ="UTC+99")
        no_traceback(result)
        assert result.returncode == 0, (args, result.stderr)
    assert review_count(db) == 1


def test_export_under_a_clock_past_2107_writes_a_valid_package(db: Path, tmp_path: Path) -> None:
    store = open_store(db)
    try:
        exported = export_anki(store, tmp_path / "future.apkg", deck="Own", now=datetime(2200, 6, 1, tzinfo=timezone.utc))
    finally:
        store.close()
    with zipfile.ZipFile(exported.path) as package:
        assert package.testzip() is None
        assert {info.date_time[0] for info in package.infolist()} == {2107}


@pytest.mark.parametrize("redirect", [">/dev/full", ">&-", "| true"])
def test_answer_whose_report_cannot_be_written_still_exits_0(db: Path, redirect: str) -> None:
    result = srs(["answer", "own1", "good"], db, shell_redirect=redirect)
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert review_count(db) == 1
    if redirect == ">/dev/full":
        assert b"srs: warning: the change was saved, but its report could not be written" in result.stderr


@pytest.mark.parametrize("command", [["stats"], ["due", "--json"]])
def test_output_to_a_full_disk_is_an_error_not_a_traceback(db: Path, command: list[str]) -> None:
    result = srs(command, db, shell_redirect=">/dev/full")
    no_traceback(result)
    assert result.returncode == 1
    assert result.stderr.startswith(b"srs: error: could not write the output"), result.stderr


@pytest.mark.parametrize("command", [["stats"], ["show", "own0"]])
def test_closed_stdout_and_ascii_terminals_are_no_errors(db: Path, command: list[str]) -> None:
    result = srs(command, db, shell_redirect=">&-")
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    result = srs(command, db, PYTHONIOENCODING="ascii")
    no_traceback(result)
    assert result.returncode == 0, result.stderr


def test_simulate_refuses_an_absurd_number_of_days_at_once(db: Path) -> None:
    result = srs(["simulate", "--days", "100000"], db)
    no_traceback(result)
    assert result.returncode == 1
    assert result.stderr.startswith(b"srs: error: --days must be between 1 and 3650")
