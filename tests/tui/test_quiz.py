"""The quiz screen (srs quiz): the mix, the countdown and timeouts, suggested ratings, reviews saved, the summary."""

from __future__ import annotations

from types import SimpleNamespace

import subprocess
import sys
from datetime import timezone

import pytest
from textual.binding import Binding
from typer.testing import CliRunner

from srs.cli import app as cli_app
from srs.errors import DatabaseError
from srs.model import Rating
from srs.quiz import QuizRun
from srs.quiz import history as quiz_history
from srs.review import find_card, set_suspended
from srs.storage import review_store
from srs.tui.app import SrsApp
from srs.tui.screens.decks import DecksScreen
from srs.tui.screens.help import HelpScreen, all_sections, help_content, key_label
from srs.tui.screens import quiz as quiz_module
from srs.tui.screens.quiz import QuizRequest, QuizScreen, why
from srs.tui.screens.quiz_summary import QuizOutcome, QuizSummaryScreen, outcome_content
from srs.tui.widgets.countdown import countdown_content
from srs.tui.widgets.deck_tree import DeckTree
from tests.tui.conftest import SIZE, CardData, screen_text, wait_until

UTC = timezone.utc
TOPICS = {"easy": ("tensor-ops",), "medium": ("autograd", "training-loop"), "hard": ("deployment",)}


@pytest.fixture(autouse=True)
def no_timeout_grace(monkeypatch) -> None:
    """Tests press Enter at once after a timeout; the grace against a late Space has its own test."""
    monkeypatch.setattr(quiz_module, "TIMEOUT_GRACE_SECONDS", 0.0)


def level_cards(level: str, n: int, deck: str | None = None) -> list[CardData]:
    """``n`` new cards of one difficulty, in their own deck."""
    return [
        CardData(f"{level[0]}{i}", f"{level.title()} question {i}?", f"{level.title()} answer {i}", deck=deck or f"Quiz::{level.title()}",
                 tags=TOPICS[level], difficulty=level)
        for i in range(n)
    ]


def collection(make_store, easy: int = 12, medium: int = 20, hard: int = 8):
    return make_store(level_cards("easy", easy) + level_cards("medium", medium) + level_cards("hard", hard))


def quiz_app(store, clock, **request) -> SrsApp:
    return SrsApp(store, clock=clock, zone=UTC, quiz=QuizRequest(**request))


def on_question(app: SrsApp, serial: int = 1):
    """A condition: the quiz shows its ``serial``-th question, countdown running."""
    return lambda: isinstance(app.screen, QuizScreen) and app.screen.card_serial >= serial and app.screen.phase == "question"


async def opened(app: SrsApp, pilot) -> None:
    """Wait for the first question; drop the shortfall note (single-difficulty collections have one) so the screen is clear."""
    await wait_until(pilot, on_question(app))
    app.clear_notifications()
    await pilot.pause()


def in_phase(app: SrsApp, phase: str):
    return lambda: isinstance(app.screen, QuizScreen) and app.screen.phase == phase


def on_summary(app: SrsApp):
    return lambda: isinstance(app.screen, QuizSummaryScreen)


def reviews(store, card_id: int) -> list[tuple]:
    """(id, rating, reviewed_at, duration_ms, ...) of every review of the card."""
    with store.read() as conn:
        return review_store.card_history(conn, card_id)


def levels(app: SrsApp) -> tuple[int, int, int]:
    questions = app.screen.run.plan.questions
    return tuple(sum(q.difficulty == level for q in questions) for level in ("easy", "medium", "hard"))


async def answer(app: SrsApp, pilot, clock, serial: int, elapsed_ms: int, key: str | None) -> None:
    """Answer question ``serial`` after ``elapsed_ms``: reveal and press ``key`` (y / n); None lets the time run out."""
    await wait_until(pilot, on_question(app, serial))
    clock.advance(milliseconds=elapsed_ms)
    if key is None:
        await wait_until(pilot, in_phase(app, "rating"))  # the countdown's tick notices
    else:
        await pilot.press("space", key)
    assert app.screen.phase == "rating"
    await pilot.press("enter")


# -- the mix -----------------------------------------------------------------------------------


async def test_default_quiz_has_the_outlines_mix_each_card_once(make_store, clock) -> None:
    store = collection(make_store)
    app = quiz_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(app, pilot)
        assert levels(app) == (10, 16, 6)
        questions = app.screen.run.plan.questions
        assert len({q.card_id for q in questions}) == 32 and app.screen.run.plan.shortfalls == []
        text = screen_text(app)
        assert "Question 1 of 32" in text and "0 right · 0 wrong" in text


