"""``srs remote``: share progress between devices through a PostgreSQL server or a SQLite file."""

from __future__ import annotations

from typing import Annotated

import typer

from srs.cli.app import DbOption, app, echo, open_collection

remote_app = typer.Typer(
    help="Share progress between devices: a PostgreSQL server or a SQLite file holds every device's reviews.",
    no_args_is_help=False,
    rich_markup_mode=None,
)
app.add_typer(remote_app, name="remote")


def _when(moment) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z") if moment else "never"


@remote_app.callback(invoke_without_command=True)
def show(ctx: typer.Context, db: DbOption = None) -> None:
    """Show the remote, the last sync and the events waiting to be sent."""
    if ctx.invoked_subcommand is not None:
        return
    from srs.remote import sync as remote_sync
    from srs.remote.store import describe

    with open_collection(db) as store:
        state = remote_sync.status(store)
    if state.url is None:
        echo("No remote. Add one with: srs remote add URL   (postgresql://... or a SQLite file path)")
        return
    echo(f"remote:     {describe(state.url)}")
    echo(f"collection: {state.collection}")
    echo(f"device:     {state.device}")
    echo(f"last sync:  {_when(state.last_sync)}")
    echo(f"waiting:    {state.waiting} event(s) to send")


@remote_app.command("add")
def add(
    url: Annotated[str, typer.Argument(metavar="URL", help="postgresql://USER[:PASSWORD]@HOST/DB, or the path of a SQLite file (e.g. on a shared drive).")],
    collection: Annotated[str, typer.Option("--collection", help="Name of your collection in the store; devices with the same name share it.")] = "default",
    db: DbOption = None,
) -> None:
    """Name the shared store this collection syncs with (its tables are created if missing)."""
    from srs.remote import sync as remote_sync
    from srs.remote.store import describe

    with open_collection(db) as store:
        remote_sync.add(store, url, collection)
    echo(f"remote set: {describe(url)}, collection '{collection}'. Sync now with: srs remote sync")


@remote_app.command("sync")
def sync(db: DbOption = None) -> None:
    """Send this device's reviews and changes, receive the other devices', and merge them."""
    from srs.remote import sync as remote_sync

    with open_collection(db) as store:
        result = remote_sync.sync(store)
    echo(summary(result))


def summary(result) -> str:
    """One line about a sync."""
    text = f"synced: sent {result.sent}, received {result.received} event(s); {result.cards} card(s) updated"
    if result.recomputed:
        text += f", {result.recomputed} review(s) recomputed where devices overlapped"
    if result.waiting_for_cards:
        text += f"; {result.waiting_for_cards} review(s) wait for cards this collection lacks (sync their deck files)"
    return text


@remote_app.command("remove")
def remove(db: DbOption = None) -> None:
    """Stop syncing (the store and this collection keep everything)."""
    from srs.remote import sync as remote_sync

    with open_collection(db) as store:
        had = remote_sync.remove(store)
    echo("remote removed" if had else "no remote was set")


@remote_app.command("init")
def init(
    url: Annotated[str, typer.Argument(metavar="URL", help="The store, as its owner or a PostgreSQL superuser.")],
    learner: Annotated[list[str] | None, typer.Option("--learner", help="Also create this PostgreSQL login role for a learner (repeatable).")] = None,
    password: Annotated[str | None, typer.Option("--password", help="Password for the new learner roles.")] = None,
) -> None:
    """Create the store's tables; on PostgreSQL also row-level security and the srs_learner group."""
    from sqlalchemy.exc import SQLAlchemyError

    from srs.remote.store import RemoteError, RemoteStore, add_learner, describe, failure_text

    remote = RemoteStore(url)
    try:
        remote.create_schema()
        for name in learner or []:
            if not remote.is_postgres:
                raise RemoteError("learner roles exist only on PostgreSQL; a SQLite file store has one user")
            add_learner(remote.engine, name, password)
    except SQLAlchemyError as exc:
        raise RemoteError(f"cannot set up {describe(url)}: {failure_text(exc)}") from None
    finally:
        remote.close()
    echo(f"store ready: {describe(url)}" + (f"; learners: {', '.join(learner)}" if learner else ""))
