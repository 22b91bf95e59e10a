"""Personal FSRS parameters, rescheduling, workload forecasts and retention advice.

Everything heavy runs in fsrs-rs-python, the Rust FSRS that Anki embeds: fitting, evaluation and
simulation. This module turns our review log into its inputs the way Anki does, and decides what to
keep. No UI here: the CLI (``srs optimize``, ``srs simulate``) prints the results.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone, tzinfo
from itertools import compress, groupby, repeat
from operator import floordiv, itemgetter, ne, rshift, sub

import fsrs_rs_python as fsrs_rs
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from srs import scheduling
from srs import settings as srs_settings
from srs.gcpause import gc_paused
from srs.clock import day_bounds, day_start, local_zone, study_day, utc_now
from srs.errors import SrsError
from srs.model import MemoryState, Rating, State
from srs.scheduling import DEFAULT_PARAMETERS, Settings
from srs.storage import Store
from srs.storage import optimize_store
from srs.storage.optimize_store import pack_answer
from srs.storage.review_store import Scope, deck_names, memory_from_json, memory_to_json
from srs.storage.backup import make_backup
from srs.storage.timecodec import from_us, to_us

# Anki refuses to optimize below 400 reviews: "You must have at least 400 reviews for this operation"
# (FsrsInsufficientReviews, counted over every review log entry of the searched cards).
MIN_REVIEWS = 400
LEARNING_STATES = frozenset((int(State.NEW), int(State.LEARNING)))  # Anki's revlog kind "Learning"
_LEARNING_ANSWERS = frozenset(pack_answer(rating, state) for rating in Rating for state in LEARNING_STATES)

Review = tuple[int, int]  # (rating, days since the previous review), as in an FSRS item
_DAY_US = 86_400_000_000


# ----------------------------------------------------------------------------------------------
# Review log -> FSRS items


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


# ----------------------------------------------------------------------------------------------
# Fitting and evaluation


@dataclass(frozen=True)
class Evaluation:
    """How well parameters predict the history: smaller is better for both."""

    log_loss: float
    rmse_bins: float


def fit(items: Sequence[fsrs_rs.FSRSItem], relearning_steps: int = 1) -> tuple[float, ...]:
    """Fitted parameters: the call Anki's optimizer makes (short-term memory on, its relearning step count)."""
    try:
        fitted = fsrs_rs.FSRS(list(fsrs_rs.DEFAULT_PARAMETERS)).compute_parameters(list(items), num_relearning_steps=relearning_steps)
    except ValueError as exc:
        raise SrsError(f"fsrs-rs could not fit parameters to this history ({exc})") from None
    return tuple(float(value) for value in fitted)


def evaluate(parameters: Sequence[float], items: Sequence[fsrs_rs.FSRSItem]) -> Evaluation:
    """Log loss and RMSE(bins) of ``parameters`` on ``items`` (fsrs-rs' evaluation, as Anki's Evaluate button)."""
    result = fsrs_rs.FSRS(list(parameters)).evaluate(list(items))
    return Evaluation(float(result.log_loss), float(result.rmse_bins))


def usable(parameters: Sequence[float]) -> bool:
    """Whether the scheduler accepts the parameters (FSRS-6: 21 numbers within its bounds)."""
    return len(parameters) == len(LOWER_BOUNDS_PARAMETERS) and all(
        low <= value <= high for value, low, high in zip(parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS)
    )


@dataclass(frozen=True)
class OptimizeResult:
    """What ``optimize`` found and did."""

    deck: str | None
    reviews: int  # review log entries in scope
    needed: int  # more reviews needed before fitting (0: enough)
    training: TrainingSet
    current: tuple[float, ...]  # the parameters in effect before
    fitted: tuple[float, ...] | None
    default_eval: Evaluation | None
    current_eval: Evaluation | None  # None when the current parameters are the defaults
    fitted_eval: Evaluation | None
    saved: bool

    @property
    def better(self) -> bool:
        """Whether the fitted parameters predict the history better than the current ones (lower log loss, as Anki)."""
        baseline = self.current_eval or self.default_eval
        return (
            self.fitted is not None and self.fitted_eval is not None and baseline is not None
            and usable(self.fitted) and self.fitted_eval.log_loss < baseline.log_loss
        )

    @property
    def already_fitted(self) -> bool:
        """Whether the fit gives back the parameters in use (to the 4 decimals Anki compares)."""
        return self.fitted is not None and [round(v, 4) for v in self.fitted] == [round(v, 4) for v in self.current]


