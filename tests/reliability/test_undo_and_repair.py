"""Two processes on one collection: an undo by id and a doctor's repair never hit an answer given in between."""

from __future__ import annotations

import sqlite3
from datetime import timedelta, timezone

import pytest

from srs.doctor import examine, repair
from srs.errors import NothingToUndo
from srs.model import Rating, Scope
from srs.review import Session, answer, find_card, undo
from srs.storage import open_store
from srs.storage.migrations import MIGRATIONS, _review_ids_never_reused
from tests.conftest import T0
from tests.reliability.helpers import make_collection, review_counts

# -- item 5: review ids are never reused ----------------------------------------------------------------------


def test_an_open_sessions_undo_never_deletes_an_answer_given_from_the_cli(tmp_path) -> None:
    db = make_collection(tmp_path, cards=5)
    tui, cli = open_store(db), open_store(db)  # the review window, and a shell running srs undo / srs answer
    try:
        session = Session(tui, now=T0)
        shown = session.current(T0)
        session.answer(shown.id, Rating.GOOD, T0)
        undo(cli)  # `srs undo`: the newest answer, the one the window just gave
        other = find_card(cli, "c4")
        given = answer(cli, other.id, Rating.EASY, T0 + timedelta(minutes=1))  # `srs answer c4 easy`
        with pytest.raises(NothingToUndo, match="already undone"):
            session.undo()  # `u` in the window
        assert review_counts(db)["c4"] == 1
        assert find_card(cli, "c4").memory == given.after
    finally:
        tui.close()
        cli.close()


async def test_u_in_the_review_window_never_undoes_an_answer_given_from_the_cli(tmp_path) -> None:
    from srs.tui.app import SrsApp
    from srs.tui.screens.review import ReviewScreen
    from tests.tui.conftest import SIZE, FakeClock, screen_text, wait_until

    db = make_collection(tmp_path, cards=5)
    tui, cli = open_store(db), open_store(db)
    app = SrsApp(tui, Scope(), clock=FakeClock(T0), zone=timezone.utc)
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            shown = lambda serial: isinstance(app.screen, ReviewScreen) and app.screen.card_serial >= serial and app.screen.phase == "question"  # noqa: E731
            await wait_until(pilot, lambda: shown(1))
            await pilot.press("space", "3")  # the window answers its first card
            await wait_until(pilot, lambda: shown(2))
            undo(cli)  # `srs undo` takes that answer back
            given = answer(cli, find_card(cli, "c4").id, Rating.EASY, T0 + timedelta(minutes=1))  # `srs answer c4 easy`
            await pilot.press("u")
            await wait_until(pilot, lambda: "already undone" in screen_text(app))
            assert "Could not save" not in screen_text(app)  # a notice, not a failure
        assert review_counts(db)["c4"] == 1 and find_card(cli, "c4").memory == given.after
    finally:
        tui.close()
        cli.close()


def test_review_ids_keep_growing_after_the_newest_answer_is_undone(store, write_deck) -> None:
    from srs.decks import sync_paths
    from tests.conftest import simple_deck

    sync_paths(store, [write_deck("a.yaml", simple_deck(3))], now=T0)
    first = answer(store, find_card(store, "c0").id, Rating.GOOD, T0)
    undo(store)
    second = answer(store, find_card(store, "c1").id, Rating.GOOD, T0)
    assert second.review_id > first.review_id


def test_the_migration_keeps_every_review_and_its_id_and_indexes(tmp_path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    before = MIGRATIONS.index(_review_ids_never_reused)  # wherever the step is numbered
    for step in MIGRATIONS[:before]:
        step(conn)
    conn.execute(f"PRAGMA user_version = {before}")
    conn.execute("INSERT INTO deck (id, name) VALUES (1, 'D')")
    conn.execute(
        "INSERT INTO card (id, uid, deck_id, origin, line, position, front, back, content_hash, created_at) VALUES (1, 'a', 1, 'd.yaml', 1, 0, 'Q', 'A', 'h', 0)"
    )
    for review_id in (3, 7):
        conn.execute(
            "INSERT INTO review (id, card_id, rating, reviewed_at, state_before, before, after) VALUES (?, 1, 3, 0, 0, '[]', '[]')", (review_id,)
        )
    indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'review'")}
    conn.close()
    open_store(path).close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT id FROM review ORDER BY id").fetchall() == [(3,), (7,)]
        # every index survives the rebuild (later steps may add more)
        assert indexes <= {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'review'")}
        assert "AUTOINCREMENT" in conn.execute("SELECT sql FROM sqlite_master WHERE name = 'review'").fetchone()[0]
        conn.execute("DELETE FROM review WHERE id = 7")
        conn.execute("INSERT INTO review (card_id, rating, reviewed_at, state_before, before, after) VALUES (1, 3, 0, 0, '[]', '[]')")
        assert conn.execute("SELECT max(id) FROM review").fetchone()[0] == 8
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


# -- item 6: doctor --fix re-examines inside its write transaction ----------------------------------------------


def _break_state(db, uid: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute("UPDATE card SET stability = stability * 3 WHERE uid = ?", (uid,))
    conn.commit()
    conn.close()


def test_doctor_fix_never_overwrites_an_answer_given_after_it_examined(tmp_path) -> None:
    db = make_collection(tmp_path, cards=3)
    doctor, cli = open_store(db), open_store(db)
    try:
        card = find_card(cli, "c0")
        answer(cli, card.id, Rating.GOOD, T0)
        answer(cli, card.id, Rating.GOOD, T0 + timedelta(minutes=10))
        _break_state(db, "c0")
        report = examine(doctor, zone=None)
        assert any(f.card_uid == "c0" and f.repair is not None for f in report.findings)
        given = answer(cli, card.id, Rating.GOOD, T0 + timedelta(days=3))  # `srs answer` while the doctor runs
        done = repair(doctor, report)
        assert find_card(cli, "c0").memory == given.after  # the answer stands
        assert done.count == 0
        assert any(f.card_uid == "c0" and "log is broken" in f.message for f in done.report.findings)
    finally:
        doctor.close()
        cli.close()


def test_doctor_fix_still_repairs_a_card_nothing_touched(tmp_path) -> None:
    db = make_collection(tmp_path, cards=3)
    store = open_store(db)
    try:
        card = find_card(store, "c1")
        logged = answer(store, card.id, Rating.GOOD, T0)
        _break_state(db, "c1")
        done = repair(store, examine(store))
        assert done.count == 1 and done.backup is not None
        assert find_card(store, "c1").memory == logged.after
        assert examine(store).healthy
    finally:
        store.close()
