"""Backups: consistent copies of a collection that can be trusted, and bringing one back.

Each copy is made with SQLite's online backup API (never a file copy mid-write) into a hidden temp
file that already has the collection's file mode, verified (``integrity_check`` and the srs schema),
synced, and only then renamed to its final name: a failed copy (disk full, a damaged collection)
leaves no file behind and never displaces a good one.

Layout: ``backups/<collection file name>/<seq>-<YYYYmmdd-HHMMSS-ffffff>-<reason>.db`` beside the
collection. One folder per collection, so ``srs.db`` and ``srs-work.db`` never list or prune each
other's copies. Copies are ordered by the sequence number, not by the clock: a clock that was wrong
(in 2100, or set back) while a copy was made cannot make it outlive newer copies, nor get a fresh
copy pruned at once. Copies made before this layout (``backups/<stem>-<stamp>-<reason>.db``) are
still listed and restorable, never pruned.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from srs.errors import BackupError
from srs.storage.connection import file_uri
from srs.storage.failures import UNREADABLE_SCHEMA
from srs.storage.migrations import LATEST_VERSION

DEFAULT_KEEP = 7
SQLITE_HEADER = b"SQLite format 3\x00"
_STAMP = "%Y%m%d-%H%M%S-%f"
_WRITTEN_STAMP = re.compile(r"(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-(\d{6})")  # _STAMP as strftime writes it
_NAME = re.compile(r"(\d+)-(\d{8}-\d{6}-\d{6})-([a-z0-9]+(?:-[a-z0-9]+)*)\.db")
_LEGACY = r"-(\d{8}-\d{6}-\d{6})-([a-z0-9]+(?:-[a-z0-9]+)*)\.db"
# Tables every srs schema version has, with columns no other application's tables combine.
_SRS_COLUMNS = {"deck": {"id", "name"}, "card": {"id", "uid", "deck_id", "origin", "content_hash", "state"}, "review": {"id", "card_id", "rating", "before", "after"}}


@dataclass(frozen=True)
class Backup:
    """One backup file: its sequence number (0 for the old layout), when and why it was made."""

    path: Path
    seq: int
    made: datetime | None
    reason: str


def backups_root(db_path: Path) -> Path:
    """The ``backups`` folder beside the collection."""
    return db_path.parent / "backups"


def backup_dir(db_path: Path) -> Path:
    """Where backups of ``db_path`` go: ``backups/<file name>/`` beside it, one folder per collection."""
    return backups_root(db_path) / db_path.name


def make_backup(db_path: Path, reason: str, keep: int = DEFAULT_KEEP, now: datetime | None = None) -> Path:
    """Copy ``db_path`` into its backup folder, verified, keep the newest ``keep`` copies, return the copy's path.

    Raises ``BackupError`` (with ``damaged`` set when the collection itself failed verification); no file is left then.
    """
    folder = backup_dir(db_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        mode = stat.S_IMODE(db_path.stat().st_mode)
    except OSError as exc:
        raise BackupError(f"cannot back up {db_path}: {exc.strerror or exc}") from None
    remove_abandoned_copies(folder)
    stamp = (now or datetime.now()).strftime(_STAMP)
    slug = re.sub(r"[^a-z0-9]+", "-", reason.lower()).strip("-") or "manual"
    target = folder / f"{_next_seq(folder):05d}-{stamp}-{slug}.db"
    copy_verified(db_path, target, mode)
    prune_backups(db_path, keep)
    return target


def copy_verified(source: Path, target: Path, mode: int) -> None:
    """Copy the DB ``source`` to ``target`` through a temp file with ``mode``, verified and synced before the rename."""
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
            os.chmod(temp, mode)  # the umask may have narrowed it; a copy is as private (or shared) as its collection
        except OSError as exc:
            raise BackupError(f"cannot write a backup in {target.parent}: {exc.strerror or exc}") from None
        _copy_pages(source, temp)
        problem = collection_problem(temp, check="quick")
        if problem is not None:
            raise BackupError(f"the copy of {source} failed verification ({problem}); no backup was written", damaged=True)
        try:
            _fsync(temp)
            os.replace(temp, target)
            _fsync(target.parent)
        except OSError as exc:
            raise BackupError(f"cannot write a backup in {target.parent}: {exc.strerror or exc}; no backup was written") from None
    except BaseException:
        for leftover in (temp, *(Path(f"{temp}{suffix}") for suffix in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
        raise


_TEMP = re.compile(r"\..+\.(\d+)\.tmp(?:-journal|-wal|-shm)?")  # copy_verified's temp file (and SQLite's files beside it)


def remove_abandoned_copies(folder: Path) -> None:
    """Delete the temp files of copies whose process is gone (killed mid-copy: ``srs review`` copies in the
    background, and closing its terminal ends it); a live process's copy in progress is left alone."""
    try:
        names = [path for path in folder.iterdir() if _TEMP.fullmatch(path.name)]
    except OSError:
        return
    for path in names:
        if not _process_alive(int(_TEMP.fullmatch(path.name).group(1))):
            path.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine (another user's counts)."""
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except (ProcessLookupError, OverflowError):
        return False
    return True


def _copy_pages(source: Path, temp: Path) -> None:
    try:
        src = sqlite3.connect(file_uri(source, mode="ro"), uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot read {source}: {exc}", damaged=True) from None
    try:
        dest = sqlite3.connect(temp)
        try:
            src.backup(dest)
            # A copy of a WAL collection would be WAL too: every open (even read-only) would leave -wal and -shm files.
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
    except sqlite3.DatabaseError as exc:
        detail = str(exc)
        io_failure = isinstance(exc, sqlite3.OperationalError) and ("disk" in detail or "I/O" in detail or "full" in detail)
        raise BackupError(f"backup of {source} failed: {detail}; no backup was written", damaged=not io_failure) from None
    finally:
        src.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def collection_problem(path: Path, check: str = "integrity") -> str | None:
    """Why ``path`` is not a usable srs collection (None when it is).

    Checks that it is a regular, non-empty SQLite file with srs's tables and a schema version this srs knows,
    and then runs SQLite's ``check``: ``"integrity"`` (every page, and every index against its table: what
    ``restore`` trusts), ``"quick"`` (every page and record, not index contents: what a fresh copy gets, a
    seventh of the CPU on a 400 MB collection, ``bench/backup.py``) or ``"none"``.
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file"
        if info.st_size == 0:
            return "an empty file"
        with open(path, "rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return "not an SQLite database"
    except OSError as exc:
        return exc.strerror or str(exc)
    try:
        conn = sqlite3.connect(file_uri(path, mode="ro"), uri=True)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        if check != "none":
            found = [row[0] for row in conn.execute(f"PRAGMA {'integrity_check' if check == 'integrity' else 'quick_check'}(20)")]
            if found != ["ok"]:
                return "damaged: " + "; ".join(found[:3])
        return _schema_problem(conn)
    except sqlite3.DatabaseError as exc:
        return f"damaged: {exc}"
    except UnicodeDecodeError:  # SQLite's message quoted bytes that are not text (srs.storage.failures)
        return f"damaged: {UNREADABLE_SCHEMA}"
    finally:
        conn.close()


def _schema_problem(conn: sqlite3.Connection) -> str | None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for table, needed in _SRS_COLUMNS.items():
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if not needed <= columns:
            return "not an srs collection (another application's database, or an empty one)"
    if version < 1:
        return "not an srs collection (no schema version)"
    if version > LATEST_VERSION:
        return f"written by a newer srs (schema v{version}; this srs knows up to v{LATEST_VERSION})"
    return None


def _next_seq(folder: Path) -> int:
    return max((item.seq for item in _own(folder)), default=0) + 1


def _own(folder: Path) -> list[Backup]:
    """The backups in ``folder`` (this layout), in sequence order."""
    found = []
    if folder.is_dir():
        for path in folder.iterdir():
            match = _NAME.fullmatch(path.name)
            if match:
                found.append(Backup(path, int(match.group(1)), _parse_stamp(match.group(2)), match.group(3)))
    return sorted(found, key=lambda b: (b.seq, b.path.name))


def _legacy(db_path: Path) -> list[Backup]:
    """Copies from before the per-collection folders: ``backups/<stem>-<stamp>-<reason>.db``, by stamp."""
    root = backups_root(db_path)
    pattern = re.compile(re.escape(db_path.stem) + _LEGACY)
    found = []
    if root.is_dir():
        for path in root.iterdir():
            match = pattern.fullmatch(path.name)
            if match and path.is_file():
                found.append(Backup(path, 0, _parse_stamp(match.group(1)), match.group(2)))
    return sorted(found, key=lambda b: b.path.name)


def _parse_stamp(text: str) -> datetime | None:
    # The stamps srs writes are read without strptime, whose first use costs every start-up a few ms
    # (it imports and compiles its locale-aware patterns); any other spelling goes through it.
    written = _WRITTEN_STAMP.fullmatch(text)
    try:
        if written:
            return datetime(*map(int, written.groups()))
        return datetime.strptime(text, _STAMP)
    except ValueError:
        return None


def backups(db_path: Path) -> list[Backup]:
    """Backups of ``db_path`` (and of no other collection), oldest first."""
    return _legacy(db_path) + _own(backup_dir(db_path))


def list_backups(db_path: Path) -> list[Path]:
    """Paths of the backups of ``db_path``, oldest first."""
    return [item.path for item in backups(db_path)]


def newest_backup(db_path: Path) -> Path | None:
    """The most recent backup of ``db_path`` that is an srs collection (never an empty or foreign file), if any."""
    for item in reversed(backups(db_path)):
        if collection_problem(item.path, check="none") is None:
            return item.path
    return None


# Names carry local time: a copy made just before the clocks go back an hour is not "from the future".
_CLOCK_SLACK = timedelta(hours=2)


def from_the_future(item: Backup, now: datetime | None = None) -> bool:
    """Whether a backup's name dates it after ``now``: it was made while the clock was wrong."""
    return item.made is not None and item.made > (now or datetime.now()) + _CLOCK_SLACK


def prune_backups(db_path: Path, keep: int) -> None:
    """Keep the newest ``keep`` backups that are SQLite files; delete older ones and any that are not.

    Only this collection's folder is touched, so a failed or foreign file never costs a good backup its place.
    """
    if keep <= 0:
        return
    good = []
    for item in _own(backup_dir(db_path)):
        if _is_sqlite_file(item.path):
            good.append(item)
        else:
            item.path.unlink(missing_ok=True)
    for old in good[:-keep]:
        old.path.unlink(missing_ok=True)


def _is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def daily_backup(db_path: Path, now: datetime | None = None, keep: int = DEFAULT_KEEP) -> Path | None:
    """Back up ``db_path`` unless its newest backup was made in the last 24 hours. Returns the new copy, if any.

    The age comes from the backup's name, and a backup dated in the future (made under a wrong clock) does not
    count as recent: one wrong clock cannot stop the daily copies.
    """
    now = now or datetime.now()
    remove_abandoned_copies(backup_dir(db_path))  # also on the days no copy is due: an interrupted one is ~the collection's size
    own = _own(backup_dir(db_path))
    newest = own[-1] if own else None
    if newest is not None and newest.made is not None and -_CLOCK_SLACK <= now - newest.made < timedelta(days=1):
        return None
    return make_backup(db_path, "daily", keep, now)


def restore_backup(source: Path, target: Path) -> None:
    """Bring the verified backup ``source`` back as the collection ``target``.

    An existing ``target`` is overwritten through SQLite's backup API (one transaction, its WAL and other open
    connections included); a missing one is written to a temp file, verified and renamed.
    """
    if not target.exists():
        copy_verified(source, target, stat.S_IMODE(source.stat().st_mode))
        return
    src = sqlite3.connect(file_uri(source, mode="ro"), uri=True)
    try:
        dest = sqlite3.connect(target)
        try:
            dest.execute("PRAGMA busy_timeout = 30000")
            resized = _leave_wal_for_another_page_size(src, dest, target)
            src.backup(dest)
            if resized:
                dest.execute("PRAGMA journal_mode = WAL")
        finally:
            dest.close()
    finally:
        src.close()


def _leave_wal_for_another_page_size(src: sqlite3.Connection, dest: sqlite3.Connection, target: Path) -> bool:
    """Take ``dest`` out of WAL mode when the backup's pages are of another size (new collections have 2 KB pages,
    older ones 4 KB): SQLite's backup cannot change the page size of a WAL database. Whether it did."""
    if src.execute("PRAGMA page_size").fetchone()[0] == dest.execute("PRAGMA page_size").fetchone()[0]:
        return False
    if dest.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        return False
    try:
        left = dest.execute("PRAGMA journal_mode = DELETE").fetchone()[0].lower() != "wal"
    except sqlite3.OperationalError:  # busy: another connection has it open
        left = False
    if not left:
        raise BackupError(f"{target} is open in another program (another srs window?); close it and restore again; nothing was changed")
    return True


def move_aside(path: Path, now: datetime | None = None) -> Path:
    """Rename a damaged collection out of the way, with its ``-wal``, ``-shm`` and ``-journal`` (committed answers
    may live in the ``-wal``), so SQLite still finds them beside it. Returns the new path."""
    aside = path.with_name(f"{path.name}.damaged-{(now or datetime.now()):%Y%m%d-%H%M%S}")
    path.rename(aside)
    for suffix in ("-wal", "-shm", "-journal"):
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            companion.rename(Path(f"{aside}{suffix}"))
    return aside