def check_deck(store: Store, deck: str | None) -> None:
    """Raise if ``deck`` is given and no such deck exists."""
    if deck is None:
        return
    with store.read() as conn:
        if not optimize_store.deck_exists(conn, deck):
            raise SrsError(f"no deck named '{deck}' (run srs with no arguments to list the decks)")


def format_parameters(parameters: Sequence[float]) -> str:
    """Parameters as ``srs config parameters`` takes them (exact: repr round-trips a float)."""
    return " ".join(repr(float(value)) for value in parameters)


def optimize(store: Store, deck: str | None = None, zone: tzinfo | None = None, save: bool = True) -> OptimizeResult:
    """Fit parameters to the review log of ``deck`` (or the collection); save them if they predict better.

    Below ``MIN_REVIEWS`` reviews nothing is fitted and the current parameters stay.
    """
    check_deck(store, deck)
    settings = srs_settings.load(store, deck)
    training = load_training_set(store, deck, zone)
    result = OptimizeResult(deck, training.reviews, max(0, MIN_REVIEWS - training.reviews), training, settings.parameters,
                            None, None, None, None, False)
    if result.needed or not training.lasts:
        return result
    items = to_fsrs_items(training)
    fitted = fit(items, len(settings.relearning_steps))
    default_eval = evaluate(DEFAULT_PARAMETERS, items)
    current_eval = None if settings.parameters == DEFAULT_PARAMETERS else evaluate(settings.parameters, items)
    result = replace(result, fitted=fitted, default_eval=default_eval, current_eval=current_eval, fitted_eval=evaluate(fitted, items))
    if save and result.better:
        srs_settings.set_value(store, "parameters", format_parameters(fitted), deck)
        result = replace(result, saved=True)
    return result


# ----------------------------------------------------------------------------------------------
# Rescheduling: replay each card's history with new parameters


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


# ----------------------------------------------------------------------------------------------
# Simulation: workload forecast and desired-retention advice

_MAX_ANSWER_MS = 1_200_000  # fsrs-rs ignores answer times of 20 minutes or more when it measures costs
_SMOOTHING = 50.0  # fsrs-rs' weight n / (n + 50) between a measured figure and its default
_MIN_SPAN = 365
_COST_KIND = {int(State.NEW): 0, int(State.LEARNING): 0, int(State.REVIEW): 1, int(State.RELEARNING): 2}


def _blend(measured: Sequence[float], default: Sequence[float], weight: float) -> list[float]:
    return [weight * m + (1 - weight) * d for m, d in zip(measured, default)]


def simulator_config(store: Store, deck: str | None, settings: Settings, days: int, new_per_day: int, review_limit: int | None) -> fsrs_rs.SimulatorConfig:
    """fsrs-rs' simulator settings from ours, with answer habits and times measured from the log.

    First ratings, review ratings and seconds per answer are blended with fsrs-rs' defaults by
    n / (n + 50), as its own config extraction does, so a short history moves them only a little.
    """
    config = fsrs_rs.default_simulator_config()
    config.learn_span = days
    config.learn_limit = new_per_day
    if review_limit is not None:
        config.review_limit = review_limit
    config.max_ivl = float(settings.maximum_interval)
    config.learning_step_count = len(settings.learning_steps)
    config.relearning_step_count = len(settings.relearning_steps)
    config.new_cards_ignore_review_limit = True
    config.max_cost_perday = math.inf  # srs has no daily time limit
    with store.read() as conn:
        stats = optimize_store.answer_stats(conn, Scope(deck=deck), _MAX_ANSWER_MS)
    first = [0.0] * 4
    review = [0.0] * 3
    timed = [[0] * 4 for _ in range(3)]
    total_ms = [[0] * 4 for _ in range(3)]
    for state_before, rating, count, timed_count, ms in stats:
        if state_before == State.NEW:
            first[rating - 1] += count
        if state_before == State.REVIEW and rating > 1:
            review[rating - 2] += count
        timed[_COST_KIND[state_before]][rating - 1] += timed_count or 0
        total_ms[_COST_KIND[state_before]][rating - 1] += ms or 0
    if sum(first):
        config.first_rating_prob = _blend([c / sum(first) for c in first], config.first_rating_prob, sum(first) / (sum(first) + _SMOOTHING))
    if sum(review):
        config.review_rating_prob = _blend([c / sum(review) for c in review], config.review_rating_prob, sum(review) / (sum(review) + _SMOOTHING))
    costs = [list(row) for row in config.state_rating_costs]
    for kind in range(3):
        for rating in range(4):
            n = timed[kind][rating]
            if n:
                costs[kind][rating] = _blend([total_ms[kind][rating] / n / 1000], [costs[kind][rating]], n / (n + _SMOOTHING))[0]
    config.state_rating_costs = costs
    return config


