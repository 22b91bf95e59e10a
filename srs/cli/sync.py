"""``srs sync``: load deck files into the collection."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from srs.cli.app import DbOption, JsonOption, app, echo, open_collection, problem_json, wants_json
from srs.decks import bundled_decks_dir, sync_paths
from srs.errors import DeckError, SrsError
from srs.text import plural


@app.command()
def sync(
    paths: Annotated[list[Path] | None, typer.Argument(metavar="PATH", help="Deck files or folders (default: the bundled decks, or your fork of them).", show_default=False)] = None,
    db: DbOption = None,
    force: Annotated[bool, typer.Option("--force", help="Re-read files even if their content hash is unchanged.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Validate deck files and apply them to the collection in one transaction.

    If any file has an error, every error is printed as path:line:col and nothing changes.
    """
    with open_collection(db) as store:
        try:
            report = sync_paths(store, paths or [_default_folder(store, as_json)], force=force)
        except DeckError as exc:
            if wants_json(as_json):
                echo(json.dumps({"changed": False, "errors": [problem_json(p) for p in exc.problems]}, indent=2, ensure_ascii=False))
            else:
                for problem in exc.problems:
                    typer.echo(str(problem), err=True)
            raise SrsError(f"{plural(len(exc.problems), 'error')} in deck files; the collection was not changed") from None
    if wants_json(as_json):
        echo(json.dumps({
            "changed": report.changed, "errors": [],
            "added": report.added, "updated": report.updated, "retired": report.retired, "restored": report.restored,
            "unchanged": report.unchanged, "unchanged_files": report.skipped_files,
        }, indent=2, ensure_ascii=False))
        return
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


def _default_folder(store, as_json: bool) -> Path:
    """The bundled decks, or the folder they were forked to (``srs decks fork``) in this collection."""
    from srs.decks.fork import forked_to

    fork = forked_to(store)
    if fork is None:
        return bundled_decks_dir()
    if not wants_json(as_json):
        echo(f"syncing {fork} (this collection's copy of the bundled decks)")
    return fork
