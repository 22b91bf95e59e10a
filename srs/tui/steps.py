"""What the review screen shows next, computed off the UI thread; and the session opened before the UI starts.

No Textual here: ``srs review --deck D`` opens its session (``Opening``) before it imports the TUI, so
the session is ready when the screen is built and the first frame already holds the first card
(measured with bench/tui.py: opened by the screen, three frames of "Loading" came first).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from concurrent.futures import Future
from datetime import datetime, timedelta, tzinfo
from types import MappingProxyType
from typing import NamedTuple

from srs.model import CardRow, Rating, Scope, State
from srs.review import LEARN_AHEAD, Counts, Session, Skipped
from srs.storage import Store

# [ \t], not \s: \s also matches newlines, which made this quadratic on a back of blank lines.
FENCE_LANGUAGE = re.compile(r"^[ \t]*(?:```|~~~)[ \t]*([\w+#.-]+)", re.MULTILINE)


def warm_highlighting(card: CardRow, answer: bool = True) -> None:
    """Build the Pygments lexers the card's code fences need (meant for a worker thread); the front's only
    unless ``answer``.

    A lexer class compiles its regexes on first use (about 100 ms for Python); done here, the UI
    thread renders the card with the lexer ready.
    """
    fields = (card.front, card.back, card.extra) if answer else (card.front,)
    languages = set(FENCE_LANGUAGE.findall("\n".join(fields)))
    if not languages:
        return
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    for language in languages:
        try:
            get_lexer_by_name(language)
        except ClassNotFound:
            pass


class Step(NamedTuple):
    """What to show next: a card, a wait for a learning card, or (neither) the end of the session."""

    card: CardRow | None = None
    state: State | None = None
    intervals: Mapping[Rating, timedelta] = MappingProxyType({})  # read-only: the default is shared
    counts: Counts = Counts()
    available_at: datetime | None = None
    next_due: datetime | None = None
    skipped: tuple[Skipped, ...] = ()  # cards changed by another process, dropped on the way (shown as a notice)
    preview_at: datetime | None = None  # set: ``intervals`` are still to be computed, as of this moment (``with_intervals``)

    def with_intervals(self, session: Session) -> Step:
        """This step with its card's intervals computed, if they were left for later (reads the session: not
        while a job runs)."""
        if self.card is None or self.preview_at is None:
            return self
        return self._replace(intervals=session.preview(self.card.id, self.preview_at), preview_at=None)


def next_step(session: Session, now: datetime, refill: bool = True, warm_answer: bool = True, preview: bool = True) -> Step:
    """The session's next step at ``now`` (reads the DB: call it off the UI thread).

    Before declaring the session over, the queue is built again once: cards buried or suspended
    during the session leave room under today's new-card limit. The lexers of the card's code are
    built (``warm_highlighting``), the answer side's only if ``warm_answer``. Without ``preview`` the
    intervals are left for ``Step.with_intervals`` (the first card is drawn without py-fsrs).
    """
    step = _next_step(session, now, refill, warm_answer, preview)
    skipped = tuple(session.take_skipped())
    return step._replace(skipped=skipped) if skipped else step


def _next_step(session: Session, now: datetime, refill: bool, warm_answer: bool, preview: bool) -> Step:
    card = session.current(now)
    counts = session.queue.counts()
    if card is not None:
        warm_highlighting(card, warm_answer)
        if not preview:
            return Step(card, session.memory(card.id).state, counts=counts, preview_at=now)
        return Step(card, session.memory(card.id).state, session.preview(card.id, now), counts)
    learning_due = session.queue.next_learning_due()
    if learning_due is not None:
        # Queue.next_card learns ahead: a learning card can be shown LEARN_AHEAD before it is due.
        return Step(counts=counts, available_at=learning_due - LEARN_AHEAD)
    if refill and session.refill(now):
        return _next_step(session, now, False, warm_answer, preview)
    return Step(counts=counts, next_due=session.next_due(now))


def open_session(store: Store, scope: Scope, zone: tzinfo, now: datetime) -> tuple[Session, Step]:
    """A session over ``scope`` and its first step (reads the DB: call it off the UI thread).

    The lexers for the first card's answer side are not built here, nor its intervals (py-fsrs): the screen
    has them built once the card is on screen (``warm_answer_side``, ``Step.with_intervals``), while the
    question is read.
    """
    session = Session(store, scope, zone, now)
    return session, next_step(session, now, warm_answer=False, preview=False)


def warm_answer_side(step: Step) -> threading.Thread | None:
    """Build the lexers for the answer side of ``step``'s card in a daemon thread (exiting does not wait for it).

    Join the thread before rendering the answer side: two threads building one lexer class at once
    would share its half-built tables.
    """
    if step.card is None:
        return None
    thread = threading.Thread(target=warm_highlighting, args=(step.card,), name="srs-warm-lexers", daemon=True)
    thread.start()
    return thread


class Opening:
    """A review session opened before the TUI is imported: its session and first step, or what opening raised.

    ``srs review --deck D`` opens it first, so the first frame already holds the first card. Opened in a
    thread while Textual was imported instead, the two threads took turns on every switch interval: 5-15 ms
    more CPU to the first card (bench/tui.py --cold-only, A/B on 100k cards). A failure is handed to the
    screen, which shows it as it shows any failed job.
    """

    def __init__(self, store: Store, scope: Scope, zone: tzinfo, now: datetime) -> None:
        self.scope = scope
        self._future: Future[tuple[Session, Step]] = Future()
        try:
            self._future.set_result(open_session(store, scope, zone, now))
        except Exception as exc:
            self._future.set_exception(exc)

    def ready(self) -> tuple[Session, Step] | None:
        """The session and its first step if they were opened without error, else None (not done, or failed)."""
        if self._future.done() and self._future.exception() is None:
            return self._future.result()
        return None

    def wait(self) -> tuple[Session, Step]:
        """The session and its first step, once opened (raises what opening raised)."""
        return self._future.result()
