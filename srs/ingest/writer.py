"""Deck files from ingested cards: which decks to write, their names, the YAML, and writing or merging."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from srs.decks.load import parse_deck
from srs.errors import SrsError
from srs.ingest.build import IngestedFile
from srs.ingest.ids import file_prefix
from srs.ingest.merge import merge
from srs.ingest.model import Shape, plural
from srs.ingest.yamlout import Section, deck_text
from srs.model import CardSpec

DEFAULT_DECK = "Ingested"


@dataclass
class DeckPlan:
    """One deck file to produce: ``target`` None means stdout."""

    deck: str
    description: str
    sections: list[Section]
    target: Path | None
    hint: str = ""  # advice for the report, e.g. how to get one deck per quiz

    @property
    def cards(self) -> list[CardSpec]:
        return [card for section in self.sections for card in section.cards]


@dataclass
class Written:
    """What writing one plan did."""

    target: Path
    created: bool
    deck: str
    added: list[str]
    kept: list[str]
    wanted_deck: str = ""  # the deck name ingest would have given a new file

    def summary(self) -> str:
        if self.created:
            return f"wrote {self.target}: deck '{self.deck}', {plural(len(self.added), 'card')}"
        renamed = f"; the file keeps its deck name, not '{self.wanted_deck}'" if self.wanted_deck and self.wanted_deck != self.deck else ""
        return (
            f"merged into {self.target} (deck '{self.deck}'): {plural(len(self.added), 'new card')} added, "
            f"{len(self.kept)} already there left as they are{renamed}"
        )


def is_folder_target(output: str | Path) -> bool:
    """``-o DIR``: an existing folder, or a path written with a trailing slash (pass the raw string: Path drops it)."""
    return Path(output).is_dir() or str(output).endswith(("/", os.sep))


def check_deck_name(name: str) -> str:
    """Refuse deck names the loader would refuse."""
    if not name.strip() or any(not part.strip() for part in name.split("::")):
        raise SrsError(f"--deck '{name}' has an empty part; use names like 'PyTorch::Quizzes'")
    return name.strip()


def plan_decks(files: list[IngestedFile], output: str | Path | None, deck: str | None = None) -> list[DeckPlan]:
    """One deck for everything (stdout or ``-o FILE``), or with ``-o DIR`` one deck per quiz / per other file."""
    deck = check_deck_name(deck) if deck is not None else None
    if output is not None and is_folder_target(output):
        return [plan for ingested in files for plan in _folder_plans(ingested, Path(output), deck)]
    return [_single_plan(files, Path(output) if output is not None else None, deck)]


def _clean(title: str) -> str:
    return " ".join(title.replace("::", ":").split())


def _base(ingested: IngestedFile, deck: str | None) -> str:
    return deck or _clean(ingested.title) or ingested.source.stem


def _quiz_deck(base: str, number: int, title: str) -> str:
    return f"{base}::{number:02d} {_clean(title)}" if _clean(title) else f"{base}::Quiz {number:02d}"


def _drafts_note(cards: list[CardSpec]) -> str:
    sides = sum(card.draft and not card.cloze for card in cards)
    clozes = sum(card.draft and bool(card.cloze) for card in cards)
    notes = [f"{plural(sides, 'draft')}: write the empty side" if sides else "",
             f"{plural(clozes, 'cloze draft')}: check the sentence" if clozes else ""]
    said = "; ".join(note for note in notes if note)
    return f" {said}, then remove 'draft: true'." if said else ""


def _quiz_sections(ingested: IngestedFile, with_file: bool) -> list[Section]:
    sections = []
    for number, title in ingested.groups.items():
        cards = [card for card, group in zip(ingested.cards, ingested.card_groups) if group == number]
        where = f" ({ingested.source.name})" if with_file else ""
        sections.append(Section(f"Quiz {number}: {title or 'untitled'}{where}", cards))
    return sections


def _single_plan(files: list[IngestedFile], output: Path | None, deck: str | None) -> DeckPlan:
    several = len(files) > 1
    sections: list[Section] = []
    for ingested in files:
        if ingested.shape is Shape.QUIZ:
            sections += _quiz_sections(ingested, several)
        else:
            sections.append(Section(f"From {ingested.source.name} ({ingested.shape.label})" if several else "", list(ingested.cards)))
    cards = [card for section in sections for card in section.cards]
    if several:
        name = deck or DEFAULT_DECK
        description = f"Ingested from {', '.join(f.source.name for f in files)}."
    else:
        only = files[0]
        if only.shape is Shape.QUIZ and len(only.groups) == 1:
            number, title = next(iter(only.groups.items()))
            name = _quiz_deck(_base(only, deck), number, title)
            description = f"Quiz {number} of {only.source.name}: {_clean(title)}."
        else:
            name = _base(only, deck)
            description = f"{only.shape.label.capitalize()} ingested from {only.source.name}."
    quizzes = sum(len(f.groups) for f in files if f.shape is Shape.QUIZ)
    hint = f"{quizzes} quizzes share the deck '{name}' (their titles are comments above their cards); -o DIR/ writes one deck per quiz, named after its title" if quizzes > 1 else ""
    return DeckPlan(name, description + _drafts_note(cards), sections, output, hint)


def _folder_plans(ingested: IngestedFile, folder: Path, deck: str | None) -> list[DeckPlan]:
    stem = file_prefix(ingested.source.stem)
    base = _base(ingested, deck)
    if ingested.shape is not Shape.QUIZ:
        description = f"{ingested.shape.label.capitalize()} ingested from {ingested.source.name}." + _drafts_note(ingested.cards)
        return [DeckPlan(base, description, [Section("", list(ingested.cards))], folder / f"{stem}.yaml")]
    plans = []
    for section, (number, title) in zip(_quiz_sections(ingested, False), ingested.groups.items()):
        description = f"Quiz {number} of {ingested.source.name}: {_clean(title)}." + _drafts_note(section.cards)
        plans.append(DeckPlan(_quiz_deck(base, number, title), description, [Section("", section.cards)], folder / f"{stem}-quiz{number:02d}.yaml"))
    return plans


def render(plan: DeckPlan) -> str:
    """The deck file's YAML, checked by reading it back with the strict loader."""
    text = deck_text(plan.deck, plan.description, plan.sections)
    shown = str(plan.target or "<stdout>")
    parsed, problems = parse_deck(shown, text.encode())
    errors = [p for p in problems if p.severity == "error"]
    if parsed is None or errors:
        raise SrsError("ingest produced YAML the deck loader refuses (please report this):\n" + "\n".join(str(p) for p in errors[:10]))
    if [card.content_key() for card in parsed.cards] != [card.content_key() for card in plan.cards]:
        raise SrsError("ingest produced YAML that does not read back as the cards it meant to write (please report this)")
    return text


def write(plan: DeckPlan) -> Written:
    """Create the deck file, or merge into it by id if it exists (existing cards are left exactly as they are)."""
    target = plan.target
    if target is None:
        raise ValueError("write() needs a target; use render() for stdout")
    if target.is_file() and target.read_bytes().strip():
        merged = merge(str(target), target.read_bytes(), plan.sections)
        if merged.data is not None:
            atomic_write(target, merged.data)
        return Written(target, False, merged.deck, merged.added, merged.kept, plan.deck)
    if target.exists() and not target.is_file():
        raise SrsError(f"{target} exists and is not a file")
    data = render(plan).encode()
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, data)
    return Written(target, True, plan.deck, [card.uid for card in plan.cards], [])


def atomic_write(target: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder, so a crash never leaves half a deck.

    A symlink is followed (its target is written, the link stays); an existing file keeps its mode, and a new one
    gets the mode any tool would give it (0666 less the umask), not the temp file's private 0600.
    """
    target = Path(os.path.realpath(target))
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp, target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask())
        os.replace(temp, target)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def _umask() -> int:
    """The process umask (read from /proc where it can be, since setting it to read it is not thread-safe)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
