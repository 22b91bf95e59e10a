"""``srs backup`` and ``srs restore``: verified copies of the collection, and bringing one back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from srs.cli.app import DbOption, app, collection_path, echo
from srs.errors import BackupError, DatabaseError, SrsError
from srs.storage.backup import backups, collection_problem, from_the_future, make_backup, move_aside, restore_backup
from srs.storage.db import check_readable


@app.command()
def backup(db: DbOption = None) -> None:
    """Make a verified backup of the collection now (the newest 7 are kept)."""
    path = collection_path(db)
    if not path.exists():
        raise SrsError(f"{path} does not exist")
    echo(f"backup written: {make_backup(path, 'manual')}")


@app.command()
def restore(
    file: Annotated[Path | None, typer.Argument(metavar="FILE", help="Backup to restore (omit to list backups).", show_default=False)] = None,
    db: DbOption = None,
) -> None:
    """List this collection's backups, or restore one (the current collection is backed up, or moved aside if damaged)."""
    path = collection_path(db)
    if file is None:
        _list(path)
        return
    if not file.exists():
        raise SrsError(f"{file}: no such backup")
    problem = collection_problem(file)
    if problem is not None:
        raise SrsError(f"{file} is not a usable backup: {problem}; the collection was left as it was")
    if path.exists():
        _secure_current(path)
    restore_backup(file, path)
    echo(f"restored {file} into {path}")


def _list(path: Path) -> None:
    found = backups(path)
    if not found:
        echo(f"no backups of {path}")
    for item in reversed(found):
        problem = collection_problem(item.path, check="none")
        notes = []
        if problem is not None:
            notes.append(f"not usable: {problem}")
        if from_the_future(item):
            notes.append("dated in the future: made while the clock was wrong")
        size = f"{item.path.stat().st_size // 1024} KiB"
        echo(f"{item.path}  ({size}{''.join('; ' + note for note in notes)})")


def _secure_current(path: Path) -> None:
    """Back up the current collection before it is overwritten; a damaged one is moved aside instead."""
    try:
        check_readable(path)
        echo(f"current collection backed up to {make_backup(path, 'before-restore')}")
        return
    except BackupError as exc:
        if not exc.damaged:
            raise SrsError(f"{exc}; nothing was restored") from None
        reason = str(exc)
    except DatabaseError as exc:
        reason = str(exc)
    # A damaged file cannot be copied consistently; keep it aside, untouched, with its -wal and -shm.
    aside = move_aside(path)
    echo(f"the current collection is damaged ({reason}); it was moved to {aside}")
