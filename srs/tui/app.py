"""The review app: deck list (home), review, done, quiz and help screens over one open Store."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer

from srs.clock import local_zone, utc_now
from srs.gcpause import resume_after_startup
from srs.model import Scope
from srs.storage import Store
from srs.tui.jobs import JobDone
from srs.tui.screens.review import ReviewScreen

if TYPE_CHECKING:
    from srs.tui.screens.quiz import QuizRequest
    from srs.tui.steps import Opening

STARTUP_GC_SECONDS = 1.0  # at the latest, the garbage collector paused for start-up is resumed this long after mount
IDLE_CHECKPOINT_SECONDS = 0.5  # no job for this long: the WAL is copied into the database file, if due
AFTER_START_SECONDS = 0.3  # ``after_start`` waits this long after the first screen: its frame and the answer side first

# Each screen's own rules, added to the stylesheet when the screen is first shown (app.tcss holds the shared
# rules and the review screen's): `srs review --deck` parses only what its first card needs, parsing CSS being
# a fair part of its cold start (bench/tui.py --cold-only). By class name: the screens are imported lazily.
SCREEN_CSS = {
    "DecksScreen": "screens/decks.tcss",
    "DoneScreen": "screens/done.tcss",
    "HelpScreen": "screens/help.tcss",
    "QuizScreen": "screens/quiz.tcss",
    "QuizSummaryScreen": "screens/quiz.tcss",
    "StatsScreen": "screens/stats.tcss",
}

# The deck list (with the statistics behind it), the quiz and the help are imported when first opened:
# `srs review --deck D` shows its first card without paying for them.


class SrsApp(App[None]):
    """``srs review`` (and ``srs quiz``: ``quiz`` opens a quiz at once).

    ``clock`` and ``zone`` are injectable so tests and snapshots are repeatable. ``opening``: the
    session over ``scope``, opened before the app (see ``srs.tui.steps.Opening``).
    """

    CSS_PATH = "app.tcss"
    TITLE = "srs"
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, priority=True)]
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        store: Store,
        scope: Scope | None = None,
        clock: Callable[[], datetime] = utc_now,
        zone: tzinfo | None = None,
        quiz: QuizRequest | None = None,
        opening: Opening | None = None,
        after_start: Callable[[], None] | None = None,
    ) -> None:
        """``after_start``: called once the first screen is up (``srs review`` starts today's backup then)."""
        super().__init__()
        self.after_start = after_start
        self.store = store
        store.defer_checkpoints()  # an answer never waits for SQLite's checkpoint: see _job_done
        self._checkpoint_timer: Timer | None = None
        self.start_scope = scope
        self.start_quiz = quiz
        self.start_opening = opening
        self.clock = clock
        self.zone = zone or local_zone()

    def get_default_screen(self) -> Screen:
        # The first screen is the one asked for, not an empty screen with it pushed on top (measured with
        # bench/tui.py: one screen fewer to build, style and draw before the first card). The deck list is
        # built only when asked for (q).
        if self.start_quiz is not None:
            from srs.tui.screens.quiz import QuizScreen

            return self._styled(QuizScreen(self.start_quiz))
        if self.start_scope is None:
            from srs.tui.screens.decks import DecksScreen

            return self._styled(DecksScreen())
        return ReviewScreen(self.start_scope, self.start_opening)

    def push_screen(self, screen, *args, **kwargs):  # noqa: ANN001, ANN201 (Textual's signature)
        """Textual's ``push_screen``, with the screen's own rules added to the stylesheet first."""
        return super().push_screen(self._styled(screen), *args, **kwargs)

    def switch_screen(self, screen):  # noqa: ANN001, ANN201 (Textual's signature)
        """Textual's ``switch_screen``, with the screen's own rules added to the stylesheet first."""
        return super().switch_screen(self._styled(screen))

    def _styled(self, screen: Screen | str) -> Screen | str:
        """``screen``, its rules (``SCREEN_CSS``) added to the stylesheet if not yet there."""
        name = SCREEN_CSS.get(type(screen).__name__)
        if name is not None:
            path = str(Path(__file__).parent / name)
            if not self.stylesheet.has_source(path):
                # add_source, not Textual's screen CSS_PATH: that re-parses every stylesheet on each new
                # screen, and is not read for the first screen at all.
                self.stylesheet.add_source(Path(path).read_text(encoding="utf-8"), read_from=(path, ""))
        return screen

    def on_mount(self) -> None:
        # The review screen calls ``started`` once its first card is up, this timer on any other path.
        self.set_timer(STARTUP_GC_SECONDS, self.started)

    def started(self) -> None:
        """The first screen is up: the garbage collector paused for start-up (srs.gcpause) resumes, and
        ``after_start`` runs a moment later (once)."""
        resume_after_startup()
        if self.after_start is not None:
            after, self.after_start = self.after_start, None
            self.set_timer(AFTER_START_SECONDS, after)

    @on(JobDone)
    def _job_done(self) -> None:
        """Copy the WAL into the database file once writing pauses (the card is being read), never inside an answer:
        SQLite's own checkpoint ran in the commit of every ~90th answer (~50 ms at 100k cards, bench/tui.py)."""
        if self._checkpoint_timer is None:
            self._checkpoint_timer = self.set_timer(IDLE_CHECKPOINT_SECONDS, self._checkpoint)
        else:
            self._checkpoint_timer.reset()

    def _checkpoint(self) -> None:
        self._checkpoint_timer = None
        self.run_worker(self._checkpoint_now, thread=True, group="checkpoint", exit_on_error=False)

    def _checkpoint_now(self) -> None:
        try:
            self.store.checkpoint_if_due()
        except sqlite3.Error:  # not the user's concern: the WAL keeps every answer, and the next pause tries again
            pass

    def replace_screen(self, screen: Screen) -> None:
        """Show ``screen`` in place of the current one.

        Textual cannot switch away from the first screen (it was never pushed): there ``screen`` goes on
        top, and the finished screen stays below it, idle.
        """
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def study(self, scope: Scope) -> None:
        """Open a review session over ``scope`` on top of the deck list."""
        self.push_screen(ReviewScreen(scope))

    def quiz(self, request: QuizRequest) -> None:
        """Open a timed quiz on top of the deck list."""
        from srs.tui.screens.quiz import QuizScreen

        self.push_screen(QuizScreen(request))

    def back_to_decks(self) -> None:
        """Close the current screen and show the deck list (creating it if the app started in a review)."""
        from srs.tui.screens.decks import DecksScreen

        if len(self.screen_stack) > 1 and isinstance(self.screen_stack[-2], DecksScreen):
            self.pop_screen()
        else:
            self.replace_screen(DecksScreen())

    def show_help(self) -> None:
        """The list of every key, opened at the current screen's section."""
        from srs.tui.screens.help import SECTION_OF_SCREEN, HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(SECTION_OF_SCREEN.get(type(self.screen).__name__)))

    async def action_quit(self) -> None:
        """Quit once any write in flight has committed (an answer given is never lost)."""
        for worker in list(self.workers):
            if worker.group == "db" and not worker.is_finished:
                await worker.wait()
        self.exit()