async def test_count_8_scales_the_mix(make_store, clock) -> None:
    store = collection(make_store)
    app = quiz_app(store, clock, count=8)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(app, pilot)
        assert levels(app) == (2, 4, 2)
        assert "Question 1 of 8" in screen_text(app)


async def test_a_short_difficulty_is_announced_and_filled_from_the_nearest(make_store, clock) -> None:
    store = collection(make_store, hard=1)
    app = quiz_app(store, clock, count=8)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_question(app))
        assert app.screen.run.plan.shortfalls == ["only 1 hard card available for 2 wanted; filled with 1 medium"]
        assert levels(app) == (2, 5, 1)
        (note,) = app._notifications
        assert note.message == "only 1 hard card available for 2 wanted; filled with 1 medium" and not note.markup
        await wait_until(pilot, lambda: "only 1 hard card available for 2 wanted" in screen_text(app))


# -- countdown and timeout ---------------------------------------------------------------------


async def test_the_countdown_runs_down_from_the_budget(make_store, clock) -> None:
    store = make_store(level_cards("hard", 2))
    app = quiz_app(store, clock, count=2)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(app, pilot)
        assert "▰▰▰▰▰▰▰▰▰▰ 0:25 left" in screen_text(app)
        clock.advance(seconds=10)
        await wait_until(pilot, lambda: "▰▰▰▰▰▰▱▱▱▱ 0:15 left" in screen_text(app))
        clock.advance(seconds=11)
        await wait_until(pilot, lambda: "▰▰▱▱▱▱▱▱▱▱ 0:04 left" in screen_text(app))
        assert app.screen.query_one("#quiz-countdown").has_class("-low") and app.screen.phase == "question"


async def test_a_timeout_reveals_the_answer_counts_it_wrong_and_saves_again(make_store, clock) -> None:
    store = make_store(level_cards("medium", 2))
    app = quiz_app(store, clock, count=2)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(app, pilot)
        assert "Medium answer 0" not in screen_text(app)
        clock.advance(seconds=20, milliseconds=1)
        await wait_until(pilot, in_phase(app, "rating"))
        screen = app.screen
        assert screen.timed_out and not screen.correct and screen.suggested == screen.chosen == Rating.AGAIN
        text = screen_text(app)
        assert "Medium answer 0" in text and "Time's up: counted as wrong." in text and "Suggested: Again (time ran out)" in text
        assert "0:00 left" in text and screen.query_one("#quiz-rate-1").has_class("-chosen")
        await pilot.press("enter")
        await wait_until(pilot, on_question(app, 2))
        ((_, rating, at, duration_ms, *_),) = reviews(store, find_card(store, "m0").id)
        assert rating == Rating.AGAIN and duration_ms == 20_000 and at == clock.now
        (result,) = screen.run.results
        assert result.timed_out and not result.correct and result.elapsed_ms == 20_000
        assert "0 right · 1 wrong" in screen_text(app)


async def test_a_key_pressed_as_time_runs_out_does_not_save_unseen(make_store, clock, monkeypatch) -> None:
    # The grace is real reaction time (time.monotonic), so the test drives that clock: a loaded machine must not
    # let the window pass between two key presses.
    reaction = SimpleNamespace(now=1_000.0)
    monkeypatch.setattr(quiz_module, "time", SimpleNamespace(monotonic=lambda: reaction.now))
    monkeypatch.setattr(quiz_module, "TIMEOUT_GRACE_SECONDS", 0.3)
    store = make_store(level_cards("easy", 2))
    app = quiz_app(store, clock, count=2)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(app, pilot)
        clock.advance(seconds=16)
        await pilot.press("space")  # meant to reveal; time is up already
        assert app.screen.phase == "rating" and app.screen.timed_out
        await pilot.press("space", "enter")
        assert app.screen.phase == "rating" and reviews(store, find_card(store, "e0").id) == []
        reaction.now += 0.35
        await pilot.press("enter")
        await wait_until(pilot, on_question(app, 2))
        assert reviews(store, find_card(store, "e0").id)[0][1] == Rating.AGAIN


