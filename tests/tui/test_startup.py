"""Start-up of `srs review --deck`: the session opened before the UI, the answer side built later, the key bar."""

from __future__ import annotations

from datetime import timezone
from pathlib import Path

from textual.widgets import Button

import srs.tui.app
from srs.model import Scope
from srs.tui.app import SrsApp
from srs.tui.screens.review import ReviewScreen
from srs.tui.steps import Opening
from srs.tui.widgets.answer_bar import AnswerBar
from srs.tui.widgets.card_view import CardView
from srs.tui.widgets.key_bar import KeyBar
from tests.tui.conftest import SIZE, new_cards, screen_text, wait_until

UTC = timezone.utc


def opened(store, clock, scope: Scope = Scope()) -> Opening:
    opening = Opening(store, scope, UTC, clock())
    opening.wait()
    return opening


async def test_a_session_opened_before_the_app_is_on_the_first_frame(make_store, clock) -> None:
    store = make_store(new_cards(3))
    opening = opened(store, clock)
    waited: list[bool] = []
    opening.wait = lambda: (waited.append(True), Opening.wait(opening))[1]  # what the worker path calls
    app = SrsApp(store, Scope(), clock=clock, zone=UTC, opening=opening)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await wait_until(pilot, lambda: screen.card_serial >= 1)
        assert screen.step.card is not None and screen.step.card.uid == "c0"
        assert "Question c0?" in screen_text(app) and "Loading" not in screen_text(app)
    assert not waited  # no worker was needed: the card was put on screen while the screen was mounted


async def test_a_session_still_opening_is_waited_for(make_store, clock) -> None:
    store = make_store(new_cards(2))
    opening = Opening.__new__(Opening)  # an opening that finishes only once the screen is up
    from concurrent.futures import Future

    opening.scope, opening._future = Scope(), Future()
    app = SrsApp(store, Scope(), clock=clock, zone=UTC, opening=opening)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert screen.phase == "loading" and "Loading today's cards" in screen_text(app)
        from srs.tui.steps import open_session

        opening._future.set_result(open_session(store, Scope(), UTC, clock()))
        await wait_until(pilot, lambda: screen.card_serial >= 1)
        assert "Question c0?" in screen_text(app)


async def test_a_session_that_failed_to_open_says_so(make_store, clock) -> None:
    store = make_store(new_cards(2))
    opening = opened(store, clock, Scope(deck="Test"))
    opening._future = type(opening._future)()
    opening._future.set_exception(OSError("disk on fire"))
    app = SrsApp(store, Scope(), clock=clock, zone=UTC, opening=opening)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.phase == "failed")
        assert "Could not open the session: OSError: disk on fire" in screen_text(app)


async def test_the_answer_side_is_built_after_the_first_card_and_by_an_early_reveal(make_store, clock) -> None:
    store = make_store(new_cards(2))
    app = SrsApp(store, Scope(), clock=clock, zone=UTC, opening=opened(store, clock))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.card_serial >= 1)
        assert not screen.query("#rate-1") and not screen.query("#back")  # not needed for the question
        await pilot.press("space")  # before the delayed build: the reveal builds them
        text = screen_text(app)
        assert "Answer c0" in text and "1 Again  1m" in text and "3 Good  10m" in text
    app = SrsApp(store, Scope(), clock=clock, zone=UTC, opening=opened(store, clock))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.card_serial >= 1)
        await wait_until(pilot, lambda: bool(screen.query("#rate-4")))  # built while the card is read
        assert not screen.query_one("#rate-4", Button).display and not screen.query_one("#back").display
        assert screen.query_one(CardView)._answer_side and screen.query_one(AnswerBar)._ratings
        assert "Answer c0" not in screen_text(app)


