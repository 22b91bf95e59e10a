"""The end of a quiz: the score, the breakdown by difficulty and by topic, and time used against the budget."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from srs.model import Rating
from srs.tui.text import clean, duration, plain
from srs.tui.widgets.key_bar import KeyBar

NAME_WIDTH = 26  # the label column of the breakdown tables


@dataclass(frozen=True)
class QuizOutcome:
    """What the summary screen shows: ``summary`` is ``QuizRun.finish``'s (or ``srs.quiz.summarize``'s) dict."""

    label: str
    planned: int
    summary: dict
    ratings: dict[Rating, int] = field(default_factory=dict)
    shortfalls: tuple[str, ...] = ()
    saved: bool = True

    @property
    def ended_early(self) -> bool:
        """Fewer answers than questions planned."""
        return self.summary["questions"] < self.planned


def percent(part: float, whole: float) -> str:
    """'75%', or '-' when there is nothing to divide by."""
    return f"{part / whole:.0%}" if whole else "-"


def breakdown(title: str, rows: dict[str, dict]) -> list[Content | str]:
    """A small table: name, right, asked, score (names are user text: cleaned, cut, never markup)."""
    lines: list[Content | str] = [Content.styled(title.ljust(NAME_WIDTH) + "Right".rjust(7) + "Asked".rjust(7) + "Score".rjust(7), "bold"), "\n"]
    for name, tally in rows.items():
        shown = clean(name).replace("\n", " ")
        shown = shown if len(shown) < NAME_WIDTH else shown[: NAME_WIDTH - 2] + "…"
        lines.append(plain(shown.ljust(NAME_WIDTH)))
        lines.append(f"{tally['correct']:>7}{tally['questions']:>7}{percent(tally['correct'], tally['questions']):>7}\n")
    return lines


def outcome_content(outcome: QuizOutcome) -> Content:
    """The body of the summary screen."""
    summary = outcome.summary
    asked = summary["questions"]
    if outcome.ended_early:
        title = f"Quiz ended early: {asked} of {outcome.planned} questions answered"
    else:
        title = f"Quiz finished: {asked} questions"
    lines: list[Content | str] = [Content.styled(title, "bold $success"), "\n", plain(outcome.label, "bold"), "\n\n"]
    if not asked:
        lines.append("No question was answered, so there is no score.\n")
    else:
        used, budget = summary["time_used_ms"] / 1000, summary["budget_ms"] / 1000
        lines += [
            Content.styled("Score       ", "bold"), f"{summary['correct']} of {asked} right ({percent(summary['correct'], asked)})\n",
            Content.styled("Timed out   ", "bold"), f"{summary['timed_out']}\n",
            Content.styled("Time used   ", "bold"), f"{duration(used)} of a {duration(budget)} budget ({percent(used, budget)})\n",
        ]
        if outcome.ratings:
            given = " · ".join(f"{rating.label} {outcome.ratings.get(rating, 0)}" for rating in Rating)
            lines += [Content.styled("Ratings     ", "bold"), given, "\n"]
        lines += ["\n", *breakdown("By difficulty", summary["by_difficulty"])]
        if summary["by_topic"]:
            lines += ["\n", *breakdown("By topic", summary["by_topic"])]
    for shortfall in outcome.shortfalls:
        lines += ["\n", Content.styled("Note: ", "bold $warning"), plain(shortfall)]
    if not outcome.saved:
        lines += ["\n", Content.styled("The quiz could not be closed in the collection; every answer given was saved.", "$warning")]
    return Content.assemble(*lines)


class QuizSummaryScreen(Screen[None]):
    """Shown when the last question is answered or the quiz is ended early."""

    BINDINGS = [
        Binding("enter,q,escape", "back", "Decks"),
        Binding("question_mark", "help", "Help"),
    ]
    KEY_HELP = {"back": "Back to the deck list", "help": "Show every key"}

    def __init__(self, outcome: QuizOutcome) -> None:
        super().__init__()
        self.outcome = outcome

    def compose(self) -> ComposeResult:
        with Center(id="quiz-summary-center"):
            with VerticalScroll(id="quiz-summary-box"):
                yield Static(outcome_content(self.outcome), id="quiz-summary")
        yield KeyBar()

    def action_back(self) -> None:
        self.app.back_to_decks()

    def action_help(self) -> None:
        self.app.show_help()