@pytest.mark.parametrize(
    "level, elapsed_ms, key, expected",
    [
        ("easy", 5_000, "y", Rating.EASY),  # exactly a third of 15 s
        ("easy", 5_001, "y", Rating.GOOD),
        ("easy", 15_000, "y", Rating.GOOD),  # exactly the budget
        ("easy", 15_001, "y", Rating.AGAIN),  # over it: time is up before the reveal counts
        ("medium", 6_666, "y", Rating.EASY),
        ("medium", 6_667, "y", Rating.GOOD),
        ("medium", 20_000, "y", Rating.GOOD),
        ("medium", 20_001, "y", Rating.AGAIN),
        ("hard", 8_333, "y", Rating.EASY),
        ("hard", 8_334, "y", Rating.GOOD),
        ("hard", 25_000, "y", Rating.GOOD),
        ("hard", 1_000, "n", Rating.AGAIN),  # wrong, however fast
    ],
)
async def test_the_rating_suggested_at_each_time_boundary(make_store, clock, level, elapsed_ms, key, expected) -> None:
    store = make_store(level_cards(level, 1))
    app = quiz_app(store, clock, count=1)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(app, pilot)
        budget = app.screen.question.budget_ms
        clock.advance(milliseconds=elapsed_ms)
        await pilot.press("space", key)
        screen = app.screen
        assert screen.phase == "rating" and screen.suggested == screen.chosen == expected
        assert screen.timed_out == (elapsed_ms > budget)
        assert f"Suggested: {expected.label} (" in screen_text(app)
        assert screen.query_one(f"#quiz-rate-{int(expected)}").has_class("-chosen")
        await pilot.press("enter")
        await wait_until(pilot, on_summary(app))
        ((_, rating, _, duration_ms, *_),) = reviews(store, find_card(store, f"{level[0]}0").id)
        assert rating == expected and duration_ms == min(elapsed_ms, budget)


def test_why_each_rating_was_suggested() -> None:
    assert why(Rating.EASY, True, False, 4_200, 15_000) == "right in 4.2s: within a third of the 15s budget"
    assert why(Rating.GOOD, True, False, 9_000, 20_000) == "right in 9.0s: within the 20s budget"
    assert why(Rating.HARD, True, False, 26_000, 25_000) == "right, but in 26.0s: over the 25s budget"
    assert why(Rating.AGAIN, False, False, 1_000, 20_000) == "you did not know it"
    assert why(Rating.AGAIN, False, True, 20_000, 20_000) == "time ran out"


def test_countdown_text() -> None:
    assert countdown_content(20_000, 20_000).plain == "▰▰▰▰▰▰▰▰▰▰ 0:20 left"
    assert countdown_content(14_001, 20_000).plain == "▰▰▰▰▰▰▰▰▱▱ 0:15 left"
    assert countdown_content(0, 20_000).plain == "▱▱▱▱▱▱▱▱▱▱ 0:00 left"


# -- grading and rating ------------------------------------------------------------------------


async def test_the_user_changes_the_suggested_rating(make_store, clock) -> None:
    store = make_store(level_cards("medium", 2))
    app = quiz_app(store, clock, count=2)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(app, pilot)
        clock.advance(seconds=2)
        await pilot.press("space", "y")
        screen = app.screen
        assert screen.suggested == Rating.EASY
        await pilot.press("2")
        assert screen.chosen == Rating.HARD and screen.query_one("#quiz-rate-2").has_class("-chosen")
        assert not screen.query_one("#quiz-rate-4").has_class("-chosen")
        assert "Suggested: Easy (right in 2.0s: within a third of the 20s budget)  ·  you chose Hard" in screen_text(app)
        await pilot.press("space")  # Space confirms too
        await wait_until(pilot, on_question(app, 2))
        assert reviews(store, find_card(store, "m0").id)[0][1] == Rating.HARD
        assert screen.run.results[0].correct and screen.run.results[0].rating == Rating.HARD


async def test_keys_out_of_turn_do_nothing(make_store, clock) -> None:
    store = make_store(level_cards("medium", 1))
    app = quiz_app(store, clock, count=1)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(app, pilot)
        await pilot.press("y", "n", "1", "4")
        assert app.screen.phase == "question"
        await pilot.press("space", "1", "3", "enter", "space")
        assert app.screen.phase == "revealed"
        await pilot.press("n")
        assert app.screen.phase == "rating" and app.screen.chosen == Rating.AGAIN
        await pilot.pause(0.05)
        assert reviews(store, find_card(store, "m0").id) == []


