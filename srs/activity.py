"""Today's study activity for the deck list: answers and time today, and the current streak.

A streak is the number of consecutive study days with at least one answer, ending today, or
yesterday while today has no answer yet (the streak is not broken until today is over).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from srs import settings
from srs.clock import day_start, local_zone, study_day, utc_now
from srs.storage import Store
from srs.storage import activity_store

MAX_STREAK_DAYS = 36500  # a bound on the day-by-day walk; nobody has studied for a century


@dataclass(frozen=True)
class Activity:
    """What was studied today."""

    answers: int
    seconds: float
    streak: int


def current_streak(store: Store, now: datetime | None = None, zone: tzinfo | None = None, rollover_hour: int | None = None) -> int:
    """Consecutive study days with an answer, up to today (or yesterday if today has none yet)."""
    now = now or utc_now()
    zone = zone or local_zone()
    hour = settings.load(store).day_starts_at if rollover_hour is None else rollover_hour
    day = study_day(now, zone, hour)
    streak = 0
    with store.read() as conn:
        if not activity_store.any_answer_between(conn, day_start(day, zone, hour), day_start(day + timedelta(days=1), zone, hour)):
            day -= timedelta(days=1)
        while streak < MAX_STREAK_DAYS and activity_store.any_answer_between(
            conn, day_start(day, zone, hour), day_start(day + timedelta(days=1), zone, hour)
        ):
            streak += 1
            day -= timedelta(days=1)
    return streak


def today_activity(store: Store, now: datetime | None = None, zone: tzinfo | None = None) -> Activity:
    """Answers and study time so far today, and the current streak."""
    now = now or utc_now()
    zone = zone or local_zone()
    hour = settings.load(store).day_starts_at
    today = study_day(now, zone, hour)
    with store.read() as conn:
        answers, duration_ms = activity_store.answers_between(
            conn, day_start(today, zone, hour), day_start(today + timedelta(days=1), zone, hour)
        )
    return Activity(answers=answers, seconds=duration_ms / 1000, streak=current_streak(store, now, zone, hour))
