"""Shared pieces of the reliability battery."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from srs.decks import sync_paths
from srs.storage import open_store
from tests.conftest import T0, simple_deck

ANSWER_LOOP = r"""
import sys, random
from datetime import timedelta
from srs.storage import open_store
from srs.review import answer, find_card
from srs.model import Rating
from srs.clock import utc_now
store = open_store(sys.argv[1])
uids = sys.argv[2].split(",")
rng = random.Random(int(sys.argv[3]))
ids = [find_card(store, uid).id for uid in uids]
print("ready", flush=True)
for n in range(int(sys.argv[4])):
    i = rng.randrange(len(ids))
    answer(store, ids[i], Rating(rng.randint(1, 4)), utc_now())
    print(uids[i], flush=True)
"""


def make_collection(tmp_path: Path, cards: int = 40, prefix: str = "c") -> Path:
    """A synced collection with ``cards`` cards."""
    deck = tmp_path / f"{prefix}.yaml"
    deck.write_text(simple_deck(cards, prefix=prefix))
    store = open_store(tmp_path / "srs.db")
    sync_paths(store, [deck], now=T0)
    store.close()
    return tmp_path / "srs.db"


def review_counts(db: Path) -> dict[str, int]:
    """uid -> number of logged answers."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT c.uid, count(r.id) FROM card c LEFT JOIN review r ON r.card_id = c.id GROUP BY c.uid").fetchall()
    finally:
        conn.close()
    return dict(rows)


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def cli(db, *args: str) -> subprocess.CompletedProcess:
    """``srs ARGS`` in a fresh process on the collection ``db`` (via SRS_DB)."""
    env = {**os.environ, "SRS_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "srs", *args], capture_output=True, text=True, env=env)


def checkpoint(db) -> None:
    """Fold the WAL into the file, so byte-level damage hits committed pages."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
