"""Parity with Anki: after any rating sequence, our (stability, difficulty) equal what the official ``anki``
package's FSRS computes from the same review log with the same parameters.

Anki side: a headless collection with FSRS on and our parameters in the deck config (``fsrsParams6``), one
note per sequence, the sequence written as revlog rows, then ``col.compute_memory_state(card_id)``.

Elapsed days: Anki counts study days (day cutoff at the rollover hour, collection time zone); so does srs (it
hands fsrs a last-review time shifted to whole study days). The sequences place review ``i`` on its chosen day
at 12:00 plus ``i`` seconds, with TZ=UTC; dedicated tests put reviews either side of the 04:00 rollover.

Tolerance 1e-4: absolute for difficulty (1..10); relative for stability, because Anki computes and returns f32
(one f32 step is already 0.001 at a stability of 12,800 days).
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from anki.collection import Collection
from anki.decks import DeckId

from srs import scheduling
from srs.model import MemoryState, Rating, State

START = datetime(2010, 1, 4, 12, 0, tzinfo=timezone.utc)  # every review is in the past: Anki counts days back from today
REVLOG_TYPE = {State.NEW: 0, State.LEARNING: 0, State.REVIEW: 1, State.RELEARNING: 2}  # learn, review, relearn
MAX_DAY = 5000  # every review before today (the stability cap has its own test)
TOLERANCE = 1e-4
_card_serial = itertools.count()


@pytest.fixture(scope="module")
def col(tmp_path_factory) -> Iterator[Collection]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "UTC")  # Anki's day cutoff follows the process' local zone
        time.tzset()
        collection = Collection(str(tmp_path_factory.mktemp("anki") / "parity.anki2"))
        try:
            collection.set_config("fsrs", True)
            config = collection.decks.config_dict_for_deck_id(DeckId(1))
            config["fsrsParams6"] = list(scheduling.DEFAULT_PARAMETERS)
            config["desiredRetention"] = scheduling.Settings().desired_retention
            collection.decks.update_config(config)
            assert collection.sched.day_cutoff % 86400 == 4 * 3600  # rollover at 04:00 UTC
            yield collection
        finally:
            collection.close()
    time.tzset()


def timeline(days_and_ratings: list[tuple[int, int]]) -> list[tuple[datetime, Rating]]:
    """Review ``i`` at 12:00:00 + i seconds on its day (plus a per-card millisecond so revlog ids stay unique)."""
    card = next(_card_serial) % 1000
    assert max(day for day, _ in days_and_ratings) <= MAX_DAY
    return [(START + timedelta(days=day, seconds=i, milliseconds=card), Rating(rating)) for i, (day, rating) in enumerate(days_and_ratings)]


def ours(reviews: list[tuple[datetime, Rating]]) -> tuple[MemoryState, list[tuple]]:
    """Our final state, and the revlog rows (time, ease, ivl, lastIvl, type) Anki would have written."""
    state, rows = MemoryState(), []
    for moment, rating in reviews:
        after = scheduling.review(state, rating, moment, 1, scheduling.Settings())
        rows.append((moment, int(rating), _revlog_interval(after, moment), _revlog_interval(state, moment), REVLOG_TYPE[state.state]))
        state = after
    return state, rows


def _revlog_interval(state: MemoryState, moment: datetime) -> int:
    """Anki's revlog interval: days for review cards, negative seconds for (re)learning steps."""
    if state.due is None:
        return 0
    if state.state == State.REVIEW:
        return (state.due - moment).days
    return -round((state.due - moment).total_seconds())


def anki(col: Collection, rows: list[tuple]) -> tuple[float, float]:
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = "q", "a"
    col.add_note(note, DeckId(1))
    card_id = note.card_ids()[0]
    for moment, ease, ivl, last_ivl, kind in rows:
        col.db.execute(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) VALUES (?, ?, -1, ?, ?, ?, ?, 8000, ?)",
            int(moment.timestamp() * 1000), card_id, ease, ivl, last_ivl, 0 if kind == 0 else 2500, kind,
        )
    computed = col.compute_memory_state(card_id)
    return computed.stability, computed.difficulty


def assert_same_memory(col: Collection, days_and_ratings: list[tuple[int, int]]) -> None:
    state, rows = ours(timeline(days_and_ratings))
    stability, difficulty = anki(col, rows)
    where = f"sequence {days_and_ratings}"
    assert math.isclose(state.stability, stability, rel_tol=TOLERANCE), f"stability {state.stability} vs Anki {stability} ({where})"
    assert abs(state.difficulty - difficulty) <= TOLERANCE, f"difficulty {state.difficulty} vs Anki {difficulty} ({where})"


