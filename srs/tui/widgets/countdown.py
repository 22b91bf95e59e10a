"""Time left on a quiz question: a shrinking bar and m:ss, read from the App's clock; says when time is up."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from srs.tui.text import clock_time

TICK_SECONDS = 0.25  # how often the clock is read: the timeout fires at most this late
LOW_SECONDS = 5  # the last seconds are shown in a warning colour
BAR_CELLS = 10


def countdown_content(remaining_ms: int, budget_ms: int) -> Content:
    """'▰▰▰▰▰▰▱▱▱▱ 0:12 left': the bar shrinks as time runs out; seconds are rounded up."""
    filled = min(BAR_CELLS, math.ceil(BAR_CELLS * remaining_ms / budget_ms)) if budget_ms else 0
    bar = "▰" * filled + "▱" * (BAR_CELLS - filled)
    return Content(f"{bar} {clock_time(math.ceil(remaining_ms / 1000))} left")


class Countdown(Static):
    """Counts a budget down from a start time; posts ``Expired`` once when the time is over.

    Time is always read from ``clock`` (the App's, injectable), never counted in ticks, so a
    suspended laptop or a test's fake clock gives the right figure on the next tick.
    """

    class Expired(Message):
        """The budget ran out (elapsed time strictly over it)."""

    def __init__(self, clock: Callable[[], datetime], **kwargs) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self._started: datetime | None = None
        self._budget_ms = 0
        self._running = False
        self._ticker: Timer | None = None

    def on_mount(self) -> None:
        self._ticker = self.set_interval(TICK_SECONDS, self._tick, pause=True)

    def start(self, started: datetime, budget_ms: int) -> None:
        """Count ``budget_ms`` down from ``started``."""
        self._started, self._budget_ms, self._running = started, budget_ms, True
        self._tick()
        if self._ticker is not None and self._running:
            self._ticker.reset()
            self._ticker.resume()

    def stop(self) -> None:
        """Freeze the display at the time left now (the answer was revealed)."""
        if self._running:
            self._show(self.elapsed_ms)
        self._running = False
        if self._ticker is not None:
            self._ticker.pause()

    def clear(self) -> None:
        """Stop and show nothing."""
        self.stop()
        self._started = None
        self.remove_class("-low", "-out")
        self.update("")

    @property
    def elapsed_ms(self) -> int:
        """Milliseconds since the start."""
        if self._started is None:
            return 0
        return max(0, int((self._clock() - self._started).total_seconds() * 1000))

    @property
    def expired(self) -> bool:
        """Whether the budget is over."""
        return self._started is not None and self.elapsed_ms > self._budget_ms

    def _tick(self) -> None:
        if not self._running:
            return
        elapsed = self.elapsed_ms
        self._show(elapsed)
        if elapsed > self._budget_ms:
            self.stop()
            self.post_message(self.Expired())

    def _show(self, elapsed: int) -> None:
        remaining = max(0, self._budget_ms - elapsed)
        self.set_class(remaining <= LOW_SECONDS * 1000, "-low")
        self.set_class(elapsed > self._budget_ms, "-out")
        self.update(countdown_content(remaining, self._budget_ms))
