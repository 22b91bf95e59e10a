"""Clocks that jump: set back a day, a move from UTC-5 to UTC+9 mid-week, DST transitions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from srs.clock import day_bounds, study_day
from srs.decks import sync_paths
from srs.model import Rating
from srs.review import answer, build_queue, find_card
from tests.conftest import T0, simple_deck

UTC = timezone.utc


def test_clock_set_back_a_day_between_answers(store, write_deck) -> None:
    sync_paths(store, [write_deck("a.yaml", simple_deck(3))], now=T0)
    card = find_card(store, "c0").id
    first = answer(store, card, Rating.GOOD, T0)
    second = answer(store, card, Rating.GOOD, T0 - timedelta(days=1))
    assert second.reviewed_at >= first.reviewed_at and second.after.last_review == first.reviewed_at
    # the new-card limit counts that answer in the day it was recorded, not the day the clock claimed
    assert build_queue(store, now=T0, zone=UTC).counts().new == 2


def test_moving_from_new_york_to_tokyo_mid_week(store, write_deck) -> None:
    sync_paths(store, [write_deck("a.yaml", simple_deck(40))], now=T0)
    new_york, tokyo = ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")
    days = []
    moment = datetime(2026, 3, 2, 14, tzinfo=UTC)  # Monday 09:00 in New York
    for day in range(7):
        zone = new_york if day < 3 else tokyo  # flies to Tokyo on Thursday
        queue = build_queue(store, now=moment, zone=zone)
        assert queue.counts().new == 20 or day > 0  # a fresh day always starts with the full limit
        answer(store, queue.next_card(moment), Rating.GOOD, moment)
        days.append(study_day(moment, zone, 4))
        moment += timedelta(hours=24 if day != 2 else 10)  # the flight shortens one "day"
    assert len(set(days)) == len(days), f"a study day counted twice: {days}"


def test_day_bounds_are_23_and_25_hours_on_dst_days() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # Clocks change at 02:00/03:00 local, before the 04:00 rollover: the study day that holds the
    # change is the one that began the morning before.
    spring = day_bounds(datetime(2026, 3, 28, 12, tzinfo=UTC), berlin, 4)
    autumn = day_bounds(datetime(2026, 10, 24, 12, tzinfo=UTC), berlin, 4)
    assert spring[1] - spring[0] == timedelta(hours=23)
    assert autumn[1] - autumn[0] == timedelta(hours=25)
    # each local day starts at 04:00 local on both sides of the change
    assert [m.astimezone(berlin).hour for m in (*spring, *autumn)] == [4, 4, 4, 4]


def test_rollover_hour_exact_boundaries() -> None:
    zone = ZoneInfo("Europe/Berlin")
    just_before = datetime(2026, 6, 1, 1, 59, 59, tzinfo=UTC)  # 03:59:59 CEST
    at = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 04:00 CEST
    assert study_day(just_before, zone, 4).day == 31 and study_day(at, zone, 4).day == 1
