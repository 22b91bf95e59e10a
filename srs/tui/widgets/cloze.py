"""A cloze card on screen: its deletion hidden as ``[...]`` (or ``[hint]``), then shown highlighted.

The cloze text still goes through the same Markdown renderer as any card (code blocks, tables and
all), with the deletion wrapped in two zero-width marker characters. Rich measures them as zero
cells, so wrapping is exactly that of the visible text; the segments between them get the highlight
style and the markers are dropped. User text is never read as markup: the markers are the only
thing added, and any copy of them already in the card's text is removed first.
"""

from __future__ import annotations

import re

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.style import Style

from srs.decks.cloze import render_deletions

START = "\u200b"  # ZERO WIDTH SPACE: where the highlighted deletion starts
END = "\u2060"  # WORD JOINER: where it ends
_MARKERS = dict.fromkeys(map(ord, START + END))
_SPLIT = re.compile(f"([{START}{END}])")
DARK = Style(bold=True, color="#58a6ff")  # Anki's cloze blue, readable on dark and light themes
LIGHT = Style(bold=True, color="#0969da")


def cloze_source(text: str, ordinal: int, reveal: bool) -> str:
    """The Markdown of cloze card ``ordinal``: its deletion, hidden or revealed, between the markers."""
    return render_deletions(text.translate(_MARKERS), ordinal, reveal, START, END)


class Highlighted:
    """Renders ``renderable`` with everything between START and END in ``style``, markers removed."""

    def __init__(self, renderable: RenderableType, style: Style) -> None:
        self.renderable = renderable
        self.style = style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        inside = False
        for segment in console.render(self.renderable, options):
            text = segment.text
            if segment.control:
                yield segment
            elif START not in text and END not in text:
                # Whole segments inside a deletion (a wrapped line, a code token) are highlighted too.
                yield self._marked(segment, text) if inside and text.strip("\n") else segment
            else:
                for piece in re.split(_SPLIT, text):
                    if piece in (START, END):
                        inside = piece == START
                    elif piece:
                        yield self._marked(segment, piece) if inside else Segment(piece, segment.style)

    def _marked(self, segment: Segment, text: str) -> Segment:
        return Segment(text, segment.style + self.style if segment.style else self.style)


def cloze_renderable(markdown: RenderableType, dark: bool) -> Highlighted:
    """The rendered Markdown of ``cloze_source`` with its deletion highlighted for the theme."""
    return Highlighted(markdown, DARK if dark else LIGHT)
