"""Workload forecasts and desired-retention advice with fsrs-rs-python's simulator."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

import fsrs_rs_python as fsrs_rs

from srs import settings as srs_settings
from srs.clock import local_zone, study_day, utc_now
from srs.errors import SrsError
from srs.model import Scope, State
from srs.optimize.items import MIN_REVIEWS
from srs.optimize.reschedule import settings_by_deck
from srs.review import check_deck
from srs.scheduling import Settings
from srs.storage import Store, optimize_store
from srs.storage.timecodec import from_us

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


# Time and memory grow with the days simulated (100,000 days took 2 minutes and 1 GB); ten years is
# beyond any useful forecast of a review load.
MAX_DAYS = 3650


def forecast(
    store: Store, days: int = 365, new_per_day: int | None = None, retention: float | None = None,
    deck: str | None = None, now: datetime | None = None, zone: tzinfo | None = None,
) -> Forecast:
    """Simulate studying ``deck`` (or the collection) every day for ``days`` days, from the cards' current states.

    New cards of the collection are introduced ``new_per_day`` a day (default: the setting), in deck
    order; reviews are capped by the reviews_per_day setting. ``retention`` overrides every deck's
    desired retention.
    """
    if not 1 <= days <= MAX_DAYS:
        raise SrsError(f"--days must be between 1 and {MAX_DAYS} (ten years); got {days}")
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
