"""Imported cards -> deck files in the output folder, updating the files of an earlier import in place.

One file per Anki deck (``<slug of the deck name>.yaml``, or the file that already holds that deck).
A card already in a file of the folder (same id: same note GUID) is replaced where it stands; new
cards are added at the end; a card whose note moved to another deck leaves its old file; cards of
the user's own that are not in the package stay. Every file is rendered and checked by the strict
loader before any is written, and unchanged files are not touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from srs.decks.load import parse_deck_ids
from srs.decks.files import DECK_SUFFIXES
from srs.errors import SrsError
from srs.ingest.writer import atomic_write
from srs.ingest.yamlout import Section, deck_text
from srs.model import CardSpec, DeckFile


@dataclass
class DeckFilePlan:
    """The new content of one deck file."""

    path: Path
    deck: str
    data: bytes
    changed: bool
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    parsed: tuple = ()  # parse_deck_ids(str(path), data), for the sync that follows


def slug(name: str) -> str:
    """A file name stem for a deck name: ``Lang::German`` -> ``lang--german``."""
    parts = ["-".join(re.findall(r"[a-z0-9]+", part.lower())) for part in name.split("::")]
    return "--".join(part or "deck" for part in parts)[:100] or "deck"


@dataclass(frozen=True)
class _Existing:
    """A deck file already in the folder: as parsed (``parse_deck_ids``), and its bytes."""

    deck: DeckFile
    data: bytes
    parsed: tuple


def existing_decks(folder: Path) -> dict[Path, DeckFile]:
    """The deck files already in ``folder`` (not its subfolders); any with an error stops the import."""
    return {path: found.deck for path, found in _existing(folder).items()}


def _existing(folder: Path) -> dict[Path, _Existing]:
    found = {}
    if not folder.is_dir():
        return found
    for path in sorted(p for p in folder.iterdir() if p.suffix in DECK_SUFFIXES and p.is_file()):
        data = path.read_bytes()
        parsed = parse_deck_ids(str(path), data)
        deck, problems = parsed[0], parsed[1]
        errors = [p for p in problems if p.severity == "error"]
        if deck is None or errors:
            listed = "\n".join(str(p) for p in errors[:10])
            raise SrsError(f"{path} has errors, so nothing was imported; fix them (see `srs check {path}`) or import into another folder with -o:\n{listed}")
        found[path] = _Existing(deck, data, parsed)
    return found


def _target_files(decks: list[str], existing: dict[Path, DeckFile], folder: Path) -> dict[str, Path]:
    by_name = {deck.deck: path for path, deck in existing.items()}
    taken = set(existing)
    targets = {}
    for name in decks:
        if name in by_name:
            targets[name] = by_name[name]
            continue
        stem, number = slug(name), 1
        path = folder / f"{stem}.yaml"
        while path in taken:
            number += 1
            path = folder / f"{stem}-{number}.yaml"
        taken.add(path)
        targets[name] = path
    return targets


@dataclass
class DeckFileLayout:
    """Which cards one deck file will hold, in order, before it is rendered."""

    path: Path
    deck: str
    description: str
    cards: list[CardSpec]
    old: _Existing | None
    added: list[str]
    updated: list[str]
    removed: list[str]


def lay_out_deck_files(cards_by_deck: dict[str, list[CardSpec]], folder: Path, description: str) -> tuple[list[DeckFileLayout], list[Path]]:
    """The cards of every file that holds or held imported cards (in path order), and every file that holds imported cards."""
    files = _existing(folder)
    existing = {path: found.deck for path, found in files.items()}
    targets = _target_files(list(cards_by_deck), existing, folder)
    imported = {card.uid for cards in cards_by_deck.values() for card in cards}
    layouts = []
    for path in sorted(set(existing) | set(targets.values())):
        old = existing.get(path)
        deck = old.deck if old is not None else next(name for name, target in targets.items() if target == path)
        incoming = {card.uid: card for card in cards_by_deck.get(deck, [])} if targets.get(deck) == path else {}
        kept, updated, removed = [], [], []
        for card in old.cards if old is not None else ():
            if card.uid in incoming:
                new = incoming.pop(card.uid)
                if new.content_key() != card.content_key():
                    updated.append(card.uid)
                kept.append(new)
            elif card.uid in imported:
                removed.append(card.uid)  # the note moved to another deck
            else:
                kept.append(card)
        layouts.append(DeckFileLayout(
            path, deck, old.description if old is not None else description, kept + list(incoming.values()), files.get(path),
            list(incoming), updated, removed,
        ))
    return layouts, sorted(set(targets.values()))


def render_deck_files(layouts: list[DeckFileLayout], targets: list[Path]) -> tuple[list[DeckFilePlan], list[Path]]:
    """What to write (every file that gains, changes or loses an imported card, checked by the strict loader), and every file that holds imported cards."""
    plans = []
    for layout in layouts:
        data = deck_text(layout.deck, layout.description, [Section("", layout.cards)]).encode()
        unchanged = layout.old is not None and data == layout.old.data
        # The same bytes parse the same: the parse of the file as it is serves (an import of an unchanged package).
        parsed = _check(layout.path, data, layout.cards, layout.old.parsed if unchanged else None)
        if layout.old is None or layout.added or layout.updated or layout.removed:
            plans.append(DeckFilePlan(layout.path, layout.deck, data, not unchanged, layout.added, layout.updated, layout.removed, parsed))
    return plans, sorted(set(targets) | {plan.path for plan in plans})


def plan_deck_files(cards_by_deck: dict[str, list[CardSpec]], folder: Path, description: str) -> tuple[list[DeckFilePlan], list[Path]]:
    """What to write (every file that gains, changes or loses an imported card, checked by the strict loader), and every file that holds imported cards."""
    return render_deck_files(*lay_out_deck_files(cards_by_deck, folder, description))


def _check(path: Path, data: bytes, cards: list[CardSpec], parsed: tuple | None = None) -> tuple:
    """The file as the strict loader reads it (``parse_deck_ids``, or ``parsed``: its result on these bytes), refused unless it reads back as ``cards``."""
    result = parse_deck_ids(str(path), data) if parsed is None else parsed
    parsed, problems = result[0], result[1]
    errors = [p for p in problems if p.severity == "error"]
    if parsed is None or errors:
        raise SrsError(f"import produced a deck file the loader refuses (please report this):\n" + "\n".join(str(p) for p in errors[:10]))
    if [card.content_key() for card in parsed.cards] != [card.content_key() for card in cards]:
        raise SrsError("import produced a deck file that does not read back as the cards it meant to write (please report this)")
    return result


def write_deck_files(plans: list[DeckFilePlan]) -> None:
    """Write the changed files, each atomically."""
    for plan in plans:
        if plan.changed:
            plan.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(plan.path, plan.data)
