"""The timed quiz's core: the mix, the choice of cards, suggested ratings, recording and the summary."""

from __future__ import annotations

from datetime import timedelta

import pytest

from srs.decks import sync_paths
from srs.errors import SrsError
from srs.model import Rating
from srs.quiz import QuizRun, budget_ms, history, plan_quiz, scaled_mix, suggest_rating
from srs.review import answer, find_card, set_suspended
from srs.storage import review_store
from tests.conftest import T0, simple_deck


@pytest.fixture
def quiz_store(store, write_deck):
    decks = [
        write_deck("e.yaml", simple_deck(12, deck="Q::Easy", prefix="e", difficulty="easy")),
        write_deck("m.yaml", simple_deck(20, deck="Q::Medium", prefix="m", difficulty="medium")),
        write_deck("h.yaml", simple_deck(8, deck="Q::Hard", prefix="h", difficulty="hard")),
    ]
    sync_paths(store, decks, now=T0)
    return store


def test_default_mix_is_the_outlines() -> None:
    assert scaled_mix(32) == {"easy": 10, "medium": 16, "hard": 6}


def test_count_scales_the_mix_keeping_proportions() -> None:
    assert scaled_mix(8) == {"easy": 2, "medium": 4, "hard": 2}
    assert scaled_mix(16) == {"easy": 5, "medium": 8, "hard": 3}
    assert sum(scaled_mix(7).values()) == 7
    with pytest.raises(SrsError):
        scaled_mix(0)


def test_plan_has_the_mix_and_each_card_once(quiz_store) -> None:
    plan = plan_quiz(quiz_store, 32, now=T0)
    levels = [q.difficulty for q in plan.questions]
    assert (levels.count("easy"), levels.count("medium"), levels.count("hard")) == (10, 16, 6)
    assert len({q.card_id for q in plan.questions}) == 32 and plan.shortfalls == []
    assert levels[:3] != ["easy", "easy", "easy"]  # levels are spread, not blocked


def test_short_difficulty_is_said_and_filled_from_the_nearest(quiz_store) -> None:
    set_suspended(quiz_store, [find_card(quiz_store, f"h{i}").id for i in range(3, 8)], True)  # 3 hard cards left
    plan = plan_quiz(quiz_store, 32, now=T0)
    assert plan.shortfalls == ["only 3 hard cards available for 6 wanted; filled with 3 medium"]
    assert len({q.card_id for q in plan.questions}) == len(plan.questions) == 32


def test_lowest_recall_first_then_unseen(quiz_store) -> None:
    weak, strong = find_card(quiz_store, "e3").id, find_card(quiz_store, "e5").id
    answer(quiz_store, strong, Rating.EASY, T0)
    answer(quiz_store, weak, Rating.GOOD, T0)
    answer(quiz_store, weak, Rating.GOOD, T0 + timedelta(minutes=10))
    later = T0 + timedelta(days=30)
    easy = [q for q in plan_quiz(quiz_store, 32, now=later).questions if q.difficulty == "easy"]
    assert [q.card_id for q in easy[:2]] == [weak, strong]
    assert easy[0].recall < easy[1].recall and easy[2].recall is None


def test_topic_and_deck_filters(quiz_store) -> None:
    plan = plan_quiz(quiz_store, 8, deck="Q::Hard", now=T0)
    assert {q.deck for q in plan.questions} == {"Q::Hard"} and len(plan.questions) == 8
    with pytest.raises(SrsError, match="no cards to quiz on"):
        plan_quiz(quiz_store, 8, topic="no-such-topic", now=T0)


@pytest.mark.parametrize(
    "correct, elapsed, timed_out, expected",
    [
        (False, 1000, False, Rating.AGAIN),
        (True, 25000, True, Rating.AGAIN),
        (True, 20001, False, Rating.HARD),
        (True, 20000, False, Rating.GOOD),
        (True, 6667, False, Rating.GOOD),
        (True, 6666, False, Rating.EASY),
        (True, 0, False, Rating.EASY),
    ],
)
def test_suggested_rating_at_each_boundary(correct, elapsed, timed_out, expected) -> None:
    assert suggest_rating(correct, elapsed, budget_ms("medium"), timed_out) == expected


def test_budgets() -> None:
    assert (budget_ms("easy"), budget_ms("medium"), budget_ms("hard"), budget_ms(None)) == (15000, 20000, 25000, 20000)


def test_run_records_a_review_per_question_and_saves_the_quiz(quiz_store) -> None:
    plan = plan_quiz(quiz_store, 4, now=T0)
    run = QuizRun(quiz_store, plan, now=T0)
    outcomes = [(True, 3000, False), (False, 9000, False), (True, 40000, True), (True, 19000, False)]
    now = T0
    for question, (correct, elapsed, timed_out) in zip(plan.questions, outcomes):
        now += timedelta(milliseconds=elapsed)
        run.record(question, correct, elapsed, timed_out, suggest_rating(correct, elapsed, question.budget_ms, timed_out), now)
    summary = run.finish(now)
    assert (summary["questions"], summary["correct"], summary["timed_out"]) == (4, 2, 1)
    assert summary["time_used_ms"] == 71000 and summary["budget_ms"] == sum(q.budget_ms for q in plan.questions)
    assert sum(v["questions"] for v in summary["by_difficulty"].values()) == 4
    assert summary["by_topic"]["tensor-ops"]["questions"] == 4
    with quiz_store.read() as conn:
        for question in plan.questions:
            assert len(review_store.card_history(conn, question.card_id)) == 1
    (saved,) = history(quiz_store)
    assert (saved["answered"], saved["correct"], saved["score"]) == (4, 2, 0.5) and saved["finished_at"]


def test_the_user_can_change_the_suggested_rating(quiz_store) -> None:
    plan = plan_quiz(quiz_store, 1, now=T0)
    run = QuizRun(quiz_store, plan, now=T0)
    result = run.record(plan.questions[0], True, 1000, False, Rating.GOOD, T0)
    assert result.rating == Rating.GOOD
    with quiz_store.read() as conn:
        (entry,) = review_store.card_history(conn, plan.questions[0].card_id)
    assert entry[1] == Rating.GOOD
