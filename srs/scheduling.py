"""FSRS scheduling as a pure function: (state, rating, now, seed) -> new state. No I/O, no clock.

``fsrs.Scheduler`` does the memory model. We add what a collection needs around it: a NEW state,
reps and lapses, leech detection, and fuzz seeded per card and review count (as Anki does), so
the interval a button shows is the interval that pressing it gives.
"""

from __future__ import annotations

import math
import threading
from _random import Random as _CRandom
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING

from srs.clock import study_day
from srs.model import MemoryState, Rating, State

if TYPE_CHECKING:
    import fsrs

# py-fsrs is imported where it is used, not with this module: `srs review` shows its first card without it
# (answering needs it; the review screen has it imported while the card is read).

MAX_STABILITY = 36500.0  # Anki (fsrs-rs) caps stability at 100 years; py-fsrs does not
# fsrs.scheduler.DEFAULT_PARAMETERS (py-fsrs 6), written out so that importing this module does not import fsrs;
# tests/test_scheduling.py checks that they are equal.
DEFAULT_PARAMETERS: tuple[float, ...] = (
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
)


@dataclass(frozen=True)
class Settings:
    """Scheduling settings; every field can be set globally or per deck (``srs config``)."""

    desired_retention: float = 0.9
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval: int = 36500
    new_per_day: int = 20
    reviews_per_day: int = 200
    day_starts_at: int = 4
    leech_threshold: int = 8
    enable_fuzz: bool = True
    parameters: tuple[float, ...] = field(default=DEFAULT_PARAMETERS)
    remote_autosync: bool = False  # not scheduling: `srs review` syncs with the remote on open and close (this device only)

    def scheduler_key(self) -> tuple:
        return (self.parameters, self.desired_retention, self.learning_steps, self.relearning_steps, self.maximum_interval, self.enable_fuzz)


def _fuzzed_interval(interval: timedelta, seed: int, maximum_interval: int) -> timedelta:
    """fsrs' fuzz (the same ranges, as Anki's), drawn from the review's own seeded RNG.

    fsrs draws from the process-wide random(), which would make previews differ from answers. The RNG is only
    seeded when fuzz applies (2.5 days and up): most learning answers never need one.
    """
    days = interval.days
    if days < 2.5:
        return interval
    low, high = _fuzz_range(days, maximum_interval)
    fuzzed = round(_seeded_random(seed) * (high - low + 1) + low)
    return timedelta(days=min(fuzzed, maximum_interval))


@lru_cache(maxsize=8192)
def _fuzz_range(days: int, maximum_interval: int) -> tuple[int, int]:
    """The lowest and highest fuzzed interval for ``days``, as fsrs computes them."""
    from fsrs.scheduler import FUZZ_RANGES

    delta = 1.0
    for fuzz_range in FUZZ_RANGES:
        delta += fuzz_range["factor"] * max(min(float(days), fuzz_range["end"]) - fuzz_range["start"], 0.0)
    low = max(2, round(days - delta))
    high = min(round(days + delta), maximum_interval)
    return min(low, high), high


_rngs = threading.local()


@lru_cache(maxsize=64)
def _seeded_random(seed: int) -> float:
    """``random.Random(seed).random()``, reseeding one generator per thread instead of making one per answer.

    The C generator under ``random.Random``: for an int seed, ``random.Random.seed`` only adds a Python call around it.
    Remembered (seeding costs ~4 us): showing a card previews Hard, Good and Easy with the seed its answer then uses.
    """
    rng = getattr(_rngs, "rng", None)
    if rng is None:
        rng = _rngs.rng = _CRandom()
    rng.seed(seed)
    return rng.random()


