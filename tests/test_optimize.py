"""``srs optimize`` and ``srs simulate``: review log -> FSRS items, fitting, saving, rescheduling, simulation.

The fit tests use a synthetic but realistic history (``simulated_users``): each simulated person has
their own memory model (FSRS with perturbed parameters) that decides whether they recall a card, and
our scheduler decides when they see it, answer by answer through ``scheduling.review``.
"""

from __future__ import annotations

import math
import os
import random
import subprocess
import sys
from bisect import bisect_right
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import fsrs
import pytest
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from srs import optimize as opt
from srs import scheduling
from srs import settings as srs_settings
from srs.clock import study_day
from srs.decks import sync_paths
from srs.model import Flags, MemoryState, Rating, Scope, State
from srs.review import answer
from srs.storage import Store, open_store
from srs.storage import review_store as rs
from srs.storage.optimize_store import card_states, pack_answer
from srs.storage.timecodec import from_us, to_us

UTC = timezone.utc
START = datetime(2025, 1, 6, 18, 0, tzinfo=UTC)
FIRST_RATING = (0.2, 0.1, 0.55, 0.15)  # Again, Hard, Good, Easy on a card's first answer
RECALL_RATING = (0.1, 0.8, 0.1)  # Hard, Good, Easy when recalled


# ------------------------------------------------------------------------------------------------
# Synthetic history


def user_parameters(rng: random.Random) -> tuple[float, ...]:
    """A simulated person's memory: FSRS-6 defaults, each scaled by a random factor, within the scheduler's bounds."""
    values = []
    for index, (base, low, high) in enumerate(zip(scheduling.DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS)):
        factor = math.exp(rng.gauss(0.7 if index < 4 else 0.0, 0.3))  # people remember new cards better than the defaults assume
        values.append(min(max(base * factor, low), high))
    return tuple(values)


def card_history(rng: random.Random, card_id: int, truth: fsrs.Scheduler, first: datetime, end: datetime) -> list[tuple]:
    """(rating, reviewed_at, before, after) of one card studied from ``first`` until ``end``, as our scheduler plans it."""
    state, true_card, at, out = MemoryState(), fsrs.Card(card_id=card_id), first, []
    while at < end:
        if state.state == State.NEW:
            rating = Rating(rng.choices((1, 2, 3, 4), FIRST_RATING)[0])
        else:
            recall = truth.get_card_retrievability(true_card, at)
            if state.state in (State.LEARNING, State.RELEARNING):
                recall = 0.9  # a step minutes later: fsrs counts whole days, so it would say 1.0
            rating = Rating(rng.choices((2, 3, 4), RECALL_RATING)[0]) if rng.random() < recall else Rating.AGAIN
        after = scheduling.review(state, rating, at, card_id)
        true_card, _ = truth.review_card(true_card, fsrs.Rating(int(rating)), at)
        out.append((rating, at, state, after))
        state = after
        if after.due - at < timedelta(hours=12):
            at = after.due + timedelta(seconds=rng.randint(5, 300))  # the learning step, in the same session
        else:
            late = timedelta(days=rng.randint(1, 6)) if rng.random() < 0.15 else timedelta(0)
            at = after.due + late + timedelta(minutes=rng.randint(0, 600))
    return out


