"""Our review log as FSRS items, built the way Anki builds them (study days, learning starts)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from itertools import compress, repeat
from operator import floordiv, ne, rshift, sub

import fsrs_rs_python as fsrs_rs

from srs import settings as srs_settings
from srs.clock import day_start, local_zone, study_day
from srs.gcpause import gc_paused
from srs.model import Rating, Scope, State
from srs.storage import Store, optimize_store
from srs.storage.optimize_store import pack_answer
from srs.storage.timecodec import from_us, to_us

# Anki refuses to optimize below 400 reviews: "You must have at least 400 reviews for this operation"
# (FsrsInsufficientReviews, counted over every review log entry of the searched cards).
MIN_REVIEWS = 400
LEARNING_STATES = frozenset((int(State.NEW), int(State.LEARNING)))  # Anki's revlog kind "Learning"
_LEARNING_ANSWERS = frozenset(pack_answer(rating, state) for rating in Rating for state in LEARNING_STATES)

Review = tuple[int, int]  # (rating, days since the previous review), as in an FSRS item
_DAY_US = 86_400_000_000




@dataclass(frozen=True)
class TrainingSet:
    """The FSRS items built from a review log, and what went into them.

    Every review after a card's first one that falls on a later study day makes an item: the card's
    history up to and including that review, oldest first. ``ratings`` and ``deltas`` (delta_t) are
    given for every review read, card after card; item ``i`` is rows ``lows[i]`` to ``lasts[i]``
    (inclusive), and the items are in the order of their last reviews (Anki orders items by revlog
    id, which is the answer time).
    """

    ratings: tuple[int, ...]
    deltas: tuple[int, ...]
    lows: tuple[int, ...]
    lasts: tuple[int, ...]
    reviews: int  # log entries read
    used_reviews: int  # entries of the cards that gave items (Anki's review count)
    cards: int  # cards that gave at least one item
    dropped_cards: int  # cards whose first (learning) review is not in the log

    @property
    def items(self) -> tuple[tuple[Review, ...], ...]:
        """Every item as its (rating, delta_t) reviews."""
        pairs = tuple(zip(self.ratings, self.deltas))
        return tuple(pairs[low : last + 1] for low, last in zip(self.lows, self.lasts))


def learning_start(states_before: Sequence[int]) -> int | None:
    """Where a card's usable history starts: its last run of learning-step answers (Anki's rule).

    Working back from the newest answer, the first answer of the newest run of answers given while
    the card was new or learning. ``None`` when there is none: the card's first review is missing
    from the log, and Anki leaves such cards out of training.
    """
    flags = bytes(state in LEARNING_STATES for state in states_before)
    return _learning_start(flags, 0, len(flags))


def _learning_start(learning: bytes, low: int, high: int) -> int | None:
    """``learning_start`` of ``learning[low:high]`` (1 = answered while new or learning), as an index into ``learning``."""
    last = learning.rfind(1, low, high)
    if last < 0:
        return None
    before = learning.rfind(0, low, last)
    return low if before < 0 else before + 1


def day_starts(first_us: int, last_us: int, zone: tzinfo, rollover_hour: int) -> tuple[int, list[int]]:
    """(ordinal of the study day holding ``first_us``, UTC microsecond starts of it and each day after, to past ``last_us``).

    The days are those of ``srs.clock.study_day`` (rollover hour, local zone, DST included), so a moment's
    study day is ``ordinal - 1 + bisect_right(starts, moment)``.
    """
    first = study_day(from_us(first_us), zone, rollover_hour)
    count = (study_day(from_us(last_us), zone, rollover_hour) - first).days + 2
    return first.toordinal(), [to_us(day_start(first + timedelta(days=k), zone, rollover_hour)) for k in range(count)]


def training_set(rows: Sequence[tuple], zone: tzinfo, rollover_hour: int) -> TrainingSet:
    """FSRS items from ``optimize_store.review_log`` rows (card_id, reviewed_at_us, review_id, answer), by card then time.

    A card's usable history starts at ``learning_start``; its first review there has delta_t 0, as
    does every review on the same study day as the one before it. Written for speed, as a large log
    is 100k+ rows: the work is done on whole columns, and per card only on slices of them.
    """
    if not rows:
        return TrainingSet((), (), (), (), 0, 0, 0, 0)
    count = len(rows)
    card_ids, times, _ids, answers = zip(*rows)
    ratings = tuple(map(rshift, answers, repeat(2)))
    _ordinal, starts = day_starts(min(times), max(times), zone, rollover_hour)
    if all(later - earlier == _DAY_US for earlier, later in zip(starts, starts[1:])):
        days = list(map(floordiv, map(sub, times, repeat(starts[0])), repeat(_DAY_US)))  # no DST change in the span
    else:
        days = list(map(bisect_right, repeat(starts), times))
    deltas = [0, *map(sub, days[1:], days[:-1])]
    learning = bytes(map(_LEARNING_ANSWERS.__contains__, answers))
    bounds = [0, *compress(range(1, count), map(ne, card_ids[1:], card_ids[:-1])), count]
    history_start = [0] * count
    lasts: list[int] = []  # the row of each item's last review
    used = cards = dropped = 0
    for low, high in zip(bounds, bounds[1:]):
        start = _learning_start(learning, low, high)
        if start is None:
            dropped += 1
            continue
        deltas[start] = 0
        found = list(compress(range(start + 1, high), deltas[start + 1 : high]))
        if found:
            cards += 1
            used += high - start
            history_start[start:high] = [start] * (high - start)
            lasts.extend(found)
    # By time, and stable: answers at the same moment keep their log order. Microsecond times are exact
    # as floats, and a sort whose keys are all floats compares them much faster than large ints.
    lasts.sort(key=list(map(float, times)).__getitem__)
    lows = tuple(map(history_start.__getitem__, lasts))
    return TrainingSet(ratings, tuple(deltas), lows, tuple(lasts), count, used, cards, dropped)


def to_fsrs_items(training: TrainingSet) -> list[fsrs_rs.FSRSItem]:
    """The items as fsrs-rs-python objects: one FSRSReview per distinct pair, each item a slice of the log's."""
    with gc_paused():
        made = {pair: fsrs_rs.FSRSReview(pair[0], pair[1]) for pair in set(zip(training.ratings, training.deltas))}
        reviews = list(map(made.__getitem__, zip(training.ratings, training.deltas)))
        return [fsrs_rs.FSRSItem(reviews[low : last + 1]) for low, last in zip(training.lows, training.lasts)]


def load_training_set(store: Store, deck: str | None = None, zone: tzinfo | None = None) -> TrainingSet:
    """The FSRS items of the review log of ``deck`` (and its subdecks) or of the whole collection."""
    rollover = srs_settings.load(store, deck).day_starts_at
    with gc_paused():
        with store.read() as conn:
            rows = optimize_store.review_log(conn, Scope(deck=deck))
        return training_set(rows, zone or local_zone(), rollover)
