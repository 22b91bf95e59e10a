"""Progress statistics (``srs.stats.compute_stats``, the figures of ``srs stats``) for a deck or all decks."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from srs.charts import column_chart, month_header
from srs.stats import MATURE_DAYS, compute_stats, heat_level
from srs.text import plural
from srs.storage import Store
from srs.tui.jobs import JobFailed, start_job
from srs.tui.text import duration, plain
from srs.tui.widgets.key_bar import KeyBar

HEAT_CHARS = "·░▒▓█"
HEAT_STYLES = ("grey35", "green4", "green3", "green1", "bright_green")
CALENDAR_WEEKS = 26  # half a year fits 80 columns


def pct(value: float | None) -> str:
    """0.873 -> '87.3%'; None -> '-'."""
    return "-" if value is None else f"{value * 100:.1f}%"


def table(title: str, columns: list[str], rows: list[list[str]], labelled: bool = True) -> Table:
    """A compact table of figures (cells are plain Text: nothing here is parsed as markup)."""
    out = Table(title=Text(title, style="bold"), title_justify="left", box=None, padding=(0, 2, 0, 0), header_style="bold dim")
    for i, column in enumerate(columns):
        out.add_column(Text(column), justify="left" if labelled and i == 0 else "right")
    for row in rows:
        out.add_row(*(Text(cell) for cell in row))
    return out


def forecast_chart(forecast: dict, width: int) -> Group:
    """Due cards per day for the next 30 days as columns over their dates, with the totals."""
    days = forecast["days"]
    counts = [day["due"] for day in days]
    title = Text.assemble(("Due  ", "bold"), f"today {counts[0] if counts else 0} (overdue {forecast['overdue']}) · "
                          f"7 days {forecast['next_7']} · 30 days {forecast['next_30']}")
    if not any(counts):
        return Group(title, Text(f"No cards due in the next {len(counts)} days.", style="dim"))
    chart = column_chart(counts, date.fromisoformat(days[0]["date"]), width, height=6)
    lines = [title, *(Text.assemble((row[: chart.margin], "dim"), (row[chart.margin :], "green")) for row in chart.rows)]
    lines += [Text(chart.axis, style="dim"), Text(chart.labels, style="dim")]
    if chart.days_shown < len(counts):
        lines.append(Text(f"(the first {chart.days_shown} days: a wider window shows all {len(counts)})", style="dim"))
    return Group(*lines)


def cards_table(cards: dict) -> Table:
    """Cards by state beside cards by flag: four narrow columns, readable at 60 columns."""
    states = ("total", "new", "learning", "review", "relearning", "young", "mature")
    flags = ("suspended", "buried", "leeches")
    rows = [[state.capitalize(), str(cards[state]), flags[i].capitalize() if i < len(flags) else "", str(cards[flags[i]]) if i < len(flags) else ""]
            for i, state in enumerate(states)]
    out = table("Cards", ["State", "Cards", "Flag", "Cards"], rows)
    out.columns[2].justify = "left"
    return out


def topics_table(topics: list[dict], width: int) -> Group:
    """One row per topic. Narrower than 70 columns: 'Seen' for 'Studied', one space between columns,
    and weak topics in red instead of a Weak column, so no figure is ever cut."""
    narrow = width < 70
    columns = ["Topic", "Cards", "Seen" if narrow else "Studied", "Answers", "Retention", "Recall"] + ([] if narrow else ["Weak"])
    rows = [[topic["title"], str(topic["cards"]), str(topic["studied"]), str(topic["reviews"]), pct(topic["retention"]),
             pct(topic["mean_retrievability"])] + ([] if narrow else ["weak" if topic["weak"] else "-"]) for topic in topics]
    out = table("Topics (answers and retention over the period; recall: mean predicted now)", columns, rows)
    out.columns[0].no_wrap = True
    if narrow:
        out.padding = (0, 1, 0, 0)
    for row, topic in zip(out.rows, topics):
        row.style = "bold red" if topic["weak"] else None
    return Group(out, Text("red: weak topic (recall or retention below the target)", style="dim")) if narrow else Group(out)


def quizzes_table(quizzes: dict) -> Group:
    """The quizzes taken (the last 10), as ``srs stats`` lists them."""
    shown = quizzes["history"][-10:]
    title = f"Quizzes  {quizzes['count']} taken · average score {pct(quizzes['average_score'])}" + (" (last 10)" if quizzes["count"] > 10 else "")
    if not shown:
        return Group(Text(title, style="bold"), Text("No quiz yet: z on the deck list starts one.", style="dim"))
    rows = [[quiz["started_at"][:10], str(quiz["answered"]), str(quiz["correct"]), pct(quiz["score"]),
             f"{duration(quiz['time_used_ms'] / 1000)} / {duration(quiz['budget_ms'] / 1000)}"] for quiz in shown]
    return Group(table(title, ["Date", "Questions", "Right", "Score", "Time / budget"], rows))


def calendar(history: list[dict], weeks: int = CALENDAR_WEEKS) -> Group:
    """The last ``weeks`` weeks of answers per day, Monday to Sunday in rows."""
    days = history[-weeks * 7 :]
    if not days:
        return Group()
    top = max(day["reviews"] for day in days)
    first = date.fromisoformat(days[0]["date"])
    start = first - timedelta(days=first.weekday())
    columns = (date.fromisoformat(days[-1]["date"]) - start).days // 7 + 1
    grid: list[list[int | None]] = [[None] * columns for _ in range(7)]
    for day in days:
        offset = (date.fromisoformat(day["date"]) - start).days
        grid[offset % 7][offset // 7] = day["reviews"]
    lines = [Text(month_header(start, columns), style="dim")]
    for weekday, row in enumerate(grid):
        line = Text("Mon Tue Wed Thu Fri Sat Sun".split()[weekday] + " ", style="dim")
        for count in row:
            level = 0 if count is None else heat_level(count, top)
            line.append(" " if count is None else HEAT_CHARS[level], style=HEAT_STYLES[level])
        lines.append(line)
    lines.append(Text("    less " + HEAT_CHARS + " more", style="dim"))
    return Group(*lines)


def stats_renderable(figures: dict, width: int = 100) -> Group:
    """Every section of ``compute_stats`` output, charts fitted to ``width`` columns."""
    today, cards, streak, memory = figures["today"], figures["cards"], figures["streak"], figures["memory"]
    parts: list = [
        table("Today", ["Answers", "Cards", "New", "Time", "Again rate"],
              [[str(today["reviews"]), str(today["cards"]), str(today["new_seen"]), duration(today["time_ms"] / 1000), pct(today["again_rate"])]],
              labelled=False),
        Text(),
        cards_table(cards),
        Text(),
        forecast_chart(figures["forecast"], width),
        Text(),
        table(f"True retention (mature: interval ≥ {MATURE_DAYS} days)", ["Period", "Young", "Mature", "Total", "Answers"],
              [[f"last {window[:-1]} days", pct(cells["young"]["retention"]), pct(cells["mature"]["retention"]), pct(cells["total"]["retention"]),
                str(cells["total"]["passed"] + cells["total"]["failed"])] for window, cells in figures["retention"].items()]),
        Text(),
        Text.assemble(("Streak  ", "bold"), f"current {plural(streak['current'], 'day')} · longest {plural(streak['longest'], 'day')} · "
                      f"studied on {streak['days_studied']} of the last {plural(len(streak['history']), 'day')}"),
        calendar(streak["history"]),
        Text(),
        topics_table(figures["topics"], width),
        Text(),
        Text.assemble(("Memory  ", "bold"), f"average predicted recall {pct(memory['average_retrievability'])} over {memory['cards']} studied cards; "
                      f"{memory['known_90']} known at 90% or better"),
        Text(),
        quizzes_table(figures["quizzes"]),
    ]
    return Group(*parts)


def load_stats(store: Store, now: datetime, zone: tzinfo, deck: str | None) -> dict:
    """``compute_stats`` (a few hundred ms at 100k cards: run it in a worker)."""
    return compute_stats(store, now=now, zone=zone, deck=deck)


class StatsScreen(Screen[None]):
    """Statistics for a deck (with subdecks) or for all decks."""

    BINDINGS = [
        Binding("t,q,escape", "back", "Decks"),
        Binding("question_mark", "help", "Help"),
    ]
    KEY_HELP = {"back": "Back to the deck list", "help": "Show every key"}

    class Loaded(Message):
        """The figures, computed off the UI thread."""

        def __init__(self, figures: dict) -> None:
            super().__init__()
            self.figures = figures

    def __init__(self, deck: str | None) -> None:
        super().__init__()
        self.deck = deck
        self.figures: dict | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("srs · stats · ", "bold"), plain(self.deck or "All decks", "bold")), id="stats-title")
        with VerticalScroll(id="stats-body"):
            yield Static(Content("Computing…"), id="stats-figures")
        yield KeyBar()

    def on_mount(self) -> None:
        store, now, zone, deck = self.app.store, self.app.clock(), self.app.zone, self.deck
        start_job(self, lambda: self.Loaded(load_stats(store, now, zone, deck)), group="stats")

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        self.figures = message.figures
        self._render_figures()

    def on_resize(self) -> None:
        # The forecast is fitted to the width: draw it again when the window changes size.
        if self.figures is not None:
            self.call_after_refresh(self._render_figures)

    def _render_figures(self) -> None:
        if self.figures is not None:
            width = self.query_one("#stats-body", VerticalScroll).scrollable_content_region.width
            self.query_one("#stats-figures", Static).update(stats_renderable(self.figures, max(20, min(width, 100))))

    @on(JobFailed)
    def _failed(self, message: JobFailed) -> None:
        self.query_one("#stats-figures", Static).update(Content(f"Could not compute the statistics: {message.error}"))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        self.app.show_help()
