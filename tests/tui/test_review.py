"""The review screen: reveal, ratings, undo, bury, suspend, learning cards, leeches, and card text safety."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from srs.model import Rating, Scope, State
from srs.review import find_card
from srs.settings import set_value
from srs.storage import review_store
from srs.tui.app import SrsApp
from srs.tui.screens import review as review_module
from srs.tui.screens.done import DoneScreen
from srs.tui.screens.review import ReviewScreen
from srs.tui.text import clean
from tests.tui.conftest import SIZE, T0, CardData, new_cards, screen_text, wait_until

UTC = timezone.utc


def review_app(store, clock, scope: Scope = Scope()) -> SrsApp:
    return SrsApp(store, scope, clock=clock, zone=UTC)


def on_card(app: SrsApp, serial: int = 1):
    """A condition: the review screen shows its ``serial``-th card, question side."""
    return lambda: isinstance(app.screen, ReviewScreen) and app.screen.card_serial >= serial and app.screen.phase == "question"


def current_uid(app: SrsApp) -> str:
    card = app.screen.step.card
    assert card is not None
    return card.uid


def history(store, uid: str) -> list[tuple]:
    with store.read() as conn:
        return review_store.card_history(conn, find_card(store, uid).id)


async def test_space_reveals_the_back_extra_and_the_intervals(make_store, clock) -> None:
    store = make_store([CardData("c0", "What is **rank**?", "The number of axes.", extra="Scalars have rank 0.")])
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        text = screen_text(app)
        assert "What is rank?" in text and "number of axes" not in text and "Scalars" not in text and "1 + 0 + 0" in text
        await wait_until(pilot, lambda: "Show answer  space" in screen_text(app))  # a moment after the first card
        await pilot.press("space")
        text = screen_text(app)
        assert "The number of axes." in text and "Scalars have rank 0." in text
        assert "1 Again  1m" in text and "3 Good  10m" in text and "Show answer  space" not in text
        assert app.screen.phase == "answer"


async def test_the_footer_names_what_space_does_on_each_side(make_store, clock) -> None:
    store = make_store(new_cards(2))
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        footer = screen_text(app).splitlines()[-1]
        assert "space Show answer" in footer and "Good" not in footer
        await pilot.press("space")
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert "space Good" in footer and "Show answer" not in footer
        await pilot.press("space")
        await wait_until(pilot, on_card(app, 2))
        (entry,) = history(store, "c0")
        assert entry[1] == Rating.GOOD
        assert "space Show answer" in screen_text(app).splitlines()[-1]


@pytest.mark.parametrize("width", [60, 100, 200])
async def test_cards_keep_a_reading_width_centred_on_wide_terminals(make_store, clock, width: int) -> None:
    store = make_store([CardData("w0", "word " * 200)])
    app = review_app(store, clock)
    async with app.run_test(size=(width, 30), notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        card = app.screen.query_one("#review-card").region
        assert card.width == min(100, width - 2)
        left, right = card.x, width - card.right
        assert abs(left - right) <= 1
        widest = max(len(line.rstrip()) for line in screen_text(app).splitlines()[2:-4])
        assert widest <= card.right


async def test_a_card_keeps_its_width_when_its_answer_side_needs_a_scrollbar(make_store, clock) -> None:
    # The back is longer than the view: the scrollbar comes with the reveal. Without the view's stable gutter the
    # front was laid out again two columns narrower a frame after it was drawn (and reflowed).
    store = make_store([CardData("s0", "word " * 60, "\n\n".join(f"line {n}" for n in range(40)))])
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        front = app.screen.query_one("#front")
        width = front.region.width
        await wait_until(pilot, lambda: "Show answer  space" in screen_text(app))
        await pilot.press("space")
        await pilot.pause()
        assert app.screen.query_one("#review-card").show_vertical_scrollbar
        assert front.region.width == width


@pytest.mark.parametrize("rating", list(Rating))
async def test_each_rating_is_saved_with_its_duration(make_store, clock, rating: Rating) -> None:
    store = make_store(new_cards(2))
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        assert current_uid(app) == "c0"
        await pilot.press("enter")
        clock.advance(seconds=7)
        await pilot.press(str(int(rating)))
        await wait_until(pilot, on_card(app, 2))
        (entry,) = history(store, "c0")
        assert entry[1] == rating and entry[2] == clock.now and entry[3] == 7000
        assert current_uid(app) == "c1"
        assert app.screen.answers == {entry[0]: (rating, 7000)}


async def test_rating_buttons_are_clickable(make_store, clock) -> None:
    store = make_store(new_cards(2))
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        await wait_until(pilot, lambda: bool(app.screen.query("#show-answer")))  # a moment after the first card
        await pilot.click("#show-answer")
        assert app.screen.phase == "answer"
        await pilot.click("#rate-2")
        await wait_until(pilot, on_card(app, 2))
        assert history(store, "c0")[0][1] == Rating.HARD


async def test_keys_before_the_reveal_do_not_answer(make_store, clock) -> None:
    store = make_store(new_cards(1))
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        await pilot.press("3", "4")
        await pilot.pause(0.05)
        assert history(store, "c0") == [] and app.screen.phase == "question"


async def test_undo_brings_the_card_back_and_drops_the_answer(make_store, clock) -> None:
    store = make_store(new_cards(3))
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        await pilot.press("space", "3")
        await wait_until(pilot, on_card(app, 2))
        assert current_uid(app) == "c1" and len(history(store, "c0")) == 1
        await pilot.press("u")
        await wait_until(pilot, on_card(app, 3))
        assert current_uid(app) == "c0"
        assert history(store, "c0") == [] and find_card(store, "c0").memory.state == State.NEW
        assert app.screen.answers == {} and app.screen.step.counts.new == 3
        await wait_until(pilot, lambda: "Undid Good" in screen_text(app))


async def test_undo_with_nothing_answered_says_so(make_store, clock) -> None:
    store = make_store(new_cards(1))
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        await pilot.press("u")
        await pilot.pause(0.05)
        await wait_until(pilot, lambda: "Nothing to undo" in screen_text(app))
        assert current_uid(app) == "c0"


async def test_bury_hides_the_card_until_tomorrow(make_store, clock) -> None:
    store = make_store(new_cards(2))
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        await pilot.press("b")
        await wait_until(pilot, on_card(app, 2))
        assert current_uid(app) == "c1" and app.screen.step.counts.new == 1
        buried = find_card(store, "c0")
        assert buried.buried_until == T0.replace(hour=4) + timedelta(days=1) and history(store, "c0") == []


async def test_suspend_removes_the_card(make_store, clock) -> None:
    store = make_store(new_cards(2))
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        await pilot.press("space", "s")
        await wait_until(pilot, on_card(app, 2))
        assert current_uid(app) == "c1" and find_card(store, "c0").suspended
        await wait_until(pilot, lambda: "Card suspended" in screen_text(app))


async def test_a_learning_card_comes_back_when_due(make_store, clock) -> None:
    store = make_store(new_cards(2))
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        await pilot.press("space", "1")  # c0: Again -> learning, due in 1 minute
        await wait_until(pilot, on_card(app, 2))
        assert current_uid(app) == "c1"
        assert app.screen.step.counts.learning == 1
        clock.advance(minutes=2)
        await pilot.press("space", "3")  # c1: Good -> learning, due in 10 minutes; c0 is due now
        await wait_until(pilot, on_card(app, 3))
        assert current_uid(app) == "c0" and app.screen.step.state == State.LEARNING


async def test_waiting_for_a_learning_card_then_it_returns_by_itself(make_store, clock, monkeypatch) -> None:
    monkeypatch.setattr(review_module, "WAIT_POLL_SECONDS", 0.05)
    store = make_store(new_cards(1))
    set_value(store, "learning_steps", "30m 1h")
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        await pilot.press("space", "1")  # due in 30 minutes: beyond the 20 minutes Anki learns ahead
        await wait_until(pilot, lambda: app.screen.phase == "waiting")
        assert "comes back in 10m (12:10)" in screen_text(app)
        clock.advance(minutes=11)
        await wait_until(pilot, on_card(app, 2))
        assert current_uid(app) == "c0"


async def test_the_last_answer_leads_to_the_done_screen(make_store, clock) -> None:
    store = make_store(new_cards(1))
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        await pilot.press("space", "4")
        await wait_until(pilot, lambda: isinstance(app.screen, DoneScreen))
        assert app.screen.summary.answers == 1


async def test_a_leech_is_announced_with_its_text_literally(make_store, clock) -> None:
    due = {"state": 2, "stability": 5.0, "fsrs_difficulty": 5.0, "due": T0 - timedelta(days=1), "last_review": T0 - timedelta(days=6), "reps": 12, "lapses": 7}
    store = make_store([CardData("l0", "[bold]leech[/] [@click=app.quit]", state=due)])
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        await pilot.press("space", "1")
        await wait_until(pilot, lambda: isinstance(app.screen, DoneScreen))
        card = find_card(store, "l0")
        assert card.leech and card.suspended
        (note,) = [n for n in app._notifications if n.title.startswith("Leech")]
        assert note.message == "[bold]leech[/] [@click=app.quit]" and not note.markup
        await wait_until(pilot, lambda: "[bold]leech[/] [@click=app.quit]" in screen_text(app))


MARKUP = ["[bold]", "[/]", "[@click=app.quit]", "x[/]"]


async def test_card_text_is_never_markup(make_store, clock) -> None:
    cards = [
        CardData("m0", "front [bold] and [/] and [@click=app.quit] and x[/]", back="back [@click=app.quit] x[/]",
                 extra="extra [bold]x[/] [/]", deck="[b]Deck[/b]", tags=("[red]",)),
        CardData("m1", "[/]", back="[bold]", deck="[b]Deck[/b]"),
        CardData("m2", "link [x[/]](@click=app.quit) code `[bold]y[/]` :smile:", deck="[b]Deck[/b]"),
    ]
    store = make_store(cards)
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        text = screen_text(app)
        assert "front [bold] and [/] and [@click=app.quit] and x[/]" in text
        assert "[b]Deck[/b]" in text and "[red]" in text
        await pilot.click("#front")
        await pilot.press("space")
        text = screen_text(app)
        assert "back [@click=app.quit] x[/]" in text and "extra [bold]x[/] [/]" in text
        await pilot.click("#back")
        await pilot.press("3")
        await wait_until(pilot, on_card(app, 2))
        await pilot.press("space")
        text = screen_text(app)
        assert "[/]" in text and "[bold]" in text
        await pilot.press("3")
        await wait_until(pilot, on_card(app, 3))
        text = screen_text(app)
        assert "link x[/] (@click=app.quit) code [bold]y[/] :smile:" in text
        await pilot.click("#front")
        assert app.is_running and app.return_code is None


async def test_html_in_card_text_shows_as_written(make_store, clock) -> None:
    hostile = "<script>alert('x')</script><img src=x onerror=alert(1)> & < >"
    cards = [
        CardData("h0", hostile, back="a<b>c and <div>inline</div>", extra="<div>\nblock [bold]x[/]\n</div>"),
        CardData("h1", "**bold** `<b>` <https://pytorch.org>\n\n```python\nx = a<b>c\n```", back="<!-- note -->"),
    ]
    store = make_store(cards)
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        assert hostile in screen_text(app)
        await pilot.press("space")
        text = screen_text(app)
        assert "a<b>c and <div>inline</div>" in text
        assert "<div>" in text and "block [bold]x[/]" in text and "</div>" in text
        await pilot.press("3")
        await wait_until(pilot, on_card(app, 2))
        await pilot.press("space")
        text = screen_text(app)
        # Markdown still renders: no asterisks or backticks, the code block keeps its text, links are text.
        assert "bold <b> https://pytorch.org" in text and "**" not in text and "`" not in text
        assert "x = a<b>c" in text and "<!-- note -->" in text


async def test_control_and_bidi_characters_never_reach_the_terminal(make_store, clock) -> None:
    nasty = "red\x1b[31m alert\x07 \x9b2J bidi\u202egnp.exe\u2066 nul\x00 del\x7f"
    store = make_store([CardData("x0", nasty, back="line one\r\nline two\x1b]0;title\x07", deck="Te\x1bst")])
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        await pilot.press("space")
        text = screen_text(app)
        for bad in ("\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\x00", "\x7f", "\r"):
            assert bad not in text
        assert "red[31m alert 2J bidignp.exe nul del" in text and "line one" in text and "line two]0;title" in text
        assert "Test" in text


def test_clean_keeps_newlines_and_tabs_and_drops_controls() -> None:
    assert clean("a\tb\nc\r\nd\x1b[0m\x85\u202a\u2069e") == "a\tb\nc\nd[0me"
    for text in MARKUP:
        assert clean(text) == text


def test_snapshot_question_side(make_store, clock, snap_compare) -> None:
    store = make_store([CardData("s0", "What does `x.view(-1)` need?\n\n```python\nx = torch.zeros(2, 3).t()\nx.view(-1)  # error\n```",
                                 back="A **contiguous** tensor.", extra="Use `x.reshape(-1)` instead.", difficulty="hard")] + new_cards(3))
    app = review_app(store, clock)

    async def ready(pilot) -> None:
        await wait_until(pilot, on_card(app))

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_snapshot_answer_side(make_store, clock, snap_compare) -> None:
    store = make_store([CardData("s0", "What does `x.view(-1)` need?", back="A **contiguous** tensor.", extra="Use `x.reshape(-1)` instead.",
                                 difficulty="easy")] + new_cards(3))
    app = review_app(store, clock)

    async def revealed(pilot) -> None:
        await wait_until(pilot, on_card(app))
        await pilot.press("space")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=revealed)


def test_snapshot_waiting_for_a_learning_card(make_store, clock, snap_compare) -> None:
    store = make_store(new_cards(1))
    set_value(store, "learning_steps", "30m 1h")
    app = review_app(store, clock)

    async def waiting(pilot) -> None:
        await wait_until(pilot, on_card(app))
        await pilot.press("space", "1")
        await wait_until(pilot, lambda: app.screen.phase == "waiting")
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=waiting)


async def test_burying_a_new_card_makes_room_for_another_within_the_daily_limit(make_store, clock) -> None:
    store = make_store(new_cards(3))
    set_value(store, "new_per_day", "2")
    app = review_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, on_card(app))
        assert app.screen.step.counts.new == 2
        await pilot.press("b")  # c0 buried: c1 and, once the queue is rebuilt, c2
        await wait_until(pilot, on_card(app, 2))
        await pilot.press("space", "4")
        await wait_until(pilot, on_card(app, 3))
        assert current_uid(app) == "c2"
        await pilot.press("space", "4")
        await wait_until(pilot, lambda: isinstance(app.screen, DoneScreen))
        assert app.screen.summary.answers == 2 and app.screen.summary.buried == 1
