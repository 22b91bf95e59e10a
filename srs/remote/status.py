"""Where this collection stands with its remote: plain SQLite reads, for the deck list and the TUI (no SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from srs.storage import Store, event_store
from srs.storage.timecodec import from_us


@dataclass(frozen=True)
class RemoteStatus:
    """The remote (None: not set), the collection's name in it, this device's id, the last sync, events waiting."""

    url: str | None
    collection: str | None
    device: str
    last_sync: datetime | None
    waiting: int


def remote_status(store: Store) -> RemoteStatus:
    """The remote this collection syncs with, when it last did, and how many events wait to be sent."""
    with store.read() as conn:
        raw = conn
        state = event_store.all_state(raw)
        waiting = event_store.waiting_count(raw)
    last = state.get("last_sync")
    return RemoteStatus(state.get("url"), state.get("collection_name"), state["device"], from_us(int(last)) if last else None, waiting)


def ago(moment: datetime | None, now: datetime) -> str:
    """'never', 'just now', '5 min ago', '3 h ago', '2 days ago'."""
    if moment is None:
        return "never"
    seconds = max(0, (now - moment).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return f"{days} day{'s' if days != 1 else ''} ago"


def status_line(status: RemoteStatus, now: datetime) -> str | None:
    """One line for the deck list, or None when no remote is set."""
    if status.url is None:
        return None
    synced = "never synced" if status.last_sync is None else f"synced {ago(status.last_sync, now)}"
    return f"Remote: {synced} · {status.waiting} event{'s' if status.waiting != 1 else ''} waiting to be sent"
