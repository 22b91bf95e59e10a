"""Two processes on one DB: every answer recorded, no 'database is locked', no lost update; sync during review."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest

from srs.decks import sync_paths
from srs.model import Rating
from srs.review import Session
from srs.storage import open_store
from tests.conftest import T0, simple_deck
from tests.reliability.helpers import ANSWER_LOOP, integrity, make_collection, review_counts


@pytest.mark.slow
def test_two_processes_answer_different_cards(tmp_path) -> None:
    db = make_collection(tmp_path, cards=40)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    first = ",".join(f"c{i}" for i in range(20))
    second = ",".join(f"c{i}" for i in range(20, 40))
    runs = [
        subprocess.Popen([sys.executable, "-c", ANSWER_LOOP, str(db), uids, str(seed), "150"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for seed, uids in ((1, first), (2, second))
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    for run, (out, err) in zip(runs, outputs):
        assert run.returncode == 0, err
        assert "locked" not in err
    counts = review_counts(db)
    acknowledged = [line for out, _ in outputs for line in out.splitlines() if line != "ready"]
    assert len(acknowledged) == 300 and sum(counts.values()) == 300
    assert integrity(db) == "ok"


@pytest.mark.slow
def test_two_processes_answer_the_same_cards_without_lost_updates(tmp_path) -> None:
    db = make_collection(tmp_path, cards=3)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    runs = [
        subprocess.Popen([sys.executable, "-c", ANSWER_LOOP, str(db), "c0,c1,c2", str(seed), "100"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for seed in (3, 4)
    ]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        for uid, reps, logged in conn.execute("SELECT c.uid, c.reps, (SELECT count(*) FROM review r WHERE r.card_id = c.id) FROM card c"):
            assert reps == logged, f"{uid}: reps {reps} but {logged} answers logged (a lost update)"
    finally:
        conn.close()


def test_sync_while_a_review_session_is_open(tmp_path) -> None:
    db = make_collection(tmp_path, cards=10)
    deck = tmp_path / "c.yaml"
    store = open_store(db)
    other = open_store(db)
    try:
        session = Session(store, now=T0)
        card_id = session.queue.next_card(T0)
        deck.write_text(simple_deck(12).replace("Answer 0", "Edited answer"))
        report = sync_paths(other, [deck], now=T0)  # a second connection writes mid-session
        assert report.added == ["c10", "c11"] and report.updated == ["c0"]
        session.answer(card_id, Rating.GOOD, T0 + timedelta(seconds=5))
        assert sum(review_counts(db).values()) == 1
    finally:
        store.close()
        other.close()
