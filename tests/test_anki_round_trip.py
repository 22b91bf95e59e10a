"""``srs export anki --with-scheduling`` into Anki, reviews in Anki, and ``srs import anki`` of the package back."""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.scheduler.v3 import CardAnswer

from srs.exporters import export_anki
from srs.exporters.anki.notetype import note_guid
from srs.importers.anki.importer import import_anki
from srs import review
from srs.clock import study_day
from srs.decks.sync import sync_paths
from srs.model import Rating
from srs.storage import review_store

UTC = timezone.utc
DECK = """deck: Trip
cards:
""" + "".join(f"  - id: c{i}\n    front: Question {i}?\n    back: Answer {i}\n" for i in range(6))


from tests.anki_fixtures import col, utc_tz  # noqa: F401  (fixtures)


@pytest.fixture
def studied(store, tmp_path):
    """A collection whose cards were answered over the last weeks (c5 left new)."""
    path = tmp_path / "decks" / "trip.yaml"
    path.parent.mkdir()
    path.write_text(DECK)
    now = datetime.now(UTC)
    sync_paths(store, [path], now=now - timedelta(days=60))
    plan = {0: [(50, 3), (50, 3), (45, 3), (30, 3)], 1: [(40, 1), (40, 3), (40, 3), (20, 1), (20, 3)], 2: [(10, 4)], 3: [(0.01, 1)], 4: [(59, 2), (59, 3), (50, 3), (10, 3), (2, 3)]}
    for index, answers in plan.items():
        for days_ago, rating in answers:
            review.answer(store, card_id(store, f"c{index}"), Rating(rating), now - timedelta(days=days_ago), zone=UTC)
    return store


def card_id(store, uid: str) -> int:
    with store.read() as conn:
        return review_store.card_by_uid(conn, uid).id


def srs_card(store, uid: str):
    with store.read() as conn:
        return review_store.card_by_uid(conn, uid)


def import_into_anki(col: Collection, path: Path) -> None:
    options = ImportAnkiPackageOptions(with_scheduling=True)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options))


def anki_cards(col: Collection) -> dict[str, object]:
    return {col.get_note(col.get_card(cid).nid).guid: col.get_card(cid) for cid in col.find_cards("")}


def test_anki_shows_the_same_due_days_and_memory_states(studied, col, tmp_path):
    path = export_anki(studied, tmp_path / "s.apkg", with_scheduling=True, zone=UTC).path
    import_into_anki(col, path)
    cards = anki_cards(col)
    today = col.sched.today
    now = datetime.now(UTC)
    for index in range(6):
        ours = srs_card(studied, f"c{index}")
        theirs = cards[note_guid(f"c{index}")]
        assert theirs.reps == ours.memory.reps and theirs.lapses == ours.memory.lapses
        assert theirs.type == int(ours.memory.state) and theirs.queue == int(ours.memory.state) if index != 3 else theirs.queue == 1
        if ours.memory.stability is None:
            continue
        assert math.isclose(theirs.memory_state.stability, ours.memory.stability, rel_tol=1e-3)
        assert abs(theirs.memory_state.difficulty - ours.memory.difficulty) <= 1e-3
        recomputed = col.compute_memory_state(theirs.id)  # from the exported review log, as Anki replays it
        assert math.isclose(recomputed.stability, ours.memory.stability, rel_tol=1e-3)
        assert abs(recomputed.difficulty - ours.memory.difficulty) <= 1e-3
        if theirs.type == 2:
            due_day = study_day(ours.memory.due, UTC, 4)
            assert theirs.due - today == (due_day - study_day(now, UTC, 4)).days
        else:
            assert abs(theirs.due - ours.memory.due.timestamp()) <= 1


def test_reviews_made_in_anki_come_back_once_and_states_are_replayed(studied, col, tmp_path):
    path = export_anki(studied, tmp_path / "s.apkg", with_scheduling=True, zone=UTC).path
    import_into_anki(col, path)
    before = {f"c{i}": len(history(studied, f"c{i}")) for i in range(6)}
    col.decks.select(col.decks.id_for_name("Trip"))
    answered = 0
    for _ in range(4):  # study a few due and new cards in Anki
        queued = col.sched.get_queued_cards(fetch_limit=1)
        if not queued.cards:
            break
        card = col.get_card(queued.cards[0].card.id)
        card.start_timer()
        states = queued.cards[0].states
        col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=CardAnswer.GOOD))
        answered += 1
        time.sleep(0.002)
    assert answered >= 2
    back = tmp_path / "back.apkg"
    col.export_anki_package(out_path=str(back), options=ExportAnkiPackageOptions(with_scheduling=True, with_media=False, legacy=False, with_deck_configs=True), limit=None)

    first = import_anki(studied, back, tmp_path / "out", zone=UTC)
    assert first.history.added == answered
    assert first.srs_cards == 6 and first.cards == 0
    after = {f"c{i}": len(history(studied, f"c{i}")) for i in range(6)}
    assert sum(after.values()) - sum(before.values()) == answered
    anki = anki_cards(col)
    for index in range(6):
        uid = f"c{index}"
        ours = srs_card(studied, uid).memory
        if ours.stability is None:
            continue
        theirs = col.compute_memory_state(anki[note_guid(uid)].id)
        assert math.isclose(ours.stability, theirs.stability, rel_tol=1e-3), uid
        assert abs(ours.difficulty - theirs.difficulty) <= 1e-3, uid
        assert ours.reps == len(history(studied, uid))

    second = import_anki(studied, back, tmp_path / "out", zone=UTC)
    assert second.history.added == 0 and second.history.known == sum(after.values())
    assert {f"c{i}": len(history(studied, f"c{i}")) for i in range(6)} == after