def simulated_users(
    store: Store, tmp: Path, users: int = 3, cards: int = 120, new_per_day: int = 6, days: int = 240, seed: int = 11,
    max_reviews: int | None = None,
) -> int:
    """Write the review history of ``users`` simulated people (one deck each) into ``store``. Returns the reviews written."""
    rng = random.Random(seed)
    paths = []
    for user in range(users):
        path = tmp / f"user{user}.yaml"
        lines = [f"deck: Sim::U{user}", "cards:"]
        for i in range(cards):
            lines += [f"  - id: u{user}c{i}", f"    front: Question {user}-{i}?", f"    back: Answer {i}"]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    sync_paths(store, paths, now=START - timedelta(days=1))
    end = START + timedelta(days=days)
    written = 0
    with store.write() as conn:
        for user in range(users):
            truth = fsrs.Scheduler(parameters=user_parameters(rng), enable_fuzzing=False)
            for i in range(cards):
                if max_reviews is not None and written >= max_reviews:
                    return written
                card_id = rs.card_by_uid(conn, f"u{user}c{i}").id
                first = START + timedelta(days=i // new_per_day, minutes=rng.randint(0, 120))
                for rating, at, before, after in card_history(rng, card_id, truth, first, end):
                    duration = int(rng.lognormvariate(math.log(7000), 0.5))
                    rs.record_answer(conn, card_id, rating, at, duration, before, Flags(), after, Flags())
                    written += 1
    return written


@pytest.fixture(scope="module")
def history_db(tmp_path_factory) -> Path:
    """A collection with a few thousand synthetic reviews (built once; tests copy it)."""
    folder = tmp_path_factory.mktemp("history")
    store = open_store(folder / "history.db")
    try:
        written = simulated_users(store, folder)
    finally:
        store.close()
    assert 2000 < written < 10000, written
    return folder / "history.db"


@pytest.fixture
def history(history_db: Path, tmp_path: Path) -> Store:
    copy = tmp_path / "copy.db"
    copy.write_bytes(history_db.read_bytes())
    store = open_store(copy)
    yield store
    store.close()


# ------------------------------------------------------------------------------------------------
# Review log -> FSRS items, on hand-made histories


def at(day: int, hour: int = 12, minute: int = 0) -> int:
    return to_us(datetime(2025, 3, 1, hour, minute, tzinfo=UTC) + timedelta(days=day))


def rows(card_id: int, *answers: tuple[int, int, int]) -> list[tuple]:
    """Log rows for one card from (rating, reviewed_at_us, state_before)."""
    return [(card_id, moment, card_id * 100 + i, pack_answer(rating, state)) for i, (rating, moment, state) in enumerate(answers)]


def items_of(log: list[tuple], zone=UTC, rollover: int = 4) -> list[tuple]:
    return list(opt.training_set(log, zone, rollover).items)


def test_same_day_reviews_have_delta_zero_and_make_no_item() -> None:
    log = rows(1, (3, at(0, 10, 0), State.NEW), (3, at(0, 10, 1), State.LEARNING), (3, at(0, 10, 11), State.LEARNING),
               (3, at(3), State.REVIEW), (4, at(3, 13), State.REVIEW), (3, at(10), State.REVIEW))
    assert items_of(log) == [
        ((3, 0), (3, 0), (3, 0), (3, 3)),
        ((3, 0), (3, 0), (3, 0), (3, 3), (4, 0), (3, 7)),
    ]


def test_relearning_lapse_keeps_its_steps_in_the_history() -> None:
    log = rows(1, (1, at(0), State.NEW), (3, at(0, 12, 1), State.LEARNING), (3, at(0, 12, 11), State.LEARNING),
               (1, at(2), State.REVIEW), (3, at(2, 12, 10), State.RELEARNING), (3, at(5), State.REVIEW))
    assert items_of(log) == [
        ((1, 0), (3, 0), (3, 0), (1, 2)),
        ((1, 0), (3, 0), (3, 0), (1, 2), (3, 0), (3, 3)),
    ]


def test_study_days_turn_over_at_the_rollover_hour_in_the_local_zone() -> None:
    # 23:00 and 03:30 the next morning are one study day with a 04:00 rollover; 05:00 is the next one.
    same = rows(1, (3, at(0, 23), State.NEW), (3, at(1, 3, 30), State.LEARNING), (3, at(1, 5), State.REVIEW))
    assert items_of(same) == [((3, 0), (3, 0), (3, 1))]
    # The same UTC moments seen from New York (UTC-5 in March before DST): 18:00, 22:30, 00:00 -> one study day.
    assert items_of(same, ZoneInfo("America/New_York")) == []


@pytest.mark.parametrize("zone_name, rollover", [("Europe/Berlin", 4), ("America/New_York", 0), ("Australia/Lord_Howe", 2), ("Asia/Kathmandu", 5)])
def test_study_days_of_the_fast_path_are_the_clocks_across_dst(zone_name: str, rollover: int) -> None:
    rng, zone = random.Random(5), ZoneInfo(zone_name)
    moments = sorted(rng.randint(at(0), at(800)) for _ in range(3000))
    ordinal, starts = opt.day_starts(moments[0], moments[-1], zone, rollover)
    moments += [start + nudge for start in starts[1:-1] for nudge in (-1, 0, 1)]  # either side of every day boundary
    for moment in moments:
        assert ordinal - 1 + bisect_right(starts, moment) == study_day(from_us(moment), zone, rollover).toordinal()


@pytest.mark.parametrize("zone_name", ["Europe/Berlin", "Asia/Kolkata", "UTC"])  # with DST changes, and a fixed offset
def test_delta_t_counts_study_days_of_the_clock(zone_name: str) -> None:
    rng, zone = random.Random(9), ZoneInfo(zone_name)
    moments = sorted(rng.randint(at(0), at(400)) for _ in range(300))
    log = rows(1, (3, moments[0], State.NEW), *((rng.randint(1, 4), moment, State.REVIEW) for moment in moments[1:]))
    days = [study_day(from_us(moment), zone, 4).toordinal() for moment in moments]
    expected = [0] + [later - earlier for earlier, later in zip(days, days[1:])]
    last_item = opt.training_set(log, zone, 4).items[-1]
    assert [delta for _, delta in last_item] == expected[: len(last_item)]


def test_cards_whose_first_review_is_missing_are_dropped_and_learning_starts_the_history() -> None:
    missing = rows(1, (3, at(0), State.REVIEW), (3, at(5), State.REVIEW))
    relearnt = rows(2, (3, at(0), State.REVIEW), (1, at(4), State.REVIEW), (3, at(4, 12, 10), State.RELEARNING), (3, at(6), State.REVIEW))
    learnt_late = rows(3, (3, at(0), State.REVIEW), (3, at(1), State.NEW), (3, at(4), State.REVIEW))
    result = opt.training_set(missing + relearnt + learnt_late, UTC, 4)
    assert result.dropped_cards == 2 and result.cards == 1
    assert result.items == (((3, 0), (3, 3)),)  # card 3 starts at its learning review, as Anki does
    assert opt.learning_start([State.NEW, State.LEARNING, State.REVIEW, State.NEW, State.LEARNING, State.REVIEW]) == 3


def test_items_are_ordered_by_the_time_of_their_last_review() -> None:
    first = rows(1, (3, at(0), State.NEW), (3, at(9), State.REVIEW))
    second = rows(2, (3, at(1), State.NEW), (3, at(3), State.REVIEW))
    assert [item[-1][1] for item in items_of(first + second)] == [2, 9]


def test_first_review_long_after_creation_counts_from_the_first_review(store: Store, write_deck) -> None:
    sync_paths(store, [write_deck("d.yaml", "deck: D\ncards:\n  - id: a\n    front: Q?\n    back: A\n")], now=START)
    with store.read() as conn:
        card_id = rs.card_by_uid(conn, "a").id
    first = START + timedelta(days=200)
    for offset, rating in ((timedelta(0), Rating.GOOD), (timedelta(minutes=1), Rating.GOOD), (timedelta(minutes=12), Rating.GOOD),
                           (timedelta(days=4), Rating.GOOD), (timedelta(days=15), Rating.AGAIN)):
        answer(store, card_id, rating, now=first + offset)
    result = opt.load_training_set(store, zone=UTC)
    assert result.items == (((3, 0), (3, 0), (3, 0), (3, 4)), ((3, 0), (3, 0), (3, 0), (3, 4), (1, 11)))
    assert result.used_reviews == result.reviews == 5


# ------------------------------------------------------------------------------------------------
# Fitting, evaluating, saving


def test_fitted_parameters_equal_ankis_optimizer(history: Store) -> None:
    from anki import scheduler_pb2
    from anki._backend import RustBackend

    training = opt.load_training_set(history, zone=UTC)
    assert len(training.lasts) > 1000
    ours = opt.fit(opt.to_fsrs_items(training), relearning_steps=len(scheduling.Settings().relearning_steps))
    protos = [scheduler_pb2.FsrsItem(reviews=[scheduler_pb2.FsrsReview(rating=r, delta_t=d) for r, d in item]) for item in training.items]
    anki = RustBackend().compute_fsrs_params_from_items(items=protos)
    assert anki.fsrs_items == len(training.lasts)
    assert list(ours) == list(anki.params)
    assert ours != tuple(float(v) for v in opt.fsrs_rs.DEFAULT_PARAMETERS)


def test_below_the_minimum_it_says_how_many_more_reviews_and_keeps_the_defaults(tmp_path: Path, write_deck) -> None:
    db = tmp_path / "few.db"
    store = open_store(db)
    sync_paths(store, [write_deck("d.yaml", "deck: D\ncards:\n  - id: a\n    front: Q?\n    back: A\n  - id: b\n    front: R?\n    back: B\n")])
    with store.read() as conn:
        ids = [rs.card_by_uid(conn, uid).id for uid in ("a", "b")]
    for day in range(5):
        for card_id in ids:
            answer(store, card_id, Rating.GOOD, now=START + timedelta(days=day * 3))
    result = opt.optimize(store, zone=UTC)
    assert (result.reviews, result.needed, result.saved) == (10, 390, False)
    store.close()
    out = _srs("optimize", db=db).stdout
    assert "has 10 reviews; a reliable fit needs at least 400: 390 more. Keeping the default parameters." in out
    store = open_store(db)
    assert srs_settings.load_all(store) == {}
    store.close()


def test_fitted_parameters_are_saved_only_when_they_predict_better(history: Store, monkeypatch) -> None:
    first = opt.optimize(history, zone=UTC)
    assert first.better and first.saved
    assert first.fitted_eval.log_loss < first.default_eval.log_loss
    assert srs_settings.load(history).parameters == first.fitted

    again = opt.optimize(history, zone=UTC)  # the same fit again: no better than what is now in use
    assert again.fitted == first.fitted and again.current_eval.log_loss == again.fitted_eval.log_loss and not again.saved

    worse = tuple(min(max(v * 3, lo), hi) for v, lo, hi in zip(first.fitted, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS))
    monkeypatch.setattr(opt.fitting, "fit", lambda items, relearning_steps=1: worse)
    for deck in (None, "Sim::U0"):
        result = opt.optimize(history, deck=deck, zone=UTC)
        assert not result.saved and result.fitted_eval.log_loss > result.current_eval.log_loss
    assert srs_settings.load(history).parameters == first.fitted
    assert "parameters" not in srs_settings.load_all(history).get("Sim::U0", {})


def test_deck_fit_is_saved_for_the_deck_only(history: Store) -> None:
    result = opt.optimize(history, deck="Sim::U1", zone=UTC)
    assert result.saved and result.reviews < opt.load_training_set(history, zone=UTC).reviews / 2
    assert srs_settings.load(history, "Sim::U1").parameters == result.fitted
    assert srs_settings.load(history).parameters == scheduling.DEFAULT_PARAMETERS


# ------------------------------------------------------------------------------------------------
# Rescheduling


def _card_states(store: Store) -> dict:
    with store.read() as conn:
        return card_states(conn, Scope())


def test_replaying_with_the_parameters_in_use_changes_nothing(history: Store) -> None:
    plan = opt.plan_reschedule(history, scheduling.DEFAULT_PARAMETERS, now=START + timedelta(days=240), zone=UTC)
    assert plan.replayed == len(_card_states(history)) and plan.changes == ()


def test_reschedule_summarises_then_writes_in_one_go(history: Store) -> None:
    fitted = opt.optimize(history, zone=UTC).fitted
    before = _card_states(history)
    now = START + timedelta(days=240)
    plan = opt.plan_reschedule(history, fitted, now=now, zone=UTC)
    assert plan.changes and plan.earlier + plan.later + plan.same_day == len(plan.changes)
    assert plan.median_shift_days != 0 and plan.due_today_before != plan.due_today_after
    assert _card_states(history) == before  # planning writes nothing
    assert opt.apply_reschedule(history, plan) == len(plan.changes)
    after = _card_states(history)
    for change in plan.changes:
        assert after[change.card_id] == change.new
    assert opt.plan_reschedule(history, fitted, now=now, zone=UTC).changes == ()


def test_rescheduled_collection_stays_consistent_for_doctor_and_undo(history: Store) -> None:
    from srs.doctor import examine
    from srs.review import undo
    from srs.storage import review_store

    fitted = opt.optimize(history, zone=UTC).fitted
    plan = opt.plan_reschedule(history, fitted, now=START + timedelta(days=240), zone=UTC)
    opt.apply_reschedule(history, plan)
    report = examine(history, zone=UTC)
    assert [f.message for f in report.findings if f.severity == "error"] == []
    with history.read() as conn:
        newest = conn.execute("SELECT card_id FROM review ORDER BY id DESC LIMIT 1").fetchone()[0]
    change = next((c for c in plan.changes if c.card_id == newest), None)
    card_id, restored = undo(history)
    assert card_id == newest
    if change is not None:  # undo gives the replayed state before the last answer, not the pre-reschedule one
        assert restored == review_store.memory_from_json(change.log[-1][1])[0]


def test_reschedule_is_one_transaction(history: Store, monkeypatch) -> None:
    fitted = opt.optimize(history, zone=UTC).fitted
    plan = opt.plan_reschedule(history, fitted, now=START + timedelta(days=240), zone=UTC)
    before = _card_states(history)
    real = opt.optimize_store.update_states

    def fail_halfway(conn, changes):
        real(conn, changes[: len(changes) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(opt.optimize_store, "update_states", fail_halfway)
    with pytest.raises(OSError):
        opt.apply_reschedule(history, plan)
    assert _card_states(history) == before


def test_reschedule_leaves_cards_answered_since_the_plan(history: Store) -> None:
    fitted = opt.optimize(history, zone=UTC).fitted
    plan = opt.plan_reschedule(history, fitted, now=START + timedelta(days=240), zone=UTC)
    moved = plan.changes[0].card_id
    answer(history, moved, Rating.GOOD, now=START + timedelta(days=241))
    answered = _card_states(history)[moved]
    assert opt.apply_reschedule(history, plan) == len(plan.changes) - 1
    assert _card_states(history)[moved] == answered


def test_cli_reschedule_asks_first_and_writes_on_yes(history: Store) -> None:
    db = history.path
    history.close()
    declined = _srs("optimize", "--reschedule", db=db, stdin="n\n").stdout
    assert "saved globally" in declined and "median shift" in declined and "Left the cards as they were." in declined
    store = open_store(db)
    assert opt.plan_reschedule(store, srs_settings.load(store).parameters).changes != ()
    store.close()
    accepted = _srs("optimize", "--reschedule", "--yes", db=db).stdout
    assert "already the best fit" in accepted and "Rescheduled" in accepted
    store = open_store(db)
    assert opt.plan_reschedule(store, srs_settings.load(store).parameters).changes == ()
    store.close()


# ------------------------------------------------------------------------------------------------
# Simulation


def test_forecast_starts_from_the_collection_and_respects_the_new_card_limit(history: Store) -> None:
    now = START + timedelta(days=240)
    result = opt.forecast(history, days=60, new_per_day=5, now=now, zone=UTC)
    assert len(result.reviews) == len(result.known) == len(result.learned) == 60
    assert result.answered_cards > 0 and result.runs >= 1
    assert max(result.learned) <= 5 and sum(result.learned) == pytest.approx(min(60 * 5, result.new_cards))
    assert result.known[0] > 0.5 * result.answered_cards  # known from day one: these cards were studied
    assert sum(result.reviews[:7]) > 0
    none_new = opt.forecast(history, days=60, new_per_day=0, now=now, zone=UTC)
    assert sum(none_new.learned) == 0 and none_new.new_cards == 0
    stricter = opt.forecast(history, days=60, new_per_day=0, retention=0.97, now=now, zone=UTC)
    assert sum(stricter.reviews) > sum(none_new.reviews)


def test_forecast_of_an_empty_scope_is_an_error(store: Store) -> None:
    with pytest.raises(opt.SrsError, match="no cards to simulate"):
        opt.forecast(store, days=10)
    with pytest.raises(opt.SrsError, match="no deck named"):
        opt.forecast(store, deck="Nope")


def test_retention_suggestion_has_a_workload_table(history: Store) -> None:
    advice = opt.suggest_retention(history, days=120, seeds=2)
    assert 0.7 <= advice.suggested <= 0.95 and not advice.generic
    retentions = [row.retention for row in advice.rows]
    assert retentions == sorted(retentions) and advice.suggested in retentions and 0.9 in retentions
    assert advice.rows[-1].reviews_per_day > advice.rows[0].reviews_per_day  # higher retention, more answers


def test_cli_simulate_and_retention_print_a_chart_and_a_table(history: Store) -> None:
    db = history.path
    history.close()
    out = _srs("simulate", "--days", "30", "--new-per-day", "4", db=db).stdout
    assert "Answers per day" in out and "Cards known" in out and "answers/day: first week" in out
    table = _srs("optimize", "--retention", db=db).stdout
    assert "Suggested desired retention" in table and "s per card known" in table


def _srs(*args: str, db: Path, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "SRS_DB": str(db), "TZ": "UTC"}
    result = subprocess.run([sys.executable, "-m", "srs", *args], capture_output=True, text=True, env=env, input=stdin)
    assert result.returncode == 0, result.stderr
    return result
