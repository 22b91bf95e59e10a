"""Card ids for ingested material: ``<prefix>/<local id>``, stable across re-runs on the same file.

The local id follows the bundled decks' scheme (``quiz03-q07``, ``note-07``, ``qlist-042``, ``key-05``).
The prefix is a slug of the file name (``001_524f5d0acfacaac9.txt`` -> ``001-524f5d0acfacaac9``) so two
files never collide with each other or with the bundled decks; ``--prefix`` replaces it (keep ids stable
after renaming the file), and an empty ``--prefix ""`` gives the bare local ids.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from srs.errors import SrsError

PREFIX_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,59}$")
MAX_SLUG = 40


def slug(text: str) -> str:
    """Lower-case letters and digits joined by '-', at most 40 characters ('' if nothing is left)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    out = "-".join(words)[:MAX_SLUG].strip("-")
    return out


def file_prefix(stem: str) -> str:
    """The default id prefix for a file."""
    return slug(stem) or "ingest"


def check_prefix(prefix: str) -> str:
    """Validate a user-given prefix ('' means: no prefix)."""
    if prefix and not PREFIX_PATTERN.match(prefix):
        raise SrsError(f"--prefix '{prefix}' may hold only letters, digits and . _ : / - (at most 60, starting with a letter or digit)")
    return prefix


def full_id(prefix: str, local_id: str) -> str:
    """The card id written to the deck file."""
    return f"{prefix}/{local_id}" if prefix else local_id


@dataclass(frozen=True)
class Numbered:
    """An item's place: its number and the section (heading) it sits under."""

    number: int
    section: int
    section_label: str = ""  # e.g. a level name; '' means use s<N>


def local_ids(places: list[Numbered], stem: str, width: int) -> tuple[list[str], list[str], list[int]]:
    """Local ids and source refs for numbered items, and the indexes of repeated numbers.

    Numbers unique in the file give ``stem-NN``. If numbering restarts per section (1-20 under
    Beginner, 1-30 under Intermediate), every id names its section: ``stem-beginner-01`` or ``stem-s2-01``.
    A number repeated inside one section gets ``-2``, ``-3``... (the caller warns about those).
    """
    sections_of: dict[int, set[int]] = {}
    for place in places:
        sections_of.setdefault(place.number, set()).add(place.section)
    sectioned = any(len(sections) > 1 for sections in sections_of.values())
    labels = _section_labels(places) if sectioned else {}
    seen: Counter = Counter()
    ids, refs, repeats = [], [], []
    for index, place in enumerate(places):
        key = (labels.get(place.section, ""), place.number)
        seen[key] += 1
        number = f"{place.number:0{width}d}"
        section = f"{key[0]}-" if key[0] else ""
        suffix = f"-{seen[key]}" if seen[key] > 1 else ""
        if suffix:
            repeats.append(index)
        ids.append(f"{stem}-{section}{number}{suffix}")
        refs.append(f"{section}{place.number}{suffix}")
    return ids, refs, repeats


def _section_labels(places: list[Numbered]) -> dict[int, str]:
    sections = list(dict.fromkeys(p.section for p in places))
    named = Counter(next(p.section_label for p in places if p.section == s) for s in sections)
    labels = {}
    for ordinal, section in enumerate(sections, start=1):
        label = next(p.section_label for p in places if p.section == section)
        labels[section] = label if label and named[label] == 1 else f"s{ordinal}"
    return labels