@lru_cache(maxsize=64)
def _scheduler(key: tuple) -> fsrs.Scheduler:
    """The memory model for a settings key, without fsrs' own fuzz (``review`` applies the seeded one).

    fsrs fuzzes a Review card's interval as the last step before ``due = now + interval``, so the unfuzzed
    ``due - now`` is exactly the interval it would fuzz; one shared scheduler then serves every card.
    """
    import fsrs

    parameters, retention, learning, relearning, maximum, _fuzz = key
    return fsrs.Scheduler(
        parameters=parameters,
        desired_retention=retention,
        learning_steps=learning,
        relearning_steps=relearning,
        maximum_interval=maximum,
        enable_fuzzing=False,
    )


def card_seed(uid: str) -> int:
    """A fuzz seed id from a card's deck-file id: the same on every device (internal ids differ between collections).

    Used where reviews from several devices are recomputed (``srs remote sync``); answering on one device seeds
    with the internal id, whose results a sync adopts as they are.
    """
    import hashlib  # here: not needed before the first card (cold start, issue #15)

    return int.from_bytes(hashlib.blake2b(uid.encode(), digest_size=6).digest(), "big")


def fuzz_seed(card_id: int, reps: int) -> int:
    """The fuzz seed for a card's next review: stable for a card and its review count."""
    return card_id * 1_000_003 + reps


def elapsed_study_days(last_review: datetime, now: datetime, zone: tzinfo, rollover_hour: int) -> int:
    """Whole study days between two moments (0 on the same study day)."""
    return (study_day(now, zone, rollover_hour) - study_day(last_review, zone, rollover_hour)).days


def to_fsrs(card_id: int, state: MemoryState, now: datetime, zone: tzinfo | None = None, rollover_hour: int = 4) -> fsrs.Card:
    """Our state -> an ``fsrs.Card`` (a NEW card is fsrs' Learning step 0 with no memory yet).

    fsrs counts elapsed days as whole 24-hour periods since ``last_review``. With a ``zone``, we hand
    it a last review exactly as many days before ``now`` as there are study days in between, so it
    counts study days (as Anki schedules).
    """
    import fsrs

    if state.state == State.NEW:
        return fsrs.Card(card_id=card_id, state=fsrs.State.Learning, step=0, due=now)
    last = state.last_review
    if last is not None and zone is not None:
        last = now - timedelta(days=max(0, elapsed_study_days(last, now, zone, rollover_hour)))
    return fsrs.Card(
        card_id=card_id,
        state=fsrs.State(int(state.state)),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due or now,
        last_review=last,
    )


def review(
    state: MemoryState, rating: Rating, now: datetime, card_id: int, settings: Settings = Settings(), zone: tzinfo = timezone.utc
) -> MemoryState:
    """The card's state after answering ``rating`` at ``now``. Pure: same inputs, same output.

    ``now`` must be aware UTC. Elapsed time counts study days in ``zone`` (with the settings'
    rollover hour), as Anki does: Good at 20:00 and again at 08:00 the next morning is a day apart.
    A clock that went backwards is clamped to the last review, so the log never goes back in time.
    """
    if now.tzinfo is not timezone.utc and now.tzinfo != timezone.utc:
        raise ValueError("now must be an aware datetime in timezone.utc")
    last = state.last_review
    if last is not None and now < last:  # review_time, inline: a replay calls this 100k times
        now = last
    found = _kernels.get(id(settings))
    kernel = found[1] if found is not None and found[0] is settings else _kernel_for(settings)
    result = kernel.review(state, rating, now, card_id, zone)
    return result if result is not None else _review_fsrs(state, rating, now, card_id, settings, zone)


def _review(state: MemoryState, rating: Rating, now: datetime, card_id: int, settings: Settings, zone: tzinfo) -> MemoryState:
    """``review`` computed (``now`` already clamped to the last review): the kernel, or py-fsrs for states it does not take."""
    kernel = _kernel_for(settings)
    result = kernel.review(state, rating, now, card_id, zone)
    if result is None:
        return _review_fsrs(state, rating, now, card_id, settings, zone)
    return result


