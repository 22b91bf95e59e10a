"""Plain data shared by all layers: deck files, cards, card states and reviews.

Nothing here does I/O. Datetimes are always aware and in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum

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


@dataclass(frozen=True)
class CardSpec:
    """A card as written in a deck file."""

    uid: str
    front: str
    back: str
    extra: str = ""
    tags: tuple[str, ...] = ()
    difficulty: str | None = None
    sources: tuple[str, ...] = ()
    draft: bool = False
    line: int = 0
    explicit_id: bool = True
    cloze: str = ""  # a cloze entry's text with {{c1::...}} deletions (then front and back are empty)
    reverse: bool = False  # also study back -> front

    def content_key(self) -> tuple:
        """The fields whose change counts as an edit of the card."""
        key = (self.front, self.back, self.extra, self.tags, self.difficulty, self.sources, self.draft)
        # Appended only when set, so the hash of every plain card stays what it was before these existed.
        return key + (self.cloze, self.reverse) if self.cloze or self.reverse else key


@dataclass(frozen=True)
class DeckFile:
    """One parsed and validated deck file."""

    path: str
    deck: str
    description: str
    cards: tuple[CardSpec, ...]
    digest: str


@dataclass(frozen=True)
class MemoryState:
    """The scheduling state of a card: everything FSRS needs, plus counters."""

    state: State = State.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0


@dataclass(frozen=True)
class Flags:
    """Per-card flags saved with each review so undo restores them exactly."""

    suspended: bool = False
    leech: bool = False
    buried_until: datetime | None = None


@dataclass(frozen=True)
class Scope:
    """Which cards a command covers: a deck (with its subdecks) and/or a tag. Empty: every card."""

    deck: str | None = None
    tag: str | None = None


@dataclass(frozen=True)
class CardRow:
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


@dataclass
class SyncReport:
    """What a sync did (or, for a dry plan, would do)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped_files: int = 0
    parsed_files: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired or self.restored)


# Read by statistics and exports only: defined in srs.model_reports, loaded on first use, so that a command
# (srs review's first card above all) does not pay for making their classes at start-up.
_REPORT_TYPES = ("Decay", "ListedCard", "ReviewEntry", "TagRow")


def __getattr__(name: str):
    if name in _REPORT_TYPES:
        from srs import model_reports

        return getattr(model_reports, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
