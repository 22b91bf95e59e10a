"""The done screen: cards answered, again-rate, time spent and when the next card is due."""

from __future__ import annotations

from datetime import timedelta, timezone

from srs.model import Scope
from srs.tui.app import SrsApp
from srs.tui.screens.decks import DecksScreen
from srs.tui.screens.done import DoneScreen, Summary, summary_content
from srs.tui.screens.review import ReviewScreen
from tests.tui.conftest import SIZE, T0, new_cards, screen_text, wait_until

UTC = timezone.utc


async def finish_session(app: SrsApp, pilot, clock) -> None:
    """c0 Again, c1 Easy, c0 (back from learning) Easy, 10 s per card."""
    for serial, key in ((1, "1"), (2, "4"), (3, "4")):
        await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen.card_serial >= serial and app.screen.phase == "question")
        await pilot.press("space")
        clock.advance(seconds=10)
        await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, DoneScreen))


async def test_done_screen_sums_up_the_session(make_store, clock) -> None:
    store = make_store(new_cards(2))
    app = SrsApp(store, Scope(), clock=clock, zone=UTC)
    async with app.run_test(size=SIZE) as pilot:
        await finish_session(app, pilot, clock)
        summary = app.screen.summary
        assert (summary.answers, summary.again, summary.seconds) == (3, 1, 30.0)
        assert summary.next_due is not None and summary.next_due >= clock.now + timedelta(days=1)
        text = screen_text(app)
        assert "Congratulations! You have finished for now." in text
        assert "Cards answered   3" in text and "Again rate       33% (1 of 3)" in text and "Time spent       30s" in text
        assert "Next card due in " in text
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DecksScreen))


def test_summary_of_an_empty_session() -> None:
    summary = Summary("Maths", 0, 0, 0.0, 0, 0, None, T0, UTC)
    text = summary_content(summary).plain
    assert "Nothing to study right now." in text and "Again rate       0%\n" in text and "No card is scheduled yet." in text


def test_summary_mentions_buried_and_suspended_and_the_next_due_time() -> None:
    summary = Summary("[b]Maths[/b]", 4, 1, 75.0, 1, 2, T0 + timedelta(minutes=30), T0, UTC)
    text = summary_content(summary).plain
    assert "[b]Maths[/b]" in text and "Buried           1" in text and "Suspended        2" in text
    assert "Time spent       1m 15s" in text and "Next card due in 30m (12:30)." in text


def test_snapshot_done_screen(make_store, clock, snap_compare) -> None:
    store = make_store(new_cards(2))
    app = SrsApp(store, Scope(), clock=clock, zone=UTC)

    async def finished(pilot) -> None:
        await finish_session(app, pilot, clock)
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=finished)
