"""Hash what `srs import anki` produces, to check that a change leaves the output byte for byte as it was.

Imports a package (default: bench/import.py's, which must exist) into a fresh collection at a fixed moment, then
optionally a second package into the same collection and folder (a re-import: new answers merged into logs),
and prints one digest of the deck files' bytes and of every table's rows. What differs between runs by design
is masked: the random part of each review's global id, the deck files' stat fields (recorded or not by how
long ago the file was written), this device's id.
Run it in TZ=UTC and TZ=Europe/Berlin (study days differ), before and after a change, and compare the lines.

Run: TZ=Europe/Berlin .venv/bin/python bench/import_digest.py [FIRST.apkg [SECOND.apkg]]
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

time.tzset()

from srs.importers.anki.importer import import_anki  # noqa: E402
from srs.storage import open_store  # noqa: E402

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
MASKED = {("review", "uid"): "substr(uid, 1, 13)", ("sync_file", "size"): "0", ("sync_file", "mtime_ns"): "0", ("sync_file", "ctime_ns"): "0",
          ("sync_file", "inode"): "0", ("sync_state", "value"): "0"}


def digest(store, folder: Path) -> str:
    """One hash of every file under ``folder`` (relative names and bytes) and every table's rows in rowid order."""
    total = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            total.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    with store.read() as conn:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall():
            columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]
            select = ", ".join(MASKED.get((table, column), f'quote("{column}")') for column in columns)
            order = "" if table == "sqlite_sequence" else " ORDER BY rowid"
            for row in conn.execute(f'SELECT {select} FROM "{table}"{order}'):
                total.update(repr((table, row)).encode())
    return total.hexdigest()[:20]


def main() -> None:
    default = Path(__file__).resolve().parent / "out" / "import-10000-notes.apkg"
    packages = [Path(arg) for arg in sys.argv[1:3]] or [default]
    work = Path(tempfile.gettempdir()) / "srs-import-digest"  # a fixed place: card origins and file paths are in the tables
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        store = open_store(work / "srs.db")
        for package in packages:
            import_anki(store, package, work / "decks", now=NOW)
        print(f"TZ={os.environ.get('TZ', '')} {' then '.join(p.name for p in packages)}: {digest(store, work / 'decks')}")
        store.close()
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
