"""A finding in a deck file, located as ``path:line:col`` (what ``srs.errors.DeckError`` lists).

Its own module: deck files are read only by sync, check and ingest, and a dataclass costs about half a
millisecond to make at every start-up (cold start, issue #15).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One finding in a deck file, located as ``path:line:col``."""

    path: str
    line: int
    col: int
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"