def _review_fsrs(state: MemoryState, rating: Rating, now: datetime, card_id: int, settings: Settings, zone: tzinfo) -> MemoryState:
    """``_review`` through ``fsrs.Scheduler.review_card``: the reference the kernel must equal exactly."""
    import fsrs

    card, _log = _scheduler(settings.scheduler_key()).review_card(
        to_fsrs(card_id, state, now, zone, settings.day_starts_at), fsrs.Rating(int(rating)), now
    )
    due = card.due
    if settings.enable_fuzz and card.state == fsrs.State.Review:
        due = now + _fuzzed_interval(due - now, fuzz_seed(card_id, state.reps), settings.maximum_interval)
    # fsrs caps review intervals only; a (re)learning step is capped by maximum_interval too, as Anki does.
    due = min(due, now + timedelta(days=settings.maximum_interval))
    lapse = rating == Rating.AGAIN and state.state == State.REVIEW
    return MemoryState(
        state=State(int(card.state)),
        step=card.step,
        stability=min(card.stability, MAX_STABILITY),
        difficulty=card.difficulty,
        due=due,
        last_review=now,
        reps=state.reps + 1,
        lapses=state.lapses + (1 if lapse else 0),
    )


_E = math.e
_UTC_KEYS = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu", "GMT", "Etc/GMT", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "GMT0", "GMT+0", "GMT-0", "Etc/Greenwich", "Greenwich"})
_NEW, _LEARNING, _REVIEW, _RELEARNING = State.NEW, State.LEARNING, State.REVIEW, State.RELEARNING


