"""``srs import anki``: an Anki package's notes into deck files, and its review history into the collection."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from srs.cli.app import DbOption, app, echo, open_collection

import_app = typer.Typer(
    name="import",
    help="Import cards and review history from other apps.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
app.add_typer(import_app, name="import")

MAX_LISTED = 10


def _listed(ids: list[str]) -> str:
    shown = ", ".join(ids[:MAX_LISTED])
    return shown + (f" and {len(ids) - MAX_LISTED} more" if len(ids) > MAX_LISTED else "")


def _shown(value: object) -> str:
    if isinstance(value, list):
        return " ".join(f"{v:.4g}" for v in value)
    return str(value)


@import_app.command("anki")
def anki(
    package: Annotated[Path, typer.Argument(metavar="FILE", help="The Anki package: a .apkg (decks) or .colpkg (a whole collection).", show_default=False)],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Folder for the deck files (media go in its media/ folder).", show_default="a folder named after the package", metavar="DIR/"),
    ] = None,
    db: DbOption = None,
) -> None:
    """Import an Anki package: its notes become deck files, its reviews join your history.

    Basic, Basic-and-reversed and Cloze notes become cards (HTML turned into Markdown where it is simple),
    media are copied beside the deck files, and each card's FSRS state is replayed from its reviews.
    Importing the same package again updates the cards (ids come from the note GUIDs) and adds only
    reviews that are new. Notes of other types are listed, not imported. Notes that srs exported
    are matched to your cards by GUID: only their new reviews come in.
    """
    from srs.importers.anki.importer import import_anki

    with open_collection(db) as store:
        result = import_anki(store, package, output)
    for plan in result.files:
        what = "wrote" if plan.changed else "kept"
        parts = [f"{len(plan.added)} new", f"{len(plan.updated)} updated"] + ([f"{len(plan.removed)} moved to another deck"] if plan.removed else [])
        echo(f"{what} {plan.path}: deck '{plan.deck}', {', '.join(parts)}")
    echo(f"{result.notes} note(s) -> {result.cards} card(s); collection: {len(result.sync.added)} added, {len(result.sync.updated)} updated")
    if result.srs_cards or result.srs_unknown:
        echo(f"{result.srs_cards} note(s) exported by srs matched to your cards" + (f"; {result.srs_unknown} not in this collection, skipped" if result.srs_unknown else ""))
    history = result.history
    echo(f"reviews: {history.added} new, {history.known} already in your history; {history.cards} card(s) replayed")
    if result.media_copied or result.media_missing:
        echo(f"media: {len(result.media_copied)} file(s) in {result.folder / 'media'}" + (f"; missing from the package: {_listed(result.media_missing)}" if result.media_missing else ""))
    for name, count in result.unsupported.items():
        echo(f"not imported: {count} note(s) of type '{name}' (srs imports Basic-like note types, one field asked and others answered, and Cloze-like ones)")
    if result.cloze_refused:
        echo(f"not imported: {len(result.cloze_refused)} cloze note(s) srs cannot hold: "
             + "; ".join(f"{uid}: {why}" for uid, why in result.cloze_refused[:MAX_LISTED]) + (" ..." if len(result.cloze_refused) > MAX_LISTED else ""))
    if result.kept_html:
        echo(f"kept as HTML (not simple enough for Markdown): {_listed(result.kept_html)}")
    if result.drafts:
        echo(f"drafts (a side is empty; finish them, then remove 'draft: true'): {_listed(result.drafts)}")
    if result.incomplete:
        echo(f"history without its first learning answers (replayed from the first answer; Anki guesses a start state): {_listed(result.incomplete)}")
    if result.rollover_differs:
        theirs, ours = result.rollover_differs
        echo(f"note: Anki starts the next day at {theirs}:00, srs at {ours}:00, so answers near that hour may count on another day than in Anki "
             f"(srs config day_starts_at {theirs} to match)")
    for deck, values in result.settings.items():
        echo(f"settings of deck '{deck}' from its Anki preset: " + ", ".join(f"{key}={_shown(value)}" for key, value in values.items()))
    for preset, skipped in result.settings_skipped.items():
        echo(f"not taken from Anki preset '{preset}': {'; '.join(skipped)}")
    if result.presets_unreadable:
        echo(f"note: the package's deck options could not be read ({result.presets_unreadable}); srs's settings were kept")
    if history.rewritten:
        echo(f"log rewritten in time order (reviews from Anki fell between yours): {_listed(history.rewritten)}")
