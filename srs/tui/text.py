"""Turning user text (card fields, deck names, tags) into something safe to put on screen.

User text never goes through Textual or Rich markup: it becomes ``Content`` built from plain
text, or Markdown rendered by Textual's Markdown widget, which builds Content from tokens and never
parses markup. Control characters are dropped so a card cannot send escape sequences to the
terminal or reorder the text around it (bidi overrides).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from textual.content import Content

from srs.scheduling import format_interval

_C0 = [code for code in range(0x00, 0x20) if code not in (0x09, 0x0A)]
_C1 = list(range(0x7F, 0xA0))  # DEL and the C1 controls (0x9B is a one-byte CSI)
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_DROP = dict.fromkeys(_C0 + _C1 + _BIDI)


def clean(text: str) -> str:
    """``text`` without control, escape and bidi-override characters (newlines and tabs kept)."""
    return text.replace("\r\n", "\n").translate(_DROP)


def plain(text: str, style: str = "") -> Content:
    """User text as Content: cleaned, never parsed as markup."""
    return Content.styled(clean(text), style) if style else Content(clean(text))


def one_line(text: str, limit: int = 80) -> str:
    """The first line of user text, cleaned and shortened (for notifications)."""
    first = clean(text).strip().split("\n", 1)[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"


def clock_time(seconds: float) -> str:
    """Seconds as m:ss (or h:mm:ss)."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def duration(seconds: float) -> str:
    """Seconds in words for summaries: '45s', '3m 20s', '1h 05m'."""
    total = max(0, round(seconds))
    if total < 60:
        return f"{total}s"
    if total < 3600:
        return f"{total // 60}m {total % 60:02d}s"
    return f"{total // 3600}h {total % 3600 // 60:02d}m"


def when(moment: datetime, now: datetime, zone: tzinfo) -> str:
    """A future moment as 'in 10m (14:05)' or 'in 3d (Mon 2 Mar)'."""
    delta = max(moment - now, timedelta(0))
    local = moment.astimezone(zone)
    at = local.strftime("%H:%M") if delta < timedelta(hours=20) else local.strftime("%a %-d %b")
    return f"in {format_interval(delta)} ({at})"
