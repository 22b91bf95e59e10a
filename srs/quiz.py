"""Timed quiz from the outline: a mix of easy, medium and hard cards under time pressure.

Free recall with self-grading: the material has no wrong options, so the user reveals the answer
and says whether they knew it. Each result is an ordinary answer through ``review.answer``, so
FSRS learns from it, and the quiz itself is saved for ``srs stats``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from srs import scheduling
from srs.clock import utc_now
from srs.errors import CardUnavailable, SrsError
from srs.model import Rating, Scope, State
from srs.review import SettingsBook, answer
from srs.storage import Store
from srs.storage import quiz_store
from srs.storage import review_store as rs
from srs.text import plural

LEVELS = ("easy", "medium", "hard")
TARGET_MIX = {"easy": 10, "medium": 16, "hard": 6}  # the outline's 32-question quiz
BUDGET_SECONDS = {"easy": 15, "medium": 20, "hard": 25}
NEAREST = {"easy": ("medium", "hard"), "medium": ("easy", "hard"), "hard": ("medium", "easy")}
DEFAULT_COUNT = sum(TARGET_MIX.values())


def scaled_mix(count: int) -> dict[str, int]:
    """The outline's proportions for ``count`` questions (largest remainder; ties go to harder levels)."""
    if count < 1:
        raise SrsError("a quiz needs at least one question")
    exact = {level: TARGET_MIX[level] * count / DEFAULT_COUNT for level in LEVELS}
    mix = {level: int(value) for level, value in exact.items()}
    by_remainder = sorted(LEVELS, key=lambda level: (exact[level] - mix[level], LEVELS.index(level)), reverse=True)
    for level in by_remainder[: count - sum(mix.values())]:
        mix[level] += 1
    return mix


def budget_ms(difficulty: str | None) -> int:
    """The time budget for a card of this difficulty (unrated cards count as medium)."""
    return BUDGET_SECONDS.get(difficulty or "medium", BUDGET_SECONDS["medium"]) * 1000


def suggest_rating(correct: bool, elapsed_ms: int, budget: int, timed_out: bool = False) -> Rating:
    """Wrong or timed out: Again; right but over budget: Hard; within budget: Good; within a third: Easy."""
    if timed_out or not correct:
        return Rating.AGAIN
    if elapsed_ms > budget:
        return Rating.HARD
    if elapsed_ms * 3 <= budget:
        return Rating.EASY
    return Rating.GOOD


@dataclass(frozen=True)
class Question:
    """One quiz question: a card and its time budget."""

    card_id: int
    deck: str
    difficulty: str
    budget_ms: int
    recall: float | None  # current recall probability; None for a card never studied


@dataclass
class Plan:
    """The questions chosen, in order, and what could not be had."""

    questions: list[Question]
    wanted: dict[str, int]
    shortfalls: list[str] = field(default_factory=list)


def plan_quiz(store: Store, count: int = DEFAULT_COUNT, deck: str | None = None, topic: str | None = None, now: datetime | None = None) -> Plan:
    """Choose the questions that teach most: lowest recall probability first, then unseen cards."""
    now = now or utc_now()
    wanted = scaled_mix(count)
    book = SettingsBook.load(store)
    with store.read() as conn:
        rows = quiz_store.candidates(conn, Scope(deck, topic), now)
    pools: dict[str, list[Question]] = {level: [] for level in LEVELS}
    for card_id, deck_name, difficulty, memory in rows:
        level = difficulty or "medium"
        seen = memory.state != State.NEW
        recall = scheduling.retrievability(memory, now, book.for_deck(deck_name)) if seen else None
        pools[level].append(Question(card_id, deck_name, level, budget_ms(level), recall))
    for level in LEVELS:
        # seen cards by rising recall, then unseen cards in deck order (sort is stable)
        pools[level].sort(key=lambda q: (q.recall is None, q.recall or 0.0))
    chosen: dict[str, list[Question]] = {level: pools[level][: wanted[level]] for level in LEVELS}
    shortfalls = []
    for level in LEVELS:
        missing = wanted[level] - len(chosen[level])
        if missing <= 0:
            continue
        filled_from = []
        for other in NEAREST[level]:
            spare = pools[other][len(chosen[other]) :]
            take = spare[:missing]
            chosen[other].extend(take)
            missing -= len(take)
            if take:
                filled_from.append(f"{len(take)} {other}")
            if missing == 0:
                break
        message = f"only {plural(len(pools[level]), level + ' card')} available for {wanted[level]} wanted"
        if filled_from:
            message += f"; filled with {', '.join(filled_from)}"
        if missing:
            message += f"; {plural(missing, 'question')} short"
        shortfalls.append(message)
    questions = [q for level in LEVELS for q in chosen[level]]
    if not questions:
        raise SrsError("no cards to quiz on" + (f" in deck '{deck}'" if deck else "") + (f" with topic '{topic}'" if topic else ""))
    return Plan(_interleave(questions), wanted, shortfalls)


