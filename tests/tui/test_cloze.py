"""Cloze and reversed cards on the review screen: the deletion hidden, then highlighted; Markdown kept; text literal."""

from __future__ import annotations

import io
from datetime import timezone

from rich.console import Console
from rich.markdown import Markdown

from srs.model import Scope
from srs.tui.app import SrsApp
from srs.tui.widgets.card_view import CardField
from srs.tui.widgets.cloze import DARK, END, START, Highlighted, cloze_source
from tests.tui.conftest import SIZE, CardData, screen_text, wait_until
from tests.tui.test_review import on_card

CLOZE = "The default of {{c1::shuffle}} in `DataLoader` is {{c2::False::a bool}}.\n\n```python\nloader = DataLoader(ds, {{c1::shuffle}}=True)\n```"


def styled_runs(renderable, width: int = 60) -> list[tuple[str, bool]]:
    """(text, highlighted) for every piece of text the renderable draws."""
    console = Console(width=width, file=io.StringIO(), color_system="truecolor")
    return [
        (segment.text, bool(segment.style and segment.style.bold and segment.style.color == DARK.color))
        for segment in console.render(renderable)
        if segment.text.strip()
    ]


def test_highlight_covers_exactly_the_deletion_and_drops_the_markers() -> None:
    runs = styled_runs(Highlighted(Markdown(cloze_source(CLOZE, 1, reveal=True)), DARK))
    highlighted = "".join(text for text, marked in runs if marked)
    assert highlighted.replace(" ", "") == "shuffleshuffle"  # in the paragraph and inside the code block
    drawn = "".join(text for text, _ in runs)
    assert START not in drawn and END not in drawn and "{{" not in drawn
    assert "False" in drawn and "a bool" not in drawn


def test_markers_in_the_text_cannot_fake_a_highlight() -> None:
    source = cloze_source(f"{START}not me{END} but {{{{c1::me}}}}", 1, reveal=True)
    assert source == f"not me but {START}me{END}"


def test_wrapping_ignores_the_markers() -> None:
    words = "word " * 30
    plain = Console(width=40, file=io.StringIO()).render_lines(Markdown(words + "shuffle"))
    marked = Console(width=40, file=io.StringIO()).render_lines(Highlighted(Markdown(words + START + "shuffle" + END), DARK))
    assert ["".join(s.text for s in line) for line in plain] == ["".join(s.text for s in line) for line in marked]


async def test_cloze_card_hides_then_highlights_its_deletion(make_store, clock) -> None:
    store = make_store([CardData("dl#c1", CLOZE, back="", extra="Shuffle each epoch for SGD."), CardData("dl#c2", CLOZE, back="")])
    app = SrsApp(store, Scope(), clock=clock, zone=timezone.utc)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        text = screen_text(app)
        assert "The default of [...] in DataLoader is False." in text
        assert "loader = DataLoader(ds, [...]=True)" in text
        assert "shuffle" not in text and "{{" not in text and "Shuffle each epoch" not in text
        await pilot.press("space")
        text = screen_text(app)
        assert "The default of shuffle in DataLoader is False." in text and "DataLoader(ds, shuffle=True)" in text
        assert "Shuffle each epoch for SGD." in text
        front = app.screen.query_one("#front", CardField).content
        assert isinstance(front, Highlighted)
        assert [text for text, marked in styled_runs(front, 90) if marked] == ["shuffle", "shuffle"]
        await pilot.press("3")
        await wait_until(pilot, on_card(app, 2))
        assert "The default of shuffle in DataLoader is [a bool]." in screen_text(app)


async def test_cloze_text_is_never_markup_or_html(make_store, clock) -> None:
    hostile = "[bold]x[/] <b>y</b> {{c1::[@click=app.quit]::[red]}} [/]"
    store = make_store([CardData("h#c1", hostile, back="")])
    app = SrsApp(store, Scope(), clock=clock, zone=timezone.utc)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        assert "[bold]x[/]" in screen_text(app) and "[[red]] [/]" in screen_text(app)
        await pilot.press("space")
        assert "[@click=app.quit] [/]" in screen_text(app)
        await pilot.click("#front")
        assert app.is_running


async def test_reversed_card_asks_from_the_back(make_store, clock) -> None:
    store = make_store([CardData("fn#rev", "`optimizer.zero_grad()`", back="Which call zeroes gradients?")])
    app = SrsApp(store, Scope(), clock=clock, zone=timezone.utc)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        assert "optimizer.zero_grad()" in screen_text(app) and "Which call" not in screen_text(app)
        await pilot.press("space")
        assert "Which call zeroes gradients?" in screen_text(app)
