"""What reading a deck file needs before any YAML: which files are deck files, when a stat vouches for
a file's content, the size limit and the content hash.

Kept apart from ``load`` and ``sync`` so the check for changed bundled decks at start-up
(``srs.decks.bundled``) imports neither PyYAML nor the sync machinery.
"""

from __future__ import annotations

import os
import stat as stat_module
import time
from pathlib import Path

DECK_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 5 * 1024 * 1024

# A stat is trusted to stand for the content only when the file was last changed this long before the
# stat was taken. File times tick coarsely (a few ms on Linux, 2 s on FAT), so a same-size edit right
# after a sync could keep the mtime the sync saw; such a file is hashed at the next sync instead.
STAT_SETTLE_NS = 2_000_000_000


def deck_files(folder: Path) -> list[Path]:
    """The deck files under ``folder`` (searched recursively), sorted, as found (not resolved)."""
    return sorted(p for p in folder.rglob("*") if p.suffix in DECK_SUFFIXES and p.is_file())


def trusted_stat(path: Path | str) -> tuple[int, int, int, int] | None:
    """(size, mtime_ns, ctime_ns, inode) of the file if they can vouch for its content: a regular file, not
    changed in the last ``STAT_SETTLE_NS``. None otherwise (missing, a pipe, just changed)."""
    try:
        result = os.stat(path)
    except OSError:
        return None
    if not stat_module.S_ISREG(result.st_mode):
        return None
    if max(result.st_mtime_ns, result.st_ctime_ns) > time.time_ns() - STAT_SETTLE_NS:
        return None
    return result.st_size, result.st_mtime_ns, result.st_ctime_ns, result.st_ino


def file_digest(data: bytes) -> str:
    """Content hash used to skip unchanged files on re-sync."""
    import hashlib  # here: start-up checks stats only, and hashlib is a noticeable part of a cold start

    return hashlib.blake2b(data, digest_size=16).hexdigest()
