"""One card: front, then (after reveal) back and extra, all Markdown with highlighted code. Scrolls."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Rule

from srs.storage.review_store import CardRow
from srs.tui.text import clean


class CardView(VerticalScroll):
    """The card on screen. Back and extra are rendered with the front and only shown on reveal."""

    def compose(self) -> ComposeResult:
        # open_links=False: a click on a link in a card does nothing rather than launch a browser.
        yield Markdown(id="front", open_links=False)
        yield Rule(id="divider")
        yield Markdown(id="back", open_links=False)
        yield Markdown(id="extra", open_links=False)

    async def show(self, card: CardRow) -> None:
        """Render ``card`` with only its front visible."""
        self.set_class(False, "-revealed")
        self.set_class(not card.extra.strip(), "-no-extra")
        await self.query_one("#front", Markdown).update(clean(card.front))
        await self.query_one("#back", Markdown).update(clean(card.back))
        await self.query_one("#extra", Markdown).update(clean(card.extra))
        self.scroll_home(animate=False)

    def reveal(self) -> None:
        """Show back and extra."""
        self.set_class(True, "-revealed")
