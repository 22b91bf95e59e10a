"""The decks shipped with srs, and the start-up check that they are unchanged.

Every command opens the collection through ``srs.launch.open_collection_at``, which syncs the bundled
decks again when they changed (an upgrade of srs). Mostly they have not: ``bundled_unchanged`` tells so
from one query and a stat per file, without importing ``srs.decks.sync`` (its dataclasses, the cloze
rules and hashing were about a tenth of what srs adds to `srs review`'s cold start, bench/tui.py
--cold-only). When it cannot vouch, ``srs.decks.sync.refresh_bundled`` decides, reading what it must.
"""

from __future__ import annotations

from pathlib import Path

from srs.decks.files import deck_files, trusted_stat
from srs.storage import Store


def bundled_decks_dir() -> Path:
    """The decks shipped with srs: inside the installed package, or ``decks/`` of a source checkout."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "bundled_decks"
    if installed.is_dir():
        return installed
    return here.parent / "decks"


def bundled_unchanged(store: Store, first_use: bool = False) -> bool:
    """True when the bundled decks need no sync into ``store``: the collection never had them (and this is
    not its first use), or every bundled file is one the last sync recorded, with the same trusted stat,
    and none is gone. False means only "not sure": ``refresh_bundled`` then checks the contents."""
    if first_use:
        return False
    folder = bundled_decks_dir()
    if not folder.is_dir():
        return True
    root = str(folder.resolve()) + "/"
    with store.read() as conn:
        rows = conn.execute(
            "SELECT path, digest, size, mtime_ns, ctime_ns, inode FROM sync_file WHERE substr(path, 1, ?) = ?", (len(root), root)
        ).fetchall()
    if not rows:  # a collection without the bundled decks (forked, or never had them) is left alone
        return True
    recorded = {path: (digest, (size, mtime, ctime, inode)) for path, digest, size, mtime, ctime, inode in rows}
    current = [str(path.resolve()) for path in deck_files(folder)]
    if set(current) != set(recorded):
        return False
    return all(recorded[path][0] and trusted_stat(path) == recorded[path][1] for path in current)
