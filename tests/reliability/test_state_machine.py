"""Hypothesis state machine: any sequence of answer, undo, bury, suspend, sync and edit keeps the collection consistent."""

from __future__ import annotations

import tempfile
from datetime import timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from srs.decks import sync_paths
from srs.doctor import examine
from srs.errors import CardUnavailable, NothingToUndo
from srs.model import Rating, State
from srs.review import answer, build_queue, bury, find_card, set_suspended, undo
from srs.storage import open_store
from tests.conftest import T0

UIDS = [f"c{i}" for i in range(5)]


def deck_text(present: dict[str, str]) -> str:
    lines = ["deck: SM", "cards:"]
    for uid, back in present.items():
        lines += [f"  - id: {uid}", f"    front: Question {uid}?", f"    back: '{back}'"]
    return "\n".join(lines) + ("\n" if present else " []\n")


class Collection(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        root = Path(self.tmp.name)
        self.deck = root / "d.yaml"
        self.present = {uid: f"Answer {uid}" for uid in UIDS}
        self.deck.write_text(deck_text(self.present))
        self.store = open_store(root / "srs.db")
        sync_paths(self.store, [self.deck], now=T0)
        self.ids = {uid: find_card(self.store, uid).id for uid in UIDS}
        self.now = T0
        self.answers = 0

    def teardown(self) -> None:
        self.store.close()
        self.tmp.cleanup()

    @rule(uid=st.sampled_from(UIDS), rating=st.sampled_from(list(Rating)), minutes=st.integers(-1440, 20000))
    def answer_card(self, uid, rating, minutes) -> None:
        self.now += timedelta(minutes=minutes)  # the clock may go backwards
        card = find_card(self.store, uid)
        if uid not in self.present:
            with pytest.raises(CardUnavailable):  # retired: refused, nothing written
                answer(self.store, self.ids[uid], rating, self.now)
            assert find_card(self.store, uid) == card
            return
        result = answer(self.store, self.ids[uid], rating, self.now)
        assert result.after.due > result.reviewed_at
        self.answers += 1

    @rule()
    def undo_last(self) -> None:
        try:
            undo(self.store)
            self.answers -= 1
        except NothingToUndo:
            assert self.answers == 0

    @rule(uid=st.sampled_from(UIDS))
    def bury_card(self, uid) -> None:
        bury(self.store, [self.ids[uid]], self.now, timezone.utc)

    @rule(uid=st.sampled_from(UIDS), suspended=st.booleans())
    def suspend_card(self, uid, suspended) -> None:
        set_suspended(self.store, [self.ids[uid]], suspended)

    @rule(uid=st.sampled_from(UIDS), text=st.text(alphabet="abc xyz", min_size=1, max_size=8).filter(str.strip))
    def edit_card(self, uid, text) -> None:
        if uid in self.present:
            self.present[uid] = text
            self.deck.write_text(deck_text(self.present))
            sync_paths(self.store, [self.deck], now=self.now)

    @rule(uid=st.sampled_from(UIDS))
    def remove_or_restore(self, uid) -> None:
        if uid in self.present:
            del self.present[uid]
        else:
            self.present[uid] = f"Back {uid}"
        self.deck.write_text(deck_text(self.present))
        sync_paths(self.store, [self.deck], now=self.now)

    @invariant()
    def consistent(self) -> None:
        report = examine(self.store)
        assert report.integrity == []
        assert [f.message for f in report.findings if f.severity == "error"] == []
        with self.store.read() as conn:
            rows = conn.execute("SELECT card_id, reviewed_at FROM review ORDER BY id").fetchall()
        assert len(rows) == self.answers
        last: dict[int, int] = {}
        for card_id, at in rows:
            assert at >= last.get(card_id, at), "a review dated before the one it follows"
            last[card_id] = at

    @invariant()
    def queue_holds_only_studyable_cards(self) -> None:
        queue = build_queue(self.store, now=self.now, zone=timezone.utc)
        queued = set(queue.main) | {card_id for _, card_id in queue.learning}
        for uid, card_id in self.ids.items():
            card = find_card(self.store, uid)
            if card_id in queued:
                assert not card.suspended and not card.retired and uid in self.present
                assert card.buried_until is None or card.buried_until <= self.now
            m = card.memory
            if m.state != State.NEW:
                assert m.stability > 0 and 1 <= m.difficulty <= 10


TestCollection = Collection.TestCase
TestCollection.settings = settings(max_examples=40, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
pytestmark = pytest.mark.slow
