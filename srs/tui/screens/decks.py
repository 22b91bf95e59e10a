"""Home: the deck tree with today's counts, what was studied today and the streak."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static, Tree

from srs.activity import Activity, today_activity
from srs.model import Scope
from srs.overview import DeckRow, deck_overview
from srs.remote.status import remote_status, status_line
from srs.review import Counts, build_queue
from srs.storage import Store
from srs.tui.jobs import JobFailed, start_job
from srs.tui.screens.quiz import QuizRequest
from srs.tui.screens.stats import StatsScreen
from srs.text import plural
from srs.tui.text import duration
from srs.tui.widgets.deck_tree import DeckHeader, DeckTree
from srs.tui.widgets.key_bar import KeyBar


@dataclass(frozen=True)
class DecksData:
    """Everything the deck list shows."""

    rows: list[DeckRow]
    totals: Counts
    activity: Activity
    remote: str | None = None  # last sync and events waiting, when a remote is set


def load_decks(store: Store, now: datetime, zone: tzinfo) -> DecksData:
    """Deck counts, today's totals (exactly what studying all decks would queue) and activity."""
    rows = deck_overview(store, now, zone)
    totals = build_queue(store, Scope(), now, zone).counts()
    return DecksData(rows, totals, today_activity(store, now, zone), status_line(remote_status(store), now))


def today_content(data: DecksData) -> Content:
    """The summary under the tree."""
    totals, activity = data.totals, data.activity
    answers = f" ({plural(activity.answers, 'answer')})" if activity.answers != activity.cards else ""
    return Content.assemble(
        ("Today  ", "bold"),
        (f"{totals.new} new", "$primary"), " · ", (f"{totals.learning} learning", "$error"), " · ", (f"{totals.review} due", "$success"),
        f"\nStudied {plural(activity.cards, 'card')}{answers} in {duration(activity.seconds)} today",
        "  ·  ", ("Streak ", "bold"), plural(activity.streak, "day"),
        *((f"\n{data.remote}",) if data.remote else ()),
    )


class DecksScreen(Screen[None]):
    """The deck list. Enter studies the deck under the cursor."""

    BINDINGS = [
        Binding("t", "stats", "Stats"),
        Binding("z", "quiz", "Quiz"),
        Binding("question_mark", "help", "Help"),
        Binding("q,escape", "app.quit", "Quit"),
    ]
    KEY_HELP = {
        "stats": "Statistics of the deck under the cursor (All decks: every deck)",
        "quiz": "Timed quiz (free recall) on the deck under the cursor",
        "help": "Show every key",
        "app.quit": "Quit srs",
    }

    class Loaded(Message):
        """Deck data read off the UI thread."""

        def __init__(self, data: DecksData) -> None:
            super().__init__()
            self.data = data

    def __init__(self) -> None:
        super().__init__()
        self.data: DecksData | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content.styled("srs · decks", "bold"), id="decks-title")
        yield DeckHeader(id="decks-header")
        yield DeckTree(id="decks-tree")
        yield Static(id="decks-empty")
        yield Static(id="decks-today")
        yield KeyBar()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the counts again in a thread worker (the deck list scans every live card)."""
        store, now, zone = self.app.store, self.app.clock(), self.app.zone
        start_job(self, lambda: self.Loaded(load_decks(store, now, zone)), group="decks")

    @on(JobFailed)
    def _failed(self, message: JobFailed) -> None:
        self.notify(message.error, title="Could not read the decks", severity="error", markup=False)

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        self.data = message.data
        tree = self.query_one(DeckTree)
        tree.load(message.data.rows, message.data.totals)
        empty = self.query_one("#decks-empty", Static)
        empty.display = not message.data.rows
        empty.update(Content("No decks yet. Add some with: srs sync PATH (a deck file or a folder of them)."))
        self.query_one("#decks-today", Static).update(today_content(message.data))

    @on(Tree.NodeSelected)
    def _study(self, event: Tree.NodeSelected) -> None:
        event.stop()
        line = event.node.data
        self.app.study(Scope(deck=line.deck if line else None))

    def action_stats(self) -> None:
        node = self.query_one(DeckTree).cursor_node
        self.app.push_screen(StatsScreen(node.data.deck if node is not None and node.data else None))

    def action_quiz(self) -> None:
        node = self.query_one(DeckTree).cursor_node
        self.app.quiz(QuizRequest(deck=node.data.deck if node is not None and node.data else None))

    def action_help(self) -> None:
        self.app.show_help()
