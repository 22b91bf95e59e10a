"""Opening a collection and starting the review screen, without the typer application.

``srs review`` goes through ``srs.entry`` straight to ``run_review`` (no typer, no click: about a
sixth of its cold start, measured with bench/tui.py --cold-only); the typer command ``srs.cli.review``
calls the same functions, as do the other commands for ``open_collection_at`` and
``require_terminal``. Failures are reported as ``srs: error: ...`` by ``report_failure`` on both paths.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from pathlib import Path

from srs.errors import BackupError, SrsError
from srs.storage import Store, open_store

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130


def chosen_collection(chosen: str | Path | None) -> Path:
    """The collection at ``chosen`` (a --db value), else $SRS_DB or the default."""
    if chosen:
        return Path(chosen).expanduser()
    from srs.storage import default_db_path

    return default_db_path()


def open_collection_at(path: Path, backup: bool = True) -> Store:
    """Open the DB at ``path``, ready to study: a new one gets the bundled decks, an existing one their updates.

    ``backup``: make today's backup first, if it is due (``srs review`` makes it in the background instead: see
    ``BackgroundBackup``).
    """
    from srs.decks.bundled import bundled_unchanged

    store = open_store(path)
    try:
        if backup and not store.created:
            _daily_backup(store.path)
        if not bundled_unchanged(store, first_use=store.created):
            from srs.decks.sync import refresh_bundled

            refresh_bundled(store, first_use=store.created)
    except BaseException:
        store.close()
        raise
    return store


def _daily_backup(path: Path) -> None:
    """Today's backup; one that cannot be made is a warning, never a reason to refuse today's study."""
    problem = _daily_backup_problem(path)
    if problem is not None:
        warn(problem)


def _daily_backup_problem(path: Path) -> str | None:
    """Make today's backup if it is due; why it could not be made, as a warning's text (None: made, or not due)."""
    from srs.storage.backup import backup_dir, daily_backup

    try:
        daily_backup(path)
    except BackupError as exc:
        check = "; run 'srs doctor'" if exc.damaged else ""
        return f"today's backup was not made: {exc}{check}"
    except (OSError, sqlite3.Error) as exc:
        return f"could not back up the collection into {backup_dir(path)}: {exc}"
    return None


class BackgroundBackup:
    """Today's backup made in a thread once the review screen is up, instead of before its first card.

    A verified copy of 100k cards and 1M reviews takes ~1.2 s (bench/backup.py), which the day's first
    ``srs review`` used to wait for before drawing anything. SQLite's copy and check release the GIL, so the screen
    and the answers go on meanwhile (in WAL mode the copy's read does not block them). The copy is of the collection
    as it was when the copy began; an interrupted one leaves no file (``make_backup`` removes a dead process's).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problem: str | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Begin the backup in a thread (a second call does nothing)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._make, name="srs-daily-backup")
            self._thread.start()

    def finish(self) -> None:
        """Wait for the backup (or make it now, if it was never started), then print its warning, if any."""
        if self._thread is None:
            self._make()
        else:
            self._thread.join()
        if self.problem is not None:
            warn(self.problem)

    def _make(self) -> None:
        self.problem = _daily_backup_problem(self.path)


def warn(text: str) -> None:
    """``srs: warning: ...`` on stderr (best effort: a closed or full stderr is not an error)."""
    try:
        print(f"srs: warning: {text}", file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):
        pass


def _is_terminal(stream) -> bool:
    try:
        return stream is not None and os.isatty(stream.fileno())
    except (OSError, ValueError):  # closed, or a stream without a file descriptor
        return False


def require_terminal(command: str) -> None:
    """Refuse to open a full-screen command without a terminal to read keys from and draw on.

    Textual reads keys from stdin and draws on stderr (``sys.__stdin__``, ``sys.__stderr__``). From
    /dev/null it would poll for keys forever at 70% CPU; with stdin closed it died with a traceback.
    """
    scripts = "from scripts use 'srs due' and 'srs answer ID RATING'"
    if not _is_terminal(sys.__stdin__):
        raise SrsError(f"srs {command} needs a terminal: standard input is not one (redirected or closed); run it in a terminal, or {scripts}")
    if not _is_terminal(sys.__stderr__):
        raise SrsError(f"srs {command} needs a terminal: standard error is not one (the screen is drawn there); do not redirect it, or {scripts}")


def run_review(store: Store, deck: str | None, tag: str | None) -> None:
    """``srs review`` on an open collection: the deck list, or the cards of ``deck``/``tag`` at once.

    The caller has checked for a terminal (``require_terminal``) before opening the collection."""
    from srs.clock import local_zone, utc_now
    from srs.gcpause import pause_for_startup, resume_after_startup
    from srs.model import Scope
    from srs.review import check_deck

    check_deck(store, deck)
    autosync = _autosync_enabled(store)
    if autosync:
        _autosync(store, "open")
    scope = Scope(deck=deck, tag=tag) if deck or tag else None
    zone = local_zone()
    # The session is opened before Textual is imported: the first frame then shows the first card.
    from srs.tui.steps import Opening

    opening = Opening(store, scope, zone, utc_now()) if scope is not None else None
    backup = None if store.created else BackgroundBackup(store.path)  # a new collection has nothing to lose yet
    pause_for_startup()  # SrsApp turns it back on once its first screen is up
    try:
        from srs.tui.app import SrsApp

        SrsApp(store, scope, zone=zone, opening=opening, after_start=backup.start if backup else None).run()
    finally:
        resume_after_startup()
        if backup is not None:
            backup.finish()
    if autosync:
        _autosync(store, "close")


def _autosync_enabled(store: Store) -> bool:
    """`srs config remote_autosync true` and a remote is set."""
    from srs.settings import load

    if not load(store).remote_autosync:
        return False
    from srs.remote.status import remote_status  # only then: most start-ups have autosync off

    return remote_status(store).url is not None


def _autosync(store: Store, when: str) -> None:
    """Sync with the remote; a failure is reported and studying goes on offline (nothing is lost)."""
    from srs.remote.sync import sync

    try:
        result = sync(store)
    except SrsError as exc:
        print(f"srs: remote sync on {when} failed, working offline: {exc}", file=sys.stderr, flush=True)
        return
    if when == "close":
        print(f"remote: sent {result.sent}, received {result.received} event(s)", flush=True)


def report_failure(exc: BaseException) -> int | None:
    """Print ``srs: error: ...`` for a failure every command reports alike; its exit code (None: not one of those)."""
    if isinstance(exc, SrsError):
        message = str(exc)
    elif isinstance(exc, sqlite3.DatabaseError):
        message = _database_failure(exc)
    elif isinstance(exc, UnicodeDecodeError):  # SQLite's message on a damaged file quoted bytes that are not text
        message = _database_failure(sqlite3.DatabaseError(f"the collection holds bytes that are not text: {exc}"))
    elif isinstance(exc, (OSError, UnicodeError)):  # after the SQLite errors: a full disk for the output, a closed pipe...
        silence_stdout()
        message = _os_failure(exc)
    elif isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    else:
        return None
    fail_message(message)
    return EXIT_ERROR


def fail_message(message: str) -> None:
    """``srs: error: MESSAGE`` on stderr (best effort: the exit status still tells)."""
    try:
        print(f"srs: error: {message}", file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):  # stderr closed or full
        pass


def silence_stdout() -> None:
    """Send what is left in stdout's buffer, and any later output, to /dev/null.

    After a failed write (a full disk, a closed pipe) the buffer still holds the text, and Python's
    flush at exit would fail again and turn the exit status into 120.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _os_failure(exc: OSError | UnicodeError) -> str:
    if isinstance(exc, UnicodeError):
        return f"could not write the output: {exc}"
    if exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}"
    return f"could not write the output or a file: {exc.strerror or exc}"


def _database_failure(exc: sqlite3.Error) -> str:
    """A user-facing message for an SQLite failure that escaped the library: its cause, and what to do."""
    from srs.storage import db, default_db_path
    from srs.storage.failures import explain

    return explain(exc, db.last_opened or default_db_path())


def replace_unencodable_output() -> None:
    """Print '?' for characters the output encoding lacks (PYTHONIOENCODING=ascii) rather than fail."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="replace" if stream is sys.stdout else "backslashreplace")
            except (OSError, ValueError):
                pass
