"""Datetimes at the storage boundary: aware UTC in Python, integer microseconds in SQLite.

Integers sort and compare fast in the queue query and never come back naive.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def to_us(moment: datetime | None) -> int | None:
    """Aware datetime -> microseconds since the epoch. Naive datetimes are refused."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime reached the storage boundary; use an aware UTC datetime")
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(value: int | None) -> datetime | None:
    """Microseconds since the epoch -> aware UTC datetime."""
    if value is None:
        return None
    return EPOCH + timedelta(microseconds=value)
