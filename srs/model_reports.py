"""Plain data for statistics and exports (re-exported by ``srs.model``, which loads this module on first use)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from srs.model import MemoryState, Rating


class ListedCard(NamedTuple):
    """A card's content and placement: what an export writes of it."""

    uid: str
    deck: str
    front: str
    back: str
    extra: str
    tags: tuple[str, ...]
    difficulty: str | None
    sources: tuple[str, ...]
    content_changed_at: datetime  # the last sync that changed what the card says (text, tags, deck, sources)


@dataclass(frozen=True)
class Decay:
    """FSRS forgetting-curve constants: R = (1 + factor * elapsed_days / stability) ** decay."""

    decay: float
    factor: float


@dataclass(frozen=True)
class TagRow:
    """Figures for the live cards sharing one exact tag string (e.g. ' autograd tensor-ops ')."""

    tags: str
    cards: int
    studied: int
    reviews: int
    passed: int
    with_memory: int
    retrievability_sum: float
    known: int


@dataclass(frozen=True)
class ReviewEntry:
    """One answer in the review log, with the state before and after (for exact undo and replay)."""

    card_id: int
    rating: Rating
    reviewed_at: datetime
    duration_ms: int | None
    before: MemoryState
    after: MemoryState
