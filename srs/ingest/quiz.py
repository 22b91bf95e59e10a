"""Quiz answer sheets: blocks separated by dashed lines, each with a ``Question:`` title, ``Solution:``
(``Q1: answer``) and ``Reasoning:`` (``Q1: why``). The stems are not in the file, so every card is a
draft with an empty front: back = the answer, extra = the reasoning, tags from the title's topics.

Quizzes are numbered 1, 2, ... in file order (the numbers in titles may be missing or wrong), items by their
``Qn`` number: ids ``quiz03-q07``, source ``FILE#quiz03-q07``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from srs.ingest.model import Finding, Item, Parsed, Shape
from srs.ingest.text import Source, is_rule, short
from srs.ingest.topics import topic_tags

MARKER = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*)?(?P<kind>question|quiz|title|solutions?|answers?|answer key|reasoning|explanations?|rationale)"
    r"(?:\*\*)?\s*:(?:\*\*)?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
Q_ITEM = re.compile(r"^\s*(?:\*\*)?(?:Q|Question\s*)(?P<num>\d{1,4})(?:\*\*)?\s*[:.)\-](?:\*\*)?\s*(?P<text>.*)$", re.IGNORECASE)
PLAIN_ITEM = re.compile(r"^\s*(?P<num>\d{1,4})\s*[:.)]\s*(?P<text>.*)$")
OPTION_LETTER = re.compile(r"^\(?[A-Ea-e]\)?[.)]?$")
SECTION_OF = {
    "question": "title", "quiz": "title", "title": "title",
    "solution": "solution", "solutions": "solution", "answer": "solution", "answers": "solution", "answer key": "solution",
    "reasoning": "reasoning", "explanation": "reasoning", "explanations": "reasoning", "rationale": "reasoning",
}


@dataclass
class Entry:
    """One ``Qn:`` line of a Solution or Reasoning section, with its continuation lines."""

    number: int
    line: int
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


@dataclass
class Block:
    """One quiz: title and the Solution/Reasoning entries."""

    first_line: int
    title: str = ""
    title_line: int = 0
    has_marker: bool = False
    solution: list[Entry] = field(default_factory=list)
    reasoning: list[Entry] = field(default_factory=list)
    loose: list[int] = field(default_factory=list)  # lines of text that belong to nothing

    @property
    def is_quiz(self) -> bool:
        return self.has_marker or bool(self.solution or self.reasoning)


def marker(line: str) -> tuple[str, str] | None:
    """('title' | 'solution' | 'reasoning', text after the colon) for a section marker line."""
    match = MARKER.match(line)
    if not match:
        return None
    return SECTION_OF[match.group("kind").lower()], match.group("rest").strip()


def item_line(line: str, in_section: bool) -> tuple[int, str] | None:
    """(number, text) of a ``Q7: ...`` line (or ``7. ...`` inside a Solution/Reasoning section)."""
    match = Q_ITEM.match(line) or (PLAIN_ITEM.match(line) if in_section else None)
    return (int(match.group("num")), match.group("text").strip()) if match else None


def parse(source: Source) -> Parsed:
    """Read every quiz block of a quiz answer sheet."""
    parsed = Parsed(Shape.QUIZ)
    blocks = _blocks(source)
    number = 0
    for block in blocks:
        if not block.is_quiz:
            if block.loose:
                parsed.findings.append(Finding(source.shown, block.loose[0], f"text outside any quiz (no Question:/Solution:), not read: '{short(source.lines[block.loose[0] - 1])}'", "note"))
            continue
        number += 1
        _read_quiz(source, block, number, parsed)
    return parsed


def _blocks(source: Source) -> list[Block]:
    """Split the file into quiz blocks at separator lines (and at a new 'Question:' after a solution)."""
    blocks = [Block(first_line=1)]
    section: str | None = None
    current: Entry | None = None
    blank_before = False
    for index, line in enumerate(source.lines):
        number = source.loc(index)
        block = blocks[-1]
        if is_rule(line):
            blocks.append(Block(first_line=number + 1))
            section, current, blank_before = None, None, False
            continue
        if not line.strip():
            blank_before = True
            if section == "title" and block.title:
                section = None
            continue
        found = marker(line)
        if found:
            kind, rest = found
            if kind == "title" and (block.solution or block.reasoning):
                block = Block(first_line=number)
                blocks.append(block)
            block.has_marker = True
            section, current = kind, None
            if kind == "title":
                block.title, block.title_line = rest, (number if rest else 0)
            elif rest:
                current = _section_line(block, kind, None, rest, number, False)
        elif section == "title":
            block.title = f"{block.title} {line.strip()}".strip()
            block.title_line = block.title_line or number
        elif section in ("solution", "reasoning"):
            current = _section_line(block, section, current, line, number, blank_before)
        else:
            if not block.has_marker and not block.title:
                # A quiz written without 'Question:' has its title as the first line.
                block.title, block.title_line = line.strip(), number
            block.loose.append(number)
        blank_before = False
    return blocks


def _section_line(block: Block, section: str, current: Entry | None, line: str, number: int, blank_before: bool) -> Entry | None:
    """A line under Solution: or Reasoning: starts an entry, continues the previous one, or is loose."""
    found = item_line(line, True)
    if found:
        entry = Entry(found[0], number, [found[1]])
        (block.solution if section == "solution" else block.reasoning).append(entry)
        return entry
    if current is not None and not blank_before:
        current.lines.append(line.strip())
        return current
    block.loose.append(number)
    return None


def _read_quiz(source: Source, block: Block, number: int, parsed: Parsed) -> None:
    title = " ".join(block.title.split())
    where = block.title_line or block.first_line
    if not title:
        parsed.findings.append(Finding(source.shown, where, f"quiz {number} has no title (no text after Question:); its cards get no topic tags"))
    parsed.groups[number] = title
    tags = topic_tags(title)
    solutions = _by_number(source, block.solution, number, "Solution:", parsed)
    reasons = _by_number(source, block.reasoning, number, "Reasoning:", parsed)
    if not solutions and not reasons:
        parsed.findings.append(Finding(source.shown, where, f"quiz {number} has no Q lines under Solution: or Reasoning:; no cards made"))
    untitled_loose = [line for line in block.loose if line != block.title_line]
    for line in untitled_loose:
        parsed.findings.append(Finding(source.shown, line, f"quiz {number}: line not read (not a Qn line): '{short(source.lines[line - 1])}'", "note"))
    keys = sorted(set(solutions) | set(reasons), key=lambda key: (key[0], key[1]))
    previous = 0
    for key in keys:
        q, repeat = key
        answer, reason = solutions.get(key), reasons.get(key)
        line = (answer or reason).line
        if repeat == 1 and q > previous + 1:
            missing = f"Q{previous + 1}" if q == previous + 2 else f"Q{previous + 1}-Q{q - 1}"
            parsed.findings.append(Finding(source.shown, line, f"quiz {number}: numbering jumps from Q{previous} to Q{q}; {missing} not in the file"))
        previous = max(previous, q)
        local = f"quiz{number:02d}-q{q:02d}" + (f"-{repeat}" if repeat > 1 else "")
        parsed.items.append(Item(local_id=local, ref=local, line=line, back=answer.text if answer else "", extra=reason.text if reason else "", tags=tags, group=number))
        _check_item(source, parsed, number, q, answer, reason)


def _by_number(source: Source, entries: list[Entry], quiz: int, section: str, parsed: Parsed) -> dict[tuple[int, int], Entry]:
    out: dict[tuple[int, int], Entry] = {}
    for entry in entries:
        repeat = 1
        while (entry.number, repeat) in out:
            repeat += 1
        if repeat > 1:
            parsed.findings.append(Finding(source.shown, entry.line, f"quiz {quiz}: Q{entry.number} appears {repeat} times in {section}; this one becomes quiz{quiz:02d}-q{entry.number:02d}-{repeat}"))
        out[(entry.number, repeat)] = entry
    return out


def _check_item(source: Source, parsed: Parsed, quiz: int, q: int, answer: Entry | None, reason: Entry | None) -> None:
    name = f"quiz {quiz} Q{q}"
    if answer is None:
        parsed.findings.append(Finding(source.shown, reason.line, f"{name}: no answer under Solution: (only reasoning); the draft's back is empty"))
    elif not answer.text:
        parsed.findings.append(Finding(source.shown, answer.line, f"{name}: the answer is empty; the draft's back is empty"))
    elif OPTION_LETTER.match(answer.text):
        parsed.findings.append(Finding(source.shown, answer.line, f"{name}: the answer is only the option letter '{answer.text}' and the options are not in the file; write the answer out"))
    if reason is None:
        parsed.findings.append(Finding(source.shown, answer.line, f"{name}: no reasoning line under Reasoning:; the card has no extra"))
    elif not reason.text:
        parsed.findings.append(Finding(source.shown, reason.line, f"{name}: the reasoning is empty; the card has no extra"))
