"""``srs doctor``: check the collection and optionally repair it."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from srs.cli.app import DbOption, JsonOption, app, collection_path, echo, wants_json
from srs.doctor import Report, examine, repair
from srs.errors import SrsError
from srs.storage import open_store
from srs.storage.backup import newest_backup


@app.command()
def doctor(
    fix: Annotated[bool, typer.Option("--fix", help="Repair what can be repaired safely (a backup is made first).")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check the collection: integrity, foreign keys, card states, and each card's review log.

    Exits 1 while problems remain (damaged file, or problems not repaired).
    """
    with open_store(collection_path(db)) as store:
        report = examine(store)
        repaired, backup = repair(store, report) if fix and not report.integrity and not report.healthy else (0, None)
        restore_from = newest_backup(store.path) if report.integrity else None
    left = [f for f in report.findings if f.severity == "error" and (not fix or f.repair is None)]
    if wants_json(as_json):
        echo(json.dumps(_as_json(report, fix, repaired, backup, restore_from), indent=2, ensure_ascii=False))
    else:
        _print(report, fix, repaired, backup, left)
    if report.integrity:
        hint = f"restore the newest backup with: srs restore {restore_from}" if restore_from else "no backup exists"
        raise SrsError(f"the database file is damaged and cannot be repaired in place; {hint}")
    if left:
        raise typer.Exit(1)


def _print(report: Report, fix: bool, repaired: int, backup, left: list) -> None:
    echo(f"checked {report.cards_checked} cards and {report.reviews_checked} reviews")
    for message in report.integrity[:20]:
        echo(f"  damaged: {message}")
    if report.integrity:
        return
    for finding in report.findings:
        where = f"{finding.card_uid}: " if finding.card_uid else ""
        label = "problem" if finding.severity == "error" else "note"
        echo(f"  {label}: {where}{finding.message}" + (" (repairable)" if finding.repair else ""))
    if report.healthy:
        echo("no problems found")
    elif not fix:
        echo("run 'srs doctor --fix' to repair what can be repaired")
    else:
        echo(f"repaired {repaired} card(s); backup before repair: {backup}")
        if left:
            echo(f"{len(left)} problem(s) could not be repaired safely (see above); 'srs restore' can bring back a backup")


def _as_json(report: Report, fix: bool, repaired: int, backup, restore_from) -> dict:
    return {
        "cards_checked": report.cards_checked,
        "reviews_checked": report.reviews_checked,
        "healthy": report.healthy,
        "damaged": report.integrity,
        "findings": [
            {"card": f.card_uid, "severity": f.severity, "message": f.message, "repairable": f.repair is not None}
            for f in report.findings
        ],
        "repaired": repaired if fix else None,
        "backup": str(backup) if backup else None,
        "newest_backup": str(restore_from) if restore_from else None,
    }