async def test_the_key_bar_lists_the_keys_and_a_click_presses_one(make_store, clock) -> None:
    store = make_store(new_cards(2))
    app = SrsApp(store, Scope(), clock=clock, zone=UTC, opening=opened(store, clock))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.card_serial >= 1)
        await wait_until(pilot, lambda: bool(screen.query(KeyBar)))  # a moment after the first card
        bar = screen_text(app).splitlines()[-1]
        assert bar.startswith(" space Show answer  u Undo  b Bury  s Suspend  ? Help  q Decks ")
        await pilot.click(KeyBar, offset=(3, 0))  # on "space"
        await wait_until(pilot, lambda: screen.phase == "answer")
        assert screen_text(app).splitlines()[-1].startswith(" space Good  u Undo")
        await pilot.click(KeyBar, offset=(len(" space Good  u Undo  b Bury  s Suspend  ") + 1, 0))  # on "?"
        await wait_until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")


async def test_the_garbage_collector_paused_for_start_up_resumes_with_the_first_card(make_store, clock, monkeypatch) -> None:
    import gc

    from srs import gcpause
    from srs.tui import app as app_module

    monkeypatch.setattr(app_module, "STARTUP_GC_SECONDS", 30.0)  # only the first card may resume it here
    store = make_store(new_cards(2))
    app = SrsApp(store, Scope(), clock=clock, zone=UTC, opening=opened(store, clock))
    frozen = gc.get_freeze_count()
    gcpause.pause_for_startup()
    try:
        assert not gc.isenabled()
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.screen.card_serial >= 1)
            assert gc.isenabled() and gc.get_freeze_count() > frozen
    finally:
        gcpause.resume_after_startup()
        gc.enable()


async def test_the_garbage_collector_paused_for_start_up_resumes_on_other_screens_too(make_store, clock, monkeypatch) -> None:
    import gc

    from srs import gcpause
    from srs.tui import app as app_module

    monkeypatch.setattr(app_module, "STARTUP_GC_SECONDS", 0.2)
    store = make_store(new_cards(2))
    app = SrsApp(store, clock=clock, zone=UTC)  # the deck list first
    gcpause.pause_for_startup()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, gc.isenabled)
    finally:
        gcpause.resume_after_startup()
        gc.enable()


def test_importing_the_cli_leaves_the_garbage_collector_on() -> None:
    import subprocess
    import sys

    code = "import gc, sys; sys.argv = ['srs', 'review']; import srs.cli; print(gc.isenabled(), 'srs.cli.review' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True"]


async def test_the_review_is_the_first_screen_and_stays_below_idle_once_done(make_store, clock) -> None:
    from srs.tui.screens.decks import DecksScreen
    from srs.tui.screens.done import DoneScreen

    store = make_store(new_cards(1))
    app = SrsApp(store, Scope(), clock=clock, zone=UTC, opening=opened(store, clock))
    async with app.run_test(size=SIZE) as pilot:
        review = app.screen
        assert app.screen_stack == [review]  # no empty screen under it
        await wait_until(pilot, lambda: review.card_serial >= 1)
        await pilot.press("space", "4")
        await wait_until(pilot, lambda: isinstance(app.screen, DoneScreen))
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, DecksScreen))
        assert app.screen_stack == [review, app.screen] and review.phase == "done"
        await pilot.press("q")  # the deck list quits, as when it is the first screen
        await wait_until(pilot, lambda: not app.is_running)


async def test_the_first_cards_intervals_and_lexers_are_built_while_it_is_read(make_store, clock) -> None:
    store = make_store(new_cards(2))
    opening = opened(store, clock)
    session, step = opening.ready()
    assert step.intervals == {} and step.preview_at == clock()  # the first card is drawn without py-fsrs
    app = SrsApp(store, Scope(), clock=clock, zone=UTC, opening=opening)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.card_serial >= 1)
        assert screen._warming is None  # the answer side's lexers: not while the first card is drawn
        assert [path for path, _ in app.stylesheet.source if path.endswith(".tcss")] == [str(Path(srs.tui.app.__file__).parent / "app.tcss")]
        await wait_until(pilot, lambda: screen.step.preview_at is None)  # computed while the card is read
        assert screen._warming is not None
        assert screen.step.intervals == session.preview(step.card.id, step.preview_at) and len(screen.step.intervals) == 4
        await pilot.press("space")
        assert "1 Again  1m" in screen_text(app) and "3 Good  10m" in screen_text(app)


