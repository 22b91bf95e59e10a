"""Fixtures for the TUI tests: collections built in tmp_path, a fake clock, waiting and reading the screen."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot

from srs.storage import Store, open_store
from srs.storage import sync_store

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)  # a Monday, noon UTC; the study day began at 04:00
SIZE = (100, 30)


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class CardData:
    """A card to insert directly (bypassing deck files, so tests can hold any text, control characters too)."""

    uid: str
    front: str
    back: str = "the back"
    extra: str = ""
    deck: str = "Test"
    tags: tuple[str, ...] = ("tensor-ops",)
    difficulty: str | None = "medium"
    state: dict = field(default_factory=dict)  # scheduling columns for cards that are not new


def add_cards(store: Store, cards: list[CardData]) -> None:
    """Insert cards (and their decks) through the sync storage functions."""
    with store.write() as conn:
        deck_ids = sync_store.ensure_decks(conn, {card.deck: "" for card in cards})
        rows = []
        for position, card in enumerate(cards):
            rows.append({
                "uid": card.uid, "deck_id": deck_ids[card.deck], "origin": f"/decks/{card.deck}.yaml", "line": position + 1,
                "position": position, "front": card.front, "back": card.back, "extra": card.extra,
                "tags": (" " + " ".join(card.tags) + " ") if card.tags else "", "difficulty": card.difficulty, "sources": "",
                "draft": False, "retired": False, "content_hash": card.uid, "created_at": T0 - timedelta(days=30),
                "state": 0, "step": None, "stability": None, "fsrs_difficulty": None, "due": None, "last_review": None,
                "reps": 0, "lapses": 0, **card.state,
            })
        sync_store.insert_cards(conn, rows)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_store(tmp_path: Path):
    """A new collection holding ``cards``."""
    opened: list[Store] = []

    def make(cards: list[CardData], name: str = "tui.db") -> Store:
        store = open_store(tmp_path / name)
        opened.append(store)
        if cards:
            add_cards(store, cards)
        return store

    yield make
    for store in opened:
        store.close()


def new_cards(n: int, deck: str = "Test", prefix: str = "c") -> list[CardData]:
    """``n`` plain new cards."""
    return [CardData(f"{prefix}{i}", f"Question {prefix}{i}?", f"Answer {prefix}{i}") for i in range(n)]


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the app run until ``condition`` holds (thread workers finish in their own time)."""
    waited = 0.0
    while not condition():
        if waited >= timeout:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.01)
        waited += 0.01
    await pilot.pause()


def screen_text(app: App) -> str:
    """The whole screen as plain text, as a terminal would show it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, color_system="truecolor", record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False)
