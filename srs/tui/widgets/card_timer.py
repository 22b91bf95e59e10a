"""Time on the current card against its budget (easy 15 s, medium 20 s, hard 25 s)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from srs.tui.text import clock_time

BUDGET_SECONDS = {"easy": 15, "medium": 20, "hard": 25}
DEFAULT_BUDGET_SECONDS = 20
BAR_CELLS = 10


def budget_for(difficulty: str | None) -> int:
    """The time budget in seconds for a card of this difficulty (no difficulty: medium)."""
    return BUDGET_SECONDS.get(difficulty or "", DEFAULT_BUDGET_SECONDS)


def timer_content(elapsed: float, budget: int) -> Content:
    """'▰▰▰▱▱▱▱▱▱▱ 0:06 / 0:20'."""
    filled = min(BAR_CELLS, int(BAR_CELLS * elapsed / budget)) if budget else BAR_CELLS
    bar = "▰" * filled + "▱" * (BAR_CELLS - filled)
    return Content(f"{bar} {clock_time(elapsed)} / {clock_time(budget)}")


class CardTimer(Static):
    """Seconds since the card appeared, ticking once a second; turns to a warning colour over budget."""

    def __init__(self, clock: Callable[[], datetime], **kwargs) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self._started: datetime | None = None
        self._budget = DEFAULT_BUDGET_SECONDS
        self._ticker: Timer | None = None

    def on_mount(self) -> None:
        self._ticker = self.set_interval(1.0, self._tick, pause=True)

    def start(self, started: datetime, budget: int) -> None:
        """Count from ``started`` against ``budget`` seconds."""
        self._started, self._budget = started, budget
        self._tick()
        if self._ticker is not None:
            self._ticker.reset()
            self._ticker.resume()

    def stop(self) -> None:
        """Freeze the display (card answered or screen waiting)."""
        if self._ticker is not None:
            self._ticker.pause()

    def clear(self) -> None:
        """Stop and show nothing."""
        self.stop()
        self._started = None
        self.remove_class("-over")
        self.update("")

    @property
    def elapsed(self) -> float:
        """Seconds on the current card."""
        return 0.0 if self._started is None else max(0.0, (self._clock() - self._started).total_seconds())

    def _tick(self) -> None:
        elapsed = self.elapsed
        self.set_class(elapsed > self._budget, "-over")
        self.update(timer_content(elapsed, self._budget))
