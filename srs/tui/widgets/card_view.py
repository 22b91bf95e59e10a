"""One card: front, then (after reveal) back and extra, all Markdown with highlighted code. Scrolls."""

from __future__ import annotations

import re

from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Markdown, Rule
from textual.widgets.markdown import MarkdownFence

from srs.storage.review_store import CardRow
from srs.tui.text import clean


FENCE_LANGUAGE = re.compile(r"^\s*(?:```|~~~)\s*([\w+#.-]+)", re.MULTILINE)


def warm_highlighting(card: CardRow) -> None:
    """Build the Pygments lexers the card's code fences need (meant for a worker thread).

    A lexer compiles its regexes on first use (about 100 ms for Python); done here, the UI thread
    renders the card with the lexer ready.
    """
    for language in set(FENCE_LANGUAGE.findall("\n".join((card.front, card.back, card.extra)))):
        try:
            get_lexer_by_name(language)
        except ClassNotFound:
            pass


class CardFence(MarkdownFence):
    """A code block; one without a language is plain text.

    Textual would guess the language with Pygments' guess_lexer, which imports every lexer the
    first time: about a second of frozen UI on the first card with a bare fence.
    """

    @classmethod
    def highlight(cls, code: str, language: str, ansi: bool = False, dark: bool = False) -> Content:
        return super().highlight(code, language or "text", ansi=ansi, dark=dark)


class CardMarkdown(Markdown):
    """Markdown for card fields: links do nothing when clicked, bare code fences are not guessed."""

    BLOCKS = {**Markdown.BLOCKS, "fence": CardFence, "code_block": CardFence}

    def __init__(self, **kwargs) -> None:
        # open_links=False: a click on a link in a card does nothing rather than launch a browser.
        super().__init__(open_links=False, **kwargs)


class CardView(VerticalScroll):
    """The card on screen. Back and extra are rendered with the front and only shown on reveal."""

    def compose(self) -> ComposeResult:
        yield CardMarkdown(id="front")
        yield Rule(id="divider")
        yield CardMarkdown(id="back")
        yield CardMarkdown(id="extra")

    async def show(self, card: CardRow) -> None:
        """Render ``card`` with only its front visible."""
        self.set_class(False, "-revealed")
        self.set_class(not card.extra.strip(), "-no-extra")
        await self.query_one("#front", CardMarkdown).update(clean(card.front))
        await self.query_one("#back", CardMarkdown).update(clean(card.back))
        await self.query_one("#extra", CardMarkdown).update(clean(card.extra))
        self.scroll_home(animate=False)

    def reveal(self) -> None:
        """Show back and extra."""
        self.set_class(True, "-revealed")
