"""The replay kernel in ``srs.scheduling`` equals the py-fsrs path exactly, over random histories and settings.

``scheduling.review`` computes FSRS-6 directly (``_Kernel``); ``scheduling._review_fsrs`` goes through
``fsrs.Scheduler.review_card`` as srs always did. Every field of every state must be equal, not close:
stability and difficulty to the last bit, due to the microsecond, fuzz seeded the same way.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS
from hypothesis import given, settings
from hypothesis import strategies as st

from srs import scheduling
from srs.model import Flags, MemoryState, Rating, State
from srs.storage import review_store
from srs.storage.timecodec import from_us, to_us

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
ZONES = [timezone.utc, ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York"), ZoneInfo("Australia/Lord_Howe"), ZoneInfo("Asia/Kolkata")]

parameters = st.one_of(
    st.just(scheduling.DEFAULT_PARAMETERS),
    st.tuples(*(st.floats(low, high, allow_nan=False) for low, high in zip(LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS))),
)
steps = st.lists(st.integers(1, 3 * 86400), max_size=4).map(lambda s: tuple(timedelta(seconds=x) for x in s))
configs = st.builds(
    scheduling.Settings,
    desired_retention=st.floats(0.7, 0.99),
    learning_steps=steps,
    relearning_steps=steps,
    maximum_interval=st.integers(1, 36500),
    day_starts_at=st.integers(0, 23),
    enable_fuzz=st.booleans(),
    parameters=parameters,
)
GAPS = st.one_of(st.integers(0, 120), st.integers(0, 3600), st.integers(0, 2 * 86400), st.integers(0, 400 * 86400), st.integers(-86400, 0))
histories = st.lists(st.tuples(GAPS, st.integers(0, 999_999), st.sampled_from(list(Rating))), min_size=1, max_size=25)


def assert_same(fast: MemoryState, reference: MemoryState) -> None:
    assert fast == reference
    # == on floats would let 0.0 == -0.0 through; the representation must be the same too.
    assert (repr(fast.stability), repr(fast.difficulty)) == (repr(reference.stability), repr(reference.difficulty))


@settings(max_examples=400, deadline=None)
@given(histories, configs, st.integers(1, 2**40), st.sampled_from(ZONES))
def test_kernel_equals_py_fsrs_over_random_histories(history, config, card_id: int, zone) -> None:
    state, now = MemoryState(), T0
    for seconds, micros, rating in history:
        now = scheduling.review_time(state, now + timedelta(seconds=seconds, microseconds=micros))
        reference = scheduling._review_fsrs(state, rating, now, card_id, config, zone)
        kernel = scheduling._kernel_for(config).review(state, rating, now, card_id, zone)
        assert kernel is not None, f"the kernel refused a reachable state {state}"
        assert_same(kernel, reference)
        assert_same(scheduling.review(state, rating, now, card_id, config, zone), reference)
        state = reference


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(list(State)), st.one_of(st.none(), st.integers(0, 5)), st.one_of(st.none(), st.floats(0.001, 40000)),
    st.one_of(st.none(), st.floats(1, 10)), st.one_of(st.none(), st.integers(0, 900 * 86400)), st.integers(0, 30), configs,
    st.sampled_from(list(Rating)), st.integers(0, 400 * 86400), st.sampled_from(ZONES),
)
def test_review_equals_py_fsrs_from_any_stored_state(kind, step, stability, difficulty, ago, reps, config, rating, seconds, zone) -> None:
    """States as a DB or a sync may hold them (steps beyond today's steps, missing fields): the kernel or its fallback gives py-fsrs' answer."""
    last = None if ago is None else T0 - timedelta(seconds=ago)
    state = MemoryState(kind, step, stability, difficulty, T0, last, reps, 0)
    now = scheduling.review_time(state, T0 + timedelta(seconds=seconds))
    try:
        reference = scheduling._review_fsrs(state, rating, now, 7, config, zone)
    except (AssertionError, TypeError, IndexError, ValueError) as exc:  # py-fsrs refuses the state: so must review
        with pytest.raises(type(exc)):
            scheduling.review(state, rating, now, 7, config, zone)
        return
    assert_same(scheduling.review(state, rating, now, 7, config, zone), reference)


def test_a_broken_kernel_is_caught(monkeypatch) -> None:
    """The comparison can fail: a kernel off by one ulp in difficulty differs from py-fsrs on the first answer."""
    original = scheduling._Kernel.next_difficulty

    def off_by_an_ulp(self, difficulty: float, rating: int) -> float:
        import math

        return math.nextafter(original(self, difficulty, rating), 0.0)

    monkeypatch.setattr(scheduling._Kernel, "next_difficulty", off_by_an_ulp)
    scheduling._kernels.clear()
    state = scheduling.review(MemoryState(), Rating.GOOD, T0, 1)
    later = T0 + timedelta(days=3)
    assert scheduling.review(state, Rating.GOOD, later, 1) != scheduling._review_fsrs(state, Rating.GOOD, later, 1, scheduling.Settings(), timezone.utc)


def test_kernel_refuses_an_invalid_rating() -> None:
    with pytest.raises(ValueError):
        scheduling.review(MemoryState(), 5, T0, 1)  # type: ignore[arg-type]


def as_values(state: MemoryState) -> tuple:
    return (state.state, state.step, state.stability, state.difficulty, to_us(state.due), to_us(state.last_review), state.reps, state.lapses)


@settings(max_examples=400, deadline=None)
@given(histories, configs, st.integers(1, 2**40), st.sampled_from(ZONES))
def test_replay_equals_py_fsrs_answer_by_answer(history, config, card_id: int, zone) -> None:
    """``scheduling.replay`` (numbers, one loop) gives py-fsrs' state after every answer, fuzz and study days included.

    Times may go backwards (negative gaps): replay clamps them as ``review_time`` does.
    """
    answers, at = [], to_us(T0)
    for seconds, micros, rating in history:
        at += seconds * 1_000_000 + micros
        answers.append((at, int(rating)))
    replayed = scheduling.replay(answers, card_id, config, zone)
    state = MemoryState()
    for (at_us, rating), values in zip(answers, replayed, strict=True):
        state = scheduling._review_fsrs(state, Rating(rating), scheduling.review_time(state, from_us(at_us)), card_id, config, zone)
        assert values == as_values(state)
        assert repr(values[2:4]) == repr((state.stability, state.difficulty))


def test_replay_refuses_an_invalid_rating() -> None:
    with pytest.raises(ValueError):
        scheduling.replay([(to_us(T0), 0)], 1)


def test_values_to_json_is_memory_to_json() -> None:
    """The f-string JSON of a replayed state is ``memory_to_json``'s text, for every flag combination and odd floats."""
    moments = [to_us(T0), to_us(T0) + 86_400_000_000]
    for flags in (Flags(), Flags(True, False, None), Flags(False, True, T0), Flags(True, True, T0 + timedelta(microseconds=1))):
        for values in [
            (State.LEARNING, 0, 1.2931, 5.112170705601056, *moments, 1, 0),
            (State.REVIEW, None, 36500.0, 10.0, *moments, 12, 3),
            (State.RELEARNING, 2, 1e-05, 1.0000000000000002, *moments, 2, 1),
            (State.REVIEW, None, float("inf"), float("nan"), *moments, 3, 0),
            (State.REVIEW, None, 3, 7, *moments, 3, 0),  # ints from parameters given as ints
        ]:
            memory = MemoryState(values[0], values[1], values[2], values[3], from_us(values[4]), from_us(values[5]), values[6], values[7])
            assert review_store.values_to_json(values, review_store.flags_json_tail(flags)) == review_store.memory_to_json(memory, flags)
        assert review_store.NEW_STATE_HEAD + review_store.flags_json_tail(flags) == review_store.memory_to_json(MemoryState(), flags)
