"""``srs ingest``: turn study material (quiz sheets, notes, question lists, answer keys) into deck files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from srs.cli.app import app, echo
from srs.ingest.model import Shape


@app.command()
def ingest(
    sources: Annotated[list[Path], typer.Argument(metavar="SRC", help="Study material files: quiz answer sheets, study notes, question lists or answer keys.", show_default=False)],
    output: Annotated[
        str | None,
        typer.Option(
            "-o", "--output",
            help="Deck file to write. If it exists, new cards are merged in by id and cards already there are left exactly as they are. "
            "A folder (or a path ending in /) gets one deck file per quiz and per other file. Default: YAML to stdout.",
            show_default=False,
            metavar="FILE|DIR/",
        ),
    ] = None,
    shape: Annotated[
        Shape | None,
        typer.Option("--format", help="Read every file as this shape instead of detecting it.", case_sensitive=False, show_default=False),
    ] = None,
    deck: Annotated[
        str | None,
        typer.Option("--deck", help="Deck name (default: the file's title or name). A quiz with a deck of its own becomes NAME::NN quiz title.", show_default=False),
    ] = None,
    prefix: Annotated[
        str | None,
        typer.Option("--prefix", help="Id prefix instead of the file-name slug (ids are PREFIX/quiz03-q07, PREFIX/note-07...); '' for bare ids.", show_default=False),
    ] = None,
) -> None:
    """Turn study material into YAML deck cards; items missing a side become drafts (draft: true).

    Per file it reports the shape, the cards and drafts made, and path:line for every item read only partly.
    """
    from srs.ingest import ingest_files, plan_decks, render, write

    files = ingest_files(sources, shape, prefix)
    to_stdout = output is None
    report = (lambda text: typer.echo(text, err=True)) if to_stdout else echo
    for ingested in files:
        report(ingested.summary())
        for finding in ingested.findings:
            report(f"  {finding}")
    plans = plan_decks(files, output, deck)
    for plan in plans:
        if plan.hint:
            report(f"note: {plan.hint}")
    if to_stdout:
        sys.stdout.write(render(plans[0]))
        return
    for plan in plans:
        report(write(plan).summary())
