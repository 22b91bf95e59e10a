"""The end of a session: what was done, and when the next card is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from srs.tui.text import duration, plain, when
from srs.tui.widgets.key_bar import KeyBar


@dataclass(frozen=True)
class Summary:
    """What a review session did."""

    scope: str
    answers: int
    again: int
    seconds: float
    buried: int
    suspended: int
    next_due: datetime | None
    now: datetime
    zone: tzinfo

    @property
    def again_rate(self) -> float:
        """Share of answers that were Again (0 when nothing was answered)."""
        return self.again / self.answers if self.answers else 0.0


def summary_content(summary: Summary) -> Content:
    """The body of the done screen."""
    title = "Congratulations! You have finished for now." if summary.answers else "Nothing to study right now."
    lines: list[Content | str] = [Content.styled(title, "bold $success"), "\n\n", plain(summary.scope, "bold"), "\n\n"]
    lines.append(f"Cards answered   {summary.answers}\n")
    lines.append(f"Again rate       {summary.again_rate:.0%}" + (f" ({summary.again} of {summary.answers})" if summary.answers else "") + "\n")
    lines.append(f"Time spent       {duration(summary.seconds)}\n")
    if summary.buried or summary.suspended:
        lines.append(f"Buried           {summary.buried}\nSuspended        {summary.suspended}\n")
    if summary.next_due is None:
        lines.append("\nNo card is scheduled yet.")
    else:
        lines.append(f"\nNext card due {when(summary.next_due, summary.now, summary.zone)}.")
    return Content.assemble(*lines)


class DoneScreen(Screen[None]):
    """Shown when the queue is empty."""

    BINDINGS = [
        Binding("enter,q,escape", "back", "Decks"),
        Binding("question_mark", "help", "Help"),
    ]
    KEY_HELP = {"back": "Back to the deck list", "help": "Show every key"}

    def __init__(self, summary: Summary) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Center(id="done-center"):
            with Vertical(id="done-box"):
                yield Static(summary_content(self.summary), id="done-summary")
        yield KeyBar()

    def action_back(self) -> None:
        self.app.back_to_decks()

    def action_help(self) -> None:
        self.app.show_help()
