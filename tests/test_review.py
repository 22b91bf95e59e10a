"""Today's queue, daily limits, learning steps, undo, bury, suspend, leeches and day boundaries."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from srs.decks import sync_paths
from srs.errors import NothingToUndo
from srs.model import MemoryState, Rating, Scope, State
from srs.overview import deck_overview
from srs.review import Session, answer, build_queue, bury, find_card, set_suspended, undo, _spread
from srs.settings import set_value
from srs.storage import review_store
from tests.conftest import T0, simple_deck

UTC = timezone.utc
NY = ZoneInfo("America/New_York")


@pytest.fixture
def deck(store, write_deck):
    sync_paths(store, [write_deck("a.yaml", simple_deck(30))], now=T0)
    return store


def ids(store, *uids: str) -> list[int]:
    return [find_card(store, uid).id for uid in uids]


def test_new_cards_come_in_deck_order_up_to_the_daily_limit(deck) -> None:
    queue = build_queue(deck, now=T0, zone=UTC)
    assert queue.counts().new == 20
    assert list(queue.main)[:3] == ids(deck, "c0", "c1", "c2")


def test_new_limit_counts_cards_introduced_today(deck) -> None:
    for card_id in ids(deck, "c0", "c1", "c2"):
        answer(deck, card_id, Rating.GOOD, T0)
    assert build_queue(deck, now=T0, zone=UTC).counts().new == 17
    tomorrow = T0 + timedelta(days=1)
    assert build_queue(deck, now=tomorrow, zone=UTC).counts().new == 20


def test_per_deck_limit_and_config(store, write_deck) -> None:
    sync_paths(store, [write_deck("a.yaml", simple_deck(10, deck="A", prefix="a")), write_deck("b.yaml", simple_deck(10, deck="B", prefix="b"))], now=T0)
    set_value(store, "new_per_day", "3", deck="A")
    queue = build_queue(store, now=T0, zone=UTC)
    assert queue.counts().new == 13
    assert build_queue(store, Scope(deck="A"), now=T0, zone=UTC).counts().new == 3


def nested_decks(store, write_deck) -> None:
    """P::A (15 new, limit 12), P::B (15, limit 14) with P::B::C (10, limit 5), and Q (30) where 19 new were studied today."""
    files = [("a", "P::A", 15), ("b", "P::B", 15), ("c", "P::B::C", 10), ("q", "Q", 30)]
    # C's file sorts first, so its cards come first in deck order and only its own limit stops them.
    sync_paths(store, [write_deck(f"{i}{prefix}.yaml", simple_deck(n, deck=name, prefix=prefix)) for i, (prefix, name, n) in enumerate(files[2:] + files[:2])], now=T0)
    for name, limit in (("P::A", 12), ("P::B", 14), ("P::B::C", 5)):
        set_value(store, "new_per_day", str(limit), deck=name)
    for card_id in ids(store, *(f"q{i}" for i in range(19))):
        answer(store, card_id, Rating.GOOD, T0, zone=UTC)


def test_each_deck_limit_counts_only_its_own_subtree_and_subdeck_limits_cap_their_cards(store, write_deck) -> None:
    nested_decks(store, write_deck)
    new = {deck: build_queue(store, Scope(deck=deck), now=T0, zone=UTC) for deck in ("P", "P::A", "P::B", "P::B::C", "Q")}
    counts = {deck: queue.counts().new for deck, queue in new.items()}
    # Studying Q today does not use up P's limits; P::B takes at most 5 from P::B::C; P is capped at the global 20.
    assert counts == {"P": 20, "P::A": 12, "P::B": 14, "P::B::C": 5, "Q": 1}
    from_c = set(ids(store, *(f"c{i}" for i in range(10))))
    assert len(from_c & new["P::B"].new_ids) == 5 and len(from_c & new["P"].new_ids) <= 5
    assert build_queue(store, now=T0, zone=UTC).counts().new == 1  # all decks: the global limit, 19 used


def test_the_deck_list_counts_what_studying_each_deck_queues(store, write_deck) -> None:
    nested_decks(store, write_deck)
    set_value(store, "reviews_per_day", "3", deck="Q")
    rows = deck_overview(store, T0, UTC)
    assert {row.name: row.new for row in rows} == {"P": 20, "P::A": 12, "P::B": 14, "P::B::C": 5, "Q": 1}
    for row in rows:
        queue = build_queue(store, Scope(deck=row.name), now=T0, zone=UTC).counts()
        assert (row.new, row.learning, row.review) == (queue.new, queue.learning, queue.review), row.name


def test_learning_steps_then_graduation(deck) -> None:
    (card_id,) = ids(deck, "c0")
    first = answer(deck, card_id, Rating.GOOD, T0)
    assert first.after.state == State.LEARNING and first.after.due - T0 == timedelta(minutes=10)
    queue = build_queue(deck, now=T0 + timedelta(minutes=5), zone=UTC)
    assert queue.counts().learning == 1 and queue.next_card(T0 + timedelta(minutes=5)) != card_id
    later = T0 + timedelta(minutes=10)
    assert build_queue(deck, now=later, zone=UTC).next_card(later) == card_id
    second = answer(deck, card_id, Rating.GOOD, later)
    assert second.after.state == State.REVIEW and second.after.due - later >= timedelta(days=1)


def test_review_due_by_end_of_local_day_is_in_todays_queue(deck) -> None:
    (card_id,) = ids(deck, "c0")
    answer(deck, card_id, Rating.GOOD, T0)
    result = answer(deck, card_id, Rating.GOOD, T0 + timedelta(minutes=10))
    due = result.after.due
    before_rollover = due.replace(hour=3, minute=0) - timedelta(days=0)
    # a review card due at 12:10 is in the queue from 04:00 of that day (rollover hour 4, UTC)
    assert card_id in build_queue(deck, now=before_rollover.replace(hour=4, minute=1), zone=UTC).main
    assert card_id not in build_queue(deck, now=before_rollover.replace(hour=3, minute=59), zone=UTC).main


def test_reviews_per_day_limit(deck) -> None:
    set_value(deck, "reviews_per_day", "2")
    for card_id in ids(deck, "c0", "c1", "c2", "c3"):
        answer(deck, card_id, Rating.EASY, T0)
    later = T0 + timedelta(days=60)
    assert build_queue(deck, now=later, zone=UTC).counts().review == 2


def test_new_cards_are_spread_through_reviews() -> None:
    assert list(_spread([1, 2, 3, 4], [10, 20])) == [1, 10, 2, 3, 20, 4]
    assert list(_spread([], [10, 20])) == [10, 20]


def test_undo_restores_exact_state_and_removes_the_log(deck) -> None:
    (card_id,) = ids(deck, "c0")
    answer(deck, card_id, Rating.GOOD, T0)
    before = find_card(deck, "c0").memory
    answer(deck, card_id, Rating.AGAIN, T0 + timedelta(minutes=10))
    undone_id, memory = undo(deck)
    assert undone_id == card_id and memory == before and find_card(deck, "c0").memory == before
    with deck.read() as conn:
        assert len(review_store.card_history(conn, card_id)) == 1
    undo(deck)
    assert find_card(deck, "c0").memory == MemoryState()
    with pytest.raises(NothingToUndo):
        undo(deck)


def test_session_undo_goes_back_through_the_session(deck) -> None:
    session = Session(deck, zone=UTC, now=T0)
    first = session.queue.next_card(T0)
    session.answer(first, Rating.GOOD, T0)
    second = session.queue.next_card(T0)
    session.answer(second, Rating.EASY, T0)
    assert session.undo().card_id == second and session.queue.next_card(T0) == second
    assert session.undo().card_id == first and session.queue.next_card(T0) == first
    assert session.undo() is None and session.queue.counts().new == 20


def test_session_brings_learning_cards_back_when_due(deck) -> None:
    session = Session(deck, zone=UTC, now=T0)
    card_id = session.queue.next_card(T0)
    session.answer(card_id, Rating.AGAIN, T0)
    assert session.queue.counts().learning == 1
    assert session.queue.next_card(T0) != card_id
    assert session.queue.next_card(T0 + timedelta(minutes=1)) == card_id


def test_learn_ahead_when_nothing_else_is_left(store, write_deck) -> None:
    sync_paths(store, [write_deck("a.yaml", simple_deck(1))], now=T0)
    session = Session(store, zone=UTC, now=T0)
    card_id = session.queue.next_card(T0)
    session.answer(card_id, Rating.GOOD, T0)  # back in 10 minutes, within the 20-minute learn-ahead
    assert session.queue.next_card(T0) == card_id


def test_bury_hides_until_next_day_and_suspend_until_unsuspended(deck) -> None:
    c0, c1 = ids(deck, "c0", "c1")
    until = bury(deck, [c0], T0, UTC)
    set_suspended(deck, [c1], True)
    assert until == datetime(2026, 3, 3, 4, tzinfo=UTC)
    today = build_queue(deck, now=T0, zone=UTC).main
    assert c0 not in today and c1 not in today
    tomorrow = T0 + timedelta(days=1)
    assert c0 in build_queue(deck, now=tomorrow, zone=UTC).main
    assert c1 not in build_queue(deck, now=tomorrow, zone=UTC).main
    set_suspended(deck, [c1], False)
    assert c1 in build_queue(deck, now=tomorrow, zone=UTC).main


def test_leech_is_tagged_and_suspended_and_undo_reverts_it(deck) -> None:
    set_value(deck, "leech_threshold", "2")
    (card_id,) = ids(deck, "c0")
    now = T0
    answer(deck, card_id, Rating.EASY, now)
    leech_seen = []
    for _ in range(2):
        now = find_card(deck, "c0").memory.due
        result = answer(deck, card_id, Rating.AGAIN, now)
        now += timedelta(minutes=10)
        answer(deck, card_id, Rating.EASY, now)
        leech_seen.append(result.became_leech)
    assert leech_seen == [False, True]
    card = find_card(deck, "c0")
    assert card.suspended and card.leech
    assert build_queue(deck, Scope(tag="leech"), now=now, zone=UTC).counts().total == 0
    undo(deck)
    undo(deck)
    card = find_card(deck, "c0")
    assert not card.suspended and not card.leech


def test_drafts_and_retired_cards_are_never_queued(store, write_deck) -> None:
    path = write_deck("a.yaml", simple_deck(2) + "  - id: d\n    front: Q\n    back: ''\n    draft: true\n")
    sync_paths(store, [path], now=T0)
    queued = build_queue(store, now=T0, zone=UTC).main
    assert find_card(store, "d").id not in queued
    write_deck("a.yaml", simple_deck(1))
    sync_paths(store, [path], now=T0)
    assert find_card(store, "c1").id not in build_queue(store, now=T0, zone=UTC).main


def test_clock_going_backwards_never_dates_a_review_before_the_last(deck) -> None:
    (card_id,) = ids(deck, "c0")
    first = answer(deck, card_id, Rating.GOOD, T0)
    second = answer(deck, card_id, Rating.GOOD, T0 - timedelta(days=1))
    assert second.reviewed_at == first.reviewed_at and second.after.due > second.reviewed_at


def test_study_day_across_dst_in_new_york(deck) -> None:
    # 2026-03-08: clocks jump from 02:00 to 03:00 in New York. The day still starts at 04:00 local.
    before = datetime(2026, 3, 8, 7, 59, tzinfo=UTC)  # 03:59 EDT: still Saturday's study day
    after = datetime(2026, 3, 8, 8, 0, tzinfo=UTC)  # 04:00 EDT: Sunday's study day
    (card_id,) = ids(deck, "c0")
    answer(deck, card_id, Rating.GOOD, datetime(2026, 3, 7, 20, tzinfo=UTC))
    assert build_queue(deck, now=before, zone=NY).counts().new == 19
    assert build_queue(deck, now=after, zone=NY).counts().new == 20
    assert bury(deck, [card_id], after, NY) == datetime(2026, 3, 9, 8, tzinfo=UTC)


def test_moving_time_zone_moves_the_day_boundary(deck) -> None:
    (card_id,) = ids(deck, "c0")
    answer(deck, card_id, Rating.GOOD, datetime(2026, 3, 2, 23, tzinfo=UTC))
    moment = datetime(2026, 3, 3, 1, tzinfo=UTC)
    # UTC: 01:00 is before the 04:00 rollover -> same study day, one new card used.
    assert build_queue(deck, now=moment, zone=UTC).counts().new == 19
    # Tokyo (UTC+9): 23:00 on 3/2 was 08:00 on 3/3 and 01:00 UTC is 10:00 on 3/3: same day there too.
    assert build_queue(deck, now=moment, zone=ZoneInfo("Asia/Tokyo")).counts().new == 19
    # Chicago (UTC-6): 23:00 UTC was 17:00 on 3/2; 01:00 UTC is 19:00 on 3/2: same day.
    assert build_queue(deck, now=moment, zone=ZoneInfo("America/Chicago")).counts().new == 19
    # Tokyo, next morning after 04:00 local: a new day.
    assert build_queue(deck, now=datetime(2026, 3, 3, 19, 5, tzinfo=UTC), zone=ZoneInfo("Asia/Tokyo")).counts().new == 20
