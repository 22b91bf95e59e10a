"""The timed quiz: free recall with self-grading, one question at a time against a countdown.

Space reveals the answer; the user says whether they knew it (y / n); the rating that follows from
that and the time taken is suggested and lit, 1-4 changes it, Enter records it as an ordinary review
(``QuizRun.record``) and moves on. When the countdown runs out the answer is revealed and counted as
wrong. Time is measured from the question appearing to the reveal: reading the answer and grading
it are not recall. All DB work runs in thread workers, one job at a time, as on the review screen.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from srs import scheduling
from srs.errors import CardUnavailable
from srs.model import CardRow, Rating
from srs.quiz import DEFAULT_COUNT, Plan, Question, QuizRun, Result, plan_quiz, suggest_rating, summarize
from srs.storage import Store
from srs.tui.jobs import JobFailed, start_job
from srs.tui.screens.quiz_summary import QuizOutcome, QuizSummaryScreen
from srs.tui.text import plain
from srs.tui.widgets.card_view import CardView, warm_highlighting
from srs.tui.widgets.countdown import Countdown
from srs.tui.widgets.key_bar import KeyBar
from srs.tui.widgets.quiz_bar import QuizBar

TIMEOUT_GRACE_SECONDS = 0.8  # a key pressed as time ran out was meant to reveal, not to save Again unseen
ACTIONS_BY_PHASE = {"question": {"reveal"}, "revealed": {"grade"}, "rating": {"choose", "confirm"}}


@dataclass(frozen=True)
class QuizRequest:
    """A quiz to take: its scope and length, and the plan if it was already made (``srs quiz`` makes it first)."""

    deck: str | None = None
    topic: str | None = None
    count: int = DEFAULT_COUNT
    plan: Plan | None = None


def quiz_label(deck: str | None, topic: str | None) -> str:
    """'All decks', a deck name, and the topic if any."""
    label = deck or "All decks"
    return f"{label} · topic {topic}" if topic else label


@dataclass(frozen=True)
class Shown:
    """A question ready to show: its card and the interval each rating would give."""

    card: CardRow
    intervals: dict[Rating, timedelta] = field(default_factory=dict)


def load_question(run: QuizRun, question: Question, now: datetime, zone: tzinfo) -> Shown:
    """The card of ``question`` and its intervals (reads the DB: call it off the UI thread)."""
    card = run.card(question)
    warm_highlighting(card)
    intervals = scheduling.preview(card.memory, now, card.id, run.book.for_deck(card.deck), zone)
    return Shown(card, intervals)


def open_quiz(store: Store, request: QuizRequest, now: datetime, zone: tzinfo) -> tuple[QuizRun, Shown]:
    """Plan the quiz (unless planned already), save its start, and load the first question."""
    plan = request.plan or plan_quiz(store, request.count, request.deck, request.topic, now)
    run = QuizRun(store, plan, request.deck, request.topic, now)
    return run, load_question(run, plan.questions[0], now, zone)


def why(rating: Rating, correct: bool, timed_out: bool, elapsed_ms: int, budget_ms: int) -> str:
    """Why ``suggest_rating`` chose ``rating``, in words."""
    took, budget = f"{elapsed_ms / 1000:.1f}s", f"{budget_ms // 1000}s"
    if timed_out:
        return "time ran out"
    if not correct:
        return "you did not know it"
    if rating == Rating.HARD:
        return f"right, but in {took}: over the {budget} budget"
    if rating == Rating.EASY:
        return f"right in {took}: within a third of the {budget} budget"
    return f"right in {took}: within the {budget} budget"


class QuizScreen(Screen[None]):
    """Take a quiz; the summary screen replaces this one at the end."""

    BINDINGS = [
        Binding("space,enter", "reveal", "Show answer"),
        Binding("y", "grade(True)", "Right"),
        Binding("n", "grade(False)", "Wrong"),
        Binding("1", "choose(1)", "Again", show=False),
        Binding("2", "choose(2)", "Hard", show=False),
        Binding("3", "choose(3)", "Good", show=False),
        Binding("4", "choose(4)", "Easy", show=False),
        Binding("enter,space", "confirm", "Next"),
        Binding("question_mark", "help", "Help"),
        Binding("q,escape", "end", "End quiz"),
    ]
    KEY_HELP = {
        "reveal": "Show the answer (stops the countdown)",
        "grade(True)": "After the reveal: I knew it (right)",
        "grade(False)": "After the reveal: I did not know it (wrong)",
        "choose(1)": "Change the suggested rating to Again",
        "choose(2)": "... to Hard (suggested: right, over the budget)",
        "choose(3)": "... to Good (suggested: right within the budget)",
        "choose(4)": "... to Easy (suggested: right in a third of it)",
        "confirm": "Save the rating as a review; next question",
        "help": "Show every key (the countdown keeps running)",
        "end": "End now (saved answers kept) and show the summary",
    }
    HELP_INTRO = [("Free recall", "No options: recall, reveal, say if you knew it")]
    HELP_NOTES = [
        ("Time up", "Answer shown, counted wrong, Again suggested"),
        ("Click", "The buttons do what their keys do"),
    ]

    class Opened(Message):
        """The quiz was planned and started; the first question is loaded."""

        def __init__(self, run: QuizRun, shown: Shown) -> None:
            super().__init__()
            self.run, self.shown = run, shown

    class Recorded(Message):
        """A result was saved (or, ``skipped``, refused: another process retired or suspended the card);
        then the next question (``shown``) or the end of the quiz (``summary``)."""

        def __init__(self, result: Result | None, shown: Shown | None, summary: dict | None, skipped: CardUnavailable | None = None) -> None:
            super().__init__()
            self.result, self.shown, self.summary, self.skipped = result, shown, summary, skipped

    class Finished(Message):
        """The quiz was closed; ``summary`` is ``QuizRun.finish``'s."""

        def __init__(self, summary: dict) -> None:
            super().__init__()
            self.summary = summary

    def __init__(self, request: QuizRequest) -> None:
        super().__init__()
        self.request = request
        self.run: QuizRun | None = None
        self.phase = "loading"  # loading | question | revealed | rating | saving | ending | failed | done
        self.index = 0  # position of the question on screen
        self.shown: Shown | None = None
        self.card_serial = 0  # bumped once each question is on screen (tests wait on it)
        self.correct = self.timed_out = False
        self.elapsed_ms = 0
        self.suggested = self.chosen = Rating.GOOD
        self.right = self.wrong = 0
        self._busy = False
        self._end_pending = False
        self._shown_at: datetime | None = None
        self._confirm_after = 0.0  # time.monotonic(): real reaction time, not the study clock

    def compose(self) -> ComposeResult:
        with Horizontal(id="quiz-top"):
            yield Static(Content.styled("Quiz", "bold"), id="quiz-progress")
            yield Static(plain(quiz_label(self.request.deck, self.request.topic)), id="quiz-meta")
            yield Static(id="quiz-score")
            yield Countdown(self.app.clock, id="quiz-countdown")
        yield CardView(id="quiz-card")
        yield Static(Content("Choosing the questions…"), id="quiz-status")
        yield QuizBar(id="quiz-bar")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(CardView).display = False
        self.query_one(QuizBar).display = False
        store, request, now, zone = self.app.store, self.request, self.app.clock(), self.app.zone
        self._busy = True
        start_job(self, lambda: self.Opened(*open_quiz(store, request, now, zone)))

    # -- which keys do something now (the footer follows) --------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        for phase, actions in ACTIONS_BY_PHASE.items():
            if action in actions:
                return self.phase == phase
        return True

    def _enter(self, phase: str) -> None:
        self.phase = phase
        self.refresh_bindings()

    # -- job results ---------------------------------------------------------------------------

    @on(Opened)
    def _opened(self, message: Opened) -> None:
        self._busy = False
        self.run = message.run
        if message.run.plan.shortfalls:
            shortfalls = "\n".join(message.run.plan.shortfalls)
            self.notify(shortfalls, title="Not enough cards of a difficulty", severity="warning", timeout=10, markup=False)
        if self._end_pending:
            self._end()
        else:
            self._show(message.shown)

    @on(Recorded)
    def _recorded(self, message: Recorded) -> None:
        self._busy = False
        if message.skipped is not None:
            self.notify(message.skipped.reason, title="Not saved: changed in another window", severity="warning", timeout=8, markup=False)
        elif message.result.correct:
            self.right += 1
        else:
            self.wrong += 1
        if message.result is not None and message.result.became_leech:
            self.notify("It lapsed too often: tagged leech and suspended", title="Leech", severity="warning", timeout=8, markup=False)
        self._show_score()
        if message.summary is not None:
            self._summarize(message.summary)
        elif self._end_pending or message.shown is None:
            self._end()
        else:
            self.index += 1
            self._show(message.shown)

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self._busy = False
        self._summarize(message.summary)

    @on(JobFailed)
    def _failed(self, message: JobFailed) -> None:
        self._busy = False
        self.notify(message.error, title="Could not save or load", severity="error", timeout=10, markup=False)
        if self.run is None:
            self._enter("failed")
            self._status(Content.assemble("Could not start the quiz: ", plain(message.error), "\nPress q to go back."))
        elif self.phase == "ending":
            self._summarize(self._local_summary(), saved=False)
        elif self._end_pending or self.run.settled() > self.index:
            self._end()  # asked to end, or the result was saved but the next question could not be read
        else:
            self._enter("rating")  # the result was not saved: Enter tries again

    # -- showing -------------------------------------------------------------------------------

    def _show(self, shown: Shown) -> None:
        assert self.run is not None
        self.shown = shown
        question = self.question
        total = len(self.run.plan.questions)
        self.query_one("#quiz-progress", Static).update(Content.styled(f"Question {self.index + 1} of {total}", "bold"))
        meta = [Content("  "), Content.styled(question.difficulty, "italic"), Content("  "), plain(shown.card.deck, "bold")]
        if shown.card.tags:
            meta.append(plain("  " + " ".join(shown.card.tags), "dim"))
        self.query_one("#quiz-meta", Static).update(Content.assemble(*meta))
        self._show_score()
        view = self.query_one(CardView)
        view.show(shown.card)
        view.display = True
        self.query_one(QuizBar).ask()
        self._status(Content.assemble("Recall the answer, then press ", ("Space", "bold"), " to reveal it."))
        self.correct = self.timed_out = False
        self.elapsed_ms = 0
        self._shown_at = self.app.clock()
        self.query_one(Countdown).start(self._shown_at, question.budget_ms)
        self._enter("question")
        self.call_after_refresh(self._question_rendered)

    def _question_rendered(self) -> None:
        self.card_serial += 1

    def _show_score(self) -> None:
        self.query_one("#quiz-score", Static).update(
            Content.assemble((f"{self.right} right", "$success"), " · ", (f"{self.wrong} wrong", "$error"))
        )

    def _status(self, content: Content) -> None:
        status = self.query_one("#quiz-status", Static)
        status.update(content)
        status.display = True

    @property
    def question(self) -> Question:
        """The question on screen."""
        assert self.run is not None
        return self.run.plan.questions[self.index]

    # -- reveal, grade, rate -------------------------------------------------------------------

    def action_reveal(self) -> None:
        if self._busy or self.phase != "question":
            return
        countdown = self.query_one(Countdown)
        if countdown.expired:  # the tick had not noticed yet: time is what the clock says
            self._time_up()
            return
        self.elapsed_ms = countdown.elapsed_ms
        countdown.stop()
        self.query_one(CardView).reveal()
        self.query_one(QuizBar).grade()
        self._status(Content.assemble(
            ("Did you know it?  ", "bold"), ("y", "bold $success"), " right  ·  ", ("n", "bold $error"), " wrong",
            (f"   (recalled in {self.elapsed_ms / 1000:.1f}s of {self.question.budget_ms // 1000}s)", "dim"),
        ))
        self._enter("revealed")

    @on(QuizBar.RevealPressed)
    def _reveal_clicked(self) -> None:
        self.action_reveal()

    @on(Countdown.Expired)
    def _expired(self) -> None:
        if not self._busy and self.phase == "question":
            self._time_up()

    def _time_up(self) -> None:
        """Time ran out: reveal, count it wrong, suggest Again. The question used its whole budget."""
        self.query_one(Countdown).stop()
        self.query_one(CardView).reveal()
        self.timed_out, self.correct = True, False
        self.elapsed_ms = self.question.budget_ms
        self._confirm_after = time.monotonic() + TIMEOUT_GRACE_SECONDS
        self._offer_rating()

    def action_grade(self, correct: bool) -> None:
        if self._busy or self.phase != "revealed":
            return
        self.correct = correct
        self._offer_rating()

    @on(QuizBar.Graded)
    def _grade_clicked(self, message: QuizBar.Graded) -> None:
        self.action_grade(message.correct)

    def _offer_rating(self) -> None:
        assert self.shown is not None
        self.suggested = suggest_rating(self.correct, self.elapsed_ms, self.question.budget_ms, self.timed_out)
        self.chosen = self.suggested
        self.query_one(QuizBar).rate(self.shown.intervals, self.chosen)
        self._show_choice()
        self._enter("rating")

    def _show_choice(self) -> None:
        reason = why(self.suggested, self.correct, self.timed_out, self.elapsed_ms, self.question.budget_ms)
        head = Content.styled("Time's up: counted as wrong.  ", "bold $error") if self.timed_out else Content("")
        changed = Content.assemble("  ·  you chose ", (self.chosen.label, "bold")) if self.chosen != self.suggested else Content("")
        self._status(Content.assemble(
            head, "Suggested: ", (self.suggested.label, "bold"), f" ({reason})", changed,
            ("\n1-4 change the rating · Space or Enter saves it and goes on", "dim"),
        ))

    def action_choose(self, value: int) -> None:
        if self._busy or self.phase != "rating":
            return
        self.chosen = Rating(value)
        self.query_one(QuizBar).choose(self.chosen)
        self._show_choice()

    @on(QuizBar.Chosen)
    def _rating_clicked(self, message: QuizBar.Chosen) -> None:
        self.action_choose(int(message.rating))

    def action_confirm(self) -> None:
        if self._busy or self.phase != "rating" or self.run is None or time.monotonic() < self._confirm_after:
            return
        run, question, index, zone, now = self.run, self.question, self.index, self.app.zone, self.app.clock()
        correct, elapsed, timed_out, rating = self.correct, self.elapsed_ms, self.timed_out, self.chosen
        questions = run.plan.questions

        def record() -> Message:
            result, skipped = None, None
            try:
                result = run.record(question, correct, elapsed, timed_out, rating, now, zone)
            except CardUnavailable as exc:
                skipped = exc
            if index + 1 >= len(questions):
                return self.Recorded(result, None, run.finish(now), skipped)
            return self.Recorded(result, load_question(run, questions[index + 1], now, zone), None, skipped)

        self._busy = True
        self._enter("saving")
        start_job(self, record)

    @on(QuizBar.NextPressed)
    def _next_clicked(self) -> None:
        self.action_confirm()

    # -- the end -------------------------------------------------------------------------------

    def action_end(self) -> None:
        if self.phase in ("ending", "done"):
            return
        if self.phase == "failed" and self.run is None:
            self._enter("done")
            self.app.back_to_decks()
        elif self._busy:
            self._end_pending = True  # once the job in flight is done
        else:
            self._end()

    def _end(self) -> None:
        """Close the quiz in a worker; only answers already saved count."""
        if self.run is None:
            self._enter("done")
            self.app.back_to_decks()
            return
        run, now = self.run, self.app.clock()
        self.query_one(Countdown).stop()
        self._busy = True
        self._enter("ending")
        start_job(self, lambda: self.Finished(run.finish(now)))

    def _local_summary(self) -> dict:
        """The summary from the results in memory (if closing the quiz failed)."""
        assert self.run is not None
        return summarize(self.run.results)

    def _summarize(self, summary: dict, saved: bool = True) -> None:
        assert self.run is not None
        self._enter("done")
        self.query_one(Countdown).clear()
        counts = Counter(result.rating for result in self.run.results)
        outcome = QuizOutcome(
            label=quiz_label(self.request.deck, self.request.topic),
            planned=len(self.run.plan.questions),
            summary=summary,
            ratings={rating: counts.get(rating, 0) for rating in Rating},
            shortfalls=tuple(self.run.plan.shortfalls),
            saved=saved,
        )
        self.app.replace_screen(QuizSummaryScreen(outcome))

    def action_help(self) -> None:
        self.app.show_help()