class _Kernel:
    """``fsrs.Scheduler.review_card`` plus srs's seeded fuzz and caps, computed directly for one settings key.

    A replay answers every card of a collection through ``review``; going through ``fsrs.Card`` objects, their
    copies and keyword calls cost ~40 us an answer. This is the same arithmetic in the same order (``math.e **``,
    not ``math.exp``, products grouped as fsrs groups them), so its results are equal to py-fsrs', bit for bit;
    tests/test_scheduling.py checks that over random histories and settings. Constants that fsrs recomputes per
    answer from the parameters alone are computed once here (the same expression gives the same float).
    """

    def __init__(self, settings: Settings) -> None:
        scheduler = _scheduler(settings.scheduler_key())  # validates the parameters as fsrs does
        p = scheduler.parameters
        self.p = p
        self.decay = scheduler._DECAY
        self.factor = scheduler._FACTOR
        self.interval_factor = (scheduler.desired_retention ** (1 / self.decay)) - 1
        self.e_p8 = _E ** p[8]
        self.forget_short = _E ** (p[17] * p[18])
        self.easy_difficulty = p[4] - (_E ** (p[5] * (4 - 1))) + 1  # _initial_difficulty(Easy, clamp=False)
        self.initial_difficulty = [None] + [min(max(p[4] - (_E ** (p[5] * (r - 1))) + 1, 1.0), 10.0) for r in range(1, 5)]
        self.initial_stability = [None] + [max(p[r - 1], 0.001) for r in range(1, 5)]
        self.learning = scheduler.learning_steps
        self.relearning = scheduler.relearning_steps
        self.learning_hard = self._hard_step(self.learning)
        self.relearning_hard = self._hard_step(self.relearning)
        self.maximum_interval = settings.maximum_interval
        self.maximum = timedelta(days=settings.maximum_interval)
        self.fuzz = settings.enable_fuzz
        self.rollover = settings.day_starts_at
        self.rollover_delta = timedelta(hours=settings.day_starts_at)
        self._memo: tuple = (None, None, None, None, None, None)
        # The same steps and caps in integer microseconds, for ``replay`` (timedelta holds exact microseconds).
        self.learning_us = tuple(_us(step) for step in self.learning)
        self.relearning_us = tuple(_us(step) for step in self.relearning)
        self.learning_hard_us = None if self.learning_hard is None else _us(self.learning_hard)
        self.relearning_hard_us = None if self.relearning_hard is None else _us(self.relearning_hard)
        self.maximum_us = _us(self.maximum)
        self.rollover_us = _us(self.rollover_delta)
        # The helpers' per-rating subexpressions, computed once for ``replay`` (the same expressions give the same floats;
        # a factor 1 for the rating without hard penalty or easy bonus multiplies exactly as fsrs' ``* 1 * 1`` does).
        self.short_factor = [None] + [_E ** (p[17] * (r - 3 + p[18])) for r in range(1, 5)]
        self.difficulty_delta = [None] + [-(p[6] * (r - 3)) for r in range(1, 5)]
        self.recall_bonus = [None, None, p[15], 1, p[16]]
        self.p7_easy, self.damped_weight = p[7] * self.easy_difficulty, 1 - p[7]
        self.fuzz_ranges: dict[int, tuple[int, int]] = {}

    @staticmethod
    def _hard_step(steps: tuple[timedelta, ...]) -> timedelta | None:
        """Hard at step 0, as fsrs computes it."""
        if len(steps) == 1:
            return steps[0] * 1.5
        if len(steps) >= 2:
            return (steps[0] + steps[1]) / 2.0
        return None

    def next_interval(self, stability: float) -> int:
        interval = round((stability / self.factor) * self.interval_factor)
        return min(max(interval, 1), self.maximum_interval)

    def short_term(self, stability: float, rating: int) -> float:
        p = self.p
        increase = (_E ** (p[17] * (rating - 3 + p[18]))) * (stability ** -p[19])
        if rating != 1:
            increase = max(increase, 1.0)
        return max(stability * increase, 0.001)

    def next_difficulty(self, difficulty: float, rating: int) -> float:
        p = self.p
        delta = -(p[6] * (rating - 3))
        damped = difficulty + (10.0 - difficulty) * delta / 9.0
        return min(max(p[7] * self.easy_difficulty + (1 - p[7]) * damped, 1.0), 10.0)

    def next_stability(self, difficulty: float, stability: float, elapsed: int, rating: int) -> float:
        p = self.p
        retrievability = (1 + self.factor * elapsed / stability) ** self.decay
        if rating == 1:
            long_term = p[11] * (difficulty ** -p[12]) * (((stability + 1) ** (p[13])) - 1) * (_E ** ((1 - retrievability) * p[14]))
            result = min(long_term, stability / self.forget_short)
        else:
            hard_penalty = p[15] if rating == 2 else 1
            easy_bonus = p[16] if rating == 4 else 1
            result = stability * (
                1 + self.e_p8 * (11 - difficulty) * (stability ** -p[9]) * ((_E ** ((1 - retrievability) * p[10])) - 1) * hard_penalty * easy_bonus
            )
        return max(result, 0.001)

    def study_day(self, moment: datetime, zone: tzinfo) -> date:
        """``clock.study_day``, remembering the last two moments: a replay asks for each answer's day twice in a row."""
        memo = self._memo
        if memo[0] == moment and memo[1] is zone:
            return memo[2]
        if memo[3] == moment and memo[4] is zone:
            return memo[5]
        if moment.tzinfo is timezone.utc and (zone is timezone.utc or getattr(zone, "key", None) in _UTC_KEYS):
            day = (moment - self.rollover_delta).date()
        else:
            day = study_day(moment, zone, self.rollover)
        self._memo = (moment, zone, day, memo[0], memo[1], memo[2])  # one assignment: safe across threads
        return day

    def review(self, state: MemoryState, rating: Rating, now: datetime, card_id: int, zone: tzinfo) -> MemoryState | None:
        """The state after the answer, or None for a state the kernel does not take (py-fsrs then computes it)."""
        r = int(rating)
        if not 1 <= r <= 4:
            raise ValueError(f"{rating!r} is not a valid Rating")
        kind = state.state
        step = state.step
        if kind == _NEW:
            stability, difficulty = self.initial_stability[r], self.initial_difficulty[r]
            kind, step, steps, hard = _LEARNING, 0, self.learning, self.learning_hard
        else:
            stability, difficulty, last = state.stability, state.difficulty, state.last_review
            if stability is None or difficulty is None or last is None or (step is None) != (kind == _REVIEW):
                return None
            memo = self._memo  # the study days of the last two moments asked (see study_day)
            day_now = memo[2] if memo[0] == now and memo[1] is zone else self.study_day(now, zone)
            memo = self._memo
            day_last = memo[2] if memo[0] == last and memo[1] is zone else (memo[5] if memo[3] == last and memo[4] is zone else self.study_day(last, zone))
            elapsed = (day_now - day_last).days
            if elapsed < 1:
                stability = self.short_term(stability, r)
            else:
                stability = self.next_stability(difficulty, stability, elapsed, r)
            difficulty = self.next_difficulty(difficulty, r)
            if kind == _LEARNING:
                steps, hard = self.learning, self.learning_hard
            elif kind == _RELEARNING:
                steps, hard = self.relearning, self.relearning_hard
            else:
                steps = hard = None
        if steps is None:  # Review
            if r == 1 and self.relearning:
                kind, step, interval = _RELEARNING, 0, self.relearning[0]
            else:
                interval = None
        elif not steps or (step >= len(steps) and r != 1):
            interval = None
        elif r == 1:
            step, interval = 0, steps[0]
        elif r == 2:
            interval = hard if step == 0 else steps[step]
        elif r == 3 and step + 1 != len(steps):
            step += 1
            interval = steps[step]
        else:  # Good at the last step, or Easy
            interval = None
        if interval is None:
            kind, step = _REVIEW, None
            interval = timedelta(days=self.next_interval(stability))
            due = now + interval
            if self.fuzz:
                due = now + _fuzzed_interval(interval, fuzz_seed(card_id, state.reps), self.maximum_interval)
        else:
            due = now + interval
        lapse = r == 1 and state.state == _REVIEW
        return MemoryState(
            kind, step, min(stability, MAX_STABILITY), difficulty, min(due, now + self.maximum), now, state.reps + 1, state.lapses + (1 if lapse else 0)
        )


    def day_number(self, zone: tzinfo) -> Callable[[int], int]:
        """A function: microseconds since the epoch -> the number of its study day in ``zone`` (``study_day`` as a count of days)."""
        rollover = self.rollover_us
        if zone is timezone.utc or getattr(zone, "key", None) in _UTC_KEYS:
            return lambda at: (at - rollover) // _DAY_US

        def local_day(at: int) -> int:
            local = (_EPOCH + timedelta(microseconds=at)).astimezone(zone).replace(tzinfo=None)
            return (_us(local - _NAIVE_EPOCH) - rollover) // _DAY_US

        return local_day

    def replay(self, answers: Iterable[tuple[int, int]], card_id: int, zone: tzinfo) -> list[StateTuple]:
        """``review`` over a card's answers from NEW, on numbers: each (time in microseconds, rating) -> the state after it.

        The same arithmetic as ``review`` and its helpers on the same values, written out in one loop: an import replays
        100k answers, and the datetimes, MemoryState objects and calls per answer were most of its time. Datetimes become
        integer microseconds (exact, as ``timecodec`` stores them); per-rating constants are the helpers' own expressions.
        """
        p, factor, decay, interval_factor = self.p, self.factor, self.decay, self.interval_factor
        neg_p9, p10, p11, neg_p12, p13, p14, neg_p19 = -p[9], p[10], p[11], -p[12], p[13], p[14], -p[19]
        e_p8, forget_short, short_factor, bonus, delta = self.e_p8, self.forget_short, self.short_factor, self.recall_bonus, self.difficulty_delta
        easy_part, damped_weight = self.p7_easy, self.damped_weight
        rollover, day_of = self.rollover_us, (None if zone is timezone.utc or getattr(zone, "key", None) in _UTC_KEYS else self.day_number(zone))
        reseed, draw, fuzz_range = (rng := _CRandom()).seed, rng.random, self.fuzz_ranges
        fuzz, maximum_interval, maximum_us = self.fuzz, self.maximum_interval, self.maximum_us
        learning, learning_hard, relearning, relearning_hard = self.learning_us, self.learning_hard_us, self.relearning_us, self.relearning_hard_us
        new, learning_state, review_state, relearning_state, cap, e, day_us = 0, 1, 2, 3, MAX_STABILITY, _E, _DAY_US  # states as plain ints
        states: list[StateTuple] = []
        kind, step, stability, difficulty, last, day_last, reps, lapses = new, None, 0.0, 0.0, -1 << 80, 0, 0, 0
        for at, r in answers:
            if not 1 <= r <= 4:
                raise ValueError(f"{r!r} is not a valid Rating")
            if at < last:
                at = last
            day_now = (at - rollover) // day_us if day_of is None else day_of(at)
            lapse = r == 1 and kind == review_state
            if kind == new:
                stability, difficulty = self.initial_stability[r], self.initial_difficulty[r]
                kind, step, steps, hard = learning_state, 0, learning, learning_hard
            else:
                elapsed = day_now - day_last
                if elapsed < 1:  # short_term
                    increase = short_factor[r] * (stability ** neg_p19)
                    if r != 1 and increase < 1.0:
                        increase = 1.0
                    stability = stability * increase
                    stability = 0.001 if 0.001 > stability else stability  # max(stability, 0.001)
                else:  # next_stability
                    retrievability = (1 + factor * elapsed / stability) ** decay
                    if r == 1:
                        long_term = p11 * (difficulty ** neg_p12) * (((stability + 1) ** (p13)) - 1) * (e ** ((1 - retrievability) * p14))
                        shortest = stability / forget_short
                        stability = shortest if shortest < long_term else long_term  # min(long_term, shortest)
                    else:
                        grown = e_p8 * (11 - difficulty) * (stability ** neg_p9) * ((e ** ((1 - retrievability) * p10)) - 1) * bonus[r]
                        stability = stability * (1 + grown)
                    stability = 0.001 if 0.001 > stability else stability  # max(stability, 0.001)
                damped = difficulty + (10.0 - difficulty) * delta[r] / 9.0  # next_difficulty
                difficulty = easy_part + damped_weight * damped
                difficulty = 1.0 if 1.0 > difficulty else difficulty  # min(max(difficulty, 1.0), 10.0)
                difficulty = 10.0 if 10.0 < difficulty else difficulty
                if kind == learning_state:
                    steps, hard = learning, learning_hard
                elif kind == relearning_state:
                    steps, hard = relearning, relearning_hard
                else:
                    steps = hard = None
            if steps is None:  # Review
                if r == 1 and relearning:
                    kind, step, interval = relearning_state, 0, relearning[0]
                else:
                    interval = None
            elif not steps or (step >= len(steps) and r != 1):
                interval = None
            elif r == 1:
                step, interval = 0, steps[0]
            elif r == 2:
                interval = hard if step == 0 else steps[step]
            elif r == 3 and step + 1 != len(steps):
                step += 1
                interval = steps[step]
            else:  # Good at the last step, or Easy
                interval = None
            if interval is None:
                kind, step = review_state, None
                days = round((stability / factor) * interval_factor)  # next_interval
                days = 1 if days < 1 else (maximum_interval if days > maximum_interval else days)
                if fuzz and days >= 2.5:  # _fuzzed_interval
                    low, high = fuzz_range.get(days) or fuzz_range.setdefault(days, _fuzz_range(days, maximum_interval))
                    reseed(card_id * 1_000_003 + reps)  # fuzz_seed
                    days = round(draw() * (high - low + 1) + low)
                    days = maximum_interval if days > maximum_interval else days
                interval = days * day_us
            due = at + (interval if interval < maximum_us else maximum_us)
            reps += 1
            lapses += lapse
            stability = cap if cap < stability else stability  # min(stability, cap), as review caps it
            states.append((kind, step, stability, difficulty, due, at, reps, lapses))
            last, day_last = at, day_now
        return states


