"""Plain data shared by all layers: deck files, cards, card states and reviews.

Nothing here does I/O. Datetimes are always aware and in UTC.

The records made on every answer and read by the review screen's first card are NamedTuples, not frozen
dataclasses: as immutable and comparable, made in a third of the time (a frozen dataclass sets each field
through ``object.__setattr__``), and their classes cost ~70 us at import against ~500 us for a dataclass
(`srs review`'s cold start, bench/tui.py --cold-only). ``_replace`` stands for ``dataclasses.replace``.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import NamedTuple

from srs.lazy import lazy_names

DIFFICULTIES = ("easy", "medium", "hard")


class State(IntEnum):
    """Card state. 1-3 match ``fsrs.State``; 0 is a card never answered."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3

    @property
    def label(self) -> str:
        return self.name.lower()


class Rating(IntEnum):
    """Answer buttons, as in Anki and ``fsrs.Rating``."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


class MemoryState(NamedTuple):
    """The scheduling state of a card: everything FSRS needs, plus counters."""

    state: State = State.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0


class Flags(NamedTuple):
    """Per-card flags saved with each review so undo restores them exactly."""

    suspended: bool = False
    leech: bool = False
    buried_until: datetime | None = None


class Scope(NamedTuple):
    """Which cards a command covers: a deck (with its subdecks) and/or a tag. Empty: every card."""

    deck: str | None = None
    tag: str | None = None


class CardRow(NamedTuple):
    """A card as the review screen and ``srs show`` need it: content, placement, state and flags."""

    id: int
    uid: str
    deck: str
    front: str
    back: str
    extra: str
    tags: tuple[str, ...]
    difficulty: str | None
    sources: tuple[str, ...]
    draft: bool
    retired: bool
    memory: MemoryState
    suspended: bool
    leech: bool
    buried_until: datetime | None


# Read by statistics and exports, or by deck sync, only: defined in srs.model_reports and srs.model_decks,
# loaded on first use, so that a command (srs review's first card above all) does not pay for making their
# classes at start-up.
__getattr__ = lazy_names(
    __name__,
    {
        "Decay": "srs.model_reports",
        "ListedCard": "srs.model_reports",
        "ReviewEntry": "srs.model_reports",
        "TagRow": "srs.model_reports",
        "CardSpec": "srs.model_decks",
        "DeckFile": "srs.model_decks",
        "SyncReport": "srs.model_decks",
    },
)
