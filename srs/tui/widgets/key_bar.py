"""The bottom line of every screen: the keys the screen offers now, as Textual's Footer shows them.

One widget drawing one line. Textual's Footer is a container with a widget per key, composed again
each time the bindings change (four times before the first card: measured with bench/tui.py, about a
fifth of `srs review`'s start-up). Here a change of bindings only repaints the line.
"""

from __future__ import annotations

from typing import NamedTuple

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget

KEY_STYLE = "bold $footer-key-foreground on $footer-key-background"
DESCRIPTION_STYLE = "$footer-description-foreground on $footer-description-background"


class Shown(NamedTuple):
    """One key on the bar and the cells it takes."""

    start: int
    end: int
    binding: Binding
    enabled: bool


class KeyBar(Widget):
    """The current screen's shown bindings, one per action, ' key description ' each; click one to press it."""

    ALLOW_SELECT = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: list[Shown] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        self.refresh()

    def shown_bindings(self) -> list[tuple[Binding, bool]]:
        """The bindings on the bar: shown ones, the first binding of each action, in the screen's order."""
        first: dict[str, tuple[Binding, bool]] = {}
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in first:
                first[binding.action] = (binding, enabled)
        return list(first.values())

    def render(self) -> Content:
        parts: list[Content] = []
        self._shown = []
        offset = 0
        for binding, enabled in self.shown_bindings():
            key = Content.styled(f" {self.app.get_key_display(binding)} ", KEY_STYLE)
            item = key + Content.styled(f"{binding.description} ", DESCRIPTION_STYLE) if binding.description else key
            if not enabled:
                item = item.stylize("dim")
            self._shown.append(Shown(offset, offset + item.cell_length, binding, enabled))
            offset += item.cell_length
            parts.append(item)
        return Content("").join(parts)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        for shown in self._shown:
            if shown.start <= event.x < shown.end:
                if shown.enabled:
                    self.app.simulate_key(shown.binding.key.split(",")[0])
                else:
                    self.app.bell()
                return
