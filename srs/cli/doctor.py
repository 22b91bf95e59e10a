"""``srs doctor``: check the collection and optionally repair it."""

from __future__ import annotations

from typing import Annotated

import typer

from srs.cli.app import DbOption, app, echo
from srs.doctor import examine, repair
from srs.errors import SrsError
from srs.storage import open_store
from srs.storage.backup import newest_backup
from srs.text import plural


@app.command()
def doctor(
    fix: Annotated[bool, typer.Option("--fix", help="Repair what can be repaired safely (a backup is made first).")] = False,
    db: DbOption = None,
) -> None:
    """Check the collection: integrity, foreign keys, card states, and each card's review log."""
    with open_store(db) as store:
        report = examine(store)
        echo(f"checked {report.cards_checked} cards and {report.reviews_checked} reviews")
        if report.integrity:
            for message in report.integrity[:20]:
                echo(f"  damaged: {message}")
            backup = newest_backup(store.path)
            hint = f"restore the newest backup with: srs restore {backup}" if backup else "no backup exists"
            raise SrsError(f"the database file is damaged and cannot be repaired in place; {hint}")
        for finding in report.findings:
            where = f"{finding.card_uid}: " if finding.card_uid else ""
            label = "problem" if finding.severity == "error" else "note"
            echo(f"  {label}: {where}{finding.message}" + (" (repairable)" if finding.repair else ""))
        if report.healthy:
            echo("no problems found")
            return
        if not fix:
            echo("run 'srs doctor --fix' to repair what can be repaired")
            raise typer.Exit(1)
        done = repair(store, report)
        echo(f"repaired {plural(done.count, 'card')}; backup before repair: {done.backup}")
        left = [f for f in done.report.findings if f.repair is None and f.severity == "error"]
        seen = {(f.card_uid, f.message) for f in report.findings}
        for finding in left:
            if (finding.card_uid, finding.message) not in seen:  # changed while the doctor ran (an answer in between)
                echo(f"  problem: {finding.card_uid + ': ' if finding.card_uid else ''}{finding.message}")
        if left:
            echo(f"{plural(len(left), 'problem')} could not be repaired safely (see above); 'srs restore' can bring back a backup")
            raise typer.Exit(1)
