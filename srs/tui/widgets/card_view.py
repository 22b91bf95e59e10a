"""One card: the front, and on reveal the back and extra, rendered as Markdown with highlighted code. Scrolls.

Each field is one Static holding a Rich ``Markdown`` renderable. Rich's Markdown builds ``Text`` from
the parsed tokens and never reads markup; hyperlinks are off, so a link is shown as text and its URL
never reaches the terminal. (Textual's Markdown widget mounts a widget per block: measured with
bench/tui.py-style runs on the 100k collection, it took twice as long to show a card and to reveal it.)
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from rich.markdown import Markdown as RichMarkdown
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Rule, Static

from srs.decks.cloze import card_kind
from srs.model import CardRow
from srs.tui.text import clean
from srs.tui.widgets.cloze import cloze_renderable, cloze_source

# Rich's own parser has HTML on: it drops every tag (and everything in an HTML block), so
# `a<b>c` would show as `ac`. With HTML off, markdown-it reads tags as the text they are, as the
# Anki export shows them; Markdown, code and autolinks are parsed as before.
LITERAL_HTML = MarkdownIt("commonmark", {"html": False}).enable("strikethrough").enable("table")

FENCE_LANGUAGE = re.compile(r"^\s*(?:```|~~~)\s*([\w+#.-]+)", re.MULTILINE)


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


class LiteralHtmlMarkdown(RichMarkdown):
    """Rich's Markdown renderable, with HTML in the text shown as written instead of dropped."""

    def __init__(self, markup: str, **options) -> None:
        super().__init__("", **options)
        self.markup = markup
        self.parsed = LITERAL_HTML.parse(markup)


def markdown(text: str, dark: bool = True) -> RichMarkdown:
    """User text as a Markdown renderable: control characters dropped, HTML as literal text, no markup, no hyperlinks.

    A fence without a language is shown as plain text (Rich does not guess, which would import
    every Pygments lexer).
    """
    return LiteralHtmlMarkdown(clean(text), code_theme="monokai" if dark else "friendly", hyperlinks=False)


class CardField(Static):
    """One field of a card (front, back or extra)."""

    def show_markdown(self, text: str) -> None:
        """Display ``text`` (Markdown)."""
        self.update(markdown(text, self.app.current_theme.dark))

    def show_cloze(self, text: str, ordinal: int, reveal: bool) -> None:
        """Display cloze card ``ordinal`` of ``text``: its deletion hidden, or revealed and highlighted."""
        dark = self.app.current_theme.dark
        self.update(cloze_renderable(markdown(cloze_source(text, ordinal, reveal), dark), dark))


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
        self._show_front(card, reveal=False)
        self.scroll_home(animate=False)

    def reveal(self) -> None:
        """Render and show back and extra."""
        if self._card is None:
            return
        self._show_front(self._card, reveal=True)
        self.query_one("#back", CardField).show_markdown(self._card.back)
        self.query_one("#extra", CardField).show_markdown(self._card.extra)
        self._set_answer_visible(True)

    def _show_front(self, card: CardRow, reveal: bool) -> None:
        # A cloze card's answer is its own text with the deletion filled in (as in Anki); other
        # cards keep the front as it is, so revealing them renders nothing twice.
        ordinal = card_kind(card.uid).ordinal
        if ordinal is not None:
            self.query_one("#front", CardField).show_cloze(card.front, ordinal, reveal)
        elif not reveal:
            self.query_one("#front", CardField).show_markdown(card.front)

    def _set_answer_visible(self, visible: bool) -> None:
        # Inline display rather than a CSS class on this container: a class change restyles
        # everything below it.
        has_extra = self._card is not None and bool(self._card.extra.strip())
        self.query_one("#divider").display = visible
        self.query_one("#back").display = visible and not (self._card is not None and card_kind(self._card.uid).is_cloze)
        self.query_one("#extra").display = visible and has_extra
