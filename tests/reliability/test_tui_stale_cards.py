"""Cards changed by another process during a session: retired by a sync, suspended, buried, or drafts.

The review queue is built once; a sync or `srs suspend` in another shell may change a queued card
afterwards. The card is re-checked inside the answer's transaction (refused, nothing written) and
before it is shown; the TUI skips it with a notice. `srs answer` refuses drafts and retired cards
with a clear message (a suspended card may be answered on purpose there: it stays suspended).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from srs.decks import sync_paths
from srs.errors import CardUnavailable
from srs.model import Rating
from srs.quiz import QuizRun, plan_quiz
from srs.review import Session, bury, find_card, set_suspended
from srs.storage import open_store
from srs.storage.review_store import Scope
from srs.tui.app import SrsApp
from srs.tui.screens.done import DoneScreen
from srs.tui.screens.review import ReviewScreen
from tests.conftest import T0, simple_deck
from tests.tui.conftest import SIZE, FakeClock, screen_text, wait_until

UTC = timezone.utc


@pytest.fixture
def collection(tmp_path: Path):
    """A synced deck of 4 cards (c0..c3) plus a draft, the store a session uses, and a second one: 'another shell'."""
    deck = tmp_path / "d.yaml"
    deck.write_text(simple_deck(4) + "  - id: draft0\n    front: Unfinished?\n    back: ''\n    draft: true\n")
    db = tmp_path / "srs.db"
    mine, other = open_store(db), open_store(db)
    sync_paths(mine, [deck], now=T0)
    yield mine, other, deck
    mine.close()
    other.close()


def review_count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM review").fetchone()[0]
    finally:
        conn.close()


def retire(other, deck: Path, uid: str) -> None:
    """Remove ``uid`` from the deck file and sync it from the other store (the card is retired)."""
    text = deck.read_text()
    start = text.index(f"  - id: {uid}\n")
    end = text.find("  - id:", start + 1)
    deck.write_text(text[:start] + (text[end:] if end != -1 else ""))
    sync_paths(other, [deck], now=T0)
    assert find_card(other, uid).retired


# -- the CLI ---------------------------------------------------------------------------------


@pytest.mark.parametrize("change, message", [
    ("draft", "cannot answer 'draft0': it is a draft"),
    ("retired", "cannot answer 'c1': it was retired"),
])
def test_cli_answer_refuses_and_writes_nothing(collection, tmp_path: Path, change: str, message: str) -> None:
    mine, other, deck = collection
    uid = "draft0" if change == "draft" else "c1"
    if change == "retired":
        retire(other, deck, uid)
    before = find_card(other, uid)
    env = {**os.environ, "SRS_DB": str(tmp_path / "srs.db")}
    result = subprocess.run([sys.executable, "-m", "srs", "answer", uid, "good"], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1 and result.stderr.startswith(f"srs: error: {message}"), result.stderr
    assert "Traceback" not in result.stderr
    assert find_card(other, uid) == before and review_count(tmp_path / "srs.db") == 0


# -- the session -----------------------------------------------------------------------------


def test_session_skips_queued_cards_changed_elsewhere(collection) -> None:
    mine, other, deck = collection
    session = Session(mine, zone=UTC, now=T0)
    assert list(session.queue.main) == [find_card(mine, f"c{i}").id for i in range(4)]
    set_suspended(other, [find_card(other, "c0").id], True)
    bury(other, [find_card(other, "c1").id], T0, UTC)
    retire(other, deck, "c2")
    shown = session.current(T0)
    assert shown is not None and shown.uid == "c3"
    skipped = session.take_skipped()
    assert [(s.card.uid, s.reason.split(";")[0].split(" (")[0]) for s in skipped] == [
        ("c0", "it is suspended"), ("c1", "it is buried until the next day"), ("c2", "it was retired"),
    ]
    assert session.take_skipped() == []


def test_answer_to_a_card_suspended_after_it_was_shown_is_refused(collection, tmp_path: Path) -> None:
    mine, other, _ = collection
    session = Session(mine, zone=UTC, now=T0)
    card = session.current(T0)
    set_suspended(other, [card.id], True)
    with pytest.raises(CardUnavailable, match="it is suspended"):
        session.answer(card.id, Rating.GOOD, T0)
    assert review_count(tmp_path / "srs.db") == 0 and session.history == []
    assert card.id not in session.queue.main
    assert [s.card.uid for s in session.take_skipped()] == [card.uid]
    assert session.current(T0).uid != card.uid


def test_quiz_result_for_a_card_retired_meanwhile_is_not_saved(collection, tmp_path: Path) -> None:
    mine, other, deck = collection
    run = QuizRun(mine, plan_quiz(mine, 4, now=T0), now=T0)
    question = run.plan.questions[0]
    retire(other, deck, next(f"c{i}" for i in range(4) if find_card(other, f"c{i}").id == question.card_id))
    with pytest.raises(CardUnavailable, match="it was retired"):
        run.record(question, True, 3000, False, Rating.GOOD, T0, UTC)
    assert run.results == [] and run.skipped == [question] and run.settled() == 1
    assert review_count(tmp_path / "srs.db") == 0


# -- the review screen -----------------------------------------------------------------------


def on_card(app: SrsApp, serial: int):
    return lambda: isinstance(app.screen, ReviewScreen) and app.screen.card_serial >= serial and app.screen.phase == "question"


async def test_tui_skips_a_shown_card_suspended_elsewhere_with_a_notice(collection, tmp_path: Path) -> None:
    mine, other, _ = collection
    clock = FakeClock(T0)
    app = SrsApp(mine, Scope(), clock=clock, zone=UTC)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app, 1))
        assert app.screen.step.card.uid == "c0"
        set_suspended(other, [find_card(other, "c0").id], True)
        await pilot.press("space", "3")
        await wait_until(pilot, on_card(app, 2))
        assert app.screen.step.card.uid == "c1"
        text = screen_text(app)
        assert "Skipped: changed in another window" in text and "unsuspend it first" in text
        assert review_count(tmp_path / "srs.db") == 0 and app.screen.answers == {}


async def test_tui_does_not_bring_back_a_learning_card_retired_elsewhere(collection, tmp_path: Path) -> None:
    mine, other, deck = collection
    clock = FakeClock(T0)
    app = SrsApp(mine, Scope(), clock=clock, zone=UTC)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app, 1))
        assert app.screen.step.card.uid == "c0"
        await pilot.press("space", "1")  # Again: c0 comes back in a minute
        await wait_until(pilot, on_card(app, 2))
        retire(other, deck, "c0")
        set_suspended(other, [find_card(other, f"c{i}").id for i in (1, 2, 3)], True)
        clock.advance(minutes=2)
        await pilot.press("space", "3")  # c1 was suspended too: refused; c0 is due again but retired
        await wait_until(pilot, lambda: isinstance(app.screen, DoneScreen), timeout=10)
        assert review_count(tmp_path / "srs.db") == 1
