"""One card: the front, and on reveal the back and extra, rendered as Markdown with highlighted code. Scrolls.

Each field is one Static holding a Rich ``Markdown`` renderable. Rich's Markdown builds ``Text`` from
the parsed tokens and never reads markup; hyperlinks are off, so a link is shown as text and its URL
never reaches the terminal. (Textual's Markdown widget mounts a widget per block: measured with
bench/tui.py-style runs on the 100k collection, it took twice as long to show a card and to reveal it.)
"""

from __future__ import annotations

import io
import re
import threading

from rich.console import Console, RenderableType
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.css.styles import RulesMap
from textual.message import Message
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.visual import RenderOptions, Visual
from textual.widgets import Static

from srs.decks.cloze import card_kind
from srs.model import CardRow
from srs.tui.steps import warm_highlighting  # noqa: F401 (the quiz screen imports it from here)
from srs.tui.text import clean
from srs.tui.widgets.cloze import cloze_renderable, cloze_source
from srs.tui.widgets.paragraphs import Paragraphs, plain_paragraphs

FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$", re.MULTILINE)

# Rich renders about 20 KiB of prose or 4 KiB of code per 100 ms on this project's machines (far
# slower for tables): text up to INLINE_LIMIT is rendered on the UI thread, longer text in a
# worker, and no field shows more than SHOWN_LIMIT characters (a 3.5 MB back took minutes).
INLINE_LIMIT = 2_000
SHOWN_LIMIT = 50_000


def markdown(text: str, dark: bool = True) -> RenderableType:
    """User text as a Markdown renderable: control characters dropped, HTML as literal text, no markup, no hyperlinks.

    Plain paragraphs (with inline code) are rendered by ``Paragraphs``, exactly as Rich's Markdown renders
    them; anything else by Rich's Markdown (``rich_markdown``, imported on first use).
    """
    cleaned = clean(text)
    paragraphs = plain_paragraphs(cleaned)
    if paragraphs is not None:
        return Paragraphs(paragraphs)
    from srs.tui.widgets.rich_markdown import full_markdown

    return full_markdown(cleaned, dark)


def load_full_markdown() -> None:
    """Import the full Markdown renderer ahead of a card that needs it (it is not needed for the first paint)."""
    import srs.tui.widgets.rich_markdown  # noqa: F401


def shown_text(text: str, uid: str) -> str:
    """``text`` cut to ``SHOWN_LIMIT`` characters (at a line end when one is near), with a note on the rest.

    A fence left open by the cut is closed, so the note is not read as code.
    """
    if len(text) <= SHOWN_LIMIT:
        return text
    cut = text.rfind("\n", 0, SHOWN_LIMIT)
    if cut < SHOWN_LIMIT // 2:
        cut = SHOWN_LIMIT
    head = text[:cut]
    opener = _open_fence(head)
    closing = f"\n{opener}" if opener else ""
    note = (
        f"*… {len(text) - cut:,} more characters not shown: this field is over {SHOWN_LIMIT:,} characters. "
        f"The whole card: srs show {uid}*"
    )
    return f"{head}{closing}\n\n{note}"


def _open_fence(text: str) -> str | None:
    """The fence (``` or ~~~, as long as its opener) that ``text`` leaves open, if any."""
    opener: str | None = None
    for match in FENCE_LINE.finditer(text):
        fence = match.group(1)
        if opener is None:
            opener = fence
        elif fence[0] == opener[0] and len(fence) >= len(opener) and not match.group(2).strip():
            opener = None
    return opener


def render_strips(renderable: RenderableType, width: int, style: RichStyle) -> list[Strip]:
    """``renderable`` as strips of ``width`` cells on ``style`` (thread-safe: a console of its own)."""
    console = Console(width=width, file=io.StringIO(), force_terminal=True, color_system="truecolor", legacy_windows=False, markup=False, highlight=False, emoji=False)
    return [Strip(line) for line in console.render_lines(renderable, console.options.update_width(width), style=style, pad=False)]


class Rendered(Visual):
    """Strips rendered ahead of time, in a worker: painting them parses and highlights nothing."""

    def __init__(self, strips: list[Strip], width: int) -> None:
        self.strips, self.width = strips, width

    def render_strips(self, width: int, height: int | None, style: VisualStyle, options: RenderOptions) -> list[Strip]:
        strips = self.strips if width >= self.width else [strip.crop(0, width) for strip in self.strips]
        return strips if height is None else strips[:height]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.width

    def get_height(self, rules: RulesMap, width: int) -> int:
        return len(self.strips)


