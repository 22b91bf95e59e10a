"""A clock in 2100 during one export or sync: its dates are clamped afterwards, said so, and later edits reach Anki."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from srs.exporters import export_anki
from srs.decks import sync_paths
from srs.storage import open_store
from tests.conftest import simple_deck

FUTURE = datetime(2100, 1, 1, 12, 0, tzinfo=timezone.utc)
REAL = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)


def package_mods(path: Path) -> list[int]:
    with zipfile.ZipFile(path) as archive:
        data = archive.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    db.deserialize(data)
    mods = [row[0] for row in db.execute("SELECT mod FROM notes ORDER BY sfld")]
    db.close()
    return mods


def edit_first_card(deck: Path) -> None:
    deck.write_text(deck.read_text().replace("Answer 0\n", "Answer zero\n", 1))


def test_one_export_under_a_clock_in_2100_does_not_freeze_note_dates(tmp_path) -> None:
    deck = tmp_path / "d.yaml"
    deck.write_text(simple_deck(3))
    store = open_store(tmp_path / "srs.db")
    try:
        sync_paths(store, [deck], now=REAL - timedelta(days=1))
        wrong = export_anki(store, tmp_path / "wrong.apkg", now=FUTURE)  # the renderer is first used "in 2100"
        assert wrong.redated == 0
        right = export_anki(store, tmp_path / "right.apkg", now=REAL)
        assert max(package_mods(right.path)) <= REAL.timestamp()
        assert right.redated == 1  # the renderer's date, said so
        assert export_anki(store, tmp_path / "again.apkg", now=REAL + timedelta(minutes=5)).redated == 0  # clamped for good
        edit_first_card(deck)
        sync_paths(store, [deck], now=REAL + timedelta(hours=1))
        mods = package_mods(export_anki(store, tmp_path / "edited.apkg", now=REAL + timedelta(hours=2)).path)
        assert mods[0] == int((REAL + timedelta(hours=1)).timestamp()) > max(mods[1:])  # the edit is the newest note
    finally:
        store.close()


def test_a_sync_under_a_clock_in_2100_does_not_freeze_its_cards_dates(tmp_path) -> None:
    deck = tmp_path / "d.yaml"
    deck.write_text(simple_deck(3))
    store = open_store(tmp_path / "srs.db")
    try:
        sync_paths(store, [deck], now=FUTURE)
        first = export_anki(store, tmp_path / "a.apkg", now=REAL)
        assert max(package_mods(first.path)) <= REAL.timestamp()
        assert first.redated == 3
        edit_first_card(deck)
        sync_paths(store, [deck], now=REAL + timedelta(hours=1))
        mods = package_mods(export_anki(store, tmp_path / "b.apkg", now=REAL + timedelta(hours=2)).path)
        assert mods[0] == int((REAL + timedelta(hours=1)).timestamp()) > max(mods[1:])
    finally:
        store.close()


def test_the_export_command_says_that_dates_were_clamped(tmp_path) -> None:
    deck = tmp_path / "d.yaml"
    deck.write_text(simple_deck(2))
    store = open_store(tmp_path / "srs.db")
    try:
        sync_paths(store, [deck], now=FUTURE)
    finally:
        store.close()
    env = {**os.environ, "SRS_DB": str(tmp_path / "srs.db")}
    result = subprocess.run(
        [sys.executable, "-m", "srs", "export", "anki", "-o", str(tmp_path / "x.apkg"), "--deck", "Test"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "in the future" in result.stdout
