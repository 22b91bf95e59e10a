"""``srs stats``: progress statistics as tables and terminal charts, or as JSON (schema in the README)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated

import typer

from srs.cli.app import DbOption, JsonOption, app, echo, open_collection, wants_json
from srs.charts import month_header
from srs.stats import DEFAULT_DAYS, MATURE_DAYS, compute_stats, heat_level
from srs.text import plural

HEAT_CHARS = "·░▒▓█"
HEAT_COLORS = ("grey35", "green4", "green3", "green1", "bright_green")


@app.command()
def stats(
    deck: Annotated[str | None, typer.Option("--deck", help="Only this deck (and its subdecks).")] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=36500, help="Days of review history to show (calendar, per-topic retention).")] = DEFAULT_DAYS,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show progress: today, cards, due forecast, true retention, streak and calendar, topics, memory."""
    with open_collection(db) as store:
        figures = compute_stats(store, deck=deck, days=days)
    if wants_json(as_json):
        echo(json.dumps(figures, indent=2))
        return
    render(figures, deck)


# ---- text rendering (rich tables, plotext bars) -------------------------------------------------


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _duration(ms: int) -> str:
    minutes, seconds = divmod(round(ms / 1000), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {seconds:02d}s"


def render(figures: dict, deck: str | None) -> None:
    """Print every section of ``compute_stats`` output to the terminal."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    today = figures["today"]
    console.print(f"[bold]srs stats[/bold] for {escape(deck) if deck else 'all decks'}, study day {today['date']}\n")
    for section in (_today_table, _cards_table, _retention_table):
        console.print(section(figures))
    console.print(_topics_table(figures, console.width))
    _print_forecast(console, figures["forecast"])
    _print_streak(console, figures["streak"])
    memory = figures["memory"]
    console.print(
        f"[bold]Memory[/bold]: average predicted recall now {_pct(memory['average_retrievability'])} "
        f"over {memory['cards']} studied cards; {memory['known_90']} known at 90% or better."
    )
    console.print(_quiz_table(figures["quizzes"]))


def _quiz_table(quizzes: dict):
    title = f"Quizzes: {quizzes['count']} taken, average score {_pct(quizzes['average_score'])}" + (" (last 10)" if quizzes["count"] > 10 else "")
    table = _table(title, "Date", "Questions", "Correct", "Score", "Time / budget", labelled=True)
    for quiz in quizzes["history"][-10:]:
        table.add_row(quiz["started_at"][:10], str(quiz["answered"]), str(quiz["correct"]), _pct(quiz["score"]),
                      f"{_duration(quiz['time_used_ms'])} / {_duration(quiz['budget_ms'])}")
    return table


def _table(title: str, *columns: str, labelled: bool = False):
    """A table of numbers; with ``labelled`` the first column holds row labels."""
    from rich.table import Table

    table = Table(title=title, title_justify="left", title_style="bold")
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if labelled and i == 0 else "right")
    return table


def _today_table(figures: dict):
    today = figures["today"]
    table = _table("Today", "Reviews", "Cards", "New seen", "Time", "Again rate")
    table.add_row(str(today["reviews"]), str(today["cards"]), str(today["new_seen"]), _duration(today["time_ms"]), _pct(today["again_rate"]))
    return table


def _cards_table(figures: dict):
    """Cards by state beside cards by flag: four columns, readable in a 60-column terminal."""
    cards = figures["cards"]
    states = ("total", "new", "learning", "review", "relearning", "young", "mature")
    flags = ("suspended", "buried", "leeches", "drafts", "retired")
    table = _table("Cards (states: not drafts or retired)", "State", "Cards", "Flag", "Cards", labelled=True)
    table.columns[2].justify = "left"
    for i, state in enumerate(states):
        flag = flags[i] if i < len(flags) else None
        table.add_row(state.capitalize(), str(cards[state]), flag.capitalize() if flag else "", str(cards[flag]) if flag else "")
    return table


def _retention_table(figures: dict):
    table = _table(f"True retention (mature: interval >= {MATURE_DAYS} days)", "Period", "Young", "Mature", "Total", "Answers", labelled=True)
    for window, cells in figures["retention"].items():
        total = cells["total"]
        table.add_row(f"last {window[:-1]} days", _pct(cells["young"]["retention"]), _pct(cells["mature"]["retention"]), _pct(total["retention"]),
                      str(total["passed"] + total["failed"]))
    return table


def _topics_table(figures: dict, width: int = 100):
    """One row per topic; below 76 columns without borders and with 'Seen' for 'Studied', so figures are never cut."""
    days = len(figures["streak"]["history"])
    title = f"Topics (answers, retention: last {days} days; recall: mean predicted now)"
    narrow = width < 76
    table = _table(title, "Topic", "Cards", "Seen" if narrow else "Studied", "Answers", "Retention", "Recall", "Weak", labelled=True)
    if narrow:
        table.box, table.padding, table.pad_edge = None, (0, 1, 0, 0), False  # one space between columns, no rules
    table.columns[0].no_wrap = True
    for topic in figures["topics"]:
        table.add_row(
            topic["topic"], str(topic["cards"]), str(topic["studied"]), str(topic["reviews"]), _pct(topic["retention"]),
            _pct(topic["mean_retrievability"]), "weak" if topic["weak"] else "-", style="bold red" if topic["weak"] else "",
        )
    return table


def _print_forecast(console, forecast: dict) -> None:
    from rich.text import Text

    from srs.charts import column_chart

    days = forecast["days"]
    counts = [day["due"] for day in days]
    console.print(f"[bold]Due[/bold]: {forecast['next_7']} in 7 days, {forecast['next_30']} in 30 days (today includes {forecast['overdue']} overdue)")
    if not any(counts):
        console.print(f"No cards due in the next {len(counts)} days.\n")
        return
    chart = column_chart(counts, date.fromisoformat(days[0]["date"]), min(100, console.width))
    for row in chart.rows:
        console.print(Text.assemble(row[: chart.margin], (row[chart.margin :], "green")), no_wrap=True, overflow="crop")
    console.print(chart.axis, no_wrap=True, overflow="crop")
    console.print(chart.labels, no_wrap=True, overflow="crop")
    if chart.days_shown < len(counts):
        console.print(f"(the first {chart.days_shown} days: widen the terminal for all {len(counts)})")
    console.print()


def _print_streak(console, streak: dict) -> None:
    from rich.text import Text

    history = streak["history"]
    top = max((day["reviews"] for day in history), default=0)
    first = date.fromisoformat(history[0]["date"])
    start = first - timedelta(days=first.weekday())  # columns are weeks starting on Monday
    weeks = (date.fromisoformat(history[-1]["date"]) - start).days // 7 + 1
    grid: list[list[int | None]] = [[None] * weeks for _ in range(7)]
    for day in history:
        offset = (date.fromisoformat(day["date"]) - start).days
        grid[offset % 7][offset // 7] = day["reviews"]
    console.print(f"[bold]Streak[/bold]: current {plural(streak['current'], 'day')}, longest {plural(streak['longest'], 'day')}; "
                  f"studied on {streak['days_studied']} of the last {plural(len(history), 'day')} (most in a day: {top})")
    console.print(Text(month_header(start, weeks)), no_wrap=True, overflow="crop")
    for weekday, row in enumerate(grid):
        line = Text("Mon Tue Wed Thu Fri Sat Sun".split()[weekday] + " ")
        for count in row:
            if count is None:
                line.append(" ")
            else:
                level = heat_level(count, top)
                line.append(HEAT_CHARS[level], style=HEAT_COLORS[level])
        console.print(line, no_wrap=True, overflow="crop")
    console.print(Text("    less " + HEAT_CHARS + " more\n"))
