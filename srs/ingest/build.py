"""From files to cards: read, detect the shape, parse, give every card its full id and source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from srs.errors import SrsError
from srs.ingest import answers, notes, questions, quiz
from srs.ingest.cloze import propose_cloze
from srs.ingest.detect import detect
from srs.ingest.ids import check_prefix, file_prefix, full_id
from srs.ingest.model import SHAPE_HELP, Finding, Parsed, Shape, plural
from srs.ingest.text import Source, read_source
from srs.model import CardSpec

PARSERS: dict[Shape, Callable[[Source], Parsed]] = {
    Shape.QUIZ: quiz.parse,
    Shape.NOTES: notes.parse,
    Shape.QUESTIONS: questions.parse,
    Shape.ANSWERS: answers.parse,
}


@dataclass
class IngestedFile:
    """One file's cards, ready to write, and everything the report must say about it."""

    source: Source
    shape: Shape
    detected: bool  # False when --format chose the shape
    prefix: str
    title: str
    cards: list[CardSpec]
    groups: dict[int, str]  # quiz number -> quiz title
    card_groups: list[int]  # quiz number of each card (0 for other shapes)
    findings: list[Finding]

    @property
    def drafts(self) -> int:
        return sum(card.draft for card in self.cards)

    def summary(self) -> str:
        """``path: quiz answer sheets (detected), 12 quizzes: 120 cards (0 finished, 120 drafts)``."""
        how = "detected" if self.detected else "--format"
        quizzes = f", {plural(len(self.groups), 'quiz', 'quizzes')}" if self.shape is Shape.QUIZ else ""
        finished = len(self.cards) - self.drafts
        return f"{self.source.shown}: {self.shape.label} ({how}){quizzes}: {plural(len(self.cards), 'card')} ({finished} finished, {plural(self.drafts, 'draft')})"


def known_shapes() -> str:
    """The shapes ingest reads, for error messages."""
    return "; ".join(f"{shape.value} ({shape.label}: {SHAPE_HELP[shape]})" for shape in Shape)


def ingest_source(source: Source, shape: Shape | None = None, prefix: str | None = None) -> IngestedFile:
    """Parse one already-read file. ``shape`` forces the shape; ``prefix`` replaces the id prefix ('' = none)."""
    found = shape or detect(source.lines)
    if found is None:
        raise SrsError(f"{source.shown}: not a shape srs ingest knows. Known shapes: {known_shapes()}. If the file is one of them, say which with --format.")
    parsed = PARSERS[found](source)
    if not parsed.items:
        raise SrsError(f"{source.shown}: read as {found.label} (--format {found.value}) but no items found. Known shapes: {known_shapes()}.")
    chosen = file_prefix(source.stem) if prefix is None else check_prefix(prefix)
    cards = [
        CardSpec(
            uid=full_id(chosen, item.local_id),
            front=item.front,
            back=item.back,
            extra=item.extra,
            tags=tuple(dict.fromkeys(item.tags)),
            difficulty=item.difficulty,
            sources=(f"{source.name}#{item.ref}",),
            draft=not item.front.strip() or not item.back.strip(),
            line=item.line,
        )
        for item in parsed.items
    ]
    groups = [item.group for item in parsed.items]
    if found is Shape.NOTES:
        cards, groups = _with_cloze_proposals(cards, groups)
    findings = source.findings + sorted(parsed.findings, key=lambda f: f.line)
    return IngestedFile(source, found, shape is None, chosen, parsed.title, cards, parsed.groups, groups, findings)


def _with_cloze_proposals(cards: list[CardSpec], groups: list[int]) -> tuple[list[CardSpec], list[int]]:
    """Each note card whose answer is one key term, followed by its cloze draft."""
    out_cards, out_groups = [], []
    for card, group in zip(cards, groups):
        out_cards.append(card)
        out_groups.append(group)
        proposal = propose_cloze(card)
        if proposal is not None:
            out_cards.append(proposal)
            out_groups.append(group)
    return out_cards, out_groups


def ingest_file(path: Path, shape: Shape | None = None, prefix: str | None = None) -> IngestedFile:
    """Read and parse one file."""
    return ingest_source(read_source(path), shape, prefix)


def ingest_files(paths: list[Path], shape: Shape | None = None, prefix: str | None = None) -> list[IngestedFile]:
    """Read and parse every file; unknown shapes are refused all together, before anything is written."""
    done, refused = [], []
    for path in paths:
        try:
            done.append(ingest_file(path, shape, prefix))
        except SrsError as exc:
            refused.append(str(exc))
    if refused:
        raise SrsError("\n".join(refused))
    _check_unique(done)
    return done


def _check_unique(files: list[IngestedFile]) -> None:
    seen: dict[str, str] = {}
    for ingested in files:
        for card in ingested.cards:
            if card.uid in seen and seen[card.uid] != ingested.source.shown:
                raise SrsError(
                    f"id '{card.uid}' comes from both {seen[card.uid]} and {ingested.source.shown}; "
                    "give each file its own --prefix (run ingest once per file)"
                )
            seen[card.uid] = ingested.source.shown
