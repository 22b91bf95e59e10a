"""Local days with a rollover hour (Anki's "next day starts at 4am"), correct across DST.

Inside srs every moment is aware UTC; only "which day is it" looks at the local zone.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def local_zone() -> tzinfo:
    """The machine's zone as a real IANA zone when it can be found (so DST rules apply)."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = Path("/etc/localtime").resolve()
            if "zoneinfo" in target.parts:
                name = "/".join(target.parts[target.parts.index("zoneinfo") + 1 :])
        except OSError:
            name = ""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        return datetime.now().astimezone().tzinfo or timezone.utc
    except (ValueError, OverflowError, OSError):  # a TZ the C library reads as a day's offset or more (TZ=UTC+99)
        return timezone.utc


def utc_now() -> datetime:
    """The current moment, aware UTC."""
    return datetime.now(timezone.utc)


def study_day(moment: datetime, zone: tzinfo, rollover_hour: int) -> date:
    """The study day a moment belongs to: its local date, counting hours before the rollover as the day before."""
    local = moment.astimezone(zone)
    # Wall-clock arithmetic: 03:59 local belongs to yesterday whatever the UTC offset is today.
    return (local.replace(tzinfo=None) - timedelta(hours=rollover_hour)).date()


def day_start(day: date, zone: tzinfo, rollover_hour: int) -> datetime:
    """The UTC moment a study day begins (its local rollover hour)."""
    local = datetime.combine(day, time(rollover_hour), tzinfo=zone)
    return local.astimezone(timezone.utc)


def day_bounds(moment: datetime, zone: tzinfo, rollover_hour: int) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of the study day holding ``moment``, in UTC.

    The last bounds are remembered: every answer asks whether it came before its day's end (~3 us to compute), and
    a moment between them belongs to that day (tests/test_clock.py checks it across DST changes).
    """
    global _last_bounds
    last = _last_bounds
    if last[0] is zone and last[1] == rollover_hour and last[2] <= moment < last[3]:
        return last[2], last[3]
    today = study_day(moment, zone, rollover_hour)
    start, end = day_start(today, zone, rollover_hour), day_start(today + timedelta(days=1), zone, rollover_hour)
    _last_bounds = (zone, rollover_hour, start, end)
    return start, end


_last_bounds: tuple = (None, None, None, None)  # (zone, rollover hour, start, end) of the last day_bounds
