"""The quiz's bottom bar: 'Show answer'; then 'Right' / 'Wrong'; then the four ratings (the chosen one lit) and 'Next'."""

from __future__ import annotations

from datetime import timedelta

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Button

from srs.model import Rating
from srs.tui.widgets.answer_bar import VARIANTS, rating_label


def _button(label: Content, id: str, variant: str = "default", classes: str = "") -> Button:
    button = Button(label, id=id, variant=variant, classes=classes)
    button.can_focus = False  # keys belong to the screen; Enter must never press a button by accident
    return button


class QuizBar(Horizontal):
    """Clickable twin of the quiz keys. ``ask``, ``grade`` and ``rate`` set what it offers."""

    class RevealPressed(Message):
        """'Show answer' was clicked."""

    class Graded(Message):
        """'Right' or 'Wrong' was clicked."""

        def __init__(self, correct: bool) -> None:
            super().__init__()
            self.correct = correct

    class Chosen(Message):
        """A rating button was clicked."""

        def __init__(self, rating: Rating) -> None:
            super().__init__()
            self.rating = rating

    class NextPressed(Message):
        """'Next' was clicked."""

    def compose(self) -> ComposeResult:
        yield _button(Content.assemble(("Show answer", "bold"), ("  space", "dim")), "quiz-show", classes="ask")
        yield _button(Content.assemble(("y ", "dim"), ("Right", "bold")), "quiz-right", "success", "grade")
        yield _button(Content.assemble(("n ", "dim"), ("Wrong", "bold")), "quiz-wrong", "error", "grade")
        for rating in Rating:
            yield _button(rating_label(rating, None), f"quiz-rate-{int(rating)}", classes="rate rating")
        yield _button(Content.assemble(("Next", "bold"), ("  space", "dim")), "quiz-next", classes="rate")

    def ask(self) -> None:
        """Question side: only 'Show answer'."""
        self._offer("ask")

    def grade(self) -> None:
        """Answer shown: 'Right' and 'Wrong'."""
        self._offer("grade")

    def rate(self, intervals: dict[Rating, timedelta], chosen: Rating) -> None:
        """The four ratings with their intervals, ``chosen`` lit in its colour, and 'Next'."""
        for rating in Rating:
            self.query_one(f"#quiz-rate-{int(rating)}", Button).label = rating_label(rating, intervals.get(rating))
        self.choose(chosen)
        self._offer("rate")

    def choose(self, chosen: Rating) -> None:
        """Light ``chosen``; the other ratings stay grey."""
        for rating in Rating:
            button = self.query_one(f"#quiz-rate-{int(rating)}", Button)
            button.variant = VARIANTS[rating] if rating == chosen else "default"
            button.set_class(rating == chosen, "-chosen")

    def _offer(self, group: str) -> None:
        # Inline display per button, as AnswerBar does: a class on the bar would restyle every button.
        for button in self.query(Button):
            button.display = button.has_class(group)
        self.display = True

    @on(Button.Pressed, "#quiz-show")
    def _reveal_clicked(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.RevealPressed())

    @on(Button.Pressed, ".grade")
    def _grade_clicked(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Graded(event.button.id == "quiz-right"))

    @on(Button.Pressed, ".rating")
    def _rating_clicked(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Chosen(Rating(int(event.button.id.removeprefix("quiz-rate-")))))

    @on(Button.Pressed, "#quiz-next")
    def _next_clicked(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.NextPressed())