# (state, step, stability, difficulty, due_us, last_review_us, reps, lapses): a MemoryState on numbers, as stored.
StateTuple = tuple[int, int | None, float, float, int, int, int, int]
_DAY_US = 86_400_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NAIVE_EPOCH = datetime(1970, 1, 1)


def _us(delta: timedelta) -> int:
    """A timedelta as integer microseconds (exact)."""
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def replay(answers: Iterable[tuple[int, int]], card_id: int, settings: Settings = Settings(), zone: tzinfo = timezone.utc) -> list[StateTuple]:
    """The state after each of a card's answers from NEW, each (time in microseconds since the epoch, rating 1-4).

    Equal, field for field, to answering them one by one through ``review`` (times clamped as ``review_time`` does);
    states as ``StateTuple``s, times in microseconds.
    """
    return _kernel_for(settings).replay(answers, card_id, zone)


_kernels: dict[int, tuple[Settings, _Kernel]] = {}


def _kernel_for(settings: Settings) -> _Kernel:
    """The kernel for ``settings``: found by identity first (a replay passes the same object for every answer)."""
    found = _kernels.get(id(settings))
    if found is not None and found[0] is settings:
        return found[1]
    kernel = _kernel_by_settings(settings)
    if len(_kernels) >= 256:
        _kernels.clear()
    _kernels[id(settings)] = (settings, kernel)
    return kernel


