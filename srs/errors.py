"""Exceptions meant for users: each carries a message that can be printed as is."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from srs.decks.problems import Problem


class SrsError(Exception):
    """Base of every error that the CLI prints as ``srs: error: ...`` without a traceback."""


class DeckError(SrsError):
    """Deck files failed validation; ``problems`` lists every error found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class DatabaseError(SrsError):
    """The database cannot be used (newer schema, corrupt file, unreadable path)."""


class CardNotFound(SrsError):
    """No card with the given id."""


class CardUnavailable(SrsError):
    """The card may not be answered now: retired, a draft, suspended or buried (maybe from another process)."""

    def __init__(self, uid: str, reason: str) -> None:
        self.uid, self.reason = uid, reason
        super().__init__(f"cannot answer '{uid}': {reason}")


class NothingToUndo(SrsError):
    """The review log holds no answer that can be undone."""


class BackupError(SrsError):
    """A backup could not be made or used; no file was left. ``damaged``: the collection itself failed verification."""

    def __init__(self, message: str, damaged: bool = False) -> None:
        super().__init__(message)
        self.damaged = damaged
