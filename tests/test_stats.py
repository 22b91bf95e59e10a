"""Progress stats (issue 8): every figure against a review history built by hand.

Cards come from a small YAML deck and sync; their states and the review rows are then written
directly, with chosen days, times and ratings, and each figure is compared with a value worked out
by hand in the comments. Zones: UTC, and America/New_York around the DST change of 2026-03-08
(02:00 EST -> 03:00 EDT), with the default rollover hour 04:00.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from srs.cli import app
from srs.clock import study_day
from srs.decks import sync_paths
from srs.errors import SrsError
from srs.model import MemoryState, Rating, State
from srs.review import answer, find_card
from srs.scheduling import Settings, retrievability
from srs.settings import set_value
from srs.stats import (
    bucket_days, bucket_width, compute_stats, current_streak, day_boundaries, decay_of, heat_level, longest_streak, recall_probability,
)
from srs.storage.timecodec import to_us

UTC = timezone.utc
NY = ZoneInfo("America/New_York")
DAY = timedelta(days=1)

DECK = """
deck: Stats
cards:
  - {id: a0, front: q, back: a, tags: [autograd]}
  - {id: a1, front: q, back: a, tags: [autograd]}
  - {id: a2, front: q, back: a, tags: [autograd, tensor-ops]}
  - {id: t0, front: q, back: a, tags: [tensor-ops]}
  - {id: t1, front: q, back: a, tags: [tensor-ops]}
  - {id: t2, front: q, back: a, tags: [tensor-ops]}
  - {id: t3, front: q, back: a, tags: [tensor-ops]}
  - {id: t4, front: q, back: a, tags: [tensor-ops]}
  - {id: d0, front: q, back: a, tags: [optimizers], draft: true}
"""
OTHER = """
deck: Other
cards:
  - {id: o0, front: q, back: a, tags: [optimizers]}
  - {id: o1, front: q, back: a, tags: [optimizers]}
"""


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def col(store, write_deck):
    sync_paths(store, [write_deck("stats.yaml", DECK), write_deck("other.yaml", OTHER)], now=utc(2025, 1, 1))
    return store


def card_id(store, uid: str) -> int:
    return find_card(store, uid).id


def set_card(store, uid: str, state: State, *, last: datetime | None = None, due: datetime | None = None, stability: float | None = None, **flags) -> None:
    """Write a card's scheduling state directly (flags: suspended, leech, buried_until, retired)."""
    columns = {"state": int(state), "last_review": to_us(last), "due": to_us(due), "stability": stability, "fsrs_difficulty": 5.0 if stability else None}
    columns |= {key: to_us(value) if isinstance(value, datetime) else value for key, value in flags.items()}
    with store.write() as conn:
        assignments = ", ".join(f"{key} = ?" for key in columns)
        conn.execute(f"UPDATE card SET {assignments} WHERE uid = ?", (*columns.values(), uid))


def add_review(store, uid: str, at: datetime, rating: int = 3, state_before: int = 2, interval_before: float | None = 10.0, duration_ms: int = 1000) -> None:
    """Append one answer to the log directly."""
    with store.write() as conn:
        conn.execute(
            "INSERT INTO review (card_id, rating, reviewed_at, duration_ms, state_before, interval_before, before, after) "
            "VALUES ((SELECT id FROM card WHERE uid = ?), ?, ?, ?, ?, ?, '[]', '[]')",
            (uid, rating, to_us(at), duration_ms, state_before, interval_before),
        )


# ---- pure helpers ------------------------------------------------------------------------------


def test_streak_helpers() -> None:
    assert current_streak([1, 0, 2, 3, 1]) == 3
    assert current_streak([1, 0, 2, 3, 0]) == 2  # today not studied yet: the run up to yesterday still counts
    assert current_streak([2, 0, 0]) == 0
    assert current_streak([]) == 0
    assert longest_streak([1, 1, 0, 1, 1, 1, 0, 1]) == 3
    assert longest_streak([0, 0]) == 0


