"""``srs doctor``: check the collection and optionally repair it."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from srs.cli.app import DbOption, JsonOption, app, collection_path, echo, wants_json
from srs.doctor import Repair, Report, examine, repair
from srs.errors import SrsError
from srs.storage import open_store
from srs.storage.backup import newest_backup
from srs.text import plural


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
        done = repair(store, report) if fix and not report.integrity and not report.healthy else None
        restore_from = newest_backup(store.path) if report.integrity else None
    final = done.report if done is not None else report
    left = [f for f in final.findings if f.severity == "error" and (done is None or f.repair is None)]
    if wants_json(as_json):
        echo(json.dumps(_as_json(report, done, left, restore_from), indent=2, ensure_ascii=False))
    else:
        _print(report, fix, done, left)
    if report.integrity:
        hint = f"restore the newest backup with: srs restore {restore_from}" if restore_from else "no backup exists"
        raise SrsError(f"the database file is damaged and cannot be repaired in place; {hint}")
    if left:
        raise typer.Exit(1)


def _print(report: Report, fix: bool, done: Repair | None, left: list) -> None:
    echo(f"checked {plural(report.cards_checked, 'card')} and {plural(report.reviews_checked, 'review')}")
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
        return
    if not fix or done is None:
        if any(f.repair is not None for f in report.findings):
            echo("run 'srs doctor --fix' to repair what can be repaired")
        return
    if done.backup is not None:
        echo(f"repaired {plural(done.count, 'card')}; backup before repair: {done.backup}")
    seen = {(f.card_uid, f.message) for f in report.findings}
    for finding in left:
        if (finding.card_uid, finding.message) not in seen:  # changed while the doctor ran (an answer in between)
            echo(f"  problem: {finding.card_uid + ': ' if finding.card_uid else ''}{finding.message}")
    if left:
        remedies = sorted({finding.remedy for finding in left if finding.remedy})
        echo(f"{plural(len(left), 'problem')} could not be repaired safely (see above)" + "".join(f"; {remedy}" for remedy in remedies))


def _as_json(report: Report, done: Repair | None, left: list, restore_from) -> dict:
    return {
        "cards_checked": report.cards_checked,
        "reviews_checked": report.reviews_checked,
        "healthy": report.healthy,
        "damaged": report.integrity,
        "findings": [
            {"card": f.card_uid, "severity": f.severity, "message": f.message, "repairable": f.repair is not None}
            for f in report.findings
        ],
        "repaired": done.count if done is not None else None,
        "backup": str(done.backup) if done is not None and done.backup else None,
        "problems_left": len(left),
        "newest_backup": str(restore_from) if restore_from else None,
    }
