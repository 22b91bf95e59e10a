"""Rescheduling: each card's history answered again with new parameters, log and card rewritten together."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone, tzinfo
from itertools import groupby
from operator import itemgetter

from srs import scheduling
from srs import settings as srs_settings
from srs.clock import day_bounds, local_zone, study_day, utc_now
from srs.model import MemoryState, Rating, Scope
from srs.review import check_deck
from srs.scheduling import Settings
from srs.storage import Store, optimize_store
from srs.storage.backup import make_backup
from srs.storage.review_store import deck_names, memory_from_json, memory_to_json
from srs.storage.timecodec import from_us


@dataclass(frozen=True)
class Change:
    """One card's state now and after replaying its history."""

    card_id: int
    old: MemoryState
    new: MemoryState
    log: tuple[tuple[int, str, str], ...] = ()  # (review id, before-JSON, after-JSON) rewritten with the replay


@dataclass(frozen=True)
class ReschedulePlan:
    """The cards whose state a replay changes, and a summary of the new due dates."""

    parameters: tuple[float, ...]
    replayed: int  # cards whose history was replayed
    changes: tuple[Change, ...]
    earlier: int  # due on an earlier study day than now
    later: int
    same_day: int  # due the same day (memory state or time of day changed)
    median_shift_days: float  # over the cards whose due date moved (signed; 0 if none)
    due_today_before: int  # cards due by the end of today, now and after
    due_today_after: int


def settings_by_deck(store: Store, parameters: Sequence[float] | None = None, deck: str | None = None) -> Callable[[int], Settings]:
    """deck id -> effective settings; with ``parameters``, as if they were stored for ``deck`` (or globally)."""
    stored = {scope: dict(values) for scope, values in srs_settings.load_all(store).items()}
    if parameters is not None:
        stored.setdefault(deck or srs_settings.GLOBAL, {})["parameters"] = list(parameters)
    with store.read() as conn:
        names = deck_names(conn)
    cache: dict[int, Settings] = {}

    def for_deck(deck_id: int) -> Settings:
        if deck_id not in cache:
            cache[deck_id] = srs_settings.resolve(stored, names.get(deck_id))
        return cache[deck_id]

    return for_deck


def replay(entries: Sequence[tuple], card_id: int, settings: Settings, zone: tzinfo = timezone.utc) -> MemoryState:
    """A card's state after answering its logged ratings again, in order, from its first logged state.

    Rows are (card_id, deck_id, rating, reviewed_at_us, before-JSON, ...). ``scheduling.review`` seeds the
    fuzz with the card id and review count, so a replay with unchanged settings gives the card's state.
    """
    return replay_steps(entries, card_id, settings, zone)[-1][1]


def replay_steps(entries: Sequence[tuple], card_id: int, settings: Settings, zone: tzinfo = timezone.utc) -> list[tuple[MemoryState, MemoryState]]:
    """(before, after) of each logged answer when the history is answered again."""
    state = memory_from_json(entries[0][4])[0]
    steps = []
    for entry in entries:
        after = scheduling.review(state, Rating(entry[2]), from_us(entry[3]), card_id, settings, zone)
        steps.append((state, after))
        state = after
    return steps


def _log_rewrites(entries: Sequence[tuple], steps: list[tuple[MemoryState, MemoryState]]) -> tuple[tuple[int, str, str], ...]:
    """The review rows' JSON with the replayed states (each entry's flags kept as they were)."""
    rewrites = []
    for entry, (before, after) in zip(entries, steps):
        _, before_flags = memory_from_json(entry[4])
        _, after_flags = memory_from_json(entry[6])
        rewrites.append((entry[5], memory_to_json(before, before_flags), memory_to_json(after, after_flags)))
    return tuple(rewrites)


def plan_reschedule(
    store: Store, parameters: Sequence[float], deck: str | None = None, now: datetime | None = None, zone: tzinfo | None = None
) -> ReschedulePlan:
    """What replaying every answered card of ``deck`` (or the collection) with ``parameters`` would change.

    Cards in subdecks that set parameters of their own keep them and are not replayed.
    """
    check_deck(store, deck)
    parameters = tuple(float(value) for value in parameters)
    now, zone = now or utc_now(), zone or local_zone()
    settings_for = settings_by_deck(store, parameters, deck)
    with store.read() as conn:
        rows = optimize_store.replay_log(conn, Scope(deck=deck))
        states = optimize_store.card_states(conn, Scope(deck=deck))
    changes, replayed = [], 0
    for card_id, group in groupby(rows, key=itemgetter(0)):
        entries = list(group)
        settings = settings_for(entries[0][1])
        if settings.parameters != parameters or card_id not in states:
            continue
        replayed += 1
        steps = replay_steps(entries, card_id, settings, zone)
        new = steps[-1][1]
        if new != states[card_id]:
            changes.append(Change(card_id, states[card_id], new, _log_rewrites(entries, steps)))
    return _summarise(parameters, replayed, changes, now, zone, srs_settings.load(store, deck).day_starts_at)


def _summarise(parameters: tuple[float, ...], replayed: int, changes: list[Change], now: datetime, zone: tzinfo, rollover: int) -> ReschedulePlan:
    day_end = day_bounds(now, zone, rollover)[1]
    earlier = later = same = 0
    shifts = []
    for change in changes:
        old_day, new_day = _due_day(change.old, zone, rollover), _due_day(change.new, zone, rollover)
        if old_day is None or new_day is None or old_day == new_day:
            same += 1
            continue
        earlier += new_day < old_day
        later += new_day > old_day
        shifts.append((new_day - old_day).days)
    due_before = sum(1 for c in changes if c.old.due is not None and c.old.due < day_end)
    due_after = sum(1 for c in changes if c.new.due is not None and c.new.due < day_end)
    return ReschedulePlan(
        parameters, replayed, tuple(changes), earlier, later, same,
        float(statistics.median(shifts)) if shifts else 0.0, due_before, due_after,
    )


def _due_day(state: MemoryState, zone: tzinfo, rollover: int) -> date | None:
    return study_day(state.due, zone, rollover) if state.due is not None else None


def apply_reschedule(store: Store, plan: ReschedulePlan) -> int:
    """Write a plan's new card states in one transaction. Cards answered since the plan was made are left alone.

    Returns how many cards were updated.
    """
    if plan.changes:
        make_backup(store.path, "before-reschedule")
    with store.write() as conn:
        return optimize_store.update_states(conn, [(c.card_id, c.old, c.new, list(c.log)) for c in plan.changes])