async def test_the_buttons_do_what_the_keys_do(make_store, clock) -> None:
    store = make_store(level_cards("medium", 2))
    app = quiz_app(store, clock, count=2)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(app, pilot)
        clock.advance(seconds=10)
        await pilot.click("#quiz-show")
        assert app.screen.phase == "revealed"
        await pilot.click("#quiz-right")
        assert app.screen.phase == "rating" and app.screen.chosen == Rating.GOOD
        await pilot.click("#quiz-rate-4")
        assert app.screen.chosen == Rating.EASY
        await pilot.click("#quiz-next")
        await wait_until(pilot, on_question(app, 2))
        assert reviews(store, find_card(store, "m0").id)[0][1] == Rating.EASY
        await pilot.press("space")
        await pilot.click("#quiz-wrong")
        assert app.screen.chosen == Rating.AGAIN


# -- the whole quiz and the summary ------------------------------------------------------------


async def test_a_whole_quiz_saves_a_review_per_question_and_sums_up(make_store, clock) -> None:
    store = collection(make_store)
    app = quiz_app(store, clock, count=4)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(app, pilot)
        quiz = app.screen
        questions = quiz.run.plan.questions
        assert levels(app) == (1, 2, 1)
        await answer(app, pilot, clock, 1, 3_000, "y")  # right, within a third: Easy
        await answer(app, pilot, clock, 2, 9_000, "n")  # wrong: Again
        await answer(app, pilot, clock, 3, questions[2].budget_ms + 500, None)  # timed out: Again
        await answer(app, pilot, clock, 4, 12_000, "y")  # right, within the budget: Good
        await wait_until(pilot, on_summary(app))
        for question in questions:
            assert len(reviews(store, question.card_id)) == 1
        assert [r.rating for r in quiz.run.results] == [Rating.EASY, Rating.AGAIN, Rating.AGAIN, Rating.GOOD]
        outcome = app.screen.outcome
        summary = outcome.summary
        budget = sum(q.budget_ms for q in questions)
        assert (summary["questions"], summary["correct"], summary["timed_out"], summary["score"]) == (4, 2, 1, 0.5)
        assert summary["time_used_ms"] == 3_000 + 9_000 + questions[2].budget_ms + 12_000 and summary["budget_ms"] == budget
        expected_levels = {}
        for question, right in zip(questions, (True, False, False, True)):
            tally = expected_levels.setdefault(question.difficulty, [0, 0])
            tally[0] += right
            tally[1] += 1
        assert {level: (t["correct"], t["questions"]) for level, t in summary["by_difficulty"].items()} == {
            level: tuple(t) for level, t in expected_levels.items()
        }
        assert sum(t["questions"] for t in summary["by_topic"].values()) == sum(len(TOPICS[q.difficulty]) for q in questions)
        assert not outcome.ended_early and outcome.ratings == {Rating.AGAIN: 2, Rating.HARD: 0, Rating.GOOD: 1, Rating.EASY: 1}
        text = screen_text(app)
        assert "Quiz finished: 4 questions" in text and "Score       2 of 4 right (50%)" in text and "Timed out   1" in text
        assert "Ratings     Again 2 · Hard 0 · Good 1 · Easy 1" in text and "By difficulty" in text and "By topic" in text
        (saved,) = quiz_history(store)
        assert (saved["planned"], saved["answered"], saved["correct"], saved["score"]) == (4, 4, 2, 0.5)
        assert saved["finished_at"] == clock.now.isoformat() and saved["budget_ms"] == budget
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DecksScreen))


async def test_ending_early_keeps_the_answers_given(make_store, clock) -> None:
    store = collection(make_store)
    app = quiz_app(store, clock, count=8)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await answer(app, pilot, clock, 1, 4_000, "y")
        await answer(app, pilot, clock, 2, 4_000, "n")
        await wait_until(pilot, on_question(app, 3))
        third = app.screen.question
        await pilot.press("space", "y", "q")  # graded but not confirmed: not saved
        await wait_until(pilot, on_summary(app))
        assert reviews(store, third.card_id) == []
        summary = app.screen.outcome.summary
        assert (summary["questions"], summary["correct"]) == (2, 1) and app.screen.outcome.ended_early
        assert "Quiz ended early: 2 of 8 questions answered" in screen_text(app)
        (saved,) = quiz_history(store)
        assert (saved["planned"], saved["answered"], saved["correct"]) == (8, 2, 1) and saved["finished_at"]


