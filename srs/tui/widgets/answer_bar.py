"""The bottom bar: 'Show answer' on the question side, the four rating buttons with intervals after."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Button

from srs.model import Rating
from srs.scheduling import format_interval

VARIANTS = {Rating.AGAIN: "error", Rating.HARD: "warning", Rating.GOOD: "success", Rating.EASY: "primary"}


def rating_label(rating: Rating, interval: timedelta | None) -> Content:
    """'1 Again  10m': key, name and the interval that answer gives."""
    shown = format_interval(interval) if interval is not None else ""
    return Content.assemble((f"{int(rating)} ", "dim"), (rating.label, "bold"), "  ", shown)


class AnswerBar(Horizontal):
    """Clickable twin of the keys: space reveals, 1-4 answer."""

    class RevealPressed(Message):
        """'Show answer' was clicked."""

    class Rated(Message):
        """A rating button was clicked."""

        def __init__(self, rating: Rating) -> None:
            super().__init__()
            self.rating = rating

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._ratings = False
        self._show: Button | None = None

    def compose(self) -> ComposeResult:
        # Empty: the buttons are mounted by ``prepare_show`` and ``prepare_ratings`` once the first card is on
        # screen. Styling the first Button parses Textual's 7 KB of button CSS, and with the button laid out and
        # drawn that was ~10 ms of `srs review`'s cold start (bench/tui.py --cold-only); the keys work meanwhile.
        return []

    def prepare_show(self) -> None:
        """Mount 'Show answer', if not yet done."""
        if self._show is not None:
            return
        self._show = Button(Content.assemble(("Show answer", "bold"), ("  space", "dim")), id="show-answer")
        self._show.can_focus = False
        self.mount(self._show)

    def prepare_ratings(self) -> None:
        """Mount the (hidden) rating buttons, if not yet done: they are not composed with the bar, so the
        first card is on screen sooner."""
        if self._ratings:
            return
        self._ratings = True
        self.prepare_show()  # first, so it is mounted (and hidden by _show_ratings) before the ratings
        buttons = []
        for rating in Rating:
            button = Button(rating_label(rating, None), id=f"rate-{int(rating)}", variant=VARIANTS[rating], classes="rating")
            button.can_focus = False
            button.display = False
            buttons.append(button)
        self.mount(*buttons)

    def ask(self) -> None:
        """Question side: only 'Show answer'."""
        self._show_ratings(False)
        self.display = True

    def offer(self, intervals: Mapping[Rating, timedelta]) -> None:
        """Answer side: the four ratings, each with its interval."""
        self.prepare_ratings()
        for rating in Rating:
            self.query_one(f"#rate-{int(rating)}", Button).label = rating_label(rating, intervals.get(rating))
        self._show_ratings(True)
        self.display = True

    def _show_ratings(self, shown: bool) -> None:
        # Inline display, not a class on the bar: a class change would restyle all five buttons.
        if self._show is not None:
            self._show.display = not shown
        for button in self.query(".rating"):
            button.display = shown

    @on(Button.Pressed, "#show-answer")
    def _reveal_clicked(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.RevealPressed())

    @on(Button.Pressed, ".rating")
    def _rating_clicked(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Rated(Rating(int(event.button.id.removeprefix("rate-")))))
