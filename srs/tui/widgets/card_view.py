"""One card: the front, and on reveal the back and extra, rendered as Markdown with highlighted code. Scrolls.

Each field is one Static holding a Rich ``Markdown`` renderable. Rich's Markdown builds ``Text`` from
the parsed tokens and never reads markup; hyperlinks are off, so a link is shown as text and its URL
never reaches the terminal. (Textual's Markdown widget mounts a widget per block: measured with
bench/tui.py-style runs on the 100k collection, it took twice as long to show a card and to reveal it.)
"""

from __future__ import annotations

import re

from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from rich.markdown import Markdown as RichMarkdown
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Rule, Static

from srs.storage.review_store import CardRow
from srs.tui.text import clean

# [ \t], not \s: \s also matches newlines, which made this quadratic on a back of blank lines.
FENCE_LANGUAGE = re.compile(r"^[ \t]*(?:```|~~~)[ \t]*([\w+#.-]+)", re.MULTILINE)


def warm_highlighting(card: CardRow) -> None:
    """Build the Pygments lexers the card's code fences need (meant for a worker thread).

    A lexer class compiles its regexes on first use (about 100 ms for Python); done here, the UI
    thread renders the card with the lexer ready.
    """
    for language in set(FENCE_LANGUAGE.findall("\n".join((card.front, card.back, card.extra)))):
        try:
            get_lexer_by_name(language)
        except ClassNotFound:
            pass


def markdown(text: str, dark: bool = True) -> RichMarkdown:
    """User text as a Markdown renderable: control characters dropped, no markup, no hyperlinks.

    A fence without a language is shown as plain text (Rich does not guess, which would import
    every Pygments lexer).
    """
    return RichMarkdown(clean(text), code_theme="monokai" if dark else "friendly", hyperlinks=False)


class CardField(Static):
    """One field of a card (front, back or extra)."""

    def show_markdown(self, text: str) -> None:
        """Display ``text`` (Markdown)."""
        self.update(markdown(text, self.app.current_theme.dark))


class CardView(VerticalScroll):
    """The card on screen: the front, and on reveal the back and extra below a rule."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._card: CardRow | None = None

    def compose(self) -> ComposeResult:
        yield CardField(id="front")
        yield Rule(id="divider")
        yield CardField(id="back")
        yield CardField(id="extra")

    def show(self, card: CardRow) -> None:
        """Render ``card``'s front; back and extra are rendered on ``reveal`` (half the work, when needed)."""
        self._card = card
        self._set_answer_visible(False)
        self.query_one("#front", CardField).show_markdown(card.front)
        self.scroll_home(animate=False)

    def reveal(self) -> None:
        """Render and show back and extra."""
        if self._card is None:
            return
        self.query_one("#back", CardField).show_markdown(self._card.back)
        self.query_one("#extra", CardField).show_markdown(self._card.extra)
        self._set_answer_visible(True)

    def _set_answer_visible(self, visible: bool) -> None:
        # Inline display rather than a CSS class on this container: a class change restyles
        # everything below it.
        has_extra = self._card is not None and bool(self._card.extra.strip())
        self.query_one("#divider").display = visible
        self.query_one("#back").display = visible
        self.query_one("#extra").display = visible and has_extra