def _interleave(questions: list[Question]) -> list[Question]:
    """Spread the levels through the quiz (easy, medium, hard in their proportions), keeping each level's order."""
    by_level = {level: [q for q in questions if q.difficulty == level] for level in LEVELS}
    total = len(questions)
    placed = {level: 0 for level in LEVELS}
    order = []
    for slot in range(total):
        # next: the level furthest behind its even share of the line so far
        level = max(
            (lvl for lvl in LEVELS if placed[lvl] < len(by_level[lvl])),
            key=lambda lvl: ((slot + 1) * len(by_level[lvl]) / total - placed[lvl], -LEVELS.index(lvl)),
        )
        order.append(by_level[level][placed[level]])
        placed[level] += 1
    return order


@dataclass(frozen=True)
class Result:
    """How one question went."""

    question: Question
    correct: bool
    timed_out: bool
    elapsed_ms: int
    rating: Rating
    became_leech: bool = False


class QuizRun:
    """A quiz being taken: each result is recorded (as a review and a quiz item) the moment it is given."""

    def __init__(self, store: Store, plan: Plan, deck: str | None = None, topic: str | None = None, now: datetime | None = None) -> None:
        self.store = store
        self.plan = plan
        self.book = SettingsBook.load(store)
        self.results: list[Result] = []
        self.skipped: list[Question] = []  # cards retired or suspended by another process before their result was saved
        with store.write() as conn:
            self.quiz_id = quiz_store.start_quiz(conn, now or utc_now(), deck, topic, len(plan.questions), sum(q.budget_ms for q in plan.questions))

    def card(self, question: Question) -> rs.CardRow:
        """The card's content."""
        with self.store.read() as conn:
            return rs.fetch_cards(conn, [question.card_id])[question.card_id]

    def record(
        self, question: Question, correct: bool, elapsed_ms: int, timed_out: bool, rating: Rating, now: datetime, zone: tzinfo | None = None
    ) -> Result:
        """Record the user's (possibly changed) rating as a review, and the quiz item.

        Raises ``CardUnavailable`` (nothing saved, the question joins ``skipped``) if another process
        retired or suspended the card during the quiz.
        """
        try:
            review = answer(self.store, question.card_id, rating, now, elapsed_ms, self.book, zone, allow_suspended=False)
        except CardUnavailable:
            self.skipped.append(question)
            raise
        item = {
            "card_id": question.card_id, "position": len(self.results), "difficulty": question.difficulty,
            "correct": correct and not timed_out, "timed_out": timed_out, "elapsed_ms": elapsed_ms,
            "budget_ms": question.budget_ms, "rating": int(rating), "review_id": review.review_id,
        }
        with self.store.write() as conn:
            quiz_store.record_item(conn, self.quiz_id, item)
        result = Result(question, correct and not timed_out, timed_out, elapsed_ms, rating, review.became_leech)
        self.results.append(result)
        return result

    def settled(self) -> int:
        """How many questions are done with: saved or skipped."""
        return len(self.results) + len(self.skipped)

    def finish(self, now: datetime) -> dict:
        """Close the quiz and return its summary."""
        with self.store.write() as conn:
            quiz_store.finish_quiz(conn, self.quiz_id, now)
        return summarize(self.results, tags_of={q.card_id: self.card(q).tags for q in (r.question for r in self.results)})


def summarize(results: list[Result], tags_of: dict[int, tuple[str, ...]] | None = None) -> dict:
    """Score, breakdown by difficulty and by topic, and time used against the budget."""
    tags_of = tags_of or {}

    def tally(subset: list[Result]) -> dict:
        return {"questions": len(subset), "correct": sum(r.correct for r in subset), "score": round(sum(r.correct for r in subset) / len(subset), 4) if subset else None}

    by_topic: dict[str, list[Result]] = {}
    for result in results:
        for tag in tags_of.get(result.question.card_id, ()):
            by_topic.setdefault(tag, []).append(result)
    return {
        **tally(results),
        "timed_out": sum(r.timed_out for r in results),
        "time_used_ms": sum(r.elapsed_ms for r in results),
        "budget_ms": sum(r.question.budget_ms for r in results),
        "by_difficulty": {level: tally([r for r in results if r.question.difficulty == level]) for level in LEVELS if any(r.question.difficulty == level for r in results)},
        "by_topic": {tag: tally(subset) for tag, subset in sorted(by_topic.items())},
    }


def history(store: Store, limit: int = 50) -> list[dict]:
    """Past quizzes, oldest first, for ``srs stats``."""
    with store.read() as conn:
        return quiz_store.quiz_history(conn, limit)