class CardField(Static):
    """One field of a card (front, back or extra).

    Short text is rendered when painted, on the UI thread. Long text (over ``INLINE_LIMIT``
    characters) is rendered in a thread worker while the field says so: Rich takes seconds on tens
    of KiB of code or tables, and the screen must keep answering keys (Ctrl+C included).
    """

    auto_links = False  # hyperlinks are off in the Markdown; skip re-styling every line for links

    class Ready(Message):
        """Strips rendered by a worker for the text shown as ``serial``."""

        def __init__(self, serial: int, width: int, strips: list[Strip]) -> None:
            super().__init__()
            self.serial, self.width, self.strips = serial, width, strips

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._serial = 0
        self._long_text: str | None = None  # the text being rendered off the UI thread, if long
        self._rendered_width: int | None = None

    def show_markdown(self, text: str) -> None:
        """Display ``text`` (Markdown)."""
        self._serial += 1
        if len(text) <= INLINE_LIMIT:
            self._long_text = None
            self.update(markdown(text, self.app.current_theme.dark))
            return
        self._long_text = text
        self._rendered_width = None
        self.update(Content.styled("Rendering a long card…", "italic"))
        self._render_in_worker()

    @property
    def rendering(self) -> bool:
        """Whether long text is still being rendered."""
        return self._long_text is not None and self._rendered_width is None

    def _target_width(self) -> int:
        # The card view's inner width, its scrollbar's column left out whether shown or not (the view's
        # scrollbar-gutter is stable). This field may be hidden until reveal, so its own size is not known yet.
        view = self.parent
        return max(20, view.scrollable_content_region.width if view is not None else self.size.width)

    def _render_in_worker(self) -> None:
        serial, text, width, dark, style = self._serial, self._long_text, self._target_width(), self.app.current_theme.dark, self.rich_style

        def render() -> None:
            try:
                strips = render_strips(markdown(text, dark), width, style)
            except Exception as exc:  # shown in place of the field: a rendering bug must not kill the session
                strips = [Strip([Segment(f"This field could not be rendered ({type(exc).__name__}: {exc}); see it with srs show")])]
            try:
                self.post_message(self.Ready(serial, width, strips))
            except RuntimeError:  # the app closed meanwhile (its event loop is gone)
                pass

        # A daemon thread, not a Textual worker: those run in asyncio's executor, whose threads are
        # joined at exit, so Ctrl+C would wait for a render it no longer needs.
        threading.Thread(target=render, name="srs-render-card", daemon=True).start()

    @on(Ready)
    def _ready(self, message: Ready) -> None:
        if message.serial != self._serial:
            return  # rendered for a card no longer on screen
        self._rendered_width = message.width
        self.update(Rendered(message.strips, message.width))
        self.call_after_refresh(self._fit_width)  # the view may have been laid out (shown, resized) meanwhile

    def on_resize(self) -> None:
        self._fit_width()

    def _fit_width(self) -> None:
        """Render long text again if the width changed since (the old lines stay until the new ones are ready)."""
        if self._long_text is not None and self._rendered_width is not None and self._rendered_width != self._target_width():
            self._rendered_width = None
            self._serial += 1
            self._render_in_worker()

    def show_cloze(self, text: str, ordinal: int, reveal: bool) -> None:
        """Display cloze card ``ordinal`` of ``text``: its deletion hidden, or revealed and highlighted."""
        self._serial += 1  # a long render still in flight is for other text
        self._long_text = None
        dark = self.app.current_theme.dark
        self.update(cloze_renderable(markdown(cloze_source(text, ordinal, reveal), dark), dark))


class CardView(VerticalScroll):
    """The card on screen: the front, and on reveal the back and extra below a rule.

    The answer side's widgets are mounted by ``prepare_answer_side`` (or on the first reveal), not
    composed with the view: the first card is on screen sooner without them.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._card: CardRow | None = None
        self._answer_side = False

    def compose(self) -> ComposeResult:
        yield CardField(id="front")

    def prepare_answer_side(self) -> None:
        """Mount the (hidden) rule, back and extra, if not yet done."""
        if self._answer_side:
            return
        self._answer_side = True
        from textual.widgets import Rule  # with the answer side: not before the first card

        widgets = (Rule(id="divider"), CardField(id="back"), CardField(id="extra"))
        for widget in widgets:
            widget.display = False
        self.mount(*widgets)

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
        self.prepare_answer_side()
        self._show_front(self._card, reveal=True)
        self.query_one("#back", CardField).show_markdown(shown_text(self._card.back, self._card.uid))
        self.query_one("#extra", CardField).show_markdown(shown_text(self._card.extra, self._card.uid))
        self._set_answer_visible(True)

    @property
    def rendering(self) -> bool:
        """Whether a long field is still being rendered off the UI thread."""
        return any(field.rendering for field in self.query(CardField))

    def _show_front(self, card: CardRow, reveal: bool) -> None:
        # A cloze card's answer is its own text with the deletion filled in (as in Anki); other
        # cards keep the front as it is, so revealing them renders nothing twice.
        ordinal = card_kind(card.uid).ordinal
        if ordinal is not None:
            self.query_one("#front", CardField).show_cloze(card.front, ordinal, reveal)
        elif not reveal:
            self.query_one("#front", CardField).show_markdown(shown_text(card.front, card.uid))

    def _set_answer_visible(self, visible: bool) -> None:
        if not self._answer_side:
            return
        # Inline display rather than a CSS class on this container: a class change restyles
        # everything below it.
        has_extra = self._card is not None and bool(self._card.extra.strip())
        self.query_one("#divider").display = visible
        self.query_one("#back").display = visible and not (self._card is not None and card_kind(self._card.uid).is_cloze)
        self.query_one("#extra").display = visible and has_extra
