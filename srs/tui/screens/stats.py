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
from textual.widgets import Footer, Static

from srs.stats import MATURE_DAYS, compute_stats, heat_level
from srs.storage import Store
from srs.tui.jobs import JobFailed, start_job
from srs.tui.text import duration, plain

BARS = "▁▂▃▄▅▆▇█"
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


def forecast_text(forecast: dict) -> Text:
    """Due cards for the next 30 days as one line of bars, with the totals."""
    counts = [day["due"] for day in forecast["days"]]
    top = max(counts, default=0)
    bars = "".join(BARS[min(len(BARS) - 1, (len(BARS) * n - 1) // top)] if n and top else " " for n in counts)
    text = Text("Due  ", style="bold")
    text.append(bars, style="green")
    text.append(f"  today {counts[0] if counts else 0} (overdue {forecast['overdue']}) · 7 days {forecast['next_7']} · 30 days {forecast['next_30']}")
    return text


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
    lines = []
    for weekday, row in enumerate(grid):
        line = Text("Mon Tue Wed Thu Fri Sat Sun".split()[weekday] + " ", style="dim")
        for count in row:
            level = 0 if count is None else heat_level(count, top)
            line.append(" " if count is None else HEAT_CHARS[level], style=HEAT_STYLES[level])
        lines.append(line)
    lines.append(Text("    less " + HEAT_CHARS + " more", style="dim"))
    return Group(*lines)


def stats_renderable(figures: dict) -> Group:
    """Every section of ``compute_stats`` output."""
    today, cards, streak, memory = figures["today"], figures["cards"], figures["streak"], figures["memory"]
    parts: list = [
        table("Today", ["Answers", "Cards", "New", "Time", "Again rate"],
              [[str(today["reviews"]), str(today["cards"]), str(today["new_seen"]), duration(today["time_ms"] / 1000), pct(today["again_rate"])]],
              labelled=False),
        Text(),
        table("Cards", ["Total", "New", "Learning", "Review", "Relearning", "Young", "Mature", "Suspended", "Buried", "Leeches"],
              [[str(cards[key]) for key in ("total", "new", "learning", "review", "relearning", "young", "mature", "suspended", "buried", "leeches")]],
              labelled=False),
        Text(),
        forecast_text(figures["forecast"]),
        Text(),
        table(f"True retention (mature: interval ≥ {MATURE_DAYS} days)", ["Period", "Young", "Mature", "Total", "Answers"],
              [[f"last {window[:-1]} days", pct(cells["young"]["retention"]), pct(cells["mature"]["retention"]), pct(cells["total"]["retention"]),
                str(cells["total"]["passed"] + cells["total"]["failed"])] for window, cells in figures["retention"].items()]),
        Text(),
        Text.assemble(("Streak  ", "bold"), f"current {streak['current']} days · longest {streak['longest']} days · "
                      f"studied on {streak['days_studied']} of the last {len(streak['history'])} days"),
        calendar(streak["history"]),
        Text(),
        table("Topics (answers and retention over the period; recall: mean predicted now)",
              ["Topic", "Cards", "Studied", "Answers", "Retention", "Recall", ""],
              [[topic["title"], str(topic["cards"]), str(topic["studied"]), str(topic["reviews"]), pct(topic["retention"]),
                pct(topic["mean_retrievability"]), "weak" if topic["weak"] else ""] for topic in figures["topics"]]),
        Text(),
        Text.assemble(("Memory  ", "bold"), f"average predicted recall {pct(memory['average_retrievability'])} over {memory['cards']} studied cards; "
                      f"{memory['known_90']} known at 90% or better"),
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
        yield Footer()

    def on_mount(self) -> None:
        store, now, zone, deck = self.app.store, self.app.clock(), self.app.zone, self.deck
        start_job(self, lambda: self.Loaded(load_stats(store, now, zone, deck)), group="stats")

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        self.figures = message.figures
        self.query_one("#stats-figures", Static).update(stats_renderable(message.figures))

    @on(JobFailed)
    def _failed(self, message: JobFailed) -> None:
        self.query_one("#stats-figures", Static).update(Content(f"Could not compute the statistics: {message.error}"))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        self.app.show_help()