@pytest.mark.parametrize("rating", list(Rating))
def test_a_single_rating(col, rating: Rating) -> None:
    assert_same_memory(col, [(0, rating)])


@pytest.mark.parametrize(
    "sequence",
    [
        [(0, 1), (0, 3), (0, 3)],
        [(0, 2), (0, 3), (0, 3)],
        [(0, 1), (0, 1), (0, 2), (0, 3), (0, 4)],
        [(0, 4), (0, 2), (0, 2)],  # Hard on the same day keeps stability (no drop below it)
        [(0, 1), (2, 3)],  # a learning card that comes back on a later day
    ],
    ids=["again-good-good", "hard-good-good", "every-button", "easy-hard-hard", "learning-next-day"],
)
def test_same_day_learning_steps(col, sequence) -> None:
    assert_same_memory(col, sequence)


@pytest.mark.parametrize(
    "sequence",
    [
        [(0, 3), (0, 3), (3, 3), (12, 1), (12, 3), (13, 3), (40, 3)],
        [(0, 4), (8, 1), (8, 1), (8, 2), (8, 3), (20, 3)],
        [(0, 3), (0, 3), (3, 3), (3, 3), (3, 1), (3, 3), (4, 2)],  # review, then answered again the same day
        [(0, 3), (0, 3)] + [(day, 1) for day in range(1, 20)],  # lapse after lapse: stability near its floor
    ],
    ids=["lapse-relearn", "again-in-relearning", "same-day-review", "repeated-lapses"],
)
def test_lapse_and_relearning(col, sequence) -> None:
    assert_same_memory(col, sequence)


@pytest.mark.parametrize(
    "sequence",
    [
        [(0, 3), (400, 3), (1500, 3)],
        [(0, 1), (0, 3), (0, 3), (900, 1), (900, 3), (2900, 4)],
        [(0, 4), (30, 4), (200, 4), (1500, 4), (4500, 4)],  # stability ~12,800 days
        [(0, 2), (1, 2), (2, 2), (2000, 2), (2001, 1), (2001, 3), (5000, 3)],
    ],
    ids=["good-years-apart", "forgotten-after-years", "easy-to-decades", "hard-then-gap"],
)
def test_long_gaps(col, sequence) -> None:
    assert_same_memory(col, sequence)


@pytest.mark.parametrize("seed", range(30))
def test_random_sequences(col, seed: int) -> None:
    rng = random.Random(seed)
    day, sequence = 0, []
    for _ in range(rng.randint(1, 20)):
        day += rng.choice([0, 0, 1, rng.randint(1, 10), rng.randint(10, 100), rng.randint(100, 800)])
        if day > MAX_DAY:
            break
        sequence.append((day, rng.randint(1, 4)))
    assert_same_memory(col, sequence)



def assert_same(col: Collection, reviews: list[tuple[datetime, Rating]]) -> MemoryState:
    state, rows = ours(reviews)
    stability, difficulty = anki(col, rows)
    assert math.isclose(state.stability, stability, rel_tol=TOLERANCE), f"stability {state.stability} vs Anki {stability}"
    assert abs(state.difficulty - difficulty) <= TOLERANCE, f"difficulty {state.difficulty} vs Anki {difficulty}"
    return state


@pytest.mark.parametrize(
    "first, second",
    [
        (timedelta(hours=20), timedelta(days=1, hours=8)),  # evening, then next morning: one study day apart
        (timedelta(hours=3), timedelta(hours=5)),  # 03:00 and 05:00 on one date: either side of the 04:00 rollover
        (timedelta(hours=5), timedelta(days=1, hours=3)),  # 05:00, then 03:00 next date: the same study day
    ],
)
def test_elapsed_time_counts_study_days_as_anki_does(col, first: timedelta, second: timedelta) -> None:
    base = START.replace(hour=0) + timedelta(days=40, milliseconds=next(_card_serial) % 1000)
    reviews = [(base, Rating.GOOD), (base + timedelta(minutes=10), Rating.GOOD), (base + timedelta(days=3) + first, Rating.GOOD), (base + timedelta(days=3) + second, Rating.GOOD)]
    assert_same(col, reviews)


def test_stability_is_capped_at_a_hundred_years_as_in_anki(col) -> None:
    start = datetime(1971, 1, 4, 12, 0, tzinfo=timezone.utc)
    reviews = [(start + timedelta(days=day, seconds=i), Rating.EASY) for i, day in enumerate((0, 100, 1000, 5000, 12000, 18500))]
    assert assert_same(col, reviews).stability == scheduling.MAX_STABILITY