def test_heat_levels_split_the_busiest_day_in_quarters() -> None:
    assert [heat_level(n, 100) for n in (0, 1, 25, 26, 50, 51, 75, 76, 100)] == [0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert heat_level(5, 0) == 0


def test_day_boundaries_follow_dst_in_new_york() -> None:
    starts = day_boundaries(date(2026, 3, 7), 2, NY, 4)
    # 03-07 04:00 EST = 09:00 UTC; 03-08 04:00 EDT = 08:00 UTC; 03-09 04:00 EDT = 08:00 UTC.
    assert starts == [to_us(utc(2026, 3, 7, 9)), to_us(utc(2026, 3, 8, 8)), to_us(utc(2026, 3, 9, 8))]
    assert starts[1] - starts[0] == 23 * 3600 * 10**6


def test_bucket_width_divides_half_hour_zones() -> None:
    assert bucket_width(day_boundaries(date(2026, 3, 1), 30, NY, 4)) == 3600 * 10**6
    # India is UTC+05:30: study days start at 22:30 UTC, so buckets must be half hours.
    assert bucket_width(day_boundaries(date(2026, 3, 1), 30, ZoneInfo("Asia/Kolkata"), 4)) == 1800 * 10**6


def test_bucket_days_puts_buckets_in_the_right_day() -> None:
    boundaries = [100, 200, 300]
    days, before = bucket_days([(50, 4), (100, 1), (199, 2), (200, 3), (300, 9)], boundaries)
    assert (days, before) == ([3, 3], 4)


def test_recall_probability_matches_fsrs() -> None:
    constants = decay_of(Settings().parameters)
    assert recall_probability(10, 10.0, constants) == pytest.approx(0.9)  # R is 90% after one stability
    state = MemoryState(State.REVIEW, None, 7.5, 5.0, utc(2026, 1, 20), utc(2026, 1, 1), 3, 0)
    now = utc(2026, 1, 13, 20)  # 12 days 20 hours: fsrs counts 12 whole days
    assert recall_probability(12, 7.5, constants) == pytest.approx(retrievability(state, now))


# ---- today -------------------------------------------------------------------------------------


def test_today_counts_only_the_study_day_after_the_rollover(col) -> None:
    now = utc(2026, 3, 10, 12)  # UTC zone, rollover 04:00: today is 03-10 04:00 .. 03-11 04:00
    add_review(col, "a0", utc(2026, 3, 10, 3, 59, 59), rating=1, state_before=0, duration_ms=99_000)  # yesterday
    add_review(col, "a0", utc(2026, 3, 10, 4, 0, 0), rating=1, state_before=0, interval_before=None, duration_ms=10_000)
    add_review(col, "a0", utc(2026, 3, 10, 5), rating=3, state_before=1, duration_ms=5_000)
    add_review(col, "a1", utc(2026, 3, 10, 11), rating=3, state_before=0, interval_before=None, duration_ms=7_000)
    add_review(col, "t0", utc(2026, 3, 10, 11, 30), rating=4, state_before=2, duration_ms=3_000)
    today = compute_stats(col, now, UTC)["today"]
    assert today == {
        "date": "2026-03-10",
        "reviews": 4,
        "cards": 3,
        "new_seen": 2,  # a0 and a1 were new; a0 counts once
        "time_ms": 25_000,
        "again_rate": pytest.approx(1 / 4),
        "ratings": {"again": 1, "hard": 0, "good": 2, "easy": 1},
    }


def test_today_follows_the_configured_rollover_hour(col) -> None:
    set_value(col, "day_starts_at", "0")
    add_review(col, "a0", utc(2026, 3, 10, 0, 30))
    add_review(col, "a1", utc(2026, 3, 9, 23, 59))
    today = compute_stats(col, utc(2026, 3, 10, 12), UTC)["today"]
    assert (today["date"], today["reviews"]) == ("2026-03-10", 1)


def test_answers_given_through_review_answer_are_counted(col) -> None:
    t = utc(2026, 3, 10, 9)
    answer(col, card_id(col, "a0"), Rating.AGAIN, t, duration_ms=4000)
    answer(col, card_id(col, "a0"), Rating.GOOD, t + timedelta(minutes=2), duration_ms=2000)
    figures = compute_stats(col, t + timedelta(minutes=5), UTC)
    assert figures["today"]["reviews"] == 2 and figures["today"]["new_seen"] == 1 and figures["today"]["time_ms"] == 6000
    assert figures["today"]["again_rate"] == pytest.approx(0.5)
    assert figures["cards"]["new"] == 9 and figures["cards"]["learning"] == 1


# ---- cards -------------------------------------------------------------------------------------


def test_card_counts_by_state_and_flag(col) -> None:
    now = utc(2026, 3, 10, 12)
    set_card(col, "a1", State.LEARNING, last=now - timedelta(minutes=5), due=now + timedelta(minutes=5), stability=1.0)
    set_card(col, "a2", State.REVIEW, last=now - 5 * DAY, due=now + 5 * DAY, stability=10.0)  # interval 10 d: young
    set_card(col, "t0", State.REVIEW, last=now - 10 * DAY, due=now + 11 * DAY, stability=30.0)  # interval 21 d: mature
    set_card(col, "t1", State.RELEARNING, last=now, due=now + timedelta(minutes=10), stability=2.0, leech=True)
    set_card(col, "t2", State.REVIEW, last=now - 40 * DAY, due=now - DAY, stability=40.0, suspended=True)  # 39 d: mature
    set_card(col, "t3", State.REVIEW, last=now - DAY, due=now + DAY, stability=3.0, buried_until=now + timedelta(hours=6))
    set_card(col, "t4", State.NEW, buried_until=now - DAY)  # burial over: not buried
    set_card(col, "o1", State.NEW, retired=True)
    cards = compute_stats(col, now, UTC)["cards"]
    # live: a0 a1 a2 t0..t4 o0 = 9 (d0 is a draft, o1 retired)
    assert cards == {
        "total": 9, "new": 3, "learning": 1, "review": 4, "relearning": 1, "young": 2, "mature": 2,
        "suspended": 1, "buried": 1, "leeches": 1, "drafts": 1, "retired": 1,
    }


# ---- forecast ----------------------------------------------------------------------------------


def test_forecast_per_study_day_across_dst(col) -> None:
    now = utc(2026, 3, 5, 17)  # 12:00 EST; today is 03-05, day 0
    due = {
        "a0": utc(2026, 3, 1, 12),  # overdue: counted today
        "a1": utc(2026, 3, 5, 20),  # later today
        "a2": utc(2026, 3, 6, 8, 59),  # 03:59 EST on 03-06: still study day 03-05
        "t0": utc(2026, 3, 9, 8, 30),  # 04:30 EDT on 03-09: day 03-09 (index 4); a fixed EST offset would say 03-08
        "t1": utc(2026, 3, 11, 12),  # 03-11: index 6, last day of next_7
        "t2": utc(2026, 3, 12, 12),  # 03-12: index 7, outside next_7
        "t3": utc(2026, 4, 3, 12),  # 04-03: index 29, last of next_30
        "t4": utc(2026, 4, 4, 12),  # 04-04: outside
        "o0": utc(2026, 3, 7, 12),  # suspended: never counted
    }
    for uid, when in due.items():
        set_card(col, uid, State.REVIEW, last=when - 3 * DAY, due=when, stability=3.0, suspended=uid == "o0")
    forecast = compute_stats(col, now, NY)["forecast"]
    per_day = {day["date"]: day["due"] for day in forecast["days"] if day["due"]}
    assert per_day == {"2026-03-05": 3, "2026-03-09": 1, "2026-03-11": 1, "2026-03-12": 1, "2026-04-03": 1}
    assert (forecast["overdue"], forecast["next_7"], forecast["next_30"]) == (1, 5, 7)
    assert len(forecast["days"]) == 30 and forecast["days"][0]["date"] == "2026-03-05"


# ---- retention ---------------------------------------------------------------------------------


def test_true_retention_windows_young_and_mature(col) -> None:
    now = utc(2026, 3, 11, 15)  # NY, today 03-11; 7-day window from 03-05 04:00 EST = 09:00 UTC
    # in all three windows
    add_review(col, "a0", utc(2026, 3, 5, 9), rating=3, interval_before=5)  # young pass (first instant of the window)
    add_review(col, "a0", utc(2026, 3, 10, 12), rating=1, interval_before=20.9)  # young fail
    add_review(col, "a1", utc(2026, 3, 11, 14), rating=2, interval_before=21)  # mature pass (21 d is mature)
    add_review(col, "a2", utc(2026, 3, 8, 7, 30), rating=4, interval_before=40)  # mature pass, 03:30 EDT = day 03-07
    # 30 and 365 days only
    add_review(col, "t0", utc(2026, 3, 5, 8, 59), rating=1, interval_before=30)  # 03:59 EST: day 03-04, mature fail
    add_review(col, "t0", utc(2026, 2, 10, 12), rating=3, interval_before=2)  # young pass
    # 365 days only: 30-day window starts 02-10 04:00 EST = 09:00 UTC
    add_review(col, "t1", utc(2026, 2, 10, 8, 59), rating=3, interval_before=25)  # mature pass
    add_review(col, "t1", utc(2025, 3, 12, 12), rating=1, interval_before=3)  # 365th day back: young fail
    # never counted
    add_review(col, "t2", utc(2025, 3, 11, 12), rating=1, interval_before=3)  # 366 days back
    add_review(col, "t2", utc(2026, 3, 10, 12), rating=1, state_before=1)  # a learning step, not a review
    add_review(col, "t3", utc(2026, 3, 10, 12), rating=3, state_before=3)  # relearning
    add_review(col, "t4", utc(2026, 3, 10, 12), rating=3, state_before=0, interval_before=None)  # new
    retention = compute_stats(col, now, NY)["retention"]
    assert retention["7d"]["young"] == {"passed": 1, "failed": 1, "retention": 0.5}
    assert retention["7d"]["mature"] == {"passed": 2, "failed": 0, "retention": 1.0}
    assert retention["7d"]["total"] == {"passed": 3, "failed": 1, "retention": 0.75}
    assert retention["30d"]["young"] == {"passed": 2, "failed": 1, "retention": pytest.approx(2 / 3)}
    assert retention["30d"]["mature"] == {"passed": 2, "failed": 1, "retention": pytest.approx(2 / 3)}
    assert retention["365d"]["young"] == {"passed": 2, "failed": 2, "retention": 0.5}
    assert retention["365d"]["mature"] == {"passed": 3, "failed": 1, "retention": 0.75}
    assert retention["365d"]["total"] == {"passed": 5, "failed": 3, "retention": 0.625}


def test_retention_is_none_without_answers(col) -> None:
    retention = compute_stats(col, utc(2026, 3, 11, 15), UTC)["retention"]
    assert retention["7d"]["total"] == {"passed": 0, "failed": 0, "retention": None}


# ---- streak and history ------------------------------------------------------------------------

# New York, rollover 04:00. Each entry: (UTC time, the study day it belongs to, worked out by hand).
DST_WEEK = [
    (utc(2026, 2, 20, 17), "2026-02-20"),  # an older run of 6 days: 02-20 .. 02-25
    (utc(2026, 2, 21, 17), "2026-02-21"),
    (utc(2026, 2, 22, 17), "2026-02-22"),
    (utc(2026, 2, 23, 17), "2026-02-23"),
    (utc(2026, 2, 24, 17), "2026-02-24"),
    (utc(2026, 2, 25, 17), "2026-02-25"),
    (utc(2026, 3, 7, 8, 59), "2026-03-06"),  # 03:59 EST: just before the rollover, still 03-06
    (utc(2026, 3, 7, 9, 0), "2026-03-07"),  # 04:00 EST: just after it
    (utc(2026, 3, 8, 7, 30), "2026-03-07"),  # 03:30 EDT on the DST morning: 03-07, a 23-hour day
    (utc(2026, 3, 8, 8, 30), "2026-03-08"),  # 04:30 EDT: 03-08 (a day boundary at 09:00 UTC would say 03-07)
    (utc(2026, 3, 9, 7, 59), "2026-03-08"),  # 03:59 EDT
    (utc(2026, 3, 9, 8, 0), "2026-03-09"),  # 04:00 EDT
    (utc(2026, 3, 10, 20), "2026-03-10"),
]


def test_each_review_lands_on_its_study_day(col) -> None:
    for at, day in DST_WEEK:
        assert study_day(at, NY, 4).isoformat() == day


def test_history_and_streaks_over_the_dst_week(col) -> None:
    for at, _day in DST_WEEK:
        add_review(col, "a0", at)
    now = utc(2026, 3, 11, 15)  # 11:00 EDT, today 03-11, nothing answered yet today
    streak = compute_stats(col, now, NY, days=7)["streak"]
    assert streak["history"] == [
        {"date": "2026-03-05", "reviews": 0},
        {"date": "2026-03-06", "reviews": 1},
        {"date": "2026-03-07", "reviews": 2},
        {"date": "2026-03-08", "reviews": 2},
        {"date": "2026-03-09", "reviews": 1},
        {"date": "2026-03-10", "reviews": 1},
        {"date": "2026-03-11", "reviews": 0},
    ]
    assert (streak["current"], streak["longest"], streak["days_studied"]) == (5, 6, 5)


def test_streak_counts_today_once_studied_and_breaks_after_a_missed_day(col) -> None:
    for at, _day in DST_WEEK:
        add_review(col, "a0", at)
    add_review(col, "a0", utc(2026, 3, 11, 14))
    assert compute_stats(col, utc(2026, 3, 11, 15), NY)["streak"]["current"] == 6
    assert compute_stats(col, utc(2026, 3, 13, 15), NY)["streak"]["current"] == 0  # 03-12 was missed


def test_history_spans_the_requested_days_and_a_year_by_default(col) -> None:
    add_review(col, "a0", utc(2025, 3, 12, 12))
    figures = compute_stats(col, utc(2026, 3, 11, 15), NY)
    history = figures["streak"]["history"]
    assert len(history) == 365 and history[0] == {"date": "2025-03-12", "reviews": 1} and history[-1]["date"] == "2026-03-11"
    assert len(compute_stats(col, utc(2026, 3, 11, 15), NY, days=30)["streak"]["history"]) == 30


def test_fall_back_day_is_25_hours_and_counted_once(col) -> None:
    # 2026-11-01 02:00 EDT -> 01:00 EST (06:00 UTC). Study day 10-31 runs from 04:00 EDT (08:00 UTC)
    # to 11-01 04:00 EST (09:00 UTC): 25 hours. A 24-hour day from 08:00 UTC would lose the hour.
    add_review(col, "a0", utc(2026, 10, 31, 8, 0))  # 04:00 EDT: 10-31
    add_review(col, "a0", utc(2026, 11, 1, 8, 30))  # 03:30 EST: still 10-31
    add_review(col, "a0", utc(2026, 11, 1, 9, 0))  # 04:00 EST: 11-01
    add_review(col, "a0", utc(2026, 11, 2, 8, 59))  # 03:59 EST: 11-01
    add_review(col, "a0", utc(2026, 11, 2, 9, 0))  # 04:00 EST: 11-02
    history = compute_stats(col, utc(2026, 11, 2, 15), NY, days=3)["streak"]["history"]
    assert history == [
        {"date": "2026-10-31", "reviews": 2},
        {"date": "2026-11-01", "reviews": 2},
        {"date": "2026-11-02", "reviews": 1},
    ]


# ---- topics and memory -------------------------------------------------------------------------


def memory_fixture(store, now: datetime) -> None:
    """Studied cards with known stabilities and elapsed days; answers for the topic retention."""
    set_card(store, "a0", State.REVIEW, last=now - 9 * DAY, due=now + DAY, stability=10.0)
    set_card(store, "a1", State.REVIEW, last=now - 30 * DAY, due=now, stability=10.0)  # R < 0.9
    set_card(store, "a2", State.REVIEW, last=now - timedelta(hours=20), due=now + 5 * DAY, stability=5.0)  # 0 whole days: R = 1
    set_card(store, "t0", State.LEARNING, last=now - timedelta(days=2, hours=23), due=now, stability=2.5, suspended=True)  # 2 whole days
    # autograd: 10 answers in the last 30 days, 6 passed; tensor-ops (t*, and a2): 4 answers, all passed
    for i in range(10):
        add_review(store, "a0" if i % 2 else "a1", now - timedelta(days=i + 1), rating=3 if i < 6 else 1)
    for i in range(3):
        add_review(store, "t0", now - timedelta(days=i + 1), rating=3)
    add_review(store, "a2", now - timedelta(days=3), rating=4)
    add_review(store, "t1", now - timedelta(days=40), rating=1)  # outside --days 30
    add_review(store, "t1", now - timedelta(days=2), rating=1, state_before=1)  # learning step: not a retention answer


def test_topics_and_memory(col) -> None:
    now = utc(2026, 3, 11, 15)
    memory_fixture(col, now)
    figures = compute_stats(col, now, UTC, days=30)
    constants = decay_of(Settings().parameters)
    r = {"a0": recall_probability(9, 10.0, constants), "a1": recall_probability(30, 10.0, constants), "a2": 1.0, "t0": recall_probability(2, 2.5, constants)}
    topics = {topic["topic"]: topic for topic in figures["topics"]}
    assert list(topics)[:2] == ["tensor-ops", "autograd"] and len(topics) == 15
    autograd = topics["autograd"]
    assert (autograd["cards"], autograd["studied"], autograd["reviews"], autograd["passed"]) == (3, 3, 11, 7)
    assert autograd["retention"] == pytest.approx(7 / 11)
    assert autograd["mean_retrievability"] == pytest.approx((r["a0"] + r["a1"] + r["a2"]) / 3)
    assert autograd["weak"] is True  # 63.6% < 90% - 5 points, on 11 answers
    tensor = topics["tensor-ops"]
    assert (tensor["cards"], tensor["studied"], tensor["reviews"], tensor["passed"]) == (6, 2, 4, 4)
    assert tensor["retention"] == 1.0 and tensor["mean_retrievability"] == pytest.approx((r["a2"] + r["t0"]) / 2)
    assert tensor["weak"] is False
    optimizers = topics["optimizers"]  # o0 o1 (d0 is a draft)
    assert (optimizers["cards"], optimizers["studied"], optimizers["retention"], optimizers["mean_retrievability"], optimizers["weak"]) == (2, 0, None, None, False)
    memory = figures["memory"]
    assert memory["cards"] == 4
    assert memory["average_retrievability"] == pytest.approx(sum(r.values()) / 4)
    assert memory["known_90"] == 3  # all but a1 (about 81%)
    assert r["a1"] < 0.85 and min(r["a0"], r["t0"]) > 0.9


def test_mean_retrievability_equals_the_scheduler(col) -> None:
    now = utc(2026, 3, 11, 15)
    memory_fixture(col, now)
    figures = compute_stats(col, now, UTC, days=30)
    states = {uid: find_card(col, uid).memory for uid in ("a0", "a1", "a2", "t0")}
    expected = sum(retrievability(state, now) for state in states.values()) / 4
    assert figures["memory"]["average_retrievability"] == pytest.approx(expected)


def test_per_deck_parameters_change_the_decay(col) -> None:
    now = utc(2026, 3, 11, 15)
    parameters = list(Settings().parameters)
    parameters[20] = 0.5
    set_value(col, "parameters", " ".join(str(p) for p in parameters), deck="Other")
    set_card(col, "o0", State.REVIEW, last=now - 20 * DAY, due=now, stability=4.0)
    set_card(col, "a0", State.REVIEW, last=now - 20 * DAY, due=now, stability=4.0)
    topics = {topic["topic"]: topic for topic in compute_stats(col, now, UTC)["topics"]}
    state = find_card(col, "o0").memory
    assert topics["optimizers"]["mean_retrievability"] == pytest.approx(retrievability(state, now, Settings(parameters=tuple(parameters))))
    assert topics["autograd"]["mean_retrievability"] == pytest.approx(retrievability(state, now))
    assert topics["optimizers"]["mean_retrievability"] != pytest.approx(topics["autograd"]["mean_retrievability"])


def test_low_recall_alone_marks_a_topic_weak(col) -> None:
    now = utc(2026, 3, 11, 15)
    for uid in ("t0", "t1", "t2", "t3", "t4"):
        set_card(col, uid, State.REVIEW, last=now - 60 * DAY, due=now - 50 * DAY, stability=10.0)  # far overdue
    topics = {topic["topic"]: topic for topic in compute_stats(col, now, UTC)["topics"]}
    assert topics["tensor-ops"]["reviews"] == 0 and topics["tensor-ops"]["weak"] is True


# ---- scope, schema, CLI ------------------------------------------------------------------------


def test_deck_scope_counts_only_that_deck(col) -> None:
    now = utc(2026, 3, 11, 15)
    set_card(col, "o0", State.REVIEW, last=now - DAY, due=now + DAY, stability=3.0)
    add_review(col, "o0", now - timedelta(hours=1), rating=1)
    add_review(col, "a0", now - timedelta(hours=1), rating=3)
    add_review(col, "a0", now - 2 * DAY, rating=3)
    figures = compute_stats(col, now, UTC, deck="Other")
    assert figures["cards"]["total"] == 2 and figures["today"]["reviews"] == 1 and figures["today"]["again_rate"] == 1.0
    assert figures["retention"]["7d"]["total"] == {"passed": 0, "failed": 1, "retention": 0.0}
    assert figures["forecast"]["next_7"] == 1 and figures["streak"]["longest"] == 1
    assert {t["topic"]: t["reviews"] for t in figures["topics"] if t["reviews"]} == {"optimizers": 1}
    with pytest.raises(SrsError, match="no deck named 'Nope'"):
        compute_stats(col, now, UTC, deck="Nope")
    with pytest.raises(SrsError, match="--days"):
        compute_stats(col, now, UTC, days=0)


def test_empty_collection(store) -> None:
    figures = compute_stats(store, utc(2026, 3, 11, 15), UTC)
    assert figures["today"]["reviews"] == 0 and figures["today"]["again_rate"] is None
    assert figures["cards"]["total"] == 0 and figures["forecast"]["next_30"] == 0
    assert figures["streak"]["current"] == 0 and figures["streak"]["longest"] == 0
    assert figures["memory"] == {"cards": 0, "average_retrievability": None, "known_90": 0}


def test_stats_indexes_exist(store) -> None:
    with store.read() as conn:
        rows = conn.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'index'").fetchall()
    names = {(table, name) for table, name in rows}
    assert {("review", "ix_review_stats"), ("review", "ix_review_card_stats"), ("review", "ix_review_card")} <= names
    assert ("review", "ix_review_time") not in names
    assert ("card", "ix_card_stats") not in names  # since v14 the card row holds no text: stats scan it, answers skip the index


def test_cli_json_has_the_stable_top_level_keys(col) -> None:
    add_review(col, "a0", datetime.now(UTC) - timedelta(minutes=5), rating=1)
    result = CliRunner().invoke(app, ["stats", "--json", "--db", str(col.path), "--days", "30"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert list(figures) == ["today", "cards", "forecast", "retention", "streak", "topics", "memory", "quizzes"]
    assert list(figures["retention"]) == ["7d", "30d", "365d"] and len(figures["streak"]["history"]) == 30
    assert sum(day["reviews"] for day in figures["streak"]["history"]) == 1


def test_cli_text_output_shows_every_section(col) -> None:
    now = datetime.now(UTC)
    set_card(col, "a0", State.REVIEW, last=now - DAY, due=now + 2 * DAY, stability=3.0)
    add_review(col, "a0", now - timedelta(minutes=5), rating=3)
    result = CliRunner().invoke(app, ["stats", "--db", str(col.path), "--deck", "Stats"])
    assert result.exit_code == 0, result.output
    for heading in ("Today", "Cards", "True retention", "Topics", "Due:", "Streak", "Memory", "less"):
        assert heading in result.output
    assert "\x1b[" not in result.output  # no colour codes when not writing to a terminal


def test_cli_text_output_of_an_empty_collection(store) -> None:
    result = CliRunner().invoke(app, ["stats", "--db", str(store.path), "--days", "1"])
    assert result.exit_code == 0, result.output
    assert "Due: 0 in 7 days" in result.output and "current 0 days" in result.output


def test_cli_unknown_deck_is_a_user_error(col) -> None:
    result = CliRunner().invoke(app, ["stats", "--db", str(col.path), "--deck", "Nope"])
    assert result.exit_code != 0 and "no deck named" in str(result.exception)


def test_quiz_history_is_counted_and_scored(tmp_path) -> None:
    from srs.decks import sync_paths
    from srs.quiz import QuizRun, plan_quiz
    from srs.stats import compute_stats
    from srs.storage import open_store
    from tests.conftest import simple_deck

    deck = tmp_path / "q.yaml"
    deck.write_text(simple_deck(4, deck="Quiz::A"))
    store = open_store(tmp_path / "q.db")
    try:
        sync_paths(store, [deck], now=utc(2026, 3, 1, 12))
        for correct in ((True, True), (True, False)):
            plan = plan_quiz(store, 2, deck="Quiz::A", now=utc(2026, 3, 1, 12))
            run = QuizRun(store, plan, deck="Quiz::A", now=utc(2026, 3, 1, 12))
            for question, right in zip(plan.questions, correct):
                run.record(question, right, 4000, False, Rating.GOOD if right else Rating.AGAIN, utc(2026, 3, 1, 12, 1))
            run.finish(utc(2026, 3, 1, 12, 2))
        quizzes = compute_stats(store, utc(2026, 3, 1, 13), UTC)["quizzes"]
        other = compute_stats(store, utc(2026, 3, 1, 13), UTC, deck="Quiz")["quizzes"]
    finally:
        store.close()
    assert quizzes["count"] == 2 and quizzes["average_score"] == 0.75
    assert [q["score"] for q in quizzes["history"]] == [1.0, 0.5] and quizzes["history"][0]["time_used_ms"] == 8000
    assert other["count"] == 2


def _forecast_figures(counts: list[int]) -> dict:
    first = date(2026, 3, 2)
    return {"days": [{"date": (first + timedelta(days=i)).isoformat(), "due": n} for i, n in enumerate(counts)],
            "next_7": sum(counts[:7]), "next_30": sum(counts), "overdue": 0}


def _printed(render, *args, width: int = 100) -> str:
    import io

    from rich.console import Console

    out = io.StringIO()
    render(Console(file=out, width=width, color_system=None), *args)
    return out.getvalue()


def test_forecast_chart_counts_whole_cards_and_each_date_stands_under_its_bar() -> None:
    from srs.charts import column_chart

    counts = [0, 3, 0, 1, 12] + [0] * 24 + [7]
    for width in (60, 80, 100):
        chart = column_chart(counts, date(2026, 3, 2), width)
        labels = [line[: chart.margin - 1].strip() for line in chart.rows]
        assert all(label == "" or label.isdigit() for label in labels) and labels[0] == "12"  # whole cards, top = busiest day
        bars = [line[chart.margin :] for line in chart.rows]
        step = 3 if width - chart.margin >= 90 else 2
        for day, count in enumerate(counts[: chart.days_shown]):
            column = [row[day * step] if day * step < len(row) else " " for row in bars]
            assert (set(column) != {" "}) == (count > 0), (width, day)  # every day has its own column
            assert all(row[day * step + step - 1 : day * step + step] in ("", " ") for row in bars)  # a gap after each bar
        assert max(len(line) for line in chart.lines) <= width
        assert chart.labels[chart.margin : chart.margin + 5] == "03-02"  # today under the first bar
        tomorrow = chart.labels.find("03-0", chart.margin + 5)
        assert (tomorrow - chart.margin) % step == 0 and chart.axis[tomorrow] == "┬"  # each label over its own day's tick
        day_of_label = (tomorrow - chart.margin) // step
        assert chart.labels[tomorrow : tomorrow + 5] == (date(2026, 3, 2) + timedelta(days=day_of_label)).strftime("%m-%d")
    assert column_chart(counts, date(2026, 3, 2), 100).days_shown == 30 and column_chart(counts, date(2026, 3, 2), 60).days_shown == 29


def test_forecast_with_nothing_due_says_so_instead_of_an_empty_axis() -> None:
    from srs.cli.stats import _print_forecast

    text = _printed(_print_forecast, _forecast_figures([0] * 30))
    assert "No cards due in the next 30 days." in text and "-1" not in text and "0.5" not in text


def test_forecast_in_the_cli_is_drawn_with_integer_ticks() -> None:
    from srs.cli.stats import _print_forecast

    text = _printed(_print_forecast, _forecast_figures([1, 2] + [0] * 28), width=60)
    ticks = [line.split("│")[0].strip() for line in text.splitlines() if "│" in line]
    assert ticks and all(tick == "" or tick.isdigit() for tick in ticks) and "." not in "".join(ticks)
    assert "03-02" in text and "03-03" not in text.split("03-02")[0]


def test_state_table_fits_sixty_columns_and_every_topic_column_has_a_title(col) -> None:
    from srs.cli.stats import _cards_table, _topics_table

    figures = compute_stats(col, deck="Stats")
    cards = _printed(lambda console: console.print(_cards_table(figures)), width=60)
    assert max(len(line) for line in cards.splitlines()) <= 60 and "…" not in cards
    assert "Relearning" in cards and "Suspended" in cards
    topics = _topics_table(figures)
    assert all(str(column.header).strip() for column in topics.columns)
    narrow = _printed(lambda console: console.print(_topics_table(figures, 60)), width=60)
    assert "…" not in narrow and "Retention" in narrow and max(len(line) for line in narrow.splitlines()) <= 60


def test_calendar_month_labels_name_every_month_in_range() -> None:
    from srs.charts import month_header as _month_header

    for first in (date(2026, 8, 3), date(2026, 8, 31), date(2025, 12, 29)):
        weeks = 18
        header = _month_header(first, weeks)
        last = first + timedelta(weeks=weeks) - timedelta(days=1)
        month, wanted = date(first.year, first.month, 1), []
        while month <= last:
            wanted.append(month.strftime("%b"))
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        named = header.split()
        assert named == wanted or named == wanted[1:], (first, header)  # a partial first week may give way
        for label in named[1:]:  # each month's label sits over the week that holds its 1st
            column = (header.index(label) - 4)
            monday = first + timedelta(weeks=column)
            assert any((monday + timedelta(days=d)).day == 1 and (monday + timedelta(days=d)).strftime("%b") == label for d in range(7))


def test_plotext_charts_honour_no_color(monkeypatch) -> None:
    from srs.cli import simulate

    monkeypatch.setattr(simulate.sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert simulate.colour_wanted()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not simulate.colour_wanted()
