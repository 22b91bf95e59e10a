"""``--with-scheduling``: each card's state and its review log as Anki stores them.

Anki keeps a review card's due date as a day number counted from the collection's creation day
(``col.crt``) and a learning card's as epoch seconds; on import it moves day numbers from the
package's "today" to its own. We date ``crt`` at the start of a study day (local zone, rollover
hour), so a due day written here is the same study day in Anki. The FSRS memory state goes in the
card's ``data`` (``s``, ``d``, ``dr``, ``lrt``), as Anki writes it; every answer becomes a revlog row
dated to its millisecond (bumped by one where two answers share one), which is how ``srs import
anki`` recognises its own answers when the package comes back.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import NamedTuple

from srs.clock import day_bounds, study_day
from srs.model import MemoryState, State
from srs.scheduling import Settings
from srs.storage.review_store import memory_from_json
from srs.storage.timecodec import from_us

REVLOG_KIND = {State.NEW: 0, State.LEARNING: 0, State.REVIEW: 1, State.RELEARNING: 2}  # learn, review, relearn
DEFAULT_FACTOR = 2500
MAX_TIME_MS = 60_000  # Anki records at most a minute per answer by default


class CardSchedule(NamedTuple):
    """The scheduling columns of one Anki card: type queue due ivl factor reps lapses left data."""

    type: int
    queue: int
    due: int | None
    ivl: int
    factor: int
    reps: int
    lapses: int
    left: int
    data: str


class Revlog(NamedTuple):
    """One revlog row but its card id: id ease ivl lastIvl factor time type."""

    id: int
    ease: int
    ivl: int
    last_ivl: int
    factor: int
    time: int
    kind: int


def anki_interval(state: MemoryState, moment: datetime) -> int:
    """Anki's revlog interval: whole days for a review card, negative seconds for a (re)learning step."""
    if state.due is None or state.state == State.NEW:
        return 0
    if state.state == State.REVIEW:
        return max(1, round((state.due - moment).total_seconds() / 86400))
    return -max(1, round((state.due - moment).total_seconds()))


def collection_start(now: datetime, earliest: datetime | None, zone: tzinfo, rollover: int) -> datetime:
    """``col.crt``: the start of the study day of ``now`` or of the earliest due date, whichever is first."""
    moment = min(now, earliest) if earliest is not None else now
    return day_bounds(moment, zone, rollover)[0]


def card_schedule(memory: MemoryState, suspended: bool, crt_day, settings: Settings, zone: tzinfo) -> CardSchedule:
    """The card's state in Anki's columns (``crt_day`` is the study day of ``col.crt``); a new card keeps its position (due None)."""
    if memory.state == State.NEW or memory.due is None:
        return CardSchedule(0, -1 if suspended else 0, None, 0, 0, 0, 0, 0, "{}")
    rollover = settings.day_starts_at
    last = memory.last_review or memory.due
    data = {"s": round(memory.stability or 0.0, 4), "d": round(memory.difficulty or 0.0, 4), "dr": settings.desired_retention, "lrt": int(last.timestamp())}
    if memory.state == State.REVIEW:
        due = (study_day(memory.due, zone, rollover) - crt_day).days
        ivl = max(1, (study_day(memory.due, zone, rollover) - study_day(last, zone, rollover)).days)
        queue, left = 2, 0
    else:
        due = int(memory.due.timestamp())
        ivl = 0
        queue = 1
        steps = settings.learning_steps if memory.state == State.LEARNING else settings.relearning_steps
        left = max(1, len(steps) - (memory.step or 0))
    return CardSchedule(int(memory.state), -1 if suspended else queue, due, ivl, DEFAULT_FACTOR, memory.reps, memory.lapses, left, json.dumps(data))


def revlog_rows(log: list[tuple], taken: set[int]) -> list[Revlog]:
    """A card's answers as revlog rows; ``taken`` holds the ids used so far (revlog ids are unique across cards)."""
    rows = []
    for rating, at_us, duration, before_json, after_json in log:
        before, after = memory_from_json(before_json)[0], memory_from_json(after_json)[0]
        moment = from_us(at_us)
        revlog_id = at_us // 1000
        while revlog_id in taken:
            revlog_id += 1
        taken.add(revlog_id)
        kind = REVLOG_KIND[before.state]
        rows.append(Revlog(
            revlog_id, rating, anki_interval(after, moment), anki_interval(before, moment),
            0 if kind == 0 else DEFAULT_FACTOR, min(max(duration or 0, 0), MAX_TIME_MS), kind,
        ))
    return rows


def earliest_due(states: list[MemoryState]) -> datetime | None:
    dues = [state.due for state in states if state.state == State.REVIEW and state.due is not None]
    return min(dues) if dues else None

