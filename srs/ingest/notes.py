"""Study notes: ``### N. question`` headings, each followed by its answer (paragraphs, lists, code) up to the
next heading of the same or a higher rank. front = the question, back = the answer with its Markdown.

Text before the first question (the overview) is not a card. Ids ``note-07``, source ``FILE#7``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from srs.ingest.ids import Numbered, local_ids
from srs.ingest.model import Finding, Item, Parsed, Shape
from srs.ingest.text import LEVEL_DIFFICULTY, Source, fence_mask, file_title, heading, is_rule, join_block, level_of, short, unbold
from srs.ingest.topics import topic_tags

QUESTION_HEADING = re.compile(r"^(?:\*\*)?(?:(?:Q|Question)\s*)?(?P<num>\d{1,4})\s*[.):](?:\*\*)?\s*(?P<text>.*)$", re.IGNORECASE)  # unbold() strips the text


@dataclass
class Note:
    number: int
    line: int
    question: str
    section: int
    level: str | None
    body: list[str] = field(default_factory=list)


def question_heading(line: str) -> tuple[int, int, str] | None:
    """(depth, number, question) for a numbered heading such as ``### 7. What is ...?``."""
    found = heading(line)
    if not found:
        return None
    match = QUESTION_HEADING.match(found[1])
    return (found[0], int(match.group("num")), unbold(match.group("text"))) if match else None


def count_question_headings(lines: list[str]) -> int:
    """How many numbered question headings the file has (outside code blocks); used by detection."""
    mask = fence_mask(lines)
    return sum(1 for line, fenced in zip(lines, mask) if not fenced and question_heading(line))


def parse(source: Source) -> Parsed:
    """Read every numbered question heading and its answer."""
    parsed = Parsed(Shape.NOTES, title=file_title(source.lines))
    notes = _notes(source, parsed)
    places = [Numbered(note.number, note.section, note.level or "") for note in notes]
    ids, refs, repeats = local_ids(places, "note", 2)
    for index in repeats:
        parsed.findings.append(Finding(source.shown, notes[index].line, f"note number {notes[index].number} is used twice in one section; this one becomes {ids[index]}"))
    for note, local, ref in zip(notes, ids, refs):
        back = join_block(_without_trailing_rules(note.body))
        if not note.question:
            parsed.findings.append(Finding(source.shown, note.line, f"note {note.number}: the heading has no question; the draft's front is empty"))
        if not back:
            parsed.findings.append(Finding(source.shown, note.line, f"note {note.number}: no answer under the heading; the draft's back is empty"))
        parsed.items.append(Item(
            local_id=local, ref=ref, line=note.line, front=note.question, back=back,
            tags=topic_tags(note.question) + ((note.level,) if note.level else ()),
            difficulty=LEVEL_DIFFICULTY.get(note.level or ""),
        ))
    return parsed


def _notes(source: Source, parsed: Parsed) -> list[Note]:
    notes: list[Note] = []
    mask = fence_mask(source.lines)
    current: Note | None = None
    depth = 0  # rank of the question headings
    section, level, level_depth = 0, None, 7
    loose_from: int | None = None
    for index, (line, fenced) in enumerate(zip(source.lines, mask)):
        number = source.loc(index)
        found = None if fenced else heading(line)
        question = question_heading(line) if found else None
        if question:
            _note_loose(source, parsed, loose_from)
            loose_from = None
            depth = question[0]
            current = Note(question[1], number, question[2], section, level)
            notes.append(current)
            continue
        if found and (current is None or found[0] <= depth):
            # A heading that is not a question ends the answer; a level heading sets the level for what follows.
            _note_loose(source, parsed, loose_from)
            loose_from = None
            section += 1
            named = level_of(found[1])
            if named:
                level, level_depth = named, found[0]
            elif found[0] <= level_depth:
                level, level_depth = None, 7
            current = None
            continue
        if current is not None:
            current.body.append(line)
        elif notes and line.strip() and not is_rule(line) and loose_from is None:
            loose_from = number
    _note_loose(source, parsed, loose_from)
    return notes


def _note_loose(source: Source, parsed: Parsed, line: int | None) -> None:
    if line is not None:
        parsed.findings.append(Finding(source.shown, line, f"text under a heading that is not a numbered question, not read: '{short(source.lines[line - 1])}'", "note"))


def _without_trailing_rules(lines: list[str]) -> list[str]:
    lines = list(lines)
    while lines and (not lines[-1].strip() or is_rule(lines[-1])):
        lines.pop()
    return lines
