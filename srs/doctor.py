"""``srs doctor``: find what is wrong with a collection and repair what can be repaired safely.

The review log is the source of truth: each entry holds the card's state before and after the
answer. A card's stored state must equal the ``after`` of its newest entry, entries must chain
(each ``before`` is the previous ``after``), and each ``after`` must be what the scheduler gives
for the entry's ``before``, rating and time under the current settings (when settings changed
since, that last check can differ legitimately: it is reported as a note, not repaired).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path

from srs import scheduling
from srs.clock import local_zone
from srs.model import MemoryState, Rating, State
from srs.review import SettingsBook
from srs.storage import Store
from srs.storage import maintenance_store as ms
from srs.storage import review_store as rs
from srs.storage import settings_store
from srs.storage.backup import make_backup

TOLERANCE = 1e-9


@dataclass
class Finding:
    """One problem: what, where, and the repair (None when it cannot be repaired safely)."""

    message: str
    card_uid: str | None = None
    repair: tuple | None = None  # (card id, MemoryState, Flags) to write
    severity: str = "error"  # "error" | "note"
    remedy: str = "'srs restore' can bring back a backup"  # when it cannot be repaired here ('': the message says)


@dataclass
class Report:
    """Everything the doctor found."""

    integrity: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    cards_checked: int = 0
    reviews_checked: int = 0

    @property
    def healthy(self) -> bool:
        return not self.integrity and not any(f.severity == "error" for f in self.findings)


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a))


def same_state(a: MemoryState, b: MemoryState) -> bool:
    """Equal states, with float tolerance for stability and difficulty."""
    return (
        a.state == b.state and a.step == b.step and a.due == b.due and a.last_review == b.last_review
        and a.reps == b.reps and a.lapses == b.lapses and _close(a.stability, b.stability) and _close(a.difficulty, b.difficulty)
    )


def invalid_state(memory: MemoryState) -> str | None:
    """Why a state is impossible, or None."""
    if memory.state == State.NEW:
        if memory.reps or memory.stability is not None or memory.last_review is not None:
            return "a new card with review data"
        return None
    if memory.stability is None or memory.stability <= 0:
        return f"stability {memory.stability} is not positive"
    if memory.difficulty is None or not 1 <= memory.difficulty <= 10:
        return f"difficulty {memory.difficulty} is outside 1..10"
    if memory.due is None or memory.last_review is None or memory.due < memory.last_review:
        return "due is missing or before the last review"
    if (memory.state == State.REVIEW) != (memory.step is None):
        return f"step {memory.step} does not fit state {memory.state.label}"
    if memory.reps < 1:
        return "a reviewed card with no reps"
    return None


def _check_card(card_id, uid, deck_id, stored, flags, log, book: SettingsBook, zone) -> list[Finding]:
    findings = []
    settings = book.for_deck_id(deck_id)
    expected = MemoryState()
    for review_id, rating, at, before_json, after_json, elsewhere in log:
        before, _ = rs.memory_from_json(before_json)
        after, _ = rs.memory_from_json(after_json)
        if not same_state(before, expected):
            findings.append(Finding(f"review {review_id}: its 'before' state does not follow the previous answer (the log is broken)", uid))
        # an answer from another device was seeded by that device's card id: only its log chain can be checked here
        replayed = after if elsewhere else scheduling.review(before, Rating(rating), at, card_id, settings, zone)
        if not same_state(replayed, after):
            # a review recomputed by `srs remote sync` is seeded by the card's deck-file id, the same on every device
            replayed = scheduling.review(before, Rating(rating), at, scheduling.card_seed(uid), settings, zone)
        if not same_state(replayed, after):
            findings.append(Finding(f"review {review_id}: the scheduler now gives a different result (settings changed since?)", uid, severity="note"))
        expected = after
    reason = invalid_state(stored)
    if not same_state(stored, expected) or reason:
        why = reason or "its state disagrees with its review log"
        findings.append(Finding(f"card state is wrong: {why}", uid, repair=(card_id, expected, flags)))
    if len(log) != stored.reps and not findings:
        findings.append(Finding(f"reps is {stored.reps} but the log has {len(log)} answers", uid, repair=(card_id, expected, flags)))
    return findings


def examine(store: Store, zone: tzinfo | None = None) -> Report:
    """Check integrity, foreign keys, every card's state and its review log (study days in ``zone``)."""
    with store.read() as conn:
        return _examine(conn, zone or local_zone())


def _examine(conn: sqlite3.Connection, zone: tzinfo) -> Report:
    """``examine`` on one connection: settings, states and logs all read in its transaction."""
    report = Report()
    report.integrity = ms.integrity_problems(conn)
    if report.integrity:
        return report
    book = SettingsBook(settings_store.all_settings(conn), rs.deck_names(conn))
    for card_id, uid, deck_id, stored, flags, log in ms.cards_with_logs(conn):
        report.cards_checked += 1
        report.reviews_checked += len(log)
        report.findings.extend(_check_card(card_id, uid, deck_id, stored, flags, log, book, zone))
    for uid, origin in ms.cards_without_text(conn):
        report.findings.append(Finding(f"its front and back are missing from the collection; srs sync {origin} restores them", uid, remedy=""))
    return report


@dataclass
class Repair:
    """What ``repair`` did: repairs made, the backup taken first, and the examination the repairs came from."""

    count: int
    backup: Path | None
    report: Report


def repair(store: Store, report: Report, zone: tzinfo | None = None) -> Repair:
    """Apply every safe repair, after a backup, in one write transaction that examines the collection again.

    ``report`` (an earlier ``examine``) only says whether a repair is needed: the states written come from the
    examination inside the transaction, so an answer given since is never overwritten with an older state.
    """
    if not any(f.repair is not None for f in report.findings):
        return Repair(0, None, report)
    backup = make_backup(store.path, "before-doctor-fix")
    with store.write() as conn:
        fresh = _examine(conn, zone or local_zone())
        fixes = [f.repair for f in fresh.findings if f.repair is not None]
        for card_id, memory, flags in fixes:
            rs.restore_state(conn, card_id, memory, flags)
    return Repair(len(fixes), backup, fresh)