@lru_cache(maxsize=64)
def _kernel_by_settings(settings: Settings) -> _Kernel:
    return _Kernel(settings)


def review_time(state: MemoryState, now: datetime) -> datetime:
    """When an answer at ``now`` is recorded: never before the card's last review."""
    if state.last_review is not None and now < state.last_review:
        return state.last_review
    return now


def preview(state: MemoryState, now: datetime, card_id: int, settings: Settings = Settings(), zone: tzinfo = timezone.utc) -> dict[Rating, timedelta]:
    """The interval each rating would give, exactly as answering would (same seed)."""
    if now.tzinfo != timezone.utc:
        raise ValueError("now must be an aware datetime in timezone.utc")
    at = review_time(state, now)
    return {rating: _review(state, rating, at, card_id, settings, zone).due - at for rating in Rating}


def becomes_leech(before: MemoryState, after: MemoryState, threshold: int) -> bool:
    """Anki's rule: a lapse that reaches the threshold, and every half-threshold after it, marks a leech."""
    if threshold <= 0 or after.lapses == before.lapses or after.lapses < threshold:
        return False
    step = max(1, threshold // 2)
    return (after.lapses - threshold) % step == 0


def retrievability(state: MemoryState, now: datetime, settings: Settings = Settings()) -> float:
    """Predicted probability of recalling the card at ``now`` after whole elapsed days (0 for a card never reviewed).

    The same figure ``srs stats`` computes in SQL.
    """
    if state.state == State.NEW or state.stability is None or state.last_review is None:
        return 0.0
    scheduler = _scheduler(settings.scheduler_key())
    return scheduler.get_card_retrievability(to_fsrs(0, state, now), now)


def format_interval(delta: timedelta) -> str:
    """Short human interval as Anki shows on buttons: 1m, 10m, 3h, 4d, 2.1mo, 1.5y."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return f"{max(0, round(seconds))}s"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo"
    return f"{days / 365:.1f}y"


def with_state(state: MemoryState, **changes) -> MemoryState:
    """A copy of ``state`` with fields changed."""
    return state._replace(**changes)
