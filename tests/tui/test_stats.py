"""The stats screen: the figures of `srs stats` for the deck under the cursor, computed in a worker."""

from __future__ import annotations

from datetime import timedelta, timezone

from srs.model import Rating
from srs.review import answer, find_card
from srs.tui.app import SrsApp
from srs.tui.screens.decks import DecksScreen
from srs.tui.screens.stats import StatsScreen
from tests.tui.conftest import SIZE, T0, CardData, screen_text, wait_until

UTC = timezone.utc


def collection(make_store):
    cards = [CardData(f"a{i}", f"A question {i}", deck="[b]Lang[/b]::Python", tags=("autograd",)) for i in range(3)]
    cards += [CardData(f"m{i}", f"M question {i}", deck="Maths") for i in range(2)]
    store = make_store(cards)
    answer(store, find_card(store, "a0").id, Rating.GOOD, T0 - timedelta(days=1), duration_ms=5000)
    answer(store, find_card(store, "a1").id, Rating.AGAIN, T0 - timedelta(minutes=30), duration_ms=7000)
    answer(store, find_card(store, "m0").id, Rating.EASY, T0 - timedelta(minutes=20), duration_ms=3000)
    return store


def decks_loaded(app: SrsApp):
    return lambda: isinstance(app.screen, DecksScreen) and app.screen.data is not None


async def test_t_shows_the_stats_of_every_deck_and_comes_back(make_store, clock) -> None:
    app = SrsApp(collection(make_store), clock=clock, zone=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, decks_loaded(app))
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, StatsScreen) and app.screen.figures is not None)
        assert app.screen.deck is None
        text = screen_text(app)
        assert "srs · stats · All decks" in text
        assert "Streak  current 2 days · longest 2 days" in text
        assert app.screen.figures["today"]["reviews"] == 2
        await pilot.press("escape")
        assert isinstance(app.screen, DecksScreen)


async def test_stats_of_the_deck_under_the_cursor(make_store, clock) -> None:
    app = SrsApp(collection(make_store), clock=clock, zone=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, decks_loaded(app))
        await pilot.press("down", "down")  # All decks, Maths, [b]Lang[/b]
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, StatsScreen) and app.screen.figures is not None)
        assert app.screen.deck == "[b]Lang[/b]"
        assert "srs · stats · [b]Lang[/b]" in screen_text(app)
        assert app.screen.figures["cards"]["total"] == 3


def test_snapshot_stats(make_store, clock, snap_compare) -> None:
    app = SrsApp(collection(make_store), clock=clock, zone=UTC)

    async def opened(pilot) -> None:
        await wait_until(pilot, decks_loaded(app))
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, StatsScreen) and app.screen.figures is not None)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=opened)
