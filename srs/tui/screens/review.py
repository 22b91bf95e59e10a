"""The review screen: one card at a time, reveal, answer 1-4, undo, bury, suspend.

All Session calls run in thread workers, one at a time (``_busy``): an answer is a durable write
(an fsync: bench/tui.py measures 1-4 ms median and up to 16 ms at p99 on this machine), too slow
to be trusted on the UI thread. Each job returns the next ``Step``, so the UI
thread only renders. Keys pressed while a job runs are ignored rather than queued, as they were
meant for a card that is not on screen yet.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from srs.decks.cloze import question_text
from srs.errors import CardUnavailable, NothingToUndo
from srs.model import CardRow, Rating, Scope
from srs.review import Answer, Session
from srs.tui.jobs import JobFailed, start_job
from srs.tui.steps import Opening, Step, next_step, open_session, warm_answer_side
from srs.tui.text import one_line, plain, when
from srs.tui.widgets.answer_bar import AnswerBar
from srs.tui.widgets.card_timer import CardTimer, budget_for
from srs.tui.widgets.card_view import CardView, load_full_markdown
from srs.tui.widgets.counts_bar import CountsBar
from srs.tui.widgets.key_bar import KeyBar

WAIT_POLL_SECONDS = 30.0  # re-check at least this often while waiting (robust to sleep and clock jumps)
PREPARE_DELAY_SECONDS = 0.3  # after the first card: build the answer side's widgets
SHOW_BUTTON_DELAY_SECONDS = 0.05  # after the first card: mount 'Show answer' and the key bar


def scope_label(scope: Scope) -> str:
    """'All decks', a deck name, and the tag if any."""
    label = scope.deck or "All decks"
    return f"{label} · tag {scope.tag}" if scope.tag else label


class ReviewScreen(Screen[None]):
    """Study ``scope`` until nothing is left today."""

    BINDINGS = [
        Binding("space,enter", "reveal", "Show answer"),
        Binding("space,enter", "answer_good", "Good"),  # the same keys on the answer side (footer: check_action)
        Binding("1", "rate(1)", "Again", show=False),
        Binding("2", "rate(2)", "Hard", show=False),
        Binding("3", "rate(3)", "Good", show=False),
        Binding("4", "rate(4)", "Easy", show=False),
        Binding("u", "undo", "Undo"),
        Binding("b", "bury", "Bury"),
        Binding("s", "suspend", "Suspend"),
        Binding("question_mark", "help", "Help"),
        Binding("q,escape", "back", "Decks"),
    ]
    KEY_HELP = {
        "reveal": "Show the answer",
        "answer_good": "On the answer side: answer Good",
        "rate(1)": "Again: forgotten, show it again soon",
        "rate(2)": "Hard: recalled with difficulty",
        "rate(3)": "Good: recalled",
        "rate(4)": "Easy: recalled at once",
        "undo": "Undo the last answer and bring that card back",
        "bury": "Bury the card until tomorrow",
        "suspend": "Suspend the card (never shown until unsuspended)",
        "help": "Show every key",
        "back": "Back to the deck list",
    }

    phase = reactive("loading", bindings=True)  # loading | question | answer | waiting | failed | done

    class Opened(Message):
        """The session was built."""

        def __init__(self, session: Session, step: Step) -> None:
            super().__init__()
            self.session, self.step = session, step

    class Advanced(Message):
        """A job changed the session (``event``: answered, undone, buried, suspended, skipped, polled)."""

        def __init__(self, event: str, step: Step, answer: Answer | None = None, duration_ms: int | None = None) -> None:
            super().__init__()
            self.event, self.step, self.answer, self.duration_ms = event, step, answer, duration_ms

    def __init__(self, scope: Scope, opening: Opening | None = None) -> None:
        """``opening``: the session over ``scope``, opened before the app (``srs review --deck``), if any."""
        super().__init__()
        self.scope = scope
        self._opening = opening
        self.session: Session | None = None
        self.step = Step()
        self.card_serial = 0  # bumped once each card is on screen (tests and bench wait on it)
        self.answers: dict[int, tuple[Rating, int]] = {}  # this session's review id -> (rating, duration ms)
        self.buried = self.suspended = 0
        self._busy = False
        self._leave_pending = False
        self._shown_at: datetime | None = None
        self._wait_timer: Timer | None = None
        self._warming: threading.Thread | None = None  # building the first card's lexers (see _prepare_answer_side)

    def compose(self) -> ComposeResult:
        with Horizontal(id="review-top"):
            yield Static(plain(scope_label(self.scope)), id="review-deck")
            yield CountsBar(id="review-counts")
            yield CardTimer(self.app.clock, id="review-timer")
        yield CardView(id="review-card")
        yield Static(Content("Loading today's cards…"), id="review-status")
        yield AnswerBar(id="review-answer")
        # The key bar is mounted by _mount_controls, with 'Show answer': 50 ms after the first card (their widgets
        # were ~4 ms of the cold start, bench/tui.py --cold-only), or with a screen that is not a card.

    async def on_mount(self) -> None:
        ready = self._opening.ready() if self._opening is not None else None
        if ready is not None:  # opened before the app: the first frame shows the card
            self.session, step = ready
            await self._show(step)
            return
        self.query_one(CardView).display = False
        self.query_one(AnswerBar).display = False
        self._mount_controls()
        store, scope, zone, now, opening = self.app.store, self.scope, self.app.zone, self.app.clock(), self._opening

        def open_or_wait() -> Message:
            return self.Opened(*(opening.wait() if opening is not None else open_session(store, scope, zone, now)))

        self._busy = True
        start_job(self, open_or_wait)

    # -- job results ---------------------------------------------------------------------------

    @on(Opened)
    async def _opened(self, message: Opened) -> None:
        self.session = message.session
        self._busy = False
        await self._after_job(message.step)

    @on(Advanced)
    async def _advanced(self, message: Advanced) -> None:
        self._busy = False
        answer = message.answer
        if message.event == "answered" and answer is not None:
            self.answers[answer.review_id] = (answer.rating, message.duration_ms or 0)
            if answer.became_leech:
                card = self.step.card
                text = one_line(question_text(card.uid, card.front)) if card is not None and card.id == answer.card_id else ""
                self.notify(text, title="Leech: card suspended", severity="warning", timeout=8, markup=False)
        elif message.event == "undone" and answer is not None:
            self.answers.pop(answer.review_id, None)
            self.notify(f"Undid {answer.rating.label}", timeout=2)
        elif message.event == "buried":
            self.buried += 1
            self.notify("Buried until tomorrow", timeout=2)
        elif message.event == "suspended":
            self.suspended += 1
            self.notify("Card suspended", timeout=2)
        await self._after_job(message.step)

    @on(JobFailed)
    def _failed(self, message: JobFailed) -> None:
        self._busy = False
        self.notify(message.error, title="Could not save or load", severity="error", timeout=10, markup=False)
        if self.session is None:
            self.phase = "failed"
            self._mount_controls()
            self.query_one("#review-status", Static).update(Content(f"Could not open the session: {message.error}\nPress q to go back."))
        elif self._leave_pending:
            self._leave()

    async def _after_job(self, step: Step) -> None:
        if self._leave_pending:
            self._leave()
        else:
            await self._show(step)

    # -- showing a step ------------------------------------------------------------------------

    async def _show(self, step: Step) -> None:
        self._cancel_wait()
        self.step = step
        for skipped in step.skipped:
            self.notify(f"{one_line(skipped.card.front) or skipped.card.uid}\n{skipped.reason}", title="Skipped: changed in another window", severity="warning", timeout=8, markup=False)
        self.query_one(CountsBar).show(step.counts, step.state)
        if step.card is not None:
            await self._show_card(step.card)
        elif step.available_at is not None:
            self._show_waiting(step.available_at)
        else:
            self._finish(step.next_due)

    async def _show_card(self, card: CardRow) -> None:
        view = self.query_one(CardView)
        view.show(card)
        meta = [plain(card.deck, "bold")]
        if card.tags:
            meta.append(plain("  " + " ".join(card.tags), "dim"))
        if card.difficulty:
            meta.append(plain("  " + card.difficulty, "italic"))
        self.query_one("#review-deck", Static).update(Content.assemble(*meta))
        self.query_one("#review-status", Static).display = False
        view.display = True
        self.query_one(AnswerBar).ask()
        self.phase = "question"
        self._shown_at = self.app.clock()
        self.query_one(CardTimer).start(self._shown_at, budget_for(card.difficulty))
        self.call_after_refresh(self._card_rendered)

    def _card_rendered(self) -> None:
        self.card_serial += 1
        if self.card_serial == 1:
            self.app.started()
            # 'Show answer' and the key bar come a moment after the card (AnswerBar.compose says why), once its
            # frame is out.
            self.set_timer(SHOW_BUTTON_DELAY_SECONDS, self._mount_controls)
            # The answer side's widgets are not needed for the first card: they are built while it is
            # read (the reveal builds them itself if it comes first). Not at once: this callback can run
            # before the frame holding the card is written to the terminal.
            self.set_timer(PREPARE_DELAY_SECONDS, self._prepare_answer_side)

    def _mount_controls(self) -> None:
        """Mount the key bar and 'Show answer', if not yet done (the first card is drawn without them)."""
        if not self.query(KeyBar):
            self.mount(KeyBar())
        self.query_one(AnswerBar).prepare_show()

    def _prepare_answer_side(self) -> None:
        load_full_markdown()  # not needed for a plain first front; most backs need it
        if not self._busy and self.session is not None and self.phase == "question":
            self.step = self.step.with_intervals(self.session)  # imports py-fsrs while the card is read
            # The first card's answer-side lexers (later cards get theirs from next_step, in the job). Not
            # before: that thread would take turns with the UI thread drawing the card.
            self._warming = warm_answer_side(self.step)
        self.query_one(CardView).prepare_answer_side()
        self.query_one(AnswerBar).prepare_ratings()

    def _show_waiting(self, available_at: datetime) -> None:
        self.phase = "waiting"
        self._mount_controls()
        self.query_one(CardTimer).clear()
        self.query_one(CardView).display = False
        self.query_one(AnswerBar).display = False
        self.query_one("#review-deck", Static).update(plain(scope_label(self.scope), "bold"))
        now = self.app.clock()
        status = self.query_one("#review-status", Static)
        status.update(
            Content.assemble(
                ("Nothing to show right now.\n\n", "bold"),
                f"The next learning card comes back {when(available_at, now, self.app.zone)}.\n",
                "This screen moves on by itself when it is due. Press q to go back to the decks.",
            )
        )
        status.display = True
        delay = (available_at - now).total_seconds()
        self._wait_timer = self.set_timer(max(0.05, min(delay, WAIT_POLL_SECONDS)), self._poll)

    def _poll(self) -> None:
        self._wait_timer = None
        if self.phase == "waiting" and not self._busy:
            self._run("polled", lambda session, now: None)

    def _cancel_wait(self) -> None:
        if self._wait_timer is not None:
            self._wait_timer.stop()
            self._wait_timer = None

    def _finish(self, next_due: datetime | None) -> None:
        from srs.tui.screens.done import DoneScreen, Summary  # here: the first card is drawn without it

        self.phase = "done"
        self.query_one(CardTimer).clear()
        ratings = [rating for rating, _ in self.answers.values()]
        summary = Summary(
            scope=scope_label(self.scope),
            answers=len(ratings),
            again=sum(1 for rating in ratings if rating == Rating.AGAIN),
            seconds=sum(ms for _, ms in self.answers.values()) / 1000,
            buried=self.buried,
            suspended=self.suspended,
            next_due=next_due,
            now=self.app.clock(),
            zone=self.app.zone,
        )
        self.app.replace_screen(DoneScreen(summary))

    # -- jobs ----------------------------------------------------------------------------------

    def _run(self, event: str, change: Callable[[Session, datetime], Answer | None], answer_ms: int | None = None) -> None:
        """Apply ``change(session, now)`` in a thread worker, then compute the next step there too."""
        session, now = self.session, self.app.clock()
        assert session is not None
        self._busy = True

        def job() -> Message:
            try:
                result = change(session, now)
            except CardUnavailable:  # changed by another process; the session has dropped it (Step.skipped says why)
                return self.Advanced("skipped", next_step(session, now))
            return self.Advanced(event, next_step(session, now), result, answer_ms)

        start_job(self, job)

    def _ready(self, *phases: str) -> bool:
        return not self._busy and self.session is not None and self.phase in phases

    # -- actions -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Space / Enter read 'Show answer' on the question side and 'Good' on the answer side."""
        if action == "reveal":
            return self.phase != "answer"
        if action == "answer_good":
            return self.phase == "answer"
        return True

    def action_reveal(self) -> None:
        if self._ready("question"):
            self._reveal()

    def action_answer_good(self) -> None:
        self.action_rate(int(Rating.GOOD))

    @on(AnswerBar.RevealPressed)
    def _reveal_clicked(self) -> None:
        if self._ready("question"):
            self._reveal()

    def _reveal(self) -> None:
        if self._warming is not None:
            self._warming.join()  # done long before a reader reveals; never two threads on one lexer
            self._warming = None
        assert self.session is not None
        self.step = self.step.with_intervals(self.session)  # if the reveal came before _prepare_answer_side
        self.query_one(CardView).reveal()
        self.query_one(AnswerBar).offer(self.step.intervals)
        self.phase = "answer"

    @on(AnswerBar.Rated)
    def _rating_clicked(self, message: AnswerBar.Rated) -> None:
        self.action_rate(int(message.rating))

    def action_rate(self, value: int) -> None:
        if not self._ready("answer") or self.step.card is None or self._shown_at is None:
            return
        card_id, rating = self.step.card.id, Rating(value)
        elapsed = self.app.clock() - self._shown_at
        duration_ms = max(0, int(elapsed.total_seconds() * 1000))
        self.query_one(CardTimer).stop()
        self._run("answered", lambda session, now: session.answer(card_id, rating, now, duration_ms), duration_ms)

    def action_undo(self) -> None:
        if not self._ready("question", "answer", "waiting"):
            return
        if not self.answers:
            self.notify("Nothing to undo in this session", timeout=2)
            return
        self._run("undone", lambda session, now: self._undo(session))

    def _undo(self, session: Session) -> Answer | None:
        """Undo in the worker; an answer already undone elsewhere (``srs undo``) is a notice, not a failure."""
        try:
            return session.undo()
        except NothingToUndo as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Nothing to undo", severity="warning", timeout=6, markup=False)
            return None

    def action_bury(self) -> None:
        if self._ready("question", "answer") and self.step.card is not None:
            card_id = self.step.card.id

            def bury(session: Session, now: datetime) -> None:
                session.bury(card_id, now)

            self._run("buried", bury)

    def action_suspend(self) -> None:
        if self._ready("question", "answer") and self.step.card is not None:
            card_id = self.step.card.id
            self._run("suspended", lambda session, now: session.suspend(card_id))

    def action_help(self) -> None:
        self.app.show_help()

    def action_back(self) -> None:
        if self._busy and self.session is not None:
            self._leave_pending = True  # leave once the write in flight has committed
            return
        self._leave()

    def _leave(self) -> None:
        self._cancel_wait()
        self.phase = "done"
        if self.app.screen is self:
            self.app.back_to_decks()
