"""``srs sync``: load deck files into the collection."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from srs.cli.app import DbOption, app, echo, open_collection
from srs.decks import bundled_decks_dir, sync_paths
from srs.errors import DeckError, SrsError
from srs.text import plural


@app.command()
def sync(
    paths: Annotated[list[Path] | None, typer.Argument(help="Deck files or folders (default: the bundled decks).", show_default=False)] = None,
    db: DbOption = None,
    force: Annotated[bool, typer.Option("--force", help="Re-read files even if their content hash is unchanged.")] = False,
) -> None:
    """Validate deck files and apply them to the collection in one transaction.

    If any file has an error, every error is printed as path:line:col and nothing changes.
    """
    with open_collection(db) as store:
        try:
            report = sync_paths(store, paths or [bundled_decks_dir()], force=force)
        except DeckError as exc:
            for problem in exc.problems:
                typer.echo(str(problem), err=True)
            raise SrsError(f"{plural(len(exc.problems), 'error')} in deck files; the collection was not changed") from None
    echo(
        f"added {len(report.added)}, updated {len(report.updated)}, retired {len(report.retired)}, "
        f"restored {len(report.restored)}, unchanged {report.unchanged}"
        + (f" ({plural(report.skipped_files, 'file')} unchanged since last sync)" if report.skipped_files else "")
    )
    for label, uids in (("added", report.added), ("updated", report.updated), ("restored", report.restored), ("retired", report.retired)):
        if uids and (label in ("retired", "restored") or len(uids) <= 20):
            echo(f"  {label}: {', '.join(uids)}")
    if not report.changed:
        echo("no change")
