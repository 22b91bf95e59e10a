"""The help screen lists every key of every screen."""

from __future__ import annotations

from datetime import timezone

from textual.binding import Binding

from srs.model import Scope
from srs.tui.app import SrsApp
from srs.tui.screens.decks import DecksScreen
from srs.tui.screens.done import DoneScreen
from srs.tui.screens.help import HelpScreen, help_content, all_sections, key_label
from srs.tui.screens.review import ReviewScreen
from srs.tui.screens.stats import StatsScreen
from srs.tui.widgets.deck_tree import DeckTree
from tests.tui.conftest import SIZE, new_cards, screen_text, wait_until

UTC = timezone.utc


def test_every_binding_has_a_help_line() -> None:
    text = help_content(all_sections()).plain
    for owner in (ReviewScreen, DecksScreen, DoneScreen, StatsScreen, DeckTree):
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding)
            assert binding.action in owner.KEY_HELP, f"{owner.__name__}: no help for {binding.action}"
            assert key_label(binding.key) in text and owner.KEY_HELP[binding.action] in text


def test_review_keys_are_all_listed() -> None:
    text = help_content(all_sections()).plain
    for keys in ("Space / Enter", "1", "2", "3", "4", "u", "b", "s", "?", "q / Esc"):
        assert f"\n{keys} " in text


async def test_question_mark_opens_help_over_the_review_and_closes_it(make_store, clock) -> None:
    store = make_store(new_cards(1))
    app = SrsApp(store, Scope(), clock=clock, zone=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen.phase == "question")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "Undo the last answer" in screen_text(app)
        await pilot.press("3")  # keys of the screen below do nothing while help is open
        await pilot.press("question_mark")
        assert isinstance(app.screen, ReviewScreen) and app.screen.phase == "question"


def test_snapshot_help(make_store, clock, snap_compare) -> None:
    store = make_store(new_cards(1))
    app = SrsApp(store, Scope(), clock=clock, zone=UTC)

    async def opened(pilot) -> None:
        await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen.phase == "question")
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=opened)


async def test_help_opens_at_the_section_of_the_screen_it_was_called_from(make_store, clock) -> None:
    store = make_store(new_cards(1))
    app = SrsApp(store, Scope(), clock=clock, zone=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen.phase == "question")
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen.query_one("#help-box").scroll_y > 0)
        box = app.screen.query_one("#help-box")
        title = app.screen.query_one("#help-review")
        assert title.region.y - box.content_region.y <= 1  # the Review section's title is the first line shown (after its margin)
        first_line = screen_text(app).splitlines()[title.region.y]
        assert first_line.strip(" │").startswith("Review")


async def test_help_from_the_deck_list_starts_at_the_top(make_store, clock) -> None:
    store = make_store(new_cards(1))
    app = SrsApp(store, clock=clock, zone=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DecksScreen) and app.screen.data is not None)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen) and app.screen.section == "Deck list"
        assert app.screen.query_one("#help-box").scroll_y == 0


async def test_long_help_lines_wrap_under_their_text_not_to_the_first_column(make_store, clock) -> None:
    store = make_store(new_cards(1))
    app = SrsApp(store, clock=clock, zone=UTC)
    async with app.run_test(size=(60, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DecksScreen) and app.screen.data is not None)
        await pilot.press("question_mark")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        (index,) = [i for i, line in enumerate(lines) if "Statistics of the deck" in line]
        column = lines[index].index("Statistics")
        continuation = lines[index + 1]
        assert "t" in lines[index][:column] and continuation[:column].strip(" │") == ""
        assert continuation[column] not in " │"  # the wrapped words start right under the text
