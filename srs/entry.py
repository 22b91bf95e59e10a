"""The ``srs`` console script: a plain ``srs review`` starts without the typer application.

Importing typer (and its vendored click) and building the command tree is about a sixth of the review's
cold start to its first card (bench/tui.py --cold-only). ``srs review`` with only ``--deck``, ``--tag`` and
``--db`` (before or after the command word) is read here and run by ``srs.launch.run_review``, as the
typer command runs it; any other command line (help, completion, an unknown or repeated option, a
value that looks like an option) goes to ``srs.cli.main`` unchanged, so help and errors are typer's.
"""

from __future__ import annotations

import os
import sys

GLOBAL_OPTIONS = ("--db",)
REVIEW_OPTIONS = ("--deck", "--tag", "--db")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``argv`` defaults to the process's arguments); always exits."""
    args = sys.argv[1:] if argv is None else argv
    completing = "_SRS_COMPLETE" in os.environ  # shell completion asking typer, whatever the words
    review = None if completing else review_options(args)
    if review is None:
        from srs.cli import main as cli_main

        cli_main(argv)
    sys.exit(_review(**review))


def review_options(args: list[str]) -> dict[str, str | None] | None:
    """``{"global_db", "db", "deck", "tag"}`` of a plain ``srs review`` command line, else None."""
    global_part, command = _options(args, GLOBAL_OPTIONS)
    if global_part is None or command[:1] != ["review"]:
        return None
    review_part, rest = _options(command[1:], REVIEW_OPTIONS)
    if review_part is None or rest:
        return None
    return {"global_db": global_part.get("--db"), "db": review_part.get("--db"), "deck": review_part.get("--deck"), "tag": review_part.get("--tag")}


def _options(args: list[str], names: tuple[str, ...]) -> tuple[dict[str, str] | None, list[str]]:
    """The leading ``--name value`` / ``--name=value`` pairs of ``args`` and what follows them; None if one is
    unusual (given twice, without a value, an empty value, or a value starting with '-')."""
    found: dict[str, str] = {}
    index = 0
    while index < len(args) and args[index].startswith("-"):
        name, equals, value = args[index].partition("=")
        if name not in names or name in found:
            return None, []
        if not equals:
            if index + 1 >= len(args):
                return None, []
            index += 1
            value = args[index]
        if not value or value.startswith("-"):
            return None, []
        found[name] = value
        index += 1
    return found, args[index:]


def _review(global_db: str | None, db: str | None, deck: str | None, tag: str | None) -> int:
    """Run the review; the exit code, failures reported as the typer path reports them."""
    from srs.gcpause import pause_for_startup, resume_after_startup

    pause_for_startup()  # as srs.cli does while its modules are imported; SrsApp resumes it at the first card
    try:
        from srs.launch import chosen_collection, open_collection_at, replace_unencodable_output, report_failure, require_terminal, run_review

        replace_unencodable_output()
        try:
            require_terminal("review")  # before the collection: refused, it creates nothing
            with open_collection_at(chosen_collection(db or global_db), backup=False) as store:  # run_review makes it
                run_review(store, deck, tag)
        except (Exception, KeyboardInterrupt) as exc:
            code = report_failure(exc)
            if code is None:
                raise
            return code
        return 0
    finally:
        resume_after_startup()

