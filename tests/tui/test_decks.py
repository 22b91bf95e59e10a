"""The deck list: tree with counts, today's totals and streak, studying a deck, the empty collection."""

from __future__ import annotations

from datetime import timedelta, timezone

from srs.model import Rating
from srs.review import answer, find_card
from srs.tui.app import SrsApp
from srs.tui.screens.decks import DecksScreen
from srs.tui.screens.done import DoneScreen
from srs.tui.screens.help import HelpScreen
from srs.tui.screens.review import ReviewScreen
from srs.tui.widgets.deck_tree import DeckTree
from tests.tui.conftest import SIZE, T0, CardData, screen_text, wait_until

UTC = timezone.utc


def collection(make_store):
    cards = [CardData(f"a{i}", f"A question {i}", deck="Lang::Python") for i in range(3)]
    cards += [CardData(f"b{i}", f"B question {i}", deck="Lang::Rust") for i in range(2)]
    cards += [CardData(f"m{i}", f"M question {i}", deck="Maths") for i in range(4)]
    return make_store(cards)


def loaded(app: SrsApp):
    return lambda: isinstance(app.screen, DecksScreen) and app.screen.data is not None


def line_of(text: str, name: str) -> list[str]:
    """The words of the screen line holding the deck ``name``."""
    (line,) = [row for row in text.splitlines() if f" {name} " in row]
    return line.split()


async def test_tree_shows_each_deck_with_its_counts_and_the_totals(make_store, clock) -> None:
    store = collection(make_store)
    app = SrsApp(store, clock=clock, zone=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, loaded(app))
        text = screen_text(app)
        assert line_of(text, "Python")[-3:] == ["3", "0", "0"]
        assert line_of(text, "Lang")[-3:] == ["5", "0", "0"]
        assert line_of(text, "Maths")[-3:] == ["4", "0", "0"]
        assert line_of(text, "All decks")[-3:] == ["9", "0", "0"]
        assert "Today  9 new · 0 learning · 0 due" in text and "Studied 0 cards in 0s today" in text
        assert "Deck" in text and "New  Learn    Due" in text


async def test_streak_and_cards_done_today(make_store, clock) -> None:
    store = collection(make_store)
    ids = [find_card(store, uid).id for uid in ("a0", "a1", "a2", "m0")]
    answer(store, ids[0], Rating.GOOD, T0 - timedelta(days=2), duration_ms=4000)
    answer(store, ids[1], Rating.GOOD, T0 - timedelta(days=1), duration_ms=4000)
    answer(store, ids[2], Rating.GOOD, T0 - timedelta(hours=1), duration_ms=30_000)
    answer(store, ids[3], Rating.AGAIN, T0 - timedelta(minutes=5), duration_ms=15_000)
    app = SrsApp(store, clock=clock, zone=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, loaded(app))
        text = screen_text(app)
        assert "Studied 2 cards in 45s today" in text and "Streak 3 days" in text


async def test_studied_counts_cards_not_answers_and_a_one_day_streak_is_singular(make_store, clock) -> None:
    store = collection(make_store)
    card = find_card(store, "m0").id
    answer(store, card, Rating.AGAIN, T0 - timedelta(minutes=20), duration_ms=5000)
    answer(store, card, Rating.GOOD, T0 - timedelta(minutes=5), duration_ms=5000)
    app = SrsApp(store, clock=clock, zone=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, loaded(app))
        text = screen_text(app)
        assert "Studied 1 card (2 answers) in 10s today" in text and "Streak 1 day" in text and "1 days" not in text


async def test_enter_studies_the_deck_under_the_cursor_and_q_comes_back(make_store, clock) -> None:
    store = collection(make_store)
    app = SrsApp(store, clock=clock, zone=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, loaded(app))
        await pilot.press("down", "down", "down")  # All decks, Lang, Python, Rust
        assert app.screen.query_one(DeckTree).cursor_node.data.deck == "Lang::Rust"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen.phase == "question")
        assert app.screen.scope.deck == "Lang::Rust" and app.screen.step.card.uid == "b0"
        await pilot.press("space", "4")
        await wait_until(pilot, lambda: app.screen.card_serial == 2)
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, DecksScreen) and "Studied 1 card " in screen_text(app))
        assert line_of(screen_text(app), "Rust")[-3:] == ["1", "0", "0"]
        assert app.screen.query_one(DeckTree).cursor_node.data.deck == "Lang::Rust"


async def test_enter_on_the_root_studies_every_deck(make_store, clock) -> None:
    store = collection(make_store)
    app = SrsApp(store, clock=clock, zone=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, loaded(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen.phase == "question")
        assert app.screen.scope.deck is None and app.screen.step.counts.new == 9


async def test_an_empty_collection_says_what_to_do_and_studies_nothing(make_store, clock) -> None:
    store = make_store([])
    app = SrsApp(store, clock=clock, zone=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, loaded(app))
        assert "No decks yet. Add some with: srs sync PATH" in screen_text(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DoneScreen))
        text = screen_text(app)
        assert "Nothing to study right now." in text and "No card is scheduled yet." in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DecksScreen))


async def test_help_and_quit_keys(make_store, clock) -> None:
    store = collection(make_store)
    app = SrsApp(store, clock=clock, zone=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, loaded(app))
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, DecksScreen)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_deck_names_are_not_markup(make_store, clock) -> None:
    store = make_store([CardData("x0", "front", deck="[bold]x[/]::[@click=app.quit]")])
    app = SrsApp(store, clock=clock, zone=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, loaded(app))
        text = screen_text(app)
        assert "[bold]x[/]" in text and "[@click=app.quit]" in text


def test_snapshot_deck_list(make_store, clock, snap_compare) -> None:
    store = collection(make_store)
    answer(store, find_card(store, "m0").id, Rating.GOOD, T0 - timedelta(days=1), duration_ms=4000)
    answer(store, find_card(store, "m1").id, Rating.AGAIN, T0 - timedelta(minutes=3), duration_ms=9000)
    app = SrsApp(store, clock=clock, zone=UTC)

    async def ready(pilot) -> None:
        await wait_until(pilot, loaded(app))

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)
