"""Today's activity for the deck list: answers, time and the study streak."""

from __future__ import annotations

from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

from srs.activity import current_streak, today_activity
from srs.decks import sync_paths
from srs.model import Rating
from srs.review import answer, find_card
from tests.conftest import T0, simple_deck

UTC = timezone.utc


def deck(store, write_deck, n: int = 10) -> list[int]:
    sync_paths(store, [write_deck("a.yaml", simple_deck(n))], now=T0 - timedelta(days=30))
    return [find_card(store, f"c{i}").id for i in range(n)]


def test_no_answers_no_streak(store, write_deck) -> None:
    deck(store, write_deck)
    assert current_streak(store, T0, UTC) == 0
    activity = today_activity(store, T0, UTC)
    assert (activity.answers, activity.seconds, activity.streak) == (0, 0.0, 0)


def test_consecutive_days_count_and_today_is_not_needed_yet(store, write_deck) -> None:
    ids = deck(store, write_deck)
    for days_ago, card_id in zip((1, 2, 3), ids):
        answer(store, card_id, Rating.GOOD, T0 - timedelta(days=days_ago))
    assert current_streak(store, T0, UTC) == 3
    answer(store, ids[5], Rating.GOOD, T0, duration_ms=2500)
    answer(store, ids[6], Rating.AGAIN, T0, duration_ms=500)
    assert current_streak(store, T0, UTC) == 4
    assert today_activity(store, T0, UTC) == today_activity(store, T0, UTC)
    activity = today_activity(store, T0, UTC)
    assert (activity.answers, activity.seconds, activity.streak) == (2, 3.0, 4)


def test_a_missed_day_breaks_the_streak(store, write_deck) -> None:
    ids = deck(store, write_deck)
    answer(store, ids[0], Rating.GOOD, T0 - timedelta(days=3))
    answer(store, ids[1], Rating.GOOD, T0 - timedelta(days=1))
    assert current_streak(store, T0, UTC) == 1
    assert current_streak(store, T0 + timedelta(days=2), UTC) == 0


def test_days_start_at_the_rollover_hour_in_the_local_zone(store, write_deck) -> None:
    ids = deck(store, write_deck)
    tokyo = ZoneInfo("Asia/Tokyo")  # 12:00 UTC is 21:00 in Tokyo; the day rolls over at 04:00 local (19:00 UTC)
    answer(store, ids[0], Rating.GOOD, T0 - timedelta(hours=20))  # 16:00 UTC the day before: 01:00 Tokyo, still the study day before that
    answer(store, ids[1], Rating.GOOD, T0 - timedelta(hours=2))  # 19:00 Tokyo yesterday's calendar day... same study day as T0
    assert current_streak(store, T0, tokyo) == 2
    assert today_activity(store, T0, tokyo).answers == 1


def test_a_streak_longer_than_the_first_window_is_counted_whole(store, write_deck) -> None:
    ids = deck(store, write_deck, n=80)
    for days_ago in range(1, 71):
        answer(store, ids[days_ago], Rating.GOOD, T0 - timedelta(days=days_ago))
    assert current_streak(store, T0, UTC) == 70
