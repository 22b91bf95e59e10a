"""Today's study activity for the deck list: answers and time today, and the current streak.

The figures are those of ``srs stats`` (``srs.stats``): the same study days, the same streak rule
(consecutive days with an answer, ending today, or yesterday while today has none yet), the same
queries. Only the history the streak needs is read, not the whole log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from srs import settings, stats
from srs.clock import day_start, local_zone, study_day, utc_now
from srs.model import Scope
from srs.storage import Store, stats_store
from srs.storage.timecodec import from_us, to_us

FIRST_WINDOW_DAYS = 64  # most streaks end inside this window; a longer one widens it


@dataclass(frozen=True)
class Activity:
    """What was studied today."""

    answers: int
    cards: int  # distinct cards answered (a card answered twice counts once)
    seconds: float
    streak: int


def current_streak(store: Store, now: datetime | None = None, zone: tzinfo | None = None, rollover_hour: int | None = None) -> int:
    """The streak ``srs stats`` shows, reading days back from today only until the streak is broken."""
    now = now or utc_now()
    zone = zone or local_zone()
    hour = settings.load(store).day_starts_at if rollover_hour is None else rollover_hour
    today = study_day(now, zone, hour)
    with store.read() as conn:
        first_us = stats_store.first_review_us(conn, Scope())
        if first_us is None:
            return 0
        first_day = min(study_day(from_us(first_us), zone, hour), today)
        window = FIRST_WINDOW_DAYS
        while True:
            start = max(first_day, today - timedelta(days=window - 1))
            span = (today - start).days + 1
            daily = stats_store.daily_review_counts(conn, Scope(), stats.day_boundaries(start, span, zone, hour))
            streak = stats.current_streak(daily)
            if start == first_day or streak < span - 1:  # the window holds the whole streak
                return streak
            window *= 4


def today_activity(store: Store, now: datetime | None = None, zone: tzinfo | None = None) -> Activity:
    """Answers and study time so far today, and the current streak."""
    now = now or utc_now()
    zone = zone or local_zone()
    hour = settings.load(store).day_starts_at
    today = study_day(now, zone, hour)
    start, end = (to_us(day_start(today + timedelta(days=i), zone, hour)) for i in (0, 1))
    with store.read() as conn:
        totals = stats_store.today_totals(conn, Scope(), start, end)
    return Activity(answers=totals["reviews"], cards=totals["cards"], seconds=totals["time_ms"] / 1000, streak=current_streak(store, now, zone, hour))