@dataclass(frozen=True)
class Forecast:
    """Expected daily load and knowledge over the coming days (means over the simulated runs)."""

    days: int
    retention: float | None  # None: each deck's own desired retention
    new_per_day: int
    answered_cards: int
    new_cards: int
    runs: int
    reviews: tuple[float, ...]  # review answers per day (first answers of the day, not learning steps)
    learned: tuple[float, ...]  # new cards introduced per day
    minutes: tuple[float, ...]  # study time per day
    known: tuple[float, ...]  # cards you would recall on each day (sum of retrievability)


def _existing_card(row: tuple, today: date, zone: tzinfo, rollover: int, settings: Settings, retention: float) -> fsrs_rs.Card:
    card_id, _deck_id, _state, stability, difficulty, due_us, last_us, lapses = row
    last = (study_day(from_us(last_us), zone, rollover) - today).days
    due = (study_day(from_us(due_us), zone, rollover) - today).days
    card = fsrs_rs.Card()
    card.id = card_id
    card.stability = float(stability)
    card.difficulty = float(difficulty)
    card.last_date = float(last)
    card.due = float(max(0, due))  # overdue cards are due today
    card.interval = float(max(1, due - last))
    card.lapses = lapses
    card.desired_retention = retention
    card.parameters = list(settings.parameters)
    return card


def _new_card(card_id: int, due_day: int, settings: Settings, retention: float) -> fsrs_rs.Card:
    card = fsrs_rs.Card()
    card.id = card_id
    card.stability = 1.0  # any positive value: the simulator drops cards without one; learning sets the real one
    card.difficulty = 5.0
    card.last_date = -math.inf  # never studied: the simulator learns it on its due day
    card.due = float(due_day)
    card.interval = 0.0
    card.desired_retention = retention
    card.parameters = list(settings.parameters)
    return card


def _simulate_collection(config: fsrs_rs.SimulatorConfig, parameters: Sequence[float], cards: list[fsrs_rs.Card]) -> list:
    """Simulations of exactly these cards, each at its own desired retention and with its own parameters.

    fsrs-rs-python's ``simulate`` cannot start from existing cards; ``optimal_retention`` can, and
    hands every simulation it runs to ``target``. As each card carries its own desired retention, the
    retention that search tries changes nothing: every run simulates this collection, with seeds 42,
    43, ... repeated in each round of the search, so the mean over all runs is the mean over one round.
    """
    runs = []

    def keep(result, _parameters) -> float:
        runs.append(result)
        return 1.0

    try:
        fsrs_rs.optimal_retention(config, list(parameters), cards, keep)
    except ValueError:
        if not runs:
            raise
    return runs


def _mean(series: Sequence[Sequence[float]]) -> tuple[float, ...]:
    return tuple(sum(values) / len(values) for values in zip(*series))


