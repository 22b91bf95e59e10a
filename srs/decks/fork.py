"""Forking the bundled decks: copies the user edits that take over the bundled cards' ids and history."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from srs.decks.cloze import generate_cards
from srs.decks.bundled import bundled_decks_dir
from srs.decks.sync import check_paths, discover
from srs.errors import SrsError
from srs.storage import Store
from srs.storage import sync_store


@dataclass
class ForkReport:
    """What ``fork_bundled`` did."""

    folder: Path
    copied: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # already there (the user's own copy): left as it is
    cards_moved: int = 0


def fork_bundled(store: Store, folder: Path) -> ForkReport:
    """Copy the bundled deck files into ``folder`` and hand their cards over to the copies.

    Files already in ``folder`` under a bundled file's name are kept as they are (a copy the user
    made and edited). In the collection, the bundled files' cards, history included, now belong to
    the files in ``folder``, and the bundled decks stop syncing into it: ``srs sync FOLDER`` applies
    the user's edits, and an upgrade of srs no longer touches those cards.
    """
    bundled = bundled_decks_dir().resolve()
    target = folder.expanduser().resolve()
    if target == bundled or target.is_relative_to(bundled) or bundled.is_relative_to(target):
        raise SrsError(f"{folder}: choose a folder outside the bundled decks ({bundled})")
    if target.exists() and not target.is_dir():
        raise SrsError(f"{folder} is a file; give a folder")
    report = ForkReport(target)
    sources, _ = discover([bundled])
    for source in sources:
        destination = target / source.path.relative_to(bundled)
        if destination.exists():
            report.kept.append(destination)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source.path, destination)
        report.copied.append(destination)
    with store.write() as conn:
        report.cards_moved = sync_store.move_origins(conn, f"{bundled}/", f"{target}/")
    return report


def forked_to(store: Store) -> Path | None:
    """The folder the bundled decks were forked to in this collection, or None if it still follows them.

    It is the folder holding the files that own the bundled cards' ids now.
    """
    bundled = bundled_decks_dir().resolve()
    with store.read() as conn:
        known = sync_store.file_digests(conn)
        stored = sync_store.stored_cards(conn)
    if any(path.startswith(f"{bundled}/") for path in known):
        return None
    ids = {card.uid for deck in check_paths([bundled]).decks for entry in deck.cards for card in generate_cards(entry)}
    origins = {stored[uid].origin for uid in ids if uid in stored and not stored[uid].origin.startswith(f"{bundled}/")}
    origins = {origin for origin in origins if Path(origin).exists()}
    if not origins:
        return None
    common = Path(os.path.commonpath(origins))
    return common if common.is_dir() else common.parent
