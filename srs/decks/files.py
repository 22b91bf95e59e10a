"""What reading a deck file needs before any YAML: the size limit and the content hash.

Kept apart from ``load`` so the check for changed bundled decks at start-up does not import PyYAML.
"""

from __future__ import annotations

import hashlib

MAX_FILE_BYTES = 5 * 1024 * 1024


def file_digest(data: bytes) -> str:
    """Content hash used to skip unchanged files on re-sync."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()