def test_the_first_card_is_drawn_without_what_only_later_steps_need(make_store, tmp_path) -> None:
    # Issue 15's cold start: what `srs review --deck D` must not import before its first card is on screen.
    import subprocess
    import sys

    make_store([*new_cards(2)], name="first.db")
    code = (
        "import asyncio, sys\n"
        "from datetime import timezone\n"
        "from srs.clock import utc_now\n"
        "from srs.model import Scope\n"
        "from srs.storage import open_store\n"
        "from srs.tui.steps import Opening\n"
        "from srs.tui.app import SrsApp\n"
        f"store = open_store({str(tmp_path / 'first.db')!r})\n"
        "opening = Opening(store, Scope(deck='Test'), timezone.utc, utc_now())\n"
        "async def main():\n"
        "    app = SrsApp(store, Scope(deck='Test'), zone=timezone.utc, opening=opening)\n"
        "    async with app.run_test(size=(100, 30)) as pilot:\n"
        "        while getattr(app.screen, 'card_serial', 0) < 1:\n"
        "            await asyncio.sleep(0.001)\n"
        "        later = ('fsrs', 'markdown_it', 'rich.markdown', 'rich.syntax', 'typer', 'srs.cli', 'yaml', 'srs.quiz',\n"
        "                 'srs.remote.status', 'srs.tui.screens.done', 'srs.tui.screens.decks', 'srs.tui.widgets.rich_markdown',\n"
        "                 'srs.model_reports')\n"
        "        print([name for name in later if name in sys.modules])\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


async def test_show_answer_follows_the_first_card_on_the_side_shown(make_store, clock) -> None:
    # 'Show answer' is mounted a moment after the first card (its CSS is a fair part of the cold start); a
    # reveal before that keeps it hidden, and later cards have it at once.
    store = make_store(new_cards(3))
    app = SrsApp(store, Scope(), clock=clock, zone=UTC, opening=opened(store, clock))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.card_serial >= 1)
        bar = screen.query_one(AnswerBar)
        assert not bar.query("#show-answer") and "Show answer  space" not in screen_text(app) and not screen.query(KeyBar)
        await pilot.press("space")
        await wait_until(pilot, lambda: bool(bar.query("#show-answer")))
        assert not bar.query_one("#show-answer").display and "Show answer  space" not in screen_text(app)
        await pilot.press("3")
        await wait_until(pilot, lambda: screen.card_serial >= 2)
        assert bar.query_one("#show-answer").display and "Show answer  space" in screen_text(app)


async def test_the_app_starts_the_backup_after_its_first_screen(make_store, clock, monkeypatch) -> None:
    monkeypatch.setattr(srs.tui.app, "AFTER_START_SECONDS", 0.01)
    monkeypatch.setattr(srs.tui.app, "STARTUP_GC_SECONDS", 60)  # so only the review screen's first card can start it
    store = make_store(new_cards(2))
    started: list[int] = []
    app = SrsApp(store, Scope(), clock=clock, zone=UTC, after_start=lambda: started.append(app.screen.card_serial))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(started))
    assert started == [1]  # once, with the first card on screen


async def test_the_wal_is_checkpointed_when_answering_pauses(make_store, clock, monkeypatch) -> None:
    from srs.storage import db

    monkeypatch.setattr(srs.tui.app, "IDLE_CHECKPOINT_SECONDS", 0.05)
    monkeypatch.setattr(db, "CHECKPOINT_PAGES", 1)
    store = make_store(new_cards(3))
    app = SrsApp(store, Scope(), clock=clock, zone=UTC)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.card_serial >= 1)
        await pilot.press("space", "3")
        await wait_until(pilot, lambda: screen.card_serial >= 2)
        await wait_until(pilot, lambda: db.wal_pages_waiting(store.path) == 0)
        with store.read() as conn:
            assert conn.execute("SELECT count(*) FROM review").fetchone()[0] == 1
