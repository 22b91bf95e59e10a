"""Consistent copies of the DB through SQLite's online backup API (never a file copy mid-write)."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from pathlib import Path

from srs.storage.connection import file_uri

DEFAULT_KEEP = 7


def backup_dir(db_path: Path) -> Path:
    """Where backups of ``db_path`` go: a ``backups`` folder beside it."""
    return db_path.parent / "backups"


def make_backup(db_path: Path, reason: str, keep: int = DEFAULT_KEEP, now: datetime | None = None) -> Path:
    """Copy ``db_path`` into its backup folder, keep the newest ``keep`` copies, return the copy's path."""
    folder = backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    slug = re.sub(r"[^a-z0-9]+", "-", reason.lower()).strip("-") or "manual"
    target = folder / f"{db_path.stem}-{stamp}-{slug}.db"
    source = sqlite3.connect(file_uri(db_path, mode="ro"), uri=True)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    prune_backups(db_path, keep)
    return target


def list_backups(db_path: Path) -> list[Path]:
    """Backups of ``db_path``, oldest first."""
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{db_path.stem}-*.db"))


def newest_backup(db_path: Path) -> Path | None:
    """The most recent backup of ``db_path``, if any."""
    backups = list_backups(db_path)
    return backups[-1] if backups else None


def prune_backups(db_path: Path, keep: int) -> None:
    """Delete all but the newest ``keep`` backups."""
    for old in list_backups(db_path)[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)


def daily_backup(db_path: Path, now: datetime | None = None, keep: int = DEFAULT_KEEP) -> Path | None:
    """Back up ``db_path`` unless a backup was made in the last 24 hours. Returns the new copy, if any."""
    now = now or datetime.now()
    newest = newest_backup(db_path)
    if newest is not None and now.timestamp() - newest.stat().st_mtime < 86_400:
        return None
    return make_backup(db_path, "daily", keep, now)
