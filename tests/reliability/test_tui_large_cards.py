"""Huge cards on the review screen: the screen keeps answering keys while they render.

A 450 KB back once froze the TUI for 16 s on reveal, a 3.5 MB back for minutes with Ctrl+C
ignored: Rich rendered it on the UI thread. Long fields now render in a background thread, and no
field shows more than SHOWN_LIMIT characters (a note says how to see the rest).
"""

from __future__ import annotations

import re
import time
from datetime import timezone
from pathlib import Path

from srs.model import Rating
from srs.review import find_card
from srs.storage import open_store, review_store
from srs.storage.review_store import Scope
from srs.tui.app import SrsApp
from srs.tui.screens.review import ReviewScreen
from srs.tui.widgets.card_view import SHOWN_LIMIT, CardField, Rendered, shown_text
from tests.reliability.terminal import Terminal
from tests.tui.conftest import SIZE, T0, CardData, FakeClock, add_cards, wait_until

UTC = timezone.utc
UNIT = (
    "Some prose about `tensors` and **grads**.\n\n```python\nx = torch.zeros(3)\ny = x + 1  # add\n```\n\n"
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
)
MAX_STALL_SECONDS = 2.0  # longest the event loop may be busy at a time (rendering on it: 16 s and more)


def big_text(size: int) -> str:
    return (UNIT * (size // len(UNIT) + 1))[:size]


def on_card(app: SrsApp, serial: int):
    return lambda: isinstance(app.screen, ReviewScreen) and app.screen.card_serial >= serial and app.screen.phase == "question"


def strips_text(field: CardField) -> str:
    visual = field.visual
    assert isinstance(visual, Rendered)
    return "\n".join(strip.text for strip in visual.strips)


async def test_revealing_a_450_kb_back_keeps_the_screen_responsive(tmp_path: Path) -> None:
    store = open_store(tmp_path / "srs.db")
    add_cards(store, [CardData("big", "A big card?", big_text(450_000)), CardData("small", "Small?", "yes")])
    app = SrsApp(store, Scope(), clock=FakeClock(T0), zone=UTC)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, on_card(app, 1), timeout=30)
            stalls: list[float] = []
            last = [time.perf_counter()]

            def tick() -> None:
                now = time.perf_counter()
                stalls.append(now - last[0])
                last[0] = now

            app.set_interval(0.05, tick)
            await pilot.press("space")
            back = app.screen.query_one("#back", CardField)
            await wait_until(pilot, lambda: not back.rendering, timeout=60)
            await pilot.pause(0.3)
            assert max(stalls) < MAX_STALL_SECONDS, f"the event loop stalled {max(stalls):.1f} s"
            shown = strips_text(back)
            assert "Some prose about tensors" in shown
            assert re.search(rf"… 4\d\d,\d\d\d more characters not shown: this field is over {SHOWN_LIMIT:,} characters", " ".join(shown.split()))
            assert "srs show big" in shown
    finally:
        store.close()


async def test_keys_are_answered_while_a_long_back_renders(tmp_path: Path) -> None:
    store = open_store(tmp_path / "srs.db")
    add_cards(store, [CardData("big", "A big card?", big_text(450_000)), CardData("small", "Small?", "yes")])
    app = SrsApp(store, Scope(), clock=FakeClock(T0), zone=UTC)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, on_card(app, 1), timeout=30)
            await pilot.press("space", "3")
            await wait_until(pilot, on_card(app, 2), timeout=30)
            assert app.screen.step.card.uid == "small"
            with store.read() as conn:
                (entry,) = review_store.card_history(conn, find_card(store, "big").id)
            assert entry[1] == Rating.GOOD
    finally:
        store.close()


def test_shown_text_cuts_at_a_line_end_and_closes_an_open_fence() -> None:
    assert shown_text("short", "u") == "short"
    text = "intro\n```python\n" + "x = 1\n" * (SHOWN_LIMIT // 6 + 10) + "```\nafter\n"
    shown = shown_text(text, "card-7")
    head, note = shown.rsplit("\n\n", 1)
    assert len(head) <= SHOWN_LIMIT + 4 and head.endswith("x = 1\n```")
    assert note.startswith("*… ") and note.endswith("The whole card: srs show card-7*")
    assert shown_text("~~~~\n" + "y\n" * SHOWN_LIMIT, "u").split("\n\n")[0].endswith("\n~~~~")


def test_ctrl_c_quits_at_once_while_a_3_5_mb_back_renders(tmp_path: Path) -> None:
    db = tmp_path / "srs.db"
    store = open_store(db)
    add_cards(store, [CardData("huge", "A 3.5 MB back?", big_text(3_500_000))])
    store.close()
    terminal = Terminal(["review", "--deck", "Test"], db)
    try:
        assert b"A 3.5 MB back?" in terminal.wait_for("A 3.5 MB back?", 60)
        terminal.press(b" ")
        terminal.wait_for("Rendering a long card", 10)  # the placeholder (rendering on the UI thread: nothing)
        pressed = time.monotonic()
        terminal.press(b"\x03")
        status = terminal.wait_exit(30)
        assert status is not None, "Ctrl+C did not quit within 30 s"
        assert time.monotonic() - pressed < 10
    finally:
        terminal.close()
