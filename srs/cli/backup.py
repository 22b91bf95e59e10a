"""``srs backup`` and ``srs restore``: consistent copies of the collection, and bringing one back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from srs.cli.app import DbOption, app, collection_path, echo
from srs.errors import DatabaseError, SrsError
from srs.storage.backup import list_backups, make_backup
from srs.storage.db import check_readable
from srs.storage.maintenance_store import restore_into


@app.command()
def backup(db: DbOption = None) -> None:
    """Make a backup of the collection now (the newest 7 are kept)."""
    path = collection_path(db)
    if not path.exists():
        raise SrsError(f"{path} does not exist")
    echo(f"backup written: {make_backup(path, 'manual')}")


@app.command()
def restore(
    file: Annotated[Path | None, typer.Argument(metavar="FILE", help="Backup to restore (omit to list backups).", show_default=False)] = None,
    db: DbOption = None,
) -> None:
    """List backups, or restore one (the current collection is backed up first)."""
    path = collection_path(db)
    if file is None:
        backups = list_backups(path)
        if not backups:
            echo(f"no backups of {path}")
        for item in reversed(backups):
            echo(f"{item}  ({item.stat().st_size // 1024} KiB)")
        return
    if not file.exists():
        raise SrsError(f"{file}: no such backup")
    try:
        check_readable(file)
    except DatabaseError as exc:
        raise SrsError(f"{file} is not a usable backup: {exc}") from None
    if path.exists():
        try:
            check_readable(path)
            echo(f"current collection backed up to {make_backup(path, 'before-restore')}")
        except DatabaseError:
            # A damaged file cannot be copied consistently; keep it aside, untouched, instead.
            aside = path.with_name(f"{path.name}.damaged-{datetime.now():%Y%m%d-%H%M%S}")
            path.rename(aside)
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            echo(f"the current collection is damaged; it was moved to {aside}")
    restore_into(file, path)
    echo(f"restored {file} into {path}")