async def test_ending_at_once_shows_an_empty_summary(make_store, clock) -> None:
    store = collection(make_store)
    app = quiz_app(store, clock, count=8)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(app, pilot)
        await pilot.press("escape")
        await wait_until(pilot, on_summary(app))
        assert "No question was answered, so there is no score." in screen_text(app)
        assert quiz_history(store) == []  # only quizzes with an answer are history


def test_summary_text_of_a_breakdown() -> None:
    summary = {
        "questions": 3, "correct": 2, "score": 0.6667, "timed_out": 1, "time_used_ms": 50_000, "budget_ms": 60_000,
        "by_difficulty": {"easy": {"questions": 1, "correct": 1, "score": 1.0}, "hard": {"questions": 2, "correct": 1, "score": 0.5}},
        "by_topic": {"[red]x" + "y" * 40: {"questions": 3, "correct": 2, "score": 0.6667}},
    }
    outcome = QuizOutcome("[b]Deck[/b] · topic t", 5, summary, shortfalls=("only 1 hard card available for 2 wanted",))
    text = outcome_content(outcome).plain
    assert "Quiz ended early: 3 of 5 questions answered" in text and "[b]Deck[/b] · topic t" in text
    assert "Score       2 of 3 right (67%)" in text and "Time used   50s of a 1m 00s budget (83%)" in text
    assert "easy                            1      1   100%" in text and "hard                            1      2    50%" in text
    assert "[red]x" + "y" * 18 + "…       2      3    67%" in text  # cut to the column, never markup
    assert "Note: only 1 hard card available for 2 wanted" in text


# -- from the deck list, help, text safety -----------------------------------------------------


async def test_z_on_the_deck_list_quizzes_the_deck_under_the_cursor(make_store, clock) -> None:
    store = collection(make_store)
    app = SrsApp(store, clock=clock, zone=UTC)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DecksScreen) and app.screen.data is not None)
        tree = app.screen.query_one(DeckTree)
        await wait_until(pilot, lambda: tree.cursor_node is not None)
        while tree.cursor_node.data.deck != "Quiz::Hard":
            await pilot.press("down")
        await pilot.press("z")
        await opened(app, pilot)
        assert app.screen.request == QuizRequest(deck="Quiz::Hard")
        assert {q.deck for q in app.screen.run.plan.questions} == {"Quiz::Hard"} and len(app.screen.run.plan.questions) == 8
        await pilot.press("q")
        await wait_until(pilot, on_summary(app))
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, DecksScreen))
        assert len(app.screen_stack) == 1  # the deck list, the first screen: the quiz and its summary are gone


async def test_a_failed_save_keeps_the_question_and_enter_tries_again(make_store, clock, monkeypatch) -> None:
    store = make_store(level_cards("medium", 2))
    app = quiz_app(store, clock, count=2)
    record = QuizRun.record
    failures = [DatabaseError("the disk is full")]

    def flaky(self, *args, **kwargs):
        if failures:
            raise failures.pop()
        return record(self, *args, **kwargs)

    monkeypatch.setattr(QuizRun, "record", flaky)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(app, pilot)
        await pilot.press("space", "y", "enter")
        await wait_until(pilot, in_phase(app, "rating"))
        await wait_until(pilot, lambda: "the disk is full" in screen_text(app))
        assert app.screen.index == 0 and reviews(store, find_card(store, "m0").id) == []
        await pilot.press("enter")
        await wait_until(pilot, on_question(app, 2))
        assert len(reviews(store, find_card(store, "m0").id)) == 1


async def test_a_quiz_with_no_cards_says_so_and_goes_back(make_store, clock) -> None:
    store = make_store([CardData("s0", "Suspended?", difficulty="easy")])
    set_suspended(store, [find_card(store, "s0").id], True)
    app = SrsApp(store, clock=clock, zone=UTC)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DecksScreen) and app.screen.data is not None)
        await pilot.press("z")
        await wait_until(pilot, in_phase(app, "failed"))
        assert "Could not start the quiz: no cards to quiz on" in screen_text(app)
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, DecksScreen))


