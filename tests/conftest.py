"""Shared fixtures: a fresh store, deck files written on the fly, fixed clocks."""

from __future__ import annotations

import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pytest

from srs.storage import Store, open_store

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = open_store(tmp_path / "srs.db")
    yield opened
    opened.close()


@pytest.fixture
def write_deck(tmp_path: Path):
    """Write a deck file (dedented) and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / "decks" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


def simple_deck(n: int, deck: str = "Test", prefix: str = "c", difficulty: str = "easy") -> str:
    """A deck file with ``n`` cards."""
    lines = [f"deck: {deck}", "cards:"]
    for i in range(n):
        lines += [f"  - id: {prefix}{i}", f"    front: Question {prefix}{i}?", f"    back: Answer {i}", f"    difficulty: {difficulty}", "    tags: [tensor-ops]"]
    return "\n".join(lines) + "\n"
