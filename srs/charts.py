"""Text charts shared by ``srs stats`` and the TUI's stats screen: plain strings, no colour, no Rich.

The due forecast is a column chart drawn by hand rather than with plotext: each day gets its own
column with a gap after it at any width (plotext merges neighbouring bars below ~3 columns a day),
the y axis counts whole cards from 0, and every date label stands under its own day's bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

EIGHTHS = " ▁▂▃▄▅▆▇█"
LABEL = "%m-%d"
LABEL_WIDTH = 5


@dataclass(frozen=True)
class ColumnChart:
    """A chart as lines: ``rows`` (top first, y labels included), the x axis, and the date labels."""

    rows: list[str]
    axis: str
    labels: str
    days_shown: int
    margin: int  # columns before the first bar (y labels and the axis line)

    @property
    def lines(self) -> list[str]:
        return [*self.rows, self.axis, self.labels]


def _unit(top: int, height: int) -> int:
    """Whole cards per row: the smallest integer that fits ``top`` in ``height`` rows."""
    return max(1, -(-top // height))


def column_chart(counts: list[int], first_day: date, width: int, height: int = 8) -> ColumnChart:
    """Daily counts as columns, one per day from ``first_day``, fitted into ``width`` columns.

    Bars are 2 columns wide with a 1-column gap when there is room, else 1 and 1; if even that does
    not fit, only the first days are shown (``days_shown``). Each row stands for a whole number of
    cards (at most ``height`` rows, no empty ones on top), labelled every other row; the tops of bars
    use eighth blocks, and a single card always shows.
    """
    top = max(counts, default=0)
    unit = _unit(top, height)
    height = max(1, -(-top // unit))  # no empty rows above the tallest bar
    label_width = len(str(unit * height))
    margin = label_width + 1
    room = max(2, width - margin)
    step = 3 if room >= 3 * len(counts) else 2
    bar = step - 1
    days = min(len(counts), (room + step - bar) // step)  # the last bar needs no gap after it
    shown = counts[:days]
    rows = []
    for row in range(height, 0, -1):  # row r covers (r-1)*unit .. r*unit cards
        value = row * unit
        label = str(value) if row == height or row % 2 == 0 else ""
        cells = []
        for count in shown:
            filled = (count - (row - 1) * unit) / unit  # how much of this row the bar fills
            eighths = 8 if filled >= 1 else min(8, max(1, round(filled * 8))) if filled > 0 else 0  # one card always shows
            cells.append(EIGHTHS[eighths] * bar + " " * (step - bar))
        rows.append(label.rjust(label_width) + "│" + "".join(cells).rstrip())
    every = max(1, -(-(LABEL_WIDTH + 1) // step))  # days between date labels, so they never touch
    axis = "0".rjust(label_width) + "└" + "".join(("┬" if day % every == 0 else "─") + "─" * (step - 1) for day in range(days))
    axis = axis[: margin + (days - 1) * step + bar]  # ends under the last bar
    labels = [" "] * (margin + days * step + LABEL_WIDTH)
    for day in range(0, days, every):
        text = (first_day + timedelta(days=day)).strftime(LABEL)
        start = margin + day * step
        if start + LABEL_WIDTH <= width:  # a label that would not fit is left out, not wrapped
            labels[start : start + LABEL_WIDTH] = text
    return ColumnChart(rows, axis, "".join(labels).rstrip(), days, margin)


def month_header(start: date, weeks: int, indent: int = 4) -> str:
    """Month abbreviations above a calendar's week columns (``start``: the first column's Monday).

    Each month stands over the week that holds its 1st, so none in range is skipped; the first
    column is labelled with its own month only when that leaves room for the next label.
    """
    header = [" "] * (weeks + 4)
    starts = []
    for week in range(weeks):
        sunday = start + timedelta(weeks=week, days=6)
        if sunday.day <= 7:  # the 1st of a month falls in this week
            starts.append((week, sunday.strftime("%b")))
    if not starts or starts[0][0] > 3:
        starts.insert(0, (0, start.strftime("%b")))
    for week, label in starts:
        header[week : week + len(label)] = label
    return " " * indent + "".join(header).rstrip()
