"""Every key of every screen, built from the screens' own bindings so it cannot drift."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {"question_mark": "?", "escape": "Esc", "space": "Space", "enter": "Enter", "ctrl+c": "Ctrl+C", "ctrl+q": "Ctrl+Q"}
KEY_WIDTH = 16


def key_label(keys: str) -> str:
    """'space,enter' -> 'Space / Enter'."""
    return " / ".join(KEY_NAMES.get(key.strip(), key.strip()) for key in keys.split(","))


def key_rows(owner: type) -> list[tuple[str, str]]:
    """(keys, what they do) for every binding of ``owner`` that has a ``KEY_HELP`` entry."""
    help_text: dict[str, str] = getattr(owner, "KEY_HELP", {})
    rows = []
    for binding in owner.BINDINGS:
        if isinstance(binding, Binding) and binding.action in help_text:
            rows.append((key_label(binding.key), help_text[binding.action]))
    return rows


def help_content(sections: list[tuple[str, list[tuple[str, str]]]]) -> Content:
    """Sections of aligned 'key  description' lines, a blank line between sections."""
    lines: list[Content] = []
    for title, rows in sections:
        if lines:
            lines.append(Content(""))
        lines.append(Content.styled(title, "bold $accent"))
        lines.extend(Content.assemble(Content.styled(keys.ljust(KEY_WIDTH), "bold"), text) for keys, text in rows)
    return Content("\n").join(lines)


def section_id(title: str) -> str:
    """The widget id of a section's title ('Quiz summary' -> 'help-quiz-summary')."""
    return "help-" + "".join(ch if ch.isalnum() else "-" for ch in title.split(":")[0].strip().lower())


# The section shown first when help is opened from each screen (by class name: no import cycle).
SECTION_OF_SCREEN = {
    "DecksScreen": "Deck list", "ReviewScreen": "Review", "DoneScreen": "Done", "QuizScreen": "Quiz",
    "QuizSummaryScreen": "Quiz summary", "StatsScreen": "Stats",
}


def all_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """The help of the whole app, screen by screen."""
    from srs.tui.screens.decks import DecksScreen
    from srs.tui.screens.done import DoneScreen
    from srs.tui.screens.quiz import QuizScreen
    from srs.tui.screens.quiz_summary import QuizSummaryScreen
    from srs.tui.screens.review import ReviewScreen
    from srs.tui.screens.stats import StatsScreen
    from srs.tui.widgets.deck_tree import DeckTree

    return [
        ("Deck list", key_rows(DeckTree) + [("↑ ↓", "Move between decks")] + key_rows(DecksScreen)),
        ("Review", key_rows(ReviewScreen) + [("↑ ↓ PgUp PgDn", "Scroll a long card"), ("Click", "The buttons do what their keys do")]),
        ("Done", key_rows(DoneScreen)),
        ("Quiz: free recall with self-grading", QuizScreen.HELP_INTRO + key_rows(QuizScreen) + QuizScreen.HELP_NOTES),
        ("Quiz summary", key_rows(QuizSummaryScreen)),
        ("Stats", key_rows(StatsScreen) + [("↑ ↓ PgUp PgDn", "Scroll")]),
        ("Everywhere", [("Ctrl+C / Ctrl+Q", "Quit (every answer is already saved)")]),
    ]


class HelpScreen(ModalScreen[None]):
    """A modal listing every key, scrolled to the section of the screen it was opened from.

    Each row is a key cell beside a text cell, so a long description wraps under itself (a hanging
    indent) rather than back to the first column.
    """

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, section: str | None = None) -> None:
        super().__init__()
        self.section = section

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "? or Esc closes · ↑ ↓ scroll"
            for index, (title, rows) in enumerate(all_sections()):
                classes = "help-title" if index == 0 else "help-title -later"
                yield Static(Content.styled(title, "bold $accent"), id=section_id(title), classes=classes)
                for keys, text in rows:
                    with Horizontal(classes="help-row"):
                        yield Static(Content.styled(keys, "bold"), classes="help-key")
                        yield Static(Content(text), classes="help-text")

    def on_mount(self) -> None:
        if self.section:
            self.call_after_refresh(self._scroll_to_section)

    def _scroll_to_section(self) -> None:
        target = self.query_one(f"#{section_id(self.section or '')}")
        self.query_one("#help-box", VerticalScroll).scroll_to_widget(target, top=True, animate=False)
