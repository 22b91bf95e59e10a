"""``srs simulate``: forecast daily reviews and cards known, from the cards' current states, with a terminal chart."""

from __future__ import annotations

import json
import os
import shutil
import sys
from typing import Annotated

import typer

from srs import optimize as opt
from srs.cli.app import DbOption, JsonOption, app, echo, open_collection, wants_json


@app.command()
def simulate(
    days: Annotated[int, typer.Option("--days", help="How many days to simulate.")] = 365,
    new_per_day: Annotated[int | None, typer.Option("--new-per-day", help="New cards introduced per day (default: the new_per_day setting).", show_default=False)] = None,
    retention: Annotated[float | None, typer.Option("--retention", help="Desired retention to simulate, 0.7-0.99 (default: each deck's setting).", show_default=False)] = None,
    deck: Annotated[str | None, typer.Option("--deck", help="Simulate only this deck and its subdecks.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Forecast your daily reviews and how many cards you will know, studying every day from today."""
    with open_collection(db) as store:
        result = opt.forecast(store, days=days, new_per_day=new_per_day, retention=retention, deck=deck)
    if wants_json(as_json):
        echo(json.dumps({
            "days": result.days, "retention": result.retention, "new_per_day": result.new_per_day,
            "answered_cards": result.answered_cards, "new_cards": result.new_cards, "runs": result.runs,
            "reviews_per_day": [round(v, 2) for v in result.reviews], "new_per_day_learned": [round(v, 2) for v in result.learned],
            "minutes_per_day": [round(v, 2) for v in result.minutes], "known_per_day": [round(v, 2) for v in result.known],
        }, indent=2))
        return
    _summary(result)
    echo(_chart(result))


def _average(values, start: int, end: int) -> float:
    part = values[start:end]
    return sum(part) / len(part) if part else 0.0


def _summary(result: opt.Forecast) -> None:
    retention = f"desired retention {result.retention:.2f}" if result.retention is not None else "each deck's desired retention"
    echo(f"{result.days} days from today: {result.answered_cards:,} answered cards and {result.new_cards:,} new ones "
         f"at {result.new_per_day} a day, {retention}; mean of {result.runs} simulated runs.")
    answers = [r + n for r, n in zip(result.reviews, result.learned)]
    peak_day = max(range(len(answers)), key=answers.__getitem__)
    spans = [(label, end) for label, end in (("first week", 7), ("first month", 30)) if end < result.days]
    parts = [f"{label} {_average(answers, 0, end):.0f}" for label, end in spans] + [f"all {result.days} days {_average(answers, 0, result.days):.0f}"]
    echo(f"  answers/day: {', '.join(parts)}; busiest day {peak_day + 1} with {answers[peak_day]:.0f}")
    echo(f"  study time: {_average(result.minutes, 0, result.days):.1f} min/day on average "
         f"(from answer times in your log, else fsrs-rs' defaults)")
    echo(f"  cards known (expected recall): {result.known[0]:,.0f} on day 1, {result.known[-1]:,.0f} on day {result.days}")


def _day_ticks(days: int) -> list[int]:
    step = next((step for step in (1, 2, 5, 7, 10, 14, 30, 60, 90, 180, 365, 730) if days / step <= 8), 1460)
    return [1] + list(range(step, days + 1, step))


def _panel(panel, x: list[int], series: list[tuple[list[float], str]], title: str) -> None:
    for values, label in series:
        signal = panel.signal(x, values)
        signal.lines()
        signal.label(label)
        panel.draw(signal)
    top = max((max(values) for values, _ in series), default=0)
    panel.legend(x=x[-1], y=top, ha="right", va="top", relative=True)  # the busy start stays visible
    panel.ruler("x").ticks(_day_ticks(len(x)))
    panel.title(title)


def _chart(result: opt.Forecast) -> str:
    import plotext  # imported here: it costs every other command ~0.15 s of start-up

    width, height = shutil.get_terminal_size((100, 40))
    x = list(range(1, result.days + 1))
    figure = plotext.figure
    figure.clear()
    figure.subplots(2, 1)
    _panel(figure.subplot(1, 1), x, [(list(result.reviews), "reviews"), (list(result.learned), "new cards")], "Answers per day")
    _panel(figure.subplot(2, 1), x, [(list(result.known), "cards known")], "Cards known (expected recall)")
    figure.subplot(2, 1).label("day", "x")
    figure.plot_size(min(width, 120), max(20, min(height - 6, 40)))
    return figure.build().string(colorless=not colour_wanted())


def colour_wanted() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")