def forecast(
    store: Store, days: int = 365, new_per_day: int | None = None, retention: float | None = None,
    deck: str | None = None, now: datetime | None = None, zone: tzinfo | None = None,
) -> Forecast:
    """Simulate studying ``deck`` (or the collection) every day for ``days`` days, from the cards' current states.

    New cards of the collection are introduced ``new_per_day`` a day (default: the setting), in deck
    order; reviews are capped by the reviews_per_day setting. ``retention`` overrides every deck's
    desired retention.
    """
    if days < 1:
        raise SrsError("--days must be at least 1")
    if retention is not None and not 0.7 <= retention <= 0.99:
        raise SrsError(f"--retention must be between 0.7 and 0.99, not {retention:g}")
    check_deck(store, deck)
    now, zone = now or utc_now(), zone or local_zone()
    top = srs_settings.load(store, deck)
    per_day = top.new_per_day if new_per_day is None else new_per_day
    if per_day < 0:
        raise SrsError("--new-per-day must be 0 or more")
    settings_for = settings_by_deck(store)
    today = study_day(now, zone, top.day_starts_at)
    with store.read() as conn:
        rows = optimize_store.simulation_cards(conn, Scope(deck=deck))
    cards, answered, new = [], 0, 0
    for row in rows:
        settings = settings_for(row[1])
        chosen = settings.desired_retention if retention is None else retention
        if row[2] != State.NEW and row[3] is not None and row[5] is not None and row[6] is not None:
            cards.append(_existing_card(row, today, zone, top.day_starts_at, settings, chosen))
            answered += 1
        elif row[2] == State.NEW and per_day > 0:
            cards.append(_new_card(row[0], new // per_day, settings, chosen))
            new += 1
    if not cards:
        where = f"deck '{deck}'" if deck else "the collection"
        raise SrsError(f"{where} has no cards to simulate (answered, or new with --new-per-day above 0)")
    # fsrs-rs runs 180 simulations per round of its search for spans up to 30 days and 16 from 365 days on.
    # A run's first ``days`` days do not depend on what follows them (cards are taken in due order), so
    # simulating at least a year and cutting it is the same forecast for a tenth of the work.
    config = simulator_config(store, deck, top, max(days, _MIN_SPAN), max(per_day, 1), top.reviews_per_day)
    config.deck_size = len(cards)
    runs = _simulate_collection(config, top.parameters, cards)
    distinct = {tuple(run.cost_per_day) for run in runs}

    def mean(field: str) -> tuple[float, ...]:
        return _mean([getattr(run, field)[:days] for run in runs])

    return Forecast(
        days=days, retention=retention, new_per_day=per_day, answered_cards=answered, new_cards=new, runs=len(distinct),
        reviews=mean("review_cnt_per_day"), learned=mean("learn_cnt_per_day"),
        minutes=tuple(seconds / 60 for seconds in mean("cost_per_day")), known=mean("memorized_cnt_per_day"),
    )


@dataclass(frozen=True)
class RetentionRow:
    """Simulated workload at one desired retention."""

    retention: float
    reviews_per_day: float  # answers per day, learning included
    minutes_per_day: float
    known: float  # cards recalled at the end
    seconds_per_known: float  # total study time / cards known at the end: what the suggestion minimises


@dataclass(frozen=True)
class RetentionAdvice:
    """The desired retention with the least study time per card known, and the workload around it."""

    suggested: float
    current: float
    rows: tuple[RetentionRow, ...]
    days: int
    new_per_day: int
    reviews: int  # review log entries the answer habits were measured from
    generic: bool  # fewer than MIN_REVIEWS reviews: default parameters and habits dominate


RETENTION_GRID = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95)
_ADVICE_RATE = 5  # new cards a day in the retention simulations (see suggest_retention)


def suggest_retention(store: Store, deck: str | None = None, days: int = 365, seeds: int = 4) -> RetentionAdvice:
    """fsrs-rs' optimal retention for a deck learned from scratch, with a workload table across retentions.

    As Anki's "minimum recommended retention", it simulates ``days`` days of learning new cards every
    day with no review limit, starting from zero, and minimises total study time over the expected
    number of cards known at the end. Without limits every card runs on its own, so that ratio does not
    depend on how many cards a day are learned: the simulations learn ``_ADVICE_RATE`` a day, and the
    table scales its per-day figures to the new_per_day setting. The table averages ``seeds`` runs a row.
    """
    check_deck(store, deck)
    settings = srs_settings.load(store, deck)
    per_day = settings.new_per_day or Settings().new_per_day
    config = simulator_config(store, deck, settings, days, _ADVICE_RATE, None)
    config.deck_size = days * _ADVICE_RATE
    parameters = list(settings.parameters)
    try:
        suggested = float(fsrs_rs.optimal_retention(config, parameters))
    except ValueError as exc:
        raise SrsError(f"fsrs-rs found no optimal retention for these parameters ({exc})") from None
    grid = sorted({*RETENTION_GRID, round(suggested, 2), round(settings.desired_retention, 2)})
    rows = tuple(_workload(parameters, retention, config, seeds, per_day / _ADVICE_RATE) for retention in grid)
    with store.read() as conn:
        reviews = optimize_store.review_count(conn, Scope(deck=deck))
    return RetentionAdvice(round(suggested, 2), settings.desired_retention, rows, days, per_day, reviews, reviews < MIN_REVIEWS)


def _workload(parameters: list[float], retention: float, config: fsrs_rs.SimulatorConfig, seeds: int, scale: float) -> RetentionRow:
    runs = [fsrs_rs.simulate(parameters, retention, config, seed) for seed in range(42, 42 + seeds)]
    days = len(runs[0].cost_per_day)
    cost = statistics.fmean(sum(run.cost_per_day) for run in runs)
    known = statistics.fmean(run.memorized_cnt_per_day[-1] for run in runs)
    answers = statistics.fmean(sum(run.review_cnt_per_day) + sum(run.learn_cnt_per_day) for run in runs)
    return RetentionRow(retention, answers * scale / days, cost * scale / 60 / days, known * scale, cost / known if known else math.inf)
