"""Daily review: today's queue, answering, undo, bury and suspend.

The same functions serve the TUI, the CLI (``srs due/answer/undo``) and the tests. A ``Session``
builds the queue once and then keeps it up to date in memory: one DB write per answer, no re-query.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import NamedTuple

from srs import scheduling
from srs.clock import day_bounds, local_zone, utc_now
from srs.errors import CardNotFound, CardUnavailable, SrsError
from srs.model import CardRow, Flags, MemoryState, Rating, Scope, State
from srs.scheduling import Settings
from srs.settings import resolve
from srs.storage import Store, event_store, settings_store
from srs.storage import review_store as rs
from srs.storage.review_store import Availability
from srs.storage.timecodec import from_us, to_us

LEARN_AHEAD = timedelta(minutes=20)  # Anki's default: show a learning card early rather than wait


class Counts(NamedTuple):
    """Remaining cards, as Anki shows them: new, learning, review."""

    new: int = 0
    learning: int = 0
    review: int = 0

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


class SettingsBook:
    """Effective settings per deck, resolved once from every stored override."""

    def __init__(self, stored: dict[str, dict[str, object]], deck_names: dict[int, str]) -> None:
        self.stored = stored
        self.deck_names = deck_names
        self._cache: dict[str | None, Settings] = {}

    @classmethod
    def load(cls, store: Store) -> SettingsBook:
        with store.read() as conn:
            return cls(settings_store.all_settings(conn), rs.deck_names(conn))

    def for_deck(self, name: str | None) -> Settings:
        if name not in self._cache:
            self._cache[name] = resolve(self.stored, name)
        return self._cache[name]

    def for_deck_id(self, deck_id: int) -> Settings:
        return self.for_deck(self.deck_names.get(deck_id))


@dataclass
class Queue:
    """Today's cards: learning cards by due time, and the main line of reviews with new cards spread in."""

    learning: list[tuple[int, int]] = field(default_factory=list)  # (due_us, card_id), sorted
    main: deque[int] = field(default_factory=deque)
    new_ids: set[int] = field(default_factory=set)
    day_end: datetime | None = None
    _learning_due: dict[int, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The due time of each card ``learning`` holds: every answer removes a card, found by bisection, not by
        # rebuilding a list of a thousand learning cards (57 us an answer, bench/scheduler.py's sync=OFF line).
        self._learning_due = {card_id: due for due, card_id in self.learning}

    def counts(self) -> Counts:
        new = sum(1 for card_id in self.main if card_id in self.new_ids)
        return Counts(new=new, learning=len(self.learning), review=len(self.main) - new)

    def next_card(self, now: datetime) -> int | None:
        """The card to show at ``now``: a due learning card first, else the main line, else learn ahead."""
        now_us = to_us(now)
        if self.learning and self.learning[0][0] <= now_us:
            return self.learning[0][1]
        if self.main:
            return self.main[0]
        if self.learning and self.learning[0][0] <= now_us + LEARN_AHEAD // timedelta(microseconds=1):
            return self.learning[0][1]
        return None

    def next_learning_due(self) -> datetime | None:
        """When the first waiting learning card falls due."""
        return from_us(self.learning[0][0]) if self.learning else None

    def remove(self, card_id: int) -> None:
        """Take a card out of the queue (answered, buried or suspended).

        A card is in ``learning`` or in ``main``, never both (the build splits them by state; ``put_back`` and
        ``Session.answer`` remove a card before they add it back): a learning card's answer does not scan the main line.
        """
        if self._drop_learning(card_id):
            return
        try:
            self.main.remove(card_id)
        except ValueError:
            pass

    def add_learning(self, card_id: int, due: datetime) -> None:
        """A card still in (re)learning comes back today at ``due``."""
        self._drop_learning(card_id)  # never listed twice
        due_us = to_us(due)
        bisect.insort(self.learning, (due_us, card_id))
        self._learning_due[card_id] = due_us

    def _drop_learning(self, card_id: int) -> bool:
        """Take a card out of ``learning``; False if it was not there."""
        due = self._learning_due.pop(card_id, None)
        if due is None:
            return False
        index = bisect.bisect_left(self.learning, (due, card_id))
        if index < len(self.learning) and self.learning[index] == (due, card_id):
            del self.learning[index]
        else:  # not where its due time says (a list edited by hand): the slow way
            self.learning = [entry for entry in self.learning if entry[1] != card_id]
        return True

    def put_back(self, card_id: int, memory: MemoryState) -> None:
        """Return an undone card to where it will be shown next."""
        self.remove(card_id)
        if memory.state in (State.LEARNING, State.RELEARNING) and memory.due is not None:
            self.add_learning(card_id, memory.due)
        else:
            if memory.state == State.NEW:
                self.new_ids.add(card_id)
            self.main.appendleft(card_id)


def _spread(reviews: list[int], new: list[int]) -> deque[int]:
    """Spread new cards evenly through the reviews (Anki's 'mix new cards with reviews')."""
    if not new or not reviews:
        return deque(reviews + new)
    total = len(reviews) + len(new)
    merged: list[int] = []
    r = n = 0
    for slot in range(total):
        # place new card n at the slot nearest to its even share of the line
        if n < len(new) and (r >= len(reviews) or (n + 0.5) * total / len(new) <= slot + 1):
            merged.append(new[n])
            n += 1
        else:
            merged.append(reviews[r])
            r += 1
    return deque(merged)


def ancestors(name: str) -> list[str]:
    """'A::B::C' -> ['A', 'A::B', 'A::B::C']."""
    parts = name.split("::")
    return ["::".join(parts[: i + 1]) for i in range(len(parts))]


def done_by_subtree(done: dict[int, int], names: dict[int, str]) -> dict[str, int]:
    """Deck name -> cards done today in that deck and its subdecks (a deck's limit counts its subdecks' cards)."""
    totals: dict[str, int] = {}
    for deck_id, count in done.items():
        for name in ancestors(names.get(deck_id, "")) if deck_id in names else ():
            totals[name] = totals.get(name, 0) + count
    return totals


class DailyLimits:
    """Room left today under the daily limits, as Anki's v3 scheduler applies them.

    Studying deck S (``None``: all decks, under the global settings): S's limit caps the total, and
    each deck below S caps what comes from it and its subdecks; limits of decks above S do not apply.
    A deck's limit counts the cards done today in it and its subdecks. ``kind`` is "new_per_day" or
    "reviews_per_day". The deck list (``srs.overview``) counts with the same rules.
    """

    def __init__(self, book: SettingsBook, selected: str | None, done: dict[int, int], kind: str) -> None:
        self.book, self.selected, self.kind = book, selected, kind
        self.done = done_by_subtree(done, book.deck_names)
        self.done_everywhere = sum(done.values())
        self._room: dict[str | None, int] = {}
        self._paths: dict[int, list[str | None]] = {}

    def room(self, deck: str | None) -> int:
        """What is left of ``deck``'s own limit today (``None``: the global limit over every deck)."""
        if deck not in self._room:
            done = self.done_everywhere if deck is None else self.done.get(deck, 0)
            self._room[deck] = max(0, getattr(self.book.for_deck(deck), self.kind) - done)
        return self._room[deck]

    def path(self, deck_id: int) -> list[str | None]:
        """The limits a card of ``deck_id`` falls under: the selected deck's, then each deck down to its own."""
        below = [name for name in ancestors(self.book.deck_names.get(deck_id, "")) if self.selected is None or len(name) > len(self.selected)]
        return [self.selected, *below]

    def take(self, deck_id: int) -> bool:
        """Count one card of ``deck_id`` against every limit on its path, if each has room."""
        path = self._paths.get(deck_id)
        if path is None:
            path = self._paths[deck_id] = self.path(deck_id)
        if any(self.room(deck) <= 0 for deck in path):
            return False
        for deck in path:
            self._room[deck] -= 1
        return True

    @property
    def exhausted(self) -> bool:
        return self.room(self.selected) <= 0


def _capped(rows: Iterable[tuple], limits: DailyLimits) -> list[int]:
    """The card ids of ``rows`` (id, deck_id, ...) that fit under ``limits``; stops reading once the selected deck's limit is used up."""
    chosen: list[int] = []
    for row in rows:
        if limits.exhausted:
            break
        if limits.take(row[1]):
            chosen.append(row[0])
    return chosen


def build_queue(store: Store, scope: Scope = Scope(), now: datetime | None = None, zone: tzinfo | None = None, book: SettingsBook | None = None) -> Queue:
    """Today's queue for ``scope``, with daily limits applied as Anki does (``DailyLimits``)."""
    now = now or utc_now()
    zone = zone or local_zone()
    book = book or SettingsBook.load(store)
    top = book.for_deck(scope.deck)
    start, end = day_bounds(now, zone, top.day_starts_at)
    with store.read() as conn:
        new_done, reviews_done = rs.done_today(conn, start)
        learning = rs.learning_due(conn, scope, end, now)
        # No row limit: rows are read lazily and reading stops when the selected deck's limit is used
        # up; a subdeck at its own limit only makes the scan skip its cards.
        reviews = _capped(rs.reviews_due(conn, scope, end, now, -1), DailyLimits(book, scope.deck, reviews_done, "reviews_per_day"))
        new = _capped(rs.new_cards(conn, scope, now, -1), DailyLimits(book, scope.deck, new_done, "new_per_day"))
    return Queue(learning=sorted((row[2], row[0]) for row in learning), main=_spread(reviews, new), new_ids=set(new), day_end=end)


class Answer(NamedTuple):
    """What one answer did."""

    card_id: int
    rating: Rating
    reviewed_at: datetime
    before: MemoryState
    after: MemoryState
    review_id: int
    became_leech: bool
    early: bool


def unavailable_reason(card: Availability, now: datetime, allow_suspended: bool = True, allow_buried: bool = True) -> str | None:
    """Why a card may not be answered at ``now`` (None: it may).

    Drafts and retired cards never may. Suspended and buried cards may be answered on purpose (``srs
    answer``; a leech stays suspended), but not in a session that queued them before they were.
    """
    if card.retired:
        return "it was retired (no synced deck file has it any more)"
    if card.draft:
        return "it is a draft (draft: true in its deck file); finish it and run srs sync"
    if not card.has_text:
        return "its text is missing from the collection; srs sync restores it from its deck file"
    if not allow_suspended and card.suspended:
        return f"it is suspended; unsuspend it first: srs unsuspend {card.uid}"
    if not allow_buried and card.buried_until is not None and card.buried_until > now:
        return "it is buried until the next day"
    return None


def answer(
    store: Store, card_id: int, rating: Rating, now: datetime | None = None, duration_ms: int | None = None,
    book: SettingsBook | None = None, zone: tzinfo | None = None, allow_suspended: bool = True, allow_buried: bool = True,
) -> Answer:
    """Answer a card: new state and log entry in one durable ``BEGIN IMMEDIATE`` transaction.

    ``zone`` (default: the machine's) sets the study days that elapsed time is counted in. The
    card's flags are read inside the transaction: a draft or a card retired by a sync raises
    ``CardUnavailable`` and nothing is written; so does a suspended or buried card when
    ``allow_suspended`` / ``allow_buried`` are off (a review session, which queued it before).
    """
    now = now or utc_now()
    zone = zone or local_zone()
    book = book or SettingsBook.load(store)
    with store.write() as conn:
        before, flags, deck_id, available, stored = rs.load_state_and_deck(conn, card_id)
        reason = unavailable_reason(available, now, allow_suspended, allow_buried)
        if reason is not None:
            raise CardUnavailable(available.uid, reason)
        settings = book.for_deck_id(deck_id)
        after = scheduling.review(before, rating, now, card_id, settings, zone)
        at = scheduling.review_time(before, now)
        leech = scheduling.becomes_leech(before, after, settings.leech_threshold)
        after_flags = Flags(suspended=flags.suspended or leech, leech=flags.leech or leech, buried_until=None)
        review_id = rs.record_answer_on_stored(conn, card_id, rating, at, duration_ms, stored, after, after_flags)
    early = _is_early(before, at, settings, zone)
    return Answer(card_id, rating, at, before, after, review_id, leech, early)


def _is_early(before: MemoryState, at: datetime, settings: Settings, zone: tzinfo | None = None) -> bool:
    """Whether the card was answered before it was due (reviews: before its day; learning: before its minute)."""
    if before.state == State.NEW or before.due is None:
        return False
    if before.state == State.REVIEW:
        return before.due >= day_bounds(at, zone or local_zone(), settings.day_starts_at)[1]
    return before.due > at


def undo(store: Store, review_id: int | None = None, card_id: int | None = None) -> tuple[int, MemoryState]:
    """Undo an answer (default: the newest; else ``review_id``, of ``card_id``): restore the exact previous state and
    drop the log entry. ``NothingToUndo`` if that answer is gone (review ids are never reused)."""
    with store.write() as conn:
        review_id, card_id, before_json = rs.last_review_entry(conn, review_id, card_id)
        memory, flags = rs.memory_from_json(before_json)
        rs.restore_state(conn, card_id, memory, flags)
        sent_uid = event_store.review_was_sent(conn, review_id)
        rs.delete_review(conn, review_id)
        if sent_uid is not None:  # other devices have it: undo travels as an event, or it would come back from them
            event_store.add_card_events(conn, "undo", [card_id], sent_uid, to_us(utc_now()))
    return card_id, memory


def bury(store: Store, card_ids: list[int], now: datetime | None = None, zone: tzinfo | None = None, book: SettingsBook | None = None) -> datetime:
    """Hide cards until the next study day starts. Returns when they come back."""
    now = now or utc_now()
    book = book or SettingsBook.load(store)
    until = day_bounds(now, zone or local_zone(), book.for_deck(None).day_starts_at)[1]
    with store.write() as conn:
        rs.set_flags(conn, card_ids, buried_until=until)
        event_store.add_card_events(conn, "bury", card_ids, str(to_us(until)), to_us(now))
    return until


def set_suspended(store: Store, card_ids: list[int], suspended: bool) -> None:
    """Suspend cards (never queued until unsuspended) or unsuspend them."""
    with store.write() as conn:
        found = rs.set_flags(conn, card_ids, suspended=suspended)
        kind = "suspend" if suspended else "unsuspend"
        event_store.add_card_events(conn, kind, card_ids, "", to_us(utc_now()))
    if found != len(card_ids):
        raise CardNotFound("some cards do not exist")


def check_deck(store: Store, deck: str | None) -> None:
    """Raise ``SrsError`` if ``deck`` is given and no deck has that name."""
    if deck is None:
        return
    with store.read() as conn:
        names = rs.deck_names(conn).values()
    if deck not in names:
        raise SrsError(f"no deck named '{deck}'; run 'srs' to list the decks (nested decks are written A::B)")


def find_card(store: Store, uid: str) -> CardRow:
    """A card by its deck-file id."""
    with store.read() as conn:
        return rs.card_by_uid(conn, uid)


def cards(store: Store, card_ids: list[int]) -> dict[int, CardRow]:
    """Cards by internal id."""
    with store.read() as conn:
        return rs.fetch_cards(conn, card_ids)


def parse_rating(text: str) -> Rating:
    """'3', 'good', 'Good' -> Rating.GOOD."""
    lowered = text.strip().lower()
    for rating in Rating:
        if lowered in (str(int(rating)), rating.name.lower()):
            return rating
    raise SrsError(f"'{text}' is not a rating; use 1-4 or again, hard, good, easy")


class Skipped(NamedTuple):
    """A queued card dropped from the session because another process changed it (retired, suspended...)."""

    card: CardRow
    reason: str


class Session:
    """A review session: the queue, the answers given, and undo back through them.

    The queue is built once, so another process (``srs sync``, ``srs suspend``) may retire,
    suspend or bury a queued card meanwhile: the card is checked before it is shown and inside
    the answer's transaction, and dropped into ``skipped`` instead of being shown or answered.
    """

    def __init__(self, store: Store, scope: Scope = Scope(), zone: tzinfo | None = None, now: datetime | None = None) -> None:
        self.store = store
        self.scope = scope
        self.zone = zone or local_zone()
        self.book = SettingsBook.load(store)
        self.queue = build_queue(store, scope, now, self.zone, self.book)
        self.history: list[Answer] = []
        self.skipped: list[Skipped] = []
        self._cards: dict[int, CardRow] = {}
        self._memory: dict[int, MemoryState] = {}

    def card(self, card_id: int) -> CardRow:
        """The card's content (cached: text does not change during a session)."""
        if card_id not in self._cards:
            self._prefetch([card_id] + list(self.queue.main)[:50])
        return self._cards[card_id]

    def _prefetch(self, card_ids: list[int]) -> None:
        missing = [card_id for card_id in card_ids if card_id not in self._cards]
        self._cards.update(cards(self.store, missing))

    def current(self, now: datetime) -> CardRow | None:
        """The card to show now; queued cards that may no longer be answered are skipped on the way."""
        while (card_id := self.queue.next_card(now)) is not None:
            with self.store.read() as conn:
                reason = unavailable_reason(rs.availability(conn, card_id), now, allow_suspended=False, allow_buried=False)
            if reason is None:
                return self.card(card_id)
            self._skip(card_id, reason)
        return None

    def _skip(self, card_id: int, reason: str) -> None:
        self.queue.remove(card_id)
        self.skipped.append(Skipped(self.card(card_id), reason))

    def take_skipped(self) -> list[Skipped]:
        """The cards skipped since the last call (for a notice)."""
        taken, self.skipped = self.skipped, []
        return taken

    def memory(self, card_id: int) -> MemoryState:
        """The card's state as of this session (updated by answers and undo)."""
        return self._memory.get(card_id) or self.card(card_id).memory

    def preview(self, card_id: int, now: datetime) -> dict[Rating, timedelta]:
        """The interval each rating would give."""
        card = self.card(card_id)
        return scheduling.preview(self.memory(card_id), now, card_id, self.book.for_deck(card.deck), self.zone)

    def answer(self, card_id: int, rating: Rating, now: datetime, duration_ms: int | None = None) -> Answer:
        """Answer and update the queue in memory.

        Raises ``CardUnavailable`` (nothing written; the card leaves the queue and joins ``skipped``)
        if another process retired, suspended or buried the card since it was shown.
        """
        try:
            result = answer(self.store, card_id, rating, now, duration_ms, self.book, self.zone, allow_suspended=False, allow_buried=False)
        except CardUnavailable as exc:
            self._skip(card_id, exc.reason)
            raise
        self.history.append(result)
        self._memory[card_id] = result.after
        self.queue.remove(card_id)
        after = result.after
        if not result.became_leech and after.state in (State.LEARNING, State.RELEARNING) and after.due and self.queue.day_end and after.due < self.queue.day_end:
            self.queue.add_learning(card_id, after.due)
        return result

    def undo(self) -> Answer | None:
        """Undo this session's last answer; the card comes back to the front."""
        if not self.history:
            return None
        last = self.history.pop()
        undo(self.store, last.review_id, last.card_id)
        self._memory[last.card_id] = last.before
        self.queue.put_back(last.card_id, last.before)
        return last

    def bury(self, card_id: int, now: datetime) -> datetime:
        """Bury the card until tomorrow and drop it from the queue."""
        until = bury(self.store, [card_id], now, self.zone, self.book)
        self.queue.remove(card_id)
        return until

    def suspend(self, card_id: int) -> None:
        """Suspend the card and drop it from the queue."""
        set_suspended(self.store, [card_id], True)
        self.queue.remove(card_id)

    def next_due(self, now: datetime) -> datetime | None:
        """When the next card falls due, for the done screen."""
        learning = self.queue.next_learning_due()
        with self.store.read() as conn:
            scheduled = rs.next_due_after(conn, self.scope, now)
        candidates = [moment for moment in (learning, scheduled) if moment is not None]
        return min(candidates) if candidates else None

    def refill(self, now: datetime) -> bool:
        """Build today's queue again (history and undo are kept); True if it holds cards.

        The queue is built once with the daily limits filled: burying or suspending a queued new
        card frees a slot that the first build could not give to another card.
        """
        self.queue = build_queue(self.store, self.scope, now, self.zone, self.book)
        return self.queue.counts().total > 0
