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
    async with app.run_test(size=(100, 60)) as pilot:
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


def with_a_quiz(store):
    from srs.quiz import QuizRun, plan_quiz

    plan = plan_quiz(store, 2, now=T0 - timedelta(hours=2))
    run = QuizRun(store, plan, now=T0 - timedelta(hours=2))
    for question, right in zip(plan.questions, (True, False)):
        run.record(question, right, 4000, False, Rating.GOOD if right else Rating.AGAIN, T0 - timedelta(hours=2) + timedelta(minutes=1))
    run.finish(T0 - timedelta(hours=2) + timedelta(minutes=2))
    return store


async def stats_open(app: SrsApp, pilot) -> str:
    await wait_until(pilot, decks_loaded(app))
    await pilot.press("t")
    await wait_until(pilot, lambda: isinstance(app.screen, StatsScreen) and app.screen.figures is not None)
    await pilot.pause()
    return "\n".join(line.rstrip() for line in screen_text(app).splitlines())


async def test_stats_screen_lists_quizzes_and_dates_the_forecast(make_store, clock) -> None:
    app = SrsApp(with_a_quiz(collection(make_store)), clock=clock, zone=UTC)
    async with app.run_test(size=(100, 120)) as pilot:
        text = await stats_open(app, pilot)
        assert "Quizzes  1 taken · average score 50.0%" in text
        assert "2026-03-02" in text and "50.0%" in text
        # the forecast: columns over dates, today's first (a0 is due tomorrow)
        lines = text.splitlines()
        (labels,) = [line for line in lines if "03-02" in line and "03-04" in line]
        axis = lines[lines.index(labels) - 1]
        assert axis.strip().startswith("0└┬")
        bars = lines[lines.index(labels) - 2]
        first = labels.index("03-02")
        assert axis[first] == "┬"  # today's label under today's tick
        due = [day["due"] for day in app.screen.figures["forecast"]["days"]]
        assert any(due)
        for day, count in enumerate(due):  # 3 columns a day at this width: each day's bar over its own column
            assert (bars[first + 3 * day] != " " if first + 3 * day < len(bars) else False) == (count > 0), day
        assert labels[first + 6 : first + 11] == "03-04" and axis[first + 6] == "┬"
        assert "Streak  current 2 days" in text


async def test_stats_screen_reads_at_sixty_columns(make_store, clock) -> None:
    app = SrsApp(collection(make_store), clock=clock, zone=UTC)
    async with app.run_test(size=(60, 120)) as pilot:
        text = await stats_open(app, pilot)
        lines = text.splitlines()
        (header,) = [line for line in lines if "State" in line]
        assert header.split() == ["State", "Cards", "Flag", "Cards"]
        cards = lines[lines.index(header) : lines.index(header) + 8]
        assert any(line.split() == ["Relearning", "0"] for line in cards) and "…" not in "".join(cards)
        assert any(line.split()[:2] == ["Suspended", "0"] or line.split()[2:] == ["Suspended", "0"] for line in lines)
        assert "No quiz yet" in text and "…" not in text and "Retention" in text and "red: weak topic" in text


def test_snapshot_stats(make_store, clock, snap_compare) -> None:
    app = SrsApp(collection(make_store), clock=clock, zone=UTC)

    async def opened(pilot) -> None:
        await wait_until(pilot, decks_loaded(app))
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, StatsScreen) and app.screen.figures is not None)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=opened)
