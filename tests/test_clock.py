"""Study days: ``day_bounds`` remembers its last bounds, and must answer as if it computed every call afresh."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from srs import clock

# Zones whose clocks change at midnight (Santiago), by half an hour (Lord Howe), at the rollover hour itself
# (Berlin at 2-3, Havana at 0-1), or never (Tokyo).
ZONES = [ZoneInfo(name) for name in ("Europe/Berlin", "America/New_York", "America/Santiago", "Australia/Lord_Howe", "America/Havana", "Asia/Tokyo")]
START = datetime(2024, 1, 1, tzinfo=timezone.utc)

moments = st.integers(min_value=0, max_value=3 * 366 * 24 * 60).map(lambda minutes: START + timedelta(minutes=minutes))


def fresh_bounds(moment: datetime, zone, hour: int) -> tuple[datetime, datetime]:
    today = clock.study_day(moment, zone, hour)
    return clock.day_start(today, zone, hour), clock.day_start(today + timedelta(days=1), zone, hour)


@settings(max_examples=1500, deadline=None)
@given(first=moments, offset=st.integers(min_value=-26 * 60, max_value=26 * 60), zone=st.sampled_from(ZONES), hour=st.integers(0, 23))
def test_remembered_bounds_equal_fresh_ones(first: datetime, offset: int, zone, hour: int) -> None:
    clock.day_bounds(first, zone, hour)  # remembered ...
    second = first + timedelta(minutes=offset)
    assert clock.day_bounds(second, zone, hour) == fresh_bounds(second, zone, hour)  # ... and asked again nearby


def test_every_minute_around_dst_changes_belongs_to_its_bounds() -> None:
    """Minute by minute across both of Berlin's and Lord Howe's changes in 2024, at every rollover hour."""
    for zone, days in ((ZoneInfo("Europe/Berlin"), ("2024-03-30", "2024-10-26")), (ZoneInfo("Australia/Lord_Howe"), ("2024-04-06", "2024-10-05"))):
        for day in days:
            start = datetime.fromisoformat(day).replace(tzinfo=timezone.utc)
            for hour in range(24):
                for minute in range(0, 3 * 24 * 60, 7):
                    moment = start + timedelta(minutes=minute)
                    bounds = clock.day_bounds(moment, zone, hour)
                    assert bounds == fresh_bounds(moment, zone, hour)
                    assert bounds[0] <= moment < bounds[1]


def test_another_zone_or_hour_is_not_answered_from_memory() -> None:
    moment = datetime(2024, 6, 1, 12, tzinfo=timezone.utc)
    berlin, tokyo = ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Tokyo")
    clock.day_bounds(moment, berlin, 4)
    assert clock.day_bounds(moment, tokyo, 4) == fresh_bounds(moment, tokyo, 4)
    assert clock.day_bounds(moment, tokyo, 0) == fresh_bounds(moment, tokyo, 0)
