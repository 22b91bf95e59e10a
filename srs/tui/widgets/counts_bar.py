"""Remaining cards as Anki shows them: new + learning + review, the current card's kind underlined."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from srs.model import State
from srs.review import Counts

KIND_OF_STATE = {State.NEW: "new", State.LEARNING: "learning", State.RELEARNING: "learning", State.REVIEW: "review"}
STYLES = {"new": "bold $primary", "learning": "bold $error", "review": "bold $success"}


def counts_content(counts: Counts, current: State | None = None) -> Content:
    """'20 + 3 + 45' coloured new / learning / review, the current card's kind underlined."""
    underline = KIND_OF_STATE.get(current) if current is not None else None
    parts: list[Content | str] = []
    for kind, value in (("new", counts.new), ("learning", counts.learning), ("review", counts.review)):
        if parts:
            parts.append(" + ")
        style = STYLES[kind] + (" underline" if kind == underline else "")
        parts.append(Content.styled(str(value), style))
    return Content.assemble(*parts)


class CountsBar(Static):
    """The remaining counts of the session."""

    def show(self, counts: Counts, current: State | None = None) -> None:
        """Display ``counts``; ``current`` is the state of the card on screen."""
        self.update(counts_content(counts, current))