def test_help_lists_every_quiz_key_and_says_it_is_free_recall() -> None:
    text = help_content(all_sections()).plain
    for owner in (QuizScreen, QuizSummaryScreen, DecksScreen):
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding)
            assert binding.action in owner.KEY_HELP, f"{owner.__name__}: no help for {binding.action}"
            assert key_label(binding.key) in text and owner.KEY_HELP[binding.action] in text
    assert "Quiz: free recall with self-grading" in text and "No options: recall, reveal, say if you knew it" in text
    quiz_section = text[text.index("Quiz: free recall") : text.index("Quiz summary")]
    assert max(len(line) for line in quiz_section.splitlines()) <= 72  # one line each in the help box


async def test_help_opens_over_the_quiz(make_store, clock) -> None:
    store = make_store(level_cards("medium", 1))
    app = quiz_app(store, clock, count=1)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, QuizScreen) and app.screen.phase == "question"


async def test_card_text_is_never_markup(make_store, clock) -> None:
    card = CardData("x0", "front [bold] x[/] [@click=app.quit]", back="back [@click=app.quit] y[/]", deck="[b]Deck[/b]", tags=("[red]",))
    store = make_store([card])
    app = quiz_app(store, clock, count=1)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await opened(app, pilot)
        text = screen_text(app)
        assert "front [bold] x[/] [@click=app.quit]" in text and "[b]Deck[/b]" in text and "[red]" in text
        await pilot.press("space", "y", "enter")
        await wait_until(pilot, on_summary(app))
        assert "[red]" in screen_text(app) and app.is_running


# -- the command -------------------------------------------------------------------------------


def test_cli_help_says_free_recall_with_self_grading() -> None:
    result = CliRunner().invoke(cli_app, ["quiz", "--help"], terminal_width=200)
    assert result.exit_code == 0 and "Free recall with self-grading" in result.output and "--count" in result.output


def test_cli_prints_shortfalls_then_opens_the_quiz(tmp_path, monkeypatch, make_store) -> None:
    collection(make_store, hard=1).close()
    opened = []
    monkeypatch.setattr(SrsApp, "run", lambda self: opened.append(self.start_quiz))
    monkeypatch.setattr("srs.cli.quiz.require_terminal", lambda command: None)  # CliRunner gives no terminal
    result = CliRunner().invoke(cli_app, ["quiz", "--count", "8", "--db", str(tmp_path / "tui.db")])
    assert result.exit_code == 0, result.output
    assert result.output == "srs: note: only 1 hard card available for 2 wanted; filled with 1 medium\n"
    (request,) = opened
    assert request.count == 8 and len(request.plan.questions) == 8


@pytest.mark.parametrize(
    "args, message",
    [(["--deck", "Nope"], "no deck named 'Nope'"), (["--topic", "nope"], "no cards to quiz on with topic 'nope'")],
)
def test_cli_errors_are_one_line(tmp_path, make_store, args, message) -> None:
    collection(make_store).close()
    result = subprocess.run([sys.executable, "-m", "srs", "quiz", *args, "--db", str(tmp_path / "tui.db")], capture_output=True, text=True)
    assert result.returncode == 1 and result.stderr.startswith(f"srs: error: {message}") and result.stderr.count("\n") == 1


# -- snapshots (fixed clock, 100x30) -----------------------------------------------------------


def test_snapshot_question(make_store, clock, snap_compare) -> None:
    store = collection(make_store)
    app = quiz_app(store, clock, count=8)

    async def asked(pilot) -> None:
        await opened(app, pilot)
        clock.advance(seconds=7)
        await wait_until(pilot, lambda: "0:13 left" in screen_text(app))

    assert snap_compare(app, terminal_size=SIZE, run_before=asked)


def test_snapshot_timed_out(make_store, clock, snap_compare) -> None:
    store = collection(make_store)
    app = quiz_app(store, clock, count=8)

    async def timed_out(pilot) -> None:
        await opened(app, pilot)
        clock.advance(seconds=30)
        await wait_until(pilot, in_phase(app, "rating"))

    assert snap_compare(app, terminal_size=SIZE, run_before=timed_out)


def test_snapshot_summary(make_store, clock, snap_compare) -> None:
    store = collection(make_store)
    app = quiz_app(store, clock, count=4)

    async def finished(pilot) -> None:
        await answer(app, pilot, clock, 1, 3_000, "y")
        await answer(app, pilot, clock, 2, 9_000, "n")
        await answer(app, pilot, clock, 3, 30_000, None)
        await answer(app, pilot, clock, 4, 12_000, "y")
        await wait_until(pilot, on_summary(app))

    assert snap_compare(app, terminal_size=SIZE, run_before=finished)
