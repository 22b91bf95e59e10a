"""The review log: which Anki entries count, and merging them into srs's log with every state replayed.

Anki computes a card's FSRS memory state from part of its review log (``reviews_for_fsrs`` in
Anki's rslib): from the first answer of the card's last run of learning entries, skipping manual
entries (set due date, forget), rescheduling entries and filtered-deck previews that did not
reschedule. A "Forget" (a manual entry with no ease factor) starts the history again. We take the
same entries, so replaying them through ``srs.scheduling`` gives the memory state Anki gives.

A history without learning entries (its start was deleted, or the card came from an older
scheduler) is incomplete: Anki then starts from a state guessed from the SM-2 interval; we replay
from the first answer and report the card.

Merging: an Anki entry is already in srs's log when the card has an answer with the same rating
within a second of it (a package srs exported carries its answers at their millisecond). New
entries join the log, every state of the card is replayed in time order, and the card takes the last.

Devices: an imported answer's global id (``import_store.imported_review_uids``) and its fuzz seed
(``scheduling.card_seed``) come from the card's deck-file id, not from this collection's internal ids or
from chance. Two devices that import the same package hold the same answers with the same states, and
``srs remote sync`` sees each answer once.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from datetime import tzinfo

from . import forked
from .collection import RevlogEntry
from srs import scheduling
from srs.model import MemoryState, Rating
from srs.scheduling import Settings
from srs.storage import import_store
from srs.model import Flags
from srs.scheduling import StateTuple
from srs.storage.review_store import NEW_STATE_HEAD, flags_json_tail, memory_from_json, memory_to_json, values_to_json
from srs.storage.timecodec import from_us, to_us

LEARN, REVIEW, RELEARN, FILTERED, MANUAL, RESCHEDULED = range(6)  # revlog.type
SAME_REVIEW_MS = 1000


def fsrs_entries(entries: list[RevlogEntry]) -> tuple[list[RevlogEntry], bool]:
    """The entries (oldest first) Anki's FSRS computes the card's memory state from, and whether the history is complete."""
    first_learn = first_graded = None
    complete = False
    for index in range(len(entries) - 1, -1, -1):
        entry = entries[index]
        if entry.kind == FILTERED and entry.factor == 0:
            continue
        graded = 1 <= entry.ease <= 4
        if graded and (entry.ivl >= 1 or entry.ivl <= -86400):
            first_graded = index
        if graded and entry.kind == LEARN:
            first_learn, complete = index, True
        elif entry.kind in (MANUAL, RESCHEDULED) and entry.factor == 0:
            complete = first_learn is not None  # a Forget: what came before it no longer counts
            break
        elif first_learn is not None:
            break
    start = first_learn if complete else first_graded
    if start is None:
        return [], complete
    kept = [
        entry for entry in entries[start:]
        if 1 <= entry.ease <= 4 and entry.kind not in (MANUAL, RESCHEDULED) and not (entry.kind == FILTERED and entry.factor == 0)
    ]
    return kept, complete


@dataclass
class CardHistory:
    """An srs card and the Anki entries that belong to it."""

    card_id: int
    uid: str
    deck_id: int
    entries: list[RevlogEntry]
    suspended: bool | None = None  # None: keep the card's flag


@dataclass
class HistoryResult:
    """What merging the review history did."""

    added: int = 0  # answers new to srs's log
    known: int = 0  # answers srs's log already had
    cards: int = 0  # cards whose history was replayed
    rewritten: list[str] = field(default_factory=list)  # cards whose log was written again in time order


def _new_entries(entries: list[RevlogEntry], log: list[tuple]) -> list[RevlogEntry]:
    """The entries srs's log (rows with the rating at [1] and the time in microseconds at [2]) does not have yet
    (same rating within a second: the same answer)."""
    if not log:
        return list(entries)
    known = sorted((row[2] // 1000, row[1]) for row in log)
    used = [False] * len(known)
    fresh = []
    for entry in entries:
        at = bisect_left(known, (entry.id - SAME_REVIEW_MS, 0))
        while at < len(known) and known[at][0] <= entry.id + SAME_REVIEW_MS:
            if not used[at] and known[at][1] == entry.ease:
                used[at] = True
                break
            at += 1
        else:
            fresh.append(entry)
    return fresh


def _interval_days(before: StateTuple | None) -> float | None:
    """The interval the card had before an answer, in days (None before its first): ``(due - last_review).total_seconds() / 86400``."""
    if before is None:
        return None
    return (before[4] - before[5]) / 1_000_000 / 86400  # total_seconds() divides the microseconds by 10**6, as here


def _state_json(state: StateTuple | None, flags: Flags) -> str:
    """``memory_to_json`` of a replayed state (None: a new card)."""
    if state is None:
        return memory_to_json(MemoryState(), flags)
    return values_to_json(state, flags_json_tail(flags))


@dataclass(frozen=True)
class NewCard:
    """A card with no log yet and the Anki entries it takes: its rows can be computed apart from the rest."""

    card_id: int
    uid: str
    entries: list[RevlogEntry]
    flags: Flags
    settings: Settings
    zone: tzinfo


def _new_card_rows(card: NewCard) -> tuple[list[tuple], StateTuple]:
    """A card with no log yet: every entry becomes a log row with its replayed states (``merge_histories``' loop, for this case)."""
    tail = flags_json_tail(card.flags)
    entries = sorted(card.entries, key=itemgetter(0))  # by id (time)
    times = [entry.id * 1000 for entry in entries]
    ratings = [entry.ease for entry in entries]
    states = scheduling.replay(zip(times, ratings), scheduling.card_seed(card.uid), card.settings, card.zone)
    afters = [values_to_json(state, tail) for state in states]
    before = states[:-1]
    rows = list(zip(
        repeat(card.card_id), ratings, times, [entry.time_ms or None for entry in entries],
        [0, *[state[0] for state in before]], [None, *[(state[4] - state[5]) / 1_000_000 / 86400 for state in before]],  # _interval_days
        [NEW_STATE_HEAD + tail, *afters[:-1]], afters, import_store.imported_review_uids(card.uid, times), repeat(None),
    ))
    return rows, states[-1]


def _new_cards_rows(cards: Sequence[NewCard]) -> list[tuple[list[tuple], StateTuple]]:
    return [_new_card_rows(card) for card in cards]


PARALLEL_MIN_CARDS = 2000  # ~0.15 s of replay: below that, forking and sending the rows back cost about what they save


@dataclass
class ReplayAhead:
    """New cards replayed by a worker forked before the sync, from the inputs they were predicted to have after it.

    ``merge_histories`` takes a card's rows from the worker only when its actual ``NewCard`` (card id, entries,
    flags, settings, zone) equals the predicted one; any other card it replays itself, so a wrong prediction
    costs time, never correctness.
    """

    cards: dict[int, NewCard]  # predicted card id -> the input the worker replays
    worker: forked.Ahead

    def rows(self) -> dict[int, tuple[list[tuple], StateTuple]]:
        """The worker's (rows, last state) of each card it was sent, waiting for them."""
        return dict(zip(self.cards, self.worker.result()))


def start_replay_ahead(cards: list[NewCard]) -> ReplayAhead:
    """A forked worker replaying ``cards`` (``forked.worth_forking`` tells whether one is worth it)."""
    return ReplayAhead({card.card_id: card for card in cards}, forked.Ahead(_new_cards_rows, cards, AHEAD_CHUNK))


AHEAD_CHUNK = 500  # cards a chunk of the worker's results: ~5k log rows, written while it replays the next


def _replayed_new_cards(new_cards: list[NewCard], ahead: ReplayAhead | None) -> list[tuple[list[tuple], StateTuple]]:
    """(rows, last state) of each card with no log yet, in order: the worker's where its input was predicted right, the
    rest computed here first (while the worker still runs), half of them in a forked worker when there is none ahead."""
    if ahead is None:
        return forked.split_map(_new_cards_rows, new_cards, PARALLEL_MIN_CARDS)
    predicted = [ahead.cards.get(card.card_id) == card for card in new_cards]
    local = iter(_new_cards_rows([card for card, right in zip(new_cards, predicted) if not right]))
    if not any(predicted):
        ahead.worker.cancel()  # nothing predicted right (or nothing new): its rows are not needed
        return list(local)
    fetched = ahead.rows()
    return [fetched[card.card_id] if right else next(local) for card, right in zip(new_cards, predicted)]


def _write_new_cards(conn: sqlite3.Connection, work: list[tuple], new_cards: list[NewCard], ahead: ReplayAhead, result: HistoryResult) -> None:
    """``merge_histories``' loop and writes when no card has a log yet and a worker replays ahead: rows and card states
    are written, in order, as they are ready (the worker's as it sends them, while it computes the next; this
    process replays its own share in between, see ``_streamed_new_cards``)."""
    inserts, states, unchanged = [], [], []
    with import_store.bulk_reviews(conn, sum(len(fresh) for _, fresh, _, _ in work)) as add:

        def write_ready() -> None:
            add(inserts)
            import_store.set_card_values(conn, states)
            inserts.clear()
            states.clear()

        replayed = _streamed_new_cards(new_cards, ahead, write_ready)
        for history, fresh, _flags, suspended in work:
            if not fresh:
                unchanged.append((suspended, history.card_id))
                continue
            result.added += len(fresh)
            result.cards += 1
            rows, state = next(replayed)
            inserts.extend(rows)
            states.append((history.card_id, state, suspended))
        write_ready()
    import_store.set_suspended(conn, unchanged)


def _streamed_new_cards(
    new_cards: list[NewCard], ahead: ReplayAhead, write_ready: Callable[[], None]
) -> Iterator[tuple[list[tuple], StateTuple]]:
    """(rows, last state) of each card, in order: the worker's where its input was predicted right, chunk by chunk,
    the others replayed here. While the worker's next chunk is not there, what is ready is written (``write_ready``)
    and the cards of this process are replayed, ``LOCAL_CHUNK`` at a time, so both processes are busy to the end."""
    predicted = [ahead.cards.get(card.card_id) == card for card in new_cards]
    local = [card for card, right in zip(new_cards, predicted) if not right]
    replayed_here: list[tuple[list[tuple], StateTuple]] = []

    def replay_here() -> None:
        replayed_here.extend(_new_cards_rows(local[len(replayed_here) : len(replayed_here) + LOCAL_CHUNK]))

    chunks, sent, ready, taken = ahead.worker.chunks(), iter(ahead.cards), {}, 0
    for card, right in zip(new_cards, predicted):
        if not right:
            while taken >= len(replayed_here):
                replay_here()
            yield replayed_here[taken]
            taken += 1
            continue
        while card.card_id not in ready:
            write_ready()
            while not ahead.worker.ready() and len(replayed_here) < len(local):
                replay_here()
            ready.update((card_id, replayed) for replayed, card_id in zip(next(chunks), sent))  # the chunk first: zip stops at its end
        yield ready.pop(card.card_id)
    ahead.worker.cancel()  # results not taken (a card predicted wrong) may still be on their way


LOCAL_CHUNK = 250  # cards replayed here between two looks at the worker's results (~20 ms)


def _replayed_as_logged(merged: list[tuple], history: CardHistory, settings: Settings, zone: tzinfo) -> list[StateTuple]:
    """The card's states over ``merged`` (time, rating, duration, stored row or None), each stored answer fuzzed with
    the seed it was made with, so the answers already in the log keep their states and due dates (other devices may
    have them): the card's deck-file id (imported answers, ``srs remote sync``) or its internal id (answered here).
    New answers take the deck-file id. One replay when that seed gives back every stored due date (fuzz moves only
    the due), else answer by answer."""
    shared = scheduling.card_seed(history.uid)
    replayed = scheduling.replay([(item[0], item[1]) for item in merged], shared, settings, zone)
    if all(_stored_due_us(item[3]) == state[4] for item, state in zip(merged, replayed) if item[3] is not None):
        return replayed
    return _replayed_answer_by_answer(merged, shared, history.card_id, settings, zone)


def _replayed_answer_by_answer(merged: list[tuple], shared: int, local: int, settings: Settings, zone: tzinfo) -> list[StateTuple]:
    """``scheduling.replay`` over ``merged``, a stored answer with ``local`` as its seed where that (and not ``shared``)
    gives back its due date; where neither does (settings changed since), ``shared``."""
    state, states = MemoryState(), []
    for at_us, rating, _duration, row in merged:
        moment = scheduling.review_time(state, from_us(at_us))
        after = scheduling.review(state, Rating(rating), moment, shared, settings, zone)
        if row is not None and to_us(after.due) != (stored := _stored_due_us(row)):
            other = scheduling.review(state, Rating(rating), moment, local, settings, zone)
            after = other if to_us(other.due) == stored else after
        states.append((int(after.state), after.step, after.stability, after.difficulty, to_us(after.due), to_us(after.last_review), after.reps, after.lapses))
        state = after
    return states


def _stored_due_us(row: import_store.LogRow) -> int | None:
    """The due time, in microseconds, of a stored log row's after-state."""
    return to_us(memory_from_json(row[5])[0].due)


def _merge_card(
    conn: sqlite3.Connection, history: CardHistory, fresh: list[RevlogEntry], log: list[import_store.LogRow], card_flags: Flags,
    settings: Settings, zone: tzinfo, inserts: list, updates: list, result: HistoryResult,
) -> tuple[list, StateTuple]:
    """A card with a log: its new entries join it in time order and every state is replayed; rows to rewrite go to ``updates``,
    new rows to ``inserts`` (written at once, with those before them, when the log is rewritten). Returns the inserts still to
    write and the card's last state.
    """
    # (time_us, rating, duration_ms, existing row or None), in time order; srs's own answer first on a tie.
    merged = [(row[2], row[1], row[3], row) for row in log] + [(entry.id * 1000, entry.ease, entry.time_ms or None, None) for entry in fresh]
    merged.sort(key=lambda item: (item[0], item[3] is None))
    in_order = not log or fresh[0].id * 1000 >= max(row[2] for row in log)
    if not in_order:
        linked = import_store.delete_reviews(conn, history.card_id)
        result.rewritten.append(history.uid)
    replayed = _replayed_as_logged(merged, history, settings, zone)
    state, last = None, (None, None)  # the previous (flags, JSON): most answers' before is its after
    for (at_us, rating, duration, row), after in zip(merged, replayed):
        if row is not None:
            before_flags, after_flags = memory_from_json(row[4])[1], memory_from_json(row[5])[1]
        else:
            before_flags = after_flags = card_flags
        before_json = last[1] if state is not None and last[0] == before_flags else _state_json(state, before_flags)
        after_json = values_to_json(after, flags_json_tail(after_flags))
        last = (after_flags, after_json)
        if row is not None and in_order:
            if (before_json, after_json) != (row[4], row[5]):
                updates.append((before_json, after_json, row[0]))
        else:
            # A rewritten row keeps its global id and device, so other devices see the same answer, not a new one.
            uid, device = (row[6], row[7]) if row is not None else (import_store.imported_review_uids(history.uid, [at_us])[0], None)
            kind = 0 if state is None else int(state[0])
            inserts.append((history.card_id, rating, at_us, duration, kind, _interval_days(state), before_json, after_json, uid, device))
        state = after
    if not in_order:
        import_store.insert_reviews(conn, inserts)
        inserts = []
        import_store.relink_quiz_items(conn, history.card_id, linked)
    return inserts, state


def merge_histories(
    conn: sqlite3.Connection, histories: list[CardHistory], settings_for: Callable[[int], Settings], zone: tzinfo,
    ahead: ReplayAhead | None = None,
) -> HistoryResult:
    """Add each card's new Anki answers to its log and replay the card's states (inside the caller's transaction).

    The cards with no log yet (all of them, on a first import) are replayed first: those ``ahead`` replayed from the
    right inputs by its worker, the others here (half of them in a forked worker, ``forked.split_map``, without one
    ahead); then every card's rows are written in the order of ``histories``, as one loop would.
    """
    result = HistoryResult()
    times = import_store.log_times_of(conn, [history.card_id for history in histories])
    flags_of = import_store.card_flags(conn)
    work = []  # (history, fresh entries, card flags, suspended) of each card with something to do
    for history in histories:
        fresh = _new_entries(history.entries, times[history.card_id])
        result.known += len(history.entries) - len(fresh)
        if not fresh and history.suspended is None:
            continue
        suspended, leech, buried = flags_of[history.card_id]
        if history.suspended is not None:
            suspended = history.suspended
        work.append((history, fresh, Flags(suspended, leech, from_us(buried)), suspended))
    new_cards = [NewCard(history.card_id, history.uid, fresh, flags, settings_for(history.deck_id), zone)
                 for history, fresh, flags, _ in work if fresh and not times[history.card_id]]
    logs = import_store.logs_of(conn, [history.card_id for history, fresh, _, _ in work if fresh and times[history.card_id]])
    if ahead is not None and not logs and len({card.card_id for card in new_cards}) == len(new_cards):  # each card once: see _streamed_new_cards
        _write_new_cards(conn, work, new_cards, ahead, result)
        return result
    replayed_new = iter(_replayed_new_cards(new_cards, ahead))
    inserts, updates, states = [], [], []
    for history, fresh, card_flags, suspended in work:
        log = logs.get(history.card_id, [])
        if not fresh:
            states.append((history.card_id, None, suspended))
            continue
        result.added += len(fresh)
        result.cards += 1
        if not log:
            rows, state = next(replayed_new)
            inserts += rows
            states.append((history.card_id, state, suspended))
            continue
        inserts, state = _merge_card(conn, history, fresh, log, card_flags, settings_for(history.deck_id), zone, inserts, updates, result)
        states.append((history.card_id, state, suspended))
    import_store.update_log_states(conn, updates)
    import_store.insert_reviews(conn, inserts)
    import_store.set_card_values(conn, [row for row in states if row[1] is not None])
    import_store.set_suspended(conn, [(suspended, card_id) for card_id, state, suspended in states if state is None])
    return result