def history(store, uid: str):
    with store.read() as conn:
        return review_store.card_history(conn, review_store.card_by_uid(conn, uid).id)


def test_anki_reviews_older_than_the_newest_srs_answer_are_merged_in_time_order(studied, col, tmp_path):
    from srs.doctor import examine

    path = export_anki(studied, tmp_path / "s.apkg", with_scheduling=True, zone=UTC).path
    import_into_anki(col, path)
    # srs answers c5 (new) an hour from now; Anki answers it now: Anki's answer falls before srs's newest one.
    review.answer(studied, card_id(studied, "c5"), Rating.GOOD, datetime.now(UTC) + timedelta(hours=1), zone=UTC)
    anki = col.get_card(anki_cards(col)[note_guid("c5")].id)
    anki.start_timer()
    col.sched.answer_card(col.sched.build_answer(card=anki, states=col._backend.get_scheduling_states(anki.id), rating=CardAnswer.AGAIN))
    back = tmp_path / "back.apkg"
    col.export_anki_package(out_path=str(back), options=ExportAnkiPackageOptions(with_scheduling=True, with_media=False, legacy=False, with_deck_configs=True), limit=None)
    result = import_anki(studied, back, tmp_path / "out", zone=UTC)
    assert result.history.added == 1 and result.history.rewritten == ["c5"]
    log = history(studied, "c5")
    assert [entry[1] for entry in log] == [Rating.AGAIN, Rating.GOOD]  # time order: Anki's Again, then srs's Good
    assert [entry[2] for entry in log] == sorted(entry[2] for entry in log)
    assert srs_card(studied, "c5").memory.reps == 2
    assert examine(studied, zone=UTC).healthy
    assert import_anki(studied, back, tmp_path / "out", zone=UTC).history.added == 0


SIBLINGS = """deck: Siblings
cards:
  - id: word
    front: cat
    back: Katze
    reverse: true
  - id: capital
    cloze: "{{c1::Paris}} is the capital of {{c2::France}}"
"""


def test_reversed_and_cloze_cards_carry_their_own_state_both_ways(store, col, tmp_path):
    path = tmp_path / "decks" / "siblings.yaml"
    path.parent.mkdir()
    path.write_text(SIBLINGS)
    now = datetime.now(UTC)
    sync_paths(store, [path], now=now - timedelta(days=30))
    for uid, answers in {"word#rev": [(20, 3), (20, 3), (10, 3)], "capital#c2": [(15, 1), (15, 3), (5, 4)]}.items():
        for days_ago, rating in answers:
            review.answer(store, card_id(store, uid), Rating(rating), now - timedelta(days=days_ago), zone=UTC)
    import_into_anki(col, export_anki(store, tmp_path / "s.apkg", with_scheduling=True, zone=UTC).path)
    by_note = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        by_note[(col.get_note(card.nid).guid, card.ord)] = card
    from srs.exporters.anki.export import entry_guid

    for uid, key in {"word": (entry_guid("word", False), 0), "word#rev": (entry_guid("word", False), 1),
                     "capital#c1": (entry_guid("capital", True), 0), "capital#c2": (entry_guid("capital", True), 1)}.items():
        ours, theirs = srs_card(store, uid).memory, by_note[key]
        assert theirs.reps == ours.reps, uid
        if ours.stability is not None:
            assert math.isclose(col.compute_memory_state(theirs.id).stability, ours.stability, rel_tol=1e-3), uid
    rev = by_note[(entry_guid("word", False), 1)]
    rev.start_timer()
    col.sched.answer_card(col.sched.build_answer(card=rev, states=col._backend.get_scheduling_states(rev.id), rating=CardAnswer.GOOD))
    back = tmp_path / "back.apkg"
    col.export_anki_package(out_path=str(back), options=ExportAnkiPackageOptions(with_scheduling=True, with_media=False, legacy=False, with_deck_configs=True), limit=None)
    result = import_anki(store, back, tmp_path / "out", zone=UTC)
    assert result.history.added == 1 and result.srs_cards == 2
    assert len(history(store, "word#rev")) == 4 and len(history(store, "word")) == 0
    theirs = col.compute_memory_state(rev.id)
    assert math.isclose(srs_card(store, "word#rev").memory.stability, theirs.stability, rel_tol=1e-3)


def test_answers_made_here_keep_their_states_when_anki_reviews_join_them(studied, col, tmp_path):
    """The merge replays each card with the fuzz seed its log was made with (here: the card's internal id), so the
    answers given in srs, and maybe already sent to other devices, keep their stored states and due dates."""
    path = export_anki(studied, tmp_path / "s.apkg", with_scheduling=True, zone=UTC).path
    import_into_anki(col, path)
    with studied.read() as conn:
        made_here = {row[0]: row[1:] for row in conn.execute("SELECT id, before, after FROM review")}
    cards = anki_cards(col)
    for uid in ("c0", "c1", "c4"):  # cards in review whose answers here had fuzzed intervals; answered early in Anki
        card = cards[note_guid(uid)]
        card.start_timer()
        states = col._backend.get_scheduling_states(card.id)
        col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=CardAnswer.GOOD))
        time.sleep(0.002)
    back = tmp_path / "back.apkg"
    col.export_anki_package(out_path=str(back), options=ExportAnkiPackageOptions(with_scheduling=True, with_media=False, legacy=False, with_deck_configs=True), limit=None)
    result = import_anki(studied, back, tmp_path / "out", zone=UTC)
    assert result.history.added == 3 and not result.history.rewritten
    with studied.read() as conn:
        kept = {row[0]: row[1:] for row in conn.execute("SELECT id, before, after FROM review") if row[0] in made_here}
    assert kept == made_here
