"""Plain data of deck files and their sync (re-exported by ``srs.model``, which loads this module on first use)."""

from __future__ import annotations

from dataclasses import dataclass, field


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
