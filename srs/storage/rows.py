"""Pieces of SQL and row decoding shared by the ``*_store`` modules: card state columns, scope filters."""

from __future__ import annotations

from collections.abc import Sequence

from srs.model import Flags, MemoryState, Scope, State
from srs.storage.timecodec import from_us

# A card's scheduling state and flags, in the order ``memory_from_row`` and ``flags_from_row`` read them.
STATE_COLUMNS = "state, step, stability, fsrs_difficulty, due, last_review, reps, lapses, suspended, leech, buried_until"


def memory_from_row(row: Sequence) -> MemoryState:
    """The MemoryState of the first eight ``STATE_COLUMNS`` of ``row``."""
    state, step, stability, difficulty, due, last_review, reps, lapses = row[:8]
    return MemoryState(State(state), step, stability, difficulty, from_us(due), from_us(last_review), reps, lapses)


def flags_from_row(row: Sequence) -> Flags:
    """The Flags of ``STATE_COLUMNS`` 9-11 of ``row`` (a row that starts with the state columns)."""
    return Flags(bool(row[8]), bool(row[9]), from_us(row[10]))


def scope_filter(scope: Scope, deck_index: bool = True) -> tuple[str, list]:
    """SQL (" AND ...") and parameters selecting the cards ``c`` of ``scope``.

    ``deck_index=False`` keeps SQLite from driving the query by the deck column: the queue queries walk
    ix_card_due / ix_card_new in order and stop early, which a deck lookup plus sort cannot do.
    """
    clauses, params = [], []
    if scope.deck:
        column = "c.deck_id" if deck_index else "+c.deck_id"
        clauses.append(f"{column} IN (SELECT id FROM deck WHERE name = ? OR substr(name, 1, ?) = ?)")
        params += [scope.deck, len(scope.deck) + 2, scope.deck + "::"]
    if scope.tag:
        if scope.tag == "leech":
            clauses.append("c.leech = 1")
        else:
            clauses.append("instr(c.tags, ?) > 0")
            params.append(f" {scope.tag} ")
    return (" AND " + " AND ".join(clauses)) if clauses else "", params
